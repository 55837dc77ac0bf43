/*-------------------------------------------------------------------------
 *
 * tuplestore.c
 *	  Tuple stores (utils/tuplestore.h): the rows a set-returning function
 *	  in materialize mode hands to its caller.  Sessions and workers.
 *
 *	  A store is an array of rows copied into the memory context that was
 *	  current when the store was made (for a materialize-mode function, the
 *	  call's per-query context), read front to back by one read position.
 *	  It never spills to a temporary file: maxKBytes (work_mem, as modules
 *	  pass it) is recorded, not enforced.  The session reads a finished
 *	  store with bgw_tuplestore_next().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "bgw_internal.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

struct Tuplestorestate
{
	MemoryContext cxt;			/* where the rows live */
	HeapTuple  *rows;
	int64		nrows;
	int64		allocated;
	int64		readpos;		/* next row to read */
	bool		randomAccess;	/* as asked; every store can rescan */
	int			maxKBytes;		/* as asked; not enforced */
};

Tuplestorestate *
tuplestore_begin_heap(bool randomAccess, bool interXact, int maxKBytes)
{
	Tuplestorestate *state = palloc0(sizeof(Tuplestorestate));

	state->cxt = CurrentMemoryContext;
	state->randomAccess = randomAccess;
	state->maxKBytes = maxKBytes;
	return state;
}

void
tuplestore_set_eflags(Tuplestorestate *state, int eflags)
{
	/* one read position that can rescan: every flag is satisfied */
}

/* Append a row already copied into state->cxt. */
static void
store_row(Tuplestorestate *state, HeapTuple copy)
{
	if (state->nrows == state->allocated)
	{
		int64		n = state->allocated ? state->allocated * 2 : 64;

		if ((Size) n > MaxAllocSize / sizeof(HeapTuple))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("tuplestore holds too many rows")));
		state->rows = state->rows ?
			repalloc(state->rows, n * sizeof(HeapTuple)) :
			MemoryContextAlloc(state->cxt, n * sizeof(HeapTuple));
		state->allocated = n;
	}
	state->rows[state->nrows++] = copy;
}

void
tuplestore_puttuple(Tuplestorestate *state, HeapTuple tuple)
{
	MemoryContext old = MemoryContextSwitchTo(state->cxt);

	store_row(state, heap_copytuple(tuple));
	MemoryContextSwitchTo(old);
}

void
tuplestore_putvalues(Tuplestorestate *state, TupleDesc tdesc,
					 const Datum *values, const bool *isnull)
{
	MemoryContext old = MemoryContextSwitchTo(state->cxt);

	store_row(state, heap_form_tuple(tdesc, values, isnull));
	MemoryContextSwitchTo(old);
}

bool
tuplestore_in_memory(Tuplestorestate *state)
{
	return true;
}

int64
tuplestore_tuple_count(Tuplestorestate *state)
{
	return state->nrows;
}

bool
tuplestore_ateof(Tuplestorestate *state)
{
	return state->readpos >= state->nrows;
}

bool
tuplestore_advance(Tuplestorestate *state, bool forward)
{
	if (forward)
	{
		if (state->readpos >= state->nrows)
			return false;
		state->readpos++;
		return true;
	}
	if (state->readpos <= 0)
		return false;
	state->readpos--;
	return true;
}

void
tuplestore_rescan(Tuplestorestate *state)
{
	state->readpos = 0;
}

void
tuplestore_trim(Tuplestorestate *state)
{
	/* rows stay until the store ends */
}

void
tuplestore_clear(Tuplestorestate *state)
{
	for (int64 i = 0; i < state->nrows; i++)
		pfree(state->rows[i]);
	state->nrows = 0;
	state->readpos = 0;
}

void
tuplestore_end(Tuplestorestate *state)
{
	tuplestore_clear(state);
	if (state->rows)
		pfree(state->rows);
	pfree(state);
}

/*
 * The next row of a store and advance, or NULL at its end.  The row
 * belongs to the store.
 */
HeapTuple
bgw_tuplestore_next(Tuplestorestate *state)
{
	if (state->readpos >= state->nrows)
		return NULL;
	return state->rows[state->readpos++];
}
