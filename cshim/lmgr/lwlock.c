/*-------------------------------------------------------------------------
 *
 * lwlock.c
 *	  Lightweight locks: shared/exclusive locks in shared memory whose
 *	  waiters sleep on a shared futex, plus the named and dynamic tranches
 *	  modules use to get and name their locks.
 *
 *	  Called by workers and, while no worker exists, by the supervisor
 *	  (shmem_startup_hook).  Nothing here is async-signal-safe.
 *
 *	  The lock word (state) says who holds the lock: bit 31 for an
 *	  exclusive holder, the low 24 bits count shared holders.  Taking the
 *	  lock is one compare-and-swap on it.  Sleeping and waking use two more
 *	  words, so that the fast paths never touch the futex:
 *
 *	    waiter:   seq = wakeups; nwaiters++; retry the CAS;
 *	              if it failed, FUTEX_WAIT(wakeups, seq); nwaiters--; loop
 *	    releaser: update state; if nwaiters > 0: wakeups++; FUTEX_WAKE(all)
 *
 *	  Why no wake-up is lost: every step above is a sequentially consistent
 *	  atomic operation.  If the releaser read nwaiters before the waiter's
 *	  increment, the waiter's retry comes after the release in that order
 *	  and succeeds.  Otherwise the releaser bumps wakeups after the waiter
 *	  read seq, and FUTEX_WAIT, which compares the word with seq inside the
 *	  kernel, returns at once.  The futex is shared (no FUTEX_PRIVATE_FLAG):
 *	  the kernel keys it by the physical page, so it works between the
 *	  forked processes that map the segment.
 *
 *	  Everyone is woken and retries; the lock is not fair, which is fine for
 *	  the short critical sections LWLocks are meant for.  A waiter killed
 *	  while asleep leaves nwaiters one too high, which only costs spurious
 *	  wake-ups; a holder killed while holding is a crash, after which the
 *	  supervisor recreates the whole segment.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "miscadmin.h"
#include "shmem_int.h"

#define LW_VAL_EXCLUSIVE	((uint32) 1 << 31)
#define LW_SHARED_MASK		((uint32) 0x00FFFFFF)

LWLockPadded *MainLWLockArray = NULL;
NamedLWLockTranche *NamedLWLockTrancheArray = NULL;
int			NamedLWLockTrancheRequests = 0;

/* Locks held by this process, in acquisition order. */
typedef struct LWLockHandle
{
	LWLock	   *lock;
	LWLockMode	mode;
} LWLockHandle;

static int	num_held_lwlocks = 0;
static LWLockHandle held_lwlocks[MAX_SIMUL_LWLOCKS];

/* Tranches asked for in shmem_request_hook (supervisor; inherited). */
typedef struct NamedTrancheRequest
{
	char		name[NAMEDATALEN];
	int			num_lwlocks;
} NamedTrancheRequest;

static NamedTrancheRequest *named_requests = NULL;
static int	named_requests_allocated = 0;

/* Names given with LWLockRegisterTranche, by id - FIRST_USER_DEFINED. */
static const char **tranche_names = NULL;
static int	tranche_names_allocated = 0;

