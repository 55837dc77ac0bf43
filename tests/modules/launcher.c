/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  Test module for dynamic background workers, written as ordinary
 *	  PostgreSQL bgworker code.  When preloaded it registers
 *	  launcher.launchers static "launcher N" workers, which act according
 *	  to launcher.mode:
 *
 *	    loop        launcher.count times: register a child, wait for its
 *	                start, terminate it, wait for its end; then check that
 *	                a stale handle reads STOPPED and cannot terminate the
 *	                slot's new occupant
 *	    nofree      register until RegisterDynamicBackgroundWorker fails
 *	    sanity      registrations that fail the checks raise ERROR
 *	    termbefore  register a child that cannot start yet (standby),
 *	                terminate it, wait: STOPPED, and it never ran
 *	    shutdown    on SIGTERM, register a child and wait for it: STOPPED
 *	    pmdeath     wait for a running child's end; report the status
 *	    late        start a child from library launcher.late_library
 *	    crash       first start: start a restartable and a never-restart
 *	                child, then crash (exit code 2)
 *	    scribble    damage the slot array (white box: the layout below
 *	                mirrors cshim/internal/fork_int.h) and signal the supervisor
 *	    stopped     wait for the file launcher_go in the data directory,
 *	                start a child and write its pid to launcher_started
 *	                (the test has stopped the supervisor meanwhile: the
 *	                fork server starts the child alone), then terminate
 *	                it and wait for its end
 *	    idle        nothing
 *
 *	  No launcher installs a SIGUSR1 handler: the host must wake the
 *	  waiters anyway.  Every child ("launcher_child") logs
 *	  "launcher child NAME started pid P preload P" and then, per its
 *	  bgw_extra: "wait" waits until SIGTERM, "quick" returns.
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
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
#include "handle_status.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void launcher_main(Datum main_arg);
PGDLLEXPORT void launcher_child(Datum main_arg);

static char *mode = NULL;
static char *late_library = NULL;
static int	count = 200;
static int	launchers = 1;
static int	statics = 0;

