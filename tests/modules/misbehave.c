/*-------------------------------------------------------------------------
 *
 * misbehave.c
 *	  Test module for the reliability suite: workers that do what a module
 *	  should not (fork children of their own, crash holding an LWLock,
 *	  scribble over the supervisor's slot array) or that end at random
 *	  (the soak).  Built with -I cshim: the scribblers reach the slot array
 *	  through the runtime's internal header, as a rogue module could.
 *
 *	  misbehave.workers = 'name:flags:restart:action, ...'
 *	    flags   s = BGWORKER_SHMEM_ACCESS, n = none
 *	    restart seconds, or "never"
 *	    action  run          wait for ever
 *	            forkchild    fork a child that sleeps, then wait for ever
 *	            forkkeep     fork a child that keeps the worker's signal
 *	                         handlers (so SIGTERM only sets its flags) and
 *	                         sleeps, then wait for ever
 *	            forkcrash    forkkeep, then (one-shot) crash with SIGSEGV
 *	            lwlock       first start: take the module's LWLock and
 *	                         crash (SIGSEGV) holding it; later starts: log
 *	                         whether the lock is free
 *	            scribbleheader  overwrite the slot array's slot count
 *	            scribbleslots   fill every free slot with garbage marked in
 *	                         use
 *	            chaos        live 5-100 ms, then exit 1, exit 2 or SIGSEGV at
 *	                         random (every start)
 *
 *	  One-shot actions wait for the file "misbehave.go" in the data
 *	  directory and happen on the first start only.  Every start logs
 *	  "misbehave NAME started pid PID".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/pmsignal.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

#include "fork_int.h"			/* the slot array: only a rogue module does this */

PG_MODULE_MAGIC;

PGDLLEXPORT void misbehave_main(Datum main_arg);

static char *workers_spec = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;

static void
misbehave_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestNamedLWLockTranche("misbehave", 1);
}

