/*-------------------------------------------------------------------------
 *
 * pmsignal.c
 *	  Host (postmaster) death detection and child-to-host signals
 *	  (storage/pmsignal.h), plus the latch set-up of a new child.
 *
 *	  Death: the supervisor holds the only write end of a pipe; every child
 *	  holds the read end (bgw_death_pipe_fd), non-blocking.  read() giving
 *	  EOF means the supervisor is gone; that is the only authoritative test.
 *	  Each child also has PR_SET_PDEATHSIG(BGW_PM_DEATH_SIGNAL); its handler
 *	  only raises postmaster_possibly_dead and wakes whatever futex this
 *	  process sleeps on, so a latch wait re-checks the pipe.  The signal
 *	  can be spurious (it follows the parent *thread*), hence the pipe.
 *
 *	  Signals to the host: a flag per reason in "PMSignalState" in shared
 *	  memory, then SIGUSR1 to the supervisor, which tests and clears the
 *	  flags (CheckPostmasterSignal, through the Go binding).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>

#include "bgw_internal.h"
#include "latch_int.h"
#include "miscadmin.h"
#include "storage/pmsignal.h"
#include "storage/shmem.h"

int			bgw_death_pipe_fd = -1;

BGW_CHILD_HOT volatile sig_atomic_t postmaster_possibly_dead = false;

/* The flags children raise; written by children, cleared by the host. */
typedef struct PMSignalData
{
	volatile sig_atomic_t flags[NUM_PMSIGNALS]; /* 1 = raised, not yet seen */
} PMSignalData;

static PMSignalData *PMSignalState = NULL;

BGW_CHILD_HOT static bool pm_death_handler_installed = false;

/*
 * Handler of BGW_PM_DEATH_SIGNAL, in a child.  Async-signal-safe: a flag
 * and a futex wake of the word this process sleeps on.
 */
static void
pm_death_handler(SIGNAL_ARGS)
{
	int			save_errno = errno;
	volatile unsigned int *w = bgw_current_sleep_word;

	postmaster_possibly_dead = true;
	if (w)
		bgw_futex_bump_wake(w);
	errno = save_errno;
}

void
bgw_pm_death_handler_install(void)
{
	struct sigaction sa;

	if (pm_death_handler_installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pm_death_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(BGW_PM_DEATH_SIGNAL, &sa, NULL) == 0)
		pm_death_handler_installed = true;
}

void
PostmasterDeathSignalInit(void)
{
	bgw_pm_death_handler_install();
}

/*
 * In a new child (fork area, after bgw_death_pipe_fd is set, before any
 * module code).  Makes the pipe non-blocking and close-on-exec, installs
 * the death handler, resets the process-local latch state inherited from
 * the fork server and points MyLatch at a fresh local latch.  The first
 * PostmasterIsAlive() reads the pipe, in case the host died before the
 * parent-death signal was armed.
 */
void
bgw_latch_child_init(void)
{
	pm_death_handler_installed = false;
	bgw_latch_reset_after_fork();
	bgw_pm_death_handler_install();
	if (bgw_death_pipe_fd >= 0)
	{
		int			fl = fcntl(bgw_death_pipe_fd, F_GETFL);

		if (fl >= 0)
			(void) fcntl(bgw_death_pipe_fd, F_SETFL, fl | O_NONBLOCK);
		(void) fcntl(bgw_death_pipe_fd, F_SETFD, FD_CLOEXEC);
		postmaster_possibly_dead = true;
	}
}

/*
 * Read the death pipe.  Clears the flag first, so that a signal arriving
 * during the read is not lost, and raises it again if the host is gone.
 */
bool
PostmasterIsAliveInternal(void)
{
	char		c;
	ssize_t		rc;

	postmaster_possibly_dead = false;
	if (bgw_death_pipe_fd < 0)
		return true;			/* we are the host, or not its child */

	do
		rc = read(bgw_death_pipe_fd, &c, 1);
	while (rc < 0 && errno == EINTR);

	if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
	{
		/*
		 * No EOF yet.  If we are no longer the host's child, every thread
		 * of the host has exited or is exiting (the kernel reparents to
		 * another process only then): the host is dead, even though its
		 * last thread may not have closed the pipe yet.  That last
		 * parent-death signal can come before the EOF, and no other signal
		 * would follow, so this is the moment to see the death.
		 */
		if (PostmasterPid > 0 && getppid() != PostmasterPid)
		{
			postmaster_possibly_dead = true;
			return false;
		}
		bgw_pm_death_signal_spurious();
		return true;
	}

	postmaster_possibly_dead = true;
	if (rc < 0)
		elog(FATAL, "read on postmaster death monitoring pipe failed: %m");
	else if (rc > 0)
		elog(FATAL, "unexpected data in postmaster death monitoring pipe");
	return false;
}

Size
bgw_pmsignal_shmem_size(void)
{
	return MAXALIGN(sizeof(PMSignalData));
}

/* Supervisor, after bgw_shmem_init: reserve and clear the flags. */
void
bgw_pmsignal_shmem_init(void)
{
	bool		found;

	PMSignalState = ShmemInitStruct("PMSignalState", sizeof(PMSignalData),
									&found);
	memset((void *) PMSignalState, 0, sizeof(PMSignalData));
}

/* Child: raise reason's flag and poke the host with SIGUSR1. */
void
SendPostmasterSignal(PMSignalReason reason)
{
	if ((int) reason < 0 || reason >= NUM_PMSIGNALS)
		elog(ERROR, "invalid postmaster signal reason %d", (int) reason);
	if (!IsUnderPostmaster || PMSignalState == NULL || PostmasterPid <= 0)
		return;
	PMSignalState->flags[reason] = true;
	pg_memory_barrier();
	(void) kill(PostmasterPid, SIGUSR1);
}

/*
 * Supervisor: test and clear reason's flag.  Reads shared memory
 * defensively (any non-zero value counts as raised).
 */
bool
CheckPostmasterSignal(PMSignalReason reason)
{
	if ((int) reason < 0 || reason >= NUM_PMSIGNALS || PMSignalState == NULL)
		return false;
	return __atomic_exchange_n(&PMSignalState->flags[reason], 0,
							   __ATOMIC_SEQ_CST) != 0;
}
