/*-------------------------------------------------------------------------
 *
 * session.c
 *	  A background worker's connection to its PostgreSQL server:
 *	  BackgroundWorkerInitializeConnection and ...ByOid, running
 *	  statements (with the transaction's BEGIN sent lazily, together with
 *	  the first statement), server errors as ereport, server notices in
 *	  the log, losing the connection, and what PostgreSQL answers from its
 *	  catalogs (MyDatabaseId, GetUserId, get_database_name, ...).
 *
 *	  Which server: libpq's conventions (the PG* environment, .pgpass,
 *	  PGPASSFILE, PGSSLMODE, ...), overridden by the database_conninfo
 *	  setting (a connection string, read when the connection is made), in
 *	  turn overridden by the dbname and username arguments.
 *	  application_name is the worker's bgw_name.  Nothing here ever logs
 *	  the connection string or a password.
 *
 *	  Round trips.  A transaction's BEGIN goes out with its first
 *	  statement: as one simple query "BEGIN;<statement>" when the
 *	  statement has no parameters, else in one pipeline (BEGIN, the
 *	  statement, Sync) on the extended protocol.  COMMIT is one more round
 *	  trip; a transaction that ran no statement costs none.  Before that
 *	  first statement, a connection the server closed meanwhile (server
 *	  restart, idle timeout) is replaced by a new one, since nothing of the
 *	  transaction reached the server yet; a connection lost later is FATAL
 *	  (exit 1, restart after bgw_restart_time), as a backend whose client
 *	  went away.
 *
 *	  Waiting for the server: a wait event set on the socket, the
 *	  process latch and postmaster death, so that SIGTERM (die) and the
 *	  host's death end a worker waiting for a slow statement.  A latch set
 *	  meanwhile is set again afterwards, for the module's own loop.
 *
 *	  Worker child only (libpq is loaded on first use; see libpq_load.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <poll.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/dbcommands.h"
#include "dbconn_int.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* The database_conninfo setting (configuration area). */
extern char *database_conninfo;

PGconn	   *bgw_db_conn = NULL;
uint64		bgw_db_generation = 0;

/* What the worker asked for, for a reconnection (TopMemoryContext). */
static char *requested_dbname = NULL;
static char *requested_user = NULL;

/* The connection's role (miscinit's user ids) and recovery state. */
static Oid	session_user_oid = InvalidOid;
static bool server_in_recovery = false;

/* Waiting on the socket: built for each connection. */
static WaitEventSet *db_wait_set = NULL;
static int	db_wait_socket_pos = -1;

/*
 * Inside a libpq exchange: an exit now (FATAL from die() or from us)
 * must not run PQfinish on a connection in the middle of a message, so
 * the exit callback only closes the socket then.
 */
static volatile sig_atomic_t db_busy = 0;

/* The latch was set while we waited: set it again for the module. */
static bool latch_was_set = false;

static void connect_server(const char *dbname, const char *user);

/* ---- small helpers ---- */

/* s without trailing newlines, palloc'd. */
static char *
chomp(const char *s)
{
	char	   *r = pstrdup(s ? s : "");
	size_t		n = strlen(r);

	while (n > 0 && (r[n - 1] == '\n' || r[n - 1] == '\r'))
		r[--n] = '\0';
	return r;
}

static char *
copy_field(const PGresult *res, int field)
{
	char	   *v = bgw_pq.PQresultErrorField(res, field);

	return v ? pstrdup(v) : NULL;
}

static int
sqlstate_code(const char *s)
{
	if (s == NULL || strlen(s) != 5)
		return ERRCODE_INTERNAL_ERROR;
	return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

void
bgw_db_require_connection(const char *what)
{
	if (bgw_db_conn == NULL)
		ereport(ERROR,
				errcode(ERRCODE_CONNECTION_DOES_NOT_EXIST),
				errmsg("%s requires a database connection", what),
				errhint("Register the worker with BGWORKER_BACKEND_DATABASE_CONNECTION and call BackgroundWorkerInitializeConnection first."));
}

/* ---- the connection's life ---- */

/* Server notices and warnings go to the log at their level. */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *sev = bgw_pq.PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = bgw_pq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = bgw_pq.PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = bgw_pq.PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *state = bgw_pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);
	int			level = NOTICE;

	if (sev == NULL)
		sev = "NOTICE";
	if (strcmp(sev, "WARNING") == 0)
		level = WARNING;
	else if (strcmp(sev, "INFO") == 0)
		level = INFO;
	else if (strcmp(sev, "LOG") == 0)
		level = LOG;
	else if (strncmp(sev, "DEBUG", 5) == 0)
		level = DEBUG1;

	/* no interrupt may end the process inside libpq's parsing */
	HOLD_INTERRUPTS();
	ereport(level,
			errcode(sqlstate_code(state)),
			errmsg_internal("%s", msg ? msg : "missing error text"),
			detail ? errdetail_internal("%s", detail) : 0,
			hint ? errhint("%s", hint) : 0);
	RESUME_INTERRUPTS();
}

