/*-------------------------------------------------------------------------
 *
 * datum.c
 *	  The values of SPI results and parameters: the server's text form
 *	  turned into Datums in PostgreSQL's in-memory representation, and
 *	  back, through the runtime's one table of built-in types
 *	  (cshim/adt/typio.c: bool, int2/4/8, float4/8, oid, xid, cid, name,
 *	  text, varchar, bpchar, json, xml, bytea, "char", date, time,
 *	  timestamp, timestamptz, interval, uuid, void, and one-dimensional
 *	  arrays of them).  Any other type is still readable as text
 *	  (SPI_getvalue); SPI_getbinval on it raises an ERROR that names the
 *	  type.  The names of types the table does not know are asked of the
 *	  server once.
 *
 *	  Results come in text format, because SPI_getvalue must give the
 *	  server's own output for every type; a column is converted the first
 *	  time it is read as a Datum, into the memory context of its row.
 *	  Dates and times are read in the ISO DateStyle and the postgres
 *	  IntervalStyle (the server's defaults; the session reports them, and
 *	  another style gives an ERROR rather than a wrong value), a
 *	  timestamptz with the offset the server printed.
 *
 *	  Worker child only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "bgw_internal.h"
#include "catalog/pg_type_d.h"
#include "datatype/timestamp.h"
#include "dbconn_int.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "varatt.h"

/*
 * The server prints dates and times in its DateStyle and intervals in its
 * IntervalStyle; the type table reads ISO and postgres, the defaults.
 * Another style is an ERROR, never a wrong value.
 */
static void
require_default_styles(Oid typid)
{
	const char *v;

	if (bgw_db_conn == NULL)
		return;
	if (typid == DATEOID || typid == TIMESTAMPOID || typid == TIMESTAMPTZOID)
	{
		v = bgw_pq.PQparameterStatus(bgw_db_conn, "DateStyle");
		if (v != NULL && strncmp(v, "ISO", 3) != 0)
			ereport(ERROR,
					errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("cannot convert a value of type %s with DateStyle \"%s\"", bgw_type_name(typid), v),
					errhint("Read it with SPI_getvalue, or SET DateStyle TO ISO."));
	}
	else if (typid == INTERVALOID)
	{
		v = bgw_pq.PQparameterStatus(bgw_db_conn, "IntervalStyle");
		if (v != NULL && strcmp(v, "postgres") != 0)
			ereport(ERROR,
					errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("cannot convert a value of type interval with IntervalStyle \"%s\"", v),
					errhint("Read it with SPI_getvalue, or SET IntervalStyle TO postgres."));
	}
}

/* Names of other types, asked of the server once (TopMemoryContext). */
typedef struct TypeNameCache
{
	Oid			oid;
	char	   *sqlname;
	char	   *typname;
} TypeNameCache;

static TypeNameCache name_cache[32];
static int	name_cache_used = 0;

static TypeNameCache *
server_type_names(Oid typid)
{
	char		buf[16];
	char	   *sqlname = NULL;
	char	   *typname = NULL;
	MemoryContext old;
	TypeNameCache *e;

	for (int i = 0; i < name_cache_used; i++)
		if (name_cache[i].oid == typid)
			return &name_cache[i];
	/* a look-up is impossible without a connection or in a failed transaction */
	if (bgw_db_conn == NULL || bgw_pq.PQstatus(bgw_db_conn) != CONNECTION_OK ||
		bgw_pq.PQtransactionStatus(bgw_db_conn) == PQTRANS_INERROR)
		return NULL;
	snprintf(buf, sizeof(buf), "%u", typid);
	sqlname = bgw_db_lookup("SELECT pg_catalog.format_type($1::pg_catalog.oid, NULL)", buf);
	typname = bgw_db_lookup("SELECT typname FROM pg_catalog.pg_type WHERE oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid", buf);
	if (sqlname == NULL || typname == NULL)
		return NULL;
	e = &name_cache[name_cache_used < (int) lengthof(name_cache) ? name_cache_used++ : 0];
	old = MemoryContextSwitchTo(TopMemoryContext);
	e->oid = typid;
	e->sqlname = pstrdup(sqlname);
	e->typname = pstrdup(typname);
	MemoryContextSwitchTo(old);
	return e;
}

char *
bgw_type_name(Oid typid)
{
	const BgwTypeInfo *t = bgw_type_by_oid(typid);
	TypeNameCache *e;

	if (t != NULL)
		return t->elem_oid != InvalidOid ? psprintf("%s[]", t->sqlname) : pstrdup(t->sqlname);
	e = server_type_names(typid);
	if (e != NULL)
		return pstrdup(e->sqlname);
	return psprintf("type with OID %u", typid);
}

char *
format_type_be(Oid type_oid)
{
	return bgw_type_name(type_oid);
}

