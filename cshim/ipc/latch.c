/*-------------------------------------------------------------------------
 *
 * latch.c
 *	  Latches and wait event sets (storage/latch.h) for the supervisor and
 *	  every worker: C only, never Go.
 *
 *	  Two ways to sleep, chosen per wait:
 *
 *	  - WaitLatch (a latch, a timeout, the host's death) sleeps in
 *		FUTEX_WAIT on the latch's wake_seq word.  The futex is a shared one,
 *		so SetLatch from any process that maps the latch reaches it.  This is
 *		the fast path: a wake-up costs one FUTEX_WAKE, and nothing at all
 *		when the owner is not sleeping (or still spinning: a process whose
 *		recent waits were short first watches is_set for a bounded,
 *		learned time).
 *	  - A wait event set (sockets, WaitLatchOrSocket) sleeps in epoll_wait.
 *		A futex cannot be put into epoll, so the owner advertises
 *		LATCH_SLEEP_SIGNAL and SetLatch sends it SIGURG, which the owner
 *		keeps blocked and reads from a signalfd in the epoll set.  The death
 *		pipe is in the set too.
 *
 *	  The hand-off between SetLatch and a sleeper (why no wake-up is lost):
 *
 *		SetLatch:  is_set = 1;  FENCE;  read maybe_sleeping; if set: wake
 *		sleeper:   maybe_sleeping = how;  FENCE;  seq = wake_seq;  FENCE;
 *				   if is_set: return;  FUTEX_WAIT(wake_seq, seq)
 *
 *	  With full fences on both sides, either the setter sees maybe_sleeping
 *	  (and bumps wake_seq, then wakes) or the sleeper sees is_set.  If the
 *	  sleeper read the old is_set, it also read wake_seq before the bump, so
 *	  FUTEX_WAIT fails at once (the word changed) or the wake finds it
 *	  queued.  The signal path is the same with "kill(SIGURG)" as the wake:
 *	  a blocked SIGURG stays pending and makes the signalfd readable.
 *
 *	  Before that, a futex wait may spin for a few microseconds (adaptive,
 *	  see "adaptive spinning" below):
 *
 *		spinner:   repeat: if is_set: FENCE; return;  pause
 *				   (until the spin budget is used up; then the sleeper's
 *				   steps above, from the start)
 *
 *	  A spinner has not published maybe_sleeping (it is 0 outside a sleep),
 *	  so a SetLatch meanwhile only sets is_set and skips the wake, which is
 *	  right: the spinner either sees is_set while spinning, or it goes on to
 *	  publish maybe_sleeping and re-check is_set behind the fence, where the
 *	  argument above applies unchanged.  A spinner that sees is_set returns
 *	  exactly as the sleeper's "if is_set: return" does, with a full fence
 *	  after the read, so whatever the setter wrote before SetLatch (which
 *	  fences first) is visible to the owner after WaitLatch returns.
 *
 *	  Signals of the owner's own process: SetLatch on a latch the caller
 *	  owns is necessarily called from a signal handler that interrupted the
 *	  owner (or when nobody sleeps), so it also bumps the word the process
 *	  is sleeping on (bgw_current_sleep_word), whichever it is; that is how
 *	  a die or reload handler ends a condition-variable sleep.  The
 *	  parent-death handler does the same.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>

#include "bgw_internal.h"
#include "latch_int.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "utils/wait_event.h"

BGW_CHILD_HOT volatile unsigned int *volatile bgw_current_sleep_word = NULL;

/* The process-local latch of processes without a slot (and the host). */
BGW_CHILD_HOT static Latch LocalLatchData;

/* Sleep word of waits with no latch (timeout or host death only). */
static volatile unsigned int idle_sleep_word;

/* This process's signalfd for SIGURG, -1 until a wait event set needs it. */
BGW_CHILD_HOT static int	latch_signal_fd = -1;

/* The set WaitLatch falls back to when it must watch the death pipe. */
BGW_CHILD_HOT static WaitEventSet *LatchWaitSet = NULL;

#define LatchWaitSetLatchPos 0

/*
 * Adaptive spinning (see "adaptive spinning"): the moving average of this
 * process's recent short latch waits, 0 when it does not spin; the waits
 * left to sleep without spinning after a failed spin, and the next such
 * back-off; the CPUs it may run on, 0 until known.
 */
BGW_CHILD_HOT static int64 latch_spin_est_ns = 0;
BGW_CHILD_HOT static int	latch_spin_skip = 0;
BGW_CHILD_HOT static int	latch_spin_backoff = 0;
BGW_CHILD_HOT static int	latch_spin_ncpus = 0;
BGW_CHILD_HOT static uint64 latch_spin_count = 0; /* spins, and those that saw is_set */
BGW_CHILD_HOT static uint64 latch_spin_won = 0;