void
_PG_init(void)
{
	char	   *spec;
	char	   *item;
	char	   *saveptr = NULL;

	DefineCustomStringVariable("misbehave.workers", "Workers to register.", NULL,
							   &workers_spec, "", PGC_POSTMASTER, 0,
							   NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = misbehave_shmem_request;

	spec = pstrdup(workers_spec ? workers_spec : "");
	for (item = strtok_r(spec, ",", &saveptr); item != NULL;
		 item = strtok_r(NULL, ",", &saveptr))
	{
		BackgroundWorker worker;
		char		name[64], flags[8], restart[16], action[32];

		while (*item == ' ')
			item++;
		if (sscanf(item, "%63[^:]:%7[^:]:%15[^:]:%31s",
				   name, flags, restart, action) != 4)
			elog(ERROR, "misbehave: bad worker spec \"%s\"", item);

		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = strcmp(flags, "s") == 0 ? BGWORKER_SHMEM_ACCESS : 0;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = strcmp(restart, "never") == 0 ?
			BGW_NEVER_RESTART : atoi(restart);
		snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "misbehave");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "misbehave_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "misbehave %s", name);
		snprintf(worker.bgw_type, BGW_MAXLEN, "misbehave %s", name);
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

	snprintf(path, sizeof(path), "%s/misbehave-%s.done", DataDir, name);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Wait until the test creates DataDir/misbehave.go. */
static void
wait_for_go(void)
{
	char		go[MAXPGPATH];
	struct stat st;

	snprintf(go, sizeof(go), "%s/misbehave.go", DataDir);
	while (stat(go, &st) != 0)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* Sleep on the latch for ms milliseconds (-1: for ever), serving signals. */
static void
idle(long ms)
{
	for (;;)
	{
		int			rc;

		rc = WaitLatch(MyLatch,
					   WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (ms >= 0 ? WL_TIMEOUT : 0),
					   ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (ms >= 0 && (rc & WL_TIMEOUT))
			return;
	}
}

/*
 * A child of the worker, in the worker's process group; sleeps for ever.
 * With keep_handlers it keeps the worker's handlers, as in a careless
 * module, so a SIGTERM to its process group only sets its flags; without,
 * it takes the default actions.
 */
static void
fork_child(const char *name, bool keep_handlers)
{
	pid_t		child = fork();

	if (child < 0)
		elog(ERROR, "misbehave %s could not fork: %m", name);
	if (child == 0)
	{
		if (!keep_handlers)
		{
			sigset_t	none;

			signal(SIGTERM, SIG_DFL);
			signal(SIGQUIT, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		for (;;)
			pause();
	}
	elog(LOG, "misbehave %s child pid %d", name, (int) child);
}

static void
lwlock_action(const char *name)
{
	LWLock	   *lock = &GetNamedLWLockTranche("misbehave")[0].lock;

	if (first_time(name))
	{
		LWLockAcquire(lock, LW_EXCLUSIVE);
		elog(LOG, "misbehave %s holds the lock", name);
		wait_for_go();
		raise(SIGSEGV);
	}
	if (LWLockConditionalAcquire(lock, LW_EXCLUSIVE))
	{
		elog(LOG, "misbehave %s finds the lock free", name);
		LWLockRelease(lock);
	}
	else
		elog(LOG, "misbehave %s finds the lock busy", name);
}

/* Overwrite bytes with a simple generator (deterministic per seed). */
static void
scribble(volatile unsigned char *p, size_t n, uint32 *seed)
{
	for (size_t i = 0; i < n; i++)
	{
		*seed = *seed * 1103515245u + 12345u;
		p[i] = (unsigned char) (*seed >> 16);
	}
}

static void
scribble_action(const char *name, bool header)
{
	BackgroundWorkerArray *arr;
	uint32		seed = 42;
	int			n = 0;
	bool		found;

	if (!first_time(name))
		return;
	wait_for_go();

	/*
	 * The runtime does not export its pointer to the slot array; a rogue
	 * module finds it as any module finds a structure in shared memory,
	 * by name and size.
	 */
	arr = ShmemInitStruct("Background Worker Data",
						  offsetof(BackgroundWorkerArray, slot) +
						  max_worker_processes * sizeof(BackgroundWorkerSlot),
						  &found);
	if (!found)
		elog(ERROR, "misbehave %s finds no slot array", name);
	if (header)
	{
		arr->total_slots = 0x7eadbeef;
		elog(LOG, "misbehave %s scribbled over the slot count", name);
	}
	else
	{
		for (int i = 0; i < max_worker_processes; i++)
		{
			BackgroundWorkerSlot *s = &arr->slot[i];

			if (s->in_use)
				continue;
			scribble((volatile unsigned char *) &s->worker, sizeof(s->worker), &seed);
			scribble((volatile unsigned char *) &s->pid, sizeof(s->pid), &seed);
			pg_write_barrier();
			s->in_use = true;
			n++;
		}
		elog(LOG, "misbehave %s scribbled over %d free slots", name, n);
	}
	SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);
}

static void
chaos_action(const char *name)
{
	unsigned int seed = (unsigned int) (MyProcPid ^ time(NULL));
	int			r;

	idle(5 + rand_r(&seed) % 100);
	r = rand_r(&seed) % 100;
	if (r < 60)
		proc_exit(1);
	if (r < 85)
		proc_exit(2);
	raise(SIGSEGV);
}

void
misbehave_main(Datum main_arg)
{
	const char *name = MyBgworkerEntry->bgw_name + strlen("misbehave ");
	const char *action = MyBgworkerEntry->bgw_extra;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	elog(LOG, "misbehave %s started pid %d", name, MyProcPid);

	if (strcmp(action, "forkchild") == 0)
		fork_child(name, false);
	else if (strcmp(action, "forkkeep") == 0)
		fork_child(name, true);
	else if (strcmp(action, "forkcrash") == 0)
	{
		fork_child(name, true);
		if (first_time(name))
		{
			wait_for_go();
			raise(SIGSEGV);
		}
	}
	else if (strcmp(action, "lwlock") == 0)
		lwlock_action(name);
	else if (strcmp(action, "scribbleheader") == 0)
		scribble_action(name, true);
	else if (strcmp(action, "scribbleslots") == 0)
		scribble_action(name, false);
	else if (strcmp(action, "chaos") == 0)
		chaos_action(name);
	idle(-1);
}
