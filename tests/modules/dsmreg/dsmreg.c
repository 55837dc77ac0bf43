/*
 * dsmreg.c: bgworker's test extension for the dsm registry
 * (GetNamedDSMSegment) and dynamic shared areas (dsa).  Preloaded, it
 * registers two static workers that share the named segment
 * "dsmreg_shared" with each other and with sessions, and its
 * shmem_startup_hook makes a dsa area in place in the main segment (in the
 * supervisor).  Its SQL-callable functions (dsmreg--1.0.sql) run in
 * sessions; dsmreg_dsa_concurrent also starts dynamic workers.
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm_registry.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/dsa.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

#define DSMREG_MAGIC	0x64736d72

/* The start of a named segment of dsmreg_get. */
typedef struct reg_shared
{
	uint32		magic;
	slock_t		mutex;
	int			inits;			/* init callbacks run on this segment */
	int			touches;		/* processes that got it */
} reg_shared;

/* The named segment that holds the shared area's handle. */
typedef struct reg_area
{
	dsa_handle	handle;
	int			tranche;
} reg_area;

PGDLLEXPORT void dsmreg_worker_main(Datum arg);
PGDLLEXPORT void dsmreg_stress_worker_main(Datum arg);

/* An area in place in the main segment, made by the supervisor. */
typedef struct reg_inplace
{
	dsa_pointer greeting;		/* allocated by the supervisor */
	char		area[FLEXIBLE_ARRAY_MEMBER];	/* the area */
} reg_inplace;

#define INPLACE_AREA_SIZE	(dsa_minimum_size() + 128 * 1024)

static Size init_size;			/* the size the next init callback sees */
static dsa_area *shared_area;	/* this process's attachment of it */

static shmem_request_hook_type prev_request_hook;
static shmem_startup_hook_type prev_startup_hook;

static void
dsmreg_shmem_request(void)
{
	if (prev_request_hook)
		prev_request_hook();
	RequestAddinShmemSpace(offsetof(reg_inplace, area) + INPLACE_AREA_SIZE);
}

/* The supervisor makes the area and puts a string in it. */
static void
dsmreg_shmem_startup(void)
{
	reg_inplace *ri;
	bool		found;

	if (prev_startup_hook)
		prev_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	ri = ShmemInitStruct("dsmreg inplace", offsetof(reg_inplace, area) + INPLACE_AREA_SIZE, &found);
	if (!found)
	{
		dsa_area   *area = dsa_create_in_place(ri->area, INPLACE_AREA_SIZE,
											   LWLockNewTrancheId(), NULL);

		ri->greeting = dsa_allocate(area, 64);
		strlcpy(dsa_get_address(area, ri->greeting), "made by the supervisor", 64);
		dsa_detach(area);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
_PG_init(void)
{
	BackgroundWorker w;

	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_request_hook = shmem_request_hook;
	shmem_request_hook = dsmreg_shmem_request;
	prev_startup_hook = shmem_startup_hook;
	shmem_startup_hook = dsmreg_shmem_startup;
	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 1;
	snprintf(w.bgw_library_name, sizeof(w.bgw_library_name), "dsmreg");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "dsmreg_worker_main");
	snprintf(w.bgw_type, BGW_MAXLEN, "dsmreg");
	for (int i = 1; i <= 2; i++)
	{
		snprintf(w.bgw_name, BGW_MAXLEN, "dsmreg worker %d", i);
		w.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&w);
	}
}

static unsigned char
pattern(Size i)
{
	return (unsigned char) (i % 251);
}

/* init_callback: the header, then a pattern over the rest. */
static void
shared_init(void *ptr)
{
	unsigned char *p = ptr;
	Size		from = 0;

	if (init_size >= sizeof(reg_shared))
	{
		reg_shared *s = ptr;

		s->magic = DSMREG_MAGIC;
		SpinLockInit(&s->mutex);
		s->inits++;				/* a fresh segment is zeroed: 1 */
		s->touches = 0;
		from = sizeof(reg_shared);
	}
	for (Size i = from; i < init_size; i++)
		p[i] = pattern(i);
}

static void
failing_init(void *ptr)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("dsmreg: init failed on purpose")));
}

