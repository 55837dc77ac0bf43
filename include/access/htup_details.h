/*-------------------------------------------------------------------------
 *
 * htup_details.h
 *	  bgworker's subset of PostgreSQL's access/htup_details.h: forming a
 *	  row from Datums and taking one apart, for functions that return
 *	  records.  Implemented in cshim/adt.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTUP_DETAILS_H
#define HTUP_DETAILS_H

#include "access/htup.h"
#include "access/tupdesc.h"

extern HeapTuple heap_form_tuple(TupleDesc tupleDescriptor,
								 const Datum *values, const bool *isnull);
extern void heap_deform_tuple(HeapTuple tuple, TupleDesc tupleDesc,
							  Datum *values, bool *isnull);
extern void heap_freetuple(HeapTuple htup);
extern HeapTuple heap_copytuple(HeapTuple tuple);

#endif							/* HTUP_DETAILS_H */
