/*-------------------------------------------------------------------------
 *
 * s_lock.h
 *	  The hardware-level spinlock: slock_t, TAS, S_LOCK and the back-off
 *	  loop, with PostgreSQL 17's names.  Modules use storage/spin.h.
 *
 *	  A spinlock is one byte in shared memory taken with an atomic exchange.
 *	  S_LOCK spins a little, then sleeps with growing delays (1 ms up to
 *	  1 s); after NUM_DELAYS sleeps it declares the lock stuck and PANICs
 *	  (`stuck spinlock detected at FUNC, FILE:LINE`), which takes the whole
 *	  system through a crash cycle.
 *
 *-------------------------------------------------------------------------
 */
#ifndef S_LOCK_H
#define S_LOCK_H

#include "c.h"
#include "port/atomics.h"

#define HAS_TEST_AND_SET

typedef unsigned char slock_t;

/* Try once: returns 0 if the lock was free and is now ours, else nonzero. */
static inline int
tas(volatile slock_t *lock)
{
	return __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE);
}

#define TAS(lock)			tas(lock)
/* Check with a plain read first, so that waiters do not bounce the line. */
#define TAS_SPIN(lock)		(*(lock) ? 1 : TAS(lock))
#define S_UNLOCK(lock)		__atomic_store_n((lock), 0, __ATOMIC_RELEASE)
#define S_INIT_LOCK(lock)	S_UNLOCK(lock)
#define S_LOCK_FREE(lock)	(__atomic_load_n((lock), __ATOMIC_RELAXED) == 0)
#define SPIN_DELAY()		pg_spin_delay()

/*
 * Contended path of S_LOCK: spin and sleep until the lock is ours, PANIC
 * if it never comes free.  Returns the number of sleeps.  Any process.
 */
extern int	s_lock(volatile slock_t *lock, const char *file, int line,
				   const char *func);

#define S_LOCK(lock) \
	(TAS(lock) ? s_lock((lock), __FILE__, __LINE__, __func__) : 0)

/* Back-off state, for code that spins on something other than a slock_t. */
typedef struct SpinDelayStatus
{
	int			spins;			/* busy-loop iterations since the last sleep */
	int			delays;			/* sleeps so far */
	int			cur_delay;		/* next sleep, microseconds */
	const char *file;			/* caller, for the stuck message */
	int			line;
	const char *func;
} SpinDelayStatus;

static inline void
init_spin_delay(SpinDelayStatus *status, const char *file, int line,
				const char *func)
{
	status->spins = 0;
	status->delays = 0;
	status->cur_delay = 0;
	status->file = file;
	status->line = line;
	status->func = func;
}

#define init_local_spin_delay(status) \
	init_spin_delay(status, __FILE__, __LINE__, __func__)

/* One step of back-off; PANICs after too many sleeps. */
extern void perform_spin_delay(SpinDelayStatus *status);
extern void finish_spin_delay(SpinDelayStatus *status);
extern void set_spins_per_delay(int shared_spins_per_delay);
extern int	update_spins_per_delay(int shared_spins_per_delay);

#define DEFAULT_SPINS_PER_DELAY  100

#endif							/* S_LOCK_H */
