/*-------------------------------------------------------------------------
 *
 * mcxt.c
 *	  Memory contexts: the palloc family and an AllocSet-like context.
 *
 *	  A context takes memory from malloc in blocks.  Small requests are
 *	  rounded up to a power of two (8 bytes .. allocChunkLimit) and carved
 *	  from the current block; freed small chunks go on a per-size free
 *	  list of the context and are reused.  Larger requests get a block of
 *	  their own, returned to malloc by pfree.  Every chunk is preceded by a
 *	  header that points to its block, and every block to its context, so
 *	  pfree/repalloc/GetMemoryChunkContext find the owner from the pointer
 *	  alone.  Each context keeps one "keeper" block across resets so that
 *	  a busy context does not go back to malloc after every reset, and so
 *	  that ErrorContext always has room to report "out of memory".
 *
 *	  Under AddressSanitizer, free chunks and unused block space are
 *	  poisoned, so a use after pfree or reset is reported.
 *
 *	  Contexts are process-local and not thread-safe: in the supervisor
 *	  only the postmaster thread uses them; a forked child inherits the
 *	  parent's contexts (copy-on-write) and bgw_elog_child_init() gives it
 *	  a fresh ErrorContext.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(addr, size)		ASAN_POISON_MEMORY_REGION((addr), (size))
#define UNPOISON(addr, size)	ASAN_UNPOISON_MEMORY_REGION((addr), (size))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define POISON(addr, size)		ASAN_POISON_MEMORY_REGION((addr), (size))
#define UNPOISON(addr, size)	ASAN_UNPOISON_MEMORY_REGION((addr), (size))
#endif
#endif
#ifndef POISON
#define POISON(addr, size)		((void) 0)
#define UNPOISON(addr, size)	((void) 0)
#endif

/* ---- the standard contexts ---- */
MemoryContext CurrentMemoryContext = NULL;
MemoryContext TopMemoryContext = NULL;
MemoryContext ErrorContext = NULL;
MemoryContext PostmasterContext = NULL;
MemoryContext CacheMemoryContext = NULL;
MemoryContext MessageContext = NULL;
MemoryContext TopTransactionContext = NULL;
MemoryContext CurTransactionContext = NULL;
MemoryContext PortalContext = NULL;

/* ---- AllocSet layout ---- */
#define ALLOC_MINBITS		3	/* smallest chunk is 8 bytes */
#define ALLOCSET_NUM_FREELISTS	11	/* 8 .. 8192 bytes */
#define ALLOC_CHUNK_LIMIT	(1 << (ALLOCSET_NUM_FREELISTS - 1 + ALLOC_MINBITS))
#define BLOCK_MAGIC			0x0B10C4A9u
#define CHUNK_FREE			0xFFFFFFFFu

typedef struct AllocSetContext AllocSetContext;

/* One malloc'd block; chunks follow the header. */
typedef struct AllocBlockData
{
	AllocSetContext *set;		/* owning context */
	struct AllocBlockData *prev;	/* neighbours in the context's list */
	struct AllocBlockData *next;
	char	   *freeptr;		/* start of the unused tail */
	char	   *endptr;			/* end of the block */
	uint32		magic;			/* BLOCK_MAGIC while the block is alive */
	bool		single;			/* holds one large chunk */
} AllocBlockData;
typedef AllocBlockData *AllocBlock;

#define BLOCKHDRSZ	MAXALIGN(sizeof(AllocBlockData))

/*
 * The header in front of every chunk.  size is the usable size (the
 * power of two for small chunks); fidx is the free-list index, or
 * CHUNK_FREE while the chunk sits on a free list (so that a double pfree
 * is caught); nextfree links the free list.  The header itself is never
 * poisoned, only the chunk body.
 */
typedef struct AllocChunkData
{
	AllocBlock	block;			/* owning block */
	struct AllocChunkData *nextfree;	/* next free chunk of this size */
	uint32		size;			/* usable size; 0 for single-chunk blocks */
	uint32		fidx;			/* free-list index, or CHUNK_FREE */
} AllocChunkData;
typedef AllocChunkData *AllocChunk;

#define CHUNKHDRSZ	MAXALIGN(sizeof(AllocChunkData))
#define ChunkToPointer(c)	((void *) (((char *) (c)) + CHUNKHDRSZ))
#define PointerToChunk(p)	((AllocChunk) (((char *) (p)) - CHUNKHDRSZ))

struct AllocSetContext
{
	MemoryContextData header;	/* common part, must be first */
	AllocBlock	blocks;			/* all blocks, newest first */
	AllocBlock	keeper;			/* block kept across resets */
	AllocChunk	freelist[ALLOCSET_NUM_FREELISTS];	/* free small chunks */
	Size		initBlockSize;	/* first block size */
	Size		maxBlockSize;	/* block size ceiling */
	Size		nextBlockSize;	/* size of the next small-chunk block */
	Size		allocChunkLimit;	/* larger requests get their own block */
};

