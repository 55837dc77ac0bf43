/*-------------------------------------------------------------------------
 *
 * typio.c
 *	  The types a session can pass to a SQL-callable function and print
 *	  back, with their input and output functions: a caller's text literal
 *	  becomes a Datum as PostgreSQL's input function would make it (same
 *	  accepted forms, same error messages), and a result becomes PostgreSQL's
 *	  text form.  Scalars: bool, int2, int4, int8, float4, float8, oid,
 *	  xid, cid, text, varchar, bpchar, json, xml, name, bytea, "char",
 *	  uuid, date, time, timestamp, timestamptz, interval (datetime.c),
 *	  void, cstring; and one-dimensional arrays of them ("int4[]").  Some
 *	  more types are known by name and layout only (numeric, jsonb, ...).
 *
 *	  The one table of built-in types: a session's arguments and results,
 *	  and the Datums of SPI results and parameters (dbconn/datum.c) all
 *	  convert through it.  Pure functions on memory, any process.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "adt_int.h"
#include "catalog/pg_type_d.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "varatt.h"

typedef Datum (*type_in_fn) (const BgwTypeInfo *t, const char *str);
typedef char *(*type_out_fn) (const BgwTypeInfo *t, Datum d);

static Datum bool_in(const BgwTypeInfo *t, const char *s);
static char *bool_out(const BgwTypeInfo *t, Datum d);
static Datum int_in(const BgwTypeInfo *t, const char *s);
static char *int_out(const BgwTypeInfo *t, Datum d);
static Datum float_in(const BgwTypeInfo *t, const char *s);
static char *float_out(const BgwTypeInfo *t, Datum d);
static Datum text_in(const BgwTypeInfo *t, const char *s);
static char *text_out(const BgwTypeInfo *t, Datum d);
static Datum name_in(const BgwTypeInfo *t, const char *s);
static char *name_out(const BgwTypeInfo *t, Datum d);
static Datum bytea_in(const BgwTypeInfo *t, const char *s);
static char *bytea_out(const BgwTypeInfo *t, Datum d);
static Datum cstring_in(const BgwTypeInfo *t, const char *s);
static char *cstring_out(const BgwTypeInfo *t, Datum d);
static Datum char_in(const BgwTypeInfo *t, const char *s);
static char *char_out(const BgwTypeInfo *t, Datum d);
static Datum uuid_in(const BgwTypeInfo *t, const char *s);
static char *uuid_out(const BgwTypeInfo *t, Datum d);
static Datum void_in(const BgwTypeInfo *t, const char *s);
static char *void_out(const BgwTypeInfo *t, Datum d);

/*
 * PostgreSQL's OIDs for the types and their array types.  A type with no
 * input function has no in-memory form here: it is known by name and
 * layout only (for messages, SPI_gettype and tuple descriptors).
 */
