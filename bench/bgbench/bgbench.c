/*-------------------------------------------------------------------------
 *
 * bgbench.c
 *	  The benchmark module.  Ordinary PostgreSQL background-worker code that
 *	  compiles unchanged against bgworker's include/ and PostgreSQL 15's
 *	  server headers, so that the same scenarios run in both hosts.
 *
 *	  Every measured event is written by the process it happens in, as one
 *	  line appended with a single write() to the file named by bgbench.events:
 *
 *		EVENT IDX PID MICROSECONDS [VALUES...]
 *
 *	  MICROSECONDS is CLOCK_REALTIME, so the driver can compare it with its
 *	  own clock, and the figures do not depend on how fast a log is written.
 *
 *	  bgbench.mode selects what _PG_init registers:
 *
 *	  fleet	    bgbench.workers static workers ("start" when each runs).
 *				On SIGHUP a worker reads the file bgbench.events + ".action"
 *				and does what it says, once: exit1, exit2, segv, abort or
 *				_exit ("trigger" first).  SIGTERM ends it with exit code 0.
 *				Workers 0 .. bgbench.exit1_workers - 1 exit with code 1
 *				bgbench.exit1_after_ms after each start, so that they restart
 *				every bgbench.restart_time seconds for as long as the host runs.
 *				With bgbench.chatter_kb_per_sec > 0, the last worker logs
 *				1 kB records at that rate instead of sleeping (a worker that
 *				floods the server log).
 *	  pingpong  two workers bounce bgbench.rounds latch wake-ups; the pinger
 *				writes "pingpong 0 PID US MEAN_NS P50_NS P99_NS".
 *	  dynamic   one launcher registers, waits for, terminates and waits out
 *				bgbench.rounds dynamic workers, one at a time, and writes
 *				"dyn I PID US T_REG T_STARTED T_TERM T_STOPPED" per round;
 *				each dynamic worker writes "dynrun I PID US" as its first act.
 *				As modules of this kind do (test_shm_mq, pg_cron), the
 *				launcher installs its own SIGUSR1 handler (setting its latch)
 *				and keeps its state in shared memory under an LWLock of its
 *				own tranche, which it takes around each registration and
 *				start, and which each dynamic worker takes when it starts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void bgbench_fleet_main(Datum main_arg);
PGDLLEXPORT void bgbench_ping_main(Datum main_arg);
PGDLLEXPORT void bgbench_launcher_main(Datum main_arg);
PGDLLEXPORT void bgbench_dyn_main(Datum main_arg);

/* GUCs */
static int	bench_workers = 1;
static int	bench_restart_time = 1;
static int	bench_rounds = 100000;
static int	bench_exit1_workers = 0;
static int	bench_exit1_after_ms = 1000;
static int	bench_chatter_kb_per_sec = 0;
static char *bench_events = NULL;
static char *bench_mode = NULL;

/*
 * Shared state of the ping-pong pair.  Each worker publishes its own latch
 * pointer; only the pinger writes ping and only the ponger writes pong.
 * Each write is followed by a barrier (inside SetLatch) before the other side
 * is woken.
 */
typedef struct BenchShared
{
	Latch	   *latch[2];		/* pinger's and ponger's MyLatch */
	volatile uint64 ping;		/* round the pinger asks for */
	volatile uint64 pong;		/* last round the ponger answered */
	/* the dynamic launcher's state, under lock */
	LWLock	   *lock;			/* the "bgbench" tranche's lock */
	int			round;			/* the round being started */
	pid_t		worker_pid;		/* its worker, once started */
	int			seen;			/* rounds whose worker looked at the state */
} BenchShared;

static BenchShared *bench_shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static int	events_fd = -1;

static int64
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Append one event line; "rest" is extra values, already formatted.  The
 * time is taken by the caller, so that what the line costs is not counted.
 */
