/*-------------------------------------------------------------------------
 *
 * worker_db.c
 *	  Sample database worker: background workers that keep running totals
 *	  in a PostgreSQL database, written with PostgreSQL's bgworker, SPI
 *	  and transaction API only (see README.md).
 *
 *	  Worker N (worker_db.workers of them) connects to worker_db.database,
 *	  creates schema worker_db_N with tables deltas(name, value) and
 *	  totals(name, value) if they are missing, and every worker_db.naptime
 *	  seconds folds the deltas into the totals in one transaction, logging
 *	  each total that changed.  SIGHUP re-reads the configuration; SIGTERM
 *	  ends the worker (die); a lost server connection ends it with exit
 *	  code 1 and the host starts it again after worker_db.restart_interval.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void worker_db_main(Datum main_arg) pg_attribute_noreturn();

static int	worker_db_naptime = 10;
static int	worker_db_workers = 1;
static int	worker_db_restart_interval = 10;
static char *worker_db_database = NULL;

/* Run sql in the current transaction; ERROR unless it returns expect. */
static void
execute_checked(const char *sql, int expect)
{
	int			ret;

	debug_query_string = sql;
	ret = SPI_execute(sql, false, 0);
	if (ret != expect)
		elog(ERROR, "worker_db: \"%s\" returned %s", sql, SPI_result_code_string(ret));
	debug_query_string = NULL;
}

/* Create the worker's schema and tables if they are missing. */
static void
create_tables(const char *schema)
{
	char	   *sql;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "creating the worker_db tables");
	sql = psprintf("CREATE SCHEMA IF NOT EXISTS %s; "
				   "CREATE TABLE IF NOT EXISTS %s.deltas (name text NOT NULL, value bigint NOT NULL); "
				   "CREATE TABLE IF NOT EXISTS %s.totals (name text PRIMARY KEY, value bigint NOT NULL)",
				   schema, schema, schema);
	execute_checked(sql, SPI_OK_UTILITY);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* One round: fold the deltas into the totals and log what changed. */
static void
fold(SPIPlanPtr plan, const char *name)
{
	int			ret;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "folding deltas");
	ret = SPI_execute_plan(plan, NULL, NULL, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "worker_db: folding returned %s", SPI_result_code_string(ret));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *key = TextDatumGetCString(SPI_getbinval(row, desc, 1, &isnull));
		int64		value = DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull));

		elog(LOG, "%s: total of %s is now " INT64_FORMAT, name, key, value);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

void
worker_db_main(Datum main_arg)
{
	int			index = DatumGetInt32(main_arg);
	const char *name = MyBgworkerEntry->bgw_name;
	char	   *schema;
	char	   *sql;
	SPIPlanPtr	plan;
	int			naptime;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(worker_db_database, NULL, 0);

	schema = pstrdup(quote_identifier(psprintf("worker_db_%d", index)));
	create_tables(schema);
	elog(LOG, "%s: initialized with %s in database \"%s\"", name, schema,
		 get_database_name(MyDatabaseId));

	/* prepared once, kept for the life of the worker */
	sql = psprintf("WITH d AS (DELETE FROM %s.deltas RETURNING name, value) "
				   "INSERT INTO %s.totals AS t "
				   "SELECT name, sum(value) FROM d GROUP BY name "
				   "ON CONFLICT (name) DO UPDATE SET value = t.value + EXCLUDED.value "
				   "RETURNING name, value",
				   schema, schema);
	StartTransactionCommand();
	SPI_connect();
	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "worker_db: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	SPI_finish();
	CommitTransactionCommand();

	naptime = worker_db_naptime;
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 worker_db_naptime * 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (naptime != worker_db_naptime)
			{
				naptime = worker_db_naptime;
				elog(LOG, "%s: naptime is now %d s", name, naptime);
			}
		}
		fold(plan, name);
	}
}

void
_PG_init(void)
{
	BackgroundWorker worker;

	DefineCustomIntVariable("worker_db.naptime",
							"Seconds between two rounds of folding.",
							NULL, &worker_db_naptime, 10, 1, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomStringVariable("worker_db.database",
							   "Database the workers connect to.",
							   NULL, &worker_db_database, "postgres",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("worker_db.workers",
							"Number of workers.",
							NULL, &worker_db_workers, 1, 1, 100,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("worker_db.restart_interval",
							"Seconds before a worker that lost its server starts again.",
							NULL, &worker_db_restart_interval, 10, 1, 3600,
							PGC_POSTMASTER, GUC_UNIT_S, NULL, NULL, NULL);
	MarkGUCPrefixReserved("worker_db");

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = worker_db_restart_interval;
	strlcpy(worker.bgw_library_name, "worker_db", sizeof(worker.bgw_library_name));
	strlcpy(worker.bgw_function_name, "worker_db_main", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "worker_db", BGW_MAXLEN);
	for (int i = 1; i <= worker_db_workers; i++)
	{
		snprintf(worker.bgw_name, BGW_MAXLEN, "worker_db %d", i);
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
}