static void *AllocSetAlloc(MemoryContext context, Size size, int flags);
static void AllocSetFree(void *pointer);
static void *AllocSetRealloc(void *pointer, Size size, int flags);
static void AllocSetReset(MemoryContext context);
static void AllocSetDelete(MemoryContext context);
static MemoryContext AllocSetGetChunkContext(void *pointer);
static Size AllocSetGetChunkSpace(void *pointer);
static bool AllocSetIsEmpty(MemoryContext context);
static void AllocSetStats(MemoryContext context, MemoryStatsPrintFunc printfunc,
						  void *passthru, MemoryContextCounters *totals,
						  bool print_to_stderr);

static const MemoryContextMethods AllocSetMethods = {
	.alloc = AllocSetAlloc,
	.free_p = AllocSetFree,
	.realloc = AllocSetRealloc,
	.reset = AllocSetReset,
	.delete_context = AllocSetDelete,
	.get_chunk_context = AllocSetGetChunkContext,
	.get_chunk_space = AllocSetGetChunkSpace,
	.is_empty = AllocSetIsEmpty,
	.stats = AllocSetStats,
};

/* Free-list index of a small request: ceil(log2(size)) - ALLOC_MINBITS. */
static inline int
AllocSetFreeIndex(Size size)
{
	if (size <= (1 << ALLOC_MINBITS))
		return 0;
	return (int) (64 - __builtin_clzl((unsigned long) (size - 1))) - ALLOC_MINBITS;
}

/*
 * Look up the chunk header of a pointer handed to pfree/repalloc, and
 * fail loudly (not with memory corruption) when it is not one of ours.
 */
static AllocChunk
ChunkFromPointer(void *pointer, const char *caller)
{
	AllocChunk	chunk;

	if (pointer == NULL)
		elog(ERROR, "%s called with a NULL pointer", caller);
	chunk = PointerToChunk(pointer);
	if (chunk->fidx == CHUNK_FREE)
		elog(PANIC, "%s called with pointer %p that was already freed",
			 caller, pointer);
	if (chunk->block == NULL || chunk->block->magic != BLOCK_MAGIC)
		elog(PANIC, "%s called with invalid pointer %p", caller, pointer);
	return chunk;
}

static AllocBlock
AllocBlockNew(AllocSetContext *set, Size blksize, bool single)
{
	AllocBlock	block = malloc(blksize);

	if (block == NULL)
		return NULL;
	block->set = set;
	block->freeptr = ((char *) block) + BLOCKHDRSZ;
	block->endptr = ((char *) block) + blksize;
	block->magic = BLOCK_MAGIC;
	block->single = single;
	block->prev = NULL;
	block->next = set->blocks;
	if (set->blocks)
		set->blocks->prev = block;
	set->blocks = block;
	set->header.mem_allocated += blksize;
	POISON(block->freeptr, block->endptr - block->freeptr);
	return block;
}

static void
AllocBlockRelease(AllocSetContext *set, AllocBlock block)
{
	if (block->prev)
		block->prev->next = block->next;
	else
		set->blocks = block->next;
	if (block->next)
		block->next->prev = block->prev;
	set->header.mem_allocated -= block->endptr - (char *) block;
	UNPOISON(block, block->endptr - (char *) block);
	block->magic = 0;
	free(block);
}

/* Carve a chunk of the free-list size fidx from the newest small block. */
static void *
AllocSetCarve(AllocSetContext *set, AllocBlock block, int fidx)
{
	Size		csize = (Size) 1 << (fidx + ALLOC_MINBITS);
	AllocChunk	chunk = (AllocChunk) block->freeptr;

	UNPOISON(chunk, CHUNKHDRSZ + csize);
	block->freeptr += CHUNKHDRSZ + csize;
	chunk->block = block;
	chunk->nextfree = NULL;
	chunk->size = (uint32) csize;
	chunk->fidx = (uint32) fidx;
	return ChunkToPointer(chunk);
}