/* Get name; count this process in; describe what it found. */
static char *
get_named(const char *name, Size size, void (*init) (void *))
{
	bool		found;
	unsigned char *p;
	bool		intact = true;
	int			inits = 0;
	int			touches = 0;
	Size		from = 0;

	init_size = size;
	p = GetNamedDSMSegment(name, size, init, &found);
	if (size >= sizeof(reg_shared))
	{
		reg_shared *s = (reg_shared *) p;

		intact = s->magic == DSMREG_MAGIC;
		SpinLockAcquire(&s->mutex);
		touches = ++s->touches;
		inits = s->inits;
		SpinLockRelease(&s->mutex);
		from = sizeof(reg_shared);
	}
	for (Size i = from; i < size; i++)
		if (p[i] != pattern(i))
			intact = false;
	return psprintf("found=%s inits=%d touches=%d intact=%s",
					found ? "t" : "f", inits, touches, intact ? "t" : "f");
}

void
dsmreg_worker_main(Datum arg)
{
	int			me = DatumGetInt32(arg);
	char	   *what;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	what = get_named("dsmreg_shared", 8192, shared_init);
	elog(LOG, "dsmreg worker %d pid %d: %s", me, MyProcPid, what);
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

PG_FUNCTION_INFO_V1(dsmreg_get);
Datum
dsmreg_get(PG_FUNCTION_ARGS)
{
	char	   *name = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64		size = PG_ARGISNULL(1) ? 8192 : PG_GETARG_INT64(1);

	PG_RETURN_TEXT_P(cstring_to_text(get_named(name, (Size) size, shared_init)));
}

PG_FUNCTION_INFO_V1(dsmreg_get_failing);
Datum
dsmreg_get_failing(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64		size = PG_ARGISNULL(1) ? 8192 : PG_GETARG_INT64(1);

	PG_RETURN_TEXT_P(cstring_to_text(get_named(name, (Size) size, failing_init)));
}

/* init_callback asking for another name (NAME_inner), or its own. */
static const char *nested_outer;
static bool nested_self;

static void
nested_init(void *ptr)
{
	Size		outer = init_size;
	bool		found;

	shared_init(ptr);
	init_size = 100;
	(void) GetNamedDSMSegment(nested_self ? nested_outer : psprintf("%s_inner", nested_outer),
							  100, shared_init, &found);
	init_size = outer;
}

PG_FUNCTION_INFO_V1(dsmreg_get_nested);
Datum
dsmreg_get_nested(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	nested_outer = name;
	nested_self = PG_GETARG_BOOL(1);
	PG_RETURN_TEXT_P(cstring_to_text(get_named(name, 8192, nested_init)));
}

PG_FUNCTION_INFO_V1(dsmreg_fill);
Datum
dsmreg_fill(PG_FUNCTION_ARGS)
{
	char	   *prefix = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int32		n = PG_GETARG_INT32(1);
	bool		found;

	init_size = 64;
	for (int i = 0; i < n; i++)
		(void) GetNamedDSMSegment(psprintf("%s%d", prefix, i), 64, shared_init, &found);
	PG_RETURN_INT32(n);
}

/* ------------------------------------------------------------------------
 * The shared area, found through a named segment
 * ------------------------------------------------------------------------ */

static void
area_init(void *ptr)
{
	reg_area   *ra = ptr;

	ra->tranche = LWLockNewTrancheId();
	shared_area = dsa_create(ra->tranche);
	dsa_pin(shared_area);
	dsa_pin_mapping(shared_area);
	ra->handle = dsa_get_handle(shared_area);
}

static dsa_area *
get_area(void)
{
	reg_area   *ra;
	bool		found;
	MemoryContext old;

	if (shared_area != NULL)
		return shared_area;
	old = MemoryContextSwitchTo(TopMemoryContext);
	ra = GetNamedDSMSegment("dsmreg_area", sizeof(reg_area), area_init, &found);
	if (found)
	{
		LWLockRegisterTranche(ra->tranche, "dsmreg_area");
		shared_area = dsa_attach(ra->handle);
		dsa_pin_mapping(shared_area);
	}
	MemoryContextSwitchTo(old);
	return shared_area;
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_put);
Datum
dsmreg_dsa_put(PG_FUNCTION_ARGS)
{
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64		len = PG_GETARG_INT64(1);
	dsa_area   *area = get_area();
	Size		vlen = strlen(value);
	Size		n = Max((Size) len, vlen + 1);
	dsa_pointer dp = dsa_allocate_extended(area, n, DSA_ALLOC_HUGE);
	char	   *p = dsa_get_address(area, dp);

	for (Size i = 0; i + 1 < n; i++)
		p[i] = vlen > 0 ? value[i % vlen] : 'x';
	p[n - 1] = '\0';
	PG_RETURN_INT64((int64) dp);
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_get);
Datum
dsmreg_dsa_get(PG_FUNCTION_ARGS)
{
	dsa_pointer dp = (dsa_pointer) PG_GETARG_INT64(0);
	char	   *p = dsa_get_address(get_area(), dp);

	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%.40s len=%zu", p, strlen(p))));
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_free);
Datum
dsmreg_dsa_free(PG_FUNCTION_ARGS)
{
	dsa_free(get_area(), (dsa_pointer) PG_GETARG_INT64(0));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_stats);
Datum
dsmreg_dsa_stats(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("total=%zu",
											  dsa_get_total_size(get_area()))));
}

