/*-------------------------------------------------------------------------
 *
 * htup.h
 *	  HeapTuple with PostgreSQL 17's names: one row of an SPI result.
 *
 *	  t_data points to bgworker's own row layout (each column's value as
 *	  the server sent it, converted to a Datum on first use), not to a
 *	  heap page's tuple header: read columns with SPI_getbinval,
 *	  SPI_getvalue or heap_getattr, never through t_data.
 *
 *-------------------------------------------------------------------------
 */
#ifndef HTUP_H
#define HTUP_H

typedef struct HeapTupleHeaderData HeapTupleHeaderData;
typedef HeapTupleHeaderData *HeapTupleHeader;

/* A tuple's position in its table; unknown for SPI results (all zero). */
typedef struct ItemPointerData
{
	uint16		ip_blkid_hi;
	uint16		ip_blkid_lo;
	uint16		ip_posid;
} ItemPointerData;

typedef struct HeapTupleData
{
	uint32		t_len;			/* length of *t_data */
	ItemPointerData t_self;		/* zero here */
	Oid			t_tableOid;		/* 0 here */
	HeapTupleHeader t_data;		/* the row (bgworker's layout) */
} HeapTupleData;

typedef HeapTupleData *HeapTuple;

#define HEAPTUPLESIZE	MAXALIGN(sizeof(HeapTupleData))
#define HeapTupleIsValid(tuple) PointerIsValid(tuple)

#endif							/* HTUP_H */
