/*-------------------------------------------------------------------------
 *
 * spin.c
 *	  The contended path of spinlocks: spin a while, then sleep with
 *	  growing, randomised delays, and PANIC when the lock never comes free.
 *
 *	  Any process (workers; the supervisor only while no worker exists).
 *	  Not async-signal-safe (it may sleep and PANIC).
 *
 *	  The delay starts at 1 ms and grows by a random factor between 1 and 2
 *	  after each sleep, up to 1 s, after which it starts over at 1 ms;
 *	  after bgw_spin_num_delays sleeps (1000, as in PostgreSQL: minutes of
 *	  waiting) the lock is declared stuck.  The randomness keeps processes
 *	  that collided once from colliding again in lock-step.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>
#include <unistd.h>

#include "shmem_int.h"
#include "storage/s_lock.h"

#define MIN_SPINS_PER_DELAY		10
#define MAX_SPINS_PER_DELAY		1000
#define MIN_DELAY_USEC			1000L
#define MAX_DELAY_USEC			1000000L

/* Sleeps before a spinlock counts as stuck; lowered only by tests. */
int			bgw_spin_num_delays = 1000;

static int	spins_per_delay = DEFAULT_SPINS_PER_DELAY;
static uint64 delay_random_state = 0;

/* A small xorshift generator; quality does not matter, only spreading. */
static double
delay_random_fraction(void)
{
	uint64		x = delay_random_state;

	if (x == 0)
		x = ((uint64) getpid() << 32) ^ (uint64) (uintptr_t) &x ^ 0x9E3779B97F4A7C15UL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	delay_random_state = x;
	return (double) (x >> 11) / (double) (UINT64CONST(1) << 53);
}

static void
sleep_usec(long usec)
{
	struct timespec ts;

	ts.tv_sec = usec / 1000000L;
	ts.tv_nsec = (usec % 1000000L) * 1000L;
	/* an early return on a signal just shortens this delay */
	(void) nanosleep(&ts, NULL);
}

static void
s_lock_stuck(const char *file, int line, const char *func)
{
	if (func == NULL)
		func = "(unknown)";
	if (file == NULL)
		file = "(unknown)";
	elog(PANIC, "stuck spinlock detected at %s, %s:%d", func, file, line);
}

void
perform_spin_delay(SpinDelayStatus *status)
{
	SPIN_DELAY();
	if (++(status->spins) < spins_per_delay)
		return;

	if (++(status->delays) > bgw_spin_num_delays)
		s_lock_stuck(status->file, status->line, status->func);
	if (status->cur_delay == 0)
		status->cur_delay = MIN_DELAY_USEC;

	pgstat_report_wait_start(WAIT_EVENT_SPIN_DELAY);
	sleep_usec(status->cur_delay);
	pgstat_report_wait_end();

	status->cur_delay += (int) (status->cur_delay * delay_random_fraction() + 0.5);
	if (status->cur_delay > MAX_DELAY_USEC)
		status->cur_delay = MIN_DELAY_USEC;
	status->spins = 0;
}

/*
 * Adapt spins_per_delay: a lock that came free without sleeping means
 * spinning pays (spin longer next time, we are likely on a multiprocessor);
 * one that needed a sleep means spinning wasted CPU.
 */
void
finish_spin_delay(SpinDelayStatus *status)
{
	if (status->cur_delay == 0)
	{
		if (spins_per_delay < MAX_SPINS_PER_DELAY)
			spins_per_delay = Min(spins_per_delay + 100, MAX_SPINS_PER_DELAY);
	}
	else if (spins_per_delay > MIN_SPINS_PER_DELAY)
		spins_per_delay = Max(spins_per_delay - 1, MIN_SPINS_PER_DELAY);
}

int
s_lock(volatile slock_t *lock, const char *file, int line, const char *func)
{
	SpinDelayStatus delay;

	init_spin_delay(&delay, file, line, func);
	while (TAS_SPIN(lock))
		perform_spin_delay(&delay);
	finish_spin_delay(&delay);
	return delay.delays;
}

void
set_spins_per_delay(int shared_spins_per_delay)
{
	if (shared_spins_per_delay >= MIN_SPINS_PER_DELAY &&
		shared_spins_per_delay <= MAX_SPINS_PER_DELAY)
		spins_per_delay = shared_spins_per_delay;
}

int
update_spins_per_delay(int shared_spins_per_delay)
{
	/* move the shared estimate slowly toward this process's experience */
	return (shared_spins_per_delay * 15 + spins_per_delay) / 16;
}