PG_FUNCTION_INFO_V1(dsmreg_maps);
Datum
dsmreg_maps(PG_FUNCTION_ARGS)
{
	dsa_pointer dp = PG_ARGISNULL(0) ? 0 : (dsa_pointer) PG_GETARG_INT64(0);
	StringInfoData out;
	FILE	   *f;
	char		line[1024];
	bool		found;

	init_size = 8192;
	(void) GetNamedDSMSegment("dsmreg_shared", 8192, shared_init, &found);
	if (dp != 0)
		(void) dsa_get_address(get_area(), dp);
	else
		(void) get_area();

	initStringInfo(&out);
	f = fopen("/proc/self/maps", "r");
	if (f == NULL)
		elog(ERROR, "could not open /proc/self/maps: %m");
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char		path[1024];
		char	   *name = path;

		/* address perms offset dev inode path [(deleted)] */
		if (sscanf(line, "%*s %*s %*s %*s %*s %1023s", path) != 1)
			continue;
		if (strncmp(name, "/dev/shm/bgworker.", 18) == 0)
			name += 9;
		else if (strncmp(name, "/SYSV", 5) != 0)
			continue;
		if (strstr(out.data, name) == NULL)
			appendStringInfo(&out, "%s%s", out.len > 0 ? " " : "", name);
	}
	fclose(f);
	PG_RETURN_TEXT_P(cstring_to_text(out.data));
}

/* ------------------------------------------------------------------------
 * A private area: stress and flags
 * ------------------------------------------------------------------------ */

typedef struct alloc_rec
{
	dsa_pointer dp;
	Size		size;
	char	   *addr;
} alloc_rec;

static uint32 rng_state;

static uint32
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static Size
random_size(void)
{
	uint32		r = rng() % 100;

	if (r < 80)
		return 1 + rng() % 8192;	/* the size classes */
	if (r < 97)
		return 8193 + rng() % (64 * 1024);	/* a few pages */
	return 64 * 1024 + rng() % (512 * 1024);	/* larger than a span */
}

static unsigned char
fill_byte(dsa_pointer dp)
{
	return (unsigned char) ((dp >> 4) ^ (dp >> 40) ^ 0xa5);
}

static void
do_alloc(dsa_area *area, alloc_rec *r)
{
	r->size = random_size();
	r->dp = dsa_allocate(area, r->size);
	if ((r->dp & (MAXIMUM_ALIGNOF - 1)) != 0)
		elog(ERROR, "dsmreg: unaligned dsa_pointer " DSA_POINTER_FORMAT, r->dp);
	r->addr = dsa_get_address(area, r->dp);
	memset(r->addr, fill_byte(r->dp), r->size);
}

static int
cmp_dp(const void *a, const void *b)
{
	dsa_pointer x = ((const alloc_rec *) a)->dp;
	dsa_pointer y = ((const alloc_rec *) b)->dp;

	return x < y ? -1 : x > y ? 1 : 0;
}

