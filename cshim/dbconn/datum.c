/*-------------------------------------------------------------------------
 *
 * datum.c
 *	  The values of SPI results and parameters: the server's text form
 *	  turned into Datums in PostgreSQL's in-memory representation, and
 *	  back, for the built-in types a worker reads most (bool, int2/4/8,
 *	  float4/8, oid, xid, cid, name, text, varchar, bpchar, json, xml,
 *	  bytea, "char", date, time, timestamp, timestamptz, interval, uuid,
 *	  void).  Any other type is still readable as text (SPI_getvalue);
 *	  SPI_getbinval on it raises an ERROR that names the type.
 *
 *	  Results come in text format, because SPI_getvalue must give the
 *	  server's own output for every type; a column is converted the first
 *	  time it is read as a Datum, into the memory context of its row.
 *	  Dates and times are read in the ISO DateStyle and the postgres
 *	  IntervalStyle (the server's defaults; the session reports them), a
 *	  timestamptz with the offset the server printed.
 *
 *	  Worker child only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "datatype/timestamp.h"
#include "dbconn_int.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "varatt.h"

/* The in-memory forms PostgreSQL gives these types. */
typedef struct Interval
{
	TimeOffset	time;			/* all time units other than days, months and years */
	int32		day;			/* days, after time for alignment */
	int32		month;			/* months and years, after time for alignment */
} Interval;

typedef int32 DateADT;
typedef int64 TimeADT;

#define DATEVAL_NOBEGIN		((DateADT) PG_INT32_MIN)
#define DATEVAL_NOEND		((DateADT) PG_INT32_MAX)
#define UUID_LEN 16

typedef Datum (*text_to_datum_fn) (const char *s, Oid typid);
typedef char *(*datum_to_text_fn) (Datum d);

typedef struct BgwType
{
	Oid			oid;
	const char *typname;		/* pg_type.typname (SPI_gettype) */
	const char *sqlname;		/* format_type_be's name */
	int16		len;
	bool		byval;
	char		align;
	text_to_datum_fn in;		/* NULL: no in-memory form here */
	datum_to_text_fn out;
} BgwType;

/* ---- errors ---- */

static void
bad_input(const char *s, Oid typid) pg_attribute_noreturn();

static void
bad_input(const char *s, Oid typid)
{
	ereport(ERROR,
			errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			errmsg("invalid input syntax for type %s: \"%s\"", bgw_type_name(typid), s));
}

/* ---- numbers ---- */

static Datum
in_bool(const char *s, Oid typid)
{
	bool		b;

	if (!parse_bool(s, &b))
		bad_input(s, typid);
	return BoolGetDatum(b);
}

static char *
out_bool(Datum d)
{
	return pstrdup(DatumGetBool(d) ? "t" : "f");
}

static int64
parse_int(const char *s, Oid typid, int64 min, int64 max)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max)
		bad_input(s, typid);
	return (int64) v;
}

static Datum
in_int2(const char *s, Oid typid)
{
	return Int16GetDatum((int16) parse_int(s, typid, PG_INT16_MIN, PG_INT16_MAX));
}

static Datum
in_int4(const char *s, Oid typid)
{
	return Int32GetDatum((int32) parse_int(s, typid, PG_INT32_MIN, PG_INT32_MAX));
}

static Datum
in_int8(const char *s, Oid typid)
{
	return Int64GetDatum(parse_int(s, typid, PG_INT64_MIN, PG_INT64_MAX));
}

static Datum
in_uint4(const char *s, Oid typid)
{
	return UInt32GetDatum((uint32) parse_int(s, typid, 0, PG_UINT32_MAX));
}

static char *
out_int2(Datum d)
{
	return psprintf("%d", (int) DatumGetInt16(d));
}

static char *
out_int4(Datum d)
{
	return psprintf("%d", DatumGetInt32(d));
}

static char *
out_int8(Datum d)
{
	return psprintf(INT64_FORMAT, DatumGetInt64(d));
}

static char *
out_uint4(Datum d)
{
	return psprintf("%u", DatumGetUInt32(d));
}

