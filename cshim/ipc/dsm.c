/*-------------------------------------------------------------------------
 *
 * dsm.c
 *	  Dynamic shared memory segments (storage/dsm.h): the control area in
 *	  the main segment that records every segment, the process-local list
 *	  of mappings with their detach callbacks and resource owners, and the
 *	  three ways of making a segment (dynamic_shared_memory_type: posix,
 *	  sysv, mmap).
 *
 *	  Who runs what:
 *	    bgw_dsm_shmem_size/init      supervisor, laying out the main segment
 *	    bgw_dsm_cleanup_segment      supervisor, before it removes a main
 *	                                 segment (crash cycle, exit) and for a
 *	                                 stale one at the next start: it removes
 *	                                 every segment the control area lists
 *	    dsm_create, dsm_attach, ...  workers and sessions (C only)
 *
 *	  The control area.  One item per segment: its handle, how it was made,
 *	  and a reference count: 0 = free item; 1 = being destroyed (nobody
 *	  may attach); 2 and more = one for the segment's existence plus one
 *	  per attached process plus one if pinned.  A process that brings the
 *	  count from 2 to 1 destroys the segment outside the lock, then frees
 *	  the item.  An item is filled before the segment is made, so a crash
 *	  at any point leaves a record the supervisor finds; removing a name
 *	  that was never made is harmless.  The supervisor reads the area
 *	  without the lock (a process may have died holding it) and checks
 *	  every value against the segment's size.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bgw_internal.h"
#include "shmem_int.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/pg_shmem.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#define DSM_CONTROL_MAGIC	0x6473636dU	/* "dscm" */

typedef struct dsm_control_item
{
	dsm_handle	handle;			/* the segment's name */
	uint32		refcnt;			/* see the file header */
	int			impl;			/* DSM_IMPL_* it was made with */
	bool		pinned;			/* dsm_pin_segment() holds a reference */
	Size		size;			/* bytes requested */
} dsm_control_item;

typedef struct dsm_control_header
{
	uint32		magic;			/* DSM_CONTROL_MAGIC */
	uint32		maxitems;		/* entries of item[] */
	Size		self_offset;	/* this area's offset in the main segment */
	slock_t		mutex;			/* protects item[] */
	dsm_control_item item[FLEXIBLE_ARRAY_MEMBER];
} dsm_control_header;

typedef struct dsm_detach_cb
{
	on_dsm_detach_callback function;
	Datum		arg;
	struct dsm_detach_cb *next; /* earlier registration */
} dsm_detach_cb;

/* One mapping of this process (process-local memory). */
struct dsm_segment
{
	struct dsm_segment *prev;	/* the process's list of mappings */
	struct dsm_segment *next;
	ResourceOwner resowner;		/* NULL: pinned to the process */
	dsm_handle	handle;
	int			impl;			/* how it was made */
	int			sysv_id;		/* shmid of a sysv segment */
	void	   *address;		/* mapping */
	Size		mapped_size;	/* bytes mapped */
	dsm_detach_cb *callbacks;	/* newest first */
};

int			dynamic_shared_memory_type = DEFAULT_DYNAMIC_SHARED_MEMORY_TYPE;

static dsm_control_header *dsm_control = NULL;	/* in the main segment */
static dsm_segment *dsm_mappings = NULL;	/* this process's mappings */
static bool dsm_exit_registered = false;
static uint64 dsm_random_state = 0;

/* ------------------------------------------------------------------------
 * The control area (supervisor)
 * ------------------------------------------------------------------------ */

/* Items: as PostgreSQL, 64 plus a few per process that can attach. */
static uint32
dsm_control_items(void)
{
	return 64 + 5 * (uint32) (Max(max_worker_processes, 0) + 1);
}

Size
bgw_dsm_shmem_size(void)
{
	return add_size(offsetof(dsm_control_header, item),
					mul_size(dsm_control_items(), sizeof(dsm_control_item)));
}