/* Whether the parent-death signal wakes our futex sleeps: see latch_int.h. */
BGW_CHILD_HOT static int	pm_death_signal_state = 0;	/* 0 unknown, 1 yes, -1 no */

struct WaitEventSet
{
	int			nevents;		/* events registered */
	int			nevents_space;	/* capacity of events[] */
	WaitEvent  *events;			/* registered events, by position */
	Latch	   *latch;			/* the latch of the WL_LATCH_SET event */
	int			latch_pos;		/* its position, -1 if none */
	bool		exit_on_postmaster_death;	/* WL_EXIT_ON_PM_DEATH given */
	int			epoll_fd;		/* the epoll instance */
	pid_t		owner_pid;		/* process that created the epoll fd */
	struct epoll_event *epoll_ret;	/* nevents_space results */
};

/* ---- time ---- */

/* *deadline += ms. */
static void
deadline_add_ms(struct timespec *deadline, long ms)
{
	deadline->tv_sec += ms / 1000;
	deadline->tv_nsec += (ms % 1000) * 1000000L;
	if (deadline->tv_nsec >= 1000000000L)
	{
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

void
bgw_deadline_after_ms(struct timespec *deadline, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline_add_ms(deadline, ms);
}

bool
bgw_deadline_passed(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
		(now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Milliseconds left until deadline, rounded up, at least 0. */
static int
ms_until(const struct timespec *deadline)
{
	struct timespec now;
	int64		ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64) (deadline->tv_sec - now.tv_sec) * 1000000000L +
		(deadline->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	ns = (ns + 999999) / 1000000;
	return ns > INT_MAX ? INT_MAX : (int) ns;
}

/* ---- latch support ---- */

bool
bgw_pm_death_signal_trusted(void)
{
	if (pm_death_signal_state == 0)
	{
		int			sig = 0;

		if (prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0 &&
			sig == BGW_PM_DEATH_SIGNAL)
		{
			bgw_pm_death_handler_install();
			pm_death_signal_state = 1;
		}
		else
			pm_death_signal_state = -1;
	}
	return pm_death_signal_state > 0;
}

void
bgw_pm_death_signal_spurious(void)
{
	/*
	 * The parent thread died but the host lives: we were reparented.  If
	 * the new parent is still the host, its death still signals us.
	 */
	if (getppid() != PostmasterPid)
		pm_death_signal_state = -1;
}

/* Creates this process's SIGURG signalfd and blocks SIGURG; idempotent. */
static void
ensure_signal_fd(void)
{
	sigset_t	urg;

	sigemptyset(&urg);
	sigaddset(&urg, BGW_LATCH_WAKE_SIGNAL);
	sigprocmask(SIG_BLOCK, &urg, NULL);
	if (latch_signal_fd >= 0)
		return;
	latch_signal_fd = signalfd(-1, &urg, SFD_NONBLOCK | SFD_CLOEXEC);
	if (latch_signal_fd < 0)
		elog(FATAL, "signalfd() failed: %m");
}

/*
 * Prepare this process for wait event sets.  Called in every child by
 * bgw_latch_child_init; elsewhere the first wait event set does it.
 */
void
InitializeLatchSupport(void)
{
	ensure_signal_fd();
}

void
ShutdownLatchSupport(void)
{
	if (LatchWaitSet)
	{
		FreeWaitEventSet(LatchWaitSet);
		LatchWaitSet = NULL;
	}
	if (latch_signal_fd >= 0)
	{
		close(latch_signal_fd);
		latch_signal_fd = -1;
	}
}

void
bgw_latch_reset_after_fork(void)
{
	sigset_t	urg;

	/*
	 * The inherited descriptors were closed by the fork area (or belong to
	 * the parent's epoll registrations); forget them without closing, the
	 * numbers may already be reused.
	 */
	latch_signal_fd = -1;
	LatchWaitSet = NULL;
	bgw_current_sleep_word = NULL;
	pm_death_signal_state = 0;
	latch_spin_est_ns = 0;
	latch_spin_skip = 0;
	latch_spin_backoff = 0;
	latch_spin_ncpus = 0;
	latch_spin_count = 0;
	latch_spin_won = 0;
	sigemptyset(&urg);
	sigaddset(&urg, BGW_LATCH_WAKE_SIGNAL);
	sigprocmask(SIG_BLOCK, &urg, NULL);
	bgw_latch_init_local();
}

void
bgw_latch_init_local(void)
{
	InitLatch(&LocalLatchData);
	MyLatch = &LocalLatchData;
}

void
bgw_latch_switch(Latch *latch)
{
	Latch	   *old = MyLatch;

	MyLatch = latch;
	if (old && old != latch && old->is_set)
		SetLatch(latch);
}

void
bgw_latch_adjust_block_mask(sigset_t *mask)
{
	sigdelset(mask, BGW_PM_DEATH_SIGNAL);
	sigaddset(mask, BGW_LATCH_WAKE_SIGNAL);
}

void
bgw_latch_adjust_unblock_mask(sigset_t *mask)
{
	sigdelset(mask, BGW_PM_DEATH_SIGNAL);
	sigaddset(mask, BGW_LATCH_WAKE_SIGNAL);
}

/* ---- latches ---- */

void
InitLatch(Latch *latch)
{
	latch->is_set = false;
	latch->maybe_sleeping = 0;
	latch->owner_pid = MyProcPid;
	latch->is_shared = false;
	latch->wake_seq = 0;
}

/* Host only, before children exist: a latch in shared memory, unowned. */
void
InitSharedLatch(Latch *latch)
{
	latch->is_set = false;
	latch->maybe_sleeping = 0;
	latch->owner_pid = 0;
	latch->is_shared = true;
	latch->wake_seq = 0;
}

void
OwnLatch(Latch *latch)
{
	int			owner_pid = latch->owner_pid;

	if (owner_pid != 0)
		elog(PANIC, "latch already owned by PID %d", owner_pid);
	latch->owner_pid = MyProcPid;
	pg_memory_barrier();
}

void
DisownLatch(Latch *latch)
{
	latch->owner_pid = 0;
	pg_memory_barrier();
}

/*
 * Any process, or a signal handler: async-signal-safe, never errors.
 * Preserves errno.
 */
void
SetLatch(Latch *latch)
{
	int			how;
	int			owner;
	int			save_errno;

	pg_memory_barrier();		/* flags set before us are seen first */
	if (latch->is_set)
		return;
	latch->is_set = true;
	pg_memory_barrier();		/* pairs with the sleeper's fence */

	owner = latch->owner_pid;
	how = latch->maybe_sleeping;
	if (how == 0 && !(owner == MyProcPid && bgw_current_sleep_word))
		return;

	save_errno = errno;
	if (how & LATCH_SLEEP_FUTEX)
		bgw_futex_bump_wake(&latch->wake_seq);
	if ((how & LATCH_SLEEP_SIGNAL) && owner > 0)
		(void) kill(owner, BGW_LATCH_WAKE_SIGNAL);
	if (owner == MyProcPid)
	{
		volatile unsigned int *w = bgw_current_sleep_word;

		if (w && w != &latch->wake_seq)
			bgw_futex_bump_wake(w);
	}
	errno = save_errno;
}

/* Owner only.  The fence keeps later reads of shared state after it. */
void
ResetLatch(Latch *latch)
{
	latch->is_set = false;
	pg_memory_barrier();
}

/* ---- adaptive spinning before a futex sleep ----
 *
 * A futex sleep and its wake-up cost both sides a system call and the
 * sleeper a trip through the scheduler (several microseconds, more when
 * the CPU went idle).  When a latch is typically set again within a few
 * microseconds (two processes bouncing work through shared memory), it is
 * cheaper to watch is_set for a moment first; a spinner has not advertised
 * maybe_sleeping, so the setter skips its FUTEX_WAKE too.
 *
 * Like glibc's adaptive mutexes, the spin is bounded and learned, per
 * process:
 *
 *	- latch_spin_est_ns is a moving average of how long recent latch waits
 *	  lasted when they were short (at most LATCH_SPIN_MAX_NS, whether they
 *	  ended spinning or after a sleep).  A wait spins for twice that, at
 *	  least LATCH_SPIN_MIN_NS (about a futex wake-up, so that a spinner can
 *	  catch a partner that first has to be woken) and at most
 *	  LATCH_SPIN_MAX_NS, then sleeps as before.
 *	- A wait longer than LATCH_SPIN_MAX_NS halves the estimate; a few of
 *	  them bring it to zero, and then the process does not spin at all
 *	  (it costs two clock reads per wait), so an idle or slowly woken
 *	  worker never burns CPU.  The next short wait starts it again.
 *	- A spin that fails (the latch was not set in time, or the spinner was
 *	  preempted while spinning: the CPUs are busy and spinning only takes
 *	  time from the process that would set the latch) makes the process
 *	  sleep without spinning for the next 1, 2, 4 ... LATCH_SPIN_BACKOFF_MAX
 *	  waits; a successful spin resets that.  So on an overloaded machine
 *	  spins become rare attempts instead of wasted slices.  The ceiling is
 *	  low on purpose: two processes that both sleep (and so wake each other
 *	  slowly) only get back to both spinning when their attempts meet, and
 *	  one attempt in LATCH_SPIN_BACKOFF_MAX waits costs at most one spin.
 *
 * No spinning on a single CPU (affinity mask), with a zero timeout, for
 * waits without a latch, or in wait event sets (sockets).
 */
#define LATCH_SPIN_MAX_NS		30000	/* hard cap of one spin */
#define LATCH_SPIN_MIN_NS		10000	/* shortest spin when spinning at all */
#define LATCH_SPIN_FORGET_NS	1000	/* a smaller estimate after a long wait
										 * becomes 0 */
#define LATCH_SPIN_PREEMPTED_NS 20000	/* a gap this long between two clock
										 * reads of a spin: we were preempted */
#define LATCH_SPIN_BACKOFF_MAX	32
#define LATCH_SPIN_CHECK_EVERY	16	/* pauses between clock reads */

/*
 * A timed wait that spins has a timeout of at least 1 ms, measured from
 * the spin's start: a spin never needs to stop at the wait's deadline.
 */
StaticAssertDecl(LATCH_SPIN_MAX_NS < 1000000, "a spin ends before any timeout");

static inline int64
timespec_ns(const struct timespec *ts)
{
	return (int64) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static inline int64
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return timespec_ns(&ts);
}

/* May this process spin at all: more than one CPU in its affinity mask? */
static bool
latch_spin_possible(void)
{
	if (latch_spin_ncpus == 0)
	{
		cpu_set_t	cpus;
		long		n;

		CPU_ZERO(&cpus);
		if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
			n = CPU_COUNT(&cpus);
		else
			n = sysconf(_SC_NPROCESSORS_ONLN);
		latch_spin_ncpus = n > 0 ? (int) Min(n, INT_MAX) : 1;
	}
	return latch_spin_ncpus > 1;
}

/*
 * Watch is_set from start_ns until end_ns (CLOCK_MONOTONIC).  true: the
 * latch is set (with a full fence after seeing it, as the sleep path
 * has).  false: time is up, the spinner was preempted, or the host may
 * have died (the sleep path looks at that).
 */
static bool
latch_spin(Latch *latch, int64 start_ns, int64 end_ns, bool watch_death)
{
	int64		last = start_ns;

	for (;;)
	{
		int64		now;

		for (int i = 0; i < LATCH_SPIN_CHECK_EVERY; i++)
		{
			if (__atomic_load_n(&latch->is_set, __ATOMIC_RELAXED))
			{
				pg_memory_barrier();
				return true;
			}
			pg_spin_delay();
		}
		if (watch_death && postmaster_possibly_dead)
			return false;
		now = mono_ns();
		if (now >= end_ns || now - last >= LATCH_SPIN_PREEMPTED_NS)
			return false;
		last = now;
	}
}

/*
 * Spin if this process's recent waits say it pays; true if the latch was
 * set meanwhile.
 */
static bool
latch_spin_maybe(Latch *latch, int64 start_ns, bool watch_death)
{
	int64		end_ns;

	if (latch_spin_est_ns == 0)
		return false;
	if (latch_spin_skip > 0)
	{
		latch_spin_skip--;
		return false;
	}
	end_ns = start_ns + Min(LATCH_SPIN_MAX_NS,
							Max(LATCH_SPIN_MIN_NS, 2 * latch_spin_est_ns));
	latch_spin_count++;
	if (latch_spin(latch, start_ns, end_ns, watch_death))
	{
		latch_spin_won++;
		latch_spin_backoff = 0;
		return true;
	}
	latch_spin_backoff = latch_spin_backoff == 0 ? 1 :
		Min(2 * latch_spin_backoff, LATCH_SPIN_BACKOFF_MAX);
	latch_spin_skip = latch_spin_backoff;
	return false;
}

/* Learn from a finished wait of waited_ns that ended with rc. */
static void
latch_spin_learn(int rc, int64 waited_ns)
{
	int64		est = latch_spin_est_ns;

	if (waited_ns > LATCH_SPIN_MAX_NS)
	{
		est /= 2;
		if (est < LATCH_SPIN_FORGET_NS)
			est = 0;
	}
	else if (rc == WL_LATCH_SET)
	{
		if (est == 0)
			est = waited_ns;
		else
			est += (waited_ns - est) / 4;
		est = Max(est, 1);
	}
	latch_spin_est_ns = est;
}

/* See latch_int.h. */
void
bgw_latch_spin_stats(BgwLatchSpinStats *stats)
{
	stats->estimate_ns = latch_spin_est_ns;
	stats->skip = latch_spin_skip;
	stats->spins = latch_spin_count;
	stats->spins_won = latch_spin_won;
}

/* See latch_int.h. */
void
bgw_latch_spin_seed(int64 estimate_ns)
{
	latch_spin_est_ns = Max(estimate_ns, 0);
	latch_spin_skip = 0;
	latch_spin_backoff = 0;
}

/* Handles the host's death seen in a wait; returns only if not exiting. */
static void
postmaster_death_in_wait(bool exit_on_death)
{
	if (exit_on_death)
	{
		/* as PostgreSQL: no message, the host's logs tell the story */
		proc_exit(1);
	}
}

/*
 * The futex path of WaitLatch: see the file header.  latch may be NULL
 * (no WL_LATCH_SET).
 */
static int
wait_latch_futex(Latch *latch, int wakeEvents, long timeout)
{
	volatile unsigned int *word = latch ? &latch->wake_seq : &idle_sleep_word;
	bool		watch_death = (wakeEvents & (WL_POSTMASTER_DEATH | WL_EXIT_ON_PM_DEATH)) &&
		bgw_death_pipe_fd >= 0;
	struct timespec deadline;
	bool		timed = (wakeEvents & WL_TIMEOUT) && timeout >= 0;
	int			rc = 0;
	bool		learn = latch != NULL && latch_spin_possible();
	int64		start_ns = 0;

	if (timed || learn)
	{
		/* one clock read for both the deadline and the spin's start */
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timed)
		{
			deadline = now;
			deadline_add_ms(&deadline, timeout);
		}
		start_ns = timespec_ns(&now);
	}

	if (learn)
	{
		if (!(timed && timeout == 0) &&
			latch_spin_maybe(latch, start_ns, watch_death))
		{
			latch_spin_learn(WL_LATCH_SET, mono_ns() - start_ns);
			return WL_LATCH_SET;
		}
	}

	for (;;)
	{
		unsigned int seq;

		if (latch)
			latch->maybe_sleeping = LATCH_SLEEP_FUTEX;
		bgw_current_sleep_word = word;
		pg_memory_barrier();
		seq = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		pg_memory_barrier();

		if (latch && latch->is_set)
		{
			rc = WL_LATCH_SET;
			break;
		}
		if (watch_death && postmaster_possibly_dead &&
			!PostmasterIsAliveInternal())
		{
			rc = WL_POSTMASTER_DEATH;
			break;
		}
		if (timed && (timeout == 0 || bgw_deadline_passed(&deadline)))
		{
			rc = WL_TIMEOUT;
			break;
		}
		(void) bgw_futex_wait(word, seq, timed ? &deadline : NULL);
	}

	if (latch)
		latch->maybe_sleeping = 0;
	bgw_current_sleep_word = NULL;
	if (learn)
		latch_spin_learn(rc, mono_ns() - start_ns);
	if (rc == WL_POSTMASTER_DEATH)
		postmaster_death_in_wait((wakeEvents & WL_EXIT_ON_PM_DEATH) != 0);
	return rc;
}

/* Creates the persistent set WaitLatch uses when it must watch the pipe. */
void
InitializeLatchWaitSet(void)
{
	int			pos;

	if (LatchWaitSet)
		return;
	LatchWaitSet = CreateWaitEventSet(NULL, 2);
	pos = AddWaitEventToSet(LatchWaitSet, WL_LATCH_SET, PGINVALID_SOCKET,
							MyLatch, NULL);
	Assert(pos == LatchWaitSetLatchPos);
	(void) pos;
	if (bgw_death_pipe_fd >= 0)
		AddWaitEventToSet(LatchWaitSet, WL_POSTMASTER_DEATH, PGINVALID_SOCKET,
						  NULL, NULL);
}

/* The epoll path of WaitLatch, for a child whose death signal is unreliable. */
static int
wait_latch_epoll(Latch *latch, int wakeEvents, long timeout,
				 uint32 wait_event_info)
{
	WaitEvent	event;

	InitializeLatchWaitSet();
	ModifyWaitEvent(LatchWaitSet, LatchWaitSetLatchPos, WL_LATCH_SET, latch);
	LatchWaitSet->exit_on_postmaster_death =
		(wakeEvents & WL_EXIT_ON_PM_DEATH) != 0;
	if (WaitEventSetWait(LatchWaitSet,
						 (wakeEvents & WL_TIMEOUT) ? timeout : -1,
						 &event, 1, wait_event_info) == 0)
		return WL_TIMEOUT;
	return event.events;
}

/*
 * Wait for the latch to be set, the timeout (WL_TIMEOUT, in ms) to pass,
 * or the host to die.  Returns the bitmask of what happened (one bit), as
 * PostgreSQL.  Owner only; not from a signal handler.
 */
int
WaitLatch(Latch *latch, int wakeEvents, long timeout, uint32 wait_event_info)
{
	int			rc;

	if (wakeEvents & ~(WL_LATCH_SET | WL_TIMEOUT | WL_POSTMASTER_DEATH |
					   WL_EXIT_ON_PM_DEATH))
		elog(ERROR, "invalid wait events 0x%x for WaitLatch: only WL_LATCH_SET, WL_TIMEOUT, WL_POSTMASTER_DEATH and WL_EXIT_ON_PM_DEATH are allowed",
			 wakeEvents);
	if (!(wakeEvents & WL_LATCH_SET))
		latch = NULL;
	else if (latch == NULL)
		elog(ERROR, "cannot wait on latch without a specified latch");
	else if (latch->owner_pid != MyProcPid)
		elog(ERROR, "cannot wait on a latch owned by another process");

	/* the common case costs no system call at all */
	if (latch && latch->is_set)
		return WL_LATCH_SET;

	if ((wakeEvents & (WL_POSTMASTER_DEATH | WL_EXIT_ON_PM_DEATH)) &&
		bgw_death_pipe_fd >= 0 && !bgw_pm_death_signal_trusted())
		return wait_latch_epoll(latch, wakeEvents, timeout, wait_event_info);

	pgstat_report_wait_start(wait_event_info);
	rc = wait_latch_futex(latch, wakeEvents, timeout);
	pgstat_report_wait_end();
	return rc;
}

/* The events of a WaitLatchOrSocket call, added to its temporary set. */
static void
add_latch_or_socket_events(WaitEventSet *set, Latch *latch, int wakeEvents,
						   pgsocket sock)
{
	if (wakeEvents & WL_LATCH_SET)
		AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, latch, NULL);
	if ((wakeEvents & WL_EXIT_ON_PM_DEATH) && bgw_death_pipe_fd >= 0)
		AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET,
						  NULL, NULL);
	else if ((wakeEvents & WL_POSTMASTER_DEATH) && bgw_death_pipe_fd >= 0)
		AddWaitEventToSet(set, WL_POSTMASTER_DEATH, PGINVALID_SOCKET,
						  NULL, NULL);
	AddWaitEventToSet(set, wakeEvents & WL_SOCKET_MASK, sock, NULL, NULL);
}

/*
 * Like WaitLatch, and also for WL_SOCKET_* events on sock (through a
 * temporary wait event set).  EOF and errors on the socket report it
 * readable or writeable, as PostgreSQL.
 */
int
WaitLatchOrSocket(Latch *latch, int wakeEvents, pgsocket sock, long timeout,
				  uint32 wait_event_info)
{
	int			ret = 0;
	int			rc;
	WaitEvent	event;
	WaitEventSet *set;

	if (!(wakeEvents & WL_SOCKET_MASK))
		return WaitLatch(latch, wakeEvents & ~WL_SOCKET_MASK, timeout,
						 wait_event_info);

	set = CreateWaitEventSet(NULL, 3);
	PG_TRY();
	{
		add_latch_or_socket_events(set, latch, wakeEvents, sock);
	}
	PG_CATCH();
	{
		FreeWaitEventSet(set);
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* an error from here on is an epoll failure: the set leaks its fd */
	rc = WaitEventSetWait(set, (wakeEvents & WL_TIMEOUT) ? timeout : -1,
						  &event, 1, wait_event_info);
	if (rc == 0)
		ret |= WL_TIMEOUT;
	else
		ret |= event.events & (WL_LATCH_SET | WL_POSTMASTER_DEATH |
							   WL_SOCKET_MASK);
	FreeWaitEventSet(set);
	return ret;
}

/* ---- wait event sets ---- */

/*
 * resowner is accepted (PostgreSQL 17's signature) and may be NULL; the
 * set is not tied to it: free it with FreeWaitEventSet.
 */
WaitEventSet *
CreateWaitEventSet(struct ResourceOwnerData *resowner, int nevents)
{
	WaitEventSet *set;

	if (nevents <= 0)
		elog(ERROR, "invalid number of events %d for a wait event set: must be positive",
			 nevents);
	ensure_signal_fd();

	set = calloc(1, sizeof(WaitEventSet));
	if (set)
	{
		set->events = calloc(nevents, sizeof(WaitEvent));
		set->epoll_ret = calloc(nevents, sizeof(struct epoll_event));
	}
	if (!set || !set->events || !set->epoll_ret)
	{
		if (set)
		{
			free(set->events);
			free(set->epoll_ret);
			free(set);
		}
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	set->nevents_space = nevents;
	set->latch_pos = -1;
	set->owner_pid = MyProcPid;
	set->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (set->epoll_fd < 0)
	{
		int			save_errno = errno;

		free(set->events);
		free(set->epoll_ret);
		free(set);
		errno = save_errno;
		elog(ERROR, "epoll_create1 failed: %m");
	}
	return set;
}

void
FreeWaitEventSet(WaitEventSet *set)
{
	if (set == NULL)
		return;
	if (set->epoll_fd >= 0)
		close(set->epoll_fd);
	free(set->events);
	free(set->epoll_ret);
	free(set);
}

/* In a child, for a set inherited from the parent. */
void
FreeWaitEventSetAfterFork(WaitEventSet *set)
{
	FreeWaitEventSet(set);
}

int
GetNumRegisteredWaitEvents(WaitEventSet *set)
{
	return set->nevents;
}

/* epoll can report a peer's shutdown (EPOLLRDHUP). */
bool
WaitEventSetCanReportClosed(void)
{
	return true;
}

/* Adds, modifies or removes event's epoll registration. */
static void
adjust_epoll(WaitEventSet *set, WaitEvent *event, int action)
{
	struct epoll_event ev;
	int			fd = event->fd;

	memset(&ev, 0, sizeof(ev));
	ev.data.u32 = (uint32) event->pos;
	if (event->events == WL_LATCH_SET)
	{
		fd = latch_signal_fd;
		ev.events = EPOLLIN;
	}
	else if (event->events == WL_POSTMASTER_DEATH)
	{
		fd = bgw_death_pipe_fd;
		ev.events = EPOLLIN;
		if (fd < 0)
			return;				/* the host itself: it never fires */
	}
	else
	{
		ev.events = EPOLLERR | EPOLLHUP;
		if (event->events & WL_SOCKET_READABLE)
			ev.events |= EPOLLIN;
		if (event->events & WL_SOCKET_WRITEABLE)
			ev.events |= EPOLLOUT;
		if (event->events & WL_SOCKET_CLOSED)
			ev.events |= EPOLLRDHUP;
	}
	if (epoll_ctl(set->epoll_fd, action, fd, &ev) < 0)
		ereport(ERROR,
				(errcode_for_socket_access(),
				 errmsg("%s() failed: %m", "epoll_ctl")));
}

/*
 * Add an event; returns its position.  Error texts are PostgreSQL's.
 * WL_EXIT_ON_PM_DEATH is stored as WL_POSTMASTER_DEATH plus the set's
 * exit flag.
 */
int
AddWaitEventToSet(WaitEventSet *set, uint32 events, pgsocket fd,
				  Latch *latch, void *user_data)
{
	WaitEvent  *event;

	if (set->nevents >= set->nevents_space)
		elog(ERROR, "cannot add more than %d events to this wait event set",
			 set->nevents_space);
	if (events == WL_EXIT_ON_PM_DEATH)
	{
		events = WL_POSTMASTER_DEATH;
		set->exit_on_postmaster_death = true;
	}
	if (events & ~(WL_LATCH_SET | WL_POSTMASTER_DEATH | WL_SOCKET_MASK))
		elog(ERROR, "invalid wait events 0x%x for AddWaitEventToSet", events);
	if (latch)
	{
		if (latch->owner_pid != MyProcPid)
			elog(ERROR, "cannot wait on a latch owned by another process");
		if (set->latch)
			elog(ERROR, "cannot wait on more than one latch");
		if ((events & WL_LATCH_SET) != WL_LATCH_SET)
			elog(ERROR, "latch events only support being set");
	}
	else if (events & WL_LATCH_SET)
		elog(ERROR, "cannot wait on latch without a specified latch");
	if (fd == PGINVALID_SOCKET && (events & WL_SOCKET_MASK))
		elog(ERROR, "cannot wait on socket event without a socket");
	if ((events & WL_LATCH_SET) && events != WL_LATCH_SET)
		elog(ERROR, "latch events only support being set");

	event = &set->events[set->nevents];
	event->pos = set->nevents;
	event->fd = fd;
	event->events = events;
	event->user_data = user_data;
	if (events == WL_LATCH_SET)
	{
		set->latch = latch;
		set->latch_pos = event->pos;
		event->fd = latch_signal_fd;
	}
	else if (events == WL_POSTMASTER_DEATH)
		event->fd = bgw_death_pipe_fd;
	adjust_epoll(set, event, EPOLL_CTL_ADD);
	set->nevents++;
	return event->pos;
}

/*
 * Change the socket events of event pos, or the latch of the latch event
 * (NULL: stop waiting for it).  Error texts are PostgreSQL's.
 */
void
ModifyWaitEvent(WaitEventSet *set, int pos, uint32 events, Latch *latch)
{
	WaitEvent  *event;

	if (pos < 0 || pos >= set->nevents)
		elog(ERROR, "invalid wait event position %d: the set has %d events",
			 pos, set->nevents);
	event = &set->events[pos];

	if (events == event->events &&
		(!(event->events & WL_LATCH_SET) || set->latch == latch))
		return;

	if (event->events & WL_LATCH_SET && events != event->events)
		elog(ERROR, "cannot modify latch event");
	if (event->events & WL_POSTMASTER_DEATH)
		elog(ERROR, "cannot modify postmaster death event");

	if (event->events & WL_LATCH_SET)
	{
		if (latch && latch->owner_pid != MyProcPid)
			elog(ERROR, "cannot wait on a latch owned by another process");
		set->latch = latch;
		return;					/* the signalfd stays registered */
	}
	if (events & ~WL_SOCKET_MASK)
		elog(ERROR, "invalid wait events 0x%x for a socket event", events);
	event->events = events;
	adjust_epoll(set, event, EPOLL_CTL_MOD);
}

/* Reads every pending SIGURG off the signalfd. */
static void
drain_signal_fd(void)
{
	struct signalfd_siginfo info[8];

	while (read(latch_signal_fd, info, sizeof(info)) > 0)
		;
}

/*
 * Wait until at least one event fires or timeout ms pass (-1: forever).
 * Fills up to nevents entries of occurred_events; returns how many (0 on
 * timeout).  Owner of the set only.
 */
int
WaitEventSetWait(WaitEventSet *set, long timeout, WaitEvent *occurred_events,
				 int nevents, uint32 wait_event_info)
{
	struct timespec deadline;
	int			returned = 0;
	int			cur_timeout = -1;
	Latch	   *latch = set->latch;

	if (nevents <= 0)
		elog(ERROR, "invalid number of events %d for WaitEventSetWait: must be positive",
			 nevents);
	if (set->owner_pid != MyProcPid)
		elog(ERROR, "cannot wait on a wait event set created by another process");

	if (timeout >= 0)
	{
		bgw_deadline_after_ms(&deadline, timeout);
		cur_timeout = timeout > INT_MAX ? INT_MAX : (int) timeout;
	}
	if (nevents > set->nevents_space)
		nevents = set->nevents_space;

	pgstat_report_wait_start(wait_event_info);
	ensure_signal_fd();			/* and makes sure SIGURG is blocked */
	if (latch)
	{
		latch->maybe_sleeping = LATCH_SLEEP_SIGNAL;
		pg_memory_barrier();
	}

	while (returned == 0)
	{
		int			rc;

		if (latch && latch->is_set)
		{
			occurred_events->pos = set->latch_pos;
			occurred_events->user_data = set->events[set->latch_pos].user_data;
			occurred_events->events = WL_LATCH_SET;
			occurred_events->fd = PGINVALID_SOCKET;
			returned = 1;
			break;
		}

		rc = epoll_wait(set->epoll_fd, set->epoll_ret, nevents, cur_timeout);
		if (rc < 0)
		{
			if (errno != EINTR)
			{
				if (latch)
					latch->maybe_sleeping = 0;
				pgstat_report_wait_end();
				elog(ERROR, "%s() failed: %m", "epoll_wait");
			}
		}
		for (int i = 0; i < rc && returned < nevents; i++)
		{
			struct epoll_event *ev = &set->epoll_ret[i];
			WaitEvent  *event = &set->events[ev->data.u32];
			WaitEvent  *out = &occurred_events[returned];

			out->pos = event->pos;
			out->user_data = event->user_data;
			out->fd = PGINVALID_SOCKET;
			out->events = 0;

			if (event->events == WL_LATCH_SET)
			{
				drain_signal_fd();
				if (latch && latch->is_set)
				{
					out->events = WL_LATCH_SET;
					returned++;
				}
			}
			else if (event->events == WL_POSTMASTER_DEATH)
			{
				if (!PostmasterIsAliveInternal())
				{
					if (set->exit_on_postmaster_death)
						proc_exit(1);
					out->events = WL_POSTMASTER_DEATH;
					returned++;
				}
			}
			else
			{
				uint32		want = event->events;

				if ((want & WL_SOCKET_READABLE) &&
					(ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
					out->events |= WL_SOCKET_READABLE;
				if ((want & WL_SOCKET_WRITEABLE) &&
					(ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
					out->events |= WL_SOCKET_WRITEABLE;
				if ((want & WL_SOCKET_CLOSED) &&
					(ev->events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
					out->events |= WL_SOCKET_CLOSED;
				if (out->events)
				{
					out->fd = event->fd;
					returned++;
				}
			}
		}

		if (returned == 0 && timeout >= 0)
		{
			cur_timeout = ms_until(&deadline);
			if (cur_timeout == 0 && (rc == 0 || bgw_deadline_passed(&deadline)))
				break;
		}
	}

	if (latch)
		latch->maybe_sleeping = 0;
	pgstat_report_wait_end();
	return returned;
}