/* PostgreSQL 17 names of the individual locks (without "Lock"). */
static const char *const individual_lock_names[NUM_INDIVIDUAL_LWLOCKS] = {
	[1] = "ShmemIndex",[2] = "OidGen",[3] = "XidGen",[4] = "ProcArray",
	[5] = "SInvalRead",[6] = "SInvalWrite",[7] = "WALBufMapping",
	[8] = "WALWrite",[9] = "ControlFile",[13] = "MultiXactGen",
	[16] = "RelCacheInit",[17] = "CheckpointerComm",[18] = "TwoPhaseState",
	[19] = "TablespaceCreate",[20] = "BtreeVacuum",[21] = "AddinShmemInit",
	[22] = "Autovacuum",[23] = "AutovacuumSchedule",[24] = "SyncScan",
	[25] = "RelationMapping",[27] = "NotifyQueue",
	[28] = "SerializableXactHash",[29] = "SerializableFinishedList",
	[30] = "SerializablePredicateList",[32] = "SyncRep",
	[33] = "BackgroundWorker",[34] = "DynamicSharedMemoryControl",
	[35] = "AutoFile",[36] = "ReplicationSlotAllocation",
	[37] = "ReplicationSlotControl",[39] = "CommitTs",
	[40] = "ReplicationOrigin",[41] = "MultiXactTruncation",
	[43] = "LogicalRepWorker",[44] = "XactTruncation",
	[46] = "WrapLimitsVacuum",[47] = "NotifyQueueTail",
	[48] = "WaitEventExtension",[49] = "WALSummarizer",[50] = "DSMRegistry",
	[51] = "InjectionPoint",[52] = "SerialControl",
};

static const char *const builtin_tranche_names[] = {
	"XactBuffer", "CommitTsBuffer", "SubtransBuffer", "MultiXactOffsetBuffer",
	"MultiXactMemberBuffer", "NotifyBuffer", "SerialBuffer", "WALInsert",
	"BufferMapping", "LockManager", "PredicateLockManager", "ParallelHashJoin",
	"ParallelQueryDSA", "PerSessionDSA", "PerSessionRecordType",
	"PerSessionRecordTypmod", "SharedTupleStore", "SharedTidBitmap",
	"ParallelAppend", "PerXactPredicateList", "PgStatsDSA", "PgStatsHash",
	"PgStatsData", "LogicalRepLauncherDSA", "LogicalRepLauncherHash",
	"DSMRegistryDSA", "DSMRegistryHash", "CommitTsSLRU", "MultiXactOffsetSLRU",
	"MultiXactMemberSLRU", "NotifySLRU", "SerialSLRU", "SubtransSLRU",
	"XactSLRU", "ParallelVacuumDSA",
};

StaticAssertDecl(lengthof(builtin_tranche_names) ==
				 LWTRANCHE_FIRST_USER_DEFINED - NUM_INDIVIDUAL_LWLOCKS,
				 "builtin_tranche_names does not match BuiltinTrancheIds");