static void
free_wait_set(void)
{
	if (db_wait_set != NULL)
	{
		FreeWaitEventSet(db_wait_set);
		db_wait_set = NULL;
	}
}

/*
 * At exit: end the session properly (the server rolls back an open
 * transaction and logs nothing), unless the exit interrupted libpq.
 */
static void
db_at_exit(int code, Datum arg)
{
	if (bgw_db_conn == NULL)
		return;
	if (db_busy)
		close(bgw_pq.PQsocket(bgw_db_conn));
	else
		bgw_pq.PQfinish(bgw_db_conn);
	bgw_db_conn = NULL;
}

/* Forget the connection (lost or replaced). */
static void
drop_connection(void)
{
	free_wait_set();
	if (bgw_db_conn != NULL)
		bgw_pq.PQfinish(bgw_db_conn);
	bgw_db_conn = NULL;
	bgw_xact_connection_lost();
}

/*
 * The SQLSTATE PostgreSQL gives the refusals a server sends while a
 * connection starts (libpq keeps only their text).
 */
static int
connect_failure_code(const char *server_msg)
{
	if (server_msg == NULL)
		return ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
	if (strncmp(server_msg, "database \"", 10) == 0 && strstr(server_msg, "\" does not exist"))
		return ERRCODE_UNDEFINED_DATABASE;
	if (strstr(server_msg, "password authentication failed") != NULL)
		return ERRCODE_INVALID_PASSWORD;
	if (strncmp(server_msg, "role \"", 6) == 0 || strstr(server_msg, "not permitted to log in") != NULL)
		return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
	if (strstr(server_msg, "the database system is") != NULL)
		return ERRCODE_CANNOT_CONNECT_NOW;
	if (strstr(server_msg, "too many") != NULL)
		return ERRCODE_TOO_MANY_CONNECTIONS;
	return ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
}

/*
 * FATAL for a connection that failed.  A refusal by the server is shown
 * with the server's own text ("database \"x\" does not exist") and where
 * it came from as the detail; anything else with libpq's text.  A string
 * libpq could not parse is not shown: it may hold a password.
 */
static void
connect_failed(PGconn *conn)
{
	char	   *msg = chomp(conn ? bgw_pq.PQerrorMessage(conn) : "out of memory");
	char	   *server = strstr(msg, "FATAL:  ");

	if (conn)
		bgw_pq.PQfinish(conn);
	if (strstr(msg, "connection info string") != NULL || strstr(msg, "URI") != NULL ||
		strstr(msg, "invalid connection option") != NULL)
		ereport(FATAL,
				errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				errmsg("invalid connection string in \"database_conninfo\""),
				errdetail("libpq could not parse it; it is not shown here because it may hold a password."));
	if (server != NULL)
	{
		char	   *where = msg;
		char	   *text = server + strlen("FATAL:  ");
		char	   *nl = strchr(text, '\n');
		size_t		wl = server - msg;

		if (nl)
			*nl = '\0';
		/* "connection to server on socket \"...\" failed: " */
		while (wl > 0 && (msg[wl - 1] == ' ' || msg[wl - 1] == ':'))
			wl--;
		where[wl] = '\0';
		ereport(FATAL,
				errcode(connect_failure_code(text)),
				errmsg_internal("%s", text),
				errdetail_internal("%s", where));
	}
	ereport(FATAL,
			errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
			errmsg("could not connect to the database server: %s", msg));
}