static const struct
{
	BgwTypeInfo info;
	type_in_fn	in;
	type_out_fn out;
}			types[] = {
	{{"bool", "boolean", BOOLOID, 1000, 1, true, 'c'}, bool_in, bool_out},
	{{"int2", "smallint", INT2OID, 1005, 2, true, 's'}, int_in, int_out},
	{{"int4", "integer", INT4OID, 1007, 4, true, 'i'}, int_in, int_out},
	{{"int8", "bigint", INT8OID, 1016, 8, true, 'd'}, int_in, int_out},
	{{"oid", "oid", OIDOID, 1028, 4, true, 'i'}, int_in, int_out},
	{{"xid", "xid", XIDOID, 1011, 4, true, 'i'}, int_in, int_out},
	{{"cid", "cid", CIDOID, 1012, 4, true, 'i'}, int_in, int_out},
	{{"float4", "real", FLOAT4OID, 1021, 4, true, 'i'}, float_in, float_out},
	{{"float8", "double precision", FLOAT8OID, 1022, 8, true, 'd'}, float_in, float_out},
	{{"text", "text", TEXTOID, 1009, -1, false, 'i'}, text_in, text_out},
	{{"varchar", "character varying", VARCHAROID, 1015, -1, false, 'i'}, text_in, text_out},
	{{"bpchar", "character", BPCHAROID, 1014, -1, false, 'i'}, text_in, text_out},
	{{"json", "json", JSONOID, 199, -1, false, 'i'}, text_in, text_out},
	{{"xml", "xml", XMLOID, 143, -1, false, 'i'}, text_in, text_out},
	{{"name", "name", NAMEOID, 1003, NAMEDATALEN, false, 'c'}, name_in, name_out},
	{{"bytea", "bytea", BYTEAOID, 1001, -1, false, 'i'}, bytea_in, bytea_out},
	{{"char", "\"char\"", CHAROID, 1002, 1, true, 'c'}, char_in, char_out},
	{{"uuid", "uuid", UUIDOID, 2951, 16, false, 'c'}, uuid_in, uuid_out},
	{{"date", "date", DATEOID, 1182, 4, true, 'i'}, bgw_date_in, bgw_date_out},
	{{"time", "time without time zone", TIMEOID, 1183, 8, true, 'd'}, bgw_time_in, bgw_time_out},
	{{"timestamp", "timestamp without time zone", TIMESTAMPOID, 1115, 8, true, 'd'}, bgw_timestamp_in, bgw_timestamp_out},
	{{"timestamptz", "timestamp with time zone", TIMESTAMPTZOID, 1185, 8, true, 'd'}, bgw_timestamptz_in, bgw_timestamptz_out},
	{{"interval", "interval", INTERVALOID, 1187, 16, false, 'd'}, bgw_interval_in, bgw_interval_out},
	{{"void", "void", VOIDOID, InvalidOid, 4, true, 'i'}, void_in, void_out},
	{{"cstring", "cstring", CSTRINGOID, 1263, -2, false, 'c'}, cstring_in, cstring_out},
	/* known by name and layout only */
	{{"unknown", "unknown", UNKNOWNOID, InvalidOid, -2, false, 'c'}, NULL, NULL},
	{{"numeric", "numeric", NUMERICOID, 1231, -1, false, 'i'}, NULL, NULL},
	{{"jsonb", "jsonb", JSONBOID, 3807, -1, false, 'i'}, NULL, NULL},
	{{"timetz", "time with time zone", TIMETZOID, 1270, 12, false, 'd'}, NULL, NULL},
	{{"money", "money", MONEYOID, 791, 8, true, 'd'}, NULL, NULL},
	{{"inet", "inet", INETOID, 1041, -1, false, 'i'}, NULL, NULL},
	{{"cidr", "cidr", CIDROID, 651, -1, false, 'i'}, NULL, NULL},
	{{"record", "record", RECORDOID, 2287, -1, false, 'd'}, NULL, NULL},
	{{"regclass", "regclass", REGCLASSOID, 2210, 4, true, 'i'}, NULL, NULL},
	{{"regtype", "regtype", REGTYPEOID, 2211, 4, true, 'i'}, NULL, NULL},
	{{"regproc", "regproc", REGPROCOID, 1008, 4, true, 'i'}, NULL, NULL},
	{{"pg_lsn", "pg_lsn", PG_LSNOID, 3221, 8, true, 'd'}, NULL, NULL},
	{{"xid8", "xid8", XID8OID, 271, 8, true, 'd'}, NULL, NULL},
};

#define NTYPES lengthof(types)

/* The array types, filled on first use from the table above. */
static BgwTypeInfo array_types[NTYPES];

static int
scalar_index_by_oid(Oid oid)
{
	for (int i = 0; i < (int) NTYPES; i++)
		if (types[i].info.oid == oid)
			return i;
	return -1;
}

/*
 * The type called name ("int4", "int4[]", or the SQL spellings
 * "integer", "bigint", ... with or without "[]"), or NULL.
 */
const BgwTypeInfo *
bgw_type_lookup(const char *name)
{
	char		base[64];
	size_t		len = strlen(name);
	bool		isarray = false;

	if (len >= sizeof(base))
		return NULL;
	strlcpy(base, name, sizeof(base));
	if (len > 2 && strcmp(base + len - 2, "[]") == 0)
	{
		base[len - 2] = '\0';
		isarray = true;
	}
	for (int i = 0; i < (int) NTYPES; i++)
	{
		if (strcmp(types[i].info.name, base) != 0 &&
			strcmp(types[i].info.sqlname, base) != 0)
			continue;
		if (types[i].in == NULL)
			return NULL;
		if (!isarray)
			return &types[i].info;
		if (types[i].info.array_oid == InvalidOid || types[i].info.len == -2)
			return NULL;
		if (array_types[i].name == NULL)
		{
			array_types[i] = types[i].info;
			array_types[i].oid = types[i].info.array_oid;
			array_types[i].elem_oid = types[i].info.oid;
			array_types[i].array_oid = InvalidOid;
			array_types[i].len = -1;
			array_types[i].byval = false;
			array_types[i].align = types[i].info.align == 'd' ? 'd' : 'i';
		}
		return &array_types[i];
	}
	return NULL;
}

