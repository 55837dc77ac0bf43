/*-------------------------------------------------------------------------
 *
 * api_locks.c
 *	  Proof module for storage/spin.h, port/atomics.h, storage/lwlock.h and
 *	  storage/condition_variable.h across processes.
 *
 *	  api_locks.contenders workers (static, default 4) hammer one struct in
 *	  shared memory: a counter under a spinlock, 32- and 64-bit atomic adds,
 *	  a compare-and-exchange loop, fetch-or bits, a counter under a named
 *	  LWLock tranche and one under a dynamically created tranche (taken with
 *	  LWLockConditionalAcquire).  Each announces the end of its work on a
 *	  condition variable.  The "checker" worker sleeps on that variable until
 *	  all are done, then logs the totals, which must be exact.
 *
 *	  A "holder" worker takes the named LWLock and raises an ERROR while
 *	  holding it: its exit must release the lock (LWLockReleaseAll on error
 *	  exit), or the contenders would block forever.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_locks_contender_main(Datum main_arg);
PGDLLEXPORT void api_locks_checker_main(Datum main_arg);
PGDLLEXPORT void api_locks_holder_main(Datum main_arg);
PGDLLEXPORT void api_locks_cvterm_main(Datum main_arg);
PGDLLEXPORT void api_locks_cvhup_main(Datum main_arg);

#define ITERATIONS	20000
#define MAX_CONTENDERS 16

typedef struct ApiLocksShared
{
	slock_t		mutex;
	uint64		spin_counter;	/* under mutex */
	int			done;			/* under mutex: contenders finished */
	pg_atomic_uint32 a32;
	pg_atomic_uint64 a64;
	pg_atomic_uint32 cas32;
	pg_atomic_uint32 bits;
	pg_atomic_uint32 max_seen;
	pg_atomic_flag flag;
	pg_atomic_uint32 holder_state;	/* 1 = holding, about to fail */
	LWLock	   *named;			/* first lock of our named tranche */
	uint64		named_counter;	/* under named */
	int			dyn_tranche;
	LWLock		dyn_lock;		/* dynamic tranche */
	uint64		dyn_counter;	/* under dyn_lock */
	ConditionVariable done_cv;
	ConditionVariable never_cv; /* nobody signals it */
	ConditionVariable term_cv;	/* nobody signals it; cvterm alone sleeps on it */
} ApiLocksShared;

static ApiLocksShared *shared = NULL;
static int	contenders = 4;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
api_locks_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(ApiLocksShared)));
	RequestNamedLWLockTranche("api_locks", 2);
}

static void
api_locks_attach(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("api_locks", sizeof(ApiLocksShared), &found);
	if (!found)
	{
		memset(shared, 0, sizeof(ApiLocksShared));
		SpinLockInit(&shared->mutex);
		pg_atomic_init_u32(&shared->a32, 0);
		pg_atomic_init_u64(&shared->a64, 0);
		pg_atomic_init_u32(&shared->cas32, 0);
		pg_atomic_init_u32(&shared->bits, 0);
		pg_atomic_init_u32(&shared->max_seen, 0);
		pg_atomic_init_u32(&shared->holder_state, 0);
		pg_atomic_init_flag(&shared->flag);
		shared->named = &(GetNamedLWLockTranche("api_locks"))->lock;
		shared->dyn_tranche = LWLockNewTrancheId();
		LWLockInitialize(&shared->dyn_lock, shared->dyn_tranche);
		ConditionVariableInit(&shared->done_cv);
		ConditionVariableInit(&shared->never_cv);
		ConditionVariableInit(&shared->term_cv);
	}
	LWLockRelease(AddinShmemInitLock);
	LWLockRegisterTranche(shared->dyn_tranche, "api_locks_dynamic");
}

static void
api_locks_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	api_locks_attach();
}

static void
register_worker(const char *name, const char *function, int arg)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_locks");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "api_locks");
	worker.bgw_main_arg = Int32GetDatum(arg);
	RegisterBackgroundWorker(&worker);
}