/*
 * Open the connection (bgw_db_conn), waiting on the socket with the
 * latch so that SIGTERM ends a worker whose server does not answer.
 * FATAL on failure.
 */
static PGconn *
try_connect(const char *dbname, const char *user)
{
	const char *keywords[5];
	const char *values[5];
	int			n = 0;
	PGconn	   *conn;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	bgw_libpq_load();

	/* later entries override earlier ones; only the first dbname is expanded */
	keywords[n] = "dbname";
	values[n++] = database_conninfo ? database_conninfo : "";
	if (dbname != NULL && dbname[0] != '\0')
	{
		keywords[n] = "dbname";
		values[n++] = dbname;
	}
	if (user != NULL && user[0] != '\0')
	{
		keywords[n] = "user";
		values[n++] = user;
	}
	keywords[n] = "application_name";
	values[n++] = MyBgworkerEntry ? MyBgworkerEntry->bgw_name : "bgworker";
	keywords[n] = NULL;
	values[n] = NULL;

	db_busy++;
	conn = bgw_pq.PQconnectStartParams(keywords, values, 1);
	if (conn == NULL || bgw_pq.PQstatus(conn) == CONNECTION_BAD)
	{
		db_busy--;
		return conn;
	}
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		int			events = (st == PGRES_POLLING_READING) ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
		int			rc;

		rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | events,
							   bgw_pq.PQsocket(conn), -1,
							   WAIT_EVENT_LIBPQWALRECEIVER_CONNECT);
		if (rc & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			latch_was_set = true;
			CHECK_FOR_INTERRUPTS();
		}
		if (rc & events)
			st = bgw_pq.PQconnectPoll(conn);
	}
	db_busy--;
	return conn;
}

/* Make conn the worker's connection. */
static void
adopt(PGconn *conn)
{
	bgw_pq.PQsetNoticeReceiver(conn, notice_receiver, NULL);
	bgw_db_conn = conn;
	bgw_db_generation++;
}

/* Connect, or FATAL. */
static void
connect_server(const char *dbname, const char *user)
{
	PGconn	   *conn = try_connect(dbname, user);

	if (conn == NULL || bgw_pq.PQstatus(conn) != CONNECTION_OK)
		connect_failed(conn);
	adopt(conn);
}

/*
 * Connect again after the server closed our connection: it may be
 * restarting, so a refused attempt is retried (every 100 ms, then less
 * often) for up to RECONNECT_WINDOW_MS before the last failure is FATAL.
 * SIGTERM and the host's death still end the worker meanwhile.
 */
#define RECONNECT_WINDOW_MS 30000

static void
reconnect(void)
{
	TimestampTz start = GetCurrentTimestamp();
	long		delay = 100;

	ereport(LOG,
			errmsg("background worker \"%s\": the database server closed the connection; reconnecting",
				   MyBgworkerEntry ? MyBgworkerEntry->bgw_name : "?"));
	drop_connection();
	for (;;)
	{
		PGconn	   *conn = try_connect(requested_dbname, requested_user);

		if (conn != NULL && bgw_pq.PQstatus(conn) == CONNECTION_OK)
		{
			adopt(conn);
			return;
		}
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(), RECONNECT_WINDOW_MS))
			connect_failed(conn);
		if (conn)
			bgw_pq.PQfinish(conn);
		if (WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, delay,
					  WAIT_EVENT_LIBPQWALRECEIVER_CONNECT) & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			latch_was_set = true;
			CHECK_FOR_INTERRUPTS();
		}
		delay = Min(delay * 2, 2000);
	}
}