static void *
AllocSetAlloc(MemoryContext context, Size size, int flags)
{
	AllocSetContext *set = (AllocSetContext *) context;
	AllocBlock	block;
	AllocChunk	chunk;
	int			fidx;
	Size		csize;

	if (size > set->allocChunkLimit)
	{
		Size		blksize = BLOCKHDRSZ + CHUNKHDRSZ + MAXALIGN(size);

		block = AllocBlockNew(set, blksize, true);
		if (block == NULL)
			return NULL;
		/* keep single-chunk blocks behind the active small block */
		if (block->next && !block->next->single)
		{
			AllocBlock	active = block->next;

			set->blocks = active;
			active->prev = NULL;
			block->next = active->next;
			if (active->next)
				active->next->prev = block;
			active->next = block;
			block->prev = active;
		}
		chunk = (AllocChunk) block->freeptr;
		UNPOISON(chunk, CHUNKHDRSZ + MAXALIGN(size));
		block->freeptr = block->endptr;
		chunk->block = block;
		chunk->nextfree = NULL;
		chunk->size = 0;
		chunk->fidx = 0;
		return ChunkToPointer(chunk);
	}

	fidx = AllocSetFreeIndex(size);
	chunk = set->freelist[fidx];
	if (chunk != NULL)
	{
		set->freelist[fidx] = chunk->nextfree;
		chunk->nextfree = NULL;
		chunk->fidx = (uint32) fidx;
		UNPOISON(ChunkToPointer(chunk), chunk->size);
		return ChunkToPointer(chunk);
	}

	csize = (Size) 1 << (fidx + ALLOC_MINBITS);
	block = set->blocks;
	if (block != NULL && !block->single &&
		(Size) (block->endptr - block->freeptr) >= CHUNKHDRSZ + csize)
		return AllocSetCarve(set, block, fidx);

	/*
	 * The active block is full.  Put what is left of it on the free lists
	 * (largest pieces first) so it is not wasted, then start a new block.
	 */
	if (block != NULL && !block->single)
	{
		while ((Size) (block->endptr - block->freeptr) >= CHUNKHDRSZ + (1 << ALLOC_MINBITS))
		{
			Size		avail = block->endptr - block->freeptr - CHUNKHDRSZ;
			int			a_fidx = AllocSetFreeIndex(avail);
			void	   *p;

			if (((Size) 1 << (a_fidx + ALLOC_MINBITS)) > avail)
				a_fidx--;
			p = AllocSetCarve(set, block, a_fidx);
			AllocSetFree(p);
		}
	}

	{
		Size		blksize = set->nextBlockSize;
		Size		required = BLOCKHDRSZ + CHUNKHDRSZ + csize;

		set->nextBlockSize = Min(set->nextBlockSize * 2, set->maxBlockSize);
		while (blksize < required)
			blksize <<= 1;
		block = AllocBlockNew(set, blksize, false);
		if (block == NULL)
			return NULL;
	}
	return AllocSetCarve(set, block, fidx);
}

static void
AllocSetFree(void *pointer)
{
	AllocChunk	chunk = ChunkFromPointer(pointer, "pfree");
	AllocBlock	block = chunk->block;
	AllocSetContext *set = block->set;

	if (block->single)
	{
		AllocBlockRelease(set, block);
		return;
	}
	chunk->nextfree = set->freelist[chunk->fidx];
	set->freelist[chunk->fidx] = chunk;
	chunk->fidx = CHUNK_FREE;
	POISON(pointer, chunk->size);
}

static void *
AllocSetRealloc(void *pointer, Size size, int flags)
{
	AllocChunk	chunk = ChunkFromPointer(pointer, "repalloc");
	AllocBlock	block = chunk->block;
	AllocSetContext *set = block->set;
	Size		oldsize;
	void	   *newp;

	if (block->single)
		oldsize = block->endptr - (char *) ChunkToPointer(chunk);
	else
		oldsize = chunk->size;

	/* a small chunk that is big enough stays where it is */
	if (!block->single && size <= oldsize)
		return pointer;

	if (block->single && size > set->allocChunkLimit)
	{
		/* grow or shrink the dedicated block with realloc */
		Size		blksize = BLOCKHDRSZ + CHUNKHDRSZ + MAXALIGN(size);
		Size		oldblksize = block->endptr - (char *) block;
		AllocBlock	prev = block->prev,
					next = block->next;
		AllocBlock	nb;

		nb = realloc(block, blksize);
		if (nb == NULL)
			return NULL;
		set->header.mem_allocated += blksize - oldblksize;
		nb->endptr = ((char *) nb) + blksize;
		nb->freeptr = nb->endptr;
		if (prev)
			prev->next = nb;
		else
			set->blocks = nb;
		if (next)
			next->prev = nb;
		chunk = (AllocChunk) (((char *) nb) + BLOCKHDRSZ);
		chunk->block = nb;
		return ChunkToPointer(chunk);
	}

	newp = AllocSetAlloc(&set->header, size, flags);
	if (newp == NULL)
		return NULL;
	memcpy(newp, pointer, Min(oldsize, size));
	AllocSetFree(pointer);
	return newp;
}

