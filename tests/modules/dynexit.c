/*-------------------------------------------------------------------------
 *
 * dynexit.c
 *	  Test module for the dynamic half of the exit matrix, written as
 *	  ordinary PostgreSQL bgworker code.  When preloaded it registers one
 *	  static, never-restarted "dynexit launcher", which registers dynamic
 *	  children (bgw_notify_pid = its own pid) as dynexit.cells says and acts
 *	  according to dynexit.mode:
 *
 *	    dynexit.cells = 'name:action:restart, ...'
 *	      action   exit0, return, exit1, fatal, exit2, _exit0, segv, abort,
 *	               or wait (never acts)
 *	      restart  seconds, or "never"
 *
 *	    seq       one cell after the other (run with max_worker_processes
 *	              = 2, so that a child's slot is the only free one): start
 *	              it, tell it to act, then report what the handle says, the
 *	              SIGUSR1 notifications received, and whether the slot was
 *	              freed (a probe registration succeeds) or is still held
 *	              (the probe fails); a restarting child is waited for, then
 *	              terminated; a child still registered is terminated and its
 *	              slot checked again.
 *	    crash     start every cell, then tell the one whose action is not
 *	              "wait" to act (a crash: the whole host reinitialises)
 *	    forkfail  for a host whose clone fails: a never-restart child must
 *	              be reported STOPPED by WaitForBackgroundWorkerStartup, a
 *	              restart-1 child STARTED once retried
 *	    termrace  dynexit.cells is a count: terminate a running restartable
 *	              child that many times; after each exit notification an
 *	              immediate registration must find its slot free
 *
 *	  The launcher counts SIGUSR1 with a handler of its own (PostgreSQL
 *	  sends SIGUSR1 to bgw_notify_pid when a child starts, exits, or is
 *	  forgotten).  Each child logs "dynexit child NAME started pid P notify
 *	  N" (N: its bgw_notify_pid) before unblocking signals, then waits for
 *	  SIGUSR2 from the launcher and performs its action.  The launcher logs
 *	  "dynexit NAME <what>" lines for the test to read, and "FAIL" on any
 *	  surprise.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
#include "handle_status.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void dynexit_launcher(Datum main_arg);
PGDLLEXPORT void dynexit_child(Datum main_arg);

static char *mode = NULL;
static char *cells = NULL;

/* How long the launcher waits for a notification before it reports FAIL. */
#define NOTIFY_TIMEOUT_MS 20000

static volatile sig_atomic_t usr1_count = 0;
static volatile sig_atomic_t go_pending = false;

typedef struct Cell
{
	char		name[32];
	char		action[16];
	int			restart;
} Cell;

#define MAX_CELLS 32

void
_PG_init(void)
{
	BackgroundWorker w;

	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomStringVariable("dynexit.mode", "What the launcher does.", NULL,
							   &mode, "seq", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynexit.cells", "The children.", NULL,
							   &cells, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, sizeof(w.bgw_library_name), "dynexit");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "dynexit_launcher");
	snprintf(w.bgw_name, BGW_MAXLEN, "dynexit launcher");
	snprintf(w.bgw_type, BGW_MAXLEN, "dynexit launcher");
	RegisterBackgroundWorker(&w);
}

static int
parse_cells(Cell *out)
{
	char	   *spec = pstrdup(cells ? cells : "");
	char	   *saveptr = NULL;
	int			n = 0;

	for (char *item = strtok_r(spec, ",", &saveptr); item != NULL;
		 item = strtok_r(NULL, ",", &saveptr))
	{
		char		restart[16];

		while (*item == ' ')
			item++;
		if (n == MAX_CELLS ||
			sscanf(item, "%31[^:]:%15[^:]:%15s", out[n].name, out[n].action, restart) != 3)
			elog(ERROR, "dynexit: bad cell \"%s\"", item);
		out[n].restart = strcmp(restart, "never") == 0 ? BGW_NEVER_RESTART : atoi(restart);
		n++;
	}
	return n;
}

static void
handle_usr1(SIGNAL_ARGS)
{
	int			save_errno = errno;

	usr1_count++;
	SetLatch(MyLatch);
	errno = save_errno;
}

