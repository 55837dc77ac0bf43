/*-------------------------------------------------------------------------
 *
 * funcapi.c
 *	  Tuple descriptors, rows and the set-returning protocols (funcapi.h,
 *	  access/tupdesc.h, access/htup_details.h) for functions a session
 *	  calls: value per call, and materialize mode's set-up
 *	  (InitMaterializedSRF; the store is tuplestore.c).  Sessions and
 *	  workers.
 *
 *	  A row (HeapTupleHeaderData) is bgworker's own layout, one palloc'd
 *	  varlena: the column count, the null flags, one Datum per column, and
 *	  the by-reference values copied after them.  A by-reference column's
 *	  Datum holds its offset from the row's start, so a row can be copied
 *	  byte for byte; heap_deform_tuple() turns offsets back into pointers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "bgw_internal.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "varatt.h"

struct HeapTupleHeaderData
{
	int32		vl_len_;		/* varlena header */
	int32		natts;			/* columns */
	Oid			typid;			/* RECORDOID */
	int32		typmod;			/* the blessed descriptor's id, or -1 */
	/* bool isnull[natts], MAXALIGNed; Datum values[natts]; data */
};

#define ROW_NULLS(h)	((bool *) ((char *) (h) + MAXALIGN(sizeof(HeapTupleHeaderData))))
#define ROW_VALUES(h)	((Datum *) ((char *) ROW_NULLS(h) + MAXALIGN((h)->natts)))

/* The result type of the call in progress (set by the session). */
static Oid	call_result_type = InvalidOid;
static TupleDesc call_result_desc = NULL;

/* Blessed descriptors, so that a record Datum can be printed. */
static TupleDesc *blessed;
static int	nblessed;

void
bgw_set_call_result(Oid typid, TupleDesc desc)
{
	call_result_type = typid;
	call_result_desc = desc;
}

TupleDesc
CreateTemplateTupleDesc(int natts)
{
	TupleDesc	desc;

	if (natts < 0)
		elog(ERROR, "invalid number of attributes: %d", natts);
	desc = palloc0(offsetof(TupleDescData, attrs) +
				   natts * sizeof(FormData_pg_attribute));
	desc->natts = natts;
	desc->tdtypeid = RECORDOID;
	desc->tdtypmod = -1;
	desc->tdrefcount = -1;
	return desc;
}

TupleDesc
CreateTupleDescCopy(TupleDesc tupdesc)
{
	Size		sz = offsetof(TupleDescData, attrs) +
		tupdesc->natts * sizeof(FormData_pg_attribute);
	TupleDesc	desc = palloc(sz);

	memcpy(desc, tupdesc, sz);
	desc->tdrefcount = -1;
	return desc;
}

void
FreeTupleDesc(TupleDesc tupdesc)
{
	pfree(tupdesc);
}

void
TupleDescInitEntry(TupleDesc desc, AttrNumber attributeNumber,
				   const char *attributeName, Oid oidtypeid, int32 typmod,
				   int attdim)
{
	Form_pg_attribute att;
	int16		len;
	bool		byval;
	char		align;

	if (attributeNumber < 1 || attributeNumber > desc->natts)
		elog(ERROR, "invalid attribute number %d", attributeNumber);
	att = TupleDescAttr(desc, attributeNumber - 1);
	memset(att, 0, sizeof(*att));
	if (attributeName)
		strlcpy(NameStr(att->attname), attributeName, NAMEDATALEN);
	att->atttypid = oidtypeid;
	att->attnum = attributeNumber;
	att->atttypmod = typmod;
	att->attndims = attdim;
	if (bgw_type_layout(oidtypeid, &len, &byval, &align))
	{
		att->attlen = len;
		att->attbyval = byval;
		att->attalign = align;
	}
	else
	{
		/* arrays and anything else: a varlena */
		att->attlen = -1;
		att->attbyval = false;
		att->attalign = 'i';
	}
}

TupleDesc
BlessTupleDesc(TupleDesc tupdesc)
{
	if (tupdesc->tdtypeid == RECORDOID && tupdesc->tdtypmod < 0)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		blessed = blessed ? repalloc(blessed, sizeof(TupleDesc) * (nblessed + 1)) :
			palloc(sizeof(TupleDesc));
		blessed[nblessed] = CreateTupleDescCopy(tupdesc);
		tupdesc->tdtypmod = nblessed;
		blessed[nblessed]->tdtypmod = nblessed;
		nblessed++;
		MemoryContextSwitchTo(old);
	}
	return tupdesc;
}

static Size
value_size(Form_pg_attribute att, Datum d)
{
	if (att->attlen > 0)
		return att->attlen;
	if (att->attlen == -1)
		return VARSIZE_ANY(DatumGetPointer(d));
	return strlen(DatumGetCString(d)) + 1;
}

