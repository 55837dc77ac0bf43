/*-------------------------------------------------------------------------
 *
 * dsm_registry.c
 *	  Named dynamic shared memory segments (storage/dsm_registry.h,
 *	  GetNamedDSMSegment): a table in the main segment maps a module's
 *	  name to the handle and size of a pinned dsm segment.
 *
 *	  Who runs what:
 *	    bgw_dsm_registry_shmem_size/init   supervisor, laying out the main
 *	                                       segment (after the dsm control
 *	                                       area)
 *	    GetNamedDSMSegment                 workers and sessions (C only)
 *
 *	  PostgreSQL keeps its registry in a dshash table in a dsa area; here
 *	  it is a fixed table of DSM_REGISTRY_ENTRIES names in the main
 *	  segment, searched linearly under DSMRegistryLock (taken shared to
 *	  look a name up and attach, exclusive to create, through
 *	  init_callback).  The creator reserves an entry, then makes,
 *	  initialises and pins the segment; an ERROR on the way frees the
 *	  entry again and the segment, not yet pinned, goes with the creator's
 *	  detach, so the next caller tries afresh.  An init_callback may ask
 *	  for other names (the nested call finds the lock held by its own
 *	  process and neither takes nor releases it), not for its own.  The
 *	  segments themselves are ordinary dsm segments, recorded
 *	  in the dsm control area like any other, so the supervisor removes
 *	  them at a crash cycle, at shutdown and at the next start after a
 *	  killed host; the table is rebuilt empty with the main segment.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bgw_internal.h"
#include "miscadmin.h"
#include "storage/dsm.h"
#include "storage/dsm_registry.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"

/* Names the registry holds; each also keeps one dsm control item. */
#define DSM_REGISTRY_ENTRIES	256

/*
 * The handle of an entry whose segment is being made, by the process that
 * holds DSMRegistryLock exclusively: only that process can see it (from a
 * nested call in its init_callback).  Any value but DSM_HANDLE_INVALID
 * would do; real handles are never compared with it.
 */
#define DSM_REGISTRY_RESERVED	((dsm_handle) 0xffffffff)

typedef struct DSMRegistryEntry
{
	char		name[NAMEDATALEN];	/* "" = free */
	dsm_handle	handle;			/* the pinned segment; invalid = free,
								 * DSM_REGISTRY_RESERVED = being made */
	Size		size;			/* its size as first requested */
} DSMRegistryEntry;

typedef struct DSMRegistryTable
{
	int			nentries;		/* DSM_REGISTRY_ENTRIES */
	int			used;			/* entries [0, used) were ever taken */
	DSMRegistryEntry entry[FLEXIBLE_ARRAY_MEMBER];
} DSMRegistryTable;

static DSMRegistryTable *dsm_registry = NULL;	/* in the main segment */

Size
bgw_dsm_registry_shmem_size(void)
{
	return add_size(offsetof(DSMRegistryTable, entry),
					mul_size(DSM_REGISTRY_ENTRIES, sizeof(DSMRegistryEntry)));
}

/* Allocate the empty table in a fresh main segment (supervisor). */
void
bgw_dsm_registry_shmem_init(void)
{
	DSMRegistryTable *t = ShmemAlloc(bgw_dsm_registry_shmem_size());

	memset(t, 0, bgw_dsm_registry_shmem_size());
	t->nentries = DSM_REGISTRY_ENTRIES;
	dsm_registry = t;
}

/* The main segment was forgotten (crash cycle, detached worker). */
void
bgw_dsm_registry_forget(void)
{
	dsm_registry = NULL;
}

/* The entry named name, or NULL.  Caller holds DSMRegistryLock. */
static DSMRegistryEntry *
registry_find(const char *name)
{
	for (int i = 0; i < dsm_registry->used; i++)
		if (strcmp(dsm_registry->entry[i].name, name) == 0)
			return &dsm_registry->entry[i];
	return NULL;
}

/*
 * The address of the existing segment h in this process, attaching it
 * (mapping pinned to the process) if this process has not yet.
 */
static void *
registry_attach(dsm_handle h)
{
	dsm_segment *seg = dsm_find_mapping(h);

	if (seg == NULL)
	{
		seg = dsm_attach(h);
		if (seg == NULL)
			elog(ERROR, "could not map dynamic shared memory segment");
		dsm_pin_mapping(seg);
	}
	return dsm_segment_address(seg);
}