static void
AllocSetReset(MemoryContext context)
{
	AllocSetContext *set = (AllocSetContext *) context;
	AllocBlock	block = set->blocks;

	while (block != NULL)
	{
		AllocBlock	next = block->next;

		if (block != set->keeper)
			AllocBlockRelease(set, block);
		block = next;
	}
	memset(set->freelist, 0, sizeof(set->freelist));
	set->nextBlockSize = set->initBlockSize;
	if (set->keeper)
	{
		AllocBlock	k = set->keeper;

		UNPOISON(k, BLOCKHDRSZ);
		k->freeptr = ((char *) k) + BLOCKHDRSZ;
		k->prev = k->next = NULL;
		set->blocks = k;
		POISON(k->freeptr, k->endptr - k->freeptr);
	}
}

static void
AllocSetDelete(MemoryContext context)
{
	AllocSetContext *set = (AllocSetContext *) context;

	set->keeper = NULL;
	AllocSetReset(context);
	free(set);
}

static MemoryContext
AllocSetGetChunkContext(void *pointer)
{
	AllocChunk	chunk = ChunkFromPointer(pointer, "GetMemoryChunkContext");

	return &chunk->block->set->header;
}

static Size
AllocSetGetChunkSpace(void *pointer)
{
	AllocChunk	chunk = ChunkFromPointer(pointer, "GetMemoryChunkSpace");

	if (chunk->block->single)
		return chunk->block->endptr - (char *) chunk;
	return chunk->size + CHUNKHDRSZ;
}

static bool
AllocSetIsEmpty(MemoryContext context)
{
	return context->isReset;
}

static void
AllocSetStats(MemoryContext context, MemoryStatsPrintFunc printfunc,
			  void *passthru, MemoryContextCounters *totals,
			  bool print_to_stderr)
{
	AllocSetContext *set = (AllocSetContext *) context;
	Size		nblocks = 0,
				freechunks = 0,
				totalspace = 0,
				freespace = 0;

	for (AllocBlock b = set->blocks; b != NULL; b = b->next)
	{
		nblocks++;
		totalspace += b->endptr - (char *) b;
		freespace += b->endptr - b->freeptr;
	}
	for (int i = 0; i < ALLOCSET_NUM_FREELISTS; i++)
	{
		for (AllocChunk c = set->freelist[i]; c != NULL; c = c->nextfree)
		{
			freechunks++;
			freespace += CHUNKHDRSZ + ((Size) 1 << (i + ALLOC_MINBITS));
		}
	}
	if (printfunc)
	{
		char		stats[200];

		snprintf(stats, sizeof(stats),
				 "%zu total in %zu blocks; %zu free (%zu chunks); %zu used",
				 totalspace, nblocks, freespace, freechunks,
				 totalspace - freespace);
		printfunc(context, passthru, stats, print_to_stderr);
	}
	if (totals)
	{
		totals->nblocks += nblocks;
		totals->freechunks += freechunks;
		totals->totalspace += totalspace;
		totals->freespace += freespace;
	}
}

/* ---- creating contexts ---- */

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name,
							  Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	AllocSetContext *set;
	MemoryContext context;
	Size		keepsize;

	if (initBlockSize < 1024 || maxBlockSize < initBlockSize ||
		initBlockSize != MAXALIGN(initBlockSize) ||
		maxBlockSize != MAXALIGN(maxBlockSize) ||
		maxBlockSize > MaxAllocHugeSize / 2)
		elog(ERROR, "invalid block sizes for memory context \"%s\": min %zu, init %zu, max %zu",
			 name ? name : "", minContextSize, initBlockSize, maxBlockSize);

	set = calloc(1, sizeof(AllocSetContext));
	if (set == NULL)
	{
		if (TopMemoryContext)
			MemoryContextStats(TopMemoryContext);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed while creating memory context \"%s\".",
						   name)));
	}
	context = &set->header;
	context->type = T_AllocSetContext;
	context->isReset = true;
	context->methods = &AllocSetMethods;
	context->name = name;
	set->initBlockSize = initBlockSize;
	set->maxBlockSize = maxBlockSize;
	set->nextBlockSize = initBlockSize;

	/*
	 * Chunks larger than an eighth of the largest block get their own
	 * block, so that a block is never mostly wasted by one big chunk.
	 */
	set->allocChunkLimit = ALLOC_CHUNK_LIMIT;
	while ((Size) (set->allocChunkLimit + CHUNKHDRSZ) >
		   (Size) ((maxBlockSize - BLOCKHDRSZ) / 4))
		set->allocChunkLimit >>= 1;

	keepsize = minContextSize > 0 ? MAXALIGN(minContextSize) : initBlockSize;
	if (keepsize < BLOCKHDRSZ + CHUNKHDRSZ + 64)
		keepsize = initBlockSize;
	set->keeper = AllocBlockNew(set, keepsize, false);
	if (set->keeper == NULL)
	{
		free(set);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed while creating memory context \"%s\".",
						   name)));
	}
	set->nextBlockSize = Min(Max(initBlockSize, keepsize * 2), maxBlockSize);

	if (parent)
	{
		context->parent = parent;
		context->nextchild = parent->firstchild;
		if (parent->firstchild)
			parent->firstchild->prevchild = context;
		parent->firstchild = context;
		context->allowInCritSection = parent->allowInCritSection;
	}
	return context;
}