/* The wait event set of the current connection, built on first use. */
static WaitEventSet *
wait_set(void)
{
	if (db_wait_set == NULL)
	{
		db_wait_set = CreateWaitEventSet(NULL, 3);
		AddWaitEventToSet(db_wait_set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
		AddWaitEventToSet(db_wait_set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
		db_wait_socket_pos = AddWaitEventToSet(db_wait_set, WL_SOCKET_READABLE,
											   bgw_pq.PQsocket(bgw_db_conn), NULL, NULL);
	}
	return db_wait_set;
}

/* Wait until the socket is readable (or the latch is set). */
static void
wait_readable(void)
{
	WaitEvent	ev;

	if (WaitEventSetWait(wait_set(), -1, &ev, 1, WAIT_EVENT_CLIENT_READ) > 0 &&
		(ev.events & WL_LATCH_SET))
	{
		ResetLatch(MyLatch);
		latch_was_set = true;
		CHECK_FOR_INTERRUPTS();
	}
}

/* Next result of the current command, waiting for it; NULL when done. */
static PGresult *
next_result(void)
{
	PGconn	   *conn = bgw_db_conn;

	while (bgw_pq.PQisBusy(conn))
	{
		wait_readable();
		if (!bgw_pq.PQconsumeInput(conn))
			break;				/* PQgetResult reports the failure */
	}
	return bgw_pq.PQgetResult(conn);
}

/* FATAL: the connection is gone (optionally with the server's last word). */
static void
connection_lost(PGresult *res)
{
	char	   *sev = res ? copy_field(res, PG_DIAG_SEVERITY_NONLOCALIZED) : NULL;
	char	   *state = res ? copy_field(res, PG_DIAG_SQLSTATE) : NULL;
	char	   *primary = res ? copy_field(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char	   *detail = chomp(bgw_db_conn ? bgw_pq.PQerrorMessage(bgw_db_conn) : "");
	char	   *extra = strstr(detail, "\n\tinvalid socket");

	if (extra != NULL)
		*extra = '\0';				/* libpq's note on the closed socket */

	if (res)
		bgw_pq.PQclear(res);
	db_busy = 0;
	drop_connection();
	if (sev != NULL && primary != NULL && state != NULL)
		ereport(FATAL,
				errcode(sqlstate_code(state)),
				errmsg_internal("%s", primary),
				errdetail("The database server ended the connection."));
	ereport(FATAL,
			errcode(ERRCODE_CONNECTION_FAILURE),
			errmsg("lost connection to the database server"),
			detail[0] ? errdetail_internal("%s", detail) : 0);
}

/*
 * Raise a server error result as PostgreSQL's SPI does: the server's
 * SQLSTATE, message, detail and hint; a syntax error position as an
 * internal position into the statement (QUERY line), otherwise the
 * statement as context.  offset is the length of what we put before the
 * statement's text.
 */
static void
raise_server_error(PGresult *res, const char *sql, int offset)
{
	char	   *state = copy_field(res, PG_DIAG_SQLSTATE);
	char	   *primary = copy_field(res, PG_DIAG_MESSAGE_PRIMARY);
	char	   *detail = copy_field(res, PG_DIAG_MESSAGE_DETAIL);
	char	   *hint = copy_field(res, PG_DIAG_MESSAGE_HINT);
	char	   *context = copy_field(res, PG_DIAG_CONTEXT);
	char	   *pos = copy_field(res, PG_DIAG_STATEMENT_POSITION);
	char	   *schema = copy_field(res, PG_DIAG_SCHEMA_NAME);
	char	   *table = copy_field(res, PG_DIAG_TABLE_NAME);
	char	   *column = copy_field(res, PG_DIAG_COLUMN_NAME);
	char	   *datatype = copy_field(res, PG_DIAG_DATATYPE_NAME);
	char	   *constraint = copy_field(res, PG_DIAG_CONSTRAINT_NAME);
	int			position = pos ? atoi(pos) - offset : 0;

	if (primary == NULL)
		primary = chomp(bgw_pq.PQresultErrorMessage(res));
	bgw_pq.PQclear(res);
	db_busy = 0;

	ereport(ERROR,
			errcode(sqlstate_code(state)),
			errmsg_internal("%s", primary),
			detail ? errdetail_internal("%s", detail) : 0,
			hint ? errhint("%s", hint) : 0,
			position > 0 && sql ? internalerrposition(position) : 0,
			position > 0 && sql ? internalerrquery(sql) : 0,
			context ? errcontext("%s", context) : 0,
			position <= 0 && sql ? errcontext("SQL statement \"%s\"", sql) : 0,
			schema ? err_generic_string(PG_DIAG_SCHEMA_NAME, schema) : 0,
			table ? err_generic_string(PG_DIAG_TABLE_NAME, table) : 0,
			column ? err_generic_string(PG_DIAG_COLUMN_NAME, column) : 0,
			datatype ? err_generic_string(PG_DIAG_DATATYPE_NAME, datatype) : 0,
			constraint ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, constraint) : 0);
}

/*
 * Before the first statement of a transaction: if the server closed the
 * connection while we were idle (it says so, then closes the socket),
 * make a new one.  Costs one poll(2) when the connection is fine.
 */
static void
ensure_alive(void)
{
	struct pollfd pfd;

	if (bgw_pq.PQstatus(bgw_db_conn) == CONNECTION_OK)
	{
		pfd.fd = bgw_pq.PQsocket(bgw_db_conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) <= 0)
			return;
		if (bgw_pq.PQconsumeInput(bgw_db_conn) &&
			bgw_pq.PQstatus(bgw_db_conn) == CONNECTION_OK)
		{
			/* something harmless (a notice, a parameter change) */
			PGresult   *res;

			while (!bgw_pq.PQisBusy(bgw_db_conn) &&
				   (res = bgw_pq.PQgetResult(bgw_db_conn)) != NULL)
			{
				if (bgw_pq.PQresultStatus(res) == PGRES_FATAL_ERROR)
				{
					bgw_pq.PQclear(res);
					goto reconnect;
				}
				bgw_pq.PQclear(res);
			}
			if (bgw_pq.PQstatus(bgw_db_conn) == CONNECTION_OK)
				return;
		}
	}
reconnect:
	reconnect();
}

/*
 * Send st (after begin, if not NULL) and collect its result.  Returns the
 * statement's (last) result, or NULL with *err set to the first error
 * result, or NULL with *lost true when the connection went away (then
 * *err may hold the server's last word).  *offset is what was put before
 * the statement's text.
 */
static PGresult *
send_and_collect(const BgwStatement *st, const char *begin, PGresult **err,
				 bool *lost, int *offset)
{
	PGconn	   *conn = bgw_db_conn;
	BgwPrepared *prep = st->prepared;
	bool		parse_first = prep != NULL && prep->generation != bgw_db_generation;
	bool		pipeline = (st->nparams > 0 || prep != NULL);
	char	   *text = NULL;
	bool		ok;
	PGresult   *last = NULL;
	int			index = 0;

	*err = NULL;
	*lost = false;
	*offset = 0;
	if (!pipeline)
	{
		if (begin != NULL)
		{
			text = psprintf("%s;%s", begin, st->sql);
			*offset = strlen(begin) + 1;
		}
		ok = bgw_pq.PQsendQuery(conn, text ? text : st->sql);
	}
	else
	{
		ok = bgw_pq.PQenterPipelineMode(conn);
		if (ok && begin != NULL)
			ok = bgw_pq.PQsendQueryParams(conn, begin, 0, NULL, NULL, NULL, NULL, 0);
		if (ok && parse_first)
			ok = bgw_pq.PQsendPrepare(conn, prep->name, st->sql, st->nparams,
									  st->paramtypes);
		if (ok && prep != NULL)
			ok = bgw_pq.PQsendQueryPrepared(conn, prep->name, st->nparams,
											st->paramvalues, NULL, NULL, 0);
		else if (ok)
			ok = bgw_pq.PQsendQueryParams(conn, st->sql, st->nparams, st->paramtypes,
										  st->paramvalues, NULL, NULL, 0);
		if (ok)
			ok = bgw_pq.PQpipelineSync(conn);
	}
	if (text)
		pfree(text);
	if (!ok)
	{
		*lost = true;
		return NULL;
	}

	/*
	 * Collect the results: the statement's (the last one's, for several
	 * statements), the first error, and nothing of the BEGIN.
	 */
	for (;;)
	{
		PGresult   *res = next_result();
		ExecStatusType status;

		if (res == NULL)
		{
			if (!pipeline || bgw_pq.PQstatus(conn) != CONNECTION_OK)
				break;
			continue;			/* the end of one command of the pipeline */
		}
		status = bgw_pq.PQresultStatus(res);
		if (status == PGRES_PIPELINE_SYNC)
		{
			bgw_pq.PQclear(res);
			break;
		}
		if (status == PGRES_FATAL_ERROR && *err == NULL)
			*err = res;
		else if ((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) &&
				 !(begin != NULL && index == 0) && *err == NULL)
		{
			if (last)
				bgw_pq.PQclear(last);
			last = res;
		}
		else
			bgw_pq.PQclear(res);
		index++;
	}
	if (pipeline && bgw_pq.PQstatus(conn) == CONNECTION_OK)
		bgw_pq.PQexitPipelineMode(conn);
	if (bgw_pq.PQstatus(conn) != CONNECTION_OK)
		*lost = true;
	else if (*err != NULL)
	{
		/* a FATAL from the server ends the session even before EOF is seen */
		const char *sev = bgw_pq.PQresultErrorField(*err, PG_DIAG_SEVERITY_NONLOCALIZED);

		if (sev != NULL && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
			*lost = true;
	}
	if (*lost || *err != NULL)
	{
		/*
		 * Whether the Parse went through is unknown: the next execution
		 * parses again, under a new name.
		 */
		if (parse_first)
			bgw_prepared_init(prep);
		if (last)
			bgw_pq.PQclear(last);
		return NULL;
	}
	if (prep != NULL)
		prep->generation = bgw_db_generation;
	return last;
}

void
bgw_prepared_init(BgwPrepared *prep)
{
	static uint32 counter = 0;

	snprintf(prep->name, sizeof(prep->name), "bgw_spi_plan_%u", ++counter);
	prep->generation = 0;
}

/*
 * Run st.  When the connection is lost during the first statement of a
 * transaction (or a statement outside any), nothing the statement did
 * can have been committed (its BEGIN went with it), so the worker
 * reconnects and sends it again, once; a connection lost later in a
 * transaction is FATAL.
 */
PGresult *
bgw_db_run(const BgwStatement *st)
{
	const char *begin = NULL;
	PGresult   *res = NULL;
	PGresult   *err = NULL;
	bool		lost = false;
	bool		retryable;
	int			offset = 0;

	bgw_db_require_connection("SQL execution");
	if (st->in_transaction)
		begin = bgw_xact_begin_due();
	retryable = (begin != NULL || !st->in_transaction);
	if (retryable)
		ensure_alive();

	db_busy++;
	latch_was_set = false;
	for (int attempt = 0;; attempt++)
	{
		res = send_and_collect(st, begin, &err, &lost, &offset);
		if (begin != NULL)
			bgw_xact_begin_sent();
		if (!lost || !retryable || attempt > 0)
			break;
		if (err)
			bgw_pq.PQclear(err);
		err = NULL;
		reconnect();
		if (st->in_transaction)
			begin = bgw_xact_begin_due();
	}
	if (lost)
		connection_lost(err);
	db_busy--;
	if (latch_was_set)
		SetLatch(MyLatch);

	if (err != NULL)
	{
		if (st->in_transaction && bgw_pq.PQtransactionStatus(bgw_db_conn) == PQTRANS_IDLE)
			bgw_xact_connection_lost(); /* the BEGIN itself failed */
		raise_server_error(err, st->sql, offset);
	}
	if (res == NULL)
		elog(ERROR, "the database server returned no result for \"%s\"", st->sql);
	return res;
}

void
bgw_db_command(const char *sql)
{
	BgwStatement st = {0};

	st.sql = sql;
	st.in_transaction = true;
	bgw_pq.PQclear(bgw_db_run(&st));
}

char *
bgw_db_lookup(const char *sql, const char *param)
{
	BgwStatement st = {0};
	const char *values[1];
	PGresult   *res;
	char	   *result = NULL;

	values[0] = param;
	st.sql = sql;
	st.nparams = param ? 1 : 0;
	st.paramvalues = values;
	st.in_transaction = IsTransactionState();
	res = bgw_db_run(&st);
	if (bgw_pq.PQntuples(res) > 0 && !bgw_pq.PQgetisnull(res, 0, 0))
		result = pstrdup(bgw_pq.PQgetvalue(res, 0, 0));
	bgw_pq.PQclear(res);
	return result;
}

/* ---- BackgroundWorkerInitializeConnection ---- */

/* What the connection's server says about itself, one round trip. */
static void
load_identity(void)
{
	BgwStatement st = {0};
	PGresult   *res;

	st.sql = "SELECT d.oid, r.oid, pg_catalog.pg_is_in_recovery() "
		"FROM pg_catalog.pg_database d, pg_catalog.pg_roles r "
		"WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database() "
		"AND r.rolname OPERATOR(pg_catalog.=) CURRENT_USER";
	res = bgw_db_run(&st);
	if (bgw_pq.PQntuples(res) == 1)
	{
		MyDatabaseId = (Oid) strtoul(bgw_pq.PQgetvalue(res, 0, 0), NULL, 10);
		session_user_oid = (Oid) strtoul(bgw_pq.PQgetvalue(res, 0, 1), NULL, 10);
		server_in_recovery = bgw_pq.PQgetvalue(res, 0, 2)[0] == 't';
	}
	bgw_pq.PQclear(res);
	if (MyProc != NULL)
	{
		MyProc->databaseId = MyDatabaseId;
		MyProc->roleId = session_user_oid;
	}
}

/* PostgreSQL's checks before a worker may connect. */
static void
check_may_connect(void)
{
	if (MyBgworkerEntry == NULL ||
		(MyBgworkerEntry->bgw_flags & BGWORKER_BACKEND_DATABASE_CONNECTION) == 0)
		ereport(FATAL,
				errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				errmsg("database connection requirement not indicated during registration"));
	if (bgw_db_conn != NULL)
		ereport(ERROR,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("background worker \"%s\" is already connected to a database",
					   MyBgworkerEntry->bgw_name));
}

static void
connect_and_register(const char *dbname, const char *username)
{
	static bool exit_registered = false;
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	requested_dbname = dbname ? pstrdup(dbname) : NULL;
	requested_user = username ? pstrdup(username) : NULL;
	MemoryContextSwitchTo(old);
	if (!exit_registered)
	{
		on_proc_exit(db_at_exit, (Datum) 0);
		exit_registered = true;
	}
	connect_server(requested_dbname, requested_user);
	load_identity();
	ereport(DEBUG1,
			errmsg_internal("background worker \"%s\" connected to database \"%s\" as role \"%s\"",
							MyBgworkerEntry->bgw_name, bgw_pq.PQdb(bgw_db_conn),
							bgw_pq.PQuser(bgw_db_conn)));
}

/*
 * The flags BGWORKER_BYPASS_ALLOWCONN and BGWORKER_BYPASS_ROLELOGINCHECK
 * cannot be honoured: the server decides who may connect.
 */
void
BackgroundWorkerInitializeConnection(const char *dbname, const char *username,
									 uint32 flags)
{
	check_may_connect();
	connect_and_register(dbname, username);
}

/*
 * The OIDs are the server's: the worker first connects as the
 * configuration says, looks the names up (pg_database, pg_roles), and
 * reconnects with them if they differ.
 */
void
BackgroundWorkerInitializeConnectionByOid(Oid dboid, Oid useroid, uint32 flags)
{
	char	   *dbname = NULL;
	char	   *username = NULL;
	char		buf[16];

	check_may_connect();
	connect_and_register(NULL, NULL);
	if (OidIsValid(dboid))
	{
		snprintf(buf, sizeof(buf), "%u", dboid);
		dbname = bgw_db_lookup("SELECT datname FROM pg_catalog.pg_database WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid", buf);
		if (dbname == NULL)
			ereport(FATAL,
					errcode(ERRCODE_UNDEFINED_DATABASE),
					errmsg("database %u does not exist", dboid));
	}
	if (OidIsValid(useroid))
	{
		snprintf(buf, sizeof(buf), "%u", useroid);
		username = bgw_db_lookup("SELECT rolname FROM pg_catalog.pg_roles WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid", buf);
		if (username == NULL)
			ereport(FATAL,
					errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
					errmsg("role with OID %u does not exist", useroid));
	}
	if ((dbname && strcmp(dbname, bgw_pq.PQdb(bgw_db_conn)) != 0) ||
		(username && strcmp(username, bgw_pq.PQuser(bgw_db_conn)) != 0))
	{
		bgw_pq.PQfinish(bgw_db_conn);
		bgw_db_conn = NULL;
		free_wait_set();
		connect_and_register(dbname, username);
	}
	else
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		requested_dbname = dbname ? pstrdup(dbname) : NULL;
		requested_user = username ? pstrdup(username) : NULL;
		MemoryContextSwitchTo(old);
	}
}

/* ---- what PostgreSQL answers from its catalogs ---- */

Oid
GetUserId(void)
{
	return session_user_oid;
}

Oid
GetOuterUserId(void)
{
	return session_user_oid;
}

Oid
GetSessionUserId(void)
{
	return session_user_oid;
}

Oid
GetAuthenticatedUserId(void)
{
	return session_user_oid;
}

void
GetUserIdAndSecContext(Oid *userid, int *sec_context)
{
	*userid = session_user_oid;
	*sec_context = 0;
}

void
SetUserIdAndSecContext(Oid userid, int sec_context)
{
	/* one role per connection: SET ROLE is SQL */
}

Oid
get_database_oid(const char *dbname, bool missing_ok)
{
	char	   *v;

	bgw_db_require_connection("get_database_oid");
	v = bgw_db_lookup("SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) $1", dbname);
	if (v == NULL && !missing_ok)
		ereport(ERROR,
				errcode(ERRCODE_UNDEFINED_DATABASE),
				errmsg("database \"%s\" does not exist", dbname));
	return v ? (Oid) strtoul(v, NULL, 10) : InvalidOid;
}

char *
get_database_name(Oid dbid)
{
	char		buf[16];

	if (bgw_db_conn == NULL)
		return NULL;
	if (dbid == MyDatabaseId && OidIsValid(dbid))
		return pstrdup(bgw_pq.PQdb(bgw_db_conn));
	snprintf(buf, sizeof(buf), "%u", dbid);
	return bgw_db_lookup("SELECT datname FROM pg_catalog.pg_database WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid", buf);
}

Oid
get_role_oid(const char *rolname, bool missing_ok)
{
	char	   *v;

	bgw_db_require_connection("get_role_oid");
	v = bgw_db_lookup("SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) $1", rolname);
	if (v == NULL && !missing_ok)
		ereport(ERROR,
				errcode(ERRCODE_UNDEFINED_OBJECT),
				errmsg("role \"%s\" does not exist", rolname));
	return v ? (Oid) strtoul(v, NULL, 10) : InvalidOid;
}

Oid
get_role_oid_or_public(const char *rolname)
{
	if (strcmp(rolname, "public") == 0)
		return ACL_ID_PUBLIC;
	return get_role_oid(rolname, false);
}

/*
 * With a connection, the server's role names and superuser flags; without
 * one, the process owner (the runtime's defaults in globals.c, which these
 * replace at link time).
 */
char *
GetUserNameFromId(Oid roleid, bool noerr)
{
	char		buf[16];
	char	   *v;

	if (bgw_db_conn == NULL)
	{
		const char *name = getenv("USER");

		return pstrdup(name ? name : "bgworker");
	}
	if (roleid == session_user_oid)
		return pstrdup(bgw_pq.PQuser(bgw_db_conn));
	snprintf(buf, sizeof(buf), "%u", roleid);
	v = bgw_db_lookup("SELECT rolname FROM pg_catalog.pg_roles WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid", buf);
	if (v == NULL && !noerr)
		ereport(ERROR,
				errcode(ERRCODE_UNDEFINED_OBJECT),
				errmsg("invalid role OID: %u", roleid));
	return v;
}

bool
superuser_arg(Oid roleid)
{
	char		buf[16];
	char	   *v;

	if (bgw_db_conn == NULL)
		return true;
	snprintf(buf, sizeof(buf), "%u", roleid);
	v = bgw_db_lookup("SELECT rolsuper FROM pg_catalog.pg_roles WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid", buf);
	return v != NULL && v[0] == 't';
}

bool
superuser(void)
{
	if (bgw_db_conn == NULL)
		return true;
	return superuser_arg(session_user_oid);
}

/*
 * The server's answer.  Once a server has left recovery it does not
 * return to it for the life of the connection, so only "true" is asked
 * again.  Without a connection: false (the host's own standby phase is
 * seen through the workers' start times).
 */
bool
RecoveryInProgress(void)
{
	char	   *v;

	if (bgw_db_conn == NULL || !server_in_recovery)
		return false;
	v = bgw_db_lookup("SELECT pg_catalog.pg_is_in_recovery()", NULL);
	server_in_recovery = (v != NULL && v[0] == 't');
	return server_in_recovery;
}

/*
 * The statistics of what a worker's connection does are the server's
 * (pg_stat_user_tables and friends); there is nothing to flush here.
 */
long
pgstat_report_stat(bool force)
{
	return 0;
}
