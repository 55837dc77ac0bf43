/*-------------------------------------------------------------------------
 *
 * arrayfuncs.c
 *	  Building and taking apart arrays in PostgreSQL's layout
 *	  (utils/array.h).  Sessions and workers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"

#include "bgw_internal.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "varatt.h"

static Size
align_to(char align, Size off)
{
	switch (align)
	{
		case TYPALIGN_SHORT:
			return SHORTALIGN(off);
		case TYPALIGN_INT:
			return INTALIGN(off);
		case TYPALIGN_DOUBLE:
			return DOUBLEALIGN(off);
		default:
			return off;
	}
}

/* Size of one non-null element's data. */
static Size
element_size(Datum d, int elmlen)
{
	if (elmlen > 0)
		return elmlen;
	if (elmlen == -1)
		return VARSIZE_ANY(DatumGetPointer(d));
	return strlen(DatumGetCString(d)) + 1;
}

static void
store_element(char *dst, Datum d, int elmlen, bool elmbyval)
{
	if (elmbyval)
	{
		switch (elmlen)
		{
			case 1:
				*(char *) dst = DatumGetChar(d);
				break;
			case 2:
				*(int16 *) dst = DatumGetInt16(d);
				break;
			case 4:
				*(int32 *) dst = DatumGetInt32(d);
				break;
			default:
				*(int64 *) dst = DatumGetInt64(d);
				break;
		}
	}
	else
		memcpy(dst, DatumGetPointer(d), element_size(d, elmlen));
}

static Datum
fetch_element(const char *src, int elmlen, bool elmbyval)
{
	if (!elmbyval)
		return PointerGetDatum(src);
	switch (elmlen)
	{
		case 1:
			return CharGetDatum(*src);
		case 2:
			return Int16GetDatum(*(const int16 *) src);
		case 4:
			return Int32GetDatum(*(const int32 *) src);
		default:
			return Int64GetDatum(*(const int64 *) src);
	}
}

int
ArrayGetNItems(int ndim, const int *dims)
{
	int64		n = 1;

	if (ndim <= 0)
		return 0;
	for (int i = 0; i < ndim; i++)
	{
		if (dims[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("array size exceeds the maximum allowed (%d)",
							(int) (MaxAllocSize / sizeof(Datum)))));
		n *= dims[i];
		if (n > (int64) (MaxAllocSize / sizeof(Datum)))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("array size exceeds the maximum allowed (%d)",
							(int) (MaxAllocSize / sizeof(Datum)))));
	}
	return (int) n;
}

ArrayType *
construct_empty_array(Oid elmtype)
{
	ArrayType  *a = palloc0(sizeof(ArrayType));

	SET_VARSIZE(a, sizeof(ArrayType));
	a->ndim = 0;
	a->dataoffset = 0;
	a->elemtype = elmtype;
	return a;
}

ArrayType *
construct_md_array(Datum *elems, bool *nulls, int ndims, int *dims, int *lbs,
				   Oid elmtype, int elmlen, bool elmbyval, char elmalign)
{
	int			nelems;
	bool		hasnulls = false;
	Size		datasize = 0;
	Size		overhead;
	ArrayType  *a;
	char	   *p;
	bits8	   *bitmap;

	if (ndims < 0 || ndims > MAXDIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of array dimensions (%d) exceeds the maximum allowed (%d)",
						ndims, MAXDIM)));
	if (ndims == 0)
		return construct_empty_array(elmtype);
	nelems = ArrayGetNItems(ndims, dims);
	for (int i = 0; i < nelems; i++)
	{
		if (nulls != NULL && nulls[i])
		{
			hasnulls = true;
			continue;
		}
		datasize = align_to(elmalign, datasize);
		datasize += element_size(elems[i], elmlen);
	}
	datasize = align_to(elmalign, datasize);
	overhead = hasnulls ? ARR_OVERHEAD_WITHNULLS(ndims, nelems) :
		ARR_OVERHEAD_NONULLS(ndims);
	if (overhead + datasize > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("array size exceeds the maximum allowed (%d)",
						(int) MaxAllocSize)));
	a = palloc0(overhead + datasize);
	SET_VARSIZE(a, overhead + datasize);
	a->ndim = ndims;
	a->dataoffset = hasnulls ? (int32) overhead : 0;
	a->elemtype = elmtype;
	memcpy(ARR_DIMS(a), dims, ndims * sizeof(int));
	memcpy(ARR_LBOUND(a), lbs, ndims * sizeof(int));

	p = ARR_DATA_PTR(a);
	bitmap = ARR_NULLBITMAP(a);
	for (int i = 0; i < nelems; i++)
	{
		if (nulls != NULL && nulls[i])
			continue;
		if (bitmap)
			bitmap[i / 8] |= (bits8) (1 << (i % 8));
		p = (char *) a + align_to(elmalign, p - (char *) a);
		store_element(p, elems[i], elmlen, elmbyval);
		p += element_size(elems[i], elmlen);
	}
	return a;
}