/*
 * Allocate the control area in a fresh main segment and record its offset
 * in the segment header.  Supervisor, from bgw_shmem_init.
 */
void
bgw_dsm_shmem_init(void *base)
{
	PGShmemHeader *hdr = (PGShmemHeader *) base;
	dsm_control_header *ctl;
	uint32		n = dsm_control_items();

	ctl = ShmemAlloc(bgw_dsm_shmem_size());
	memset(ctl, 0, bgw_dsm_shmem_size());
	ctl->maxitems = n;
	ctl->self_offset = (char *) ctl - (char *) base;
	SpinLockInit(&ctl->mutex);
	pg_write_barrier();
	ctl->magic = DSM_CONTROL_MAGIC;
	hdr->dsm_control = ctl->self_offset;
	dsm_control = ctl;
}

/* The main segment was forgotten (crash cycle, detached worker). */
void
bgw_dsm_forget(void)
{
	dsm_control = NULL;
}

/* ------------------------------------------------------------------------
 * The implementations
 * ------------------------------------------------------------------------ */

static void
dsm_posix_name(char *name, size_t len, dsm_handle h)
{
	snprintf(name, len, "/bgworker.%u", h);
}

static void
dsm_mmap_name(char *name, size_t len, dsm_handle h)
{
	snprintf(name, len, "%s/%s/" PG_DYNSHMEM_MMAP_FILE_PREFIX "%u",
			 DataDir ? DataDir : ".", PG_DYNSHMEM_DIR, h);
}

/* A key for the sysv implementation; never IPC_PRIVATE. */
static key_t
dsm_sysv_key(dsm_handle h)
{
	return (key_t) (h == 0 ? 1 : h);
}

/*
 * Remove segment h made with impl.  Returns 0, or -1 with errno (ENOENT
 * when it was never made or is gone already).  Any process; signal-safe
 * system calls only, so the supervisor may call it on a stale record.
 */
static int
dsm_impl_remove(int impl, dsm_handle h)
{
	char		name[MAXPGPATH];

	switch (impl)
	{
		case DSM_IMPL_POSIX:
			dsm_posix_name(name, sizeof(name), h);
			return shm_unlink(name);
		case DSM_IMPL_SYSV:
			{
				int			id = shmget(dsm_sysv_key(h), 0, 0);

				if (id < 0)
					return -1;
				return shmctl(id, IPC_RMID, NULL);
			}
		case DSM_IMPL_MMAP:
			dsm_mmap_name(name, sizeof(name), h);
			return unlink(name);
	}
	errno = EINVAL;
	return -1;
}

/*
 * Make (create) or map an existing segment into seg.  On failure returns
 * false with errno set, having cleaned up.  With create, EEXIST means the
 * name is taken: the caller picks another.
 */
