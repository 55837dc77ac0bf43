/*-------------------------------------------------------------------------
 *
 * timestamp.c
 *	  TimestampTz (microseconds since 2000-01-01 00:00:00 UTC): the clock,
 *	  differences and conversions, and timestamptz_to_str in PostgreSQL's
 *	  ISO output format ("2026-11-23 19:02:03.123456+01").
 *
 *	  Any process.  timestamptz_to_str returns a static buffer and uses
 *	  localtime_r: not for signal handlers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/time.h>
#include <time.h>

#include "utils/timestamp.h"

/* Seconds from the Unix epoch to the PostgreSQL epoch. */
#define EPOCH_DIFF_SECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

TimestampTz PgStartTime = 0;
TimestampTz PgReloadTime = 0;

TimestampTz
GetCurrentTimestamp(void)
{
	struct timeval tp;

	gettimeofday(&tp, NULL);
	return ((int64) tp.tv_sec - EPOCH_DIFF_SECS) * USECS_PER_SEC + tp.tv_usec;
}

TimestampTz
GetSQLCurrentTimestamp(int32 typmod)
{
	return GetCurrentTimestamp();
}

/* stop - start as seconds and microseconds; 0/0 if stop is not later. */
void
TimestampDifference(TimestampTz start_time, TimestampTz stop_time,
					long *secs, int *microsecs)
{
	TimestampTz diff = stop_time - start_time;

	if (diff <= 0)
	{
		*secs = 0;
		*microsecs = 0;
	}
	else
	{
		*secs = (long) (diff / USECS_PER_SEC);
		*microsecs = (int) (diff % USECS_PER_SEC);
	}
}

/*
 * stop - start in milliseconds, rounded up, 0 if not later, at most
 * INT_MAX (so that it can be passed to WaitLatch as a timeout).
 */
long
TimestampDifferenceMilliseconds(TimestampTz start_time, TimestampTz stop_time)
{
	TimestampTz diff;

	if (start_time >= stop_time)
		return 0;
	if (__builtin_sub_overflow(stop_time, start_time, &diff))
		return (long) INT_MAX;
	if (diff >= (INT_MAX * INT64CONST(1000) - 999))
		return (long) INT_MAX;
	return (long) ((diff + 999) / 1000);
}

/* Has at least msec milliseconds passed from start to stop? */
bool
TimestampDifferenceExceeds(TimestampTz start_time, TimestampTz stop_time,
						   int msec)
{
	TimestampTz diff = stop_time - start_time;

	return (diff >= msec * INT64CONST(1000));
}

TimestampTz
time_t_to_timestamptz(pg_time_t tm)
{
	return ((int64) tm - EPOCH_DIFF_SECS) * USECS_PER_SEC;
}

pg_time_t
timestamptz_to_time_t(TimestampTz t)
{
	return (pg_time_t) (t / USECS_PER_SEC + EPOCH_DIFF_SECS);
}

const char *
timestamptz_to_str(TimestampTz t)
{
	static char buf[128];
	char		frac[16] = "";
	char		zone[64];
	struct tm	tm;
	time_t		secs;
	int64		usec;
	long		gmtoff;

	if (TIMESTAMP_IS_NOBEGIN(t))
		return "-infinity";
	if (TIMESTAMP_IS_NOEND(t))
		return "infinity";

	secs = (time_t) (t / USECS_PER_SEC + EPOCH_DIFF_SECS);
	usec = t % USECS_PER_SEC;
	if (usec < 0)
	{
		usec += USECS_PER_SEC;
		secs--;
	}
	if (localtime_r(&secs, &tm) == NULL)
		return "invalid timestamp";

	if (usec != 0)
	{
		int			len;

		snprintf(frac, sizeof(frac), ".%06ld", (long) usec);
		/* PostgreSQL drops trailing zeros of the fraction */
		len = (int) strlen(frac);
		while (len > 1 && frac[len - 1] == '0')
			frac[--len] = '\0';
	}

	gmtoff = tm.tm_gmtoff;
	{
		long		a = gmtoff < 0 ? -gmtoff : gmtoff;
		char		sign = gmtoff < 0 ? '-' : '+';

		if (a % 60 != 0)
			snprintf(zone, sizeof(zone), "%c%02ld:%02ld:%02ld", sign, a / 3600,
					 (a / 60) % 60, a % 60);
		else if ((a / 60) % 60 != 0)
			snprintf(zone, sizeof(zone), "%c%02ld:%02ld", sign, a / 3600,
					 (a / 60) % 60);
		else
			snprintf(zone, sizeof(zone), "%c%02ld", sign, a / 3600);
	}

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d%s%s",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
	return buf;
}
