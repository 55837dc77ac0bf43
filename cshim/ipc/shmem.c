/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  The shared memory segment: its size, its layout, the bump allocator
 *	  and the named index behind ShmemInitStruct, and the add-in request
 *	  hooks (RequestAddinShmemSpace, shmem_request_hook,
 *	  shmem_startup_hook).
 *
 *	  The supervisor creates a System V segment of bgw_shmem_size() bytes
 *	  (Go, cshim/shmem.go and libbgworker) and calls bgw_shmem_init() to lay
 *	  it out.  Every other process is a fork and inherits both the mapping,
 *	  at the same address, and the process-local pointers set here.
 *
 *	  The allocator and the index share one spinlock in the segment header:
 *	  an allocation is a few instructions and a lookup a scan of at most
 *	  SHMEM_INDEX_SIZE short names, and it lets workers call ShmemInitStruct
 *	  with or without holding LWLocks.  The supervisor takes that spinlock
 *	  only while no worker exists (segment layout and shmem_startup_hook).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "bgw_internal.h"
#include "miscadmin.h"
#include "shmem_int.h"
#include "storage/ipc.h"

BgwShmemHeader *bgw_shmem_header = NULL;
Size		bgw_addin_request_total = 0;

static ShmemIndexEnt *shmem_index = NULL;

/* Round a size up to a cache line, ERROR on overflow. */
static Size
cacheline_size(Size size)
{
	return add_size(size, PG_CACHE_LINE_SIZE - 1) & ~((Size) PG_CACHE_LINE_SIZE - 1);
}

/* Number of per-worker entries: one per worker slot plus the start-up child. */
static int
proc_entries(void)
{
	return (max_worker_processes > 0 ? max_worker_processes : 0) + 1;
}

/*
 * Sizes of the fixed parts, in layout order; shared by bgw_shmem_size and
 * bgw_shmem_init so that the two can never disagree.
 */
typedef struct SegmentPlan
{
	Size		index_offset;
	Size		lwlocks_offset;
	int			num_lwlocks;
	Size		procs_offset;
	int			num_procs;
	Size		wait_events_offset;
	Size		fixed_end;		/* first byte of the free space */
} SegmentPlan;

static void
plan_segment(SegmentPlan *plan)
{
	Size		off;

	off = cacheline_size(sizeof(BgwShmemHeader));
	plan->index_offset = off;
	off = add_size(off, cacheline_size(mul_size(SHMEM_INDEX_SIZE,
												sizeof(ShmemIndexEnt))));
	plan->num_lwlocks = NUM_FIXED_LWLOCKS + bgw_lwlock_named_count();
	plan->lwlocks_offset = off;
	off = add_size(off, cacheline_size(mul_size(plan->num_lwlocks,
												sizeof(LWLockPadded))));
	plan->num_procs = proc_entries();
	plan->procs_offset = off;
	off = add_size(off, cacheline_size(mul_size(plan->num_procs,
												sizeof(BgwProc))));
	plan->wait_events_offset = off;
	off = add_size(off, cacheline_size(sizeof(BgwWaitEventTable)));
	plan->fixed_end = off;
}

/*
 * The segment size for the current settings and requests.  Supervisor,
 * after shmem_request_hook ran.
 */
Size
bgw_shmem_size(void)
{
	SegmentPlan plan;
	Size		size;

	plan_segment(&plan);
	size = plan.fixed_end;
	/* the fork area's slot array, allocated later by ShmemInitStruct */
	size = add_size(size, cacheline_size(bgw_bgworker_shmem_size()));
	size = add_size(size, cacheline_size(bgw_dsm_shmem_size()));
	size = add_size(size, cacheline_size(bgw_dsm_registry_shmem_size()));
	size = add_size(size, bgw_addin_request_total);
	size = add_size(size, BGW_SHMEM_SLACK);
	/* whole pages, as PostgreSQL rounds to blocks */
	size = add_size(size, BLCKSZ - 1) & ~((Size) BLCKSZ - 1);
	return size;
}

/*
 * Lay out a fresh, zeroed segment at base.  Supervisor only; no worker may
 * exist yet.  The magic number is written last so that a reader never
 * takes a half-initialised segment for ours.
 */
