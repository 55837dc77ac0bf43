/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The Server Programming Interface (executor/spi.h) over the worker's
 *	  database connection.
 *
 *	  A statement goes to the server (session.c) in the current
 *	  transaction; its rows come back as an SPITupleTable in a memory
 *	  context of its own under the SPI connection, freed by
 *	  SPI_freetuptable or SPI_finish, as in PostgreSQL.  The return code
 *	  comes from the server's command tag (SELECT, INSERT/UPDATE/DELETE/
 *	  MERGE with or without RETURNING, FETCH, anything else is a utility
 *	  statement).  Memory: SPI_connect makes the connection's procedure
 *	  context current, SPI_finish restores the caller's; SPI_palloc
 *	  allocates in the caller's.
 *
 *	  Plans are server prepared statements, parsed with their first
 *	  execution (in the same round trip) and again after a reconnection.
 *	  Cursors are server cursors (DECLARE, FETCH, MOVE, CLOSE).
 *
 *	  Worker child only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "dbconn_int.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

uint64		SPI_processed = 0;
SPITupleTable *SPI_tuptable = NULL;
int			SPI_result = 0;

/* One SPI_connect level. */
typedef struct SpiConnection
{
	MemoryContext procCxt;		/* current between SPI_connect and SPI_finish */
	MemoryContext execCxt;		/* parameters of one execution */
	MemoryContext savedcxt;		/* the caller's, for SPI_palloc */
	bool		atomic;			/* false with SPI_OPT_NONATOMIC */
	SPITupleTable *tuptables;	/* tables made at this level */
	uint64		outer_processed;	/* the caller's values, restored by SPI_finish */
	SPITupleTable *outer_tuptable;
	int			outer_result;
} SpiConnection;

#define SPI_MAX_DEPTH 64
static SpiConnection spi_stack[SPI_MAX_DEPTH];
static int	spi_depth = 0;
static bool spi_in_internal_xact = false;	/* SPI_commit/SPI_rollback */

#define SPI_PLAN_MAGIC 569278163

struct _SPI_plan
{
	int			magic;
	MemoryContext plancxt;		/* holds the plan */
	char	   *query;
	int			nargs;
	Oid		   *argtypes;
	int			cursor_options;
	bool		saved;			/* SPI_keepplan'd */
	BgwPrepared prepared;		/* the server prepared statement */
};

static uint32 portal_counter = 0;

/* Open cursors of the current transaction (their memory is the transaction's). */
typedef struct SpiCursor
{
	PortalData	portal;
	struct SpiCursor *next;
} SpiCursor;

static SpiCursor *cursors = NULL;

static SpiConnection *
current(void)
{
	return spi_depth > 0 ? &spi_stack[spi_depth - 1] : NULL;
}

/* ---- connecting ---- */

int
SPI_connect(void)
{
	return SPI_connect_ext(0);
}

int
SPI_connect_ext(int options)
{
	SpiConnection *c;
	MemoryContext parent;

	if (spi_depth >= SPI_MAX_DEPTH)
		elog(ERROR, "SPI stack corrupted");
	c = &spi_stack[spi_depth++];
	memset(c, 0, sizeof(*c));
	c->atomic = (options & SPI_OPT_NONATOMIC) == 0;
	/* a non-atomic connection outlives the transactions it commits */
	parent = (c->atomic && TopTransactionContext != NULL) ? TopTransactionContext : TopMemoryContext;
	c->procCxt = AllocSetContextCreate(parent, "SPI Proc", ALLOCSET_DEFAULT_SIZES);
	c->execCxt = AllocSetContextCreate(c->procCxt, "SPI Exec", ALLOCSET_DEFAULT_SIZES);
	c->outer_processed = SPI_processed;
	c->outer_tuptable = SPI_tuptable;
	c->outer_result = SPI_result;
	SPI_processed = 0;
	SPI_tuptable = NULL;
	SPI_result = 0;
	c->savedcxt = MemoryContextSwitchTo(c->procCxt);
	return SPI_OK_CONNECT;
}

int
SPI_finish(void)
{
	SpiConnection *c = current();

	if (c == NULL)
		return SPI_ERROR_UNCONNECTED;
	MemoryContextSwitchTo(c->savedcxt);
	MemoryContextDelete(c->procCxt);
	SPI_processed = c->outer_processed;
	SPI_tuptable = c->outer_tuptable;
	SPI_result = c->outer_result;
	spi_depth--;
	return SPI_OK_FINISH;
}

