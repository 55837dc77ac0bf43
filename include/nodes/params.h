/*-------------------------------------------------------------------------
 *
 * params.h
 *	  Query parameters with PostgreSQL 17's names (ParamListInfo), for
 *	  SPI_execute_extended and SPI_execute_plan_extended.  Only the
 *	  parameter values are used: each one goes to the server as a $n
 *	  parameter of its type; hooks are not called.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PARAMS_H
#define PARAMS_H

#define PARAM_FLAG_CONST	0x0001	/* parameter is constant */

typedef struct ParamExternData
{
	Datum		value;			/* parameter value */
	bool		isnull;			/* is it NULL? */
	uint16		pflags;			/* flag bits, see above */
	Oid			ptype;			/* parameter's datatype, or 0 */
} ParamExternData;

typedef struct ParamListInfoData *ParamListInfo;

typedef struct ParamListInfoData
{
	void	   *paramFetch;		/* not called here */
	void	   *paramFetchArg;
	void	   *paramCompile;	/* not called here */
	void	   *paramCompileArg;
	void	   *parserSetup;	/* not called here */
	void	   *parserSetupArg;
	char	   *paramValuesStr; /* unused here */
	int			numParams;		/* nominal/maximum # of Params represented */
	ParamExternData params[FLEXIBLE_ARRAY_MEMBER];
} ParamListInfoData;

/* A ParamListInfo for numParams parameters, zeroed, in the current context. */
extern ParamListInfo makeParamList(int numParams);

#endif							/* PARAMS_H */
