/*-------------------------------------------------------------------------
 *
 * db_errors.c
 *	  Proof module for the error paths of database connections.  One
 *	  worker, "db_errors", restarted 1 s after exit code 1, connecting to
 *	  db_errors.database as db_errors.user (empty: libpq's default), then
 *	  by db_errors.mode:
 *	    connect  log "db_errors: connected to D as U" and wait for SIGTERM;
 *	    midxact  insert a row into db_errors_t, then run pg_sleep(60) in
 *	             the same transaction, so that the server can be stopped
 *	             while the transaction is open.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void db_errors_main(Datum main_arg);

static char *db_errors_database = NULL;
static char *db_errors_user = NULL;
static char *db_errors_mode = NULL;

void
_PG_init(void)
{
	BackgroundWorker worker;

	DefineCustomStringVariable("db_errors.database", "Database.", NULL,
							   &db_errors_database, "postgres", PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("db_errors.user", "User.", NULL,
							   &db_errors_user, "", PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("db_errors.mode", "What to do.", NULL,
							   &db_errors_mode, "connect", PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	strlcpy(worker.bgw_library_name, "db_errors", sizeof(worker.bgw_library_name));
	strlcpy(worker.bgw_function_name, "db_errors_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "db_errors", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "db_errors", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

void
db_errors_main(Datum main_arg)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(db_errors_database,
										 db_errors_user[0] ? db_errors_user : NULL, 0);
	elog(LOG, "db_errors: connected to %s as %s", get_database_name(MyDatabaseId),
		 GetUserNameFromId(GetUserId(), false));

	if (strcmp(db_errors_mode, "midxact") == 0)
	{
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		SPI_execute("CREATE TABLE IF NOT EXISTS db_errors_t (pid int)", false, 0);
		SPI_execute(psprintf("INSERT INTO db_errors_t VALUES (%d)", MyProcPid), false, 0);
		elog(LOG, "db_errors: in transaction, sleeping");
		SPI_execute("SELECT pg_sleep(60)", false, 0);
		elog(LOG, "db_errors: not reached");
	}
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, 0);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}
