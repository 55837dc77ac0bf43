/*-------------------------------------------------------------------------
 *
 * arrayfuncs.c
 *	  Taking array values apart and building one-dimensional ones, in
 *	  PostgreSQL's in-memory layout (utils/array.h).  Any process.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "varatt.h"

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
					errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("array size exceeds the maximum allowed (%d)", (int) (0x3fffffff / sizeof(Datum))));
		n *= dims[i];
		if (n > (int64) (0x3fffffff / sizeof(Datum)))
			ereport(ERROR,
					errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("array size exceeds the maximum allowed (%d)", (int) (0x3fffffff / sizeof(Datum))));
	}
	return (int) n;
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

/* Storage of the built-in element types (pg_type's typlen, typbyval, typalign). */
static void
builtin_storage(Oid elmtype, int *elmlen, bool *elmbyval, char *elmalign)
{
	switch (elmtype)
	{
		case CHAROID:
		case BOOLOID:
			*elmlen = 1;
			*elmbyval = true;
			*elmalign = TYPALIGN_CHAR;
			break;
		case CSTRINGOID:
			*elmlen = -2;
			*elmbyval = false;
			*elmalign = TYPALIGN_CHAR;
			break;
		case FLOAT8OID:
		case INT8OID:
		case TIMESTAMPTZOID:
			*elmlen = 8;
			*elmbyval = true;
			*elmalign = TYPALIGN_DOUBLE;
			break;
		case NAMEOID:
			*elmlen = NAMEDATALEN;
			*elmbyval = false;
			*elmalign = TYPALIGN_CHAR;
			break;
		case OIDOID:
		case INT4OID:
		case FLOAT4OID:
		case REGTYPEOID:
			*elmlen = 4;
			*elmbyval = true;
			*elmalign = TYPALIGN_INT;
			break;
		case INT2OID:
			*elmlen = 2;
			*elmbyval = true;
			*elmalign = TYPALIGN_SHORT;
			break;
		case TEXTOID:
		case BYTEAOID:
		case VARCHAROID:
		case BPCHAROID:
			*elmlen = -1;
			*elmbyval = false;
			*elmalign = TYPALIGN_INT;
			break;
		default:
			elog(ERROR, "type %u not supported by deconstruct_array_builtin() or construct_array_builtin()", elmtype);
	}
}

static Size
align_of(char elmalign)
{
	switch (elmalign)
	{
		case TYPALIGN_CHAR:
			return 1;
		case TYPALIGN_SHORT:
			return ALIGNOF_SHORT;
		case TYPALIGN_INT:
			return ALIGNOF_INT;
		default:
			return ALIGNOF_DOUBLE;
	}
}

static Datum
fetch_elem(const char *p, int elmlen, bool elmbyval)
{
	if (!elmbyval)
		return PointerGetDatum(p);
	switch (elmlen)
	{
		case 1:
			return CharGetDatum(*p);
		case 2:
			return Int16GetDatum(*(const int16 *) p);
		case 4:
			return Int32GetDatum(*(const int32 *) p);
		default:
			return Int64GetDatum(*(const int64 *) p);
	}
}

void
deconstruct_array(ArrayType *array, Oid elmtype, int elmlen, bool elmbyval,
				  char elmalign, Datum **elemsp, bool **nullsp, int *nelemsp)
{
	int			nelems = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	bits8	   *bitmap = ARR_NULLBITMAP(array);
	const char *p = ARR_DATA_PTR(array);
	Size		alignto = align_of(elmalign);
	Datum	   *elems;
	bool	   *nulls = NULL;

	if (ARR_ELEMTYPE(array) != elmtype)
		elog(ERROR, "array has element type %u, not %u", ARR_ELEMTYPE(array), elmtype);
	*elemsp = elems = (Datum *) palloc(Max(nelems, 1) * sizeof(Datum));
	if (nullsp)
		*nullsp = nulls = (bool *) palloc0(Max(nelems, 1) * sizeof(bool));
	*nelemsp = nelems;
	for (int i = 0; i < nelems; i++)
	{
		if (bitmap && (bitmap[i / 8] & (1 << (i % 8))) == 0)
		{
			elems[i] = (Datum) 0;
			if (nulls)
				nulls[i] = true;
			else
				ereport(ERROR,
						errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("null array element not allowed in this context"));
			continue;
		}
		if (elmlen == -1 && VARATT_IS_SHORT(p))
			;					/* short varlenas are not aligned */
		else
			p = (const char *) TYPEALIGN(alignto, p);
		elems[i] = fetch_elem(p, elmlen, elmbyval);
		if (elmlen > 0)
			p += elmlen;
		else if (elmlen == -1)
			p += VARSIZE_ANY(p);
		else
			p += strlen(p) + 1;
	}
}

void
deconstruct_array_builtin(ArrayType *array, Oid elmtype, Datum **elemsp,
						  bool **nullsp, int *nelemsp)
{
	int			elmlen;
	bool		elmbyval;
	char		elmalign;

	builtin_storage(elmtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(array, elmtype, elmlen, elmbyval, elmalign,
					  elemsp, nullsp, nelemsp);
}

static Size
elem_size(Datum d, int elmlen)
{
	if (elmlen > 0)
		return elmlen;
	if (elmlen == -1)
		return VARSIZE_ANY(DatumGetPointer(d));
	return strlen(DatumGetCString(d)) + 1;
}

ArrayType *
construct_array(Datum *elems, int nelems, Oid elmtype, int elmlen,
				bool elmbyval, char elmalign)
{
	Size		alignto = align_of(elmalign);
	Size		nbytes = 0;
	Size		total;
	ArrayType  *result;
	char	   *p;

	if (nelems <= 0)
		return construct_empty_array(elmtype);
	for (int i = 0; i < nelems; i++)
		nbytes = TYPEALIGN(alignto, nbytes) + elem_size(elems[i], elmlen);
	total = ARR_OVERHEAD_NONULLS(1) + nbytes;
	result = (ArrayType *) palloc0(total);
	SET_VARSIZE(result, total);
	result->ndim = 1;
	result->dataoffset = 0;
	result->elemtype = elmtype;
	ARR_DIMS(result)[0] = nelems;
	ARR_LBOUND(result)[0] = 1;
	p = ARR_DATA_PTR(result);
	for (int i = 0; i < nelems; i++)
	{
		Size		sz = elem_size(elems[i], elmlen);

		p = (char *) TYPEALIGN(alignto, p);
		if (elmbyval)
		{
			switch (elmlen)
			{
				case 1:
					*p = DatumGetChar(elems[i]);
					break;
				case 2:
					*(int16 *) p = DatumGetInt16(elems[i]);
					break;
				case 4:
					*(int32 *) p = DatumGetInt32(elems[i]);
					break;
				default:
					*(int64 *) p = DatumGetInt64(elems[i]);
					break;
			}
		}
		else
			memcpy(p, DatumGetPointer(elems[i]), sz);
		p += sz;
	}
	return result;
}

ArrayType *
construct_array_builtin(Datum *elems, int nelems, Oid elmtype)
{
	int			elmlen;
	bool		elmbyval;
	char		elmalign;

	builtin_storage(elmtype, &elmlen, &elmbyval, &elmalign);
	return construct_array(elems, nelems, elmtype, elmlen, elmbyval, elmalign);
}

ArrayType *
construct_empty_array(Oid elmtype)
{
	ArrayType  *result = (ArrayType *) palloc0(sizeof(ArrayType));

	SET_VARSIZE(result, sizeof(ArrayType));
	result->ndim = 0;
	result->dataoffset = 0;
	result->elemtype = elmtype;
	return result;
}
