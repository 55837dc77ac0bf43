/*-------------------------------------------------------------------------
 *
 * latch_int.h
 *	  Internal declarations of the latch area (latch.c, pmsignal.c,
 *	  condition_variable.c): the futex primitives they share, the
 *	  process-local "what am I sleeping on" word that signal handlers wake,
 *	  and the hooks the fork and shmem areas call.  Not for modules.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LATCH_INT_H
#define LATCH_INT_H

#include "postgres.h"

#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "port/atomics.h"
#include "storage/latch.h"

#if __has_include("storage/ipc.h")
#include "storage/ipc.h"
#else
extern void proc_exit(int code) pg_attribute_noreturn();
#endif

/* Values of Latch.maybe_sleeping: how the owner may be sleeping. */
#define LATCH_SLEEP_FUTEX	1	/* FUTEX_WAIT on wake_seq: bump and wake it */
#define LATCH_SLEEP_SIGNAL	2	/* epoll with a signalfd: send SIGURG */

/* The signal that reaches an owner sleeping in epoll. */
#define BGW_LATCH_WAKE_SIGNAL SIGURG

/*
 * The word this process is sleeping on in a futex wait (a latch's
 * wake_seq, a condition variable's sequence, or an idle word), NULL when
 * it is not.  The parent-death handler, and SetLatch on a latch this
 * process owns (so, from one of its own signal handlers), bump it and
 * wake it, so that a wait can never sleep through them.  A sleeper
 * publishes the word first and then re-checks its flags.
 */
extern volatile unsigned int *volatile bgw_current_sleep_word;

/* Bump *word and wake every sleeper on it.  Async-signal-safe. */
static inline void
bgw_futex_bump_wake(volatile unsigned int *word)
{
	__atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
	(void) syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Wake at most n sleepers on *word.  Async-signal-safe. */
static inline void
bgw_futex_wake(volatile unsigned int *word, int n)
{
	(void) syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

/*
 * Sleep while *word == expected, until the absolute CLOCK_MONOTONIC
 * deadline (NULL: none).  Returns 0 when woken, when the word had already
 * changed, or on a signal; ETIMEDOUT when the deadline passed.  The futex
 * is a shared one (no FUTEX_PRIVATE_FLAG), so it works across processes
 * on MAP_SHARED or SysV memory.
 */
static inline int
bgw_futex_wait(volatile unsigned int *word, unsigned int expected,
			   const struct timespec *deadline)
{
	long		rc;

	rc = syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, deadline,
				 NULL, FUTEX_BITSET_MATCH_ANY);
	if (rc < 0 && errno == ETIMEDOUT)
		return ETIMEDOUT;
	return 0;
}

/*
 * The adaptive spin of this process's latch waits (latch.c, "adaptive
 * spinning"): the estimate of a short wait (0: it does not spin), the
 * waits still to sleep without spinning after a failed spin, and how many
 * spins there were and how many of them saw the latch set.  For tests and
 * diagnostics; bgw_latch_spin_seed sets the estimate (tests only).
 */
typedef struct BgwLatchSpinStats
{
	int64		estimate_ns;
	int			skip;
	uint64		spins;
	uint64		spins_won;
} BgwLatchSpinStats;

extern void bgw_latch_spin_stats(BgwLatchSpinStats *stats);
extern void bgw_latch_spin_seed(int64 estimate_ns);

/* now + ms on CLOCK_MONOTONIC. */
extern void bgw_deadline_after_ms(struct timespec *deadline, long ms);

/* true when the deadline has passed. */
extern bool bgw_deadline_passed(const struct timespec *deadline);

/*
 * true if the parent-death signal can be relied on to interrupt a futex
 * sleep in this process (this is a child with PR_SET_PDEATHSIG set to
 * BGW_PM_DEATH_SIGNAL and our handler installed, and no spurious signal
 * has shown that the parent is not the host).  When false, waits that must
 * notice the host's death watch the death pipe instead (epoll, or futex
 * sleeps in slices).
 */
extern bool bgw_pm_death_signal_trusted(void);

/* Called by pmsignal.c when the signal fired but the host is alive. */
extern void bgw_pm_death_signal_spurious(void);

/* Installs the parent-death handler (pmsignal.c); idempotent. */
extern void bgw_pm_death_handler_install(void);

/*
 * In a new child: process-local latch state is reset (the signalfd, the
 * wait set and the sleep word inherited from the parent are forgotten),
 * SIGURG is blocked, MyLatch becomes a fresh local latch.  Called by
 * bgw_latch_child_init.
 */
extern void bgw_latch_reset_after_fork(void);

/*
 * Point MyLatch at the process-local latch (LocalLatchData), initialised
 * and owned by this process.  For the supervisor, and children without
 * shared memory.  Not async-signal-safe.
 */
extern void bgw_latch_init_local(void);

/*
 * Switch MyLatch to latch (already owned by this process, e.g. the slot
 * latch after OwnLatch), carrying over a pending set so that no wake-up
 * of the old latch is lost.  Shmem area, in a new child.
 */
extern void bgw_latch_switch(Latch *latch);

/*
 * Signal masks for the fork area.  bgw_latch_adjust_block_mask is applied
 * to the mask BackgroundWorkerBlockSignals installs: it removes
 * BGW_PM_DEATH_SIGNAL (never blocked) and adds SIGURG.
 * bgw_latch_adjust_unblock_mask is applied to the mask
 * BackgroundWorkerUnblockSignals installs (SIG_SETMASK): it adds SIGURG
 * (always blocked, read through a signalfd) and removes
 * BGW_PM_DEATH_SIGNAL.
 */
extern void bgw_latch_adjust_block_mask(sigset_t *mask);
extern void bgw_latch_adjust_unblock_mask(sigset_t *mask);

/*
 * "PMSignalState" in shared memory: flags children raise with
 * SendPostmasterSignal.  The supervisor adds bgw_pmsignal_shmem_size() to
 * the segment size and calls bgw_pmsignal_shmem_init() after
 * bgw_shmem_init(), at start and after every crash.
 */
extern Size bgw_pmsignal_shmem_size(void);
extern void bgw_pmsignal_shmem_init(void);

#endif							/* LATCH_INT_H */