/*
 * At the end of a transaction, as PostgreSQL's AtEOXact_SPI: a commit
 * that leaves SPI connections open warns, and the stack is emptied
 * (except by SPI_commit/SPI_rollback of a non-atomic connection).
 */
void
bgw_spi_at_xact_end(bool commit)
{
	cursors = NULL;				/* their memory goes with the transaction */
	if (spi_in_internal_xact || spi_depth == 0)
		return;
	if (commit)
		ereport(WARNING,
				errcode(ERRCODE_WARNING),
				errmsg("transaction left non-empty SPI stack"),
				errhint("Check for missing \"SPI_finish\" calls."));
	while (spi_depth > 0)
	{
		SpiConnection *c = &spi_stack[--spi_depth];

		if (!c->atomic)
			MemoryContextDelete(c->procCxt);
	}
	SPI_processed = 0;
	SPI_tuptable = NULL;
	SPI_result = 0;
}

/* ---- executing ---- */

/* The command tag's code, as PostgreSQL's SPI reports it. */
static int
result_code(PGresult *res)
{
	const char *tag = bgw_pq.PQcmdStatus(res);
	bool		tuples = bgw_pq.PQresultStatus(res) == PGRES_TUPLES_OK;

	if (strncmp(tag, "SELECT", 6) == 0)
		return tuples ? SPI_OK_SELECT : SPI_OK_SELINTO;
	if (strncmp(tag, "INSERT", 6) == 0)
		return tuples ? SPI_OK_INSERT_RETURNING : SPI_OK_INSERT;
	if (strncmp(tag, "UPDATE", 6) == 0)
		return tuples ? SPI_OK_UPDATE_RETURNING : SPI_OK_UPDATE;
	if (strncmp(tag, "DELETE", 6) == 0)
		return tuples ? SPI_OK_DELETE_RETURNING : SPI_OK_DELETE;
	if (strncmp(tag, "MERGE", 5) == 0)
		return tuples ? SPI_OK_MERGE_RETURNING : SPI_OK_MERGE;
	if (strncmp(tag, "FETCH", 5) == 0)
		return SPI_OK_FETCH;
	return SPI_OK_UTILITY;
}

/*
 * Turn a result into SPI_tuptable / SPI_processed (at most tcount rows,
 * 0 for all) and return its code.  The result is cleared.
 */
