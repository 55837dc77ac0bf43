/*-------------------------------------------------------------------------
 *
 * child.c
 *	  What a new worker (or the startup child) does between the fork
 *	  server's clone and the module's entry point: drop what it inherited,
 *	  become a proper child of the supervisor, set up the process globals,
 *	  title, signals, shared memory, the latch and the error trampoline,
 *	  then call bgw_function_name(bgw_main_arg) and proc_exit(0).
 *
 *	  Runs only in a freshly cloned child: C only, one thread, never
 *	  returns.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bgworker/recovery.h"
#include "fmgr.h"
#include "libpq/pqsignal.h"
#include "storage/latch.h"
#include "utils/ps_status.h"
#include "fork_int.h"

bgw_recovery_hook_type bgw_recovery_hook = NULL;

/* This worker's registration; MyBgworkerEntry points here. */
BGW_CHILD_HOT static BackgroundWorker my_entry;

/* Seconds between the Unix epoch and PostgreSQL's (2000-01-01). */
#define BGW_PG_EPOCH_OFFSET	INT64CONST(946684800)

/*
 * The part every child shares: leave the fork server's session and
 * socket, make sure the supervisor is still our parent, and set the
 * process globals.  Signals are still all blocked (start_child).
 */
static void
child_common_init(int forkserver_sock, BackendType type)
{
	struct timeval tv;

	close(forkserver_sock);
	(void) setsid();

	/*
	 * The parent-death signal is a hint for latch waits (the death pipe is
	 * authoritative).  The supervisor may already be gone: then our parent
	 * is someone else and nobody would ever reap or stop us.
	 */
	(void) prctl(PR_SET_PDEATHSIG, BGW_PM_DEATH_SIGNAL);
	if (getppid() != PostmasterPid)
		_exit(1);

	IsUnderPostmaster = true;
	MyProcPid = getpid();
	gettimeofday(&tv, NULL);
	MyStartTime = (pg_time_t) tv.tv_sec;
	MyStartTimestamp = ((int64) tv.tv_sec - BGW_PG_EPOCH_OFFSET) * INT64CONST(1000000) +
		tv.tv_usec;
	MyBackendType = type;

	bgw_elog_child_init();
	on_exit_reset();
	bgw_latch_child_init();
	bgw_ps_title_allowed = true;
}

/*
 * PostgreSQL's postmaster has each child it forks call InitPostmasterChild;
 * here child_common_init did that work before any module code runs.  A
 * module that calls it anyway gets what a PostgreSQL background worker gets:
 * the process already leads its own session, so setsid() fails and the
 * call ends the worker with FATAL (exit code 1).  Outside a child (from
 * _PG_init in the supervisor) there is no child to set up: an ERROR.
 * Module code.
 */
void
InitPostmasterChild(void)
{
	if (!IsUnderPostmaster)
		ereport(ERROR,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("InitPostmasterChild() can only be called in a child of the postmaster"));
	if (setsid() < 0)
		elog(FATAL, "setsid() failed: %m");
}

/*
 * SIGALRM in a worker.  PostgreSQL's workers have the timeout module's
 * handler, which with no timeout registered only sets the process latch;
 * a stray SIGALRM (a library's alarm(), a mistaken kill) must not end the
 * worker, which would be a crash and restart every worker.  Signal handler.
 */
static void
child_sigalrm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	if (MyLatch)
		SetLatch(MyLatch);
	errno = save_errno;
}

/*
 * Default handlers of a non-connected PostgreSQL worker, then the start
 * mask (BlockSig): only SIGQUIT, the host-death signal and the
 * synchronous fault signals get through until the worker calls
 * BackgroundWorkerUnblockSignals().  SIGTTIN, SIGTTOU and SIGXFSZ are
 * ignored as PostgreSQL's postmaster ignores them and its children
 * inherit that: a worker never stops for the terminal, and a write past
 * RLIMIT_FSIZE fails with EFBIG instead of killing it.
 */
