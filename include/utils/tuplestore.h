/*-------------------------------------------------------------------------
 *
 * tuplestore.h
 *	  Tuple stores with PostgreSQL 17's names: where a set-returning
 *	  function in materialize mode puts its rows (rsinfo->setResult).  A
 *	  store keeps its rows in memory, in the memory context that was
 *	  current when it was made (maxKBytes is accepted and not enforced: a
 *	  store never spills to a temporary file).  Reading through tuple table
 *	  slots is not offered; the session reads the rows itself.  Implemented
 *	  in cshim/adt.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TUPLESTORE_H
#define TUPLESTORE_H

#include "access/htup.h"
#include "access/tupdesc.h"

typedef struct Tuplestorestate Tuplestorestate;

extern Tuplestorestate *tuplestore_begin_heap(bool randomAccess,
											  bool interXact,
											  int maxKBytes);
extern void tuplestore_set_eflags(Tuplestorestate *state, int eflags);
extern void tuplestore_puttuple(Tuplestorestate *state, HeapTuple tuple);
extern void tuplestore_putvalues(Tuplestorestate *state, TupleDesc tdesc,
								 const Datum *values, const bool *isnull);
extern bool tuplestore_in_memory(Tuplestorestate *state);
extern int64 tuplestore_tuple_count(Tuplestorestate *state);
extern bool tuplestore_ateof(Tuplestorestate *state);
extern bool tuplestore_advance(Tuplestorestate *state, bool forward);
extern void tuplestore_rescan(Tuplestorestate *state);
extern void tuplestore_trim(Tuplestorestate *state);
extern void tuplestore_clear(Tuplestorestate *state);
extern void tuplestore_end(Tuplestorestate *state);

/* PostgreSQL 15 and older: a no-op, kept for the modules that call it */
#define tuplestore_donestoring(state)	((void) 0)

#endif							/* TUPLESTORE_H */
