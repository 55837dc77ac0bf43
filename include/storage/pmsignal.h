/*-------------------------------------------------------------------------
 *
 * pmsignal.h
 *	  Signalling the host (postmaster) from a worker, and noticing that the
 *	  host died, with PostgreSQL 17's names.
 *
 *	  Host death is seen through a pipe whose write end only the host
 *	  holds: end-of-file on the read end means the host is gone.  A
 *	  parent-death signal raises postmaster_possibly_dead, so that
 *	  PostmasterIsAlive() costs nothing until then.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PMSIGNAL_H
#define PMSIGNAL_H

#include <signal.h>

/* Reasons a child signals the host (the values are PostgreSQL 17's). */
typedef enum
{
	PMSIGNAL_RECOVERY_STARTED,	/* recovery has started */
	PMSIGNAL_BEGIN_HOT_STANDBY, /* begin hot standby */
	PMSIGNAL_ROTATE_LOGFILE,	/* rotate the log file */
	PMSIGNAL_START_AUTOVAC_LAUNCHER,	/* start an autovacuum launcher */
	PMSIGNAL_START_AUTOVAC_WORKER,	/* start an autovacuum worker */
	PMSIGNAL_BACKGROUND_WORKER_CHANGE,	/* background worker state change */
	PMSIGNAL_START_WALRECEIVER, /* start a walreceiver */
	PMSIGNAL_ADVANCE_STATE_MACHINE, /* advance the host's state machine */

	NUM_PMSIGNALS				/* must be last */
} PMSignalReason;

/*
 * Set the flag for reason in shared memory and send SIGUSR1 to the host.
 * Does nothing outside a child of the host or without shared memory.
 */
extern void SendPostmasterSignal(PMSignalReason reason);

/* In the host: test and clear the flag for reason. */
extern bool CheckPostmasterSignal(PMSignalReason reason);

/* Install the handler of the parent-death signal (done for every child). */
extern void PostmasterDeathSignalInit(void);

/* Set by the parent-death signal's handler: the host may have died. */
extern PGDLLIMPORT volatile sig_atomic_t postmaster_possibly_dead;

/*
 * Reads the death pipe: false if the host is gone.  Raises FATAL if the
 * pipe is broken.  Always true in the host itself.
 */
extern bool PostmasterIsAliveInternal(void);

/* Cheap test: reads the pipe only once the death signal has arrived. */
static inline bool
PostmasterIsAlive(void)
{
	if (likely(!postmaster_possibly_dead))
		return true;
	return PostmasterIsAliveInternal();
}

#endif							/* PMSIGNAL_H */
