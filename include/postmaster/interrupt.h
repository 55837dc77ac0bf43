/*-------------------------------------------------------------------------
 *
 * interrupt.h
 *	  Signal handlers and flags for the main loop of a background worker:
 *	  configuration reload, shutdown request, crash exit.  PostgreSQL 17
 *	  API; implementation in cshim/postmaster/interrupt.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef INTERRUPT_H
#define INTERRUPT_H

#include <signal.h>

/* Set by the handlers below; cleared by whoever acts on them. */
extern PGDLLIMPORT volatile sig_atomic_t ConfigReloadPending;
extern PGDLLIMPORT volatile sig_atomic_t ShutdownRequestPending;

/*
 * Act on the flags: a pending reload re-reads the configuration file
 * (ProcessConfigFile(PGC_SIGHUP)); a pending shutdown request ends the
 * process with proc_exit(0).  Call from the main loop after waking up.
 */
extern void HandleMainLoopInterrupts(void);

/* SIGHUP: set ConfigReloadPending and the process latch. */
extern void SignalHandlerForConfigReload(SIGNAL_ARGS);

/* SIGQUIT: _exit(2) at once, with no exit callbacks. */
extern void SignalHandlerForCrashExit(SIGNAL_ARGS);

/* SIGTERM (or SIGINT): set ShutdownRequestPending and the process latch. */
extern void SignalHandlerForShutdownRequest(SIGNAL_ARGS);

/*
 * SIGTERM, deferred style (tcop/tcopprot.h in PostgreSQL): set
 * InterruptPending and ProcDiePending and the latch; the next
 * CHECK_FOR_INTERRUPTS() ends the process with FATAL.
 */
extern void die(SIGNAL_ARGS);

#endif							/* INTERRUPT_H */