static void
child_signals(void (*sigterm) (SIGNAL_ARGS))
{
	pqinitmask();
	pqsignal(SIGTERM, sigterm);
	pqsignal(SIGQUIT, SignalHandlerForCrashExit);
	pqsignal(SIGHUP, SIG_IGN);
	pqsignal(SIGINT, SIG_IGN);
	pqsignal(SIGUSR1, SIG_IGN);
	pqsignal(SIGUSR2, SIG_IGN);
	pqsignal(SIGPIPE, SIG_IGN);
	pqsignal(SIGFPE, SIG_IGN);
	pqsignal(SIGALRM, child_sigalrm);
	pqsignal(SIGTTIN, SIG_IGN);
	pqsignal(SIGTTOU, SIG_IGN);
	pqsignal(SIGXFSZ, SIG_IGN);
	pqsignal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, &BlockSig, NULL);
}

/*
 * A worker child.  slot is its index in the slot array (and its proc
 * slot); worker the registration the supervisor sent.
 */
void
bgw_child_worker_main(int forkserver_sock, int slot,
					  const BackgroundWorker *worker)
{
	sigjmp_buf	local_sigjmp_buf;
	bgworker_main_type entrypt;

	child_common_init(forkserver_sock, B_BG_WORKER);
	IsBackgroundWorker = true;

	memcpy(&my_entry, worker, sizeof(my_entry));
	my_entry.bgw_name[BGW_MAXLEN - 1] = '\0';
	my_entry.bgw_type[BGW_MAXLEN - 1] = '\0';
	my_entry.bgw_library_name[sizeof(my_entry.bgw_library_name) - 1] = '\0';
	my_entry.bgw_function_name[BGW_MAXLEN - 1] = '\0';
	if (my_entry.bgw_type[0] == '\0')
		strlcpy(my_entry.bgw_type, my_entry.bgw_name, BGW_MAXLEN);
	MyBgworkerEntry = &my_entry;

	init_ps_display(my_entry.bgw_name);
	child_signals(bgworker_die);

	/*
	 * From here on an ERROR that nobody catches ends the worker: logged,
	 * then proc_exit(1).  FATAL ends it in elog itself.
	 */
	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
		bgw_worker_error_exit();
	PG_exception_stack = &local_sigjmp_buf;

	if ((my_entry.bgw_flags & BGWORKER_SHMEM_ACCESS) != 0)
		bgw_proc_attach(slot);
	else
	{
		/* a 9.3-style detached worker: no segment, a local latch */
		void	   *base = bgw_shmem_base();

		if (base != NULL)
			(void) shmdt(base);
		bgw_shmem_forget();
		bgw_proc_local_latch();
	}

	/* PostgreSQL's core entry points; bgworker has none */
	if (strcmp(my_entry.bgw_library_name, BGW_CORE_LIBRARY_NAME) == 0)
		elog(ERROR, "internal function \"%s\" not found",
			 my_entry.bgw_function_name);

	entrypt = (bgworker_main_type)
		load_external_function(my_entry.bgw_library_name,
							   my_entry.bgw_function_name, true, NULL);
	entrypt(my_entry.bgw_main_arg);

	proc_exit(0);
}

/* SIGTERM in the startup child: end it like a FATAL would. */
static void
startup_die(SIGNAL_ARGS)
{
	bgw_elog_signal_context(true);
	ereport(FATAL,
			errcode(ERRCODE_ADMIN_SHUTDOWN),
			errmsg("terminating startup process due to administrator command"));
}

/*
 * The startup child: runs the modules' recovery hook, attached to shared
 * memory through the spare proc slot (index max_worker_processes), and
 * exits 0; an ERROR or FATAL ends it with exit code 1.
 */
void
bgw_child_startup_main(int forkserver_sock, bool standby)
{
	sigjmp_buf	local_sigjmp_buf;

	child_common_init(forkserver_sock, B_STARTUP);
	init_ps_display("startup");
	child_signals(startup_die);

	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
		bgw_worker_error_exit();
	PG_exception_stack = &local_sigjmp_buf;

	if (bgw_shmem_base() != NULL)
		bgw_proc_attach(max_worker_processes);
	else
		bgw_proc_local_latch();

	sigprocmask(SIG_SETMASK, &UnBlockSig, NULL);
	if (bgw_recovery_hook != NULL)
		bgw_recovery_hook(standby);

	proc_exit(0);
}
