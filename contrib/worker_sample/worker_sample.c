/*-------------------------------------------------------------------------
 *
 * worker_sample.c
 *	  A small background-worker module, the one `make run` shows.
 *
 *	  Two static workers share one struct in shared memory:
 *
 *	  - the ticker wakes every worker_sample.naptime, adds one to a shared
 *	    counter under the module's LWLock, logs the tick, and every
 *	    worker_sample.report_every ticks sets the reporter's latch.  After
 *	    worker_sample.ticks_per_run ticks it exits with code 1, so the host
 *	    restarts it after its bgw_restart_time (1 s): a visible restart.
 *	  - the reporter sleeps on its latch and, when woken, reads the counter
 *	    under the same lock (shared mode) and logs how far it has come.  Its
 *	    restart time is 5 s.
 *
 *	  Both handle SIGHUP (re-read the configuration, so the GUCs below can be
 *	  changed with `bgworker reload`) and SIGTERM (leave the loop and exit
 *	  with code 0, which ends the worker for good, as at a shutdown).
 *
 *	  The code uses only PostgreSQL's background-worker API; it compiles
 *	  unchanged against bgworker's include/ and PostgreSQL 15-17's server
 *	  headers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/*
 * The shared state.  total_ticks and reporter_latch are read and written
 * only with lock held; the ticker is the only writer of total_ticks and the
 * reporter the only writer of reporter_latch.
 */
typedef struct WorkerSampleShared
{
	LWLock	   *lock;			/* our named tranche's one lock */
	int64		total_ticks;	/* ticks by every ticker since shmem init */
	int			ticker_runs;	/* how many times a ticker has started */
	Latch	   *reporter_latch; /* the running reporter's latch, or NULL */
} WorkerSampleShared;

#define WORKER_SAMPLE_NAME "worker_sample"

void		_PG_init(void);
PGDLLEXPORT void worker_sample_ticker_main(Datum main_arg) pg_attribute_noreturn();
PGDLLEXPORT void worker_sample_reporter_main(Datum main_arg) pg_attribute_noreturn();

/* GUCs */
static int	worker_sample_naptime = 1000;	/* ms */
static int	worker_sample_report_every = 5;
static int	worker_sample_ticks_per_run = 10;

static WorkerSampleShared *sample_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* Ask for our struct and one LWLock; runs in the host before shmem exists. */
static void
worker_sample_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();

	RequestAddinShmemSpace(MAXALIGN(sizeof(WorkerSampleShared)));
	RequestNamedLWLockTranche(WORKER_SAMPLE_NAME, 1);
}

/*
 * Find (or, the first time, create and initialise) the shared struct.  The
 * host calls this through shmem_startup_hook each time it creates shared
 * memory; the workers call it too, which only looks the struct up.
 */
static void
worker_sample_attach(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	sample_shared = ShmemInitStruct(WORKER_SAMPLE_NAME,
									sizeof(WorkerSampleShared), &found);
	if (!found)
	{
		memset(sample_shared, 0, sizeof(WorkerSampleShared));
		sample_shared->lock = &(GetNamedLWLockTranche(WORKER_SAMPLE_NAME))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

static void
worker_sample_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	worker_sample_attach();
}

/* Common start of both workers: signal handlers, then unblock signals. */
static void
worker_sample_worker_setup(void)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	worker_sample_attach();
}

/* Apply a pending SIGHUP; log when the naptime changed. */
static void
worker_sample_reload_if_requested(const char *who)
{
	int			old_naptime = worker_sample_naptime;

	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	if (worker_sample_naptime != old_naptime)
		elog(LOG, "%s: naptime changed from %d ms to %d ms",
			 who, old_naptime, worker_sample_naptime);
}

void
worker_sample_ticker_main(Datum main_arg)
{
	const char *who = MyBgworkerEntry->bgw_type;
	int			ticks = 0;
	int			run;

	worker_sample_worker_setup();

	LWLockAcquire(sample_shared->lock, LW_EXCLUSIVE);
	run = ++sample_shared->ticker_runs;
	LWLockRelease(sample_shared->lock);

	elog(LOG, "%s: started (run %d), ticking every %d ms",
		 who, run, worker_sample_naptime);

	while (!ShutdownRequestPending)
	{
		int			rc;
		int64		total;
		Latch	   *reporter = NULL;

		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					   worker_sample_naptime, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		worker_sample_reload_if_requested(who);

		/* A latch set by a signal is not a tick; only the timeout is. */
		if (ShutdownRequestPending || !(rc & WL_TIMEOUT))
			continue;

		ticks++;
		LWLockAcquire(sample_shared->lock, LW_EXCLUSIVE);
		total = ++sample_shared->total_ticks;
		if (total % worker_sample_report_every == 0)
			reporter = sample_shared->reporter_latch;
		LWLockRelease(sample_shared->lock);

		elog(LOG, "%s: tick %d, total ticks %lld", who, ticks, (long long) total);

		if (reporter != NULL)
			SetLatch(reporter);

		if (worker_sample_ticks_per_run > 0 && ticks >= worker_sample_ticks_per_run)
		{
			elog(LOG, "%s: %d ticks done, exiting to be restarted in %d s",
				 who, ticks, MyBgworkerEntry->bgw_restart_time);
			proc_exit(1);
		}
	}

	elog(LOG, "%s: shutting down after %d ticks", who, ticks);
	proc_exit(0);
}