MemoryContext
SlabContextCreate(MemoryContext parent, const char *name, Size blockSize,
				  Size chunkSize)
{
	return AllocSetContextCreateInternal(parent, name, ALLOCSET_DEFAULT_SIZES);
}

MemoryContext
GenerationContextCreate(MemoryContext parent, const char *name,
						Size minContextSize, Size initBlockSize,
						Size maxBlockSize)
{
	return AllocSetContextCreateInternal(parent, name, minContextSize,
										 initBlockSize, maxBlockSize);
}

MemoryContext
BumpContextCreate(MemoryContext parent, const char *name, Size minContextSize,
				  Size initBlockSize, Size maxBlockSize)
{
	return AllocSetContextCreateInternal(parent, name, minContextSize,
										 initBlockSize, maxBlockSize);
}

/*
 * Create TopMemoryContext and ErrorContext.  Runs on first use of the
 * allocator, in whichever process gets there first (normally the
 * supervisor at start; children inherit the contexts).
 */
void
MemoryContextInit(void)
{
	if (TopMemoryContext != NULL)
		return;
	TopMemoryContext = AllocSetContextCreate(NULL, "TopMemoryContext",
											 ALLOCSET_DEFAULT_SIZES);
	CurrentMemoryContext = TopMemoryContext;
	ErrorContext = AllocSetContextCreate(TopMemoryContext, "ErrorContext",
										 8 * 1024, 8 * 1024, 8 * 1024);
	MemoryContextAllowInCriticalSection(ErrorContext, true);
}

/*
 * The standard contexts exist from program start, so that no caller ever
 * sees a NULL CurrentMemoryContext (the supervisor may enter module code
 * before anything else touched the allocator).
 */
static void __attribute__((constructor))
MemoryContextInitAtStart(void)
{
	MemoryContextInit();
}

static inline void
EnsureInit(void)
{
	if (unlikely(TopMemoryContext == NULL))
		MemoryContextInit();
}

/* ---- reset and delete ---- */

static void
MemoryContextCallResetCallbacks(MemoryContext context)
{
	MemoryContextCallback *cb;

	/* unlink each callback before calling it, so an error cannot loop */
	while ((cb = context->reset_cbs) != NULL)
	{
		context->reset_cbs = cb->next;
		cb->func(cb->arg);
	}
}

void
MemoryContextResetOnly(MemoryContext context)
{
	if (context == NULL)
		return;
	if (!context->isReset)
	{
		MemoryContextCallResetCallbacks(context);
		context->methods->reset(context);
		context->isReset = true;
	}
}

void
MemoryContextReset(MemoryContext context)
{
	if (context == NULL)
		return;
	if (context->firstchild != NULL)
		MemoryContextDeleteChildren(context);
	MemoryContextResetOnly(context);
}

void
MemoryContextResetChildren(MemoryContext context)
{
	for (MemoryContext child = context->firstchild; child; child = child->nextchild)
	{
		MemoryContextResetChildren(child);
		MemoryContextResetOnly(child);
	}
}

void
MemoryContextDeleteChildren(MemoryContext context)
{
	while (context->firstchild != NULL)
		MemoryContextDelete(context->firstchild);
}

void
MemoryContextSetParent(MemoryContext context, MemoryContext new_parent)
{
	if (new_parent == context->parent)
		return;
	if (context->parent)
	{
		MemoryContext parent = context->parent;

		if (context->prevchild)
			context->prevchild->nextchild = context->nextchild;
		else
			parent->firstchild = context->nextchild;
		if (context->nextchild)
			context->nextchild->prevchild = context->prevchild;
	}
	context->parent = new_parent;
	context->prevchild = NULL;
	context->nextchild = NULL;
	if (new_parent)
	{
		context->nextchild = new_parent->firstchild;
		if (new_parent->firstchild)
			new_parent->firstchild->prevchild = context;
		new_parent->firstchild = context;
	}
}