/* Wait until at least target SIGUSR1s arrived; false after the timeout. */
static bool
wait_usr1(int target)
{
	TimestampTz start = GetCurrentTimestamp();

	for (;;)
	{
		long		left;

		CHECK_FOR_INTERRUPTS();
		if (usr1_count >= target)
			return true;
		left = NOTIFY_TIMEOUT_MS -
			(long) ((GetCurrentTimestamp() - start) / 1000);
		if (left <= 0)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

static void
fill_child(BackgroundWorker *w, const char *name, const char *action, int restart)
{
	memset(w, 0, sizeof(*w));
	w->bgw_flags = BGWORKER_SHMEM_ACCESS;
	w->bgw_start_time = BgWorkerStart_RecoveryFinished;
	w->bgw_restart_time = restart;
	snprintf(w->bgw_library_name, sizeof(w->bgw_library_name), "dynexit");
	snprintf(w->bgw_function_name, BGW_MAXLEN, "dynexit_child");
	snprintf(w->bgw_name, BGW_MAXLEN, "dynexit %s", name);
	snprintf(w->bgw_type, BGW_MAXLEN, "dynexit %s", name);
	snprintf(w->bgw_extra, BGW_EXTRALEN, "%s", action);
	w->bgw_notify_pid = MyProcPid;
}

/*
 * Register a child and wait until it runs and its start was notified.
 * Returns NULL (after logging FAIL) if anything else happens.
 */
static BackgroundWorkerHandle *
start_child(const char *name, const char *action, int restart, pid_t *pid)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	int			before = usr1_count;

	fill_child(&w, name, action, restart);
	if (!RegisterDynamicBackgroundWorker(&w, &h))
	{
		elog(LOG, "dynexit %s FAIL no free slot", name);
		return NULL;
	}
	st = WaitForBackgroundWorkerStartup(h, pid);
	if (st != BGWH_STARTED)
	{
		elog(LOG, "dynexit %s FAIL startup status %s", name, status_name(st));
		return NULL;
	}
	if (!wait_usr1(before + 1))
	{
		elog(LOG, "dynexit %s FAIL start not notified", name);
		return NULL;
	}
	return h;
}

/*
 * Whether a registration finds a free slot: with max_worker_processes = 2
 * (this launcher and one child), only the child's slot can be free.  The
 * probe child is started, terminated and waited for, so that it leaves
 * nothing behind and its notifications are all in.
 */
static bool
probe_slot(const char *name)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	pid_t		pid;
	char		probe[40];
	int			before;

	snprintf(probe, sizeof(probe), "%s-probe", name);
	fill_child(&w, probe, "wait", BGW_NEVER_RESTART);
	before = usr1_count;
	if (!RegisterDynamicBackgroundWorker(&w, &h))
		return false;
	st = WaitForBackgroundWorkerStartup(h, &pid);
	if (st != BGWH_STARTED || !wait_usr1(before + 1))
		elog(LOG, "dynexit %s FAIL probe startup status %s", name, status_name(st));
	TerminateBackgroundWorker(h);
	st = WaitForBackgroundWorkerShutdown(h);
	if (st != BGWH_STOPPED || !wait_usr1(before + 2))
		elog(LOG, "dynexit %s FAIL probe shutdown status %s", name, status_name(st));
	return true;
}

/* probe_slot, retried for a while: for releases PostgreSQL signals first. */
static bool
probe_slot_eventually(const char *name)
{
	for (int i = 0; i < 200; i++)
	{
		if (probe_slot(name))
			return true;
		pg_usleep(10000);
	}
	return false;
}

/* Terminate a child that is still registered; wait until it is gone. */
static void
terminate_child(const char *name, BackgroundWorkerHandle *h)
{
	BgwHandleStatus st;
	int			before = usr1_count;

	TerminateBackgroundWorker(h);
	st = WaitForBackgroundWorkerShutdown(h);
	elog(LOG, "dynexit %s terminated status %s", name, status_name(st));
	if (!wait_usr1(before + 1))
		elog(LOG, "dynexit %s FAIL termination not notified", name);
	elog(LOG, "dynexit %s after terminate slot %s", name,
		 probe_slot_eventually(name) ? "free" : "held");
}