void
_PG_init(void)
{
	BackgroundWorker w;

	elog(LOG, "launcher _PG_init in pid %d preload %d", (int) getpid(),
		 process_shared_preload_libraries_in_progress ? 1 : 0);
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomStringVariable("launcher.mode", "What launchers do.", NULL,
							   &mode, "idle", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("launcher.late_library", "Library for mode late.", NULL,
							   &late_library, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("launcher.count", "Iterations.", NULL, &count, 200, 1, 100000,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("launcher.launchers", "Launchers.", NULL, &launchers, 1, 0, 64,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("launcher.statics", "Extra static quick children.", NULL, &statics,
							0, 0, 100000, PGC_POSTMASTER, 0, NULL, NULL, NULL);

	for (int i = 0; i < launchers; i++)
	{
		memset(&w, 0, sizeof(w));
		w.bgw_flags = BGWORKER_SHMEM_ACCESS;
		w.bgw_start_time = strcmp(mode, "termbefore") == 0 ?
			BgWorkerStart_ConsistentState : BgWorkerStart_RecoveryFinished;
		w.bgw_restart_time = strcmp(mode, "crash") == 0 ? 0 : BGW_NEVER_RESTART;
		snprintf(w.bgw_library_name, sizeof(w.bgw_library_name), "launcher");
		snprintf(w.bgw_function_name, BGW_MAXLEN, "launcher_main");
		snprintf(w.bgw_name, BGW_MAXLEN, "launcher %d", i);
		snprintf(w.bgw_type, BGW_MAXLEN, "launcher");
		w.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&w);
	}
	for (int i = 0; i < statics; i++)
	{
		memset(&w, 0, sizeof(w));
		w.bgw_flags = BGWORKER_SHMEM_ACCESS;
		w.bgw_start_time = BgWorkerStart_RecoveryFinished;
		w.bgw_restart_time = BGW_NEVER_RESTART;
		snprintf(w.bgw_library_name, sizeof(w.bgw_library_name), "launcher");
		snprintf(w.bgw_function_name, BGW_MAXLEN, "launcher_child");
		snprintf(w.bgw_name, BGW_MAXLEN, "static %d", i);
		snprintf(w.bgw_extra, BGW_EXTRALEN, "quiet");
		RegisterBackgroundWorker(&w);
	}
}

/* Fill a child registration that notifies us. */
static void
child_worker(BackgroundWorker *w, const char *name, const char *what, int restart)
{
	memset(w, 0, sizeof(*w));
	w->bgw_flags = BGWORKER_SHMEM_ACCESS;
	w->bgw_start_time = BgWorkerStart_ConsistentState;
	w->bgw_restart_time = restart;
	snprintf(w->bgw_library_name, sizeof(w->bgw_library_name), "launcher");
	snprintf(w->bgw_function_name, BGW_MAXLEN, "launcher_child");
	snprintf(w->bgw_name, BGW_MAXLEN, "%s", name);
	snprintf(w->bgw_type, BGW_MAXLEN, "launcher child");
	snprintf(w->bgw_extra, BGW_EXTRALEN, "%s", what);
	w->bgw_notify_pid = MyProcPid;
}

static void
fail(int me, const char *what, BgwHandleStatus st, int i)
{
	elog(LOG, "launcher %d FAIL %s: status %s at iteration %d", me, what, status_name(st), i);
	proc_exit(1);
}

/* Start a child and wait until it runs; returns its handle. */
static BackgroundWorkerHandle *
start_child(int me, const char *name, const char *what, int restart, pid_t *pid)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;

	child_worker(&w, name, what, restart);
	if (!RegisterDynamicBackgroundWorker(&w, &h))
	{
		elog(LOG, "launcher %d FAIL no free slot for %s", me, name);
		proc_exit(1);
	}
	st = WaitForBackgroundWorkerStartup(h, pid);
	if (st != BGWH_STARTED)
		fail(me, "startup", st, 0);
	return h;
}

static void
mode_loop(int me)
{
	BackgroundWorkerHandle *h = NULL;
	BackgroundWorkerHandle *h2;
	BgwHandleStatus st;
	pid_t		pid,
				pid2;
	char		name[BGW_MAXLEN];

	for (int i = 0; i < count; i++)
	{
		snprintf(name, sizeof(name), "child %d.%d", me, i);
		h = start_child(me, name, "wait", BGW_NEVER_RESTART, &pid);
		st = GetBackgroundWorkerPid(h, &pid2);
		if (st != BGWH_STARTED || pid2 != pid)
			fail(me, "GetBackgroundWorkerPid", st, i);
		TerminateBackgroundWorker(h);
		st = WaitForBackgroundWorkerShutdown(h);
		if (st != BGWH_STOPPED)
			fail(me, "shutdown", st, i);
		st = GetBackgroundWorkerPid(h, &pid2);
		if (st != BGWH_STOPPED)
			fail(me, "GetBackgroundWorkerPid after shutdown", st, i);
	}
	elog(LOG, "launcher %d loop done %d", me, count);

	/* A stale handle: the slot's next occupant is not affected by it. */
	h2 = start_child(me, "child stale check", "wait", BGW_NEVER_RESTART, &pid);
	st = GetBackgroundWorkerPid(h, &pid2);
	if (st != BGWH_STOPPED)
		fail(me, "stale handle", st, 0);
	TerminateBackgroundWorker(h);
	pg_usleep(100000);
	st = GetBackgroundWorkerPid(h2, &pid2);
	if (st != BGWH_STARTED || pid2 != pid)
		fail(me, "stale terminate", st, 0);
	TerminateBackgroundWorker(h2);
	st = WaitForBackgroundWorkerShutdown(h2);
	if (st != BGWH_STOPPED)
		fail(me, "stale shutdown", st, 0);
	elog(LOG, "launcher %d stale ok", me);
}

static void
mode_stopped(int me)
{
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	struct stat sb;
	pid_t		pid;
	char		buf[32];
	int			fd;
	int			len;

	elog(LOG, "launcher %d stopped waiting", me);
	while (stat("launcher_go", &sb) != 0)
		pg_usleep(10000);
	h = start_child(me, "child stopped", "wait", BGW_NEVER_RESTART, &pid);
	len = snprintf(buf, sizeof(buf), "%d\n", (int) pid);
	fd = open("launcher_started.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != len || close(fd) != 0 ||
		rename("launcher_started.tmp", "launcher_started") != 0)
		fail(me, "writing launcher_started", BGWH_STARTED, 0);
	TerminateBackgroundWorker(h);
	st = WaitForBackgroundWorkerShutdown(h);
	if (st != BGWH_STOPPED)
		fail(me, "shutdown", st, 0);
	elog(LOG, "launcher %d stopped ok %d", me, (int) pid);
}

static void
mode_nofree(int me)
{
	BackgroundWorkerHandle *hs[1024];
	int			n = 0;
	BackgroundWorker w;
	pid_t		pid;
	char		name[BGW_MAXLEN];

	for (;;)
	{
		snprintf(name, sizeof(name), "child nofree %d", n);
		child_worker(&w, name, "wait", BGW_NEVER_RESTART);
		if (n == lengthof(hs) || !RegisterDynamicBackgroundWorker(&w, &hs[n]))
			break;
		n++;
	}
	elog(LOG, "launcher %d nofree registered %d", me, n);
	for (int i = 0; i < n; i++)
	{
		BgwHandleStatus st = WaitForBackgroundWorkerStartup(hs[i], &pid);

		if (st != BGWH_STARTED)
			fail(me, "nofree startup", st, i);
	}
	for (int i = 0; i < n; i++)
		TerminateBackgroundWorker(hs[i]);
	for (int i = 0; i < n; i++)
	{
		BgwHandleStatus st = WaitForBackgroundWorkerShutdown(hs[i]);

		if (st != BGWH_STOPPED)
			fail(me, "nofree shutdown", st, i);
	}
	/* every slot is free again */
	child_worker(&w, "child nofree again", "quick", BGW_NEVER_RESTART);
	if (!RegisterDynamicBackgroundWorker(&w, &hs[0]))
		fail(me, "nofree register again", BGWH_STOPPED, 0);
	WaitForBackgroundWorkerShutdown(hs[0]);
	elog(LOG, "launcher %d nofree done", me);
}

static void
try_register(int me, BackgroundWorker *w)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	PG_TRY();
	{
		bool		ok = RegisterDynamicBackgroundWorker(w, NULL);

		elog(LOG, "launcher %d sanity no error (returned %d)", me, ok ? 1 : 0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		elog(LOG, "launcher %d sanity caught: %s", me, edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

static void
mode_sanity(int me)
{
	BackgroundWorker w;

	child_worker(&w, "bad restart", "quick", -5);
	try_register(me, &w);
	child_worker(&w, "bad parallel", "quick", 10);
	w.bgw_flags |= BGWORKER_CLASS_PARALLEL;
	try_register(me, &w);
	child_worker(&w, "bad database", "quick", BGW_NEVER_RESTART);
	w.bgw_flags = BGWORKER_BACKEND_DATABASE_CONNECTION;
	try_register(me, &w);
	elog(LOG, "launcher %d sanity done", me);
}

static void
mode_termbefore(int me)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	pid_t		pid;

	child_worker(&w, "child never", "wait", BGW_NEVER_RESTART);
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	if (!RegisterDynamicBackgroundWorker(&w, &h))
		fail(me, "termbefore register", BGWH_STOPPED, 0);
	pg_usleep(200000);
	st = GetBackgroundWorkerPid(h, &pid);
	elog(LOG, "launcher %d termbefore before %s", me, status_name(st));
	TerminateBackgroundWorker(h);
	st = WaitForBackgroundWorkerShutdown(h);
	elog(LOG, "launcher %d termbefore after %s", me, status_name(st));
}

static void
mode_shutdown(int me)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	pid_t		pid;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	start_child(me, "child before shutdown", "wait", BGW_NEVER_RESTART, &pid);
	elog(LOG, "launcher %d shutdown ready", me);
	while (!ShutdownRequestPending)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	child_worker(&w, "child during shutdown", "wait", BGW_NEVER_RESTART);
	if (!RegisterDynamicBackgroundWorker(&w, &h))
	{
		elog(LOG, "launcher %d shutdown register refused", me);
		return;
	}
	st = WaitForBackgroundWorkerStartup(h, &pid);
	elog(LOG, "launcher %d shutdown status %s", me, status_name(st));
}

static void
mode_pmdeath(int me)
{
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	pid_t		pid;

	h = start_child(me, "child pmdeath", "wait", BGW_NEVER_RESTART, &pid);
	elog(LOG, "launcher %d pmdeath waiting for %d", me, (int) pid);
	st = WaitForBackgroundWorkerShutdown(h);
	elog(LOG, "launcher %d pmdeath status %s", me, status_name(st));
}

static void
mode_late(int me)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	pid_t		pid;

	child_worker(&w, "child late", "quick", BGW_NEVER_RESTART);
	snprintf(w.bgw_library_name, sizeof(w.bgw_library_name), "%s", late_library);
	if (!RegisterDynamicBackgroundWorker(&w, &h))
		fail(me, "late register", BGWH_STOPPED, 0);
	elog(LOG, "launcher %d late startup %s", me, status_name(WaitForBackgroundWorkerStartup(h, &pid)));
	elog(LOG, "launcher %d late shutdown %s", me, status_name(WaitForBackgroundWorkerShutdown(h)));
}

static void
mode_crash(int me)
{
	int			fd;
	pid_t		pid;

	fd = open("launcher.crashed", O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0)
	{
		elog(LOG, "launcher %d restarted after the crash", me);
		return;
	}
	close(fd);
	start_child(me, "child keeper", "wait", 1, &pid);
	start_child(me, "child ephemeral", "wait", BGW_NEVER_RESTART, &pid);
	elog(LOG, "launcher %d crashing", me);
	_exit(2);
}

/*
 * White-box mirror of the slot array (cshim/internal/fork_int.h).  ShmemInitStruct
 * raises ERROR if the size does not match, so a layout change shows.
 */
typedef struct MirrorSlot
{
	bool		in_use;
	bool		terminate;
	uint32		claimed;
	pid_t		pid;
	uint32		start_owner;
	uint64		generation;
	BackgroundWorker worker;
} MirrorSlot;

typedef struct MirrorArray
{
	int			total_slots;
	uint32		parallel_register_count;
	uint32		parallel_terminate_count;
	uint32		fast_start;
	MirrorSlot	slot[FLEXIBLE_ARRAY_MEMBER];
} MirrorArray;

static void
mode_scribble(int me)
{
	bool		found;
	MirrorArray *arr;
	int			n = max_worker_processes;
	int			free_slots[3];
	int			nfree = 0;
	pid_t		pid;

	start_child(me, "child scribble", "wait", BGW_NEVER_RESTART, &pid);
	arr = ShmemInitStruct("Background Worker Data",
						  offsetof(MirrorArray, slot) + n * sizeof(MirrorSlot), &found);
	if (!found)
		fail(me, "scribble: no array", BGWH_STOPPED, 0);
	for (int i = 0; i < n && nfree < 3; i++)
		if (!arr->slot[i].in_use)
			free_slots[nfree++] = i;
	if (nfree < 3)
		fail(me, "scribble: not enough free slots", BGWH_STOPPED, 0);

	/* 1: strings without NUL, bad lengths everywhere */
	{
		MirrorSlot *s = &arr->slot[free_slots[0]];

		memset(&s->worker, 'X', sizeof(s->worker));
		s->worker.bgw_name[3] = '\001';
		s->generation = 77;
		s->pid = -1;
		pg_write_barrier();
		s->in_use = true;
	}
	/* 2: impossible values */
	{
		MirrorSlot *s = &arr->slot[free_slots[1]];

		memset(&s->worker, 0, sizeof(s->worker));
		strcpy(s->worker.bgw_name, "impossible");
		strcpy(s->worker.bgw_library_name, "launcher");
		strcpy(s->worker.bgw_function_name, "launcher_child");
		s->worker.bgw_start_time = (BgWorkerStartTime) 99;
		s->worker.bgw_restart_time = -7;
		s->worker.bgw_flags = 0x7fff0000;
		s->worker.bgw_notify_pid = -3;
		s->pid = 123456;
		s->generation = 78;
		pg_write_barrier();
		s->in_use = true;
	}
	/* 3: a fine-looking slot with a claimed pid that is not a child */
	{
		MirrorSlot *s = &arr->slot[free_slots[2]];

		child_worker(&s->worker, "impostor", "wait", BGW_NEVER_RESTART);
		s->pid = 1;
		s->generation = 79;
		pg_write_barrier();
		s->in_use = true;
	}
	SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);
	pg_usleep(300000);

	/* 4: the header: total_slots no longer matches max_worker_processes */
	arr->total_slots = n + 1000;
	SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);
	pg_usleep(300000);
	arr->total_slots = n;
	elog(LOG, "launcher %d scribbled", me);
}

