/*-------------------------------------------------------------------------
 *
 * execnodes.h
 *	  bgworker's subset of PostgreSQL's nodes/execnodes.h: ReturnSetInfo,
 *	  how a set-returning function and its caller talk.  A session offers
 *	  the value-per-call protocol (funcapi.h's SRF_* macros).
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

struct ExprContext;
struct Tuplestorestate;

typedef struct ReturnSetInfo
{
	NodeTag		type;
	struct ExprContext *econtext;	/* always NULL */
	TupleDesc	expectedDesc;	/* the result's columns, or NULL */
	int			allowedModes;	/* bitmask: SFRM_ValuePerCall */
	SetFunctionReturnMode returnMode;	/* set by the function */
	ExprDoneCond isDone;		/* set by the function */
	struct Tuplestorestate *setResult;	/* never used */
	TupleDesc	setDesc;		/* never used */
} ReturnSetInfo;

#endif							/* EXECNODES_H */