static int
take_result(SpiConnection *c, PGresult *res, uint64 tcount)
{
	int			code = result_code(res);

	SPI_tuptable = NULL;
	if (bgw_pq.PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		uint64		n = bgw_pq.PQntuples(res);
		MemoryContext cxt,
					old;
		SPITupleTable *tt;

		if (tcount > 0 && n > tcount)
			n = tcount;
		cxt = AllocSetContextCreate(c->procCxt, "SPI TupTable", ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(cxt);
		tt = palloc0(sizeof(SPITupleTable));
		tt->tuptabcxt = cxt;
		tt->tupdesc = bgw_tupdesc_from_result(res);
		tt->alloced = Max(n, 1);
		tt->vals = palloc(tt->alloced * sizeof(HeapTuple));
		for (uint64 i = 0; i < n; i++)
			tt->vals[i] = bgw_tuple_from_result(res, (int) i);
		tt->numvals = n;
		tt->next = c->tuptables;
		c->tuptables = tt;
		MemoryContextSwitchTo(old);
		SPI_tuptable = tt;
		SPI_processed = n;
	}
	else
	{
		const char *n = bgw_pq.PQcmdTuples(res);

		SPI_processed = (n && *n) ? strtoull(n, NULL, 10) : 0;
	}
	bgw_pq.PQclear(res);
	SPI_result = 0;
	return code;
}

/* Parameters in the server's text form, in the execution context. */
static const char **
params_text(int nargs, const Oid *argtypes, const Datum *values, const char *nulls)
{
	const char **text = palloc(Max(nargs, 1) * sizeof(char *));

	for (int i = 0; i < nargs; i++)
	{
		if (nulls != NULL && nulls[i] == 'n')
			text[i] = NULL;
		else
			text[i] = bgw_datum_to_text(values[i], argtypes[i]);
	}
	return text;
}

/*
 * Run sql (or plan) with these parameters in the current transaction:
 * the common part of every SPI_execute* function.
 */
static int
execute(const char *sql, SPIPlanPtr plan, int nargs, const Oid *argtypes,
		const Datum *values, const char *nulls, uint64 tcount,
		bool must_return_tuples)
{
	SpiConnection *c = current();
	BgwStatement st = {0};
	MemoryContext old;
	PGresult   *res;
	int			code;

	if (c == NULL)
		return SPI_ERROR_UNCONNECTED;
	bgw_db_require_connection("SPI");
	if (!IsTransactionState())
		ereport(ERROR,
				errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				errmsg("cannot execute SQL without a transaction"),
				errhint("Call StartTransactionCommand() before SPI_execute()."));

	old = MemoryContextSwitchTo(c->execCxt);
	st.sql = plan ? plan->query : sql;
	st.nparams = nargs;
	st.paramtypes = argtypes;
	st.paramvalues = nargs > 0 ? params_text(nargs, argtypes, values, nulls) : NULL;
	st.in_transaction = true;
	if (plan != NULL)
		st.prepared = &plan->prepared;
	MemoryContextSwitchTo(old);

	res = bgw_db_run(&st);
	MemoryContextReset(c->execCxt);
	if (must_return_tuples && bgw_pq.PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		char	   *tag = pstrdup(bgw_pq.PQcmdStatus(res));

		bgw_pq.PQclear(res);
		ereport(ERROR,
				errcode(ERRCODE_SYNTAX_ERROR),
				errmsg("%s query does not return tuples", tag));
	}
	code = take_result(c, res, tcount);
	return code;
}

int
SPI_execute(const char *src, bool read_only, long tcount)
{
	if (src == NULL || tcount < 0)
		return SPI_ERROR_ARGUMENT;
	return execute(src, NULL, 0, NULL, NULL, NULL, tcount, false);
}

int
SPI_exec(const char *src, long tcount)
{
	return SPI_execute(src, false, tcount);
}

int
SPI_execute_with_args(const char *src, int nargs, Oid *argtypes,
					  Datum *Values, const char *Nulls, bool read_only,
					  long tcount)
{
	if (src == NULL || nargs < 0 || tcount < 0)
		return SPI_ERROR_ARGUMENT;
	if (nargs > 0 && (argtypes == NULL || Values == NULL))
		return SPI_ERROR_PARAM;
	return execute(src, NULL, nargs, argtypes, Values, Nulls, tcount, false);
}

/* The values of a ParamListInfo, as execute() takes them. */
static int
execute_paramlist(const char *src, SPIPlanPtr plan, ParamListInfo params,
				  uint64 tcount, bool must_return_tuples)
{
	int			n = params ? params->numParams : 0;
	Oid		   *types = palloc(Max(n, 1) * sizeof(Oid));
	Datum	   *values = palloc(Max(n, 1) * sizeof(Datum));
	char	   *nulls = palloc(Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		types[i] = params->params[i].ptype;
		if (plan != NULL && i < plan->nargs && OidIsValid(plan->argtypes[i]))
			types[i] = plan->argtypes[i];
		values[i] = params->params[i].value;
		nulls[i] = params->params[i].isnull ? 'n' : ' ';
	}
	return execute(src, plan, n, types, values, nulls, tcount, must_return_tuples);
}

int
SPI_execute_extended(const char *src, const SPIExecuteOptions *options)
{
	if (src == NULL || options == NULL)
		return SPI_ERROR_ARGUMENT;
	if (options->dest != NULL)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("SPI_execute_extended with a DestReceiver is not supported by bgworker"));
	return execute_paramlist(src, NULL, options->params, options->tcount,
							 options->must_return_tuples);
}

/* ---- plans ---- */

static bool
plan_ok(SPIPlanPtr plan)
{
	return plan != NULL && plan->magic == SPI_PLAN_MAGIC;
}

SPIPlanPtr
SPI_prepare_cursor(const char *src, int nargs, Oid *argtypes, int cursorOptions)
{
	SpiConnection *c = current();
	MemoryContext cxt,
				old;
	SPIPlanPtr	plan;

	if (c == NULL)
	{
		SPI_result = SPI_ERROR_UNCONNECTED;
		return NULL;
	}
	if (src == NULL || nargs < 0 || (nargs > 0 && argtypes == NULL))
	{
		SPI_result = SPI_ERROR_ARGUMENT;
		return NULL;
	}
	cxt = AllocSetContextCreate(c->procCxt, "SPI Plan", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	plan = palloc0(sizeof(struct _SPI_plan));
	plan->magic = SPI_PLAN_MAGIC;
	plan->plancxt = cxt;
	plan->query = pstrdup(src);
	plan->nargs = nargs;
	plan->argtypes = palloc(Max(nargs, 1) * sizeof(Oid));
	if (nargs > 0)
		memcpy(plan->argtypes, argtypes, nargs * sizeof(Oid));
	plan->cursor_options = cursorOptions;
	bgw_prepared_init(&plan->prepared);
	MemoryContextSwitchTo(old);
	SPI_result = 0;
	return plan;
}

SPIPlanPtr
SPI_prepare(const char *src, int nargs, Oid *argtypes)
{
	return SPI_prepare_cursor(src, nargs, argtypes, 0);
}

SPIPlanPtr
SPI_prepare_extended(const char *src, const SPIPrepareOptions *options)
{
	if (options != NULL && options->parserSetup != NULL)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("SPI_prepare_extended with a parser set-up hook is not supported by bgworker"));
	return SPI_prepare_cursor(src, 0, NULL, options ? options->cursorOptions : 0);
}