static bool
dsm_impl_map(dsm_segment *seg, bool create, Size size)
{
	char		name[MAXPGPATH];
	int			fd;
	struct stat st;
	void	   *addr;
	int			save_errno;

	if (seg->impl == DSM_IMPL_SYSV)
	{
		int			id;
		struct shmid_ds ds;

		id = shmget(dsm_sysv_key(seg->handle), create ? size : 0,
					create ? (IPC_CREAT | IPC_EXCL | 0600) : 0);
		if (id < 0)
			return false;
		if (!create)
		{
			if (shmctl(id, IPC_STAT, &ds) < 0)
				return false;
			size = ds.shm_segsz;
		}
		addr = shmat(id, NULL, 0);
		if (addr == (void *) -1)
		{
			save_errno = errno;
			if (create)
				(void) shmctl(id, IPC_RMID, NULL);
			errno = save_errno;
			return false;
		}
		seg->sysv_id = id;
		seg->address = addr;
		seg->mapped_size = size;
		return true;
	}

	if (seg->impl == DSM_IMPL_POSIX)
	{
		dsm_posix_name(name, sizeof(name), seg->handle);
		fd = shm_open(name, create ? (O_RDWR | O_CREAT | O_EXCL) : O_RDWR, 0600);
	}
	else
	{
		dsm_mmap_name(name, sizeof(name), seg->handle);
		if (create)
		{
			char		dir[MAXPGPATH];

			snprintf(dir, sizeof(dir), "%s/%s", DataDir ? DataDir : ".",
					 PG_DYNSHMEM_DIR);
			(void) mkdir(dir, 0700);
		}
		fd = open(name, create ? (O_RDWR | O_CREAT | O_EXCL) : O_RDWR, 0600);
	}
	if (fd < 0)
		return false;
	if (create)
	{
		/* allocate now, so that a full /dev/shm is an error, not SIGBUS */
		int			rc;

		do
			rc = posix_fallocate(fd, 0, size);
		while (rc == EINTR);
		if (rc != 0)
		{
			close(fd);
			if (seg->impl == DSM_IMPL_POSIX)
				shm_unlink(name);
			else
				unlink(name);
			errno = rc;
			return false;
		}
	}
	else
	{
		if (fstat(fd, &st) < 0)
		{
			save_errno = errno;
			close(fd);
			errno = save_errno;
			return false;
		}
		size = st.st_size;
	}
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, 0);
	save_errno = errno;
	close(fd);
	if (addr == MAP_FAILED)
	{
		if (create)
		{
			if (seg->impl == DSM_IMPL_POSIX)
				shm_unlink(name);
			else
				unlink(name);
		}
		errno = save_errno;
		return false;
	}
	seg->address = addr;
	seg->mapped_size = size;
	return true;
}

static void
dsm_impl_unmap(dsm_segment *seg)
{
	if (seg->address == NULL)
		return;
	if (seg->impl == DSM_IMPL_SYSV)
		(void) shmdt(seg->address);
	else
		(void) munmap(seg->address, seg->mapped_size);
	seg->address = NULL;
}

static const char *
dsm_impl_call_name(int impl, bool create)
{
	switch (impl)
	{
		case DSM_IMPL_SYSV:
			return create ? "could not create shared memory segment \"%s\": %m" :
				"could not map shared memory segment \"%s\": %m";
		default:
			return create ? "could not open shared memory segment \"%s\": %m" :
				"could not map shared memory segment \"%s\": %m";
	}
}

/* ------------------------------------------------------------------------
 * Segments (workers and sessions)
 * ------------------------------------------------------------------------ */

static void
dsm_require_control(void)
{
	if (dsm_control == NULL || !IsUnderPostmaster)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynamic shared memory is not available in this process"),
				 errhint("A process must be a background worker or a session attached to shared memory.")));
}

/* Detach everything at process exit (before on_shmem_exit callbacks). */
static void
dsm_shutdown_hook(void)
{
	dsm_detach_all();
}

static void
dsm_register_exit(void)
{
	if (!dsm_exit_registered)
	{
		bgw_dsm_backend_shutdown_hook = dsm_shutdown_hook;
		dsm_exit_registered = true;
	}
}

static dsm_handle
dsm_random_handle(void)
{
	uint64		x;

	if (dsm_random_state == 0)
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		dsm_random_state = ((uint64) getpid() << 32) ^ (uint64) ts.tv_nsec ^
			(uint64) ts.tv_sec ^ 0x9e3779b97f4a7c15ULL;
	}
	/* xorshift64* */
	x = dsm_random_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	dsm_random_state = x;
	return (dsm_handle) ((x * 0x2545F4914F6CDD1DULL) >> 32);
}

static dsm_segment *
dsm_new_segment(dsm_handle h, int impl)
{
	dsm_segment *seg;

	seg = MemoryContextAllocZero(TopMemoryContext, sizeof(dsm_segment));
	seg->handle = h;
	seg->impl = impl;
	seg->sysv_id = -1;
	seg->resowner = CurrentResourceOwner;
	seg->next = dsm_mappings;
	if (dsm_mappings)
		dsm_mappings->prev = seg;
	dsm_mappings = seg;
	return seg;
}