static double
parse_float(const char *s, Oid typid)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0')
		bad_input(s, typid);
	return v;
}

static Datum
in_float4(const char *s, Oid typid)
{
	return Float4GetDatum((float4) parse_float(s, typid));
}

static Datum
in_float8(const char *s, Oid typid)
{
	return Float8GetDatum(parse_float(s, typid));
}

static char *
float_text(double v, int digits)
{
	if (isnan(v))
		return pstrdup("NaN");
	if (isinf(v))
		return pstrdup(v > 0 ? "Infinity" : "-Infinity");
	return psprintf("%.*g", digits, v);
}

static char *
out_float4(Datum d)
{
	return float_text(DatumGetFloat4(d), 9);
}

static char *
out_float8(Datum d)
{
	return float_text(DatumGetFloat8(d), 17);
}

static Datum
in_void(const char *s, Oid typid)
{
	return (Datum) 0;
}

static char *
out_void(Datum d)
{
	return pstrdup("");
}

/* ---- strings ---- */

static Datum
in_name(const char *s, Oid typid)
{
	Name		n = (Name) palloc0(NAMEDATALEN);

	strlcpy(NameStr(*n), s, NAMEDATALEN);
	return NameGetDatum(n);
}

static char *
out_name(Datum d)
{
	return pstrdup(NameStr(*DatumGetName(d)));
}

static Datum
in_text(const char *s, Oid typid)
{
	return PointerGetDatum(cstring_to_text(s));
}

static char *
out_text(Datum d)
{
	return text_to_cstring((text *) DatumGetPointer(d));
}

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

/* bytea: the hex format (\x...), or the escape format (\ooo, \\). */
static Datum
in_bytea(const char *s, Oid typid)
{
	size_t		len = strlen(s);
	bytea	   *result = (bytea *) palloc(len + VARHDRSZ);
	char	   *o = VARDATA(result);

	if (s[0] == '\\' && s[1] == 'x')
	{
		for (const char *p = s + 2; *p; p += 2)
		{
			int			hi,
						lo;

			while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
				p++;
			if (*p == '\0')
				break;
			hi = hexval(p[0]);
			lo = p[1] ? hexval(p[1]) : -1;
			if (hi < 0 || lo < 0)
				bad_input(s, typid);
			*o++ = (char) (hi * 16 + lo);
		}
	}
	else
	{
		for (const char *p = s; *p;)
		{
			if (p[0] != '\\')
				*o++ = *p++;
			else if (p[1] == '\\')
			{
				*o++ = '\\';
				p += 2;
			}
			else if (p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
					 p[3] >= '0' && p[3] <= '7')
			{
				*o++ = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
				p += 4;
			}
			else
				bad_input(s, typid);
		}
	}
	SET_VARSIZE(result, o - VARDATA(result) + VARHDRSZ);
	return PointerGetDatum(result);
}

