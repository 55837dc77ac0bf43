/*-------------------------------------------------------------------------
 *
 * shmem_test.c
 *	  Standalone test of the shmem area (shmem.c, lwlock.c, spin.c, proc.c,
 *	  pgstat.c) on a real System V segment with real forked processes.
 *	  Built and run by cshim/shmem_c_test.go, plain and under
 *	  -fsanitize=address,undefined.
 *
 *	  Other areas' symbols (elog, exit callbacks, latches, GUCs, the fork
 *	  area's slot array size) are replaced by small weak stubs below: just
 *	  enough behaviour for these tests.  An ERROR longjmps to the test's
 *	  handler; FATAL runs the exit callbacks and exits 1; PANIC aborts.
 *	  The last message is kept in a shared page so that the parent can
 *	  check what a child died of.
 *
 *	  The segment is marked for removal (IPC_RMID) right after it is
 *	  attached, so it disappears when the last process exits, whatever
 *	  happens to the test.
 *
 *	  Prints "ok - NAME" per check; exits 0 after "all tests passed".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdarg.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bgw_internal.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "shmem_int.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"

#define WEAK __attribute__((weak))

/* ------------------------------------------------------------------------
 * Stubs for other areas
 * ------------------------------------------------------------------------ */

WEAK sigjmp_buf *PG_exception_stack = NULL;
WEAK ErrorContextCallback *error_context_stack = NULL;
WEAK volatile uint32 InterruptHoldoffCount = 0;
WEAK struct Latch *MyLatch = NULL;
WEAK int	max_worker_processes = 8;
WEAK bool	process_shmem_requests_in_progress = false;
WEAK shmem_request_hook_type shmem_request_hook = NULL;
WEAK shmem_startup_hook_type shmem_startup_hook = NULL;

static int	cur_elevel;
static char cur_msg[1024];
static char *shared_msg;		/* MAP_SHARED page: last message of any process */

WEAK bool
errstart(int elevel, const char *domain)
{
	if (elevel < WARNING)
		return false;
	cur_elevel = elevel;
	cur_msg[0] = '\0';
	return true;
}

WEAK bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

static void
set_msg(const char *fmt, va_list ap)
{
	vsnprintf(cur_msg, sizeof(cur_msg), fmt, ap);
}

WEAK int
errmsg(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	set_msg(fmt, ap);
	va_end(ap);
	return 0;
}

WEAK int
errmsg_internal(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	set_msg(fmt, ap);
	va_end(ap);
	return 0;
}

WEAK int
errdetail(const char *fmt,...)
{
	return 0;
}

WEAK int
errhint(const char *fmt,...)
{
	return 0;
}

WEAK int
errcode(int sqlerrcode)
{
	return 0;
}

/* exit callbacks: a minimal ipc.c */
static struct
{
	pg_on_exit_callback fn;
	Datum		arg;
}			shmem_exit_list[20];
static int	shmem_exit_count = 0;

WEAK void
on_shmem_exit(pg_on_exit_callback function, Datum arg)
{
	if (shmem_exit_count >= 20)
	{
		fprintf(stderr, "out of on_shmem_exit slots\n");
		_exit(3);
	}
	shmem_exit_list[shmem_exit_count].fn = function;
	shmem_exit_list[shmem_exit_count].arg = arg;
	shmem_exit_count++;
}

WEAK void
proc_exit(int code)
{
	while (shmem_exit_count > 0)
	{
		shmem_exit_count--;
		shmem_exit_list[shmem_exit_count].fn(code, shmem_exit_list[shmem_exit_count].arg);
	}
	exit(code);
}

WEAK void
errfinish(const char *filename, int lineno, const char *funcname)
{
	strlcpy(shared_msg, cur_msg, 1024);
	if (cur_elevel == ERROR && PG_exception_stack != NULL)
		siglongjmp(*PG_exception_stack, 1);
	if (cur_elevel >= ERROR)
		fprintf(stderr, "[%d] %s:  %s\n", (int) getpid(),
				cur_elevel == PANIC ? "PANIC" : cur_elevel == FATAL ? "FATAL" : "ERROR",
				cur_msg);
	if (cur_elevel == PANIC)
		abort();
	if (cur_elevel >= ERROR)
		proc_exit(1);
}

WEAK void
pg_re_throw(void)
{
	if (PG_exception_stack != NULL)
		siglongjmp(*PG_exception_stack, 1);
	proc_exit(1);
}

WEAK void
ExceptionalCondition(const char *conditionName, const char *fileName, int lineNumber)
{
	fprintf(stderr, "TRAP: %s at %s:%d\n", conditionName, fileName, lineNumber);
	abort();
}

/* latch area */
WEAK void
InitSharedLatch(Latch *latch)
{
	memset(latch, 0, sizeof(*latch));
	latch->is_shared = true;
}

