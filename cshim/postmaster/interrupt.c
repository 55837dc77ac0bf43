/*-------------------------------------------------------------------------
 *
 * interrupt.c
 *	  Interrupt handling of a worker: the signal handlers a worker may
 *	  install (die, SignalHandlerFor*), the default SIGTERM handler
 *	  bgworker_die, and ProcessInterrupts / HandleMainLoopInterrupts that
 *	  act on the flags the handlers set.
 *
 *	  The handlers are async-signal-safe (they set flags and the latch,
 *	  and keep errno), except bgworker_die and SignalHandlerForCrashExit,
 *	  which end the process from inside the handler as PostgreSQL does.
 *	  bgworker_die first puts elog in signal context
 *	  (bgw_elog_signal_context), so that its FATAL record does not take
 *	  locks the interrupted code may hold (see elog.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "bgw_internal.h"
#include "elog_int.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"

BGW_CHILD_HOT volatile sig_atomic_t ConfigReloadPending = false;
BGW_CHILD_HOT volatile sig_atomic_t ShutdownRequestPending = false;

/* The name a worker is known by in "terminating ..." messages. */
static const char *
worker_type_name(void)
{
	if (MyBgworkerEntry != NULL)
		return MyBgworkerEntry->bgw_type;
	return "";
}

/*
 * Act on pending interrupts, if interrupts may be processed now.  Called
 * by CHECK_FOR_INTERRUPTS() in any process.  ProcDiePending ends the
 * process with FATAL; a query cancel raises ERROR.
 */
void
ProcessInterrupts(void)
{
	if (InterruptHoldoffCount != 0 || CritSectionCount != 0)
		return;
	InterruptPending = false;

	if (ProcDiePending)
	{
		ProcDiePending = false;
		QueryCancelPending = false;
		if (IsBackgroundWorker)
			ereport(FATAL,
					(errcode(ERRCODE_ADMIN_SHUTDOWN),
					 errmsg("terminating background worker \"%s\" due to administrator command",
							worker_type_name())));
		else
			ereport(FATAL,
					(errcode(ERRCODE_ADMIN_SHUTDOWN),
					 errmsg("terminating connection due to administrator command")));
	}

	if (QueryCancelPending && QueryCancelHoldoffCount != 0)
	{
		/* keep it for when cancels are allowed again */
		InterruptPending = true;
	}
	else if (QueryCancelPending)
	{
		QueryCancelPending = false;
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to user request")));
	}

	if (LogMemoryContextPending)
	{
		LogMemoryContextPending = false;
		ereport(LOG_SERVER_ONLY,
				(errhidestmt(true), errhidecontext(true),
				 errmsg("logging memory contexts of PID %d", MyProcPid)));
		MemoryContextStatsDetail(TopMemoryContext, 100, 100, false);
	}
}

/*
 * The main-loop check of a worker that uses the SignalHandlerFor*
 * handlers: reload the configuration, or exit on a shutdown request.
 */
void
HandleMainLoopInterrupts(void)
{
	if (InterruptPending)
		ProcessInterrupts();

	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}

	if (ShutdownRequestPending)
		proc_exit(0);

	if (LogMemoryContextPending)
		ProcessInterrupts();
}

void
SignalHandlerForConfigReload(SIGNAL_ARGS)
{
	int			save_errno = errno;

	ConfigReloadPending = true;
	if (MyLatch)
		SetLatch(MyLatch);
	errno = save_errno;
}

/* SIGQUIT: no callbacks, no cleanup; the supervisor treats exit 2 as a crash. */
void
SignalHandlerForCrashExit(SIGNAL_ARGS)
{
	_exit(2);
}

void
SignalHandlerForShutdownRequest(SIGNAL_ARGS)
{
	int			save_errno = errno;

	ShutdownRequestPending = true;
	if (MyLatch)
		SetLatch(MyLatch);
	errno = save_errno;
}

/* Deferred SIGTERM: the next CHECK_FOR_INTERRUPTS() raises FATAL. */
void
die(SIGNAL_ARGS)
{
	int			save_errno = errno;

	if (!proc_exit_inprogress)
	{
		InterruptPending = true;
		ProcDiePending = true;
	}
	if (MyLatch)
		SetLatch(MyLatch);
	errno = save_errno;
}

/*
 * The default SIGTERM handler of a worker: FATAL at once, from inside the
 * handler (the worker's code is abandoned wherever it was).  Further
 * signals except SIGQUIT are blocked first so that nothing interrupts the
 * exit callbacks.  Installed by the fork area.
 */
void
bgworker_die(SIGNAL_ARGS)
{
	sigset_t	block;

	sigfillset(&block);
	sigdelset(&block, SIGQUIT);
	sigprocmask(SIG_SETMASK, &block, NULL);

	/* the interrupted code may hold the time zone lock, or be in stdio */
	bgw_elog_signal_context(true);
	ereport(FATAL,
			(errcode(ERRCODE_ADMIN_SHUTDOWN),
			 errmsg("terminating background worker \"%s\" due to administrator command",
					worker_type_name())));
}
