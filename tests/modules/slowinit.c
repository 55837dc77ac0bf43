/*
 * slowinit.c: a test module whose _PG_init sleeps for slowinit.ms
 * milliseconds (a setting read from the environment variable
 * SLOWINIT_MS, 5000 when unset) before registering one worker, so that a
 * host takes that long to become ready. TestCtlStartWaitInterrupted uses
 * it to interrupt `bgworker start -l` while it waits.
 */
#include "postgres.h"

#include <stdlib.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void slowinit_main(Datum arg);

void
slowinit_main(Datum arg)
{
	BackgroundWorkerUnblockSignals();
	for (;;)
		pg_usleep(1000000L);
}

void
_PG_init(void)
{
	BackgroundWorker worker;
	const char *ms = getenv("SLOWINIT_MS");

	pg_usleep((ms ? atol(ms) : 5000) * 1000L);
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_PostmasterStart;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_name, BGW_MAXLEN, "slowinit");
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "slowinit");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "slowinit_main");
	RegisterBackgroundWorker(&worker);
}
