/*-------------------------------------------------------------------------
 *
 * exitmatrix.c
 *	  Test module: registers the workers described by the GUC
 *	  exitmatrix.workers and makes each of them end in a chosen way, once,
 *	  so that the integration tests can check how the host treats every
 *	  kind of exit.  Written as ordinary PostgreSQL bgworker code.
 *
 *	  exitmatrix.workers = 'name:flags:restart:start:action, ...'
 *	    flags   s = BGWORKER_SHMEM_ACCESS, n = none
 *	    restart seconds, or "never"
 *	    start   p = PostmasterStart, c = ConsistentState, r = RecoveryFinished
 *	    action  run, exit0, exit1, exit2, _exit0, _exit1, segv, abort,
 *	            kill, error, fatal, panic, return, ignoreterm
 *
 *	  The action happens on the first start only (a marker file in the data
 *	  directory remembers it), and only once the file "exitmatrix.go" exists
 *	  in the data directory (the test creates it when every worker it
 *	  watches is up); later starts just run.  Every start logs
 *	  "exitmatrix NAME started pid PID".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void exitmatrix_main(Datum main_arg);

static char *workers_spec = NULL;

static bool
parse_flags(const char *s)
{
	return strcmp(s, "s") == 0;
}

void
_PG_init(void)
{
	char	   *spec;
	char	   *item;
	char	   *saveptr = NULL;

	DefineCustomStringVariable("exitmatrix.workers",
							   "Workers to register.",
							   NULL,
							   &workers_spec,
							   "",
							   PGC_POSTMASTER,
							   0,
							   NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;

	spec = pstrdup(workers_spec ? workers_spec : "");
	for (item = strtok_r(spec, ",", &saveptr); item != NULL;
		 item = strtok_r(NULL, ",", &saveptr))
	{
		BackgroundWorker worker;
		char		name[64], flags[8], restart[16], start[8], action[32];

		while (*item == ' ')
			item++;
		if (sscanf(item, "%63[^:]:%7[^:]:%15[^:]:%7[^:]:%31s",
				   name, flags, restart, start, action) != 5)
			elog(ERROR, "exitmatrix: bad worker spec \"%s\"", item);

		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = parse_flags(flags) ? BGWORKER_SHMEM_ACCESS : 0;
		worker.bgw_start_time = start[0] == 'c' ? BgWorkerStart_ConsistentState :
			start[0] == 'r' ? BgWorkerStart_RecoveryFinished :
			BgWorkerStart_PostmasterStart;
		worker.bgw_restart_time = strcmp(restart, "never") == 0 ?
			BGW_NEVER_RESTART : atoi(restart);
		snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "exitmatrix");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "exitmatrix_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "exitmatrix %s", name);
		snprintf(worker.bgw_type, BGW_MAXLEN, "exitmatrix %s", name);
		strlcpy(worker.bgw_extra, action, BGW_EXTRALEN);
		RegisterBackgroundWorker(&worker);
	}
}

/* True the first time it is called for this worker in this data directory. */
static bool
first_time(const char *name)
{
	char		path[MAXPGPATH];
	int			fd;

	snprintf(path, sizeof(path), "%s/exitmatrix-%s.done", DataDir, name);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void
exitmatrix_main(Datum main_arg)
{
	const char *name = MyBgworkerEntry->bgw_name + strlen("exitmatrix ");
	const char *action = MyBgworkerEntry->bgw_extra;

	if (strcmp(action, "ignoreterm") == 0)
		pqsignal(SIGTERM, SIG_IGN);
	else
		pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();

	{
		char		cwd[MAXPGPATH];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			strlcpy(cwd, "?", sizeof(cwd));
		elog(LOG, "exitmatrix %s started pid %d cwd %s datadir %s parent %d",
			 name, MyProcPid, cwd, DataDir, (int) getppid());
	}

	if (strcmp(action, "run") != 0 && strcmp(action, "ignoreterm") != 0)
	{
		char		go[MAXPGPATH];
		struct stat st;

		snprintf(go, sizeof(go), "%s/exitmatrix.go", DataDir);
		while (stat(go, &st) != 0)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 10, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
	}

	if (first_time(name))
	{
		if (strcmp(action, "exit0") == 0)
			proc_exit(0);
		else if (strcmp(action, "exit1") == 0)
			proc_exit(1);
		else if (strcmp(action, "exit2") == 0)
			proc_exit(2);
		else if (strcmp(action, "_exit0") == 0)
			_exit(0);
		else if (strcmp(action, "_exit1") == 0)
			_exit(1);
		else if (strcmp(action, "segv") == 0)
			raise(SIGSEGV);
		else if (strcmp(action, "abort") == 0)
			abort();
		else if (strcmp(action, "kill") == 0)
			raise(SIGKILL);
		else if (strcmp(action, "error") == 0)
			elog(ERROR, "exitmatrix %s raises an error", name);
		else if (strcmp(action, "fatal") == 0)
			ereport(FATAL, (errmsg("exitmatrix %s raises a fatal error", name)));
		else if (strcmp(action, "panic") == 0)
			elog(PANIC, "exitmatrix %s panics", name);
		else if (strcmp(action, "return") == 0)
			return;
	}

	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			elog(LOG, "exitmatrix %s reloaded", name);
		}
	}
}