void
MemoryContextDelete(MemoryContext context)
{
	if (context == NULL)
		return;
	if (context == TopMemoryContext)
		elog(ERROR, "cannot delete TopMemoryContext");
	MemoryContextDeleteChildren(context);
	MemoryContextCallResetCallbacks(context);
	MemoryContextSetParent(context, NULL);
	if (CurrentMemoryContext == context)
		CurrentMemoryContext = TopMemoryContext;
	context->ident = NULL;
	context->methods->delete_context(context);
}

void
MemoryContextRegisterResetCallback(MemoryContext context,
								   MemoryContextCallback *cb)
{
	cb->next = context->reset_cbs;
	context->reset_cbs = cb;
	context->isReset = false;
}

void
MemoryContextSetIdentifier(MemoryContext context, const char *id)
{
	context->ident = id;
}

void
MemoryContextAllowInCriticalSection(MemoryContext context, bool allow)
{
	context->allowInCritSection = allow;
}

MemoryContext
GetMemoryChunkContext(void *pointer)
{
	return AllocSetGetChunkContext(pointer);
}

Size
GetMemoryChunkSpace(void *pointer)
{
	return AllocSetGetChunkSpace(pointer);
}

MemoryContext
MemoryContextGetParent(MemoryContext context)
{
	return context->parent;
}

bool
MemoryContextIsEmpty(MemoryContext context)
{
	if (context->firstchild != NULL)
		return false;
	return context->methods->is_empty(context);
}

bool
MemoryContextContains(MemoryContext context, void *pointer)
{
	if (pointer == NULL || pointer != (void *) MAXALIGN(pointer))
		return false;
	return GetMemoryChunkContext(pointer) == context;
}

Size
MemoryContextMemAllocated(MemoryContext context, bool recurse)
{
	Size		total = context->mem_allocated;

	if (recurse)
		for (MemoryContext c = context->firstchild; c; c = c->nextchild)
			total += MemoryContextMemAllocated(c, true);
	return total;
}

void
MemoryContextMemConsumed(MemoryContext context, MemoryContextCounters *consumed)
{
	memset(consumed, 0, sizeof(*consumed));
	context->methods->stats(context, NULL, NULL, consumed, false);
	for (MemoryContext c = context->firstchild; c; c = c->nextchild)
	{
		MemoryContextCounters sub;

		MemoryContextMemConsumed(c, &sub);
		consumed->nblocks += sub.nblocks;
		consumed->freechunks += sub.freechunks;
		consumed->totalspace += sub.totalspace;
		consumed->freespace += sub.freespace;
	}
}

/* ---- statistics ---- */

typedef struct StatsPrintState
{
	int			level;
} StatsPrintState;

static void
MemoryContextStatsPrint(MemoryContext context, void *passthru,
						const char *stats_string, bool print_to_stderr)
{
	StatsPrintState *st = passthru;
	const char *ident = context->ident;
	char		truncated[101];

	if (ident)
	{
		strlcpy(truncated, ident, sizeof(truncated));
		ident = truncated;
	}
	if (print_to_stderr)
		write_stderr("%*s%s: %s%s%s\n", st->level * 2, "", context->name,
					 stats_string, ident ? "; " : "", ident ? ident : "");
	else
		ereport(LOG_SERVER_ONLY,
				(errhidestmt(true), errhidecontext(true),
				 errmsg_internal("level: %d; %s: %s%s%s", st->level,
								 context->name, stats_string,
								 ident ? "; " : "", ident ? ident : "")));
}

static void
MemoryContextStatsInternal(MemoryContext context, int level, int max_level,
						   int max_children, MemoryContextCounters *totals,
						   bool print_to_stderr)
{
	StatsPrintState st = {level};
	MemoryContextCounters rest = {0};
	int			n = 0,
				skipped = 0;

	context->methods->stats(context, MemoryContextStatsPrint, &st, totals,
							print_to_stderr);
	for (MemoryContext c = context->firstchild; c; c = c->nextchild)
	{
		if (level < max_level && n < max_children)
			MemoryContextStatsInternal(c, level + 1, max_level, max_children,
									   totals, print_to_stderr);
		else
		{
			MemoryContextMemConsumed(c, &rest);
			totals->nblocks += rest.nblocks;
			totals->freechunks += rest.freechunks;
			totals->totalspace += rest.totalspace;
			totals->freespace += rest.freespace;
			skipped++;
		}
		n++;
	}
	if (skipped > 0)
	{
		if (print_to_stderr)
			write_stderr("%*s%d more child contexts\n", (level + 1) * 2, "",
						 skipped);
		else
			ereport(LOG_SERVER_ONLY,
					(errhidestmt(true), errhidecontext(true),
					 errmsg_internal("level: %d; %d more child contexts",
									 level + 1, skipped)));
	}
}