int
SPI_keepplan(SPIPlanPtr plan)
{
	if (!plan_ok(plan) || plan->saved)
		return SPI_ERROR_ARGUMENT;
	MemoryContextSetParent(plan->plancxt, TopMemoryContext);
	plan->saved = true;
	return 0;
}

SPIPlanPtr
SPI_saveplan(SPIPlanPtr plan)
{
	SPIPlanPtr	copy;
	MemoryContext cxt,
				old;

	if (!plan_ok(plan))
	{
		SPI_result = SPI_ERROR_ARGUMENT;
		return NULL;
	}
	cxt = AllocSetContextCreate(TopMemoryContext, "SPI Plan", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	copy = palloc0(sizeof(struct _SPI_plan));
	*copy = *plan;
	copy->plancxt = cxt;
	copy->query = pstrdup(plan->query);
	copy->argtypes = palloc(Max(plan->nargs, 1) * sizeof(Oid));
	memcpy(copy->argtypes, plan->argtypes, plan->nargs * sizeof(Oid));
	copy->saved = true;
	bgw_prepared_init(&copy->prepared);
	MemoryContextSwitchTo(old);
	SPI_result = 0;
	return copy;
}

int
SPI_freeplan(SPIPlanPtr plan)
{
	if (!plan_ok(plan))
		return SPI_ERROR_ARGUMENT;
	/* the server statement goes when the session is in a state to drop it */
	if (plan->prepared.generation == bgw_db_generation &&
		bgw_db_conn != NULL && bgw_pq.PQtransactionStatus(bgw_db_conn) != PQTRANS_INERROR)
	{
		char		sql[64];

		snprintf(sql, sizeof(sql), "DEALLOCATE %s", plan->prepared.name);
		PG_TRY();
		{
			BgwStatement st = {0};

			st.sql = sql;
			st.in_transaction = false;
			bgw_pq.PQclear(bgw_db_run(&st));
		}
		PG_CATCH();
		{
			FlushErrorState();
		}
		PG_END_TRY();
	}
	plan->magic = 0;
	MemoryContextDelete(plan->plancxt);
	return 0;
}

int
SPI_execute_plan(SPIPlanPtr plan, Datum *Values, const char *Nulls,
				 bool read_only, long tcount)
{
	if (!plan_ok(plan) || tcount < 0)
		return SPI_ERROR_ARGUMENT;
	if (plan->nargs > 0 && Values == NULL)
		return SPI_ERROR_PARAM;
	return execute(NULL, plan, plan->nargs, plan->argtypes, Values, Nulls, tcount, false);
}

int
SPI_execp(SPIPlanPtr plan, Datum *Values, const char *Nulls, long tcount)
{
	return SPI_execute_plan(plan, Values, Nulls, false, tcount);
}

int
SPI_execute_plan_extended(SPIPlanPtr plan, const SPIExecuteOptions *options)
{
	if (!plan_ok(plan) || options == NULL)
		return SPI_ERROR_ARGUMENT;
	if (options->dest != NULL)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("SPI_execute_plan_extended with a DestReceiver is not supported by bgworker"));
	return execute_paramlist(NULL, plan, options->params, options->tcount,
							 options->must_return_tuples);
}

int
SPI_execute_plan_with_paramlist(SPIPlanPtr plan, ParamListInfo params,
								bool read_only, long tcount)
{
	if (!plan_ok(plan) || tcount < 0)
		return SPI_ERROR_ARGUMENT;
	return execute_paramlist(NULL, plan, params, tcount, false);
}