/*
 * Tell a running child to act (SIGUSR2) until its handle no longer shows
 * that pid: a signal sent before the child set its handler may be lost
 * (setting SIG_IGN at fork discards a pending signal), so it is repeated.
 */
static void
poke_until_gone(BackgroundWorkerHandle *h, pid_t pid)
{
	for (;;)
	{
		pid_t		now = 0;

		kill(pid, SIGUSR2);
		if (GetBackgroundWorkerPid(h, &now) != BGWH_STARTED || now != pid)
			return;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 200, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

static void
run_seq_cell(Cell *c)
{
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	pid_t		pid,
				pid2 = 0;
	int			before;
	bool		notified;
	bool		slot_free;

	h = start_child(c->name, c->action, c->restart, &pid);
	if (h == NULL)
		return;
	elog(LOG, "dynexit %s started pid %d", c->name, (int) pid);

	before = usr1_count;
	poke_until_gone(h, pid);
	st = WaitForBackgroundWorkerShutdown(h);
	notified = wait_usr1(before + 1);
	elog(LOG, "dynexit %s shutdown status %s notified %s", c->name, status_name(st),
		 notified ? "yes" : "no");
	st = GetBackgroundWorkerPid(h, &pid2);
	elog(LOG, "dynexit %s handle status %s", c->name, status_name(st));
	slot_free = probe_slot(c->name);
	elog(LOG, "dynexit %s slot %s", c->name, slot_free ? "free" : "held");
	if (slot_free)
	{
		elog(LOG, "dynexit %s done", c->name);
		return;
	}

	if (c->restart == 1)
	{
		/*
		 * Its restart is notified too (the exit was notification 1), after
		 * the new pid is in the slot.  WaitForBackgroundWorkerStartup would
		 * not wait: a worker waiting to restart reads STOPPED (slot pid 0).
		 */
		notified = wait_usr1(before + 2);
		st = GetBackgroundWorkerPid(h, &pid2);
		elog(LOG, "dynexit %s restart status %s pid %d notified %s", c->name,
			 status_name(st), st == BGWH_STARTED ? (int) pid2 : 0, notified ? "yes" : "no");
		if (st == BGWH_STARTED && pid2 == pid)
			elog(LOG, "dynexit %s FAIL restarted with the same pid", c->name);
	}
	terminate_child(c->name, h);
	elog(LOG, "dynexit %s done", c->name);
}

static void
mode_seq(void)
{
	Cell		cs[MAX_CELLS];
	int			n = parse_cells(cs);

	for (int i = 0; i < n; i++)
		run_seq_cell(&cs[i]);
	elog(LOG, "dynexit seq done");
}

static void
mode_crash(void)
{
	Cell		cs[MAX_CELLS];
	BackgroundWorkerHandle *hs[MAX_CELLS];
	pid_t		pids[MAX_CELLS];
	int			n = parse_cells(cs);
	int			crasher = -1;

	for (int i = 0; i < n; i++)
	{
		hs[i] = start_child(cs[i].name, cs[i].action, cs[i].restart, &pids[i]);
		if (hs[i] == NULL)
			return;
		elog(LOG, "dynexit %s started pid %d", cs[i].name, (int) pids[i]);
		if (strcmp(cs[i].action, "wait") != 0)
			crasher = i;
	}
	elog(LOG, "dynexit all started");
	if (crasher >= 0)
		poke_until_gone(hs[crasher], pids[crasher]);
}

static void
mode_forkfail(void)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *h;
	BgwHandleStatus st;
	pid_t		pid = 0;
	int			before = usr1_count;

	/* The first child's fork fails: never restarted, so STOPPED. */
	fill_child(&w, "forkfail-never", "wait", BGW_NEVER_RESTART);
	if (!RegisterDynamicBackgroundWorker(&w, &h))
	{
		elog(LOG, "dynexit forkfail FAIL no free slot");
		return;
	}
	st = WaitForBackgroundWorkerStartup(h, &pid);
	elog(LOG, "dynexit forkfail-never startup status %s notified %s", status_name(st),
		 wait_usr1(before + 1) ? "yes" : "no");
	st = GetBackgroundWorkerPid(h, &pid);
	elog(LOG, "dynexit forkfail-never handle status %s", status_name(st));

	/*
	 * The second one's first fork fails too: retried after its restart
	 * interval, and the waiter sees it start.  Its registration needs the
	 * first one's slot (max_worker_processes = 2).
	 */
	fill_child(&w, "forkfail-retry", "wait", 1);
	before = usr1_count;
	if (!RegisterDynamicBackgroundWorker(&w, &h))
	{
		elog(LOG, "dynexit forkfail-retry FAIL no free slot");
		return;
	}
	st = WaitForBackgroundWorkerStartup(h, &pid);
	elog(LOG, "dynexit forkfail-retry startup status %s pid %d notified %s", status_name(st),
		 st == BGWH_STARTED ? (int) pid : 0, wait_usr1(before + 1) ? "yes" : "no");
	if (st == BGWH_STARTED)
		terminate_child("forkfail-retry", h);
	elog(LOG, "dynexit forkfail done");
}

/*
 * PostgreSQL forgets a terminated worker before it signals the waiter
 * (ReportBackgroundWorkerExit), whatever its restart time, so that the
 * waiter may reuse the slot at once.  Terminate a running restartable child
 * dynexit.cells' count times; after each exit notification, one immediate
 * registration must find the slot free.
 */
static void
mode_termrace(void)
{
	int			rounds = atoi(cells);
	int			held = 0;

	for (int i = 0; i < rounds; i++)
	{
		BackgroundWorkerHandle *h;
		BgwHandleStatus st;
		pid_t		pid;
		int			before;

		h = start_child("termrace", "wait", 1, &pid);
		if (h == NULL)
			return;
		before = usr1_count;
		TerminateBackgroundWorker(h);
		st = WaitForBackgroundWorkerShutdown(h);
		if (st != BGWH_STOPPED || !wait_usr1(before + 1))
		{
			elog(LOG, "dynexit termrace FAIL shutdown status %s", status_name(st));
			return;
		}
		if (!probe_slot("termrace"))
		{
			held++;
			if (!probe_slot_eventually("termrace"))
			{
				elog(LOG, "dynexit termrace FAIL slot never freed");
				return;
			}
		}
	}
	elog(LOG, "dynexit termrace held %d of %d", held, rounds);
}

void
dynexit_launcher(Datum main_arg)
{
	pqsignal(SIGUSR1, handle_usr1);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	elog(LOG, "dynexit launcher started pid %d mode %s", (int) MyProcPid, mode);
	if (strcmp(mode, "seq") == 0)
		mode_seq();
	else if (strcmp(mode, "crash") == 0)
		mode_crash();
	else if (strcmp(mode, "forkfail") == 0)
		mode_forkfail();
	else if (strcmp(mode, "termrace") == 0)
		mode_termrace();
	else
		elog(LOG, "dynexit FAIL unknown mode \"%s\"", mode);

	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

static void
handle_usr2(SIGNAL_ARGS)
{
	int			save_errno = errno;

	go_pending = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

void
dynexit_child(Datum main_arg)
{
	const char *name = MyBgworkerEntry->bgw_name + strlen("dynexit ");
	const char *action = MyBgworkerEntry->bgw_extra;

	/* Log before unblocking signals (see launcher.c). */
	elog(LOG, "dynexit child %s started pid %d notify %d", name, (int) MyProcPid,
		 (int) MyBgworkerEntry->bgw_notify_pid);
	pqsignal(SIGTERM, die);
	pqsignal(SIGUSR2, handle_usr2);
	BackgroundWorkerUnblockSignals();

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (go_pending && strcmp(action, "wait") != 0)
		{
			if (strcmp(action, "exit0") == 0)
				proc_exit(0);
			else if (strcmp(action, "return") == 0)
				return;
			else if (strcmp(action, "exit1") == 0)
				proc_exit(1);
			else if (strcmp(action, "fatal") == 0)
				ereport(FATAL, (errmsg("dynexit %s raises a fatal error", name)));
			else if (strcmp(action, "exit2") == 0)
				proc_exit(2);
			else if (strcmp(action, "_exit0") == 0)
				_exit(0);
			else if (strcmp(action, "segv") == 0)
				raise(SIGSEGV);
			else if (strcmp(action, "abort") == 0)
				abort();
			elog(LOG, "dynexit %s FAIL unknown action \"%s\"", name, action);
			go_pending = false;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
