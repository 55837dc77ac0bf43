/*-------------------------------------------------------------------------
 *
 * palloc.h
 *	  The allocation API every module uses: palloc and friends, which
 *	  allocate in CurrentMemoryContext, and the few memory-context calls
 *	  that PostgreSQL declares here.  The rest of the context API is in
 *	  utils/memutils.h.
 *
 *	  Names, flags and semantics are PostgreSQL 17's; the implementation
 *	  is bgworker's (cshim/mmgr/mcxt.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PALLOC_H
#define PALLOC_H

/*
 * A memory context: a pool of allocations freed together.  The structure
 * is private to the runtime (nodes/memnodes.h); modules hold pointers.
 */
typedef struct MemoryContextData *MemoryContext;

/*
 * A callback run when a context is reset or deleted, most recently
 * registered first.  The caller owns the struct, normally allocated in
 * the context itself.
 */
typedef void (*MemoryContextCallbackFunction) (void *arg);

typedef struct MemoryContextCallback
{
	MemoryContextCallbackFunction func; /* function to call */
	void	   *arg;			/* argument to pass it */
	struct MemoryContextCallback *next; /* next in the context's list */
} MemoryContextCallback;

/* Where palloc allocates; change it with MemoryContextSwitchTo. */
extern PGDLLIMPORT MemoryContext CurrentMemoryContext;

/* Flags of palloc_extended and MemoryContextAllocExtended. */
#define MCXT_ALLOC_HUGE			0x01	/* allow a request above MaxAllocSize */
#define MCXT_ALLOC_NO_OOM		0x02	/* return NULL instead of ERROR when out of memory */
#define MCXT_ALLOC_ZERO			0x04	/* zero the allocated memory */

/* Allocation in a given context. */
extern void *MemoryContextAlloc(MemoryContext context, Size size);
extern void *MemoryContextAllocZero(MemoryContext context, Size size);
extern void *MemoryContextAllocZeroAligned(MemoryContext context, Size size);
extern void *MemoryContextAllocExtended(MemoryContext context,
										Size size, int flags);
extern void *MemoryContextAllocAligned(MemoryContext context,
									   Size size, Size alignto, int flags);
extern void *MemoryContextAllocHuge(MemoryContext context, Size size);

/* Allocation in CurrentMemoryContext. */
extern void *palloc(Size size);
extern void *palloc0(Size size);
extern void *palloc_extended(Size size, int flags);
extern void *palloc_aligned(Size size, Size alignto, int flags);
extern pg_nodiscard void *repalloc(void *pointer, Size size);
extern pg_nodiscard void *repalloc_extended(void *pointer,
											Size size, int flags);
extern pg_nodiscard void *repalloc0(void *pointer, Size oldsize, Size size);
extern pg_nodiscard void *repalloc_huge(void *pointer, Size size);
extern void pfree(void *pointer);

/* Typed conveniences. */
#define palloc_object(type) ((type *) palloc(sizeof(type)))
#define palloc0_object(type) ((type *) palloc0(sizeof(type)))
#define palloc_array(type, count) ((type *) palloc(sizeof(type) * (count)))
#define palloc0_array(type, count) ((type *) palloc0(sizeof(type) * (count)))
#define repalloc_array(pointer, type, count) \
	((type *) repalloc(pointer, sizeof(type) * (count)))
#define repalloc0_array(pointer, type, oldcount, count) \
	((type *) repalloc0(pointer, sizeof(type) * (oldcount), sizeof(type) * (count)))

/*
 * Make context the current one and return the previous one, so that the
 * caller can switch back.
 */
static inline MemoryContext
MemoryContextSwitchTo(MemoryContext context)
{
	MemoryContext previous = CurrentMemoryContext;

	CurrentMemoryContext = context;
	return previous;
}

/* Register a reset/delete callback (see MemoryContextCallback). */
extern void MemoryContextRegisterResetCallback(MemoryContext context,
											   MemoryContextCallback *cb);

/* Strings. */
extern char *MemoryContextStrdup(MemoryContext context, const char *string);
extern char *pstrdup(const char *in);
extern char *pnstrdup(const char *in, Size len);
extern char *pchomp(const char *in);
extern char *psprintf(const char *fmt,...) pg_attribute_printf(1, 2);
extern size_t pvsnprintf(char *buf, size_t len, const char *fmt, va_list args) pg_attribute_printf(3, 0);

#endif							/* PALLOC_H */