/* Length, by-value and alignment of a scalar type OID; false if unknown. */
bool
bgw_type_layout(Oid oid, int16 *len, bool *byval, char *align)
{
	int			i = scalar_index_by_oid(oid);

	if (i < 0)
		return false;
	*len = types[i].info.len;
	*byval = types[i].info.byval;
	*align = types[i].info.align;
	return true;
}

static Datum array_in(const BgwTypeInfo *t, const char *s);
static char *array_out(const BgwTypeInfo *t, Datum d);

/* Whether values of type t convert here (to and from text). */
bool
bgw_type_has_io(const BgwTypeInfo *t)
{
	int			i = scalar_index_by_oid(t->elem_oid != InvalidOid ? t->elem_oid : t->oid);

	return i >= 0 && types[i].in != NULL;
}

static void
no_io(const BgwTypeInfo *t)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("type %s has no in-memory form in bgworker", t->sqlname)));
}

/* The caller's literal as a Datum of type t; ERROR on bad input. */
Datum
bgw_type_input(const BgwTypeInfo *t, const char *str)
{
	int			i;

	if (t->elem_oid != InvalidOid)
		return array_in(t, str);
	i = scalar_index_by_oid(t->oid);
	if (i < 0 || types[i].in == NULL)
		no_io(t);
	return types[i].in(t, str);
}

/* A value of type t in its text form (palloc'd). */
char *
bgw_type_output(const BgwTypeInfo *t, Datum d)
{
	int			i;

	if (t->elem_oid != InvalidOid)
		return array_out(t, d);
	i = scalar_index_by_oid(t->oid);
	if (i < 0 || types[i].out == NULL)
		no_io(t);
	return types[i].out(t, d);
}

void
bgw_invalid_syntax(const BgwTypeInfo *t, const char *s)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", t->sqlname, s)));
}

/* ---- bool ---- */

static Datum
bool_in(const BgwTypeInfo *t, const char *s)
{
	const char *p = s;
	size_t		len;
	char		buf[8];

	while (isspace((unsigned char) *p))
		p++;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char) p[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		bgw_invalid_syntax(t, s);
	for (size_t i = 0; i < len; i++)
		buf[i] = tolower((unsigned char) p[i]);
	buf[len] = '\0';

	/* PostgreSQL's forms: any unique prefix of true/false/yes/no, on/off, 1/0 */
	if (strncmp(buf, "true", len) == 0 || strncmp(buf, "yes", len) == 0 ||
		strcmp(buf, "on") == 0 || strcmp(buf, "1") == 0)
		return BoolGetDatum(true);
	if (strncmp(buf, "false", len) == 0 || strncmp(buf, "no", len) == 0 ||
		(len >= 2 && strncmp(buf, "off", len) == 0) || strcmp(buf, "0") == 0)
		return BoolGetDatum(false);
	bgw_invalid_syntax(t, s);
	return (Datum) 0;
}

static char *
bool_out(const BgwTypeInfo *t, Datum d)
{
	return pstrdup(DatumGetBool(d) ? "t" : "f");
}

/* ---- integers and oid ---- */