HeapTuple
heap_form_tuple(TupleDesc tupleDescriptor, const Datum *values,
				const bool *isnull)
{
	int			natts = tupleDescriptor->natts;
	Size		len = MAXALIGN(sizeof(HeapTupleHeaderData)) + MAXALIGN(natts) +
		natts * sizeof(Datum);
	HeapTuple	tuple;
	HeapTupleHeader h;
	char	   *data;

	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupleDescriptor, i);

		if (!isnull[i] && !att->attbyval)
			len += MAXALIGN(value_size(att, values[i]));
	}
	tuple = palloc0(HEAPTUPLESIZE + len);
	h = (HeapTupleHeader) ((char *) tuple + HEAPTUPLESIZE);
	tuple->t_len = len;
	tuple->t_tableOid = InvalidOid;
	tuple->t_data = h;
	SET_VARSIZE(h, len);
	h->natts = natts;
	h->typid = tupleDescriptor->tdtypeid;
	h->typmod = tupleDescriptor->tdtypmod;

	data = (char *) (ROW_VALUES(h) + natts);
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupleDescriptor, i);

		ROW_NULLS(h)[i] = isnull[i];
		if (isnull[i])
			continue;
		if (att->attbyval)
			ROW_VALUES(h)[i] = values[i];
		else
		{
			Size		sz = value_size(att, values[i]);

			memcpy(data, DatumGetPointer(values[i]), sz);
			ROW_VALUES(h)[i] = (Datum) (data - (char *) h);
			data += MAXALIGN(sz);
		}
	}
	return tuple;
}

void
heap_deform_tuple(HeapTuple tuple, TupleDesc tupleDesc, Datum *values,
				  bool *isnull)
{
	HeapTupleHeader h = tuple->t_data;

	if (bgw_is_spi_row(tuple))
	{
		/* a row of an SPI result: each column through heap_getattr */
		for (int i = 0; i < tupleDesc->natts; i++)
			values[i] = heap_getattr(tuple, i + 1, tupleDesc, &isnull[i]);
		return;
	}
	for (int i = 0; i < tupleDesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupleDesc, i);

		if (i >= h->natts || ROW_NULLS(h)[i])
		{
			values[i] = (Datum) 0;
			isnull[i] = true;
			continue;
		}
		isnull[i] = false;
		values[i] = att->attbyval ? ROW_VALUES(h)[i] :
			PointerGetDatum((char *) h + ROW_VALUES(h)[i]);
	}
}

/*
 * A copy of a row heap_form_tuple built; heap_copytuple (cshim/dbconn,
 * which also copies SPI rows) calls it.
 */
HeapTuple
bgw_formed_tuple_copy(HeapTuple tuple)
{
	HeapTuple	copy;

	if (tuple == NULL || tuple->t_data == NULL)
		return NULL;
	copy = palloc(HEAPTUPLESIZE + tuple->t_len);
	copy->t_len = tuple->t_len;
	copy->t_tableOid = tuple->t_tableOid;
	copy->t_data = (HeapTupleHeader) ((char *) copy + HEAPTUPLESIZE);
	memcpy(copy->t_data, tuple->t_data, tuple->t_len);
	return copy;
}

Datum
HeapTupleHeaderGetDatum(HeapTupleHeader tuple)
{
	return PointerGetDatum(tuple);
}

AttInMetadata *
TupleDescGetAttInMetadata(TupleDesc tupdesc)
{
	AttInMetadata *m = palloc0(sizeof(AttInMetadata));

	m->tupdesc = CreateTupleDescCopy(tupdesc);
	m->tupdesc->tdtypmod = tupdesc->tdtypmod;
	return m;
}

/* A row from one string per column (NULL: SQL NULL), by the types' input. */
HeapTuple
BuildTupleFromCStrings(AttInMetadata *attinmeta, char **values)
{
	TupleDesc	desc = attinmeta->tupdesc;
	Datum	   *dvalues = palloc(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	HeapTuple	tuple;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const BgwTypeInfo *t = bgw_type_by_oid(att->atttypid);

		nulls[i] = (values[i] == NULL);
		dvalues[i] = (Datum) 0;
		if (nulls[i])
			continue;
		if (t == NULL)
			elog(ERROR, "cannot read a value of type %u", att->atttypid);
		dvalues[i] = bgw_type_input(t, values[i]);
	}
	tuple = heap_form_tuple(desc, dvalues, nulls);
	pfree(dvalues);
	pfree(nulls);
	return tuple;
}

/*
 * The result type of the call: what the extension script declared
 * (RETURNS type, RETURNS record with OUT parameters, RETURNS TABLE).
 */
