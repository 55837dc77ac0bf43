/*-------------------------------------------------------------------------
 *
 * pqsignal.c
 *	  pqsignal() and the standard signal masks (BlockSig, UnBlockSig,
 *	  StartupBlockSig) of bgworker processes, and
 *	  BackgroundWorkerBlockSignals/UnblockSignals.
 *
 *	  Every handler is installed with SA_ONSTACK: if a module installs one
 *	  in the host process (a Go process whose runtime uses an alternate
 *	  signal stack per thread), a handler running on a goroutine stack
 *	  would crash the runtime.  In a worker there is no alternate stack
 *	  (the child disables Go's), so the flag is harmless there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "libpq/pqsignal.h"
#include "fork_int.h"

BGW_CHILD_HOT sigset_t UnBlockSig;
BGW_CHILD_HOT sigset_t BlockSig;
BGW_CHILD_HOT sigset_t StartupBlockSig;

/*
 * Signals that are never blocked: blocking a synchronous fault signal
 * makes the kernel kill the process instead of running the handler, and
 * SIGCONT must keep working for job control.
 */
static const int never_blocked[] = {
	SIGTRAP, SIGABRT, SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGSYS, SIGCONT,
};

/*
 * Fill in the three masks.  BlockSig also leaves SIGQUIT (the crash-exit
 * signal, as in a PostgreSQL child after InitPostmasterChild) and
 * BGW_PM_DEATH_SIGNAL (the host-death notification) deliverable.
 * StartupBlockSig additionally lets SIGTERM and SIGALRM through.
 * UnBlockSig is empty except SIGURG, which latch waits may consume
 * through a signalfd and must therefore stay blocked.  Any process;
 * idempotent.
 */
void
pqinitmask(void)
{
	sigemptyset(&UnBlockSig);
	sigaddset(&UnBlockSig, SIGURG);

	sigfillset(&BlockSig);
	for (size_t i = 0; i < lengthof(never_blocked); i++)
		sigdelset(&BlockSig, never_blocked[i]);
	sigdelset(&BlockSig, SIGQUIT);
	sigdelset(&BlockSig, BGW_PM_DEATH_SIGNAL);

	StartupBlockSig = BlockSig;
	sigdelset(&StartupBlockSig, SIGTERM);
	sigdelset(&StartupBlockSig, SIGALRM);
}

/*
 * Install func for signo and return the previous handler, or SIG_ERR.
 * Any process.  Not async-signal-safe (sigaction is, but callers use this
 * at start-up only).
 */
pqsigfunc
pqsignal(int signo, pqsigfunc func)
{
	struct sigaction act;
	struct sigaction oact;

	act.sa_handler = func;
	sigemptyset(&act.sa_mask);
	act.sa_flags = SA_ONSTACK;
	if (signo != SIGALRM)
		act.sa_flags |= SA_RESTART;
	if (signo == SIGCHLD)
		act.sa_flags |= SA_NOCLDSTOP;
	if (sigaction(signo, &act, &oact) < 0)
		return SIG_ERR;
	return oact.sa_handler;
}

/* Worker: block every signal of BlockSig (the state a worker starts in). */
void
BackgroundWorkerBlockSignals(void)
{
	sigprocmask(SIG_SETMASK, &BlockSig, NULL);
}

/* Worker: let signals in; called once the worker installed its handlers. */
void
BackgroundWorkerUnblockSignals(void)
{
	sigprocmask(SIG_SETMASK, &UnBlockSig, NULL);
}