char *
format_type_with_typemod(Oid type_oid, int32 typemod)
{
	char		b1[16],
				b2[16];
	const char *values[2];
	BgwStatement st = {0};
	PGresult   *res;
	char	   *result;

	if (typemod < 0 || bgw_db_conn == NULL)
		return bgw_type_name(type_oid);
	snprintf(b1, sizeof(b1), "%u", type_oid);
	snprintf(b2, sizeof(b2), "%d", typemod);
	values[0] = b1;
	values[1] = b2;
	st.sql = "SELECT pg_catalog.format_type($1::pg_catalog.oid, $2::pg_catalog.int4)";
	st.nparams = 2;
	st.paramvalues = values;
	st.in_transaction = IsTransactionState();
	res = bgw_db_run(&st);
	result = pstrdup(bgw_pq.PQgetvalue(res, 0, 0));
	bgw_pq.PQclear(res);
	return result;
}

/* pg_type.typname of typid (SPI_gettype), palloc'd; NULL if unknown. */
char *
bgw_type_typname(Oid typid)
{
	const BgwTypeInfo *t = bgw_type_by_oid(typid);
	TypeNameCache *e;

	if (t != NULL)
		return t->elem_oid != InvalidOid ? psprintf("_%s", t->name) : pstrdup(t->name);
	e = server_type_names(typid);
	return e ? pstrdup(e->typname) : NULL;
}

/* ---- results ---- */

TupleDesc
bgw_tupdesc_from_result(const PGresult *res)
{
	int			natts = bgw_pq.PQnfields(res);
	TupleDesc	desc = CreateTemplateTupleDesc(natts);

	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			typid = bgw_pq.PQftype(res, i);
		const BgwTypeInfo *t = bgw_type_by_oid(typid);

		strlcpy(NameStr(att->attname), bgw_pq.PQfname(res, i), NAMEDATALEN);
		att->atttypid = typid;
		att->atttypmod = bgw_pq.PQfmod(res, i);
		att->attnum = i + 1;
		att->attlen = t ? t->len : -1;
		att->attbyval = t ? t->byval : false;
		att->attalign = t ? t->align : TYPALIGN_INT;
		att->attstorage = (att->attlen == -1) ? TYPSTORAGE_EXTENDED : TYPSTORAGE_PLAIN;
		att->attcacheoff = -1;
		att->attislocal = true;
	}
	return desc;
}

/* CreateTemplateTupleDesc and friends are funcapi.c's (cshim/adt). */

/*
 * SPI rows and the rows of heap_form_tuple (cshim/adt/funcapi.c) share
 * HeapTupleData; an SPI row carries this mark in t_self (the other kind
 * has it zero), so that heap_copytuple and heap_getattr take either.
 */
#define SPI_ROW_MARK 0xB6B6

bool
bgw_is_spi_row(HeapTuple tuple)
{
	return tuple->t_self.ip_blkid_hi == SPI_ROW_MARK &&
		tuple->t_self.ip_blkid_lo == SPI_ROW_MARK &&
		tuple->t_self.ip_posid == SPI_ROW_MARK;
}

#define is_spi_row(tuple) bgw_is_spi_row(tuple)

/* funcapi.c: a copy of a row heap_form_tuple built. */
extern HeapTuple bgw_formed_tuple_copy(HeapTuple tuple);

/*
 * A row in one allocation: the HeapTupleData, the BgwRow, its arrays and
 * the columns' text.
 */

static HeapTuple
make_tuple(int natts, const char *const *text, const int *lens)
{
	Size		size = MAXALIGN(sizeof(HeapTupleData)) + MAXALIGN(sizeof(BgwRow)) +
		MAXALIGN(natts * sizeof(Datum)) + MAXALIGN(natts * sizeof(char *)) +
		MAXALIGN(natts);
	HeapTuple	tuple;
	BgwRow	   *row;
	char	   *p;

	for (int i = 0; i < natts; i++)
		if (text[i] != NULL)
			size += lens[i] + 1;
	p = palloc(size);
	tuple = (HeapTuple) p;
	p += MAXALIGN(sizeof(HeapTupleData));
	row = (BgwRow *) p;
	p += MAXALIGN(sizeof(BgwRow));
	row->natts = natts;
	row->values = (Datum *) p;
	p += MAXALIGN(natts * sizeof(Datum));
	row->text = (char **) p;
	p += MAXALIGN(natts * sizeof(char *));
	row->state = (uint8 *) p;
	p += MAXALIGN(natts);
	for (int i = 0; i < natts; i++)
	{
		row->state[i] = BGW_COL_TEXT;
		row->values[i] = (Datum) 0;
		if (text[i] == NULL)
			row->text[i] = NULL;
		else
		{
			row->text[i] = p;
			memcpy(p, text[i], lens[i]);
			p[lens[i]] = '\0';
			p += lens[i] + 1;
		}
	}
	/* marked as an SPI row: heap_form_tuple's rows have t_self zero */
	tuple->t_self.ip_blkid_hi = SPI_ROW_MARK;
	tuple->t_self.ip_blkid_lo = SPI_ROW_MARK;
	tuple->t_self.ip_posid = SPI_ROW_MARK;
	tuple->t_tableOid = InvalidOid;
	tuple->t_len = (uint32) size;
	tuple->t_data = (HeapTupleHeader) row;
	return tuple;
}


