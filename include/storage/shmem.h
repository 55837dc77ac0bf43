/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  The shared memory allocator for bgworker modules (PostgreSQL 17 API).
 *
 *	  The supervisor creates one System V segment sized from the runtime's
 *	  needs plus every RequestAddinShmemSpace() made in shmem_request_hook.
 *	  Every process is a fork of the supervisor, so the segment is mapped
 *	  at the same address everywhere and pointers into it are valid in
 *	  every process.  Memory taken from it is never freed; the whole segment
 *	  is recreated after a crash.
 *
 *	  Usual pattern, in shmem_startup_hook:
 *
 *		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
 *		state = ShmemInitStruct("my module", sizeof(MyState), &found);
 *		if (!found)
 *			... initialise *state ...
 *		LWLockRelease(AddinShmemInitLock);
 *
 *	  Absent: ShmemInitHash (bgworker has no dynahash); use ShmemInitStruct
 *	  with your own table.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMEM_H
#define SHMEM_H

#include "c.h"

/*
 * Allocate size bytes (rounded up to a cache line) from the segment.
 * ShmemAlloc ERRORs `out of shared memory (%zu bytes requested)`;
 * ShmemAllocNoError returns NULL instead.
 */
extern void *ShmemAlloc(Size size);
extern void *ShmemAllocNoError(Size size);

/* True if addr points into the current segment. */
extern bool ShmemAddrIsValid(const void *addr);

/*
 * Find or create the chunk called name (at most SHMEM_INDEX_KEYSIZE - 1
 * bytes are significant).  *foundPtr is false when the chunk was just
 * created and must be initialised by the caller.  ERRORs on a size
 * mismatch with an existing chunk, when the segment is full, and when the
 * index is full.
 */
extern void *ShmemInitStruct(const char *name, Size size, bool *foundPtr);

/* Size arithmetic that ERRORs on overflow instead of wrapping. */
extern Size add_size(Size s1, Size s2);
extern Size mul_size(Size s1, Size s2);

/*
 * Reserve size more bytes in the segment; only inside shmem_request_hook
 * (FATAL otherwise).
 */
extern void RequestAddinShmemSpace(Size size);

/* Maximum length of a ShmemInitStruct name, including the terminator. */
#define SHMEM_INDEX_KEYSIZE		 (48)
/* Number of entries of the index (a hard limit in bgworker). */
#define SHMEM_INDEX_SIZE		 (512)

/* One entry of the index, as PostgreSQL's ShmemIndexEnt. */
typedef struct
{
	char		key[SHMEM_INDEX_KEYSIZE];	/* name; empty = unused */
	void	   *location;		/* start of the chunk in the segment */
	Size		size;			/* requested size */
	Size		allocated_size; /* size actually taken (aligned) */
} ShmemIndexEnt;

#endif							/* SHMEM_H */