Oid
SPI_getargtypeid(SPIPlanPtr plan, int argIndex)
{
	if (!plan_ok(plan) || argIndex < 0 || argIndex >= plan->nargs)
	{
		SPI_result = SPI_ERROR_ARGUMENT;
		return InvalidOid;
	}
	return plan->argtypes[argIndex];
}

int
SPI_getargcount(SPIPlanPtr plan)
{
	if (!plan_ok(plan))
	{
		SPI_result = SPI_ERROR_ARGUMENT;
		return -1;
	}
	return plan->nargs;
}

/* Whether the plan's statement returns rows: judged from its first word. */
bool
SPI_is_cursor_plan(SPIPlanPtr plan)
{
	static const char *const words[] = {"select", "with", "values", "table", "show", "explain", "fetch"};
	const char *p;

	if (!plan_ok(plan))
	{
		SPI_result = SPI_ERROR_ARGUMENT;
		return false;
	}
	SPI_result = 0;
	for (p = plan->query; *p && (isspace((unsigned char) *p) || *p == '('); p++)
		;
	for (size_t i = 0; i < lengthof(words); i++)
		if (pg_strncasecmp(p, words[i], strlen(words[i])) == 0)
			return true;
	return false;
}

bool
SPI_plan_is_valid(SPIPlanPtr plan)
{
	return plan_ok(plan);
}

const char *
SPI_result_code_string(int code)
{
	static char buf[64];

	switch (code)
	{
		case SPI_ERROR_CONNECT:
			return "SPI_ERROR_CONNECT";
		case SPI_ERROR_COPY:
			return "SPI_ERROR_COPY";
		case SPI_ERROR_OPUNKNOWN:
			return "SPI_ERROR_OPUNKNOWN";
		case SPI_ERROR_UNCONNECTED:
			return "SPI_ERROR_UNCONNECTED";
		case SPI_ERROR_ARGUMENT:
			return "SPI_ERROR_ARGUMENT";
		case SPI_ERROR_PARAM:
			return "SPI_ERROR_PARAM";
		case SPI_ERROR_TRANSACTION:
			return "SPI_ERROR_TRANSACTION";
		case SPI_ERROR_NOATTRIBUTE:
			return "SPI_ERROR_NOATTRIBUTE";
		case SPI_ERROR_NOOUTFUNC:
			return "SPI_ERROR_NOOUTFUNC";
		case SPI_ERROR_TYPUNKNOWN:
			return "SPI_ERROR_TYPUNKNOWN";
		case SPI_ERROR_REL_DUPLICATE:
			return "SPI_ERROR_REL_DUPLICATE";
		case SPI_ERROR_REL_NOT_FOUND:
			return "SPI_ERROR_REL_NOT_FOUND";
		case SPI_OK_CONNECT:
			return "SPI_OK_CONNECT";
		case SPI_OK_FINISH:
			return "SPI_OK_FINISH";
		case SPI_OK_FETCH:
			return "SPI_OK_FETCH";
		case SPI_OK_UTILITY:
			return "SPI_OK_UTILITY";
		case SPI_OK_SELECT:
			return "SPI_OK_SELECT";
		case SPI_OK_SELINTO:
			return "SPI_OK_SELINTO";
		case SPI_OK_INSERT:
			return "SPI_OK_INSERT";
		case SPI_OK_DELETE:
			return "SPI_OK_DELETE";
		case SPI_OK_UPDATE:
			return "SPI_OK_UPDATE";
		case SPI_OK_CURSOR:
			return "SPI_OK_CURSOR";
		case SPI_OK_INSERT_RETURNING:
			return "SPI_OK_INSERT_RETURNING";
		case SPI_OK_DELETE_RETURNING:
			return "SPI_OK_DELETE_RETURNING";
		case SPI_OK_UPDATE_RETURNING:
			return "SPI_OK_UPDATE_RETURNING";
		case SPI_OK_REWRITTEN:
			return "SPI_OK_REWRITTEN";
		case SPI_OK_REL_REGISTER:
			return "SPI_OK_REL_REGISTER";
		case SPI_OK_REL_UNREGISTER:
			return "SPI_OK_REL_UNREGISTER";
		case SPI_OK_TD_REGISTER:
			return "SPI_OK_TD_REGISTER";
		case SPI_OK_MERGE:
			return "SPI_OK_MERGE";
		case SPI_OK_MERGE_RETURNING:
			return "SPI_OK_MERGE_RETURNING";
	}
	snprintf(buf, sizeof(buf), "Unrecognized SPI code %d", code);
	return buf;
}

/* ---- reading rows ---- */