static char *
out_bytea(Datum d)
{
	bytea	   *b = (bytea *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	int			len = VARSIZE_ANY_EXHDR(b);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(b);
	char	   *result = palloc(len * 2 + 3);
	static const char hex[] = "0123456789abcdef";

	result[0] = '\\';
	result[1] = 'x';
	for (int i = 0; i < len; i++)
	{
		result[2 + i * 2] = hex[p[i] >> 4];
		result[3 + i * 2] = hex[p[i] & 15];
	}
	result[2 + len * 2] = '\0';
	return result;
}

/* "char": one byte; the server prints a high-bit byte as \ooo. */
static Datum
in_char(const char *s, Oid typid)
{
	if (strlen(s) == 4 && s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
		return CharGetDatum((char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0')));
	return CharGetDatum(s[0]);
}

static char *
out_char(Datum d)
{
	unsigned char c = (unsigned char) DatumGetChar(d);

	if (c == 0)
		return pstrdup("");
	if (IS_HIGHBIT_SET(c))
		return psprintf("\\%03o", c);
	return psprintf("%c", c);
}

static Datum
in_uuid(const char *s, Oid typid)
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
			bad_input(s, typid);
		u[n++] = (unsigned char) (hi * 16 + lo);
		p += 2;
	}
	if (n != UUID_LEN)
		bad_input(s, typid);
	return PointerGetDatum(u);
}

static char *
out_uuid(Datum d)
{
	const unsigned char *u = (const unsigned char *) DatumGetPointer(d);

	return psprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
					u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* ---- dates and times ----
 *
 * Days are counted from PostgreSQL's epoch, 2000-01-01, on the proleptic
 * Gregorian calendar with astronomical years (1 BC is year 0), by the
 * usual era arithmetic: 400-year eras of 146097 days, years starting in
 * March so that the leap day is last.
 */
#define DAYS_1970_TO_2000 10957

static int64
days_from_civil(int64 y, int m, int d)
{
	int64		era;
	int64		yoe,
				doy,
				doe;

	y -= (m <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 - DAYS_1970_TO_2000;
}

static void
civil_from_days(int64 z, int64 *y, int *m, int *d)
{
	int64		era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468 + DAYS_1970_TO_2000;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void
require_iso_datestyle(Oid typid)
{
	const char *ds = bgw_db_conn ? bgw_pq.PQparameterStatus(bgw_db_conn, "DateStyle") : NULL;

	if (ds != NULL && strncmp(ds, "ISO", 3) != 0)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("cannot convert a value of type %s with DateStyle \"%s\"", bgw_type_name(typid), ds),
				errhint("Read it with SPI_getvalue, or SET DateStyle TO ISO."));
}

/* "YYYY-MM-DD": the day number; *p is left after it. */
static int64
parse_date_part(const char **p, const char *s, Oid typid)
{
	char	   *end;
	long long	y;
	long		m,
				d;

	y = strtoll(*p, &end, 10);
	if (end == *p || *end != '-')
		bad_input(s, typid);
	m = strtol(end + 1, &end, 10);
	if (*end != '-')
		bad_input(s, typid);
	d = strtol(end + 1, &end, 10);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		bad_input(s, typid);
	*p = end;
	/* " BC" at the very end of the value decides the era */
	if (strlen(s) > 3 && strcmp(s + strlen(s) - 3, " BC") == 0)
		y = 1 - y;
	return days_from_civil(y, (int) m, (int) d);
}

/* "HH:MM:SS[.ffffff]": microseconds; *p is left after it. */
static int64
parse_time_part(const char **p, const char *s, Oid typid)
{
	char	   *end;
	long		h,
				mi,
				sec;
	int64		frac = 0;
	int			digits = 0;

	h = strtol(*p, &end, 10);
	if (end == *p || *end != ':')
		bad_input(s, typid);
	mi = strtol(end + 1, &end, 10);
	if (*end != ':')
		bad_input(s, typid);
	sec = strtol(end + 1, &end, 10);
	if (*end == '.')
	{
		/* microseconds from the first six digits, rounded by the seventh */
		for (end++; *end >= '0' && *end <= '9'; end++, digits++)
		{
			if (digits < 6)
				frac = frac * 10 + (*end - '0');
			else if (digits == 6 && *end >= '5')
				frac++;
		}
		for (int i = digits; i < 6; i++)
			frac *= 10;
	}
	*p = end;
	return (int64) h * USECS_PER_HOUR + (int64) mi * USECS_PER_MINUTE +
		(int64) sec * USECS_PER_SEC + frac;
}

static Datum
in_date(const char *s, Oid typid)
{
	const char *p = s;

	require_iso_datestyle(typid);
	if (strcmp(s, "infinity") == 0)
		return Int32GetDatum(DATEVAL_NOEND);
	if (strcmp(s, "-infinity") == 0)
		return Int32GetDatum(DATEVAL_NOBEGIN);
	return Int32GetDatum((DateADT) parse_date_part(&p, s, typid));
}

static char *
format_date(int64 days)
{
	int64		y;
	int			m,
				d;

	civil_from_days(days, &y, &m, &d);
	if (y <= 0)
		return psprintf("%04ld-%02d-%02d BC", (long) (1 - y), m, d);
	return psprintf("%04ld-%02d-%02d", (long) y, m, d);
}

static char *
out_date(Datum d)
{
	DateADT		v = DatumGetInt32(d);

	if (v == DATEVAL_NOEND)
		return pstrdup("infinity");
	if (v == DATEVAL_NOBEGIN)
		return pstrdup("-infinity");
	return format_date(v);
}

static Datum
in_time(const char *s, Oid typid)
{
	const char *p = s;

	return Int64GetDatum(parse_time_part(&p, s, typid));
}

static char *
format_time_of_day(int64 usecs)
{
	return psprintf("%02d:%02d:%02d.%06d",
					(int) (usecs / USECS_PER_HOUR),
					(int) (usecs / USECS_PER_MINUTE % 60),
					(int) (usecs / USECS_PER_SEC % 60),
					(int) (usecs % USECS_PER_SEC));
}

static char *
out_time(Datum d)
{
	return format_time_of_day(DatumGetInt64(d));
}

/* timestamp and timestamptz; with_zone reads the printed offset. */
static int64
parse_timestamp(const char *s, Oid typid, bool with_zone)
{
	const char *p = s;
	int64		days,
				usecs,
				ts;

	require_iso_datestyle(typid);
	if (strcmp(s, "infinity") == 0)
		return DT_NOEND;
	if (strcmp(s, "-infinity") == 0)
		return DT_NOBEGIN;
	days = parse_date_part(&p, s, typid);
	if (*p != ' ' && *p != 'T')
		bad_input(s, typid);
	p++;
	usecs = parse_time_part(&p, s, typid);
	ts = days * USECS_PER_DAY + usecs;
	if (with_zone && (*p == '+' || *p == '-'))
	{
		int			sign = (*p == '+') ? 1 : -1;
		long		oh = 0,
					om = 0,
					os = 0;
		char	   *end;

		oh = strtol(p + 1, &end, 10);
		if (*end == ':')
			om = strtol(end + 1, &end, 10);
		if (*end == ':')
			os = strtol(end + 1, &end, 10);
		/* the printed time is UTC + offset */
		ts -= sign * (oh * USECS_PER_HOUR + om * USECS_PER_MINUTE + os * USECS_PER_SEC);
	}
	return ts;
}

static Datum
in_timestamp(const char *s, Oid typid)
{
	return Int64GetDatum(parse_timestamp(s, typid, false));
}

static Datum
in_timestamptz(const char *s, Oid typid)
{
	return Int64GetDatum(parse_timestamp(s, typid, true));
}

static char *
format_timestamp(int64 ts, bool with_zone)
{
	int64		days,
				usecs;
	char	   *date,
			   *result;

	if (ts == DT_NOEND)
		return pstrdup("infinity");
	if (ts == DT_NOBEGIN)
		return pstrdup("-infinity");
	days = ts / USECS_PER_DAY;
	usecs = ts % USECS_PER_DAY;
	if (usecs < 0)
	{
		usecs += USECS_PER_DAY;
		days--;
	}
	date = format_date(days);
	if (strlen(date) > 3 && strcmp(date + strlen(date) - 3, " BC") == 0)
	{
		date[strlen(date) - 3] = '\0';
		result = psprintf("%s %s%s BC", date, format_time_of_day(usecs), with_zone ? "+00" : "");
	}
	else
		result = psprintf("%s %s%s", date, format_time_of_day(usecs), with_zone ? "+00" : "");
	return result;
}

static char *
out_timestamp(Datum d)
{
	return format_timestamp(DatumGetInt64(d), false);
}

static char *
out_timestamptz(Datum d)
{
	return format_timestamp(DatumGetInt64(d), true);
}

/*
 * interval in the postgres IntervalStyle: "[N year[s]] [N mon[s]]
 * [N day[s]] [[+-]HH:MM:SS[.f]]", each part signed on its own.
 */
static Datum
in_interval(const char *s, Oid typid)
{
	const char *ist = bgw_db_conn ? bgw_pq.PQparameterStatus(bgw_db_conn, "IntervalStyle") : NULL;
	Interval   *iv = palloc0(sizeof(Interval));
	const char *p = s;

	if (ist != NULL && strcmp(ist, "postgres") != 0)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("cannot convert a value of type interval with IntervalStyle \"%s\"", ist),
				errhint("Read it with SPI_getvalue, or SET IntervalStyle TO postgres."));
	while (*p)
	{
		char	   *end;
		long long	n;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (strchr(p, ':') != NULL && (strchr(p, ' ') == NULL || strchr(p, ':') < strchr(p, ' ')))
		{
			/* the time part */
			int			sign = 1;

			if (*p == '-' || *p == '+')
			{
				sign = (*p == '-') ? -1 : 1;
				p++;
			}
			iv->time = sign * parse_time_part(&p, s, typid);
			continue;
		}
		n = strtoll(p, &end, 10);
		if (end == p || *end != ' ')
			bad_input(s, typid);
		p = end + 1;
		if (strncmp(p, "year", 4) == 0)
			iv->month += (int32) (n * MONTHS_PER_YEAR);
		else if (strncmp(p, "mon", 3) == 0)
			iv->month += (int32) n;
		else if (strncmp(p, "day", 3) == 0)
			iv->day += (int32) n;
		else
			bad_input(s, typid);
		while (*p && *p != ' ')
			p++;
	}
	return PointerGetDatum(iv);
}

static char *
out_interval(Datum d)
{
	const Interval *iv = (const Interval *) DatumGetPointer(d);
	int64		t = iv->time;
	char		sign = '+';

	if (t < 0)
	{
		sign = '-';
		t = -t;
	}
	return psprintf("%d mons %d days %c" INT64_FORMAT ":%02d:%02d.%06d",
					iv->month, iv->day, sign, t / USECS_PER_HOUR,
					(int) (t / USECS_PER_MINUTE % 60), (int) (t / USECS_PER_SEC % 60),
					(int) (t % USECS_PER_SEC));
}

/* ---- the table ---- */

static const BgwType types[] = {
	{BOOLOID, "bool", "boolean", 1, true, 'c', in_bool, out_bool},
	{BYTEAOID, "bytea", "bytea", -1, false, 'i', in_bytea, out_bytea},
	{CHAROID, "char", "\"char\"", 1, true, 'c', in_char, out_char},
	{NAMEOID, "name", "name", NAMEDATALEN, false, 'c', in_name, out_name},
	{INT8OID, "int8", "bigint", 8, true, 'd', in_int8, out_int8},
	{INT2OID, "int2", "smallint", 2, true, 's', in_int2, out_int2},
	{INT4OID, "int4", "integer", 4, true, 'i', in_int4, out_int4},
	{TEXTOID, "text", "text", -1, false, 'i', in_text, out_text},
	{OIDOID, "oid", "oid", 4, true, 'i', in_uint4, out_uint4},
	{XIDOID, "xid", "xid", 4, true, 'i', in_uint4, out_uint4},
	{CIDOID, "cid", "cid", 4, true, 'i', in_uint4, out_uint4},
	{JSONOID, "json", "json", -1, false, 'i', in_text, out_text},
	{XMLOID, "xml", "xml", -1, false, 'i', in_text, out_text},
	{FLOAT4OID, "float4", "real", 4, true, 'i', in_float4, out_float4},
	{FLOAT8OID, "float8", "double precision", 8, true, 'd', in_float8, out_float8},
	{UNKNOWNOID, "unknown", "unknown", -2, false, 'c', NULL, NULL},
	{BPCHAROID, "bpchar", "character", -1, false, 'i', in_text, out_text},
	{VARCHAROID, "varchar", "character varying", -1, false, 'i', in_text, out_text},
	{DATEOID, "date", "date", 4, true, 'i', in_date, out_date},
	{TIMEOID, "time", "time without time zone", 8, true, 'd', in_time, out_time},
	{TIMESTAMPOID, "timestamp", "timestamp without time zone", 8, true, 'd', in_timestamp, out_timestamp},
	{TIMESTAMPTZOID, "timestamptz", "timestamp with time zone", 8, true, 'd', in_timestamptz, out_timestamptz},
	{INTERVALOID, "interval", "interval", 16, false, 'd', in_interval, out_interval},
	{UUIDOID, "uuid", "uuid", 16, false, 'c', in_uuid, out_uuid},
	{VOIDOID, "void", "void", 4, true, 'i', in_void, out_void},
	/* known by name only: no in-memory form here */
	{NUMERICOID, "numeric", "numeric", -1, false, 'i', NULL, NULL},
	{JSONBOID, "jsonb", "jsonb", -1, false, 'i', NULL, NULL},
	{TIMETZOID, "timetz", "time with time zone", 12, false, 'd', NULL, NULL},
	{MONEYOID, "money", "money", 8, true, 'd', NULL, NULL},
	{INETOID, "inet", "inet", -1, false, 'i', NULL, NULL},
	{CIDROID, "cidr", "cidr", -1, false, 'i', NULL, NULL},
	{RECORDOID, "record", "record", -1, false, 'd', NULL, NULL},
	{REGCLASSOID, "regclass", "regclass", 4, true, 'i', NULL, NULL},
	{REGTYPEOID, "regtype", "regtype", 4, true, 'i', NULL, NULL},
	{REGPROCOID, "regproc", "regproc", 4, true, 'i', NULL, NULL},
	{PG_LSNOID, "pg_lsn", "pg_lsn", 8, true, 'd', NULL, NULL},
	{XID8OID, "xid8", "xid8", 8, true, 'd', NULL, NULL},
	{INT4ARRAYOID, "_int4", "integer[]", -1, false, 'i', NULL, NULL},
	{INT8ARRAYOID, "_int8", "bigint[]", -1, false, 'd', NULL, NULL},
	{TEXTARRAYOID, "_text", "text[]", -1, false, 'i', NULL, NULL},
	{INT2ARRAYOID, "_int2", "smallint[]", -1, false, 'i', NULL, NULL},
	{OIDARRAYOID, "_oid", "oid[]", -1, false, 'i', NULL, NULL},
	{FLOAT8ARRAYOID, "_float8", "double precision[]", -1, false, 'd', NULL, NULL},
	{BOOLARRAYOID, "_bool", "boolean[]", -1, false, 'i', NULL, NULL},
	{NAMEARRAYOID, "_name", "name[]", -1, false, 'i', NULL, NULL},
	{VARCHARARRAYOID, "_varchar", "character varying[]", -1, false, 'i', NULL, NULL},
};

static const BgwType *
find_type(Oid typid)
{
	for (size_t i = 0; i < lengthof(types); i++)
		if (types[i].oid == typid)
			return &types[i];
	return NULL;
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
	const BgwType *t = find_type(typid);
	TypeNameCache *e;

	if (t != NULL)
		return pstrdup(t->sqlname);
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
	const BgwType *t = find_type(typid);
	TypeNameCache *e;

	if (t != NULL)
		return pstrdup(t->typname);
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
		const BgwType *t = find_type(typid);

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
	const BgwType *t;
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
	t = find_type(typid);
	if (t == NULL || t->in == NULL)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("cannot convert a value of type %s to its in-memory form",
					   bgw_type_name(typid)),
				errdetail("Column \"%s\" is read from the database server as text, and bgworker has no in-memory form for this type.",
						  NameStr(TupleDescAttr(tupdesc, fnumber - 1)->attname)),
				errhint("Read the value with SPI_getvalue, or cast it in the query to a type such as text, bigint or double precision."));
	/* by-reference values live as long as their row */
	old = MemoryContextSwitchTo(GetMemoryChunkContext(tuple));
	d = t->in(row->text[fnumber - 1], typid);
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
	const BgwType *t = find_type(typid);

	if (t == NULL || t->out == NULL)
		ereport(ERROR,
				errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("cannot send a parameter of type %s from its in-memory form",
					   bgw_type_name(typid)),
				errhint("Pass the value as text and cast it in the query."));
	return t->out(value);
}
