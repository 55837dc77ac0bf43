/*-------------------------------------------------------------------------
 *
 * xact.c
 *	  Transactions of a worker's database connection (access/xact.h).
 *
 *	  The worker's transaction and the server's: StartTransactionCommand
 *	  opens the worker's side (memory contexts, start time) and costs no
 *	  round trip; the BEGIN reaches the server with the first statement
 *	  (session.c).  CommitTransactionCommand sends COMMIT only if a BEGIN
 *	  was sent, and an ERROR from the server (a deferred constraint, a
 *	  serialization failure) surfaces there, as in PostgreSQL.
 *	  AbortCurrentTransaction sends ROLLBACK.  Subtransactions are
 *	  savepoints.
 *
 *	  Memory, as PostgreSQL: StartTransactionCommand makes
 *	  CurTransactionContext (= TopTransactionContext) current, the end of
 *	  the transaction deletes it and leaves TopMemoryContext current.
 *
 *	  Worker child only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "dbconn_int.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

int			DefaultXactIsoLevel = XACT_READ_COMMITTED;
int			XactIsoLevel = XACT_READ_COMMITTED;
bool		DefaultXactReadOnly = false;
bool		XactReadOnly = false;

static bool xact_open = false;		/* between Start and Commit/Abort */
static bool remote_open = false;	/* BEGIN sent to the server */
static TimestampTz stmt_start_ts = 0;
static TimestampTz xact_start_ts = 0;
static TimestampTz xact_stop_ts = 0;

/* Subtransactions: one savepoint and one memory context per level. */
#define MAX_SUBXACT_DEPTH 64
static int	subxact_depth = 0;
static MemoryContext subxact_cxt[MAX_SUBXACT_DEPTH];

bool
bgw_xact_remote_open(void)
{
	return remote_open;
}

const char *
bgw_xact_begin_due(void)
{
	if (!xact_open || remote_open)
		return NULL;
	switch (XactIsoLevel)
	{
		case XACT_SERIALIZABLE:
			return XactReadOnly ? "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY" :
				"BEGIN ISOLATION LEVEL SERIALIZABLE";
		case XACT_REPEATABLE_READ:
			return XactReadOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" :
				"BEGIN ISOLATION LEVEL REPEATABLE READ";
		default:
			return XactReadOnly ? "BEGIN READ ONLY" : "BEGIN";
	}
}

void
bgw_xact_begin_sent(void)
{
	remote_open = true;
}

void
bgw_xact_connection_lost(void)
{
	remote_open = false;
}

void
SetCurrentStatementStartTimestamp(void)
{
	stmt_start_ts = GetCurrentTimestamp();
}

TimestampTz
GetCurrentStatementStartTimestamp(void)
{
	return stmt_start_ts;
}

TimestampTz
GetCurrentTransactionStartTimestamp(void)
{
	return xact_start_ts;
}

TimestampTz
GetCurrentTransactionStopTimestamp(void)
{
	return xact_open || xact_stop_ts == 0 ? GetCurrentTimestamp() : xact_stop_ts;
}

void
StartTransactionCommand(void)
{
	if (xact_open)
		elog(ERROR, "StartTransactionCommand: unexpected state STARTED");
	xact_open = true;
	remote_open = false;
	subxact_depth = 0;
	if (stmt_start_ts == 0)
		stmt_start_ts = GetCurrentTimestamp();
	xact_start_ts = stmt_start_ts;
	XactIsoLevel = DefaultXactIsoLevel;
	XactReadOnly = DefaultXactReadOnly;
	TopTransactionContext = AllocSetContextCreate(TopMemoryContext,
												  "TopTransactionContext",
												  ALLOCSET_DEFAULT_SIZES);
	CurTransactionContext = TopTransactionContext;
	MemoryContextSwitchTo(CurTransactionContext);
}

/* The worker's side of ending a transaction, whatever the server said. */
static void
end_local(bool commit)
{
	bgw_spi_at_xact_end(commit);
	bgw_snapmgr_at_xact_end(commit);
	MemoryContextSwitchTo(TopMemoryContext);
	if (TopTransactionContext != NULL)
		MemoryContextDelete(TopTransactionContext);
	TopTransactionContext = NULL;
	CurTransactionContext = NULL;
	xact_open = false;
	remote_open = false;
	subxact_depth = 0;
	xact_stop_ts = GetCurrentTimestamp();
}