static int
cmp_addr(const void *a, const void *b)
{
	uintptr_t	x = (uintptr_t) ((const alloc_rec *) a)->addr;
	uintptr_t	y = (uintptr_t) ((const alloc_rec *) b)->addr;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* No two live allocations overlap, as dsa_pointers or as addresses, and
 * each still holds its fill. */
static void
check_all(dsa_area *area, alloc_rec *recs, int n)
{
	alloc_rec  *sorted = palloc(sizeof(alloc_rec) * Max(n, 1));
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (recs[i].dp != InvalidDsaPointer)
			sorted[m++] = recs[i];
	qsort(sorted, m, sizeof(alloc_rec), cmp_dp);
	for (int i = 0; i + 1 < m; i++)
		if ((sorted[i].dp >> DSA_OFFSET_WIDTH) == (sorted[i + 1].dp >> DSA_OFFSET_WIDTH) &&
			sorted[i].dp + sorted[i].size > sorted[i + 1].dp)
			elog(ERROR, "dsmreg: allocations overlap: " DSA_POINTER_FORMAT " (+%zu) and " DSA_POINTER_FORMAT,
				 sorted[i].dp, sorted[i].size, sorted[i + 1].dp);
	qsort(sorted, m, sizeof(alloc_rec), cmp_addr);
	for (int i = 0; i + 1 < m; i++)
		if (sorted[i].addr + sorted[i].size > sorted[i + 1].addr)
			elog(ERROR, "dsmreg: allocations overlap in memory: %p (+%zu) and %p",
				 sorted[i].addr, sorted[i].size, sorted[i + 1].addr);
	for (int i = 0; i < m; i++)
	{
		unsigned char b = fill_byte(sorted[i].dp);
		unsigned char *p = dsa_get_address(area, sorted[i].dp);

		if (p != (unsigned char *) sorted[i].addr)
			elog(ERROR, "dsmreg: dsa_get_address moved " DSA_POINTER_FORMAT, sorted[i].dp);
		for (Size k = 0; k < sorted[i].size; k++)
			if (p[k] != b)
				elog(ERROR, "dsmreg: allocation " DSA_POINTER_FORMAT " (%zu bytes) overwritten at byte %zu",
					 sorted[i].dp, sorted[i].size, k);
	}
	pfree(sorted);
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_stress);
Datum
dsmreg_dsa_stress(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	dsa_area   *area;
	alloc_rec  *recs;
	Size		initial;
	Size		peak;
	Size		after;
	int			maxseg = 0;

	if (n < 1)
		elog(ERROR, "dsmreg: nallocs must be positive");
	rng_state = (uint32) PG_GETARG_INT32(1) * 2654435761U + 1;
	area = dsa_create_ext(LWLockNewTrancheId(), DSA_MIN_SEGMENT_SIZE, 8 * 1024 * 1024);
	initial = dsa_get_total_size(area);
	recs = palloc0(sizeof(alloc_rec) * n);

	for (int i = 0; i < n; i++)
		do_alloc(area, &recs[i]);
	check_all(area, recs, n);
	/* free a random half, refill, check again */
	for (int i = 0; i < n; i++)
		if (rng() % 2 == 0)
		{
			dsa_free(area, recs[i].dp);
			recs[i].dp = InvalidDsaPointer;
		}
	check_all(area, recs, n);
	for (int i = 0; i < n; i++)
		if (recs[i].dp == InvalidDsaPointer)
			do_alloc(area, &recs[i]);
	check_all(area, recs, n);
	for (int i = 0; i < n; i++)
		maxseg = Max(maxseg, (int) (recs[i].dp >> DSA_OFFSET_WIDTH));
	peak = dsa_get_total_size(area);
	/* free everything; empty segments go, dsa_trim gives back the rest */
	for (int i = 0; i < n; i++)
		dsa_free(area, recs[i].dp);
	dsa_trim(area);
	after = dsa_get_total_size(area);
	dsa_detach(area);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("initial=%zu grew=%s segments>1=%s after=%zu",
											  initial, peak > initial ? "t" : "f",
											  maxseg > 1 ? "t" : "f", after)));
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_flags);
Datum
dsmreg_dsa_flags(PG_FUNCTION_ARGS)
{
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(0));
	dsa_area   *area = dsa_create(LWLockNewTrancheId());
	char	   *result = "?";

	if (strcmp(what, "huge") == 0)
		(void) dsa_allocate(area, MaxAllocSize + 1);
	else if (strcmp(what, "nooom") == 0)
	{
		dsa_pointer dp;

		dsa_set_size_limit(area, dsa_get_total_size(area));
		dp = dsa_allocate_extended(area, (Size) 3 << 30, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM);
		result = DsaPointerIsValid(dp) ? "valid" : "invalid";
	}
	else if (strcmp(what, "oom") == 0)
	{
		dsa_set_size_limit(area, dsa_get_total_size(area));
		(void) dsa_allocate(area, 2 * 1024 * 1024);
	}
	else if (strcmp(what, "zero") == 0)
	{
		Size		sizes[] = {64, 5000, 100000};
		bool		ok = true;

		for (int i = 0; i < (int) lengthof(sizes); i++)
		{
			dsa_pointer dp = dsa_allocate(area, sizes[i]);
			unsigned char *p;

			memset(dsa_get_address(area, dp), 0xff, sizes[i]);
			dsa_free(area, dp);
			dp = dsa_allocate0(area, sizes[i]);
			p = dsa_get_address(area, dp);
			for (Size k = 0; k < sizes[i]; k++)
				if (p[k] != 0)
					ok = false;
			dsa_free(area, dp);
		}
		result = ok ? "zeroed" : "not zeroed";
	}
	else if (strcmp(what, "reuse") == 0)
	{
		Size		sizes[] = {100, 8000, 100000};
		bool		ok = true;

		for (int i = 0; i < (int) lengthof(sizes); i++)
		{
			dsa_pointer a = dsa_allocate(area, sizes[i]);
			dsa_pointer b;

			dsa_free(area, a);
			b = dsa_allocate(area, sizes[i]);
			if (a != b)
				ok = false;
			dsa_free(area, b);
		}
		result = ok ? "reused" : "not reused";
	}
	else if (strcmp(what, "badfree") == 0)
	{
		dsa_pointer dp = dsa_allocate(area, 100);

		dsa_free(area, dp + 8);
	}
	else if (strcmp(what, "pin") == 0)
	{
		dsa_pin(area);
		dsa_pin(area);
	}
	else if (strcmp(what, "unpin") == 0)
		dsa_unpin(area);
	else if (strcmp(what, "attach") == 0)
	{
		/* a handle that is not an area any more */
		dsa_handle h = dsa_get_handle(area);

		dsa_detach(area);
		(void) dsa_attach(h);
	}
	else if (strcmp(what, "inplace") == 0)
	{
		/* an area in a segment of our own, growing into dsm segments */
		Size		size = dsa_minimum_size() + 64 * 1024;
		dsm_segment *seg = dsm_create(size, 0);
		dsa_area   *in = dsa_create_in_place(dsm_segment_address(seg), size,
											 LWLockNewTrancheId(), seg);
		dsa_pointer small = dsa_allocate(in, 64);
		dsa_pointer big = dsa_allocate(in, 1024 * 1024);

		memset(dsa_get_address(in, small), 1, 64);
		memset(dsa_get_address(in, big), 2, 1024 * 1024);
		result = psprintf("small in segment %d, big in segment %d",
						  (int) (small >> DSA_OFFSET_WIDTH), (int) (big >> DSA_OFFSET_WIDTH));
		dsa_detach(in);
		dsm_detach(seg);
	}
	else
		elog(ERROR, "dsmreg: unknown flag test \"%s\"", what);
	if (strcmp(what, "attach") != 0)
		dsa_detach(area);
	PG_RETURN_TEXT_P(cstring_to_text(result));
}

