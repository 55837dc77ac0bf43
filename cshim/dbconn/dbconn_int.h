/*-------------------------------------------------------------------------
 *
 * dbconn_int.h
 *	  The contract between the files of the database session (session.c,
 *	  xact.c, snapmgr.c, spi.c, datum.c).  Worker child only; never the
 *	  supervisor or the fork server.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBCONN_INT_H
#define DBCONN_INT_H

#include <libpq-fe.h>

#include "access/htup_details.h"
#include "access/tupdesc.h"

/* ---- libpq, loaded with dlopen on first use (libpq_load.c) ---- */

#define BGW_PQ_FUNCS(X) \
	X(PQconnectStartParams) X(PQconnectPoll) X(PQstatus) X(PQerrorMessage) \
	X(PQfinish) X(PQsocket) X(PQsetNoticeReceiver) X(PQsendQuery) \
	X(PQsendQueryParams) X(PQsendPrepare) X(PQsendQueryPrepared) \
	X(PQgetResult) X(PQconsumeInput) X(PQisBusy) X(PQflush) \
	X(PQsetnonblocking) X(PQresultStatus) X(PQresultErrorField) \
	X(PQresultErrorMessage) X(PQclear) X(PQntuples) X(PQnfields) X(PQfname) \
	X(PQftype) X(PQfmod) X(PQgetvalue) X(PQgetisnull) X(PQgetlength) \
	X(PQcmdTuples) X(PQcmdStatus) X(PQtransactionStatus) \
	X(PQparameterStatus) X(PQenterPipelineMode) X(PQexitPipelineMode) \
	X(PQpipelineSync) X(PQbackendPID) X(PQdb) X(PQuser) \
	X(PQconnectionNeedsPassword) X(PQconnectionUsedPassword) \
	X(PQpipelineStatus) X(PQresStatus)

typedef struct BgwLibpq
{
#define BGW_PQ_FIELD(fn) __typeof__(fn) *fn;
	BGW_PQ_FUNCS(BGW_PQ_FIELD)
#undef BGW_PQ_FIELD
} BgwLibpq;

extern BgwLibpq bgw_pq;

/* Load libpq (once); FATAL if it cannot be loaded. */
extern void bgw_libpq_load(void);

/* ---- the session (session.c) ---- */

/* The worker's connection, NULL before BackgroundWorkerInitializeConnection. */
extern PGconn *bgw_db_conn;

/* Bumped at each (re)connection: server-side prepared statements are lost. */
extern uint64 bgw_db_generation;

/* ERROR unless the worker has a connection; what is the caller's name. */
extern void bgw_db_require_connection(const char *what);

/*
 * A server prepared statement (an SPI plan's): Parse goes out with the
 * first execution on each connection, in the same round trip.
 */
typedef struct BgwPrepared
{
	char		name[32];		/* the statement's name on the server */
	uint64		generation;		/* connection it was parsed on; 0: none */
} BgwPrepared;

/* A fresh name for a prepared statement. */
extern void bgw_prepared_init(BgwPrepared *prep);

/*
 * One statement to run on the server in the current transaction.  Without
 * parameters and a prepared name, the text goes as a simple query (it may
 * hold several statements; the result is the last one's).  Otherwise the
 * extended protocol, in a pipeline with the BEGIN when one is due.
 */
typedef struct BgwStatement
{
	const char *sql;			/* the text, for errors and the log */
	int			nparams;
	const Oid  *paramtypes;		/* may be NULL when nparams is 0 */
	const char *const *paramvalues; /* text form; NULL element = SQL NULL */
	struct BgwPrepared *prepared;	/* a server prepared statement, or NULL */
	bool		in_transaction; /* false: outside any transaction (lookups) */
} BgwStatement;

/*
 * Run st and return its (last) result, which the caller PQclears:
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK.  A server error is raised as
 * ereport(ERROR) (FATAL if the connection is gone) after the connection
 * was made ready for the next command.
 */
extern PGresult *bgw_db_run(const BgwStatement *st);

/* Run a query outside SPI (BEGIN/COMMIT/ROLLBACK/SAVEPOINT); ERROR on failure. */
extern void bgw_db_command(const char *sql);

/* Lookups: one row, one column, text; NULL if no row or NULL. palloc'd. */
extern char *bgw_db_lookup(const char *sql, const char *param);

/* ---- transactions (xact.c) ---- */

/* Whether the server has a transaction open for us (BEGIN was sent). */
extern bool bgw_xact_remote_open(void);

/* The BEGIN statement due before the first statement, or NULL. */
extern const char *bgw_xact_begin_due(void);

/* The session sent the BEGIN (with the first statement). */
extern void bgw_xact_begin_sent(void);

/* The connection was lost or replaced: the server forgot our transaction. */
extern void bgw_xact_connection_lost(void);

/* Called from AbortCurrentTransaction and the end of a transaction. */
extern void bgw_spi_at_xact_end(bool commit);
extern void bgw_snapmgr_at_xact_end(bool commit);

/* ---- Datums (datum.c) ---- */

/* The tuple body t_data points to: the server's text of each column. */
typedef struct BgwRow
{
	int			natts;
	uint8	   *state;			/* per column: BGW_COL_* */
	Datum	   *values;			/* converted values (BGW_COL_DATUM) */
	char	  **text;			/* server's text, NULL for SQL NULL */
} BgwRow;

#define BGW_COL_TEXT	0
#define BGW_COL_DATUM	1

/* A tuple descriptor for res's columns, palloc'd in the current context. */
extern TupleDesc bgw_tupdesc_from_result(const PGresult *res);

/* Row i of res as a HeapTuple in the current context. */
extern HeapTuple bgw_tuple_from_result(const PGresult *res, int row);

/* Column fnumber (from 1) of tuple as a Datum; ERROR for a type without one. */
extern Datum bgw_tuple_getattr(HeapTuple tuple, TupleDesc tupdesc, int fnumber,
							   bool *isnull);

/* A Datum of type typid as the text the server reads (palloc'd). */
extern char *bgw_datum_to_text(Datum value, Oid typid);

/* The SQL name of a type (palloc'd): built-in table, else the server. */
extern char *bgw_type_name(Oid typid);

/* pg_type.typname of a type (palloc'd), NULL if unknown. */
extern char *bgw_type_typname(Oid typid);

#endif							/* DBCONN_INT_H */
