/*
 * callkit.c: bgworker's test extension for what a call returns and how it
 * reports: set-returning functions in materialize mode (InitMaterializedSRF
 * and the older hand-written set-up), a function that sends a NOTICE and
 * then waits for something the test controls, and state a session keeps
 * between calls (a static counter, a pinned dsm mapping).  Its functions
 * run in a session.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/dsm.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
#include "varatt.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(callkit_mat_out);
Datum
callkit_mat_out(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n = PG_GETARG_INT32(0);

	InitMaterializedSRF(fcinfo, 0);
	for (int32 i = 1; i <= n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(i);
		values[1] = Int64GetDatum((int64) i * i);
		if (i % 3 == 0)
			nulls[2] = true;
		else
			values[2] = CStringGetTextDatum(psprintf("row %d", i));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(callkit_mat_table);
Datum
callkit_mat_table(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n = PG_GETARG_INT32(0);

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
	for (int32 i = 0; i < n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(i % 2 ? "odd, half" : "even");
		values[1] = Float8GetDatum(i / 2.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(callkit_mat_scalar);
Datum
callkit_mat_scalar(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n = PG_GETARG_INT32(0);

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (int32 i = 0; i < n; i++)
	{
		Datum		value = CStringGetTextDatum(psprintf("item %d", i));
		bool		null = (i == 1);

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &null);
	}
	return (Datum) 0;
}

/* Also declared as callkit_mat_not_setof, a function that is not SETOF. */
PG_FUNCTION_INFO_V1(callkit_mat_empty);
Datum
callkit_mat_empty(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	return (Datum) 0;
}

/* The set-up modules wrote by hand before InitMaterializedSRF. */
PG_FUNCTION_INFO_V1(callkit_mat_classic);
Datum
callkit_mat_classic(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n = PG_GETARG_INT32(0);
	TupleDesc	tupdesc;
	Tuplestorestate *tupstore;
	MemoryContext per_query_ctx;
	MemoryContext oldcontext;
	AttInMetadata *attinmeta;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	per_query_ctx = rsinfo->econtext->ecxt_per_query_memory;
	oldcontext = MemoryContextSwitchTo(per_query_ctx);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupstore = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = tupdesc;
	MemoryContextSwitchTo(oldcontext);

	/* rows built from strings, stored as tuples */
	attinmeta = TupleDescGetAttInMetadata(tupdesc);
	for (int32 i = 0; i < n; i++)
	{
		char	   *cols[2];
		HeapTuple	tuple;

		cols[0] = psprintf("%d", 100 + i);
		cols[1] = psprintf("name \"%d\"", i);
		tuple = BuildTupleFromCStrings(attinmeta, cols);
		tuplestore_puttuple(tupstore, tuple);
	}
	tuplestore_donestoring(tupstore);
	if (tuplestore_tuple_count(tupstore) != n)
		elog(ERROR, "the store holds %ld rows, not %d",
			 (long) tuplestore_tuple_count(tupstore), n);
	return (Datum) 0;
}

/* RETURNS SETOF record without columns: no descriptor to expect. */
PG_FUNCTION_INFO_V1(callkit_mat_record);
Datum
callkit_mat_record(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	return (Datum) 0;
}

/* Rows of three columns where the declaration says two. */
PG_FUNCTION_INFO_V1(callkit_mat_mismatch);
Datum
callkit_mat_mismatch(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	TupleDesc	desc = CreateTemplateTupleDesc(3);
	Datum		values[3] = {Int32GetDatum(1), Int32GetDatum(2), Int32GetDatum(3)};
	bool		nulls[3] = {false, false, false};

	TupleDescInitEntry(desc, 1, "a", INT4OID, -1, 0);
	TupleDescInitEntry(desc, 2, "b", INT4OID, -1, 0);
	TupleDescInitEntry(desc, 3, "c", INT4OID, -1, 0);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(false, false, work_mem);
	rsinfo->setDesc = desc;
	MemoryContextSwitchTo(old);
	tuplestore_putvalues(rsinfo->setResult, desc, values, nulls);
	return (Datum) 0;
}

/*
 * NOTICE, then wait (on the latch, processing interrupts) until path
 * exists, then another NOTICE.
 */
PG_FUNCTION_INFO_V1(callkit_notice_wait);
Datum
callkit_notice_wait(PG_FUNCTION_ARGS)
{
	char	   *path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	struct stat st;

	ereport(NOTICE,
			(errmsg("waiting for \"%s\"", path),
			 errdetail("Session %d.", MyProcPid)));
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (stat(path, &st) == 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	ereport(INFO, (errmsg("found \"%s\"", path)));
	PG_RETURN_TEXT_P(cstring_to_text("done"));
}

/* ---- state across the calls of one session ---- */

static int32 counter = 0;
static dsm_segment *pinned = NULL;

PG_FUNCTION_INFO_V1(callkit_counter);
Datum
callkit_counter(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(++counter);
}

/* A segment holding value, its mapping pinned: it outlives the call. */
PG_FUNCTION_INFO_V1(callkit_pin);
Datum
callkit_pin(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(value);

	if (pinned != NULL)
		dsm_detach(pinned);
	pinned = dsm_create(len + 1, 0);
	memcpy(dsm_segment_address(pinned), VARDATA_ANY(value), len);
	((char *) dsm_segment_address(pinned))[len] = '\0';
	dsm_pin_mapping(pinned);
	PG_RETURN_INT64((int64) dsm_segment_handle(pinned));
}

/* What the pinned segment holds, or NULL if this session has none. */
PG_FUNCTION_INFO_V1(callkit_pinned);
Datum
callkit_pinned(PG_FUNCTION_ARGS)
{
	if (pinned == NULL)
		PG_RETURN_NULL();
	if (dsm_find_mapping(dsm_segment_handle(pinned)) != pinned)
		elog(ERROR, "the pinned mapping is gone");
	PG_RETURN_TEXT_P(cstring_to_text(dsm_segment_address(pinned)));
}