void
bgw_shmem_init(void *base, Size size)
{
	SegmentPlan plan;
	BgwShmemHeader *hdr = (BgwShmemHeader *) base;

	if (base == NULL || ((uintptr_t) base % PG_CACHE_LINE_SIZE) != 0)
		elog(FATAL, "shared memory segment address %p is not usable", base);
	plan_segment(&plan);
	if (size < plan.fixed_end)
		ereport(FATAL,
				(errmsg("shared memory segment is too small: %zu bytes, at least %zu needed",
						size, plan.fixed_end)));

	memset(base, 0, plan.fixed_end);
	hdr->hdr.creatorPID = getpid();
	hdr->hdr.totalsize = size;
	hdr->hdr.freeoffset = plan.fixed_end;
	hdr->layout_version = BGW_SHMEM_LAYOUT_VERSION;
	SpinLockInit(&hdr->alloc_lock);
	hdr->index_size = SHMEM_INDEX_SIZE;
	hdr->index_used = 0;
	hdr->index_offset = plan.index_offset;
	hdr->num_lwlocks = plan.num_lwlocks;
	hdr->lwlocks_offset = plan.lwlocks_offset;
	hdr->num_procs = plan.num_procs;
	hdr->procs_offset = plan.procs_offset;
	hdr->wait_events_offset = plan.wait_events_offset;
	pg_atomic_init_u32(&hdr->next_tranche_id, LWTRANCHE_FIRST_USER_DEFINED);

	bgw_shmem_header = hdr;
	shmem_index = (ShmemIndexEnt *) ((char *) base + plan.index_offset);
	bgw_lwlock_shmem_init((LWLockPadded *) ((char *) base + plan.lwlocks_offset));
	bgw_proc_array = (BgwProc *) ((char *) base + plan.procs_offset);
	bgw_proc_count = plan.num_procs;
	bgw_proc_shmem_init();
	bgw_wait_event_table = (BgwWaitEventTable *) ((char *) base + plan.wait_events_offset);
	bgw_wait_event_shmem_init();

	pg_write_barrier();
	hdr->hdr.magic = PGShmemMagic;
	pg_memory_barrier();

	/* the dynamic shared memory control area, first of the free space */
	bgw_dsm_shmem_init(base);
	/* and the dsm registry's table after it */
	bgw_dsm_registry_shmem_init();
}

/*
 * Forget the segment: after the supervisor detached it, or in a child
 * without shared memory access.  Process-local pointers only.
 */
void
bgw_shmem_forget(void)
{
	bgw_shmem_header = NULL;
	shmem_index = NULL;
	MainLWLockArray = NULL;
	bgw_proc_array = NULL;
	bgw_proc_count = 0;
	bgw_wait_event_table = NULL;
	bgw_dsm_forget();
	bgw_dsm_registry_forget();
	MyProc = NULL;
	pgstat_reset_wait_event_storage();
}

void *
bgw_shmem_base(void)
{
	return bgw_shmem_header;
}

Size
bgw_shmem_total(void)
{
	return bgw_shmem_header ? bgw_shmem_header->hdr.totalsize : 0;
}

/*
 * True if base holds a segment laid out by bgw_shmem_init, of size bytes
 * (any size when size is 0).  Reads only the first header fields.  Used
 * by the supervisor to recognise a segment of an earlier run.
 */
bool
bgw_shmem_segment_is_ours(const void *base, Size size)
{
	const volatile BgwShmemHeader *hdr = (const volatile BgwShmemHeader *) base;

	if (base == NULL)
		return false;
	if (hdr->hdr.magic != PGShmemMagic ||
		hdr->layout_version != BGW_SHMEM_LAYOUT_VERSION)
		return false;
	return size == 0 || hdr->hdr.totalsize == size;
}

/* Run shmem_request_hook with process_shmem_requests_in_progress set. */
void
bgw_run_shmem_request_hook(void)
{
	/*
	 * Every start asks the hooks afresh: a supervisor started again in the
	 * same process (an embedder) must not add its requests to the last
	 * start's.
	 */
	bgw_addin_request_total = 0;
	NamedLWLockTrancheRequests = 0;
	process_shmem_requests_in_progress = true;
	PG_TRY();
	{
		if (shmem_request_hook)
			shmem_request_hook();
	}
	PG_FINALLY();
	{
		process_shmem_requests_in_progress = false;
	}
	PG_END_TRY();
}

/*
 * Run shmem_startup_hook (called through bgw_call_protected).  A module
 * that ERRORs while holding AddinShmemInitLock must not leave it held in
 * the supervisor, so locks are released before the error goes on.
 */
void
bgw_run_shmem_startup_hook(void)
{
	PG_TRY();
	{
		if (shmem_startup_hook)
			shmem_startup_hook();
	}
	PG_CATCH();
	{
		LWLockReleaseAll();
		PG_RE_THROW();
	}
	PG_END_TRY();
}

void
RequestAddinShmemSpace(Size size)
{
	if (!process_shmem_requests_in_progress)
		elog(FATAL, "cannot request additional shared memory outside shmem_request_hook");
	bgw_addin_request_total = add_size(bgw_addin_request_total, size);
}

Size
add_size(Size s1, Size s2)
{
	Size		result;

	if (__builtin_add_overflow(s1, s2, &result))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("requested shared memory size overflows size_t")));
	return result;
}

