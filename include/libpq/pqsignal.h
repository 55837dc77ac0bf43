/*-------------------------------------------------------------------------
 *
 * pqsignal.h
 *	  Installing signal handlers and the standard signal masks of a
 *	  bgworker process (PostgreSQL 17 names and signatures).
 *
 *	  pqsignal() installs a handler with SA_RESTART (except for SIGALRM)
 *	  and always SA_ONSTACK: a handler a module installs in the host
 *	  process (which it should not do) then cannot crash the host's
 *	  runtime.  Returns the previous handler, or SIG_ERR.
 *
 *	  BlockSig is the mask a worker starts with: every blockable signal
 *	  except SIGQUIT, the synchronous error signals (SIGTRAP, SIGABRT,
 *	  SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGSYS), SIGCONT and the host-death
 *	  signal.  UnBlockSig is what BackgroundWorkerUnblockSignals() sets.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PQSIGNAL_H
#define PQSIGNAL_H

#include <signal.h>

typedef void (*pqsigfunc) (SIGNAL_ARGS);

extern PGDLLIMPORT sigset_t UnBlockSig;
extern PGDLLIMPORT sigset_t BlockSig;
extern PGDLLIMPORT sigset_t StartupBlockSig;

/* Fill in UnBlockSig, BlockSig and StartupBlockSig. */
extern void pqinitmask(void);

/* The symbol is pqsignal_be: see port.h. */
#ifndef pqsignal
#define pqsignal pqsignal_be
#endif
extern pqsigfunc pqsignal(int signo, pqsigfunc func);

#endif							/* PQSIGNAL_H */
