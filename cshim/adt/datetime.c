/*-------------------------------------------------------------------------
 *
 * datetime.c
 *	  Input and output of date, time, timestamp, timestamptz and interval
 *	  in PostgreSQL's in-memory forms (days and microseconds from
 *	  2000-01-01; an Interval of microseconds, days and months), for the
 *	  type table in typio.c.  Text is read and written in the ISO DateStyle
 *	  and the postgres IntervalStyle, PostgreSQL's defaults; a timestamptz
 *	  is read with the offset it was printed with and written in UTC.
 *	  Pure functions on memory, any process.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "adt_int.h"
#include "datatype/timestamp.h"

/* The in-memory forms PostgreSQL gives these types. */
typedef struct Interval
{
	TimeOffset	time;			/* all time units other than days, months and years */
	int32		day;			/* days, after time for alignment */
	int32		month;			/* months and years, after time for alignment */
} Interval;

typedef int32 DateADT;

#define DATEVAL_NOBEGIN		((DateADT) PG_INT32_MIN)
#define DATEVAL_NOEND		((DateADT) PG_INT32_MAX)

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

/* "YYYY-MM-DD": the day number; *p is left after it. */
static int64
parse_date_part(const char **p, const BgwTypeInfo *t, const char *s)
{
	char	   *end;
	long long	y;
	long		m,
				d;

	y = strtoll(*p, &end, 10);
	if (end == *p || *end != '-')
		bgw_invalid_syntax(t, s);
	m = strtol(end + 1, &end, 10);
	if (*end != '-')
		bgw_invalid_syntax(t, s);
	d = strtol(end + 1, &end, 10);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		bgw_invalid_syntax(t, s);
	*p = end;
	/* " BC" at the very end of the value decides the era */
	if (strlen(s) > 3 && strcmp(s + strlen(s) - 3, " BC") == 0)
		y = 1 - y;
	return days_from_civil(y, (int) m, (int) d);
}

/* "HH:MM:SS[.ffffff]": microseconds; *p is left after it. */
static int64
parse_time_part(const char **p, const BgwTypeInfo *t, const char *s)
{
	char	   *end;
	long		h,
				mi,
				sec;
	int64		frac = 0;
	int			digits = 0;

	h = strtol(*p, &end, 10);
	if (end == *p || *end != ':')
		bgw_invalid_syntax(t, s);
	mi = strtol(end + 1, &end, 10);
	if (*end != ':')
		bgw_invalid_syntax(t, s);
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

Datum
bgw_date_in(const BgwTypeInfo *t, const char *s)
{
	const char *p = s;

	if (strcmp(s, "infinity") == 0)
		return Int32GetDatum(DATEVAL_NOEND);
	if (strcmp(s, "-infinity") == 0)
		return Int32GetDatum(DATEVAL_NOBEGIN);
	return Int32GetDatum((DateADT) parse_date_part(&p, t, s));
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

char *
bgw_date_out(const BgwTypeInfo *t, Datum d)
{
	DateADT		v = DatumGetInt32(d);

	if (v == DATEVAL_NOEND)
		return pstrdup("infinity");
	if (v == DATEVAL_NOBEGIN)
		return pstrdup("-infinity");
	return format_date(v);
}

Datum
bgw_time_in(const BgwTypeInfo *t, const char *s)
{
	const char *p = s;

	return Int64GetDatum(parse_time_part(&p, t, s));
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

char *
bgw_time_out(const BgwTypeInfo *t, Datum d)
{
	return format_time_of_day(DatumGetInt64(d));
}

/* timestamp and timestamptz; with_zone reads the printed offset. */
static int64
parse_timestamp(const BgwTypeInfo *t, const char *s, bool with_zone)
{
	const char *p = s;
	int64		days,
				usecs,
				ts;

	if (strcmp(s, "infinity") == 0)
		return DT_NOEND;
	if (strcmp(s, "-infinity") == 0)
		return DT_NOBEGIN;
	days = parse_date_part(&p, t, s);
	if (*p != ' ' && *p != 'T')
		bgw_invalid_syntax(t, s);
	p++;
	usecs = parse_time_part(&p, t, s);
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

Datum
bgw_timestamp_in(const BgwTypeInfo *t, const char *s)
{
	return Int64GetDatum(parse_timestamp(t, s, false));
}

Datum
bgw_timestamptz_in(const BgwTypeInfo *t, const char *s)
{
	return Int64GetDatum(parse_timestamp(t, s, true));
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

char *
bgw_timestamp_out(const BgwTypeInfo *t, Datum d)
{
	return format_timestamp(DatumGetInt64(d), false);
}

char *
bgw_timestamptz_out(const BgwTypeInfo *t, Datum d)
{
	return format_timestamp(DatumGetInt64(d), true);
}

/*
 * interval in the postgres IntervalStyle: "[N year[s]] [N mon[s]]
 * [N day[s]] [[+-]HH:MM:SS[.f]]", each part signed on its own.
 */
Datum
bgw_interval_in(const BgwTypeInfo *t, const char *s)
{
	Interval   *iv = palloc0(sizeof(Interval));
	const char *p = s;

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
			iv->time = sign * parse_time_part(&p, t, s);
			continue;
		}
		n = strtoll(p, &end, 10);
		if (end == p || *end != ' ')
			bgw_invalid_syntax(t, s);
		p = end + 1;
		if (strncmp(p, "year", 4) == 0)
			iv->month += (int32) (n * MONTHS_PER_YEAR);
		else if (strncmp(p, "mon", 3) == 0)
			iv->month += (int32) n;
		else if (strncmp(p, "day", 3) == 0)
			iv->day += (int32) n;
		else
			bgw_invalid_syntax(t, s);
		while (*p && *p != ' ')
			p++;
	}
	return PointerGetDatum(iv);
}

char *
bgw_interval_out(const BgwTypeInfo *type, Datum d)
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
