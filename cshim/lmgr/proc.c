/*-------------------------------------------------------------------------
 *
 * proc.c
 *	  Per-worker process data in shared memory (BgwProc, whose first member
 *	  is the PGPROC that MyProc points to): attaching a new child to its
 *	  slot, the dead-man switch, and the supervisor's lock-free reads.
 *
 *	  The dead-man switch.  A child that attaches sets its slot's active
 *	  flag and registers an on_shmem_exit callback that, last of all,
 *	  clears it.  proc_exit runs that callback; a process that dies any
 *	  other way (a signal, _exit, abort after PANIC) leaves the flag set.
 *	  After reaping the child the supervisor reads the flag: set means the
 *	  child may have died in the middle of changing shared memory (holding
 *	  a lock, half-way through an update), so the whole system goes
 *	  through a crash cycle.  The same callback first releases the child's
 *	  LWLocks, so a clean exit never leaves a lock held.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "bgw_internal.h"
#include "miscadmin.h"
#include "shmem_int.h"
#include "storage/ipc.h"

BGW_CHILD_HOT PGPROC	   *MyProc = NULL;
BgwProc    *bgw_proc_array = NULL;
int			bgw_proc_count = 0;

/* How often the supervisor retries a read that raced with a write. */
#define PROC_STATUS_TRIES	1000

static BgwProc *
proc_slot(int slot)
{
	if (bgw_proc_array == NULL || slot < 0 || slot >= bgw_proc_count)
		return NULL;
	return &bgw_proc_array[slot];
}

/* Supervisor, from bgw_shmem_init: every entry empty, latches shared. */
void
bgw_proc_shmem_init(void)
{
	for (int i = 0; i < bgw_proc_count; i++)
	{
		BgwProc    *proc = &bgw_proc_array[i];

		memset(proc, 0, sizeof(*proc));
		InitSharedLatch(&proc->pgproc.procLatch);
		proc->pgproc.pgprocno = i;
		proc->pgproc.databaseId = InvalidOid;
		proc->pgproc.roleId = InvalidOid;
		proc->state = STATE_UNDEFINED;
		pg_atomic_init_u32(&proc->active, 0);
		pg_atomic_init_u32(&proc->changecount, 0);
	}
}

/*
 * on_shmem_exit callback of an attached child (see the file header):
 * release LWLocks, stop reporting, give up the latch, then clear the flag.
 */
static void
proc_detach(int code, Datum arg)
{
	BgwProc    *proc = proc_slot(DatumGetInt32(arg));

	LWLockReleaseAll();
	pgstat_report_wait_end();
	pgstat_reset_wait_event_storage();
	if (proc == NULL)
		return;

	/* later exit callbacks may still use MyLatch: give them a local one */
	bgw_latch_init_local();
	if (proc->pgproc.procLatch.owner_pid == getpid())
		DisownLatch(&proc->pgproc.procLatch);
	MyProc = NULL;
	proc->pgproc.pid = 0;

	pg_memory_barrier();
	pg_atomic_write_u32(&proc->active, 0);
	pg_memory_barrier();
}

/*
 * In a new worker (or start-up) child: take slot `slot`.  Sets the dead-man
 * flag first, then registers the callback that clears it, then owns the
 * latch, so that any failure from here on is an orderly exit.  Worker
 * child only, before module code runs.
 */
void
bgw_proc_attach(int slot)
{
	BgwProc    *proc = proc_slot(slot);

	if (proc == NULL)
		elog(FATAL, "cannot attach to shared memory slot %d: valid slots are 0 to %d",
			 slot, bgw_proc_count - 1);

	pg_atomic_write_u32(&proc->active, 1);
	pg_memory_barrier();
	on_shmem_exit(proc_detach, Int32GetDatum(slot));

	proc->pgproc.pid = getpid();
	proc->pgproc.wait_event_info = 0;
	OwnLatch(&proc->pgproc.procLatch);
	MyProc = &proc->pgproc;
	MyLatch = &proc->pgproc.procLatch;
	pgstat_set_wait_event_storage(&proc->pgproc.wait_event_info);

	/*
	 * Set, as PostgreSQL sets the shared latch a child switches to (a
	 * wake-up meant for the local one is not lost): the module's first
	 * WaitLatch returns WL_LATCH_SET at once.
	 */
	SetLatch(MyLatch);
}

/* In a new child without shared memory: no slot, a process-local latch. */
void
bgw_proc_local_latch(void)
{
	MyProc = NULL;
	pgstat_reset_wait_event_storage();
	bgw_latch_init_local();
}

/* Supervisor, after reaping the slot's process. */
bool
bgw_proc_was_active(int slot)
{
	BgwProc    *proc = proc_slot(slot);

	if (proc == NULL)
		return false;
	return pg_atomic_read_membarrier_u32(&proc->active) != 0;
}

/*
 * Supervisor, before a new process uses the slot: reset what the previous
 * one left.  Its latch is re-initialised only if it was never disowned
 * (that process did not exit through proc_exit).
 */
void
bgw_proc_clear_active(int slot)
{
	BgwProc    *proc = proc_slot(slot);

	if (proc == NULL)
		return;
	pg_atomic_write_u32(&proc->active, 0);
	proc->pgproc.pid = 0;
	proc->pgproc.wait_event_info = 0;
	pg_atomic_write_u32(&proc->changecount, 0);
	proc->state = STATE_UNDEFINED;
	proc->activity[0] = '\0';
	if (proc->pgproc.procLatch.owner_pid != 0)
		InitSharedLatch(&proc->pgproc.procLatch);
	pg_memory_barrier();
}

PGPROC *
ProcNumberGetProc(ProcNumber procNumber)
{
	BgwProc    *proc = proc_slot(procNumber);

	return proc ? &proc->pgproc : NULL;
}

/*
 * Supervisor: a consistent copy of a slot's state, activity and wait
 * event, without locks (seqlock read; see BgwProc).  Never trusts the
 * slot: the copy is bounded and terminated, the state range-checked.
 */
bool
bgw_proc_status(int slot, char *activity, size_t actlen,
				int *state, uint32 *wait_event_info)
{
	BgwProc    *proc = proc_slot(slot);
	char		copy[BGW_ACTIVITY_SIZE];

	if (proc == NULL || activity == NULL || actlen == 0)
		return false;
	for (int attempt = 0; attempt < PROC_STATUS_TRIES; attempt++)
	{
		uint32		before = pg_atomic_read_membarrier_u32(&proc->changecount);
		uint32		after;
		int			st;

		if (before & 1)
		{
			pg_spin_delay();
			continue;
		}
		st = *(volatile int *) &proc->state;
		memcpy(copy, (const char *) proc->activity, sizeof(copy));
		pg_read_barrier();
		after = pg_atomic_read_membarrier_u32(&proc->changecount);
		if (before != after)
			continue;

		copy[sizeof(copy) - 1] = '\0';
		strlcpy(activity, copy, actlen);
		if (state)
			*state = (st >= STATE_UNDEFINED && st <= STATE_DISABLED) ? st : STATE_UNDEFINED;
		if (wait_event_info)
			*wait_event_info = *(volatile uint32 *) &proc->pgproc.wait_event_info;
		return true;
	}
	return false;
}