static bool
attr_ok(TupleDesc tupdesc, int fnumber)
{
	return tupdesc != NULL && fnumber > 0 && fnumber <= tupdesc->natts;
}

int
SPI_fnumber(TupleDesc tupdesc, const char *fname)
{
	for (int i = 0; i < tupdesc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(tupdesc, i)->attname), fname) == 0)
			return i + 1;
	return SPI_ERROR_NOATTRIBUTE;
}

char *
SPI_fname(TupleDesc tupdesc, int fnumber)
{
	SPI_result = 0;
	if (!attr_ok(tupdesc, fnumber))
	{
		SPI_result = SPI_ERROR_NOATTRIBUTE;
		return NULL;
	}
	return pstrdup(NameStr(TupleDescAttr(tupdesc, fnumber - 1)->attname));
}

char *
SPI_getvalue(HeapTuple tuple, TupleDesc tupdesc, int fnumber)
{
	BgwRow	   *row;

	SPI_result = 0;
	if (tuple == NULL || !attr_ok(tupdesc, fnumber))
	{
		SPI_result = SPI_ERROR_NOATTRIBUTE;
		return NULL;
	}
	row = (BgwRow *) tuple->t_data;
	return row->text[fnumber - 1] ? pstrdup(row->text[fnumber - 1]) : NULL;
}

Datum
SPI_getbinval(HeapTuple tuple, TupleDesc tupdesc, int fnumber, bool *isnull)
{
	SPI_result = 0;
	if (tuple == NULL || !attr_ok(tupdesc, fnumber))
	{
		SPI_result = SPI_ERROR_NOATTRIBUTE;
		*isnull = true;
		return (Datum) 0;
	}
	return bgw_tuple_getattr(tuple, tupdesc, fnumber, isnull);
}

char *
SPI_gettype(TupleDesc tupdesc, int fnumber)
{
	char	   *name;

	SPI_result = 0;
	if (!attr_ok(tupdesc, fnumber))
	{
		SPI_result = SPI_ERROR_NOATTRIBUTE;
		return NULL;
	}
	name = bgw_type_typname(TupleDescAttr(tupdesc, fnumber - 1)->atttypid);
	if (name == NULL)
		SPI_result = SPI_ERROR_TYPUNKNOWN;
	return name;
}

Oid
SPI_gettypeid(TupleDesc tupdesc, int fnumber)
{
	SPI_result = 0;
	if (!attr_ok(tupdesc, fnumber))
	{
		SPI_result = SPI_ERROR_NOATTRIBUTE;
		return InvalidOid;
	}
	return TupleDescAttr(tupdesc, fnumber - 1)->atttypid;
}

char *
SPI_getrelname(void *rel)
{
	elog(ERROR, "SPI_getrelname is not supported by bgworker: there are no relations in a worker");
	return NULL;
}

char *
SPI_getnspname(void *rel)
{
	elog(ERROR, "SPI_getnspname is not supported by bgworker: there are no relations in a worker");
	return NULL;
}

static MemoryContext
upper_context(const char *what)
{
	SpiConnection *c = current();

	if (c == NULL)
		elog(ERROR, "%s called while not connected to SPI", what);
	return c->savedcxt;
}

HeapTuple
SPI_copytuple(HeapTuple tuple)
{
	MemoryContext old;
	HeapTuple	copy;

	if (tuple == NULL)
	{
		SPI_result = SPI_ERROR_ARGUMENT;
		return NULL;
	}
	old = MemoryContextSwitchTo(upper_context("SPI_copytuple"));
	copy = heap_copytuple(tuple);
	MemoryContextSwitchTo(old);
	return copy;
}

void *
SPI_palloc(Size size)
{
	return MemoryContextAlloc(upper_context("SPI_palloc"), size);
}

void *
SPI_repalloc(void *pointer, Size size)
{
	return repalloc(pointer, size);
}

void
SPI_pfree(void *pointer)
{
	pfree(pointer);
}

Datum
SPI_datumTransfer(Datum value, bool typByVal, int typLen)
{
	MemoryContext old;
	Size		len;
	void	   *copy;

	if (typByVal)
		return value;
	old = MemoryContextSwitchTo(upper_context("SPI_datumTransfer"));
	if (typLen == -1)
		len = ((uint32) *(const uint32 *) DatumGetPointer(value)) >> 2;
	else if (typLen == -2)
		len = strlen(DatumGetCString(value)) + 1;
	else
		len = typLen;
	copy = palloc(len);
	memcpy(copy, DatumGetPointer(value), len);
	MemoryContextSwitchTo(old);
	return PointerGetDatum(copy);
}