/* before_shmem_exit callback: the ticker must not wake a reporter that left. */
static void
worker_sample_forget_reporter(int code, Datum arg)
{
	LWLockAcquire(sample_shared->lock, LW_EXCLUSIVE);
	if (sample_shared->reporter_latch == MyLatch)
		sample_shared->reporter_latch = NULL;
	LWLockRelease(sample_shared->lock);
}

void
worker_sample_reporter_main(Datum main_arg)
{
	const char *who = MyBgworkerEntry->bgw_type;
	int64		last_seen = 0;

	worker_sample_worker_setup();

	LWLockAcquire(sample_shared->lock, LW_EXCLUSIVE);
	sample_shared->reporter_latch = MyLatch;
	last_seen = sample_shared->total_ticks;
	LWLockRelease(sample_shared->lock);
	before_shmem_exit(worker_sample_forget_reporter, (Datum) 0);

	elog(LOG, "%s: started, total ticks so far %lld", who, (long long) last_seen);

	while (!ShutdownRequestPending)
	{
		int			rc;
		int64		total;

		/* The ticker wakes us; the timeout only bounds a silent ticker. */
		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					   60 * 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		worker_sample_reload_if_requested(who);
		if (ShutdownRequestPending)
			break;

		LWLockAcquire(sample_shared->lock, LW_SHARED);
		total = sample_shared->total_ticks;
		LWLockRelease(sample_shared->lock);

		if (total != last_seen)
			elog(LOG, "%s: total ticks %lld, %lld since the last report",
				 who, (long long) total, (long long) (total - last_seen));
		else if (rc & WL_TIMEOUT)
			elog(LOG, "%s: no tick in the last minute, total ticks %lld",
				 who, (long long) total);
		last_seen = total;
	}

	elog(LOG, "%s: shutting down", who);
	proc_exit(0);
}

/* Fill in what both registrations share. */
static void
worker_sample_fill(BackgroundWorker *worker, const char *role,
				   const char *function, int restart_time)
{
	memset(worker, 0, sizeof(BackgroundWorker));
	worker->bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker->bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker->bgw_restart_time = restart_time;
	snprintf(worker->bgw_library_name, sizeof(worker->bgw_library_name),
			 WORKER_SAMPLE_NAME);
	snprintf(worker->bgw_function_name, sizeof(worker->bgw_function_name),
			 "%s", function);
	snprintf(worker->bgw_name, sizeof(worker->bgw_name),
			 WORKER_SAMPLE_NAME " %s", role);
	snprintf(worker->bgw_type, sizeof(worker->bgw_type),
			 WORKER_SAMPLE_NAME " %s", role);
	worker->bgw_main_arg = (Datum) 0;
	worker->bgw_notify_pid = 0;
}

void
_PG_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("worker_sample must be loaded via \"shared_preload_libraries\""),
				 errhint("Add worker_sample to shared_preload_libraries and restart.")));

	DefineCustomIntVariable("worker_sample.naptime",
							"Time between two ticks of the ticker.",
							NULL,
							&worker_sample_naptime,
							1000, 10, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("worker_sample.report_every",
							"Number of ticks after which the ticker wakes the reporter.",
							NULL,
							&worker_sample_report_every,
							5, 1, INT_MAX,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("worker_sample.ticks_per_run",
							"Number of ticks after which the ticker exits to be restarted.",
							"Zero means that the ticker never exits on its own.",
							&worker_sample_ticks_per_run,
							10, 0, INT_MAX,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved(WORKER_SAMPLE_NAME);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = worker_sample_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = worker_sample_shmem_startup;

	worker_sample_fill(&worker, "ticker", "worker_sample_ticker_main", 1);
	RegisterBackgroundWorker(&worker);

	worker_sample_fill(&worker, "reporter", "worker_sample_reporter_main", 5);
	RegisterBackgroundWorker(&worker);
}
