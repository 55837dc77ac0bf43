/*-------------------------------------------------------------------------
 *
 * tupdesc.h
 *	  Tuple descriptors (PostgreSQL's access/tupdesc.h), as far as a
 *	  set-returning or record-returning SQL-callable function builds its
 *	  result: the columns' names and types.  Implemented in cshim/adt.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TUPDESC_H
#define TUPDESC_H

#include "postgres.h"

typedef int16 AttrNumber;

/* One column (bgworker's subset of pg_attribute). */
typedef struct FormData_pg_attribute
{
	Oid			attrelid;		/* always InvalidOid */
	NameData	attname;		/* column name */
	Oid			atttypid;		/* type OID */
	int16		attlen;			/* typlen */
	AttrNumber	attnum;			/* 1-based */
	int32		atttypmod;		/* -1 */
	int16		attndims;		/* declared array dimensions */
	bool		attbyval;		/* passed by value */
	char		attalign;		/* typalign */
	bool		attisdropped;	/* always false */
} FormData_pg_attribute;

typedef FormData_pg_attribute *Form_pg_attribute;

typedef struct TupleDescData
{
	int			natts;			/* number of columns */
	Oid			tdtypeid;		/* RECORDOID */
	int32		tdtypmod;		/* -1, or the blessed record's id */
	int			tdrefcount;		/* -1: not reference-counted */
	void	   *constr;			/* always NULL */
	FormData_pg_attribute attrs[FLEXIBLE_ARRAY_MEMBER];
} TupleDescData;

typedef struct TupleDescData *TupleDesc;

#define TupleDescAttr(tupdesc, i) (&(tupdesc)->attrs[(i)])

extern TupleDesc CreateTemplateTupleDesc(int natts);
extern TupleDesc CreateTupleDescCopy(TupleDesc tupdesc);
extern void FreeTupleDesc(TupleDesc tupdesc);
extern void TupleDescInitEntry(TupleDesc desc, AttrNumber attributeNumber,
							   const char *attributeName, Oid oidtypeid,
							   int32 typmod, int attdim);

#endif							/* TUPDESC_H */
