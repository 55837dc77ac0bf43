/*-------------------------------------------------------------------------
 *
 * fmgr.c
 *	  DirectFunctionCall1Coll .. 3Coll: calling a V1 (PG_FUNCTION_ARGS)
 *	  function from C without a catalog lookup, for modules that call
 *	  their own SQL-callable functions, or PostgreSQL-style helpers, from a
 *	  worker.  Worker child (or supervisor during _PG_init); not
 *	  async-signal-safe (may raise ERROR).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

/* Shared body: fill a call frame with n arguments, call, refuse NULL. */
static Datum
direct_call(PGFunction func, Oid collation, int nargs, const Datum *args)
{
	LOCAL_FCINFO(fcinfo, 3);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, nargs, collation, NULL, NULL);
	for (int i = 0; i < nargs; i++)
	{
		fcinfo->args[i].value = args[i];
		fcinfo->args[i].isnull = false;
	}
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function %p returned NULL", (void *) func);
	return result;
}

Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	Datum		args[1] = {arg1};

	return direct_call(func, collation, 1, args);
}

Datum
DirectFunctionCall2Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2)
{
	Datum		args[2] = {arg1, arg2};

	return direct_call(func, collation, 2, args);
}

Datum
DirectFunctionCall3Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2,
						Datum arg3)
{
	Datum		args[3] = {arg1, arg2, arg3};

	return direct_call(func, collation, 3, args);
}
