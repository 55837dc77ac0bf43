/*
 * register_module.c
 *	  A module whose _PG_init registers good and bad static workers, for
 *	  the registration tests of fork_test.go.
 */
#include "postgres.h"

#include "fmgr.h"
#include "postmaster/bgworker.h"

PG_MODULE_MAGIC;

static void
reg(const char *name, int flags, BgWorkerStartTime start, int restart, pid_t notify)
{
	BackgroundWorker w;

	memset(&w, 0, sizeof(w));
	snprintf(w.bgw_name, BGW_MAXLEN, "%s", name);
	w.bgw_flags = flags;
	w.bgw_start_time = start;
	w.bgw_restart_time = restart;
	snprintf(w.bgw_library_name, MAXPGPATH, "register_module");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "nothing");
	w.bgw_notify_pid = notify;
	RegisterBackgroundWorker(&w);
}

void
_PG_init(void)
{
	BackgroundWorker w;

	reg("ok1", BGWORKER_SHMEM_ACCESS, BgWorkerStart_RecoveryFinished, 5, 0);
	reg("dbstart", BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION,
		BgWorkerStart_PostmasterStart, 5, 0);
	reg("dbnoshmem", BGWORKER_BACKEND_DATABASE_CONNECTION,
		BgWorkerStart_RecoveryFinished, 5, 0);
	reg("badrestart", BGWORKER_SHMEM_ACCESS, BgWorkerStart_PostmasterStart, -2, 0);
	reg("bigrestart", BGWORKER_SHMEM_ACCESS, BgWorkerStart_PostmasterStart, 86400001, 0);
	reg("maxrestart", BGWORKER_SHMEM_ACCESS, BgWorkerStart_PostmasterStart, 86400000, 0);
	reg("parallel", BGWORKER_SHMEM_ACCESS | BGWORKER_CLASS_PARALLEL,
		BgWorkerStart_PostmasterStart, 10, 0);
	reg("notify", BGWORKER_SHMEM_ACCESS, BgWorkerStart_PostmasterStart, 1, 1);

	/* every string unterminated */
	memset(&w, 'x', sizeof(w));
	w.bgw_flags = 0;
	w.bgw_start_time = BgWorkerStart_PostmasterStart;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	w.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&w);

	for (int i = 0; i < 6; i++)
	{
		char		name[16];

		snprintf(name, sizeof(name), "fill%d", i);
		reg(name, 0, BgWorkerStart_PostmasterStart, 0, 0);
	}
}

/* Called after preloading: refused. */
PGDLLEXPORT void register_late(void);
void
register_late(void)
{
	reg("late", 0, BgWorkerStart_PostmasterStart, 0, 0);
}