WEAK void
OwnLatch(Latch *latch)
{
	if (latch->owner_pid != 0)
		elog(ERROR, "latch already owned by PID %d", latch->owner_pid);
	latch->owner_pid = getpid();
}

WEAK void
DisownLatch(Latch *latch)
{
	latch->owner_pid = 0;
}

WEAK void
SetLatch(Latch *latch)
{
	latch->is_set = true;
}

WEAK void
bgw_latch_init_local(void)
{
	static Latch local;

	memset(&local, 0, sizeof(local));
	local.owner_pid = getpid();
	MyLatch = &local;
}

/* fork area */
WEAK Size
bgw_bgworker_shmem_size(void)
{
	return 4096;
}

/* ipc area: no dynamic shared memory control area here */
WEAK Size
bgw_dsm_shmem_size(void)
{
	return 0;
}

WEAK void
bgw_dsm_shmem_init(void *base)
{
}

WEAK void
bgw_dsm_forget(void)
{
}

/* ... nor a dsm registry */
WEAK Size
bgw_dsm_registry_shmem_size(void)
{
	return 0;
}

WEAK void
bgw_dsm_registry_shmem_init(void)
{
}

WEAK void
bgw_dsm_registry_forget(void)
{
}

/* port area (glibc < 2.38 has no strlcpy) */
WEAK size_t
strlcpy(char *dst, const char *src, size_t siz)
{
	size_t		len = strlen(src);

	if (siz > 0)
	{
		size_t		n = len < siz - 1 ? len : siz - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* ------------------------------------------------------------------------
 * Test helpers
 * ------------------------------------------------------------------------ */

static int	checks = 0;

#define CHECK(cond, name) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "not ok - %s (%s:%d: %s)\n", (name), __FILE__, __LINE__, #cond); \
			exit(1); \
		} \
		printf("ok - %s\n", (name)); \
		checks++; \
	} while (0)

/*
 * Run fn; true if it raised an ERROR whose message equals expected
 * (prefix match when expected ends in '*').
 */
static bool
raises(void (*fn) (void), const char *expected)
{
	sigjmp_buf	jb;
	sigjmp_buf *volatile saved = PG_exception_stack;
	size_t		n = strlen(expected);
	bool		prefix = n > 0 && expected[n - 1] == '*';

	shared_msg[0] = '\0';
	if (sigsetjmp(jb, 0) == 0)
	{
		PG_exception_stack = &jb;
		fn();
		PG_exception_stack = saved;
		fprintf(stderr, "no error raised, expected \"%s\"\n", expected);
		return false;
	}
	PG_exception_stack = saved;
	if (prefix ? strncmp(cur_msg, expected, n - 1) == 0 : strcmp(cur_msg, expected) == 0)
		return true;
	fprintf(stderr, "got error \"%s\", expected \"%s\"\n", cur_msg, expected);
	return false;
}