static Datum
int_in(const BgwTypeInfo *t, const char *s)
{
	const char *p = s;
	char	   *end;
	bool		neg = false;
	unsigned long long v;
	int			base = 10;

	while (isspace((unsigned char) *p))
		p++;
	if (*p == '-' || *p == '+')
	{
		neg = (*p == '-');
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
	{
		base = 16;
		p += 2;
	}
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
	{
		base = 8;
		p += 2;
	}
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
	{
		base = 2;
		p += 2;
	}
	if (!isalnum((unsigned char) *p))
		bgw_invalid_syntax(t, s);
	errno = 0;
	v = strtoull(p, &end, base);
	if (end == p)
		bgw_invalid_syntax(t, s);
	while (isspace((unsigned char) *end))
		end++;
	if (*end != '\0')
		bgw_invalid_syntax(t, s);

	if (t->len == 4 && t->oid != INT4OID)	/* oid, xid, cid: unsigned 32 bits, "-1" wraps */
	{
		if (errno == ERANGE || v > PG_UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type %s", s, t->sqlname)));
		return ObjectIdGetDatum((Oid) (neg ? -(int64) v : (int64) v));
	}
	{
		unsigned long long limit = t->len == 2 ? 32767ULL :
			t->len == 4 ? 2147483647ULL : 9223372036854775807ULL;
		int64		val;

		if (errno == ERANGE || v > limit + (neg ? 1 : 0))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type %s", s, t->sqlname)));
		val = neg ? (int64) (0 - v) : (int64) v;
		switch (t->len)
		{
			case 2:
				return Int16GetDatum((int16) val);
			case 4:
				return Int32GetDatum((int32) val);
			default:
				return Int64GetDatum(val);
		}
	}
}

static char *
int_out(const BgwTypeInfo *t, Datum d)
{
	if (t->len == 4 && t->oid != INT4OID)
		return psprintf("%u", DatumGetObjectId(d));
	switch (t->len)
	{
		case 2:
			return psprintf("%d", (int) DatumGetInt16(d));
		case 4:
			return psprintf("%d", DatumGetInt32(d));
		default:
			return psprintf(INT64_FORMAT, DatumGetInt64(d));
	}
}

/* ---- float4, float8 ---- */

static Datum
float_in(const BgwTypeInfo *t, const char *s)
{
	const char *p = s;
	char	   *end;
	double		v;

	while (isspace((unsigned char) *p))
		p++;
	if (*p == '\0')
		bgw_invalid_syntax(t, s);
	errno = 0;
	if (t->len == 4)
		v = strtof(p, &end);
	else
		v = strtod(p, &end);
	if (end == p)
		bgw_invalid_syntax(t, s);
	if (errno == ERANGE && (v == 0.0 || isinf(v)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" is out of range for type %s", s, t->sqlname)));
	while (isspace((unsigned char) *end))
		end++;
	if (*end != '\0')
		bgw_invalid_syntax(t, s);
	if (t->len == 4)
		return Float4GetDatum((float4) v);
	return Float8GetDatum(v);
}

/* The shortest text that reads back as the same value, as PostgreSQL 12+. */
static char *
float_out(const BgwTypeInfo *t, Datum d)
{
	double		v = t->len == 4 ? (double) DatumGetFloat4(d) : DatumGetFloat8(d);
	char		buf[64];

	if (isnan(v))
		return pstrdup("NaN");
	if (isinf(v))
		return pstrdup(v > 0 ? "Infinity" : "-Infinity");
	for (int prec = 1; prec <= 17; prec++)
	{
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (t->len == 4 ? strtof(buf, NULL) == (float) v : strtod(buf, NULL) == v)
			break;
	}
	return pstrdup(buf);
}

/* ---- text, varchar, name, cstring ---- */

static Datum
text_in(const BgwTypeInfo *t, const char *s)
{
	return PointerGetDatum(cstring_to_text(s));
}

static char *
text_out(const BgwTypeInfo *t, Datum d)
{
	return text_to_cstring((text *) DatumGetPointer(d));
}

static Datum
name_in(const BgwTypeInfo *t, const char *s)
{
	NameData   *n = palloc0(sizeof(NameData));

	/* truncated to NAMEDATALEN - 1 bytes, as PostgreSQL does */
	strlcpy(NameStr(*n), s, NAMEDATALEN);
	return NameGetDatum(n);
}

static char *
name_out(const BgwTypeInfo *t, Datum d)
{
	return pnstrdup(DatumGetCString(d), NAMEDATALEN);
}

static Datum
cstring_in(const BgwTypeInfo *t, const char *s)
{
	return CStringGetDatum(pstrdup(s));
}

static char *
cstring_out(const BgwTypeInfo *t, Datum d)
{
	return pstrdup(DatumGetCString(d));
}

/* ---- "char": one byte; a high-bit byte is written \\ooo ---- */

static Datum
char_in(const BgwTypeInfo *t, const char *s)
{
	if (strlen(s) == 4 && s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
		return CharGetDatum((char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0')));
	return CharGetDatum(s[0]);
}

static char *
char_out(const BgwTypeInfo *t, Datum d)
{
	unsigned char c = (unsigned char) DatumGetChar(d);

	if (c == 0)
		return pstrdup("");
	if (IS_HIGHBIT_SET(c))
		return psprintf("\\%03o", c);
	return psprintf("%c", c);
}

/* ---- void: no value ---- */

static Datum
void_in(const BgwTypeInfo *t, const char *s)
{
	return (Datum) 0;
}

static char *
void_out(const BgwTypeInfo *t, Datum d)
{
	return pstrdup("");
}

/* ---- bytea: hex ("\x0102") or escape format in, hex out ---- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static Datum
bytea_in(const BgwTypeInfo *t, const char *s)
{
	size_t		len = strlen(s);
	bytea	   *result;
	char	   *out;

	if (s[0] == '\\' && s[1] == 'x')
	{
		result = palloc(VARHDRSZ + (len - 2) / 2 + 1);
		out = VARDATA(result);
		for (const char *p = s + 2; *p;)
		{
			int			hi,
						lo;

			if (isspace((unsigned char) *p))
			{
				p++;
				continue;
			}
			hi = hexval(p[0]);
			if (hi < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid hexadecimal digit: \"%.*s\"", 1, p)));
			lo = p[1] ? hexval(p[1]) : -1;
			if (lo < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 p[1] ? errmsg("invalid hexadecimal digit: \"%.*s\"", 1, p + 1) :
						 errmsg("invalid hexadecimal data: odd number of digits")));
			*out++ = (char) (hi << 4 | lo);
			p += 2;
		}
		SET_VARSIZE(result, out - (char *) result);
		return PointerGetDatum(result);
	}

	result = palloc(VARHDRSZ + len + 1);
	out = VARDATA(result);
	for (const char *p = s; *p;)
	{
		if (p[0] != '\\')
			*out++ = *p++;
		else if (p[1] == '\\')
		{
			*out++ = '\\';
			p += 2;
		}
		else if (p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
				 p[3] >= '0' && p[3] <= '7')
		{
			*out++ = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
			p += 4;
		}
		else
			bgw_invalid_syntax(t, s);
	}
	SET_VARSIZE(result, out - (char *) result);
	return PointerGetDatum(result);
}

static char *
bytea_out(const BgwTypeInfo *t, Datum d)
{
	bytea	   *b = (bytea *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	size_t		len = VARSIZE_ANY_EXHDR(b);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(b);
	char	   *result = palloc(len * 2 + 3);
	static const char hex[] = "0123456789abcdef";

	result[0] = '\\';
	result[1] = 'x';
	for (size_t i = 0; i < len; i++)
	{
		result[2 + 2 * i] = hex[p[i] >> 4];
		result[3 + 2 * i] = hex[p[i] & 0xf];
	}
	result[2 + 2 * len] = '\0';
	return result;
}

/* ---- uuid: 32 hex digits, hyphens anywhere between pairs, optional braces ---- */

#define UUID_LEN 16

static Datum
uuid_in(const BgwTypeInfo *t, const char *s)
{
	unsigned char *u = palloc(UUID_LEN);
	const char *p = s;
	int			n = 0;

	if (*p == '{')
		p++;
	while (*p && *p != '}' && n < UUID_LEN)
	{
		int			hi,
					lo;

		if (*p == '-')
		{
			p++;
			continue;
		}
		hi = hexval(p[0]);
		lo = p[1] ? hexval(p[1]) : -1;
		if (hi < 0 || lo < 0)
			bgw_invalid_syntax(t, s);
		u[n++] = (unsigned char) (hi * 16 + lo);
		p += 2;
	}
	if (n != UUID_LEN || (s[0] == '{' ? strcmp(p, "}") != 0 : *p != '\0'))
		bgw_invalid_syntax(t, s);
	return PointerGetDatum(u);
}

static char *
uuid_out(const BgwTypeInfo *t, Datum d)
{
	const unsigned char *u = (const unsigned char *) DatumGetPointer(d);

	return psprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
					u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* ---- one-dimensional arrays ---- */

static void
malformed_array(const char *s, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("malformed array literal: \"%s\"", s),
			 errdetail("%s", detail)));
}

static Datum
array_in(const BgwTypeInfo *t, const char *s)
{
	const BgwTypeInfo *et = NULL;
	const char *p = s;
	int			nalloc = 8;
	int			n = 0;
	Datum	   *values = palloc(sizeof(Datum) * nalloc);
	bool	   *nulls = palloc(sizeof(bool) * nalloc);
	int16		elen;
	bool		ebyval;
	char		ealign;
	StringInfoData buf;
	int			dims[1];
	int			lbs[1] = {1};

	for (int i = 0; i < (int) NTYPES; i++)
		if (types[i].info.oid == t->elem_oid)
			et = &types[i].info;
	Assert(et != NULL);
	(void) bgw_type_layout(et->oid, &elen, &ebyval, &ealign);

	while (isspace((unsigned char) *p))
		p++;
	if (*p != '{')
		malformed_array(s, "Array value must start with \"{\" or dimension information.");
	p++;
	initStringInfo(&buf);
	while (isspace((unsigned char) *p))
		p++;
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			bool		quoted = false;
			bool		isnull = false;

			resetStringInfo(&buf);
			while (isspace((unsigned char) *p))
				p++;
			if (*p == '{')
				malformed_array(s, "Only one-dimensional arrays are supported.");
			if (*p == '"')
			{
				quoted = true;
				p++;
				while (*p != '"')
				{
					if (*p == '\0')
						malformed_array(s, "Unexpected end of input.");
					if (*p == '\\' && p[1] != '\0')
						p++;
					appendStringInfoChar(&buf, *p++);
				}
				p++;
			}
			else
			{
				while (*p != ',' && *p != '}' && *p != '\0')
				{
					if (*p == '"' || *p == '{')
						malformed_array(s, "Unexpected array element.");
					if (*p == '\\' && p[1] != '\0')
						p++;
					appendStringInfoChar(&buf, *p++);
				}
				while (buf.len > 0 && isspace((unsigned char) buf.data[buf.len - 1]))
					buf.data[--buf.len] = '\0';
				if (buf.len == 0)
					malformed_array(s, "Unexpected \",\" character.");
				if (pg_strcasecmp(buf.data, "NULL") == 0)
					isnull = true;
			}
			while (isspace((unsigned char) *p))
				p++;
			if (n == nalloc)
			{
				nalloc *= 2;
				values = repalloc(values, sizeof(Datum) * nalloc);
				nulls = repalloc(nulls, sizeof(bool) * nalloc);
			}
			nulls[n] = isnull && !quoted;
			values[n] = nulls[n] ? (Datum) 0 : bgw_type_input(et, buf.data);
			n++;
			if (*p == ',')
			{
				p++;
				continue;
			}
			if (*p == '}')
			{
				p++;
				break;
			}
			malformed_array(s, "Unexpected end of input.");
		}
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		malformed_array(s, "Junk after closing right brace.");
	if (n == 0)
		return PointerGetDatum(construct_empty_array(et->oid));
	dims[0] = n;
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
											  et->oid, elen, ebyval, ealign));
}