HeapTuple
bgw_tuple_from_result(const PGresult *res, int rowno)
{
	int			natts = bgw_pq.PQnfields(res);
	const char *text[natts > 0 ? natts : 1];
	int			lens[natts > 0 ? natts : 1];

	for (int i = 0; i < natts; i++)
	{
		if (bgw_pq.PQgetisnull(res, rowno, i))
			text[i] = NULL;
		else
		{
			text[i] = bgw_pq.PQgetvalue(res, rowno, i);
			lens[i] = bgw_pq.PQgetlength(res, rowno, i);
		}
	}
	return make_tuple(natts, text, lens);
}

/*
 * A copy of tuple in the current context: an SPI row (values converted
 * again on use), or a row heap_form_tuple built (cshim/adt/funcapi.c).
 */
HeapTuple
heap_copytuple(HeapTuple tuple)
{
	BgwRow	   *row;
	int			natts;

	if (tuple == NULL || tuple->t_data == NULL)
		return NULL;
	if (!is_spi_row(tuple))
		return bgw_formed_tuple_copy(tuple);
	row = (BgwRow *) tuple->t_data;
	natts = row->natts;
	{
		const char *text[natts > 0 ? natts : 1];
		int			lens[natts > 0 ? natts : 1];

		for (int i = 0; i < natts; i++)
		{
			text[i] = row->text[i];
			lens[i] = text[i] ? (int) strlen(text[i]) : 0;
		}
		return make_tuple(natts, text, lens);
	}
}

void
heap_freetuple(HeapTuple htup)
{
	pfree(htup);
}

Datum
bgw_tuple_getattr(HeapTuple tuple, TupleDesc tupdesc, int fnumber, bool *isnull)
{
	BgwRow	   *row = (BgwRow *) tuple->t_data;
	Oid			typid;
	const BgwTypeInfo *t;
	MemoryContext old;
	Datum		d;

	if (row->text[fnumber - 1] == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	if (row->state[fnumber - 1] == BGW_COL_DATUM)
		return row->values[fnumber - 1];
	typid = TupleDescAttr(tupdesc, fnumber - 1)->atttypid;
	t = bgw_type_by_oid(typid);
	if (t == NULL || !bgw_type_has_io(t))
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("cannot convert a value of type %s to its in-memory form",
					   bgw_type_name(typid)),
				errdetail("Column \"%s\" is read from the database server as text, and bgworker has no in-memory form for this type.",
						  NameStr(TupleDescAttr(tupdesc, fnumber - 1)->attname)),
				errhint("Read the value with SPI_getvalue, or cast it in the query to a type such as text, bigint or double precision."));
	/* by-reference values live as long as their row */
	old = MemoryContextSwitchTo(GetMemoryChunkContext(tuple));
	require_default_styles(typid);
	d = bgw_type_input(t, row->text[fnumber - 1]);
	MemoryContextSwitchTo(old);
	row->values[fnumber - 1] = d;
	row->state[fnumber - 1] = BGW_COL_DATUM;
	return d;
}

Datum
heap_getattr(HeapTuple tup, int attnum, TupleDesc tupleDesc, bool *isnull)
{
	if (attnum <= 0 || attnum > tupleDesc->natts)
		elog(ERROR, "invalid attribute number %d", attnum);
	if (!is_spi_row(tup))
	{
		/* a row heap_form_tuple built */
		Datum	   *values = palloc(sizeof(Datum) * tupleDesc->natts);
		bool	   *nulls = palloc(sizeof(bool) * tupleDesc->natts);
		Datum		d;

		heap_deform_tuple(tup, tupleDesc, values, nulls);
		*isnull = nulls[attnum - 1];
		d = values[attnum - 1];
		pfree(values);
		pfree(nulls);
		return d;
	}
	return bgw_tuple_getattr(tup, tupleDesc, attnum, isnull);
}

bool
heap_attisnull(HeapTuple tup, int attnum, TupleDesc tupleDesc)
{
	BgwRow	   *row = (BgwRow *) tup->t_data;

	if (!is_spi_row(tup))
	{
		bool		isnull;

		(void) heap_getattr(tup, attnum, tupleDesc, &isnull);
		return isnull;
	}

	if (attnum <= 0 || attnum > row->natts)
		return true;
	return row->text[attnum - 1] == NULL;
}

char *
bgw_datum_to_text(Datum value, Oid typid)
{
	const BgwTypeInfo *t = bgw_type_by_oid(typid);

	if (t == NULL || !bgw_type_has_io(t))
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("cannot send a parameter of type %s from its in-memory form",
					   bgw_type_name(typid)),
				errhint("Pass the value as text and cast it in the query."));
	return bgw_type_output(t, value);
}
