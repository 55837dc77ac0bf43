/*-------------------------------------------------------------------------
 *
 * htup.h
 *	  Heap tuples as values (PostgreSQL's access/htup.h): what
 *	  heap_form_tuple() returns and HeapTupleGetDatum() turns into a
 *	  composite Datum.  The header's contents are bgworker's own (a row of
 *	  Datums), so only the functions may look inside.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTUP_H
#define HTUP_H

#include "postgres.h"

typedef struct HeapTupleHeaderData HeapTupleHeaderData;
typedef HeapTupleHeaderData *HeapTupleHeader;

typedef struct HeapTupleData
{
	uint32		t_len;			/* length of *t_data */
	Oid			t_tableOid;		/* always InvalidOid */
	HeapTupleHeader t_data;		/* the row, a varlena */
} HeapTupleData;

typedef HeapTupleData *HeapTuple;

#define HEAPTUPLESIZE	MAXALIGN(sizeof(HeapTupleData))

#endif							/* HTUP_H */