Size
mul_size(Size s1, Size s2)
{
	Size		result;

	if (__builtin_mul_overflow(s1, s2, &result))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("requested shared memory size overflows size_t")));
	return result;
}

static void
require_segment(void)
{
	if (bgw_shmem_header == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shared memory is not available in this process"),
				 errhint("Shared memory exists after shared_preload_libraries are loaded, in shmem_startup_hook and in workers registered with BGWORKER_SHMEM_ACCESS.")));
}

/*
 * Take size bytes (rounded up to a cache line) from the free space; NULL
 * if they do not fit.  Caller holds alloc_lock.  *allocated gets the
 * rounded size.
 */
static void *
alloc_locked(Size size, Size *allocated)
{
	BgwShmemHeader *hdr = bgw_shmem_header;
	Size		start = hdr->hdr.freeoffset;

	if (size > hdr->hdr.totalsize)
		return NULL;
	size = (size + PG_CACHE_LINE_SIZE - 1) & ~((Size) PG_CACHE_LINE_SIZE - 1);
	if (size > hdr->hdr.totalsize - start)
		return NULL;
	hdr->hdr.freeoffset = start + size;
	*allocated = size;
	return (char *) hdr + start;
}

void *
ShmemAllocNoError(Size size)
{
	void	   *result;
	Size		allocated;

	require_segment();
	SpinLockAcquire(&bgw_shmem_header->alloc_lock);
	result = alloc_locked(size, &allocated);
	SpinLockRelease(&bgw_shmem_header->alloc_lock);
	return result;
}

void *
ShmemAlloc(Size size)
{
	void	   *result = ShmemAllocNoError(size);

	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of shared memory (%zu bytes requested)", size)));
	return result;
}

bool
ShmemAddrIsValid(const void *addr)
{
	const char *base = (const char *) bgw_shmem_header;

	if (base == NULL || addr == NULL)
		return false;
	return (const char *) addr >= base &&
		(const char *) addr < base + bgw_shmem_header->hdr.totalsize;
}

/* What ShmemInitStruct found, reported after the spinlock is released. */
typedef enum IndexOutcome
{
	INDEX_FOUND,
	INDEX_CREATED,
	INDEX_WRONG_SIZE,
	INDEX_FULL,
	INDEX_NO_SPACE,
} IndexOutcome;

void *
ShmemInitStruct(const char *name, Size size, bool *foundPtr)
{
	BgwShmemHeader *hdr;
	char		key[SHMEM_INDEX_KEYSIZE];
	IndexOutcome outcome = INDEX_CREATED;
	void	   *result = NULL;
	Size		existing_size = 0;
	int			i;

	if (name == NULL || name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shared memory structure name must not be empty")));
	if (foundPtr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ShmemInitStruct called without a found flag for data structure \"%s\"",
						name)));
	require_segment();
	hdr = bgw_shmem_header;
	/* names are significant up to the key size, as in PostgreSQL */
	strlcpy(key, name, sizeof(key));

	SpinLockAcquire(&hdr->alloc_lock);
	for (i = 0; i < hdr->index_used; i++)
	{
		if (strncmp(shmem_index[i].key, key, SHMEM_INDEX_KEYSIZE) == 0)
		{
			existing_size = shmem_index[i].size;
			result = shmem_index[i].location;
			outcome = (existing_size == size) ? INDEX_FOUND : INDEX_WRONG_SIZE;
			break;
		}
	}
	if (outcome == INDEX_CREATED)
	{
		if (hdr->index_used >= hdr->index_size)
			outcome = INDEX_FULL;
		else
		{
			Size		allocated = 0;

			result = alloc_locked(size, &allocated);
			if (result == NULL)
				outcome = INDEX_NO_SPACE;
			else
			{
				ShmemIndexEnt *ent = &shmem_index[hdr->index_used];

				memcpy(ent->key, key, sizeof(key));
				ent->location = result;
				ent->size = size;
				ent->allocated_size = allocated;
				hdr->index_used++;
			}
		}
	}
	SpinLockRelease(&hdr->alloc_lock);

	switch (outcome)
	{
		case INDEX_FOUND:
			*foundPtr = true;
			return result;
		case INDEX_CREATED:
			*foundPtr = false;
			return result;
		case INDEX_WRONG_SIZE:
			ereport(ERROR,
					(errmsg("ShmemIndex entry size is wrong for data structure \"%s\": expected %zu, actual %zu",
							name, size, existing_size)));
			break;
		case INDEX_FULL:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create ShmemIndex entry for data structure \"%s\"",
							name)));
			break;
		case INDEX_NO_SPACE:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("not enough shared memory for data structure \"%s\" (%zu bytes requested)",
							name, size)));
			break;
	}
	return NULL;				/* not reached */
}
