/*-------------------------------------------------------------------------
 *
 * lwlock.h
 *	  Lightweight locks for bgworker modules (PostgreSQL 17 API): shared or
 *	  exclusive locks in shared memory, for data that several workers read
 *	  and write.
 *
 *	  A waiter sleeps on a shared futex (it works across forked processes),
 *	  uninterruptibly; interrupts are held while any LWLock is held.  Every
 *	  lock a process holds is released by LWLockReleaseAll at error exit and
 *	  in proc_exit.  Locks are not re-entrant; at most MAX_SIMUL_LWLOCKS at
 *	  once.  The supervisor never waits for an LWLock held by a worker.
 *
 *	  Module locks: in shmem_request_hook, RequestNamedLWLockTranche(name,
 *	  n); later (shmem_startup_hook or a worker) GetNamedLWLockTranche(name)
 *	  returns the first of the n locks.  Or allocate LWLocks yourself in a
 *	  ShmemInitStruct chunk and use LWLockNewTrancheId, LWLockRegisterTranche
 *	  and LWLockInitialize.
 *
 *	  Absent (no use outside the database): LWLockWaitForVar,
 *	  LWLockUpdateVar, LWLockReleaseClearVar.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LWLOCK_H
#define LWLOCK_H

#include "c.h"
#include "port/atomics.h"

/*
 * The lock.  state: bit 31 = held exclusively, bits 0-23 = number of
 * shared holders.  wakeups is the futex word: a releaser that sees
 * nwaiters > 0 bumps it and wakes every sleeper, who then retry.
 */
typedef struct LWLock
{
	uint16		tranche;		/* tranche id, names the lock */
	pg_atomic_uint32 state;		/* holders, see above */
	pg_atomic_uint32 nwaiters;	/* processes announced as (about to be) asleep */
	pg_atomic_uint32 wakeups;	/* futex sequence word */
} LWLock;

/* One lock per cache line, so that unrelated locks do not share a line. */
#define LWLOCK_PADDED_SIZE	PG_CACHE_LINE_SIZE

typedef union LWLockPadded
{
	LWLock		lock;
	char		pad[LWLOCK_PADDED_SIZE];
} LWLockPadded;

StaticAssertDecl(sizeof(LWLock) <= LWLOCK_PADDED_SIZE,
				 "Miscalculated LWLock padding");

/* The fixed locks, then the named tranches; in shared memory. */
extern PGDLLIMPORT LWLockPadded *MainLWLockArray;

#include "storage/lwlocknames.h"

/* Locks of a tranche requested with RequestNamedLWLockTranche. */
typedef struct NamedLWLockTranche
{
	int			trancheId;
	char	   *trancheName;
} NamedLWLockTranche;

extern PGDLLIMPORT NamedLWLockTranche *NamedLWLockTrancheArray;
extern PGDLLIMPORT int NamedLWLockTrancheRequests;

/* Placeholders for the lock-partition counts of PostgreSQL's core. */
#define NUM_BUFFER_PARTITIONS  128
#define LOG2_NUM_LOCK_PARTITIONS  4
#define NUM_LOCK_PARTITIONS  (1 << LOG2_NUM_LOCK_PARTITIONS)
#define LOG2_NUM_PREDICATELOCK_PARTITIONS  4
#define NUM_PREDICATELOCK_PARTITIONS  (1 << LOG2_NUM_PREDICATELOCK_PARTITIONS)

#define BUFFER_MAPPING_LWLOCK_OFFSET	NUM_INDIVIDUAL_LWLOCKS
#define LOCK_MANAGER_LWLOCK_OFFSET		\
	(BUFFER_MAPPING_LWLOCK_OFFSET + NUM_BUFFER_PARTITIONS)
#define PREDICATELOCK_MANAGER_LWLOCK_OFFSET \
	(LOCK_MANAGER_LWLOCK_OFFSET + NUM_LOCK_PARTITIONS)
#define NUM_FIXED_LWLOCKS \
	(PREDICATELOCK_MANAGER_LWLOCK_OFFSET + NUM_PREDICATELOCK_PARTITIONS)

typedef enum LWLockMode
{
	LW_EXCLUSIVE,
	LW_SHARED,
	LW_WAIT_UNTIL_FREE,			/* only inside LWLockAcquireOrWait */
} LWLockMode;

/* How many LWLocks one process may hold at once (PostgreSQL's value). */
#define MAX_SIMUL_LWLOCKS	200

/*
 * Take the lock, sleeping until it is available.  Returns true if it was
 * acquired without sleeping.  ERROR `too many LWLocks taken` past
 * MAX_SIMUL_LWLOCKS.
 */