static void
dsm_forget_segment(dsm_segment *seg)
{
	if (seg->prev)
		seg->prev->next = seg->next;
	else
		dsm_mappings = seg->next;
	if (seg->next)
		seg->next->prev = seg->prev;
	pfree(seg);
}

/* The item of handle h in use (refcnt > 1), or -1.  Caller holds mutex. */
static int
dsm_find_item(dsm_handle h)
{
	for (uint32 i = 0; i < dsm_control->maxitems; i++)
		if (dsm_control->item[i].refcnt > 1 && dsm_control->item[i].handle == h)
			return (int) i;
	return -1;
}

/*
 * Drop one reference to item i (caller does not hold the mutex).  The
 * process that drops the last one destroys the segment.
 */
static void
dsm_release_item(int i)
{
	dsm_control_item *item = &dsm_control->item[i];
	bool		destroy;
	dsm_handle	h;
	int			impl;

	SpinLockAcquire(&dsm_control->mutex);
	Assert(item->refcnt > 1);
	destroy = (--item->refcnt == 1);
	h = item->handle;
	impl = item->impl;
	SpinLockRelease(&dsm_control->mutex);

	if (!destroy)
		return;
	if (dsm_impl_remove(impl, h) < 0 && errno != ENOENT)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not remove shared memory segment \"%u\": %m", h)));
	SpinLockAcquire(&dsm_control->mutex);
	item->refcnt = 0;
	SpinLockRelease(&dsm_control->mutex);
}

dsm_segment *
dsm_create(Size size, int flags)
{
	dsm_segment *seg;
	int			slot = -1;
	int			impl = dynamic_shared_memory_type;

	dsm_require_control();
	dsm_register_exit();
	if (size == 0)
		elog(ERROR, "cannot create a dynamic shared memory segment of size zero");

	for (int tries = 0;; tries++)
	{
		dsm_handle	h = dsm_random_handle();

		if (h == DSM_HANDLE_INVALID)
			continue;

		SpinLockAcquire(&dsm_control->mutex);
		if (slot >= 0)
			dsm_control->item[slot].refcnt = 0;
		slot = -1;
		if (dsm_find_item(h) < 0)
		{
			for (uint32 i = 0; i < dsm_control->maxitems; i++)
			{
				dsm_control_item *item = &dsm_control->item[i];

				if (item->refcnt != 0)
					continue;
				item->handle = h;
				item->refcnt = 2;	/* exists + attached by us */
				item->impl = impl;
				item->pinned = false;
				item->size = size;
				slot = (int) i;
				break;
			}
			if (slot < 0)
			{
				SpinLockRelease(&dsm_control->mutex);
				if ((flags & DSM_CREATE_NULL_IF_MAXSEGMENTS) != 0)
					return NULL;
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
						 errmsg("too many dynamic shared memory segments")));
			}
		}
		SpinLockRelease(&dsm_control->mutex);
		if (slot < 0)
			continue;			/* handle in use: try another */

		seg = dsm_new_segment(h, impl);
		if (dsm_impl_map(seg, true, size))
			return seg;
		if (errno == EEXIST && tries < 100)
		{
			/* a leftover of some other process: pick another name */
			dsm_forget_segment(seg);
			continue;
		}
		{
			int			save_errno = errno;
			char		name[64];

			dsm_forget_segment(seg);
			SpinLockAcquire(&dsm_control->mutex);
			dsm_control->item[slot].refcnt = 0;
			SpinLockRelease(&dsm_control->mutex);
			snprintf(name, sizeof(name), impl == DSM_IMPL_POSIX ? "/bgworker.%u" : "%u", h);
			errno = save_errno;
			if ((flags & DSM_CREATE_NULL_IF_MAXSEGMENTS) != 0 && errno == ENOSPC)
				return NULL;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg(dsm_impl_call_name(impl, true), name),
					 errhint("The segment needed %zu bytes.", size)));
		}
	}
}

