/*-------------------------------------------------------------------------
 *
 * tupdesc.h
 *	  Tuple descriptors with PostgreSQL 17's names: the row type of an SPI
 *	  result (SPI_tuptable->tupdesc).  Each column is a
 *	  FormData_pg_attribute; the fields a module reads (attname, atttypid,
 *	  atttypmod, attlen, attbyval, attnum, attisdropped) are filled from
 *	  the server's row description.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TUPDESC_H
#define TUPDESC_H

typedef int16 AttrNumber;

/* One column of a row type (the fixed part of pg_attribute). */
typedef struct FormData_pg_attribute
{
	Oid			attrelid;		/* table the column belongs to, or 0 */
	NameData	attname;		/* column name */
	Oid			atttypid;		/* type */
	int16		attlen;			/* type's length: > 0 fixed, -1 varlena, -2 cstring */
	int16		attnum;			/* column number, from 1 */
	int32		attcacheoff;	/* unused here; -1 */
	int32		atttypmod;		/* type modifier, -1 if none */
	int16		attndims;		/* array dimensions, 0 if not an array */
	bool		attbyval;		/* passed by value? */
	char		attalign;		/* TYPALIGN_* */
	char		attstorage;		/* TYPSTORAGE_* */
	char		attcompression; /* unused here; '\0' */
	bool		attnotnull;		/* unknown here; false */
	bool		atthasdef;		/* unknown here; false */
	bool		atthasmissing;	/* false */
	char		attidentity;	/* '\0' */
	char		attgenerated;	/* '\0' */
	bool		attisdropped;	/* never true in a result */
	bool		attislocal;		/* true */
	int16		attinhcount;	/* 0 */
	Oid			attcollation;	/* 0: unknown here */
} FormData_pg_attribute;

typedef FormData_pg_attribute *Form_pg_attribute;

typedef struct TupleConstr TupleConstr;

typedef struct TupleDescData
{
	int			natts;			/* number of columns */
	Oid			tdtypeid;		/* composite type of the row, RECORDOID here */
	int32		tdtypmod;		/* -1 */
	int			tdrefcount;		/* -1: not reference-counted */
	TupleConstr *constr;		/* NULL */
	FormData_pg_attribute attrs[FLEXIBLE_ARRAY_MEMBER];
} TupleDescData;

typedef struct TupleDescData *TupleDesc;

/* Column i (from 0) of tupdesc. */
#define TupleDescAttr(tupdesc, i) (&(tupdesc)->attrs[(i)])

extern TupleDesc CreateTemplateTupleDesc(int natts);
extern TupleDesc CreateTupleDescCopy(TupleDesc tupdesc);
extern void FreeTupleDesc(TupleDesc tupdesc);
extern void TupleDescInitEntry(TupleDesc desc, AttrNumber attributeNumber,
							   const char *attributeName, Oid oidtypeid,
							   int32 typmod, int attdim);

#endif							/* TUPDESC_H */