void
MemoryContextStatsDetail(MemoryContext context, int max_level,
						 int max_children, bool print_to_stderr)
{
	MemoryContextCounters totals = {0};

	MemoryContextStatsInternal(context, 0, max_level, max_children, &totals,
							   print_to_stderr);
	if (print_to_stderr)
		write_stderr("Grand total: %zu bytes in %zu blocks; %zu free (%zu chunks); %zu used\n",
					 totals.totalspace, totals.nblocks, totals.freespace,
					 totals.freechunks, totals.totalspace - totals.freespace);
	else
		ereport(LOG_SERVER_ONLY,
				(errhidestmt(true), errhidecontext(true),
				 errmsg_internal("Grand total: %zu bytes in %zu blocks; %zu free (%zu chunks); %zu used",
								 totals.totalspace, totals.nblocks,
								 totals.freespace, totals.freechunks,
								 totals.totalspace - totals.freespace)));
}

/*
 * Print the tree under context to stderr, as PostgreSQL does (100 levels,
 * 100 children per context at most).
 */
void
MemoryContextStats(MemoryContext context)
{
	MemoryContextStatsDetail(context, 100, 100, true);
}

/* ---- allocation entry points ---- */

void
MemoryContextSizeFailure(MemoryContext context, Size size, int flags)
{
	elog(ERROR, "invalid memory alloc request size %zu", size);
}

void
MemoryContextOOM(MemoryContext context, Size size)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory"),
			 errdetail("Failed on request of size %zu in memory context \"%s\".",
					   size, context->name)));
}

static inline void
CheckContext(MemoryContext context, const char *caller)
{
	if (unlikely(context == NULL || !MemoryContextIsValid(context)))
		elog(ERROR, "%s called with invalid memory context", caller);
	if (unlikely(CritSectionCount > 0 && !context->allowInCritSection))
		elog(ERROR, "memory allocation in critical section (context \"%s\")",
			 context->name);
}

/*
 * The single path of every allocation: size checks, the allocator, the
 * out-of-memory report (unless MCXT_ALLOC_NO_OOM) and zeroing.
 */
static inline void *
AllocInternal(MemoryContext context, Size size, int flags, const char *caller)
{
	void	   *ret;

	CheckContext(context, caller);
	if ((flags & MCXT_ALLOC_HUGE) != 0 ? !AllocHugeSizeIsValid(size)
		: !AllocSizeIsValid(size))
		MemoryContextSizeFailure(context, size, flags);
	context->isReset = false;
	ret = context->methods->alloc(context, size, flags);
	if (unlikely(ret == NULL))
	{
		if ((flags & MCXT_ALLOC_NO_OOM) != 0)
			return NULL;
		MemoryContextOOM(context, size);
	}
	if ((flags & MCXT_ALLOC_ZERO) != 0)
		memset(ret, 0, size);
	return ret;
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return AllocInternal(context, size, 0, "MemoryContextAlloc");
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return AllocInternal(context, size, MCXT_ALLOC_ZERO, "MemoryContextAllocZero");
}

void *
MemoryContextAllocZeroAligned(MemoryContext context, Size size)
{
	return AllocInternal(context, size, MCXT_ALLOC_ZERO, "MemoryContextAllocZeroAligned");
}

void *
MemoryContextAllocExtended(MemoryContext context, Size size, int flags)
{
	return AllocInternal(context, size, flags, "MemoryContextAllocExtended");
}

void *
MemoryContextAllocHuge(MemoryContext context, Size size)
{
	return AllocInternal(context, size, MCXT_ALLOC_HUGE, "MemoryContextAllocHuge");
}

/*
 * Aligned allocation.  Chunks are MAXALIGN'd; for a larger alignment the
 * request gets its own block whose data start happens to be aligned, so
 * pfree still finds the header in front of the pointer: we allocate
 * until one fits.  Alignment must be a power of two up to 4096.
 */
void *
MemoryContextAllocAligned(MemoryContext context, Size size, Size alignto,
						  int flags)
{
	void	   *p;
	void	   *tries[8];
	int			ntries = 0;

	if (alignto == 0 || (alignto & (alignto - 1)) != 0 || alignto > 4096)
		elog(ERROR, "invalid alignment %zu for aligned allocation", alignto);
	if (alignto <= MAXIMUM_ALIGNOF)
		return AllocInternal(context, size, flags, "MemoryContextAllocAligned");

	/*
	 * Large chunks start right after a malloc'd block header, and malloc
	 * returns 16-byte aligned memory; a request that big enough to get its
	 * own block may need a few tries before it lands aligned.  Give up
	 * after a handful and pad instead.
	 */
	for (;;)
	{
		Size		req = Max(size, ((AllocSetContext *) context)->allocChunkLimit + 1);

		p = AllocInternal(context, req, flags & ~MCXT_ALLOC_ZERO,
						  "MemoryContextAllocAligned");
		if (p == NULL)
			break;
		if (((uintptr_t) p & (alignto - 1)) == 0 || ntries == lengthof(tries))
			break;
		tries[ntries++] = p;
	}
	for (int i = 0; i < ntries; i++)
		pfree(tries[i]);
	if (p != NULL && ((uintptr_t) p & (alignto - 1)) != 0)
	{
		pfree(p);
		elog(ERROR, "could not allocate %zu bytes aligned to %zu", size, alignto);
	}
	if (p != NULL && (flags & MCXT_ALLOC_ZERO))
		memset(p, 0, size);
	return p;
}