dsm_segment *
dsm_attach(dsm_handle h)
{
	dsm_segment *seg;
	int			i;
	int			impl;

	dsm_require_control();
	dsm_register_exit();

	for (seg = dsm_mappings; seg != NULL; seg = seg->next)
		if (seg->handle == h)
			elog(ERROR, "can't attach the same segment more than once");

	SpinLockAcquire(&dsm_control->mutex);
	i = dsm_find_item(h);
	if (i >= 0)
		dsm_control->item[i].refcnt++;
	impl = i >= 0 ? dsm_control->item[i].impl : 0;
	SpinLockRelease(&dsm_control->mutex);
	if (i < 0)
		return NULL;

	seg = dsm_new_segment(h, impl);
	if (!dsm_impl_map(seg, false, 0))
	{
		int			save_errno = errno;
		char		name[64];

		dsm_forget_segment(seg);
		dsm_release_item(i);
		snprintf(name, sizeof(name), impl == DSM_IMPL_POSIX ? "/bgworker.%u" : "%u", h);
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg(dsm_impl_call_name(impl, false), name)));
	}
	return seg;
}

void
dsm_detach(dsm_segment *seg)
{
	int			i;

	/*
	 * Callbacks first, each removed before it runs, so that an ERROR in
	 * one neither runs it again nor skips the others for good.
	 */
	HOLD_INTERRUPTS();
	while (seg->callbacks != NULL)
	{
		dsm_detach_cb *cb = seg->callbacks;
		on_dsm_detach_callback function = cb->function;
		Datum		arg = cb->arg;

		seg->callbacks = cb->next;
		pfree(cb);
		function(seg, arg);
	}
	dsm_impl_unmap(seg);
	RESUME_INTERRUPTS();

	if (dsm_control != NULL)
	{
		SpinLockAcquire(&dsm_control->mutex);
		i = dsm_find_item(seg->handle);
		SpinLockRelease(&dsm_control->mutex);
		if (i >= 0)
			dsm_release_item(i);
	}
	dsm_forget_segment(seg);
}

void
dsm_detach_all(void)
{
	while (dsm_mappings != NULL)
		dsm_detach(dsm_mappings);
}

void
dsm_pin_mapping(dsm_segment *seg)
{
	seg->resowner = NULL;
}

void
dsm_unpin_mapping(dsm_segment *seg)
{
	Assert(seg->resowner == NULL);
	seg->resowner = CurrentResourceOwner;
}

void
dsm_pin_segment(dsm_segment *seg)
{
	int			i;

	dsm_require_control();
	SpinLockAcquire(&dsm_control->mutex);
	i = dsm_find_item(seg->handle);
	if (i >= 0 && dsm_control->item[i].pinned)
	{
		SpinLockRelease(&dsm_control->mutex);
		elog(ERROR, "cannot pin a segment that is already pinned");
	}
	if (i >= 0)
	{
		dsm_control->item[i].pinned = true;
		dsm_control->item[i].refcnt++;
	}
	SpinLockRelease(&dsm_control->mutex);
}

void
dsm_unpin_segment(dsm_handle handle)
{
	int			i;

	dsm_require_control();
	SpinLockAcquire(&dsm_control->mutex);
	i = dsm_find_item(handle);
	if (i < 0)
	{
		SpinLockRelease(&dsm_control->mutex);
		elog(ERROR, "cannot unpin unknown segment handle");
	}
	if (!dsm_control->item[i].pinned)
	{
		SpinLockRelease(&dsm_control->mutex);
		elog(ERROR, "cannot unpin a segment that is not pinned");
	}
	dsm_control->item[i].pinned = false;
	SpinLockRelease(&dsm_control->mutex);
	dsm_release_item(i);
}

dsm_segment *
dsm_find_mapping(dsm_handle handle)
{
	for (dsm_segment *seg = dsm_mappings; seg != NULL; seg = seg->next)
		if (seg->handle == handle)
			return seg;
	return NULL;
}

void *
dsm_segment_address(dsm_segment *seg)
{
	return seg->address;
}