/* ------------------------------------------------------------------------
 * Several workers on the shared area at once
 * ------------------------------------------------------------------------ */

typedef struct reg_results
{
	slock_t		mutex;
	int			ok;				/* workers that finished clean */
} reg_results;

static void
results_init(void *ptr)
{
	reg_results *r = ptr;

	SpinLockInit(&r->mutex);
	r->ok = 0;
}

/*
 * A dynamic worker: nallocs allocations of random sizes in the shared
 * area, checked, half freed and replaced, checked, all freed.  Another
 * process's allocation overlapping one of ours shows as a changed fill.
 */
void
dsmreg_stress_worker_main(Datum arg)
{
	int32		nallocs;
	dsa_area   *area;
	alloc_rec  *recs;
	reg_results *res;
	bool		found;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	memcpy(&nallocs, MyBgworkerEntry->bgw_extra, sizeof(nallocs));
	rng_state = (uint32) DatumGetInt32(arg) * 2654435761U + 7;
	area = get_area();
	recs = palloc0(sizeof(alloc_rec) * nallocs);

	for (int round = 0; round < 3; round++)
	{
		for (int i = 0; i < nallocs; i++)
			do_alloc(area, &recs[i]);
		check_all(area, recs, nallocs);
		for (int i = 0; i < nallocs; i += 2)
		{
			dsa_free(area, recs[i].dp);
			recs[i].dp = InvalidDsaPointer;
		}
		for (int i = 0; i < nallocs; i += 2)
			do_alloc(area, &recs[i]);
		check_all(area, recs, nallocs);
		for (int i = 0; i < nallocs; i++)
			dsa_free(area, recs[i].dp);
	}
	res = GetNamedDSMSegment("dsmreg_results", sizeof(reg_results), results_init, &found);
	SpinLockAcquire(&res->mutex);
	res->ok++;
	SpinLockRelease(&res->mutex);
	elog(LOG, "dsmreg stress worker %d: done", DatumGetInt32(arg));
	proc_exit(0);
}