static void
emit(const char *event, int idx, int64 us, const char *rest)
{
	char		line[256];
	int			len;

	if (events_fd < 0)
	{
		if (bench_events == NULL || bench_events[0] == '\0')
			return;
		events_fd = open(bench_events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
		if (events_fd < 0)
			return;
	}
	len = snprintf(line, sizeof(line), "%s %d %d %lld%s%s\n", event, idx,
				   (int) MyProcPid, (long long) us, rest ? " " : "", rest ? rest : "");
	if (len > 0 && len < (int) sizeof(line))
		(void) !write(events_fd, line, len);
}

static void
bench_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(BenchShared)));
	RequestNamedLWLockTranche("bgbench", 1);
}

static void
bench_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	bench_shared = ShmemInitStruct("bgbench", sizeof(BenchShared), &found);
	if (!found)
	{
		memset(bench_shared, 0, sizeof(BenchShared));
		bench_shared->lock = &(GetNamedLWLockTranche("bgbench"))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

static void
fill_worker(BackgroundWorker *w, const char *function, const char *name, int idx)
{
	memset(w, 0, sizeof(*w));
	w->bgw_flags = BGWORKER_SHMEM_ACCESS;
	w->bgw_start_time = BgWorkerStart_PostmasterStart;
	w->bgw_restart_time = bench_restart_time;
	snprintf(w->bgw_library_name, BGW_MAXLEN, "bgbench");
	snprintf(w->bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(w->bgw_name, BGW_MAXLEN, "bgbench %s %d", name, idx);
	snprintf(w->bgw_type, BGW_MAXLEN, "bgbench %s", name);
	w->bgw_main_arg = Int32GetDatum(idx);
}

void
_PG_init(void)
{
	BackgroundWorker worker;
	int			i;

	DefineCustomIntVariable("bgbench.workers", "Static workers in fleet mode.", NULL,
							&bench_workers, 1, 0, 100000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bgbench.restart_time", "bgw_restart_time of every worker (s).",
							NULL, &bench_restart_time, 1, 0, 3600, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bgbench.rounds", "Ping-pong round trips or dynamic workers.",
							NULL, &bench_rounds, 100000, 1, 10000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bgbench.exit1_workers",
							"Fleet workers (the first ones) that exit with code 1 after running bgbench.exit1_after_ms.",
							NULL, &bench_exit1_workers, 0, 0, 100000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bgbench.exit1_after_ms", "How long those workers run before exiting (ms).",
							NULL, &bench_exit1_after_ms, 1000, 0, 3600000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("bgbench.chatter_kb_per_sec",
							"In fleet mode, the last worker logs 1 kB records at this rate.",
							NULL, &bench_chatter_kb_per_sec, 0, 0, 10000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("bgbench.events", "File the workers append events to.", NULL,
							   &bench_events, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("bgbench.mode", "fleet, pingpong or dynamic.", NULL,
							   &bench_mode, "fleet", PGC_POSTMASTER, 0, NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = bench_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = bench_shmem_startup;

	if (strcmp(bench_mode, "pingpong") == 0)
	{
		for (i = 0; i < 2; i++)
		{
			fill_worker(&worker, "bgbench_ping_main", "ping", i);
			RegisterBackgroundWorker(&worker);
		}
	}
	else if (strcmp(bench_mode, "dynamic") == 0)
	{
		fill_worker(&worker, "bgbench_launcher_main", "launcher", 0);
		RegisterBackgroundWorker(&worker);
	}
	else if (strcmp(bench_mode, "fleet") == 0)
	{
		for (i = 0; i < bench_workers; i++)
		{
			fill_worker(&worker, "bgbench_fleet_main", "fleet", i);
			RegisterBackgroundWorker(&worker);
		}
	}
	else
		ereport(ERROR,
				(errmsg("invalid value for parameter \"bgbench.mode\": \"%s\"", bench_mode),
				 errhint("Valid values are fleet, pingpong and dynamic.")));
}

/* Reads the action the driver left next to the events file. */
static void
read_action(char *buf, size_t size)
{
	char		path[MAXPGPATH];
	int			fd;
	ssize_t		n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s.action", bench_events);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static void
do_action(int idx, const char *action)
{
	emit("trigger", idx, now_us(), action);
	if (strcmp(action, "exit1") == 0)
		proc_exit(1);
	else if (strcmp(action, "exit2") == 0)
		proc_exit(2);
	else if (strcmp(action, "segv") == 0)
		raise(SIGSEGV);
	else if (strcmp(action, "abort") == 0)
		abort();
	else if (strcmp(action, "_exit") == 0)
		_exit(1);
}

/*
 * Log 1 kB records at bgbench.chatter_kb_per_sec until SIGTERM, paced
 * against the start time: a record is late only when the log (the pipe
 * to the collector, or stderr) makes elog wait.
 */
static void
chatter(int64 started)
{
	char		filler[1000];
	int64		sent = 0;

	memset(filler, 'c', sizeof(filler) - 1);
	filler[sizeof(filler) - 1] = '\0';
	for (;;)
	{
		int64		due = (now_us() - started) * bench_chatter_kb_per_sec / 1000000;

		if (ShutdownRequestPending)
			proc_exit(0);
		if (sent >= due)
		{
			pg_usleep(1000);
			continue;
		}
		elog(LOG, "chatter %ld %s", (long) sent, filler);
		sent++;
	}
}

void
bgbench_fleet_main(Datum main_arg)
{
	int			idx = DatumGetInt32(main_arg);
	int64		started = now_us();
	int64		exit_at = -1;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	emit("start", idx, started, NULL);
	if (idx < bench_exit1_workers)
		exit_at = started + (int64) bench_exit1_after_ms * 1000;
	if (bench_chatter_kb_per_sec > 0 && idx == bench_workers - 1)
		chatter(started);

	for (;;)
	{
		int			wait_events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;
		long		timeout = -1;

		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
			proc_exit(0);
		if (ConfigReloadPending)
		{
			char		action[32];

			ConfigReloadPending = false;
			read_action(action, sizeof(action));
			do_action(idx, action);
		}
		if (exit_at >= 0)
		{
			int64		left = exit_at - now_us();

			if (left <= 0)
				proc_exit(1);
			timeout = (long) ((left + 999) / 1000);
			wait_events |= WL_TIMEOUT;
		}
		(void) WaitLatch(MyLatch, wait_events, timeout, PG_WAIT_EXTENSION);
	}
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Sleeps until ShutdownRequestPending; for workers whose job is done. */
static void
idle_until_shutdown(void)
{
	for (;;)
	{
		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
			proc_exit(0);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
						 PG_WAIT_EXTENSION);
	}
}

/*
 * Worker 0 pings, worker 1 pongs.  The pinger waits until the ponger has
 * published its latch, warms up for 1000 rounds, then times each round
 * trip with CLOCK_MONOTONIC.
 */
void
bgbench_ping_main(Datum main_arg)
{
	int			idx = DatumGetInt32(main_arg);
	int64		started = now_us();
	volatile BenchShared *sh = bench_shared;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	sh->latch[idx] = MyLatch;
	pg_memory_barrier();
	emit("start", idx, started, NULL);

	if (idx == 1)
	{
		for (;;)
		{
			uint64		p;

			ResetLatch(MyLatch);
			if (ShutdownRequestPending)
				proc_exit(0);
			p = sh->ping;
			if (p != sh->pong)
			{
				sh->pong = p;
				SetLatch(sh->latch[0]);
				continue;
			}
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
							 PG_WAIT_EXTENSION);
		}
	}
	else
	{
		int			warmup = 1000;
		int			n = bench_rounds;
		int64	   *rtt = palloc(sizeof(int64) * n);
		int64		sum = 0;
		uint64		round;
		char		rest[128];

		while (sh->latch[1] == NULL)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			if (ShutdownRequestPending)
				proc_exit(0);
		}
		for (round = 1; round <= (uint64) (warmup + n); round++)
		{
			int64		t0 = mono_ns();

			sh->ping = round;
			SetLatch(sh->latch[1]);
			for (;;)
			{
				ResetLatch(MyLatch);
				if (sh->pong == round)
					break;
				if (ShutdownRequestPending)
					proc_exit(0);
				(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
								 PG_WAIT_EXTENSION);
			}
			if (round > (uint64) warmup)
			{
				rtt[round - warmup - 1] = mono_ns() - t0;
				sum += rtt[round - warmup - 1];
			}
		}
		qsort(rtt, n, sizeof(int64), cmp_int64);
		snprintf(rest, sizeof(rest), "%lld %lld %lld", (long long) (sum / n),
				 (long long) rtt[n / 2], (long long) rtt[(int) ((int64) n * 99 / 100)]);
		emit("pingpong", 0, now_us(), rest);
		idle_until_shutdown();
	}
}

/* SIGUSR1 from the host (bgw_notify_pid): wake the launcher's latch. */
static void
launcher_sigusr1(SIGNAL_ARGS)
{
	int			save_errno = errno;

	SetLatch(MyLatch);
	errno = save_errno;
}

void
bgbench_launcher_main(Datum main_arg)
{
	int			i;
	int64		started = now_us();

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGUSR1, launcher_sigusr1);
	BackgroundWorkerUnblockSignals();
	emit("start", 0, started, NULL);

	for (i = 0; i < bench_rounds && !ShutdownRequestPending; i++)
	{
		BackgroundWorker worker;
		BackgroundWorkerHandle *handle;
		BgwHandleStatus status;
		pid_t		pid;
		int64		t_reg, t_started, t_term, t_stopped;
		char		rest[128];

		fill_worker(&worker, "bgbench_dyn_main", "dyn", i);
		worker.bgw_restart_time = BGW_NEVER_RESTART;
		worker.bgw_notify_pid = MyProcPid;

		t_reg = now_us();
		LWLockAcquire(bench_shared->lock, LW_EXCLUSIVE);
		bench_shared->round = i;
		bench_shared->worker_pid = 0;
		LWLockRelease(bench_shared->lock);
		if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		{
			emit("dynfail", i, now_us(), "register");
			break;
		}
		status = WaitForBackgroundWorkerStartup(handle, &pid);
		if (status == BGWH_STARTED)
		{
			LWLockAcquire(bench_shared->lock, LW_EXCLUSIVE);
			bench_shared->worker_pid = pid;
			LWLockRelease(bench_shared->lock);
		}
		t_started = now_us();
		if (status != BGWH_STARTED)
		{
			emit("dynfail", i, now_us(), "startup");
			break;
		}
		t_term = now_us();
		TerminateBackgroundWorker(handle);
		status = WaitForBackgroundWorkerShutdown(handle);
		t_stopped = now_us();
		if (status != BGWH_STOPPED)
		{
			emit("dynfail", i, now_us(), "shutdown");
			break;
		}
		snprintf(rest, sizeof(rest), "%lld %lld %lld %lld", (long long) t_reg,
				 (long long) t_started, (long long) t_term, (long long) t_stopped);
		emit("dyn", i, t_stopped, rest);
		pfree(handle);
	}
	emit("dyndone", 0, now_us(), NULL);
	idle_until_shutdown();
}

void
bgbench_dyn_main(Datum main_arg)
{
	int64		started = now_us();

	emit("dynrun", DatumGetInt32(main_arg), started, NULL);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	LWLockAcquire(bench_shared->lock, LW_EXCLUSIVE);
	if (bench_shared->round == DatumGetInt32(main_arg))
		bench_shared->seen++;
	LWLockRelease(bench_shared->lock);
	idle_until_shutdown();
}
