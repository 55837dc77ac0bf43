/*-------------------------------------------------------------------------
 *
 * array.h
 *	  bgworker's subset of PostgreSQL 17's utils/array.h: the in-memory
 *	  layout of an array value (ArrayType), its accessor macros, and
 *	  taking one apart or building one (cshim/adt/arrayfuncs.c).
 *
 *	  Layout (as PostgreSQL's): the varlena header, ndim, dataoffset (0
 *	  when there is no null bitmap), elemtype, then int dims[ndim], int
 *	  lbound[ndim], the optional null bitmap (bit set = not null), padding
 *	  to MAXALIGN, and the elements, each aligned to its type's alignment.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARRAY_H
#define ARRAY_H

#include "catalog/pg_type_d.h"
#include "fmgr.h"

#define MAXDIM 6

typedef struct ArrayType
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	int			ndim;			/* # of dimensions */
	int32		dataoffset;		/* offset to data, or 0 if no bitmap */
	Oid			elemtype;		/* element type OID */
} ArrayType;

#define DatumGetArrayTypeP(X)		((ArrayType *) PG_DETOAST_DATUM(X))
#define DatumGetArrayTypePCopy(X)	((ArrayType *) PG_DETOAST_DATUM_COPY(X))
#define PG_GETARG_ARRAYTYPE_P(n)	DatumGetArrayTypeP(PG_GETARG_DATUM(n))
#define PG_GETARG_ARRAYTYPE_P_COPY(n) DatumGetArrayTypePCopy(PG_GETARG_DATUM(n))
#define PG_RETURN_ARRAYTYPE_P(x)	PG_RETURN_POINTER(x)

#define ARR_SIZE(a)				(((varattrib_4b_hdr *) (a))->va_header >> 2)
#define ARR_NDIM(a)				((a)->ndim)
#define ARR_HASNULL(a)			((a)->dataoffset != 0)
#define ARR_ELEMTYPE(a)			((a)->elemtype)
#define ARR_DIMS(a) \
		((int *) (((char *) (a)) + sizeof(ArrayType)))
#define ARR_LBOUND(a) \
		((int *) (((char *) (a)) + sizeof(ArrayType) + \
				  sizeof(int) * ARR_NDIM(a)))
#define ARR_NULLBITMAP(a) \
		(ARR_HASNULL(a) ? \
		 (bits8 *) (((char *) (a)) + sizeof(ArrayType) + \
					2 * sizeof(int) * ARR_NDIM(a)) \
		 : (bits8 *) NULL)
#define ARR_OVERHEAD_NONULLS(ndims) \
		MAXALIGN(sizeof(ArrayType) + 2 * sizeof(int) * (ndims))
#define ARR_OVERHEAD_WITHNULLS(ndims, nitems) \
		MAXALIGN(sizeof(ArrayType) + 2 * sizeof(int) * (ndims) + \
				 ((nitems) + 7) / 8)
#define ARR_DATA_OFFSET(a) \
		(ARR_HASNULL(a) ? (a)->dataoffset : (int32) ARR_OVERHEAD_NONULLS(ARR_NDIM(a)))
#define ARR_DATA_PTR(a) \
		(((char *) (a)) + ARR_DATA_OFFSET(a))

/* The first word of any varlena, for ARR_SIZE. */
typedef struct
{
	uint32		va_header;
} varattrib_4b_hdr;

/* Number of elements of an array with these dimensions. */
extern int	ArrayGetNItems(int ndim, const int *dims);

/* Whether the array has a NULL element. */
extern bool array_contains_nulls(ArrayType *array);

/*
 * Take an array apart: *elemsp gets a palloc'd array of *nelemsp Datums
 * and, if nullsp is not NULL, *nullsp the matching NULL flags (an ERROR
 * if there is a NULL and nullsp is NULL).  The _builtin form knows the
 * storage of the built-in element types.
 */
extern void deconstruct_array(ArrayType *array,
							  Oid elmtype,
							  int elmlen, bool elmbyval, char elmalign,
							  Datum **elemsp, bool **nullsp, int *nelemsp);
extern void deconstruct_array_builtin(ArrayType *array,
									  Oid elmtype,
									  Datum **elemsp, bool **nullsp, int *nelemsp);

/* Build a one-dimensional array (lower bound 1) of nelems elements. */
extern ArrayType *construct_array(Datum *elems, int nelems,
								  Oid elmtype,
								  int elmlen, bool elmbyval, char elmalign);
extern ArrayType *construct_array_builtin(Datum *elems, int nelems, Oid elmtype);
extern ArrayType *construct_md_array(Datum *elems, bool *nulls,
									 int ndims, int *dims, int *lbs,
									 Oid elmtype, int elmlen, bool elmbyval,
									 char elmalign);
extern ArrayType *construct_empty_array(Oid elmtype);

#endif							/* ARRAY_H */