void
SPI_freetuple(HeapTuple tuple)
{
	heap_freetuple(tuple);
}

void
SPI_freetuptable(SPITupleTable *tuptable)
{
	SpiConnection *c = current();

	if (tuptable == NULL || c == NULL)
		return;
	/* only tables of the current level, as PostgreSQL */
	for (SPITupleTable **pp = &c->tuptables; *pp; pp = &(*pp)->next)
	{
		if (*pp == tuptable)
		{
			*pp = tuptable->next;
			if (SPI_tuptable == tuptable)
				SPI_tuptable = NULL;
			MemoryContextDelete(tuptable->tuptabcxt);
			return;
		}
	}
	elog(WARNING, "attempt to delete invalid SPITupleTable %p", (void *) tuptable);
}

ParamListInfo
makeParamList(int numParams)
{
	ParamListInfo p = palloc0(offsetof(ParamListInfoData, params) +
							  Max(numParams, 0) * sizeof(ParamExternData));

	p->numParams = numParams;
	return p;
}

/* ---- cursors ---- */

static Portal
open_cursor(const char *name, const char *query, int nargs, const Oid *argtypes,
			const Datum *values, const char *nulls, int cursorOptions)
{
	MemoryContext old;
	SpiCursor  *cur;
	char	   *sql;
	BgwStatement st = {0};

	if (current() == NULL)
		elog(ERROR, "SPI cursor operation called while not connected");
	bgw_db_require_connection("SPI_cursor_open");
	if (TopTransactionContext == NULL)
		ereport(ERROR,
				errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				errmsg("cannot open a cursor without a transaction"));
	old = MemoryContextSwitchTo(TopTransactionContext);
	cur = palloc0(sizeof(SpiCursor));
	cur->portal.name = name ? pstrdup(name) : psprintf("<unnamed portal %u>", ++portal_counter);
	cur->portal.cursorOptions = cursorOptions;
	cur->portal.atStart = true;
	cur->portal.bgw_private = cur;
	MemoryContextSwitchTo(old);

	sql = psprintf("DECLARE %s %sCURSOR%s FOR %s",
				   quote_identifier(cur->portal.name),
				   (cursorOptions & CURSOR_OPT_SCROLL) ? "SCROLL " :
				   (cursorOptions & CURSOR_OPT_NO_SCROLL) ? "NO SCROLL " : "",
				   (cursorOptions & CURSOR_OPT_HOLD) ? " WITH HOLD" : "",
				   query);
	st.sql = sql;
	st.nparams = nargs;
	st.paramtypes = argtypes;
	st.paramvalues = nargs > 0 ? params_text(nargs, argtypes, values, nulls) : NULL;
	st.in_transaction = true;
	bgw_pq.PQclear(bgw_db_run(&st));
	cur->next = cursors;
	cursors = cur;
	return &cur->portal;
}

Portal
SPI_cursor_open(const char *name, SPIPlanPtr plan, Datum *Values,
				const char *Nulls, bool read_only)
{
	if (!plan_ok(plan))
		elog(ERROR, "invalid SPI plan");
	return open_cursor(name, plan->query, plan->nargs, plan->argtypes, Values, Nulls,
					   plan->cursor_options);
}

Portal
SPI_cursor_open_with_args(const char *name, const char *src, int nargs,
						  Oid *argtypes, Datum *Values, const char *Nulls,
						  bool read_only, int cursorOptions)
{
	if (src == NULL || nargs < 0)
		elog(ERROR, "SPI_cursor_open_with_args called with invalid arguments");
	return open_cursor(name, src, nargs, argtypes, Values, Nulls, cursorOptions);
}

Portal
SPI_cursor_open_with_paramlist(const char *name, SPIPlanPtr plan,
							   ParamListInfo params, bool read_only)
{
	int			n = params ? params->numParams : 0;
	Oid		   *types = palloc(Max(n, 1) * sizeof(Oid));
	Datum	   *values = palloc(Max(n, 1) * sizeof(Datum));
	char	   *nulls = palloc(Max(n, 1));

	if (!plan_ok(plan))
		elog(ERROR, "invalid SPI plan");
	for (int i = 0; i < n; i++)
	{
		types[i] = (i < plan->nargs) ? plan->argtypes[i] : params->params[i].ptype;
		values[i] = params->params[i].value;
		nulls[i] = params->params[i].isnull ? 'n' : ' ';
	}
	return open_cursor(name, plan->query, n, types, values, nulls, plan->cursor_options);
}