ArrayType *
construct_array(Datum *elems, int nelems, Oid elmtype, int elmlen,
				bool elmbyval, char elmalign)
{
	int			dims[1] = {nelems};
	int			lbs[1] = {1};

	return construct_md_array(elems, NULL, 1, dims, lbs, elmtype, elmlen,
							  elmbyval, elmalign);
}

ArrayType *
construct_array_builtin(Datum *elems, int nelems, Oid elmtype)
{
	int16		len;
	bool		byval;
	char		align;

	if (!bgw_type_layout(elmtype, &len, &byval, &align))
		elog(ERROR, "type %u not supported by construct_array_builtin()", elmtype);
	return construct_array(elems, nelems, elmtype, len, byval, align);
}

/*
 * The elements of array (any number of dimensions, in storage order) as
 * palloc'd Datums and null flags.  By-reference elements point into the
 * array.  A varlena element with a short header is not aligned, as
 * PostgreSQL stores it.
 */
void
deconstruct_array(ArrayType *array, Oid elmtype, int elmlen, bool elmbyval,
				  char elmalign, Datum **elemsp, bool **nullsp, int *nelemsp)
{
	int			nelems = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	bits8	   *bitmap = ARR_NULLBITMAP(array);
	char	   *p = ARR_DATA_PTR(array);
	Datum	   *elems;
	bool	   *nulls = NULL;

	if (ARR_ELEMTYPE(array) != elmtype)
		elog(ERROR, "array has element type %u, expected %u",
			 ARR_ELEMTYPE(array), elmtype);
	elems = palloc(Max(nelems, 1) * sizeof(Datum));
	if (nullsp != NULL)
		nulls = palloc0(Max(nelems, 1) * sizeof(bool));
	for (int i = 0; i < nelems; i++)
	{
		if (bitmap != NULL && (bitmap[i / 8] & (1 << (i % 8))) == 0)
		{
			elems[i] = (Datum) 0;
			if (nulls)
				nulls[i] = true;
			else
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("null array element not allowed in this context")));
			continue;
		}
		if (!(elmlen == -1 && VARATT_NOT_PAD_BYTE(p) && VARATT_IS_1B(p)))
			p = (char *) array + align_to(elmalign, p - (char *) array);
		elems[i] = fetch_element(p, elmlen, elmbyval);
		p += elmlen > 0 ? (Size) elmlen : elmlen == -1 ? (Size) VARSIZE_ANY(p) : strlen(p) + 1;
	}
	*elemsp = elems;
	if (nullsp)
		*nullsp = nulls;
	*nelemsp = nelems;
}

void
deconstruct_array_builtin(ArrayType *array, Oid elmtype, Datum **elemsp,
						  bool **nullsp, int *nelemsp)
{
	int16		len;
	bool		byval;
	char		align;

	if (!bgw_type_layout(elmtype, &len, &byval, &align))
		elog(ERROR, "type %u not supported by deconstruct_array_builtin()", elmtype);
	deconstruct_array(array, elmtype, len, byval, align, elemsp, nullsp, nelemsp);
}

bool
array_contains_nulls(ArrayType *array)
{
	int			nelems;
	bits8	   *bitmap;

	if (!ARR_HASNULL(array))
		return false;
	nelems = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	bitmap = ARR_NULLBITMAP(array);
	for (int i = 0; i < nelems; i++)
		if ((bitmap[i / 8] & (1 << (i % 8))) == 0)
			return true;
	return false;
}