void *
palloc(Size size)
{
	EnsureInit();
	return AllocInternal(CurrentMemoryContext, size, 0, "palloc");
}

void *
palloc0(Size size)
{
	EnsureInit();
	return AllocInternal(CurrentMemoryContext, size, MCXT_ALLOC_ZERO, "palloc0");
}

void *
palloc_extended(Size size, int flags)
{
	EnsureInit();
	return AllocInternal(CurrentMemoryContext, size, flags, "palloc_extended");
}

void *
palloc_aligned(Size size, Size alignto, int flags)
{
	EnsureInit();
	return MemoryContextAllocAligned(CurrentMemoryContext, size, alignto, flags);
}

void
pfree(void *pointer)
{
	AllocSetFree(pointer);
}

void *
repalloc_extended(void *pointer, Size size, int flags)
{
	AllocChunk	chunk = ChunkFromPointer(pointer, "repalloc");
	MemoryContext context = &chunk->block->set->header;
	void	   *ret;

	if ((flags & MCXT_ALLOC_HUGE) != 0 ? !AllocHugeSizeIsValid(size)
		: !AllocSizeIsValid(size))
		MemoryContextSizeFailure(context, size, flags);
	if (unlikely(CritSectionCount > 0 && !context->allowInCritSection))
		elog(ERROR, "memory allocation in critical section (context \"%s\")",
			 context->name);
	context->isReset = false;
	ret = AllocSetRealloc(pointer, size, flags);
	if (unlikely(ret == NULL))
	{
		if ((flags & MCXT_ALLOC_NO_OOM) != 0)
			return NULL;
		MemoryContextOOM(context, size);
	}
	return ret;
}

void *
repalloc(void *pointer, Size size)
{
	return repalloc_extended(pointer, size, 0);
}

void *
repalloc_huge(void *pointer, Size size)
{
	return repalloc_extended(pointer, size, MCXT_ALLOC_HUGE);
}

void *
repalloc0(void *pointer, Size oldsize, Size size)
{
	void	   *ret;

	if (oldsize > size)
		elog(ERROR, "invalid repalloc0 call: oldsize %zu, new size %zu",
			 oldsize, size);
	ret = repalloc(pointer, size);
	memset((char *) ret + oldsize, 0, size - oldsize);
	return ret;
}

/* ---- strings ---- */

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	Size		len = strlen(string) + 1;
	char	   *nstr = MemoryContextAlloc(context, len);

	memcpy(nstr, string, len);
	return nstr;
}

char *
pstrdup(const char *in)
{
	EnsureInit();
	return MemoryContextStrdup(CurrentMemoryContext, in);
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

char *
pchomp(const char *in)
{
	size_t		n = strlen(in);

	while (n > 0 && in[n - 1] == '\n')
		n--;
	return pnstrdup(in, n);
}

/*
 * Format into buf (len bytes).  Returns 0 when the result fit, else the
 * buffer size needed (result length + 1), as PostgreSQL's contract says;
 * ERROR if the format is invalid or the result exceeds MaxAllocSize.
 * Like every elog-aware function, it may be called with errno holding a
 * value that %m is to print.
 */
size_t
pvsnprintf(char *buf, size_t len, const char *fmt, va_list args)
{
	int			nprinted;

	nprinted = vsnprintf(buf, len, fmt, args);
	if (unlikely(nprinted < 0))
		elog(ERROR, "vsnprintf failed: %m with format string \"%s\"", fmt);
	if ((size_t) nprinted < len)
		return 0;
	if ((size_t) nprinted >= MaxAllocSize - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory")));
	return (size_t) nprinted + 1;
}

char *
psprintf(const char *fmt,...)
{
	int			save_errno = errno;
	size_t		len = 128;

	for (;;)
	{
		char	   *result = palloc(len);
		va_list		args;
		size_t		newlen;

		errno = save_errno;
		va_start(args, fmt);
		newlen = pvsnprintf(result, len, fmt, args);
		va_end(args);
		if (newlen == 0)
			return result;
		pfree(result);
		len = newlen;
	}
}