TypeFuncClass
get_call_result_type(FunctionCallInfo fcinfo, Oid *resultTypeId,
					 TupleDesc *resultTupleDesc)
{
	if (resultTypeId)
		*resultTypeId = call_result_type;
	if (resultTupleDesc)
		*resultTupleDesc = NULL;
	if (call_result_type == RECORDOID)
	{
		if (call_result_desc == NULL)
			return TYPEFUNC_RECORD;
		if (resultTupleDesc)
			*resultTupleDesc = CreateTupleDescCopy(call_result_desc);
		return TYPEFUNC_COMPOSITE;
	}
	if (call_result_type == VOIDOID || call_result_type == InvalidOid)
		return TYPEFUNC_OTHER;
	return TYPEFUNC_SCALAR;
}

FuncCallContext *
init_MultiFuncCall(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	FuncCallContext *funcctx;
	MemoryContext multi;

	if (rsi == NULL || !IsA(rsi, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (fcinfo->flinfo->fn_extra != NULL)
		elog(ERROR, "init_MultiFuncCall cannot be called more than once");
	multi = AllocSetContextCreate((MemoryContext) fcinfo->flinfo->fn_mcxt,
								  "SRF multi-call context",
								  ALLOCSET_SMALL_SIZES);
	funcctx = MemoryContextAllocZero(multi, sizeof(FuncCallContext));
	funcctx->multi_call_memory_ctx = multi;
	fcinfo->flinfo->fn_extra = funcctx;
	return funcctx;
}

FuncCallContext *
per_MultiFuncCall(PG_FUNCTION_ARGS)
{
	return (FuncCallContext *) fcinfo->flinfo->fn_extra;
}

void
end_MultiFuncCall(PG_FUNCTION_ARGS, FuncCallContext *funcctx)
{
	fcinfo->flinfo->fn_extra = NULL;
	MemoryContextDelete(funcctx->multi_call_memory_ctx);
}

/*
 * Materialize mode for the function being called: the caller must accept
 * it (a ReturnSetInfo allowing SFRM_Materialize, and an expectedDesc if
 * the function asks for it); the store and the descriptor are made in the
 * call's per-query context so that they outlive the function's return.
 */
void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if ((rsinfo->allowedModes & SFRM_Materialize) == 0 ||
		((flags & MAT_SRF_USE_EXPECTED_DESC) != 0 && rsinfo->expectedDesc == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if ((flags & MAT_SRF_USE_EXPECTED_DESC) != 0)
		desc = CreateTupleDescCopy(rsinfo->expectedDesc);
	else if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if ((flags & MAT_SRF_BLESS) != 0)
		BlessTupleDesc(desc);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
											  false, work_mem);
	rsinfo->setDesc = desc;
	MemoryContextSwitchTo(old);
}

void
SetSingleFuncCall(FunctionCallInfo fcinfo, bits32 flags)
{
	InitMaterializedSRF(fcinfo, flags);
}

/* record_out's quoting of one column. */
static void
append_record_field(StringInfo out, const char *v)
{
	bool		quote = (*v == '\0');

	for (const char *c = v; *c && !quote; c++)
		if (*c == '"' || *c == '\\' || *c == '(' || *c == ')' || *c == ',' ||
			isspace((unsigned char) *c))
			quote = true;
	if (!quote)
	{
		appendStringInfoString(out, v);
		return;
	}
	appendStringInfoChar(out, '"');
	for (const char *c = v; *c; c++)
	{
		if (*c == '"' || *c == '\\')
			appendStringInfoChar(out, *c);
		appendStringInfoChar(out, *c);
	}
	appendStringInfoChar(out, '"');
}

/*
 * A record Datum in PostgreSQL's text form, "(1,abc,)".  desc is the
 * call's declared descriptor, or NULL to use the row's blessed one.
 */
char *
bgw_record_output(TupleDesc desc, Datum d)
{
	HeapTupleHeader h = (HeapTupleHeader) DatumGetPointer(d);
	HeapTupleData tuple;
	Datum	   *values;
	bool	   *nulls;
	StringInfoData out;

	if (h->typmod >= 0 && h->typmod < nblessed)
		desc = blessed[h->typmod];
	if (desc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("record type has not been registered"),
				 errhint("Call BlessTupleDesc() on the descriptor of the rows.")));
	memset(&tuple, 0, sizeof(tuple));
	tuple.t_len = VARSIZE(h);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = h;
	values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	heap_deform_tuple(&tuple, desc, values, nulls);
	initStringInfo(&out);
	appendStringInfoChar(&out, '(');
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const BgwTypeInfo *t;

		if (i > 0)
			appendStringInfoChar(&out, ',');
		if (nulls[i])
			continue;
		t = bgw_type_by_oid(att->atttypid);
		if (t == NULL)
			elog(ERROR, "cannot display a value of type %u", att->atttypid);
		append_record_field(&out, bgw_type_output(t, values[i]));
	}
	appendStringInfoChar(&out, ')');
	return out.data;
}
