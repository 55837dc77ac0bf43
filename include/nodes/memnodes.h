/*-------------------------------------------------------------------------
 *
 * memnodes.h
 *	  The common header of every memory context.  Modules treat contexts
 *	  as opaque; the fields are PostgreSQL 17's so that code which peeks
 *	  at them (name, parent, mem_allocated) still compiles.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MEMNODES_H
#define MEMNODES_H

#include "nodes/nodes.h"

/* Totals gathered by MemoryContextStats and friends. */
typedef struct MemoryContextCounters
{
	Size		nblocks;		/* total number of malloc blocks */
	Size		freechunks;		/* total number of free chunks */
	Size		totalspace;		/* total bytes requested from malloc */
	Size		freespace;		/* the unused portion of totalspace */
} MemoryContextCounters;

typedef void (*MemoryStatsPrintFunc) (MemoryContext context, void *passthru,
									  const char *stats_string,
									  bool print_to_stderr);

/*
 * The operations of one kind of context.  bgworker has one kind (an
 * AllocSet-like pool); the table exists so that the layout stays the one
 * PostgreSQL code expects.
 */
typedef struct MemoryContextMethods
{
	void	   *(*alloc) (MemoryContext context, Size size, int flags);
	void		(*free_p) (void *pointer);
	void	   *(*realloc) (void *pointer, Size size, int flags);
	void		(*reset) (MemoryContext context);
	void		(*delete_context) (MemoryContext context);
	MemoryContext (*get_chunk_context) (void *pointer);
	Size		(*get_chunk_space) (void *pointer);
	bool		(*is_empty) (MemoryContext context);
	void		(*stats) (MemoryContext context,
						  MemoryStatsPrintFunc printfunc, void *passthru,
						  MemoryContextCounters *totals,
						  bool print_to_stderr);
} MemoryContextMethods;

typedef struct MemoryContextData
{
	NodeTag		type;			/* identifies exact kind of context */
	bool		isReset;		/* true: no allocations since last reset */
	bool		allowInCritSection; /* may allocate in a critical section */
	Size		mem_allocated;	/* bytes obtained from malloc for this context */
	const MemoryContextMethods *methods;	/* virtual function table */
	MemoryContext parent;		/* NULL if no parent (toplevel context) */
	MemoryContext firstchild;	/* head of linked list of children */
	MemoryContext prevchild;	/* previous child of same parent */
	MemoryContext nextchild;	/* next child of same parent */
	const char *name;			/* context name (just for debugging) */
	const char *ident;			/* context ID if any (just for debugging) */
	MemoryContextCallback *reset_cbs;	/* list of reset/delete callbacks */
} MemoryContextData;

#define MemoryContextIsValid(context) \
	((context) != NULL && \
	 (IsA((context), AllocSetContext) || \
	  IsA((context), SlabContext) || \
	  IsA((context), GenerationContext) || \
	  IsA((context), BumpContext)))

#endif							/* MEMNODES_H */