void
CommitTransactionCommand(void)
{
	PGresult   *res;
	BgwStatement st = {0};
	bool		rolled_back;

	if (!xact_open)
		elog(FATAL, "CommitTransactionCommand: unexpected state DEFAULT");
	if (!remote_open || bgw_db_conn == NULL)
	{
		end_local(true);
		return;
	}
	st.sql = "COMMIT";
	st.in_transaction = true;
	PG_TRY();
	{
		res = bgw_db_run(&st);
	}
	PG_CATCH();
	{
		end_local(false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	rolled_back = strcmp(bgw_pq.PQcmdStatus(res), "ROLLBACK") == 0;
	bgw_pq.PQclear(res);
	end_local(!rolled_back);
	if (rolled_back)
		ereport(ERROR,
				errcode(ERRCODE_IN_FAILED_SQL_TRANSACTION),
				errmsg("could not commit: the database server rolled the transaction back after an earlier error"),
				errhint("Call AbortCurrentTransaction() after catching an error raised inside a transaction."));
}

void
AbortCurrentTransaction(void)
{
	if (!xact_open)
		return;
	if (remote_open && bgw_db_conn != NULL &&
		bgw_pq.PQstatus(bgw_db_conn) == CONNECTION_OK &&
		bgw_pq.PQtransactionStatus(bgw_db_conn) != PQTRANS_IDLE)
	{
		BgwStatement st = {0};

		st.sql = "ROLLBACK";
		st.in_transaction = true;
		PG_TRY();
		{
			bgw_pq.PQclear(bgw_db_run(&st));
		}
		PG_CATCH();
		{
			end_local(false);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	end_local(false);
}

bool
IsTransactionState(void)
{
	return xact_open;
}

bool
IsTransactionOrTransactionBlock(void)
{
	return xact_open;
}

bool
IsTransactionBlock(void)
{
	return false;
}

bool
IsAbortedTransactionBlockState(void)
{
	return xact_open && remote_open && bgw_db_conn != NULL &&
		bgw_pq.PQtransactionStatus(bgw_db_conn) == PQTRANS_INERROR;
}

int
GetCurrentTransactionNestLevel(void)
{
	return xact_open ? 1 + subxact_depth : 0;
}

void
CommandCounterIncrement(void)
{
	/* the server makes each statement's effects visible to the next */
}

/* ---- subtransactions (savepoints) ---- */

static void
savepoint_command(const char *verb, int level)
{
	char		sql[96];

	snprintf(sql, sizeof(sql), "%s bgw_subxact_%d", verb, level);
	bgw_db_command(sql);
}

void
BeginInternalSubTransaction(const char *name)
{
	if (!xact_open)
		elog(ERROR, "BeginInternalSubTransaction: unexpected state DEFAULT");
	if (subxact_depth >= MAX_SUBXACT_DEPTH)
		ereport(ERROR,
				errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				errmsg("cannot have more than %d nested subtransactions", MAX_SUBXACT_DEPTH));
	savepoint_command("SAVEPOINT", subxact_depth + 1);
	subxact_cxt[subxact_depth] = CurTransactionContext;
	subxact_depth++;
	CurTransactionContext = AllocSetContextCreate(subxact_cxt[subxact_depth - 1],
												  "CurTransactionContext",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(CurTransactionContext);
}

void
ReleaseCurrentSubTransaction(void)
{
	if (subxact_depth == 0)
		elog(ERROR, "ReleaseCurrentSubTransaction: no subtransaction");
	savepoint_command("RELEASE SAVEPOINT", subxact_depth);
	subxact_depth--;
	CurTransactionContext = subxact_cxt[subxact_depth];
	MemoryContextSwitchTo(CurTransactionContext);
}

void
RollbackAndReleaseCurrentSubTransaction(void)
{
	MemoryContext child;

	if (subxact_depth == 0)
		elog(ERROR, "RollbackAndReleaseCurrentSubTransaction: no subtransaction");
	if (bgw_db_conn != NULL && bgw_pq.PQstatus(bgw_db_conn) == CONNECTION_OK)
	{
		char		sql[160];

		snprintf(sql, sizeof(sql),
				 "ROLLBACK TO SAVEPOINT bgw_subxact_%d; RELEASE SAVEPOINT bgw_subxact_%d",
				 subxact_depth, subxact_depth);
		bgw_db_command(sql);
	}
	child = CurTransactionContext;
	subxact_depth--;
	CurTransactionContext = subxact_cxt[subxact_depth];
	MemoryContextSwitchTo(CurTransactionContext);
	MemoryContextDelete(child);
}

/* ---- transaction ids: the server's, assigned on demand ---- */

static TransactionId
xid_of(const char *sql)
{
	char	   *v;

	bgw_db_require_connection("GetCurrentTransactionId");
	if (!xact_open)
		elog(ERROR, "cannot get a transaction id outside a transaction");
	v = bgw_db_lookup(sql, NULL);
	/* xid8: the epoch in the high half; a TransactionId is the low half */
	return v ? (TransactionId) (strtoull(v, NULL, 10) & 0xFFFFFFFF) : InvalidTransactionId;
}

TransactionId
GetCurrentTransactionId(void)
{
	return xid_of("SELECT pg_catalog.pg_current_xact_id()");
}

TransactionId
GetTopTransactionId(void)
{
	return GetCurrentTransactionId();
}

TransactionId
GetCurrentTransactionIdIfAny(void)
{
	if (!remote_open)
		return InvalidTransactionId;
	return xid_of("SELECT pg_catalog.pg_current_xact_id_if_assigned()");
}
