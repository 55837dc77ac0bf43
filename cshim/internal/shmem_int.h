/*-------------------------------------------------------------------------
 *
 * shmem_int.h
 *	  Internal declarations of the shmem area (shmem.c, lwlock.c, spin.c,
 *	  proc.c, pgstat.c): the layout of the segment header, the per-worker
 *	  BgwProc, the shared wait-event name table, and what the area needs
 *	  from other areas.  Not for modules.
 *
 *	  Segment layout, every part starting on a cache line:
 *
 *		BgwShmemHeader		magic, size, allocator state, offsets below
 *		ShmemIndexEnt[SHMEM_INDEX_SIZE]
 *		LWLockPadded[NUM_FIXED_LWLOCKS + named tranche locks]
 *		BgwProc[max_worker_processes + 1]	(last: the start-up child)
 *		BgwWaitEventTable
 *		free space: the fork area's slot array, module chunks, slack
 *
 *	  Offsets, not pointers, are kept in the header so that the supervisor
 *	  can validate everything it reads against the segment size.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMEM_INT_H
#define SHMEM_INT_H

#include "postgres.h"
#include "bgw_internal.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "storage/pg_shmem.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"

/* Bumped whenever the layout below changes. */
#define BGW_SHMEM_LAYOUT_VERSION	1

/* PostgreSQL adds this much to the computed size for safety. */
#define BGW_SHMEM_SLACK				(100 * 1024)

/* Module wait events: ids 1..127 (0 is the built-in "Extension"). */
#define BGW_WAIT_EVENT_EXTENSION_MAX	128

typedef struct BgwShmemHeader
{
	PGShmemHeader hdr;			/* magic, creator, totalsize, freeoffset */
	uint32		layout_version; /* BGW_SHMEM_LAYOUT_VERSION */
	slock_t		alloc_lock;		/* protects freeoffset and the index */
	int			index_size;		/* entries of the index */
	int			index_used;		/* entries in use */
	Size		index_offset;	/* ShmemIndexEnt[index_size] */
	int			num_lwlocks;	/* fixed + named tranche locks */
	Size		lwlocks_offset; /* LWLockPadded[num_lwlocks] */
	int			num_procs;		/* max_worker_processes + 1 */
	Size		procs_offset;	/* BgwProc[num_procs] */
	Size		wait_events_offset; /* BgwWaitEventTable */
	pg_atomic_uint32 next_tranche_id;	/* LWLockNewTrancheId */
} BgwShmemHeader;

/*
 * Per-worker process data.  Who writes what:
 *	 - the supervisor initialises the entry (bgw_shmem_init) and resets it
 *	   between two processes using the slot (bgw_proc_clear_active);
 *	 - the worker owning the slot writes pid, active, state, activity and
 *	   wait_event_info;
 *	 - any process may SetLatch the latch.
 * The supervisor reads state and activity without locks: the writer bumps
 * changecount to odd before writing and to even after (with barriers); a
 * reader copies, then retries if the count was odd or moved.
 */
struct BgwProc
{
	PGPROC		pgproc;			/* must be first: MyProc points here */
	pg_atomic_uint32 active;	/* dead-man switch: 1 while attached */
	pg_atomic_uint32 changecount;	/* seqlock for state/activity */
	int			state;			/* BackendState */
	char		activity[BGW_ACTIVITY_SIZE];	/* NUL-terminated */
};

/* Names of module wait events; see pgstat.c. */
typedef struct BgwWaitEventTable
{
	pg_atomic_uint32 count;		/* names[1..count-1] are published */
	char		names[BGW_WAIT_EVENT_EXTENSION_MAX][NAMEDATALEN];
} BgwWaitEventTable;

/* The current segment (process-local; inherited by fork). */
extern BgwShmemHeader *bgw_shmem_header;

/* Per-worker data: array and entry count (0 if no segment). */
extern BgwProc *bgw_proc_array;
extern int	bgw_proc_count;
extern BgwWaitEventTable *bgw_wait_event_table;

/* Sum of RequestAddinShmemSpace() requests. */
extern Size bgw_addin_request_total;

/* lwlock.c: locks needed for the named tranches requested so far. */
extern int	bgw_lwlock_named_count(void);

/* lwlock.c: initialise MainLWLockArray at base (supervisor, at layout). */
extern void bgw_lwlock_shmem_init(LWLockPadded *base);

/* proc.c: initialise the per-worker array (supervisor, at layout). */
extern void bgw_proc_shmem_init(void);

/* pgstat.c: empty the wait-event table (supervisor, at layout). */
extern void bgw_wait_event_shmem_init(void);

/*
 * proc.c: copy a slot's state, activity and wait event without locks;
 * false if the slot is out of range, there is no segment, or every try
 * saw a write in progress.  Supervisor.
 */
extern bool bgw_proc_status(int slot, char *activity, size_t actlen,
							int *state, uint32 *wait_event_info);

/*
 * pgstat.c: write type and event names of wait_event_info into the
 * buffers (bounded, always terminated).  Supervisor; no locks.
 */
extern void bgw_wait_event_describe(uint32 wait_event_info,
									char *type, size_t typelen,
									char *event, size_t eventlen);

/* True if base holds a laid-out segment of exactly size bytes. */
extern bool bgw_shmem_segment_is_ours(const void *base, Size size);

/* spin.c: sleeps before a spinlock is stuck (PANIC); tests lower it. */
extern int	bgw_spin_num_delays;

/* ---- from other areas ---- */

/* fork area: size of the worker slot array for max_worker_processes. */
extern Size bgw_bgworker_shmem_size(void);

/* latch area: point MyLatch at a fresh process-local latch. */
extern void bgw_latch_init_local(void);

#endif							/* SHMEM_INT_H */