static void
append_array_element(StringInfo out, const char *v)
{
	bool		quote = (*v == '\0' || pg_strcasecmp(v, "NULL") == 0);

	for (const char *c = v; *c && !quote; c++)
		if (*c == '{' || *c == '}' || *c == ',' || *c == '"' || *c == '\\' ||
			isspace((unsigned char) *c))
			quote = true;
	if (!quote)
	{
		appendStringInfoString(out, v);
		return;
	}
	appendStringInfoChar(out, '"');
	for (const char *c = v; *c; c++)
	{
		if (*c == '"' || *c == '\\')
			appendStringInfoChar(out, '\\');
		appendStringInfoChar(out, *c);
	}
	appendStringInfoChar(out, '"');
}

static char *
array_out(const BgwTypeInfo *t, Datum d)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	const BgwTypeInfo *et = NULL;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	StringInfoData out;

	for (int i = 0; i < (int) NTYPES; i++)
		if (types[i].info.oid == ARR_ELEMTYPE(a))
			et = &types[i].info;
	if (et == NULL)
		elog(ERROR, "cannot display an array of type %u", ARR_ELEMTYPE(a));
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot display a multidimensional array")));
	deconstruct_array_builtin(a, et->oid, &elems, &nulls, &n);
	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&out, ',');
		if (nulls[i])
			appendStringInfoString(&out, "NULL");
		else
			append_array_element(&out, bgw_type_output(et, elems[i]));
	}
	appendStringInfoChar(&out, '}');
	return out.data;
}

const BgwTypeInfo *
bgw_type_by_oid(Oid oid)
{
	for (int i = 0; i < (int) NTYPES; i++)
	{
		if (types[i].info.oid == oid)
			return &types[i].info;
		if (types[i].info.array_oid == oid)
		{
			char		name[72];

			snprintf(name, sizeof(name), "%s[]", types[i].info.name);
			return bgw_type_lookup(name);
		}
	}
	return NULL;
}
