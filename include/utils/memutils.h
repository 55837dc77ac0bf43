/*-------------------------------------------------------------------------
 *
 * memutils.h
 *	  The memory-context API beyond palloc.h: the standard contexts,
 *	  creating, resetting and deleting contexts, the size limits and the
 *	  statistics.  PostgreSQL 17 names and semantics; implementation in
 *	  cshim/mmgr/mcxt.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MEMUTILS_H
#define MEMUTILS_H

#include "nodes/memnodes.h"

/*
 * The largest ordinary request (1 GB - 1): a larger size is an ERROR
 * unless MCXT_ALLOC_HUGE is given, which allows up to MaxAllocHugeSize.
 */
#define MaxAllocSize	((Size) 0x3fffffff)
#define AllocSizeIsValid(size)	((Size) (size) <= MaxAllocSize)

#define MaxAllocHugeSize	(SIZE_MAX / 2)
#define InvalidAllocSize	SIZE_MAX
#define AllocHugeSizeIsValid(size)	((Size) (size) <= MaxAllocHugeSize)

/*
 * The standard contexts.  TopMemoryContext lives as long as the process;
 * ErrorContext holds the data of the error being reported and keeps
 * reserve space so that "out of memory" can still be reported.  The
 * others exist for source compatibility; bgworker has no transactions or
 * portals, so they are children of TopMemoryContext that nobody resets
 * for you.
 */
extern PGDLLIMPORT MemoryContext TopMemoryContext;
extern PGDLLIMPORT MemoryContext ErrorContext;
extern PGDLLIMPORT MemoryContext PostmasterContext;
extern PGDLLIMPORT MemoryContext CacheMemoryContext;
extern PGDLLIMPORT MemoryContext MessageContext;
extern PGDLLIMPORT MemoryContext TopTransactionContext;
extern PGDLLIMPORT MemoryContext CurTransactionContext;
extern PGDLLIMPORT MemoryContext PortalContext;

/* Set up TopMemoryContext and ErrorContext; idempotent. */
extern void MemoryContextInit(void);
extern void MemoryContextReset(MemoryContext context);
extern void MemoryContextDelete(MemoryContext context);
extern void MemoryContextResetOnly(MemoryContext context);
extern void MemoryContextResetChildren(MemoryContext context);
extern void MemoryContextDeleteChildren(MemoryContext context);
extern void MemoryContextSetIdentifier(MemoryContext context, const char *id);
extern void MemoryContextSetParent(MemoryContext context,
								   MemoryContext new_parent);
extern MemoryContext GetMemoryChunkContext(void *pointer);
extern Size GetMemoryChunkSpace(void *pointer);
extern MemoryContext MemoryContextGetParent(MemoryContext context);
extern bool MemoryContextIsEmpty(MemoryContext context);
extern Size MemoryContextMemAllocated(MemoryContext context, bool recurse);
extern void MemoryContextMemConsumed(MemoryContext context,
									 MemoryContextCounters *consumed);
extern void MemoryContextStats(MemoryContext context);
extern void MemoryContextStatsDetail(MemoryContext context,
									 int max_level, int max_children,
									 bool print_to_stderr);
extern void MemoryContextAllowInCriticalSection(MemoryContext context,
												bool allow);
extern bool MemoryContextContains(MemoryContext context, void *pointer);

/* Allocation-failure report used by the allocators. */
extern void MemoryContextSizeFailure(MemoryContext context, Size size, int flags) pg_attribute_noreturn();
extern void MemoryContextOOM(MemoryContext context, Size size) pg_attribute_noreturn();

/*
 * Create an AllocSet context: a pool that takes memory from malloc in
 * blocks starting at initBlockSize and doubling up to maxBlockSize, and
 * keeps at least minContextSize of it across resets.  name must be a
 * string constant (it is not copied): the macro checks that at compile
 * time, as PostgreSQL's does.
 */
extern MemoryContext AllocSetContextCreateInternal(MemoryContext parent,
												   const char *name,
												   Size minContextSize,
												   Size initBlockSize,
												   Size maxBlockSize);

#define AllocSetContextCreate(parent, name, ...) \
	(StaticAssertExpr(__builtin_constant_p(name), \
					  "memory context names must be constant strings"), \
	 AllocSetContextCreateInternal(parent, name, __VA_ARGS__))

/* The other context kinds map onto AllocSet here. */
extern MemoryContext SlabContextCreate(MemoryContext parent, const char *name,
									   Size blockSize, Size chunkSize);
extern MemoryContext GenerationContextCreate(MemoryContext parent,
											 const char *name,
											 Size minContextSize,
											 Size initBlockSize,
											 Size maxBlockSize);
extern MemoryContext BumpContextCreate(MemoryContext parent, const char *name,
									   Size minContextSize, Size initBlockSize,
									   Size maxBlockSize);

/* Size presets for AllocSetContextCreate (PostgreSQL's values). */
#define ALLOCSET_DEFAULT_MINSIZE   0
#define ALLOCSET_DEFAULT_INITSIZE  (8 * 1024)
#define ALLOCSET_DEFAULT_MAXSIZE   (8 * 1024 * 1024)
#define ALLOCSET_DEFAULT_SIZES \
	ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE

#define ALLOCSET_SMALL_MINSIZE	 0
#define ALLOCSET_SMALL_INITSIZE  (1 * 1024)
#define ALLOCSET_SMALL_MAXSIZE	 (8 * 1024)
#define ALLOCSET_SMALL_SIZES \
	ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE, ALLOCSET_SMALL_MAXSIZE

#define ALLOCSET_START_SMALL_SIZES \
	ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE

/* Requests above this get a malloc block of their own. */
#define ALLOCSET_SEPARATE_THRESHOLD  8192

#define SLAB_DEFAULT_BLOCK_SIZE		(8 * 1024)
#define SLAB_LARGE_BLOCK_SIZE		(8 * 1024 * 1024)

#endif							/* MEMUTILS_H */