/* Fork, run fn in the child (which exits 0 if fn returns); return status. */
static int
in_child(void (*fn) (void))
{
	pid_t		pid;
	int			status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
	{
		perror("fork");
		exit(1);
	}
	if (pid == 0)
	{
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
	{
		perror("waitpid");
		exit(1);
	}
	return status;
}

static bool
exited_with(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Shared state for the multi-process tests, in a ShmemInitStruct chunk. */
typedef struct TestShared
{
	slock_t		spin;
	int			excl_counter;	/* under the named LWLock, exclusive */
	int			pair_a;			/* always equal to pair_b outside the lock */
	int			pair_b;
	int			spin_counter;	/* under spin */
	int			flag_counter;	/* under flag */
	pg_atomic_flag flag;
	pg_atomic_uint32 atomic32;
	pg_atomic_uint64 atomic64;
	pg_atomic_uint32 cas32;
	pg_atomic_uint32 violations;
	pg_atomic_uint32 step;		/* hand-shakes between parent and child */
	uint32		wait_event;
} TestShared;

static TestShared *ts;

#define NCHILDREN	8
#ifndef NITER
#define NITER		20000
#endif

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void
request_hook(void)
{
	RequestAddinShmemSpace(1024 * 1024);
	RequestNamedLWLockTranche("test_tranche", 4);
	RequestNamedLWLockTranche("second_tranche", 2);
}

static void
request_space_outside_hook(void)
{
	RequestAddinShmemSpace(100);
}

static void
request_locks_outside_hook(void)
{
	RequestNamedLWLockTranche("late", 1);
}

static void
size_overflow(void)
{
	(void) add_size(SIZE_MAX, 2);
}

static void
mul_overflow(void)
{
	(void) mul_size(SIZE_MAX / 2, 3);
}

static void
struct_wrong_size(void)
{
	bool		found;

	(void) ShmemInitStruct("test struct", 200, &found);
}

static void
struct_too_big(void)
{
	bool		found;

	(void) ShmemInitStruct("too big", (Size) 1 << 40, &found);
}

static void
alloc_too_big(void)
{
	(void) ShmemAlloc((Size) 1 << 40);
}

static void
tranche_unknown(void)
{
	(void) GetNamedLWLockTranche("nope");
}

static void
release_not_held(void)
{
	LWLockRelease(&MainLWLockArray[5].lock);
}

static void
take_too_many(void)
{
	for (int i = 0; i <= MAX_SIMUL_LWLOCKS; i++)
		LWLockAcquire(&MainLWLockArray[i].lock, LW_SHARED);
}

static void
wait_event_name_too_long(void)
{
	char		name[NAMEDATALEN + 10];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	(void) WaitEventExtensionNew(name);
}

static void
failing_startup_hook(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	(void) ShmemInitStruct("startup hook state", 64, &found);
	elog(ERROR, "startup hook failed");
}

static void
run_startup_hook(void)
{
	bgw_run_shmem_startup_hook();
}

static void
test_atomics_single(void)
{
	pg_atomic_uint32 a;
	pg_atomic_uint64 b;
	pg_atomic_flag f;
	uint32		exp32;
	uint64		exp64;

	pg_atomic_init_u32(&a, 5);
	exp32 = 4;
	CHECK(!pg_atomic_compare_exchange_u32(&a, &exp32, 9) && exp32 == 5,
		  "compare_exchange_u32 failure returns the current value");
	CHECK(pg_atomic_compare_exchange_u32(&a, &exp32, 9) && pg_atomic_read_u32(&a) == 9,
		  "compare_exchange_u32 success");
	CHECK(pg_atomic_exchange_u32(&a, 3) == 9 && pg_atomic_read_u32(&a) == 3, "exchange_u32");
	CHECK(pg_atomic_fetch_add_u32(&a, 2) == 3 && pg_atomic_add_fetch_u32(&a, 2) == 7,
		  "fetch_add / add_fetch u32");
	CHECK(pg_atomic_fetch_sub_u32(&a, 1) == 7 && pg_atomic_sub_fetch_u32(&a, 1) == 5,
		  "fetch_sub / sub_fetch u32");
	CHECK(pg_atomic_fetch_or_u32(&a, 0xF0) == 5 && pg_atomic_fetch_and_u32(&a, 0x0F) == 0xF5 &&
		  pg_atomic_read_u32(&a) == 5, "fetch_or / fetch_and u32");
	CHECK(pg_atomic_add_fetch_u32(&a, -6) == UINT32_MAX, "add_fetch_u32 wraps like uint32");
	pg_atomic_write_membarrier_u32(&a, 1);
	CHECK(pg_atomic_read_membarrier_u32(&a) == 1, "membarrier read/write u32");

	pg_atomic_init_u64(&b, UINT64CONST(1) << 40);
	CHECK(pg_atomic_fetch_add_u64(&b, 1) == UINT64CONST(1) << 40, "fetch_add_u64 beyond 32 bits");
	exp64 = (UINT64CONST(1) << 40) + 1;
	CHECK(pg_atomic_compare_exchange_u64(&b, &exp64, 7) && pg_atomic_read_u64(&b) == 7,
		  "compare_exchange_u64");
	CHECK(pg_atomic_sub_fetch_u64(&b, 8) == PG_UINT64_MAX, "sub_fetch_u64 wraps");
	pg_atomic_write_u64(&b, 10);
	CHECK(pg_atomic_monotonic_advance_u64(&b, 5) == 10 &&
		  pg_atomic_monotonic_advance_u64(&b, 20) == 20 && pg_atomic_read_u64(&b) == 20,
		  "monotonic_advance_u64");
	CHECK(pg_atomic_fetch_or_u64(&b, 1) == 20 && pg_atomic_fetch_and_u64(&b, 1) == 21 &&
		  pg_atomic_exchange_u64(&b, 0) == 1, "fetch_or / fetch_and / exchange u64");

	pg_atomic_init_flag(&f);
	CHECK(pg_atomic_unlocked_test_flag(&f), "flag starts clear");
	CHECK(pg_atomic_test_set_flag(&f) && !pg_atomic_test_set_flag(&f), "test_set_flag");
	CHECK(!pg_atomic_unlocked_test_flag(&f), "flag is set");
	pg_atomic_clear_flag(&f);
	CHECK(pg_atomic_unlocked_test_flag(&f), "clear_flag");
}

static void
test_shmem_structs(void)
{
	bool		found;
	void	   *p1,
			   *p2;
	char		longname[100];
	char		truncated[SHMEM_INDEX_KEYSIZE];

	p1 = ShmemInitStruct("test struct", 100, &found);
	CHECK(p1 != NULL && !found, "ShmemInitStruct creates a new chunk (found = false)");
	CHECK(((uintptr_t) p1 % PG_CACHE_LINE_SIZE) == 0, "chunks are cache-line aligned");
	CHECK(ShmemAddrIsValid(p1) && !ShmemAddrIsValid(&found), "ShmemAddrIsValid");
	p2 = ShmemInitStruct("test struct", 100, &found);
	CHECK(p2 == p1 && found, "ShmemInitStruct finds it again (found = true)");
	CHECK(raises(struct_wrong_size,
				 "ShmemIndex entry size is wrong for data structure \"test struct\": expected 200, actual 100"),
		  "size mismatch ERROR");
	CHECK(raises(struct_too_big,
				 "not enough shared memory for data structure \"too big\" (1099511627776 bytes requested)"),
		  "out of space ERROR");
	CHECK(ShmemInitStruct("too big", 8, &found) != NULL && !found,
		  "a failed creation leaves no index entry");
	CHECK(raises(alloc_too_big, "out of shared memory (1099511627776 bytes requested)"),
		  "ShmemAlloc out of space ERROR");
	CHECK(ShmemAllocNoError((Size) 1 << 40) == NULL, "ShmemAllocNoError returns NULL");
	CHECK(raises(size_overflow, "requested shared memory size overflows size_t") &&
		  raises(mul_overflow, "requested shared memory size overflows size_t"),
		  "add_size / mul_size overflow ERROR");

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	strlcpy(truncated, longname, sizeof(truncated));
	p1 = ShmemInitStruct(longname, 16, &found);
	p2 = ShmemInitStruct(truncated, 16, &found);
	CHECK(p1 == p2 && found, "names are significant up to SHMEM_INDEX_KEYSIZE - 1 bytes");
}

/* In a child: fill the index until it refuses. */
static void
child_fill_index(void)
{
	sigjmp_buf	jb;
	volatile int created = 0;
	char		name[32];
	bool		found;

	if (sigsetjmp(jb, 0) == 0)
	{
		PG_exception_stack = &jb;
		for (;;)
		{
			snprintf(name, sizeof(name), "filler %d", created);
			(void) ShmemInitStruct(name, 8, &found);
			created++;
		}
	}
	PG_exception_stack = NULL;
	snprintf(name, sizeof(name), "filler %d", created);
	if (strncmp(cur_msg, "could not create ShmemIndex entry for data structure \"filler ", 60) != 0)
		_exit(2);
	if (created <= 0 || created >= SHMEM_INDEX_SIZE)
		_exit(3);
	_exit(0);
}

static void
test_tranches(void)
{
	LWLockPadded *t1 = GetNamedLWLockTranche("test_tranche");
	LWLockPadded *t2 = GetNamedLWLockTranche("second_tranche");
	int			id;

	CHECK(t1 == &MainLWLockArray[NUM_FIXED_LWLOCKS] && t2 == t1 + 4,
		  "named tranches follow the fixed locks in request order");
	CHECK(t1[0].lock.tranche >= LWTRANCHE_FIRST_USER_DEFINED &&
		  t1[3].lock.tranche == t1[0].lock.tranche &&
		  t2[0].lock.tranche == t1[0].lock.tranche + 1, "named tranches get their own ids");
	CHECK(strcmp(GetLWTrancheName(t1[0].lock.tranche), "test_tranche") == 0 &&
		  strcmp(GetLWTrancheName(t2[1].lock.tranche), "second_tranche") == 0,
		  "GetLWTrancheName of a named tranche");
	CHECK(strcmp(GetLWTrancheName(AddinShmemInitLock->tranche), "AddinShmemInit") == 0 &&
		  strcmp(GetLWTrancheName(BackgroundWorkerLock->tranche), "BackgroundWorker") == 0 &&
		  strcmp(GetLWLockIdentifier(PG_WAIT_LWLOCK, ShmemIndexLock->tranche), "ShmemIndex") == 0,
		  "fixed locks carry PostgreSQL's names");
	CHECK(raises(tranche_unknown, "requested tranche is not registered"),
		  "GetNamedLWLockTranche of an unknown name ERRORs");
	id = LWLockNewTrancheId();
	CHECK(id > t2[0].lock.tranche && LWLockNewTrancheId() == id + 1, "LWLockNewTrancheId counts up");
	CHECK(strcmp(GetLWTrancheName(id), "extension") == 0, "an unregistered tranche is \"extension\"");
	LWLockRegisterTranche(id, "dynamic_tranche");
	CHECK(strcmp(GetLWTrancheName(id), "dynamic_tranche") == 0, "LWLockRegisterTranche names it");
}

static void
test_lwlock_single(void)
{
	LWLock	   *l = &GetNamedLWLockTranche("test_tranche")[1].lock;

	CHECK(LWLockAcquire(l, LW_EXCLUSIVE), "uncontended LWLockAcquire returns true");
	CHECK(LWLockHeldByMe(l) && LWLockHeldByMeInMode(l, LW_EXCLUSIVE) &&
		  !LWLockHeldByMeInMode(l, LW_SHARED), "LWLockHeldByMe / InMode");
	CHECK(InterruptHoldoffCount == 1, "interrupts are held while an LWLock is held");
	CHECK(LWLockAnyHeldByMe(&MainLWLockArray[NUM_FIXED_LWLOCKS].lock, 4, sizeof(LWLockPadded)) &&
		  !LWLockAnyHeldByMe(&MainLWLockArray[0].lock, 4, sizeof(LWLockPadded)),
		  "LWLockAnyHeldByMe");
	CHECK(!LWLockConditionalAcquire(l, LW_SHARED), "ConditionalAcquire fails on a held lock");
	LWLockRelease(l);
	CHECK(!LWLockHeldByMe(l) && InterruptHoldoffCount == 0, "LWLockRelease");
	CHECK(LWLockAcquire(l, LW_SHARED) && LWLockConditionalAcquire(l, LW_SHARED),
		  "shared mode is shared");
	CHECK(!LWLockConditionalAcquire(l, LW_EXCLUSIVE), "exclusive waits for sharers");
	LWLockRelease(l);
	LWLockRelease(l);
	CHECK(raises(release_not_held, "lock SInvalRead is not held"), "releasing an unheld lock ERRORs");
	CHECK(raises(take_too_many, "too many LWLocks taken"), "MAX_SIMUL_LWLOCKS");
	LWLockReleaseAll();
	CHECK(!LWLockHeldByMe(&MainLWLockArray[0].lock) && LWLockConditionalAcquire(&MainLWLockArray[0].lock, LW_EXCLUSIVE),
		  "LWLockReleaseAll releases everything");
	LWLockRelease(&MainLWLockArray[0].lock);
	InterruptHoldoffCount = 0;	/* ReleaseAll leaves it to error recovery */
}

/* The contention worker: LWLocks, a spinlock, atomics and a flag. */
static void
child_contend(void)
{
	LWLock	   *l = &GetNamedLWLockTranche("test_tranche")[0].lock;

	for (int i = 0; i < NITER; i++)
	{
		uint32		old;

		if (i % 4 == 0)
		{
			LWLockAcquire(l, LW_SHARED);
			if (ts->pair_a != ts->pair_b)
				pg_atomic_fetch_add_u32(&ts->violations, 1);
			LWLockRelease(l);
		}
		else if (i % 4 == 1)
		{
			if (!LWLockAcquireOrWait(l, LW_EXCLUSIVE))
				LWLockAcquire(l, LW_EXCLUSIVE);
			ts->pair_a++;
			pg_compiler_barrier();
			ts->pair_b++;
			ts->excl_counter++;
			LWLockRelease(l);
		}
		else
		{
			LWLockAcquire(l, LW_EXCLUSIVE);
			{
				/* a deliberately racy read-modify-write */
				volatile int *c = &ts->excl_counter;
				int			v = *c;

				pg_spin_delay();
				ts->pair_a++;
				*c = v + 1;
				ts->pair_b++;
			}
			LWLockRelease(l);
		}

		SpinLockAcquire(&ts->spin);
		ts->spin_counter++;
		SpinLockRelease(&ts->spin);

		pg_atomic_fetch_add_u32(&ts->atomic32, 1);
		pg_atomic_add_fetch_u64(&ts->atomic64, 1);
		old = pg_atomic_read_u32(&ts->cas32);
		while (!pg_atomic_compare_exchange_u32(&ts->cas32, &old, old + 1))
			;
		while (!pg_atomic_test_set_flag(&ts->flag))
			pg_spin_delay();
		ts->flag_counter++;
		pg_atomic_clear_flag(&ts->flag);
	}
	if (InterruptHoldoffCount != 0 || LWLockHeldByMe(l))
		_exit(4);
}

static void
test_contention(void)
{
	pid_t		pids[NCHILDREN];
	int			failed = 0;
	int			expected_excl = NCHILDREN * (NITER - NITER / 4);

	fflush(stdout);
	for (int i = 0; i < NCHILDREN; i++)
	{
		pids[i] = fork();
		if (pids[i] < 0)
		{
			perror("fork");
			exit(1);
		}
		if (pids[i] == 0)
		{
			child_contend();
			_exit(0);
		}
	}
	for (int i = 0; i < NCHILDREN; i++)
	{
		int			status;

		if (waitpid(pids[i], &status, 0) != pids[i] || !exited_with(status, 0))
			failed++;
	}
	CHECK(failed == 0, "contending children exited cleanly");
	CHECK(ts->excl_counter == expected_excl, "LWLock exclusive mode: no lost update");
	CHECK(pg_atomic_read_u32(&ts->violations) == 0 && ts->pair_a == ts->pair_b,
		  "LWLock shared mode never sees a writer's half-done update");
	CHECK(ts->spin_counter == NCHILDREN * NITER, "spinlock: no lost update");
	CHECK(pg_atomic_read_u32(&ts->atomic32) == NCHILDREN * NITER &&
		  pg_atomic_read_u64(&ts->atomic64) == NCHILDREN * NITER &&
		  pg_atomic_read_u32(&ts->cas32) == NCHILDREN * NITER, "atomics: no lost increment");
	CHECK(ts->flag_counter == NCHILDREN * NITER, "atomic flag as a lock: no lost update");
}

/* Child: wait for the lock the parent holds, without taking it. */
static void
child_acquire_or_wait(void)
{
	LWLock	   *l = &GetNamedLWLockTranche("second_tranche")[0].lock;

	while (pg_atomic_read_u32(&ts->step) != 1)
		sleep_ms(1);
	if (LWLockConditionalAcquire(l, LW_SHARED))
		_exit(2);
	pg_atomic_write_u32(&ts->step, 2);
	if (LWLockAcquireOrWait(l, LW_SHARED))
		_exit(3);				/* must have waited: the parent held it */
	if (LWLockHeldByMe(l) || InterruptHoldoffCount != 0)
		_exit(4);
	/* the lock is free now and we can take it */
	if (!LWLockConditionalAcquire(l, LW_EXCLUSIVE))
		_exit(5);
	LWLockRelease(l);
}

static void
test_acquire_or_wait(void)
{
	LWLock	   *l = &GetNamedLWLockTranche("second_tranche")[0].lock;
	pid_t		pid;
	int			status;

	pg_atomic_write_u32(&ts->step, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		child_acquire_or_wait();
		_exit(0);
	}
	/* take the lock only after the fork, so the child does not inherit it */
	LWLockAcquire(l, LW_EXCLUSIVE);
	pg_atomic_write_u32(&ts->step, 1);
	while (pg_atomic_read_u32(&ts->step) != 2)
		sleep_ms(1);
	sleep_ms(20);				/* let it go to sleep; correctness does not depend on it */
	LWLockRelease(l);
	waitpid(pid, &status, 0);
	CHECK(exited_with(status, 0), "LWLockAcquireOrWait sleeps until free and returns false");
}

static void
child_attach_clean_exit(void)
{
	bgw_proc_attach(1);
	if (MyProc == NULL || MyProc->pid != getpid() || MyLatch != &MyProc->procLatch ||
		!bgw_proc_was_active(1))
		_exit(2);
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	proc_exit(0);				/* releases the lock, then clears the flag */
}

static void
child_attach_crash(void)
{
	bgw_proc_attach(2);
	LWLockAcquire(&GetNamedLWLockTranche("second_tranche")[1].lock, LW_EXCLUSIVE);
	_exit(0);					/* skips proc_exit: a crash */
}

static void
child_attach_error_exit(void)
{
	bgw_proc_attach(3);
	LWLockAcquire(BackgroundWorkerLock, LW_SHARED);
	elog(FATAL, "worker gives up");
}

static void
child_attach_bad_slot(void)
{
	bgw_proc_attach(max_worker_processes + 1);
}

static void
child_report(void)
{
	char		big[400];

	bgw_proc_attach(0);
	/* 2-byte UTF-8 characters: the cut must not split one */
	for (size_t i = 0; i + 2 < sizeof(big); i += 2)
	{
		big[i] = (char) 0xC3;
		big[i + 1] = (char) 0xA9;
	}
	big[sizeof(big) - 2] = '\0';
	pgstat_report_activity(STATE_IDLE, big);
	if (strlen(((BgwProc *) MyProc)->activity) != 254)
		_exit(2);
	pgstat_report_activity(STATE_RUNNING, "doing work");
	ts->wait_event = WaitEventExtensionNew("TestWaitEvent");
	pgstat_report_wait_start(ts->wait_event);
	pg_atomic_write_u32(&ts->step, 10);
	while (pg_atomic_read_u32(&ts->step) != 11)
		sleep_ms(1);
	pgstat_report_wait_end();
	pgstat_report_activity(STATE_IDLE, NULL);
	pg_atomic_write_u32(&ts->step, 12);
	while (pg_atomic_read_u32(&ts->step) != 13)
		sleep_ms(1);
	proc_exit(0);
}

static void
test_procs(void)
{
	int			status;
	pid_t		pid;
	char		activity[BGW_ACTIVITY_SIZE];
	char		type[32],
				event[NAMEDATALEN];
	int			state;
	uint32		we;

	CHECK(!bgw_proc_was_active(1), "slots start inactive");
	status = in_child(child_attach_clean_exit);
	CHECK(exited_with(status, 0) && !bgw_proc_was_active(1),
		  "dead-man flag: cleared by proc_exit");
	CHECK(LWLockConditionalAcquire(AddinShmemInitLock, LW_EXCLUSIVE),
		  "proc_exit released the child's LWLock");
	LWLockRelease(AddinShmemInitLock);

	status = in_child(child_attach_crash);
	CHECK(exited_with(status, 0) && bgw_proc_was_active(2),
		  "dead-man flag: still set after _exit (a crash)");
	bgw_proc_clear_active(2);
	CHECK(!bgw_proc_was_active(2), "bgw_proc_clear_active");

	status = in_child(child_attach_error_exit);
	CHECK(exited_with(status, 1) && !bgw_proc_was_active(3) &&
		  strcmp(shared_msg, "worker gives up") == 0,
		  "dead-man flag: cleared on FATAL exit");
	CHECK(LWLockConditionalAcquire(BackgroundWorkerLock, LW_EXCLUSIVE),
		  "FATAL exit released the child's LWLock");
	LWLockRelease(BackgroundWorkerLock);

	status = in_child(child_attach_bad_slot);
	CHECK(exited_with(status, 1) &&
		  strncmp(shared_msg, "cannot attach to shared memory slot", 35) == 0,
		  "attaching to an invalid slot is FATAL");

	CHECK(bgw_proc_status(0, activity, sizeof(activity), &state, &we) &&
		  activity[0] == '\0' && state == STATE_UNDEFINED && we == 0,
		  "bgw_proc_status of an unused slot");
	CHECK(!bgw_proc_status(-1, activity, sizeof(activity), &state, &we) &&
		  !bgw_proc_status(max_worker_processes + 1, activity, sizeof(activity), &state, &we),
		  "bgw_proc_status refuses slots out of range");

	pg_atomic_write_u32(&ts->step, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		child_report();
		_exit(0);
	}
	while (pg_atomic_read_u32(&ts->step) != 10)
		sleep_ms(1);
	CHECK(bgw_proc_status(0, activity, sizeof(activity), &state, &we) &&
		  strcmp(activity, "doing work") == 0 && state == STATE_RUNNING &&
		  we == ts->wait_event, "the supervisor reads activity, state and wait event");
	CHECK((we & WAIT_EVENT_CLASS_MASK) == PG_WAIT_EXTENSION && (we & WAIT_EVENT_ID_MASK) >= 1,
		  "WaitEventExtensionNew gives an Extension-class id");
	bgw_wait_event_describe(we, type, sizeof(type), event, sizeof(event));
	CHECK(strcmp(type, "Extension") == 0 && strcmp(event, "TestWaitEvent") == 0,
		  "module wait event names are shared with the supervisor");
	CHECK(WaitEventExtensionNew("TestWaitEvent") == we, "same name, same id in another process");
	CHECK(WaitEventExtensionNew("OtherEvent") == we + 1, "a new name gets the next id");
	pg_atomic_write_u32(&ts->step, 11);
	while (pg_atomic_read_u32(&ts->step) != 12)
		sleep_ms(1);
	CHECK(bgw_proc_status(0, activity, sizeof(activity), &state, &we) &&
		  strcmp(activity, "doing work") == 0 && state == STATE_IDLE && we == 0,
		  "a NULL activity keeps the text; wait end clears the event");
	pg_atomic_write_u32(&ts->step, 13);
	waitpid(pid, &status, 0);
	CHECK(exited_with(status, 0), "activity is cut at 255 bytes on a character boundary");
	CHECK(raises(wait_event_name_too_long,
				 "cannot use custom wait event string longer than 63 characters"),
		  "wait event name too long ERRORs");

	bgw_wait_event_describe(WAIT_EVENT_BGWORKER_STARTUP, type, sizeof(type), event, sizeof(event));
	CHECK(strcmp(type, "IPC") == 0 && strcmp(event, "BgWorkerStartup") == 0, "built-in wait event names");
	bgw_wait_event_describe(PG_WAIT_EXTENSION, type, sizeof(type), event, sizeof(event));
	CHECK(strcmp(type, "Extension") == 0 && strcmp(event, "Extension") == 0, "WAIT_EVENT_EXTENSION");
	bgw_wait_event_describe(PG_WAIT_LWLOCK | AddinShmemInitLock->tranche, type, sizeof(type),
							event, sizeof(event));
	CHECK(strcmp(type, "LWLock") == 0 && strcmp(event, "AddinShmemInit") == 0, "LWLock wait event names");
	bgw_wait_event_describe(0, type, sizeof(type), event, sizeof(event));
	CHECK(type[0] == '\0' && event[0] == '\0', "no wait event: empty names");
	bgw_wait_event_describe(PG_WAIT_EXTENSION | 120, type, sizeof(type), event, sizeof(event));
	CHECK(strcmp(event, "unknown wait event") == 0, "unpublished extension id");
}

/* Child: a spinlock nobody releases ends in PANIC. */
static void
child_stuck_spinlock(void)
{
	slock_t		lock;

	bgw_spin_num_delays = 3;
	SpinLockInit(&lock);
	SpinLockAcquire(&lock);
	SpinLockAcquire(&lock);
}

static void
test_spinlock_stuck(void)
{
	int			status = in_child(child_stuck_spinlock);

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
		  strncmp(shared_msg, "stuck spinlock detected at child_stuck_spinlock, ", 49) == 0,
		  "a stuck spinlock PANICs with PostgreSQL's message");
}

int
main(void)
{
	Size		size;
	int			shmid;
	void	   *base;
	bool		found;
	int			status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	shared_msg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_msg == MAP_FAILED)
	{
		perror("mmap");
		return 1;
	}

	test_atomics_single();

	max_worker_processes = 4;
	status = in_child(request_space_outside_hook);
	CHECK(exited_with(status, 1) &&
		  strcmp(shared_msg, "cannot request additional shared memory outside shmem_request_hook") == 0,
		  "RequestAddinShmemSpace outside the hook is FATAL");
	status = in_child(request_locks_outside_hook);
	CHECK(exited_with(status, 1) &&
		  strcmp(shared_msg, "cannot request additional LWLocks outside shmem_request_hook") == 0,
		  "RequestNamedLWLockTranche outside the hook is FATAL");

	size = bgw_shmem_size();
	shmem_request_hook = request_hook;
	bgw_run_shmem_request_hook();
	CHECK(!process_shmem_requests_in_progress, "request flag reset after the hook");
	CHECK(bgw_shmem_size() >= size + 1024 * 1024, "requests grow the segment");
	size = bgw_shmem_size();
	CHECK(size % BLCKSZ == 0, "segment size is whole blocks");

	shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | 0600);
	if (shmid < 0)
	{
		perror("shmget");
		return 1;
	}
	base = shmat(shmid, NULL, 0);
	/* removed when the last process detaches, whatever happens below */
	shmctl(shmid, IPC_RMID, NULL);
	if (base == (void *) -1)
	{
		perror("shmat");
		return 1;
	}

	CHECK(!bgw_shmem_segment_is_ours(base, size), "a zeroed segment is not ours");
	bgw_shmem_init(base, size);
	CHECK(bgw_shmem_segment_is_ours(base, size) && bgw_shmem_segment_is_ours(base, 0) &&
		  !bgw_shmem_segment_is_ours(base, size + BLCKSZ), "the header identifies the segment");
	CHECK(*(int32 *) base == PGShmemMagic, "the magic number is the first word");
	CHECK(bgw_shmem_base() == base && bgw_shmem_total() == size, "bgw_shmem_base / total");
	CHECK(bgw_proc_count == max_worker_processes + 1, "one proc entry per slot plus the start-up child");

	ts = ShmemInitStruct("shmem_test shared", sizeof(TestShared), &found);
	CHECK(!found, "test state allocated");
	SpinLockInit(&ts->spin);
	pg_atomic_init_flag(&ts->flag);

	shmem_startup_hook = failing_startup_hook;
	CHECK(raises(run_startup_hook, "startup hook failed"), "an ERROR in shmem_startup_hook comes back");
	CHECK(!LWLockHeldByMe(AddinShmemInitLock) &&
		  LWLockConditionalAcquire(AddinShmemInitLock, LW_EXCLUSIVE),
		  "locks taken by a failing shmem_startup_hook are released");
	LWLockRelease(AddinShmemInitLock);
	InterruptHoldoffCount = 0;	/* error recovery's job */
	shmem_startup_hook = NULL;

	test_shmem_structs();
	test_tranches();
	test_lwlock_single();
	test_contention();
	test_acquire_or_wait();
	test_procs();
	test_spinlock_stuck();

	status = in_child(child_fill_index);
	CHECK(exited_with(status, 0), "a full index ERRORs with PostgreSQL's message");

	shmdt(base);
	bgw_shmem_forget();
	CHECK(bgw_shmem_base() == NULL && MainLWLockArray == NULL && bgw_shmem_total() == 0,
		  "bgw_shmem_forget");
	printf("all tests passed (%d checks)\n", checks);
	return 0;
}