void *
GetNamedDSMSegment(const char *name, size_t size,
				   void (*init_callback) (void *ptr), bool *found)
{
	MemoryContext oldcontext;
	DSMRegistryEntry *volatile entry;
	dsm_segment *volatile seg = NULL;
	void	   *volatile ret = NULL;
	bool		nested;

	if (name == NULL || *name == '\0')
		ereport(ERROR,
				(errmsg("DSM segment name cannot be empty")));
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errmsg("DSM segment name too long")));
	if (size == 0)
		ereport(ERROR,
				(errmsg("DSM segment size must be nonzero")));
	if (found == NULL)
		elog(ERROR, "GetNamedDSMSegment called without a found flag");
	if (dsm_registry == NULL || !IsUnderPostmaster)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynamic shared memory is not available in this process"),
				 errhint("A process must be a background worker or a session attached to shared memory.")));

	/*
	 * An init_callback may itself ask for a named segment: it runs with the
	 * lock held exclusively, so such a nested call neither takes nor
	 * releases it.
	 */
	nested = LWLockHeldByMeInMode(DSMRegistryLock, LW_EXCLUSIVE);

	/* the process-local bookkeeping of the mapping must outlive the call */
	oldcontext = MemoryContextSwitchTo(TopMemoryContext);

	/* the common case: the name exists, a shared lock will do */
	if (!nested)
	{
		LWLockAcquire(DSMRegistryLock, LW_SHARED);
		entry = registry_find(name);
		if (entry != NULL && entry->size == size)
		{
			ret = registry_attach(entry->handle);
			LWLockRelease(DSMRegistryLock);
			MemoryContextSwitchTo(oldcontext);
			*found = true;
			return ret;
		}
		LWLockRelease(DSMRegistryLock);
		LWLockAcquire(DSMRegistryLock, LW_EXCLUSIVE);
	}

	entry = registry_find(name);
	if (entry != NULL && entry->handle == DSM_REGISTRY_RESERVED)
		elog(ERROR, "DSM segment \"%s\" requested by its own init_callback", name);
	if (entry != NULL)
	{
		if (entry->size != size)
		{
			if (!nested)
				LWLockRelease(DSMRegistryLock);
			ereport(ERROR,
					(errmsg("requested DSM segment size does not match size of existing segment")));
		}
		ret = registry_attach(entry->handle);
		if (!nested)
			LWLockRelease(DSMRegistryLock);
		MemoryContextSwitchTo(oldcontext);
		*found = true;
		return ret;
	}

	/* Reserve an entry: a hole left by a failed init, or the next one. */
	entry = NULL;
	for (int i = 0; i < dsm_registry->used && entry == NULL; i++)
		if (dsm_registry->entry[i].name[0] == '\0' &&
			dsm_registry->entry[i].handle == DSM_HANDLE_INVALID)
			entry = &dsm_registry->entry[i];
	if (entry == NULL && dsm_registry->used < dsm_registry->nentries)
		entry = &dsm_registry->entry[dsm_registry->used++];
	if (entry == NULL)
	{
		if (!nested)
			LWLockRelease(DSMRegistryLock);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("too many named DSM segments"),
				 errdetail("The registry holds at most %d names.", dsm_registry->nentries)));
	}
	entry->handle = DSM_REGISTRY_RESERVED;
	entry->size = size;
	strlcpy(entry->name, name, sizeof(entry->name));

	PG_TRY();
	{
		seg = dsm_create(size, 0);
		ret = dsm_segment_address(seg);
		if (init_callback != NULL)
			init_callback(ret);
	}
	PG_CATCH();
	{
		/* not pinned yet: the segment goes with this detach */
		if (seg != NULL)
			dsm_detach(seg);
		entry->name[0] = '\0';
		entry->handle = DSM_HANDLE_INVALID;
		if (!nested && LWLockHeldByMe(DSMRegistryLock))
			LWLockRelease(DSMRegistryLock);
		PG_RE_THROW();
	}
	PG_END_TRY();
	dsm_pin_segment(seg);
	dsm_pin_mapping(seg);

	entry->handle = dsm_segment_handle(seg);
	if (!nested)
		LWLockRelease(DSMRegistryLock);

	MemoryContextSwitchTo(oldcontext);
	*found = false;
	return ret;
}
