/*-------------------------------------------------------------------------
 *
 * envprobe.c
 *	  Test module: one worker that logs what the service manager's
 *	  variables look like from inside a worker ("envprobe NOTIFY_SOCKET=...
 *	  WATCHDOG_USEC=... WATCHDOG_PID=...", "(unset)" when absent), then
 *	  waits until it is told to stop.  The host must not pass them on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "tcop/tcopprot.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void envprobe_main(Datum main_arg);

static const char *
env_or_unset(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "(unset)";
}

void
_PG_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "envprobe");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "envprobe_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "envprobe");
	RegisterBackgroundWorker(&worker);
}

void
envprobe_main(Datum main_arg)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	elog(LOG, "envprobe NOTIFY_SOCKET=%s WATCHDOG_USEC=%s WATCHDOG_PID=%s",
		 env_or_unset("NOTIFY_SOCKET"), env_or_unset("WATCHDOG_USEC"),
		 env_or_unset("WATCHDOG_PID"));
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}
