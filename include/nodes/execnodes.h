/*-------------------------------------------------------------------------
 *
 * execnodes.h
 *	  bgworker's subset of PostgreSQL's nodes/execnodes.h: ReturnSetInfo,
 *	  how a set-returning function and its caller talk, and the two memory
 *	  contexts of ExprContext such functions use.  A session offers both
 *	  protocols, as PostgreSQL does for "SELECT f(...)": value per call
 *	  (funcapi.h's SRF_* macros) and materialize (a tuplestore in
 *	  setResult; InitMaterializedSRF).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EXECNODES_H
#define EXECNODES_H

#include "access/tupdesc.h"
#include "nodes/nodes.h"

typedef enum ExprDoneCond
{
	ExprSingleResult,			/* expression does not return a set */
	ExprMultipleResult,			/* this result is an element of a set */
	ExprEndResult,				/* there are no more elements in the set */
} ExprDoneCond;

typedef enum SetFunctionReturnMode
{
	SFRM_ValuePerCall = 0x01,	/* one value returned per call */
	SFRM_Materialize = 0x02,	/* result set instantiated in Tuplestore */
	SFRM_Materialize_Random = 0x04, /* Tuplestore needs randomAccess */
	SFRM_Materialize_Preferred = 0x08,	/* caller prefers Tuplestore */
} SetFunctionReturnMode;

struct Tuplestorestate;

/*
 * The context a function is called in.  Only the memory contexts are
 * there: ecxt_per_query_memory lives until the call ends (a materialize
 * mode function makes its tuplestore there), ecxt_per_tuple_memory is
 * current while the function runs and is reset after each row.
 */
typedef struct ExprContext
{
	NodeTag		type;
	MemoryContext ecxt_per_query_memory;
	MemoryContext ecxt_per_tuple_memory;
} ExprContext;

typedef struct ReturnSetInfo
{
	NodeTag		type;
	ExprContext *econtext;		/* the call's contexts */
	TupleDesc	expectedDesc;	/* the result's columns, or NULL */
	int			allowedModes;	/* bitmask of SetFunctionReturnMode */
	SetFunctionReturnMode returnMode;	/* set by the function */
	ExprDoneCond isDone;		/* set by the function (value per call) */
	struct Tuplestorestate *setResult;	/* materialize: the rows */
	TupleDesc	setDesc;		/* materialize: their columns */
} ReturnSetInfo;

#endif							/* EXECNODES_H */