static void
futex_wait(pg_atomic_uint32 *word, uint32 expected)
{
	/* EAGAIN (word moved), EINTR and spurious returns all mean: retry */
	(void) syscall(SYS_futex, &word->value, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void
futex_wake_all(pg_atomic_uint32 *word)
{
	(void) syscall(SYS_futex, &word->value, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Try to take the lock once (no sleeping); true on success. */
static bool
lwlock_attempt(LWLock *lock, LWLockMode mode)
{
	uint32		old = pg_atomic_read_membarrier_u32(&lock->state);

	for (;;)
	{
		uint32		desired;

		if (mode == LW_EXCLUSIVE)
		{
			if (old != 0)
				return false;
			desired = LW_VAL_EXCLUSIVE;
		}
		else
		{
			if (old & LW_VAL_EXCLUSIVE)
				return false;
			desired = old + 1;
		}
		if (pg_atomic_compare_exchange_u32(&lock->state, &old, desired))
			return true;
	}
}

/* True if the lock could be taken in mode right now. */
static bool
lwlock_free_for(LWLock *lock, LWLockMode mode)
{
	uint32		state = pg_atomic_read_membarrier_u32(&lock->state);

	if (mode == LW_EXCLUSIVE)
		return state == 0;
	return (state & LW_VAL_EXCLUSIVE) == 0;
}

/*
 * Sleep until the lock is ours (acquire) or merely free for mode (!acquire),
 * reporting the LWLock wait event meanwhile.
 */
static void
lwlock_sleep(LWLock *lock, LWLockMode mode, bool acquire)
{
	pgstat_report_wait_start(PG_WAIT_LWLOCK | lock->tranche);
	for (;;)
	{
		uint32		seq = pg_atomic_read_membarrier_u32(&lock->wakeups);
		bool		done;

		pg_atomic_fetch_add_u32(&lock->nwaiters, 1);
		done = acquire ? lwlock_attempt(lock, mode) : lwlock_free_for(lock, mode);
		if (!done)
			futex_wait(&lock->wakeups, seq);
		pg_atomic_fetch_sub_u32(&lock->nwaiters, 1);
		if (done)
			break;
		if (acquire ? lwlock_attempt(lock, mode) : lwlock_free_for(lock, mode))
			break;
	}
	pgstat_report_wait_end();
}

static void
check_lock_arg(LWLock *lock, LWLockMode mode, bool allow_wait_until_free)
{
	if (lock == NULL)
		elog(ERROR, "LWLock pointer is NULL");
	if (mode != LW_EXCLUSIVE && mode != LW_SHARED &&
		!(allow_wait_until_free && mode == LW_WAIT_UNTIL_FREE))
		elog(ERROR, "unrecognized LWLock mode: %d", (int) mode);
	if (num_held_lwlocks >= MAX_SIMUL_LWLOCKS)
		elog(ERROR, "too many LWLocks taken");
}

static void
remember_lock(LWLock *lock, LWLockMode mode)
{
	held_lwlocks[num_held_lwlocks].lock = lock;
	held_lwlocks[num_held_lwlocks].mode = mode;
	num_held_lwlocks++;
}

bool
LWLockAcquire(LWLock *lock, LWLockMode mode)
{
	bool		result = true;

	check_lock_arg(lock, mode, false);

	/* no cancel/die in the middle of a critical section guarded by the lock */
	HOLD_INTERRUPTS();
	if (!lwlock_attempt(lock, mode))
	{
		lwlock_sleep(lock, mode, true);
		result = false;
	}
	remember_lock(lock, mode);
	return result;
}

bool
LWLockConditionalAcquire(LWLock *lock, LWLockMode mode)
{
	check_lock_arg(lock, mode, false);
	HOLD_INTERRUPTS();
	if (!lwlock_attempt(lock, mode))
	{
		RESUME_INTERRUPTS();
		return false;
	}
	remember_lock(lock, mode);
	return true;
}

bool
LWLockAcquireOrWait(LWLock *lock, LWLockMode mode)
{
	check_lock_arg(lock, mode, false);
	HOLD_INTERRUPTS();
	if (lwlock_attempt(lock, mode))
	{
		remember_lock(lock, mode);
		return true;
	}
	lwlock_sleep(lock, mode, false);
	RESUME_INTERRUPTS();
	return false;
}

void
LWLockRelease(LWLock *lock)
{
	LWLockMode	mode;
	uint32		newstate;
	int			i;

	for (i = num_held_lwlocks - 1; i >= 0; i--)
		if (held_lwlocks[i].lock == lock)
			break;
	if (i < 0)
		elog(ERROR, "lock %s is not held",
			 lock ? GetLWTrancheName(lock->tranche) : "(null)");
	mode = held_lwlocks[i].mode;
	num_held_lwlocks--;
	for (; i < num_held_lwlocks; i++)
		held_lwlocks[i] = held_lwlocks[i + 1];

	if (mode == LW_EXCLUSIVE)
		newstate = pg_atomic_sub_fetch_u32(&lock->state, LW_VAL_EXCLUSIVE);
	else
		newstate = pg_atomic_sub_fetch_u32(&lock->state, 1);

	/*
	 * Only a release that frees the lock for someone can let a waiter go:
	 * the last shared holder leaving, or the exclusive holder.
	 */
	if ((mode == LW_EXCLUSIVE || newstate == 0) &&
		pg_atomic_read_membarrier_u32(&lock->nwaiters) > 0)
	{
		pg_atomic_fetch_add_u32(&lock->wakeups, 1);
		futex_wake_all(&lock->wakeups);
	}

	RESUME_INTERRUPTS();
}

/*
 * Release everything this process holds, newest first.  Used by error
 * recovery and the exit callback; unlike retail releases it leaves
 * InterruptHoldoffCount as it was, because error recovery has already set
 * it.
 */
void
LWLockReleaseAll(void)
{
	while (num_held_lwlocks > 0)
	{
		HOLD_INTERRUPTS();
		LWLockRelease(held_lwlocks[num_held_lwlocks - 1].lock);
	}
}

bool
LWLockHeldByMe(LWLock *lock)
{
	for (int i = 0; i < num_held_lwlocks; i++)
		if (held_lwlocks[i].lock == lock)
			return true;
	return false;
}

bool
LWLockAnyHeldByMe(LWLock *lock, int nlocks, size_t stride)
{
	char	   *begin = (char *) lock;
	char	   *end = begin + (size_t) nlocks * stride;

	for (int i = 0; i < num_held_lwlocks; i++)
	{
		char	   *held = (char *) held_lwlocks[i].lock;

		if (held >= begin && held < end && (size_t) (held - begin) % stride == 0)
			return true;
	}
	return false;
}

bool
LWLockHeldByMeInMode(LWLock *lock, LWLockMode mode)
{
	for (int i = 0; i < num_held_lwlocks; i++)
		if (held_lwlocks[i].lock == lock && held_lwlocks[i].mode == mode)
			return true;
	return false;
}

void
LWLockInitialize(LWLock *lock, int tranche_id)
{
	lock->tranche = (uint16) tranche_id;
	pg_atomic_init_u32(&lock->state, 0);
	pg_atomic_init_u32(&lock->nwaiters, 0);
	pg_atomic_init_u32(&lock->wakeups, 0);
}

/* ---- tranches ---- */

void
RequestNamedLWLockTranche(const char *tranche_name, int num_lwlocks)
{
	if (!process_shmem_requests_in_progress)
		elog(FATAL, "cannot request additional LWLocks outside shmem_request_hook");
	if (tranche_name == NULL || tranche_name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("LWLock tranche name must not be empty")));
	if (num_lwlocks <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid number of LWLocks for tranche \"%s\": %d",
						tranche_name, num_lwlocks),
				 errdetail("The number of locks must be at least 1.")));

	if (NamedLWLockTrancheRequests >= named_requests_allocated)
	{
		int			n = named_requests_allocated ? named_requests_allocated * 2 : 16;
		NamedTrancheRequest *grown = realloc(named_requests, n * sizeof(*grown));

		if (grown == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		named_requests = grown;
		named_requests_allocated = n;
	}
	strlcpy(named_requests[NamedLWLockTrancheRequests].name, tranche_name, NAMEDATALEN);
	named_requests[NamedLWLockTrancheRequests].num_lwlocks = num_lwlocks;
	NamedLWLockTrancheRequests++;
}

int
bgw_lwlock_named_count(void)
{
	int			total = 0;

	for (int i = 0; i < NamedLWLockTrancheRequests; i++)
		total += named_requests[i].num_lwlocks;
	return total;
}

/*
 * Initialise every lock of MainLWLockArray at base and give the named
 * tranches their ids.  Supervisor, from bgw_shmem_init; the header's
 * tranche counter is already set.
 */
void
bgw_lwlock_shmem_init(LWLockPadded *base)
{
	int			next = NUM_FIXED_LWLOCKS;

	MainLWLockArray = base;
	for (int i = 0; i < NUM_INDIVIDUAL_LWLOCKS; i++)
		LWLockInitialize(&base[i].lock, i);
	for (int i = BUFFER_MAPPING_LWLOCK_OFFSET; i < LOCK_MANAGER_LWLOCK_OFFSET; i++)
		LWLockInitialize(&base[i].lock, LWTRANCHE_BUFFER_MAPPING);
	for (int i = LOCK_MANAGER_LWLOCK_OFFSET; i < PREDICATELOCK_MANAGER_LWLOCK_OFFSET; i++)
		LWLockInitialize(&base[i].lock, LWTRANCHE_LOCK_MANAGER);
	for (int i = PREDICATELOCK_MANAGER_LWLOCK_OFFSET; i < NUM_FIXED_LWLOCKS; i++)
		LWLockInitialize(&base[i].lock, LWTRANCHE_PREDICATE_LOCK_MANAGER);

	free(NamedLWLockTrancheArray);
	NamedLWLockTrancheArray = NULL;
	if (NamedLWLockTrancheRequests > 0)
	{
		NamedLWLockTrancheArray = calloc(NamedLWLockTrancheRequests,
										 sizeof(NamedLWLockTranche));
		if (NamedLWLockTrancheArray == NULL)
			elog(FATAL, "out of memory");
	}
	for (int t = 0; t < NamedLWLockTrancheRequests; t++)
	{
		int			id = LWLockNewTrancheId();

		NamedLWLockTrancheArray[t].trancheId = id;
		NamedLWLockTrancheArray[t].trancheName = named_requests[t].name;
		LWLockRegisterTranche(id, named_requests[t].name);
		for (int j = 0; j < named_requests[t].num_lwlocks; j++)
			LWLockInitialize(&base[next++].lock, id);
	}
}

LWLockPadded *
GetNamedLWLockTranche(const char *tranche_name)
{
	int			offset = NUM_FIXED_LWLOCKS;

	if (tranche_name != NULL && MainLWLockArray != NULL)
	{
		for (int i = 0; i < NamedLWLockTrancheRequests; i++)
		{
			if (strncmp(named_requests[i].name, tranche_name, NAMEDATALEN - 1) == 0)
				return &MainLWLockArray[offset];
			offset += named_requests[i].num_lwlocks;
		}
	}
	elog(ERROR, "requested tranche is not registered");
	return NULL;				/* not reached */
}

int
LWLockNewTrancheId(void)
{
	uint32		id;

	if (bgw_shmem_header == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shared memory is not available in this process")));
	id = pg_atomic_fetch_add_u32(&bgw_shmem_header->next_tranche_id, 1);
	if (id > PG_UINT16_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("maximum number of tranches already registered"),
				 errdetail("No more than %d tranches may be registered.",
						   PG_UINT16_MAX + 1 - LWTRANCHE_FIRST_USER_DEFINED)));
	return (int) id;
}

void
LWLockRegisterTranche(int tranche_id, const char *tranche_name)
{
	int			idx = tranche_id - LWTRANCHE_FIRST_USER_DEFINED;

	/* built-in tranches already have names */
	if (idx < 0 || tranche_id > PG_UINT16_MAX)
		return;
	if (idx >= tranche_names_allocated)
	{
		int			n = tranche_names_allocated ? tranche_names_allocated : 16;
		const char **grown;

		while (n <= idx)
			n *= 2;
		grown = realloc(tranche_names, n * sizeof(*grown));
		if (grown == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		memset(grown + tranche_names_allocated, 0,
			   (n - tranche_names_allocated) * sizeof(*grown));
		tranche_names = grown;
		tranche_names_allocated = n;
	}
	tranche_names[idx] = tranche_name;
}

const char *
GetLWTrancheName(uint16 trancheId)
{
	int			idx;

	if (trancheId < NUM_INDIVIDUAL_LWLOCKS)
		return individual_lock_names[trancheId] ?
			individual_lock_names[trancheId] : "unused";
	if (trancheId < LWTRANCHE_FIRST_USER_DEFINED)
		return builtin_tranche_names[trancheId - NUM_INDIVIDUAL_LWLOCKS];
	idx = trancheId - LWTRANCHE_FIRST_USER_DEFINED;
	if (idx < tranche_names_allocated && tranche_names[idx] != NULL)
		return tranche_names[idx];
	/* registered in another process only */
	return "extension";
}

const char *
GetLWLockIdentifier(uint32 classId, uint16 eventId)
{
	return GetLWTrancheName(eventId);
}