void
_PG_init(void)
{
	int			i;

	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomIntVariable("api_locks.contenders", "Contending workers.", NULL,
							&contenders, 4, 1, MAX_CONTENDERS, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("api_locks");

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = api_locks_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = api_locks_shmem_startup;

	for (i = 0; i < contenders; i++)
	{
		char		name[BGW_MAXLEN];

		snprintf(name, sizeof(name), "api_locks contender %d", i);
		register_worker(name, "api_locks_contender_main", i);
	}
	register_worker("api_locks checker", "api_locks_checker_main", 0);
	register_worker("api_locks holder", "api_locks_holder_main", 0);
	register_worker("api_locks cvterm", "api_locks_cvterm_main", 0);
	register_worker("api_locks cvhup A", "api_locks_cvhup_main", 'A');
	register_worker("api_locks cvhup B", "api_locks_cvhup_main", 'B');
}

/*
 * Sleeps on a variable nobody signals, its latch still set from the start
 * (as every worker's is): SIGTERM must end it at once, as in PostgreSQL,
 * whose sleep consumes the latch and runs CHECK_FOR_INTERRUPTS.
 */
void
api_locks_cvterm_main(Datum main_arg)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	api_locks_attach();
	elog(LOG, "api_locks: cvterm sleeping pid %d", MyProcPid);
	ConditionVariablePrepareToSleep(&shared->term_cv);
	for (;;)
		ConditionVariableSleep(&shared->term_cv, PG_WAIT_EXTENSION);
}

/*
 * Two sleepers on one silent variable; the test sends SIGHUP to A only.
 * Neither was signalled, so both time out (true), as in PostgreSQL.
 */
void
api_locks_cvhup_main(Datum main_arg)
{
	int			me = DatumGetInt32(main_arg);
	bool		timed_out;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	api_locks_attach();
	ResetLatch(MyLatch);
	ConditionVariablePrepareToSleep(&shared->never_cv);
	elog(LOG, "api_locks: cvhup %c sleeping pid %d", me, MyProcPid);
	timed_out = ConditionVariableTimedSleep(&shared->never_cv, 3000, PG_WAIT_EXTENSION);
	ConditionVariableCancelSleep();
	elog(LOG, "api_locks: cvhup %c timed out=%s", me, timed_out ? "yes" : "no");
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

static void
worker_setup(void)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	api_locks_attach();
}

void
api_locks_contender_main(Datum main_arg)
{
	int			me = DatumGetInt32(main_arg);
	int			i;
	int			conditional_failures = 0;

	worker_setup();

	for (i = 0; i < ITERATIONS; i++)
	{
		uint32		old;
		uint32		now;

		SpinLockAcquire(&shared->mutex);
		shared->spin_counter++;
		SpinLockRelease(&shared->mutex);

		now = pg_atomic_add_fetch_u32(&shared->a32, 1);
		(void) pg_atomic_fetch_add_u64(&shared->a64, (UINT64CONST(1) << 33) + 1);

		old = pg_atomic_read_u32(&shared->cas32);
		while (!pg_atomic_compare_exchange_u32(&shared->cas32, &old, old + 2))
			pg_spin_delay();

		/* keep max_seen the largest a32 value anyone saw */
		old = pg_atomic_read_u32(&shared->max_seen);
		while (old < now &&
			   !pg_atomic_compare_exchange_u32(&shared->max_seen, &old, now))
			;

		LWLockAcquire(shared->named, LW_EXCLUSIVE);
		Assert(LWLockHeldByMe(shared->named));
		shared->named_counter++;
		LWLockRelease(shared->named);

		if (i % 16 == 0)
		{
			while (!LWLockConditionalAcquire(&shared->dyn_lock, LW_EXCLUSIVE))
			{
				conditional_failures++;
				pg_spin_delay();
			}
			shared->dyn_counter++;
			LWLockRelease(&shared->dyn_lock);

			LWLockAcquire(&shared->dyn_lock, LW_SHARED);
			(void) shared->dyn_counter;
			LWLockRelease(&shared->dyn_lock);
		}
		CHECK_FOR_INTERRUPTS();
	}
	pg_write_barrier();
	(void) pg_atomic_fetch_or_u32(&shared->bits, ((uint32) 1) << me);

	SpinLockAcquire(&shared->mutex);
	shared->done++;
	SpinLockRelease(&shared->mutex);
	if (me % 2 == 0)
		ConditionVariableBroadcast(&shared->done_cv);
	else
		ConditionVariableSignal(&shared->done_cv);

	elog(LOG, "api_locks: contender %d finished", me);
	proc_exit(0);
}

void
api_locks_holder_main(Datum main_arg)
{
	worker_setup();
	LWLockAcquire(shared->named, LW_EXCLUSIVE);
	pg_atomic_write_u32(&shared->holder_state, 1);
	elog(ERROR, "api_locks: holder fails while holding the lock (held=%s)",
		 LWLockHeldByMe(shared->named) ? "yes" : "no");
}

