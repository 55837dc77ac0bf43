/*-------------------------------------------------------------------------
 *
 * htup_details.h
 *	  bgworker's subset of PostgreSQL 17's access/htup_details.h: reading
 *	  the columns of an SPI result's rows (heap_getattr), copying and
 *	  freeing them, and the limits.  Heap pages, tuple headers and
 *	  GETSTRUCT on catalog tuples do not exist here (a worker has no
 *	  catalog caches: it asks the server with SPI).
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTUP_DETAILS_H
#define HTUP_DETAILS_H

#include "access/htup.h"
#include "access/tupdesc.h"

#define MaxTupleAttributeNumber 1664
#define MaxHeapAttributeNumber	1600

/*
 * Column attnum (from 1) of tuple; *isnull says whether it is NULL.  The
 * same as SPI_getbinval, including its ERROR for a type that has no
 * in-memory form here.
 */
extern Datum heap_getattr(HeapTuple tup, int attnum, TupleDesc tupleDesc,
						  bool *isnull);

/* Whether column attnum (from 1) is NULL. */
extern bool heap_attisnull(HeapTuple tup, int attnum, TupleDesc tupleDesc);

extern HeapTuple heap_copytuple(HeapTuple tuple);

/* Rows a set-returning function builds (funcapi.h), and reading them back. */
extern HeapTuple heap_form_tuple(TupleDesc tupleDescriptor,
								 const Datum *values, const bool *isnull);
extern void heap_deform_tuple(HeapTuple tuple, TupleDesc tupleDesc,
							  Datum *values, bool *isnull);
extern void heap_freetuple(HeapTuple htup);

#endif							/* HTUP_DETAILS_H */