Portal
SPI_cursor_find(const char *name)
{
	for (SpiCursor *c = cursors; c; c = c->next)
		if (strcmp(c->portal.name, name) == 0)
			return &c->portal;
	return NULL;
}

/* FETCH or MOVE on the server; sets SPI_processed (and SPI_tuptable). */
static void
cursor_op(Portal portal, bool fetch, FetchDirection direction, long count)
{
	SpiConnection *c = current();
	char		how[64];
	char	   *sql;
	BgwStatement st = {0};

	if (c == NULL)
		elog(ERROR, "SPI cursor operation called while not connected");
	if (portal == NULL)
		elog(ERROR, "invalid portal in SPI cursor operation");
	switch (direction)
	{
		case FETCH_FORWARD:
			if (count == FETCH_ALL)
				snprintf(how, sizeof(how), "FORWARD ALL");
			else
				snprintf(how, sizeof(how), "FORWARD %ld", count);
			break;
		case FETCH_BACKWARD:
			if (count == FETCH_ALL)
				snprintf(how, sizeof(how), "BACKWARD ALL");
			else
				snprintf(how, sizeof(how), "BACKWARD %ld", count);
			break;
		case FETCH_ABSOLUTE:
			snprintf(how, sizeof(how), "ABSOLUTE %ld", count);
			break;
		default:
			snprintf(how, sizeof(how), "RELATIVE %ld", count);
			break;
	}
	sql = psprintf("%s %s FROM %s", fetch ? "FETCH" : "MOVE", how,
				   quote_identifier(portal->name));
	st.sql = sql;
	st.in_transaction = true;
	(void) take_result(c, bgw_db_run(&st), 0);
	if (!fetch)
		SPI_tuptable = NULL;
	portal->atStart = false;
	portal->portalPos += SPI_processed;
	portal->atEnd = (SPI_processed == 0);
	pfree(sql);
}

void
SPI_cursor_fetch(Portal portal, bool forward, long count)
{
	cursor_op(portal, true, forward ? FETCH_FORWARD : FETCH_BACKWARD, count);
}

void
SPI_cursor_move(Portal portal, bool forward, long count)
{
	cursor_op(portal, false, forward ? FETCH_FORWARD : FETCH_BACKWARD, count);
}

void
SPI_scroll_cursor_fetch(Portal portal, FetchDirection direction, long count)
{
	cursor_op(portal, true, direction, count);
}

void
SPI_scroll_cursor_move(Portal portal, FetchDirection direction, long count)
{
	cursor_op(portal, false, direction, count);
}

void
SPI_cursor_close(Portal portal)
{
	char	   *sql;

	if (portal == NULL)
		elog(ERROR, "invalid portal in SPI cursor operation");
	sql = psprintf("CLOSE %s", quote_identifier(portal->name));
	bgw_db_command(sql);
	pfree(sql);
	for (SpiCursor **pp = &cursors; *pp; pp = &(*pp)->next)
	{
		if (&(*pp)->portal == portal)
		{
			SpiCursor  *c = *pp;

			*pp = c->next;
			pfree(c);
			break;
		}
	}
}

/* ---- transaction control in a non-atomic connection ---- */

static void
end_and_restart(bool commit, bool chain)
{
	SpiConnection *c = current();
	MemoryContext old = CurrentMemoryContext;
	int			iso = XactIsoLevel;
	bool		ro = XactReadOnly;

	if (c == NULL || c->atomic)
		ereport(ERROR,
				errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				errmsg("invalid transaction termination"));
	spi_in_internal_xact = true;
	PG_TRY();
	{
		if (commit)
			CommitTransactionCommand();
		else
			AbortCurrentTransaction();
		StartTransactionCommand();
		if (chain)
		{
			XactIsoLevel = iso;
			XactReadOnly = ro;
		}
	}
	PG_FINALLY();
	{
		spi_in_internal_xact = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
}

void
SPI_commit(void)
{
	end_and_restart(true, false);
}

void
SPI_commit_and_chain(void)
{
	end_and_restart(true, true);
}

void
SPI_rollback(void)
{
	end_and_restart(false, false);
}

void
SPI_rollback_and_chain(void)
{
	end_and_restart(false, true);
}

bool
SPI_inside_nonatomic_context(void)
{
	SpiConnection *c = current();

	return c != NULL && !c->atomic;
}