extern bool LWLockAcquire(LWLock *lock, LWLockMode mode);

/* Take the lock only if that needs no wait; true if now held. */
extern bool LWLockConditionalAcquire(LWLock *lock, LWLockMode mode);

/*
 * Take the lock if it is free right now (true); otherwise wait until it
 * is free and return false without taking it.
 */
extern bool LWLockAcquireOrWait(LWLock *lock, LWLockMode mode);

/* Release a held lock; ERROR if this process does not hold it. */
extern void LWLockRelease(LWLock *lock);

/* Release every lock this process holds; safe to call when none are. */
extern void LWLockReleaseAll(void);

extern bool LWLockHeldByMe(LWLock *lock);
extern bool LWLockAnyHeldByMe(LWLock *lock, int nlocks, size_t stride);
extern bool LWLockHeldByMeInMode(LWLock *lock, LWLockMode mode);

/*
 * Module tranches.  RequestNamedLWLockTranche only inside
 * shmem_request_hook (else FATAL); GetNamedLWLockTranche ERRORs `requested
 * tranche is not registered` for an unknown name.
 */
extern void RequestNamedLWLockTranche(const char *tranche_name, int num_lwlocks);
extern LWLockPadded *GetNamedLWLockTranche(const char *tranche_name);

/* A new tranche id, unique across all processes of this segment. */
extern int	LWLockNewTrancheId(void);

/*
 * Name a tranche in this process (the name is kept by pointer and must
 * stay valid).  Each process that wants the name shown must register it.
 */
extern void LWLockRegisterTranche(int tranche_id, const char *tranche_name);
extern void LWLockInitialize(LWLock *lock, int tranche_id);

/* Names for wait-event reporting: tranche name, or "extension". */
extern const char *GetLWLockIdentifier(uint32 classId, uint16 eventId);
extern const char *GetLWTrancheName(uint16 trancheId);

/*
 * PostgreSQL 17's built-in tranche ids, after the individual locks.  They
 * are only names here; LWTRANCHE_FIRST_USER_DEFINED is where module
 * tranches begin.
 */
typedef enum BuiltinTrancheIds
{
	LWTRANCHE_XACT_BUFFER = NUM_INDIVIDUAL_LWLOCKS,
	LWTRANCHE_COMMITTS_BUFFER,
	LWTRANCHE_SUBTRANS_BUFFER,
	LWTRANCHE_MULTIXACTOFFSET_BUFFER,
	LWTRANCHE_MULTIXACTMEMBER_BUFFER,
	LWTRANCHE_NOTIFY_BUFFER,
	LWTRANCHE_SERIAL_BUFFER,
	LWTRANCHE_WAL_INSERT,
	LWTRANCHE_BUFFER_MAPPING,
	LWTRANCHE_LOCK_MANAGER,
	LWTRANCHE_PREDICATE_LOCK_MANAGER,
	LWTRANCHE_PARALLEL_HASH_JOIN,
	LWTRANCHE_PARALLEL_QUERY_DSA,
	LWTRANCHE_PER_SESSION_DSA,
	LWTRANCHE_PER_SESSION_RECORD_TYPE,
	LWTRANCHE_PER_SESSION_RECORD_TYPMOD,
	LWTRANCHE_SHARED_TUPLESTORE,
	LWTRANCHE_SHARED_TIDBITMAP,
	LWTRANCHE_PARALLEL_APPEND,
	LWTRANCHE_PER_XACT_PREDICATE_LIST,
	LWTRANCHE_PGSTATS_DSA,
	LWTRANCHE_PGSTATS_HASH,
	LWTRANCHE_PGSTATS_DATA,
	LWTRANCHE_LAUNCHER_DSA,
	LWTRANCHE_LAUNCHER_HASH,
	LWTRANCHE_DSM_REGISTRY_DSA,
	LWTRANCHE_DSM_REGISTRY_HASH,
	LWTRANCHE_COMMITTS_SLRU,
	LWTRANCHE_MULTIXACTOFFSET_SLRU,
	LWTRANCHE_MULTIXACTMEMBER_SLRU,
	LWTRANCHE_NOTIFY_SLRU,
	LWTRANCHE_SERIAL_SLRU,
	LWTRANCHE_SUBTRANS_SLRU,
	LWTRANCHE_XACT_SLRU,
	LWTRANCHE_PARALLEL_VACUUM_DSA,
	LWTRANCHE_FIRST_USER_DEFINED,
} BuiltinTrancheIds;

/* Kept for code that still spells the old type name. */
typedef LWLock *LWLockId;

#endif							/* LWLOCK_H */
