/*-------------------------------------------------------------------------
 *
 * pqsig_libpq.c
 *	  Proof module for the symbol a module's pqsignal() binds to when the
 *	  module links libpq, which exports a pqsignal of its own.
 *
 *	  One worker (never restarted) calls PQlibVersion() so that libpq is
 *	  certainly loaded, installs a SIGUSR2 handler with pqsignal(), and
 *	  logs one line (LIB is PQSIG_LIBRARY below):
 *	    "LIB: checked pid P: ..."   pqsignal is the runtime's: the object
 *	                                that defines it also defines
 *	                                BackgroundWorkerUnblockSignals, and the
 *	                                handler has SA_ONSTACK, which libpq's
 *	                                pqsignal does not set
 *	    "LIB: wrong pid P: ..."     otherwise, naming both objects
 *
 *	  The test builds it twice: as is, and with -Dpqsignal_be=pqsignal,
 *	  which makes the call refer to the plain name "pqsignal" as modules
 *	  did before port.h renamed it (the control: that one is libpq's).
 *	  PQSIG_LIBRARY is the library name the worker is registered with.
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE				/* dladdr */
#include "postgres.h"

#include <dlfcn.h>
#include <signal.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"

#ifndef PQSIG_LIBRARY
#define PQSIG_LIBRARY "pqsig_libpq"
#endif

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void pqsig_libpq_main(Datum main_arg);

/* libpq-fe.h's; declared here so that the module needs only -lpq. */
extern int	PQlibVersion(void);

static void
on_sigusr2(SIGNAL_ARGS)
{
}

/* The file of the object that defines the function at addr. */
static const char *
object_of(void *addr)
{
	Dl_info		info;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL)
		return "(unknown)";
	return info.dli_fname;
}

void
pqsig_libpq_main(Datum main_arg)
{
	const char *ours = object_of((void *) BackgroundWorkerUnblockSignals);
	const char *theirs = object_of((void *) pqsignal);
	int			libpq_version = PQlibVersion();
	struct sigaction act;
	bool		onstack;

	pqsignal(SIGUSR2, on_sigusr2);
	if (sigaction(SIGUSR2, NULL, &act) != 0)
		elog(ERROR, "sigaction failed: %m");
	onstack = (act.sa_flags & SA_ONSTACK) != 0 && act.sa_handler == on_sigusr2;

	elog(LOG, "%s: %s pid %d: pqsignal from %s, API from %s, SA_ONSTACK %s, libpq %d",
		 PQSIG_LIBRARY, strcmp(ours, theirs) == 0 && onstack ? "checked" : "wrong",
		 MyProcPid, theirs, ours, onstack ? "set" : "not set", libpq_version);
	proc_exit(0);
}

void
_PG_init(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, PQSIG_LIBRARY, sizeof(worker.bgw_library_name));
	strlcpy(worker.bgw_function_name, "pqsig_libpq_main", sizeof(worker.bgw_function_name));
	strlcpy(worker.bgw_name, "pqsig_libpq", sizeof(worker.bgw_name));
	strlcpy(worker.bgw_type, "pqsig_libpq", sizeof(worker.bgw_type));
	RegisterBackgroundWorker(&worker);
}