PG_FUNCTION_INFO_V1(dsmreg_dsa_concurrent);
Datum
dsmreg_dsa_concurrent(PG_FUNCTION_ARGS)
{
	int32		nworkers = PG_GETARG_INT32(0);
	int32		nallocs = PG_GETARG_INT32(1);
	BackgroundWorkerHandle **handles;
	BackgroundWorker bw;
	reg_results *res;
	bool		found;
	int			before;
	int			after;

	if (nworkers < 1 || nallocs < 1)
		elog(ERROR, "dsmreg: nworkers and nallocs must be positive");
	(void) get_area();
	res = GetNamedDSMSegment("dsmreg_results", sizeof(reg_results), results_init, &found);
	SpinLockAcquire(&res->mutex);
	before = res->ok;
	SpinLockRelease(&res->mutex);

	memset(&bw, 0, sizeof(bw));
	bw.bgw_flags = BGWORKER_SHMEM_ACCESS;
	bw.bgw_start_time = BgWorkerStart_ConsistentState;
	bw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bw.bgw_library_name, sizeof(bw.bgw_library_name), "dsmreg");
	snprintf(bw.bgw_function_name, BGW_MAXLEN, "dsmreg_stress_worker_main");
	snprintf(bw.bgw_type, BGW_MAXLEN, "dsmreg stress");
	memcpy(bw.bgw_extra, &nallocs, sizeof(nallocs));
	bw.bgw_notify_pid = MyProcPid;
	handles = palloc(sizeof(BackgroundWorkerHandle *) * nworkers);
	for (int i = 0; i < nworkers; i++)
	{
		snprintf(bw.bgw_name, BGW_MAXLEN, "dsmreg stress worker %d", i + 1);
		bw.bgw_main_arg = Int32GetDatum(i + 1);
		if (!RegisterDynamicBackgroundWorker(&bw, &handles[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("could not register background process"),
					 errhint("You may need to increase \"max_worker_processes\".")));
	}
	for (int i = 0; i < nworkers; i++)
		(void) WaitForBackgroundWorkerShutdown(handles[i]);
	SpinLockAcquire(&res->mutex);
	after = res->ok;
	SpinLockRelease(&res->mutex);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("ok=%d", after - before)));
}

/* ------------------------------------------------------------------------
 * The supervisor's area in the main segment
 * ------------------------------------------------------------------------ */

/*
 * Read the supervisor's string, then grow the area with a 1 MB object in
 * a dsm segment of its own, read it back and free it: 'greeting / big in
 * segment N / total before, during, after'.
 */
PG_FUNCTION_INFO_V1(dsmreg_inplace);
Datum
dsmreg_inplace(PG_FUNCTION_ARGS)
{
	reg_inplace *ri;
	dsa_area   *area;
	bool		found;
	dsa_pointer big;
	char	   *p;
	bool		ok = true;
	Size		before,
				during,
				after;
	char	   *greeting;

	ri = ShmemInitStruct("dsmreg inplace", offsetof(reg_inplace, area) + INPLACE_AREA_SIZE, &found);
	if (!found)
		elog(ERROR, "dsmreg: the supervisor made no area (is dsmreg preloaded?)");
	area = dsa_attach_in_place(ri->area, NULL);
	on_shmem_exit(dsa_on_shmem_exit_release_in_place, PointerGetDatum(ri->area));
	dsa_pin_mapping(area);
	greeting = pstrdup(dsa_get_address(area, ri->greeting));
	before = dsa_get_total_size(area);
	big = dsa_allocate(area, 1024 * 1024);
	p = dsa_get_address(area, big);
	memset(p, 0x3c, 1024 * 1024);
	during = dsa_get_total_size(area);
	for (int i = 0; i < 1024 * 1024; i++)
		if (p[i] != 0x3c)
			ok = false;
	dsa_free(area, big);
	after = dsa_get_total_size(area);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s / big in segment %d %s / grew=%s shrank=%s",
											  greeting, (int) (big >> DSA_OFFSET_WIDTH),
											  ok ? "intact" : "damaged",
											  during > before ? "t" : "f",
											  after == before ? "t" : "f")));
}