Size
dsm_segment_map_length(dsm_segment *seg)
{
	return seg->mapped_size;
}

dsm_handle
dsm_segment_handle(dsm_segment *seg)
{
	return seg->handle;
}

void
on_dsm_detach(dsm_segment *seg, on_dsm_detach_callback function, Datum arg)
{
	dsm_detach_cb *cb = MemoryContextAlloc(TopMemoryContext, sizeof(dsm_detach_cb));

	cb->function = function;
	cb->arg = arg;
	cb->next = seg->callbacks;
	seg->callbacks = cb;
}

void
cancel_on_dsm_detach(dsm_segment *seg, on_dsm_detach_callback function,
					 Datum arg)
{
	for (dsm_detach_cb **p = &seg->callbacks; *p != NULL; p = &(*p)->next)
	{
		dsm_detach_cb *cb = *p;

		if (cb->function == function && cb->arg == arg)
		{
			*p = cb->next;
			pfree(cb);
			return;
		}
	}
}

/*
 * Forget every callback without running it (a child that inherited
 * mappings, in PostgreSQL; here for modules that call it).
 */
void
reset_on_dsm_detach(void)
{
	for (dsm_segment *seg = dsm_mappings; seg != NULL; seg = seg->next)
	{
		while (seg->callbacks != NULL)
		{
			dsm_detach_cb *cb = seg->callbacks;

			seg->callbacks = cb->next;
			pfree(cb);
		}
	}
}

/*
 * Release the mappings owned by owner (resowner.c).  On commit a mapping
 * still owned is a leak the caller should have detached: WARNING, as
 * PostgreSQL says it, then detached all the same.
 */
void
bgw_dsm_release_owner(ResourceOwner owner, bool isCommit)
{
	dsm_segment *seg = dsm_mappings;

	while (seg != NULL)
	{
		dsm_segment *next = seg->next;

		if (seg->resowner == owner)
		{
			if (isCommit)
				elog(WARNING, "resource was not closed: dynamic shared memory segment %u",
					 seg->handle);
			seg->resowner = NULL;
			dsm_detach(seg);
			/* the callbacks may have detached others: start again */
			next = dsm_mappings;
		}
		seg = next;
	}
}

/* ------------------------------------------------------------------------
 * Clean-up by the supervisor
 * ------------------------------------------------------------------------ */

/*
 * Remove every dynamic segment recorded in the main segment at base (size
 * bytes, attached at least read-only), and return how many were removed.
 * Supervisor only, when no process that could use them is left (crash
 * cycle, exit) or for the segment of a dead host.  Reads without the lock
 * and trusts nothing: offsets and counts are checked against size.
 */
int
bgw_dsm_cleanup_segment(const void *base, Size size)
{
	const volatile PGShmemHeader *hdr = (const volatile PGShmemHeader *) base;
	const volatile dsm_control_header *ctl;
	Size		off;
	uint32		n;
	int			removed = 0;

	if (base == NULL || size < sizeof(PGShmemHeader) ||
		!bgw_shmem_segment_is_ours(base, 0))
		return 0;
	off = hdr->dsm_control;
	if (off == 0 || off % sizeof(Size) != 0 ||
		off > size - offsetof(dsm_control_header, item))
		return 0;
	ctl = (const volatile dsm_control_header *) ((const char *) base + off);
	if (ctl->magic != DSM_CONTROL_MAGIC || ctl->self_offset != off)
		return 0;
	n = ctl->maxitems;
	if ((Size) n > (size - off - offsetof(dsm_control_header, item)) / sizeof(dsm_control_item))
		return 0;
	for (uint32 i = 0; i < n; i++)
	{
		uint32		refcnt = ctl->item[i].refcnt;
		int			impl = ctl->item[i].impl;
		dsm_handle	h = ctl->item[i].handle;

		if (refcnt == 0)
			continue;
		if (dsm_impl_remove(impl, h) == 0)
			removed++;
	}
	return removed;
}
