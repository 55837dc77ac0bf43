/*-------------------------------------------------------------------------
 *
 * spin.h
 *	  Spinlocks for bgworker modules (PostgreSQL 17 API).
 *
 *	  A spinlock guards a few instructions on shared memory: while holding
 *	  one, do not call elog, allocate, make system calls or take any other
 *	  lock.  A crash while holding one is a system-wide crash cycle.  The
 *	  supervisor never takes spinlocks.
 *
 *	  SpinLockInit(lock)     initialise (before any process uses it)
 *	  SpinLockAcquire(lock)  take it; back off, PANIC if stuck
 *	  SpinLockRelease(lock)  release it (a release barrier)
 *	  SpinLockFree(lock)     true if not held
 *
 *-------------------------------------------------------------------------
 */
#ifndef SPIN_H
#define SPIN_H

#include "storage/s_lock.h"

#define SpinLockInit(lock)		S_INIT_LOCK(lock)
#define SpinLockAcquire(lock)	S_LOCK(lock)
#define SpinLockRelease(lock)	S_UNLOCK(lock)
#define SpinLockFree(lock)		S_LOCK_FREE(lock)

#endif							/* SPIN_H */
