/*-------------------------------------------------------------------------
 *
 * condition_variable.h
 *	  Condition variables in shared memory for bgworker modules, with
 *	  PostgreSQL 17's names and semantics.
 *
 *	  A waiter prepares, tests its condition, and sleeps until another
 *	  process signals the variable; then it tests again:
 *
 *		ConditionVariablePrepareToSleep(cv);	(optional)
 *		while (!condition)
 *			ConditionVariableSleep(cv, wait_event_info);
 *		ConditionVariableCancelSleep();
 *
 *	  A sleep may end early (spuriously): always re-test.  A sleeping
 *	  process still handles interrupts (CHECK_FOR_INTERRUPTS) and exits if
 *	  the host dies, as WL_EXIT_ON_PM_DEATH.  A waker changes the state
 *	  first, then calls ConditionVariableSignal (one waiter) or
 *	  ConditionVariableBroadcast (all).
 *
 *	  Implementation: a futex sequence counter per variable, so no wait
 *	  list and no per-process registration: signalling bumps the counter
 *	  and wakes sleepers on it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CONDITION_VARIABLE_H
#define CONDITION_VARIABLE_H

#include "port/atomics.h"

typedef struct
{
	pg_atomic_uint32 seq;		/* bumped by every signal */
	pg_atomic_uint32 wake;		/* the futex word: bumped by every signal and
								 * by a sleeper's own signal handler */
	pg_atomic_uint32 nsleepers; /* processes in (or entering) a futex sleep */
} ConditionVariable;

/* Pad to 16 or 32 bytes, as PostgreSQL's, for arrays of variables. */
#define CV_MINIMAL_SIZE		(sizeof(ConditionVariable) <= 16 ? 16 : 32)
typedef union ConditionVariableMinimallyPadded
{
	ConditionVariable cv;
	char		pad[CV_MINIMAL_SIZE];
} ConditionVariableMinimallyPadded;

/* Initialise a variable (in shared memory, before anyone uses it). */
extern void ConditionVariableInit(ConditionVariable *cv);

/*
 * Sleep until signalled (or spuriously).  Called without a prior
 * ConditionVariablePrepareToSleep(cv), the first call only prepares and
 * returns at once, so that the caller tests its condition again.
 */
extern void ConditionVariableSleep(ConditionVariable *cv, uint32 wait_event_info);

/* The same, for at most timeout ms; true if the timeout elapsed. */
extern bool ConditionVariableTimedSleep(ConditionVariable *cv, long timeout,
										uint32 wait_event_info);

/* Stop sleeping on the current variable; true if it was signalled since. */
extern bool ConditionVariableCancelSleep(void);

/* Start sleeping on cv: changes from now on end the next sleep. */
extern void ConditionVariablePrepareToSleep(ConditionVariable *cv);

/* Wake one sleeper / every sleeper. */
extern void ConditionVariableSignal(ConditionVariable *cv);
extern void ConditionVariableBroadcast(ConditionVariable *cv);

#endif							/* CONDITION_VARIABLE_H */
