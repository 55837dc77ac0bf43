/*-------------------------------------------------------------------------
 *
 * array.h
 *	  Arrays as PostgreSQL lays them out in memory (utils/array.h): a
 *	  varlena header, the number of dimensions, the offset of the data
 *	  (0 when there is no null bitmap), the element type, then the
 *	  dimensions and lower bounds, the optional null bitmap and the
 *	  elements, each aligned to the element type's alignment.  Enough to
 *	  read an array argument (deconstruct_array) and to build a result
 *	  (construct_array).  Implemented in cshim/adt.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARRAY_H
#define ARRAY_H

#include "fmgr.h"
#include "varatt.h"

#define MAXDIM 6

typedef struct ArrayType
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int			ndim;			/* number of dimensions */
	int32		dataoffset;		/* offset to data, or 0 if no bitmap */
	Oid			elemtype;		/* element type OID */
} ArrayType;

#define DatumGetArrayTypeP(X)		((ArrayType *) PG_DETOAST_DATUM(X))
#define DatumGetArrayTypePCopy(X)	((ArrayType *) PG_DETOAST_DATUM_COPY(X))
#define PG_GETARG_ARRAYTYPE_P(n)	DatumGetArrayTypeP(PG_GETARG_DATUM(n))
#define PG_GETARG_ARRAYTYPE_P_COPY(n) DatumGetArrayTypePCopy(PG_GETARG_DATUM(n))
#define PG_RETURN_ARRAYTYPE_P(x)	PG_RETURN_POINTER(x)

#define ARR_SIZE(a)				VARSIZE(a)
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

/* alignment codes, as pg_type.typalign */
#define TYPALIGN_CHAR			'c'
#define TYPALIGN_SHORT			's'
#define TYPALIGN_INT			'i'
#define TYPALIGN_DOUBLE			'd'

extern int	ArrayGetNItems(int ndim, const int *dims);
extern void deconstruct_array(ArrayType *array,
							  Oid elmtype,
							  int elmlen, bool elmbyval, char elmalign,
							  Datum **elemsp, bool **nullsp, int *nelemsp);
extern void deconstruct_array_builtin(ArrayType *array,
									  Oid elmtype,
									  Datum **elemsp, bool **nullsp, int *nelemsp);
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