void
launcher_main(Datum main_arg)
{
	int			me = DatumGetInt32(main_arg);

	BackgroundWorkerUnblockSignals();
	elog(LOG, "launcher %d started pid %d mode %s", me, (int) MyProcPid, mode);
	if (strcmp(mode, "loop") == 0)
		mode_loop(me);
	else if (strcmp(mode, "nofree") == 0)
		mode_nofree(me);
	else if (strcmp(mode, "sanity") == 0)
		mode_sanity(me);
	else if (strcmp(mode, "termbefore") == 0)
		mode_termbefore(me);
	else if (strcmp(mode, "shutdown") == 0)
		mode_shutdown(me);
	else if (strcmp(mode, "pmdeath") == 0)
		mode_pmdeath(me);
	else if (strcmp(mode, "late") == 0)
		mode_late(me);
	else if (strcmp(mode, "crash") == 0)
		mode_crash(me);
	else if (strcmp(mode, "scribble") == 0)
		mode_scribble(me);
	else if (strcmp(mode, "stopped") == 0)
		mode_stopped(me);

	/* stay until told to stop, so the tests can look at the host */
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
			proc_exit(0);
	}
}

void
launcher_child(Datum main_arg)
{
	if (strcmp(MyBgworkerEntry->bgw_extra, "quiet") == 0)
		return;

	/*
	 * Log before unblocking signals: the default SIGTERM handler reports
	 * FATAL from the handler, and if it interrupts another log line the
	 * host's log-time formatting (glibc localtime_r) deadlocks.  Reported
	 * to the elog area; this keeps the tests independent of it.
	 */
	elog(LOG, "launcher child %s started pid %d preload %d", MyBgworkerEntry->bgw_name,
		 (int) MyProcPid, process_shared_preload_libraries_in_progress ? 1 : 0);
	BackgroundWorkerUnblockSignals();
	if (strcmp(MyBgworkerEntry->bgw_extra, "quick") == 0)
		return;
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
