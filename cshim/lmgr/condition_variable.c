/*-------------------------------------------------------------------------
 *
 * condition_variable.c
 *	  Condition variables (storage/condition_variable.h) on a futex
 *	  sequence counter.  Any process: supervisor (rarely) or worker; C only.
 *
 *	  The protocol, and why no wake-up is lost:
 *
 *		waiter:  PrepareToSleep: seen = seq (full barrier); test condition;
 *				 Sleep: nsleepers++ (full barrier); w = wake; if seq != seen:
 *				 signalled; else FUTEX_WAIT(wake, w)
 *		waker:	 change state; seq++; wake++ (full barriers); if nsleepers:
 *				 FUTEX_WAKE(wake)
 *
 *	  If the waiter tested the old state, it read seq before the bump.
 *	  If it read wake before the waker's wake++, its FUTEX_WAIT fails at
 *	  once or the wake finds it queued (the waker sees nsleepers, or the
 *	  kernel's compare sees the new wake); if after, it also reads the new
 *	  seq and returns.  Signal wakes one queued sleeper, but every prepared
 *	  process that has not yet gone to sleep returns at once: spurious
 *	  wake-ups are allowed, the callers re-test.
 *
 *	  Only seq says "signalled".  A signal handler of this process that
 *	  sets MyLatch (die, reload) or sees the host die bumps wake, the word
 *	  we sleep on (latch.c, pmsignal.c), so that CHECK_FOR_INTERRUPTS runs;
 *	  other sleepers of the variable wake too, see seq unchanged and sleep
 *	  again until their own deadline.
 *
 *	  As in PostgreSQL, whose sleep is a WaitLatch on MyLatch, a sleep
 *	  consumes the process latch: a latch found set ends the round at once
 *	  and is reset, and CHECK_FOR_INTERRUPTS runs.  Without that, a
 *	  worker sleeping with its latch still set (as every worker starts)
 *	  could not be woken by its own SIGTERM: SetLatch on a set latch does
 *	  nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bgw_internal.h"
#include "latch_int.h"
#include "miscadmin.h"
#include "storage/condition_variable.h"
#include "storage/pmsignal.h"
#include "utils/wait_event.h"

/* The variable this process prepared to sleep on, and the seq it saw. */
static ConditionVariable *cv_sleep_target = NULL;
static uint32 cv_seen_seq = 0;

/* Slice of a sleep when the death signal cannot be trusted, in ms. */
#define CV_DEATH_POLL_MS	200

void
ConditionVariableInit(ConditionVariable *cv)
{
	pg_atomic_init_u32(&cv->seq, 0);
	pg_atomic_init_u32(&cv->wake, 0);
	pg_atomic_init_u32(&cv->nsleepers, 0);
}

void
ConditionVariablePrepareToSleep(ConditionVariable *cv)
{
	if (cv_sleep_target != NULL)
		(void) ConditionVariableCancelSleep();
	cv_sleep_target = cv;
	cv_seen_seq = pg_atomic_read_membarrier_u32(&cv->seq);
}

bool
ConditionVariableCancelSleep(void)
{
	ConditionVariable *cv = cv_sleep_target;

	if (cv == NULL)
		return false;
	cv_sleep_target = NULL;
	return pg_atomic_read_membarrier_u32(&cv->seq) != cv_seen_seq;
}

void
ConditionVariableSleep(ConditionVariable *cv, uint32 wait_event_info)
{
	(void) ConditionVariableTimedSleep(cv, -1, wait_event_info);
}

/* Exits as WL_EXIT_ON_PM_DEATH when the host is gone (children only). */
static void
check_postmaster_death(void)
{
	if (bgw_death_pipe_fd >= 0 && postmaster_possibly_dead &&
		!PostmasterIsAliveInternal())
		proc_exit(1);
}

bool
ConditionVariableTimedSleep(ConditionVariable *cv, long timeout,
							uint32 wait_event_info)
{
	struct timespec deadline;
	bool		watch_death = bgw_death_pipe_fd >= 0;
	bool		poll_death = watch_death && !bgw_pm_death_signal_trusted();
	volatile unsigned int *word = &cv->wake.value;

	/* not prepared on this one: prepare, and let the caller test again */
	if (cv_sleep_target != cv)
	{
		ConditionVariablePrepareToSleep(cv);
		return false;
	}
	if (timeout >= 0)
		bgw_deadline_after_ms(&deadline, timeout);

	for (;;)
	{
		struct timespec slice;
		const struct timespec *until = timeout >= 0 ? &deadline : NULL;
		uint32		now;
		uint32		woken_by;
		bool		latch_was_set;

		if (poll_death)
		{
			bgw_deadline_after_ms(&slice, CV_DEATH_POLL_MS);
			if (until == NULL || slice.tv_sec < until->tv_sec ||
				(slice.tv_sec == until->tv_sec && slice.tv_nsec < until->tv_nsec))
				until = &slice;
		}

		/* publish the word, then re-test what a handler may have set */
		bgw_current_sleep_word = word;
		pg_atomic_fetch_add_u32(&cv->nsleepers, 1);
		woken_by = pg_atomic_read_membarrier_u32(&cv->wake);
		latch_was_set = MyLatch != NULL && MyLatch->is_set;
		if (latch_was_set)
			ResetLatch(MyLatch);
		if (!latch_was_set &&
			!InterruptPending &&
			!(watch_death && postmaster_possibly_dead) &&
			!(timeout == 0) &&
			pg_atomic_read_membarrier_u32(&cv->seq) == cv_seen_seq)
		{
			pgstat_report_wait_start(wait_event_info);
			(void) bgw_futex_wait(word, woken_by, until);
			pgstat_report_wait_end();
		}
		pg_atomic_fetch_sub_u32(&cv->nsleepers, 1);
		bgw_current_sleep_word = NULL;

		if (watch_death)
			check_postmaster_death();
		CHECK_FOR_INTERRUPTS();

		/* an interrupt handler slept on another variable: return */
		if (cv != cv_sleep_target)
			return false;

		now = pg_atomic_read_membarrier_u32(&cv->seq);
		if (now != cv_seen_seq)
		{
			cv_seen_seq = now;
			return false;
		}
		if (timeout >= 0 && bgw_deadline_passed(&deadline))
			return true;
	}
}

void
ConditionVariableSignal(ConditionVariable *cv)
{
	pg_atomic_fetch_add_u32(&cv->seq, 1);
	pg_atomic_fetch_add_u32(&cv->wake, 1);
	if (pg_atomic_read_u32(&cv->nsleepers) != 0)
		bgw_futex_wake(&cv->wake.value, 1);
}

void
ConditionVariableBroadcast(ConditionVariable *cv)
{
	pg_atomic_fetch_add_u32(&cv->seq, 1);
	pg_atomic_fetch_add_u32(&cv->wake, 1);
	if (pg_atomic_read_u32(&cv->nsleepers) != 0)
		bgw_futex_wake(&cv->wake.value, INT_MAX);
}
