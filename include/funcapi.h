/*-------------------------------------------------------------------------
 *
 * funcapi.h
 *	  Functions returning records and sets (PostgreSQL's funcapi.h): the
 *	  result type of the call (get_call_result_type), rows from Datums or
 *	  strings, the value-per-call protocol (SRF_FIRSTCALL_INIT,
 *	  SRF_RETURN_NEXT, SRF_RETURN_DONE) and materialize mode
 *	  (InitMaterializedSRF, then tuplestore_putvalues into
 *	  rsinfo->setResult).  A session runs such a function as PostgreSQL
 *	  runs "SELECT f(...)".  Implemented in cshim/adt.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUNCAPI_H
#define FUNCAPI_H

#include "access/htup.h"
#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/tuplestore.h"

typedef struct AttInMetadata
{
	TupleDesc	tupdesc;		/* the columns */
	void	   *attinfuncs;		/* unused here */
	Oid		   *attioparams;	/* unused here */
	int32	   *atttypmods;		/* unused here */
} AttInMetadata;

typedef struct FuncCallContext
{
	uint64		call_cntr;		/* calls made so far (rows returned) */
	uint64		max_calls;		/* optional: rows to return */
	void	   *user_fctx;		/* the function's state across calls */
	AttInMetadata *attinmeta;	/* optional, for BuildTupleFromCStrings */
	MemoryContext multi_call_memory_ctx;	/* lives across the calls */
	TupleDesc	tuple_desc;		/* optional: the rows' descriptor */
} FuncCallContext;

typedef enum TypeFuncClass
{
	TYPEFUNC_SCALAR,			/* scalar result type */
	TYPEFUNC_COMPOSITE,			/* determinable rowtype result */
	TYPEFUNC_COMPOSITE_DOMAIN,	/* domain over determinable rowtype result */
	TYPEFUNC_RECORD,			/* indeterminate rowtype result */
	TYPEFUNC_OTHER,				/* bogus type, eg pseudotype */
} TypeFuncClass;

extern TypeFuncClass get_call_result_type(FunctionCallInfo fcinfo,
										  Oid *resultTypeId,
										  TupleDesc *resultTupleDesc);
extern TupleDesc BlessTupleDesc(TupleDesc tupdesc);
extern AttInMetadata *TupleDescGetAttInMetadata(TupleDesc tupdesc);
extern HeapTuple BuildTupleFromCStrings(AttInMetadata *attinmeta, char **values);
extern Datum HeapTupleHeaderGetDatum(HeapTupleHeader tuple);

#define HeapTupleGetDatum(tuple)		HeapTupleHeaderGetDatum((tuple)->t_data)

extern FuncCallContext *init_MultiFuncCall(PG_FUNCTION_ARGS);
extern FuncCallContext *per_MultiFuncCall(PG_FUNCTION_ARGS);
extern void end_MultiFuncCall(PG_FUNCTION_ARGS, FuncCallContext *funcctx);

#define SRF_IS_FIRSTCALL() (fcinfo->flinfo->fn_extra == NULL)
#define SRF_FIRSTCALL_INIT() init_MultiFuncCall(fcinfo)
#define SRF_PERCALL_SETUP() per_MultiFuncCall(fcinfo)
#define SRF_RETURN_NEXT(_funcctx, _result) \
	do { \
		ReturnSetInfo *rsi; \
		(_funcctx)->call_cntr++; \
		rsi = (ReturnSetInfo *) fcinfo->resultinfo; \
		rsi->isDone = ExprMultipleResult; \
		PG_RETURN_DATUM(_result); \
	} while (0)
#define SRF_RETURN_NEXT_NULL(_funcctx) \
	do { \
		ReturnSetInfo *rsi; \
		(_funcctx)->call_cntr++; \
		rsi = (ReturnSetInfo *) fcinfo->resultinfo; \
		rsi->isDone = ExprMultipleResult; \
		PG_RETURN_NULL(); \
	} while (0)
#define SRF_RETURN_DONE(_funcctx) \
	do { \
		ReturnSetInfo *rsi; \
		end_MultiFuncCall(fcinfo, _funcctx); \
		rsi = (ReturnSetInfo *) fcinfo->resultinfo; \
		rsi->isDone = ExprEndResult; \
		PG_RETURN_NULL(); \
	} while (0)

/*
 * Materialize mode in one call: checks that the caller accepts it, then
 * sets rsinfo->returnMode, a tuplestore in rsinfo->setResult and its
 * descriptor in rsinfo->setDesc (the declared row type, or the caller's
 * expectedDesc with MAT_SRF_USE_EXPECTED_DESC; blessed with MAT_SRF_BLESS).
 */
#define MAT_SRF_USE_EXPECTED_DESC	0x01
#define MAT_SRF_BLESS				0x02
extern void InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags);

/* PostgreSQL 15's names for the same */
#define SRF_SINGLE_USE_EXPECTED MAT_SRF_USE_EXPECTED_DESC
#define SRF_SINGLE_BLESS		MAT_SRF_BLESS
extern void SetSingleFuncCall(FunctionCallInfo fcinfo, bits32 flags);

#endif							/* FUNCAPI_H */
