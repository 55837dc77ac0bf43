/*-------------------------------------------------------------------------
 *
 * procarray.c
 *	  Finding another process's PGPROC by pid (storage/procarray.h), and
 *	  the SIGUSR1 handler that makes notifications set the latch
 *	  (storage/procsignal.h).  Workers and sessions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>

#include "miscadmin.h"
#include "shmem_int.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/procsignal.h"

/*
 * The PGPROC whose process is pid, among the processes attached to the
 * segment (workers, sessions, the start-up child), or NULL.  No lock, as
 * the entry's pid is one word; the answer may be stale by the time the
 * caller uses it, as in PostgreSQL.
 */
PGPROC *
BackendPidGetProc(int pid)
{
	if (pid == 0 || bgw_proc_array == NULL)
		return NULL;
	for (int i = 0; i < bgw_proc_count; i++)
	{
		volatile PGPROC *proc = &bgw_proc_array[i].pgproc;

		if (proc->pid == pid)
			return (PGPROC *) proc;
	}
	return NULL;
}

PGPROC *
BackendPidGetProcWithLock(int pid)
{
	return BackendPidGetProc(pid);
}

void
procsignal_sigusr1_handler(SIGNAL_ARGS)
{
	int			save_errno = errno;

	if (MyLatch != NULL)
		SetLatch(MyLatch);
	errno = save_errno;
}
