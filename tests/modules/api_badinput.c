/*-------------------------------------------------------------------------
 *
 * api_badinput.c
 *	  Proof module for bad input to the module API: misuse that PostgreSQL
 *	  answers with a particular error or log line, chosen by the
 *	  configuration parameter api_badinput.case:
 *
 *	    shmem_outside_hook    RequestAddinShmemSpace in _PG_init (FATAL)
 *	    lwlocks_outside_hook  RequestNamedLWLockTranche in _PG_init (FATAL)
 *	    register_in_worker    RegisterBackgroundWorker from a worker (LOG)
 *	    long_names            bgw_name / bgw_type / bgw_function_name filled
 *	                          to BGW_MAXLEN without a terminating NUL
 *	    guc_values            (any case) api_badinput.level and .count get
 *	                          bad values in the file; the worker reports
 *	                          what it has
 *
 *	  The worker logs "api_badinput: ..." lines and exits with code 0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_badinput_main(Datum main_arg);
PGDLLEXPORT void api_badinput_long_function_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx(Datum main_arg);

static char *badcase = NULL;
static int	level = 0;
static int	count = 5;
static bool flag = false;

static const struct config_enum_entry level_options[] = {
	{"low", 0, false},
	{"high", 1, false},
	{NULL, 0, false}
};

void
_PG_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomStringVariable("api_badinput.case", "Which misuse to perform.", NULL,
							   &badcase, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("api_badinput.level", "An enum.", NULL,
							 &level, 0, level_options, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("api_badinput.count", "An int.", NULL,
							&count, 5, 1, 10, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("api_badinput.flag", "A bool.", NULL,
							 &flag, false, PGC_SIGHUP, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("api_badinput");

	if (strcmp(badcase, "shmem_outside_hook") == 0)
		RequestAddinShmemSpace(1024);
	else if (strcmp(badcase, "lwlocks_outside_hook") == 0)
		RequestNamedLWLockTranche("api_badinput", 1);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "api_badinput", sizeof(worker.bgw_library_name));
	if (strcmp(badcase, "long_names") == 0)
	{
		/* exactly BGW_MAXLEN bytes, no terminator: the host must cut them */
		memset(worker.bgw_name, 'n', BGW_MAXLEN);
		memset(worker.bgw_type, 't', BGW_MAXLEN);
		memcpy(worker.bgw_function_name,
			   "api_badinput_long_function_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZ",
			   BGW_MAXLEN);
	}
	else
	{
		strlcpy(worker.bgw_function_name, "api_badinput_main", BGW_MAXLEN);
		strlcpy(worker.bgw_name, "api_badinput", BGW_MAXLEN);
		strlcpy(worker.bgw_type, "api_badinput", BGW_MAXLEN);
	}
	RegisterBackgroundWorker(&worker);
}

void
api_badinput_main(Datum main_arg)
{
	BackgroundWorker worker;

	BackgroundWorkerUnblockSignals();
	elog(LOG, "api_badinput: worker \"%s\" has level=%d count=%d flag=%d",
		 MyBgworkerEntry->bgw_name, level, count, (int) flag);

	if (strcmp(badcase, "register_in_worker") == 0)
	{
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = BGW_NEVER_RESTART;
		strlcpy(worker.bgw_library_name, "api_badinput", sizeof(worker.bgw_library_name));
		strlcpy(worker.bgw_function_name, "api_badinput_main", BGW_MAXLEN);
		strlcpy(worker.bgw_name, "api_badinput late", BGW_MAXLEN);
		RegisterBackgroundWorker(&worker);
		elog(LOG, "api_badinput: still running after the refused registration");
	}
	proc_exit(0);
}

/* The worker of case long_names: its function name has 95 characters. */
void
api_badinput_long_function_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx(Datum main_arg)
{
	BackgroundWorkerUnblockSignals();
	elog(LOG, "api_badinput: long names run: name length %d, type length %d, function length %d",
		 (int) strlen(MyBgworkerEntry->bgw_name), (int) strlen(MyBgworkerEntry->bgw_type),
		 (int) strlen(MyBgworkerEntry->bgw_function_name));
	proc_exit(0);
}