void
api_locks_checker_main(Datum main_arg)
{
	bool		timed_out;
	int			done;
	int			sleeps = 0;
	uint64		expect_iter;
	bool		first,
				second;
	bool		got;
	uint32		xchg,
				sub,
				and,
				or,
				fsub;

	worker_setup();

	/* a timed sleep on a variable nobody signals ends by timeout */
	ConditionVariablePrepareToSleep(&shared->never_cv);
	timed_out = ConditionVariableTimedSleep(&shared->never_cv, 20, PG_WAIT_EXTENSION);
	ConditionVariableCancelSleep();
	elog(LOG, "api_locks: timed sleep on a silent variable timed out=%s",
		 timed_out ? "yes" : "no");

	ConditionVariablePrepareToSleep(&shared->done_cv);
	for (;;)
	{
		SpinLockAcquire(&shared->mutex);
		done = shared->done;
		SpinLockRelease(&shared->mutex);
		if (done >= contenders)
			break;
		ConditionVariableSleep(&shared->done_cv, PG_WAIT_EXTENSION);
		sleeps++;
	}
	ConditionVariableCancelSleep();
	pg_read_barrier();

	expect_iter = (uint64) contenders * ITERATIONS;
	elog(LOG, "api_locks: contenders=%d spin=%s a32=%s a64=%s cas=%s max=%s bits=%s named=%s dyn=%s slept=%s",
		 contenders,
		 shared->spin_counter == expect_iter ? "exact" : "WRONG",
		 pg_atomic_read_u32(&shared->a32) == expect_iter ? "exact" : "WRONG",
		 pg_atomic_read_u64(&shared->a64) == expect_iter * ((UINT64CONST(1) << 33) + 1) ? "exact" : "WRONG",
		 pg_atomic_read_u32(&shared->cas32) == 2 * expect_iter ? "exact" : "WRONG",
		 pg_atomic_read_u32(&shared->max_seen) == expect_iter ? "exact" : "WRONG",
		 pg_atomic_read_u32(&shared->bits) == (((uint32) 1) << contenders) - 1 ? "exact" : "WRONG",
		 shared->named_counter == expect_iter ? "exact" : "WRONG",
		 shared->dyn_counter == (uint64) contenders * ((ITERATIONS + 15) / 16) ? "exact" : "WRONG",
		 sleeps > 0 ? "yes" : "no");

	/* the rest of the atomics API, single-process */
	first = pg_atomic_test_set_flag(&shared->flag);
	second = pg_atomic_test_set_flag(&shared->flag);
	pg_atomic_clear_flag(&shared->flag);
	pg_atomic_write_u32(&shared->a32, 10);
	/* one operation per statement: argument evaluation order is unspecified */
	xchg = pg_atomic_exchange_u32(&shared->a32, 7);
	sub = pg_atomic_sub_fetch_u32(&shared->a32, 2);
	and = pg_atomic_fetch_and_u32(&shared->a32, 4);
	or = pg_atomic_fetch_or_u32(&shared->a32, 3);
	fsub = pg_atomic_fetch_sub_u32(&shared->a32, 1);
	elog(LOG, "api_locks: flag first=%d second=%d free=%d xchg=%u sub=%u and=%u or=%u fetch_sub=%u final=%u",
		 first, second, pg_atomic_unlocked_test_flag(&shared->flag),
		 xchg, sub, and, or, fsub, pg_atomic_read_u32(&shared->a32));
#if PG_VERSION_NUM >= 170000
	pg_atomic_write_membarrier_u64(&shared->a64, 5);
	pg_atomic_monotonic_advance_u64(&shared->a64, 3);
	elog(LOG, "api_locks: membarrier read=%llu",
		 (unsigned long long) pg_atomic_read_membarrier_u64(&shared->a64));
#endif
	pg_memory_barrier();
	pg_compiler_barrier();

	/* the holder's error exit released the named lock */
	while (pg_atomic_read_u32(&shared->holder_state) == 0)
		ConditionVariableTimedSleep(&shared->never_cv, 10, PG_WAIT_EXTENSION);
	got = LWLockConditionalAcquire(shared->named, LW_EXCLUSIVE);
	if (!got)
	{
		/* the holder may still be on its way out; wait like anyone would */
		LWLockAcquire(shared->named, LW_EXCLUSIVE);
	}
	elog(LOG, "api_locks: named lock free after the holder's error, held by me=%s, in mode=%s",
		 LWLockHeldByMe(shared->named) ? "yes" : "no",
		 LWLockHeldByMeInMode(shared->named, LW_EXCLUSIVE) ? "exclusive" : "other");
	LWLockRelease(shared->named);
	elog(LOG, "api_locks: tranche name %s", GetLWLockIdentifier(PG_WAIT_LWLOCK, shared->dyn_tranche));
	proc_exit(0);
}
