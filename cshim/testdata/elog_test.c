/*-------------------------------------------------------------------------
 *
 * elog_test.c
 *	  Standalone test of the elog area (elog.c, mcxt.c, stringinfo.c,
 *	  ipc.c, interrupt.c, timestamp.c, port.c, globals.c), built by
 *	  elog_c_test.go with gcc, plain and under ASan+UBSan.
 *
 *	  "elog_test all" runs the in-process checks (log format, filtering,
 *	  PG_TRY, error data, context callbacks, memory contexts, StringInfo)
 *	  and prints ALL OK.  The other sub-commands end the process in a
 *	  particular way (proc_exit, exit, FATAL, uncaught ERROR in a worker,
 *	  PANIC, signals); the Go test checks their exit status and stderr.
 *
 *	  Other areas' symbols are weak stubs here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <regex.h>
#include <time.h>
#include <sys/mman.h>

#include "bgw_internal.h"
#include "elog_int.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* ---- stubs for the other areas ---- */
#define WEAK __attribute__((weak))
WEAK BackgroundWorker *MyBgworkerEntry = NULL;
WEAK void SetLatch(Latch *latch) {}
WEAK void ProcessConfigFile(GucContext context) {}

/* ---- helpers ---- */
static int	failures = 0;

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stdout, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stdout, __VA_ARGS__); \
			fprintf(stdout, "\n"); \
			failures++; \
		} \
	} while (0)

static int	cap_saved = -1;
static int	cap_fd = -1;
static char cap_buf[1 << 20];

/* Redirect fd 2 into a memfd until cap_end(). */
static void
cap_begin(void)
{
	cap_fd = memfd_create("cap", 0);
	cap_saved = dup(2);
	dup2(cap_fd, 2);
}

static const char *
cap_end(void)
{
	ssize_t		n;

	dup2(cap_saved, 2);
	close(cap_saved);
	lseek(cap_fd, 0, SEEK_SET);
	n = read(cap_fd, cap_buf, sizeof(cap_buf) - 1);
	cap_buf[n > 0 ? n : 0] = '\0';
	close(cap_fd);
	return cap_buf;
}

static bool
matches(const char *text, const char *pattern)
{
	regex_t		re;
	bool		ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
		return false;
	ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static void
ctx_cb(void *arg)
{
	errcontext("while doing %s", (const char *) arg);
}

/* ---- log format ---- */
static void
test_format(void)
{
	const char *out;
	ErrorContextCallback outer,
				inner;
	BackgroundWorker w;

	log_min_messages = WARNING;
	Log_line_prefix = "%m|%t|%n|%p|%-8p|%5l|%b|%e|%c|%s|%x|%v|%a|%%|%q|after";
	cap_begin();
	errno = ENOENT;
	ereport(LOG,
			errcode(ERRCODE_DATA_CORRUPTED),
			errmsg("hello %d: %m", 42),
			errdetail("Some detail."),
			errhint("Some hint."));
	out = cap_end();
	CHECK(matches(out, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} [A-Za-z0-9+-]+\\|"
				  "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Za-z0-9+-]+\\|"
				  "[0-9]+\\.[0-9]{3}\\|[0-9]+\\|[0-9]+ *\\|    1\\|postmaster\\|XX001\\|"
				  "[0-9a-f]+\\.[0-9a-f]+\\|[0-9-]+ [0-9:]+ [A-Za-z0-9+-]+\\|0\\|\\|\\|%\\|"
				  "LOG:  hello 42: No such file or directory$"), "got: %s", out);
	CHECK(matches(out, "\\|    2\\|.*DETAIL:  Some detail\\.$"), "got: %s", out);
	CHECK(matches(out, "\\|    3\\|.*HINT:  Some hint\\.$"), "got: %s", out);
	CHECK(strstr(out, "after") == NULL, "got: %s", out);

	/* padding and the default prefix */
	Log_line_prefix = "[%-6p][%6b]";
	cap_begin();
	elog(WARNING, "x");
	out = cap_end();
	CHECK(matches(out, "^\\[[0-9]+ *\\]\\[postmaster\\]WARNING:  x\n$"), "got: %s", out);

	/* context callbacks, innermost first, continuation lines tabbed */
	Log_line_prefix = "P ";
	outer.callback = ctx_cb;
	outer.arg = "outer";
	outer.previous = error_context_stack;
	error_context_stack = &outer;
	inner.callback = ctx_cb;
	inner.arg = "inner";
	inner.previous = error_context_stack;
	error_context_stack = &inner;
	cap_begin();
	elog(WARNING, "two\nlines");
	out = cap_end();
	error_context_stack = outer.previous;
	CHECK(strcmp(out, "P WARNING:  two\n\tlines\nP CONTEXT:  while doing inner\n\twhile doing outer\n") == 0,
		  "got: %s", out);

	/* %b in a worker */
	memset(&w, 0, sizeof(w));
	strcpy(w.bgw_type, "my type");
	MyBgworkerEntry = &w;
	Log_line_prefix = "%b: ";
	cap_begin();
	elog(WARNING, "w");
	out = cap_end();
	MyBgworkerEntry = NULL;
	CHECK(strcmp(out, "my type: WARNING:  w\n") == 0, "got: %s", out);

	/* jsonlog */
	Log_destination = LOG_DESTINATION_JSONLOG;
	cap_begin();
	ereport(WARNING, errmsg("say \"hi\"\nline2\t\x01"), errhint("h\\"));
	out = cap_end();
	Log_destination = LOG_DESTINATION_STDERR;
	CHECK(matches(out, "^\\{\"timestamp\":\"[^\"]+\",\"pid\":[0-9]+,\"session_id\":\"[0-9a-f]+\\.[0-9a-f]+\","
				  "\"line_num\":[0-9]+,\"session_start\":\"[^\"]+\",\"txid\":0,\"error_severity\":\"WARNING\","
				  "\"state_code\":\"01000\",\"message\":\"say \\\\\"hi\\\\\"\\\\nline2\\\\t\\\\u0001\","
				  "\"hint\":\"h\\\\\\\\\",\"backend_type\":\"postmaster\",\"query_id\":0\\}$"),
		  "got: %s", out);

	/* bgw_log: same formatter, no control flow */
	Log_line_prefix = "";
	cap_begin();
	bgw_log(FATAL, "from go", "D.", NULL);
	bgw_log(DEBUG1, "hidden", NULL, NULL);
	out = cap_end();
	CHECK(strcmp(out, "FATAL:  from go\nDETAIL:  D.\n") == 0, "got: %s", out);
}

/* ---- level filtering ---- */
static int	evaluated;
static int
side_effect(void)
{
	evaluated++;
	return 1;
}

static void
test_filter(void)
{
	const char *out;

	Log_line_prefix = "";
	log_min_messages = WARNING;
	evaluated = 0;
	cap_begin();
	ereport(DEBUG1, errmsg("d%d", side_effect()));
	ereport(NOTICE, errmsg("n%d", side_effect()));
	ereport(LOG, errmsg("l%d", side_effect()));
	ereport(WARNING, errmsg("w%d", side_effect()));
	log_min_messages = ERROR;
	ereport(LOG, errmsg("l%d", side_effect()));
	ereport(WARNING, errmsg("w%d", side_effect()));
	log_min_messages = DEBUG5;
	ereport(DEBUG5, errmsg("d%d", side_effect()));
	log_min_messages = WARNING;
	out = cap_end();
	CHECK(evaluated == 4, "evaluated %d", evaluated);
	CHECK(strcmp(out, "LOG:  l1\nWARNING:  w1\nLOG:  l1\nDEBUG:  d1\n") == 0, "got: %s", out);
	CHECK(message_level_is_interesting(WARNING) && !message_level_is_interesting(DEBUG1), "interesting");
}

/* ---- PG_TRY and friends ---- */
static void
throw_it(const char *msg)
{
	ereport(ERROR, errcode(ERRCODE_DIVISION_BY_ZERO), errmsg("%s", msg),
			errdetail("d"), errhint("h"));
}

static void
test_try(void)
{
	volatile int finally_ran = 0;
	volatile int caught = 0;
	MemoryContext mcxt = CurrentMemoryContext;
	ErrorData  *edata;

	PG_TRY();
	{
		throw_it("first");
		CHECK(false, "not reached");
	}
	PG_CATCH();
	{
		CHECK(geterrcode() == ERRCODE_DIVISION_BY_ZERO, "code");
		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		caught = 1;
	}
	PG_END_TRY();
	CHECK(caught == 1, "caught");
	CHECK(strcmp(edata->message, "first") == 0 && strcmp(edata->detail, "d") == 0 &&
		  strcmp(edata->hint, "h") == 0 && edata->elevel == ERROR &&
		  edata->sqlerrcode == ERRCODE_DIVISION_BY_ZERO && edata->lineno > 0 &&
		  strcmp(edata->filename, "elog_test.c") == 0, "copy");

	/* round trip: rethrow the copy and catch it again */
	caught = 0;
	PG_TRY();
	{
		ReThrowError(edata);
	}
	PG_CATCH();
	{
		ErrorData  *again;

		MemoryContextSwitchTo(mcxt);
		again = CopyErrorData();
		FlushErrorState();
		CHECK(strcmp(again->message, "first") == 0 && strcmp(again->detail, "d") == 0 &&
			  again->sqlerrcode == ERRCODE_DIVISION_BY_ZERO, "round trip");
		FreeErrorData(again);
		caught = 1;
	}
	PG_END_TRY();
	CHECK(caught == 1, "caught rethrown copy");
	FreeErrorData(edata);

	/* FINALLY runs and re-throws; RE_THROW passes through an inner CATCH */
	caught = 0;
	PG_TRY();
	{
		PG_TRY(2);
		{
			PG_TRY(3);
			{
				elog(ERROR, "inner");
			}
			PG_CATCH(3);
			{
				PG_RE_THROW();
			}
			PG_END_TRY(3);
		}
		PG_FINALLY(2);
		{
			finally_ran = 1;
		}
		PG_END_TRY(2);
		CHECK(false, "not reached after FINALLY");
	}
	PG_CATCH();
	{
		caught = 1;
		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		CHECK(strcmp(edata->message, "inner") == 0, "msg %s", edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	CHECK(finally_ran && caught, "finally %d caught %d", finally_ran, caught);

	/* FINALLY without an error does not throw */
	finally_ran = 0;
	PG_TRY();
	{
	}
	PG_FINALLY();
	{
		finally_ran = 1;
	}
	PG_END_TRY();
	CHECK(finally_ran == 1 && PG_exception_stack == NULL, "finally no error");

	/* a second ERROR while handling the first */
	caught = 0;
	PG_TRY();
	{
		elog(ERROR, "outer error");
	}
	PG_CATCH();
	{
		PG_TRY(2);
		{
			elog(ERROR, "nested error");
		}
		PG_CATCH(2);
		{
			MemoryContextSwitchTo(mcxt);
			edata = CopyErrorData();
			CHECK(strcmp(edata->message, "nested error") == 0, "nested %s", edata->message);
			FreeErrorData(edata);
			caught = 1;
		}
		PG_END_TRY(2);
		FlushErrorState();
	}
	PG_END_TRY();
	CHECK(caught == 1, "nested caught");

	/* ThrowErrorData below ERROR only logs */
	{
		ErrorData	w;
		const char *out;

		memset(&w, 0, sizeof(w));
		w.elevel = WARNING;
		w.message = "thrown warning";
		Log_line_prefix = "";
		cap_begin();
		ThrowErrorData(&w);
		out = cap_end();
		CHECK(strcmp(out, "WARNING:  thrown warning\n") == 0, "got %s", out);
	}

	/* context callbacks are popped by PG_CATCH */
	{
		ErrorContextCallback cb = {error_context_stack, ctx_cb, "x"};

		PG_TRY();
		{
			error_context_stack = &cb;
			elog(ERROR, "with context");
		}
		PG_CATCH();
		{
			CHECK(error_context_stack == cb.previous, "context restored");
			MemoryContextSwitchTo(mcxt);
			edata = CopyErrorData();
			CHECK(edata->context && strcmp(edata->context, "while doing x") == 0, "ctx");
			FreeErrorData(edata);
			FlushErrorState();
		}
		PG_END_TRY();
	}
}

/* ---- memory contexts ---- */
static int	cb_order[4];
static int	cb_n;
static void
reset_cb(void *arg)
{
	cb_order[cb_n++] = (int) (intptr_t) arg;
}

static void
test_memory(void)
{
	MemoryContext parent = AllocSetContextCreate(TopMemoryContext, "churn parent",
												 ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(parent);
	MemoryContextCallback cb1,
				cb2;
	unsigned	seed = 12345;
	char	   *p;
	volatile bool failed;

	for (int i = 0; i < 3000; i++)
	{
		MemoryContext c = AllocSetContextCreate(parent, "child",
												(i % 3 == 0) ? 0 : 0,
												(i % 2) ? ALLOCSET_SMALL_INITSIZE : ALLOCSET_DEFAULT_INITSIZE,
												(i % 2) ? ALLOCSET_SMALL_MAXSIZE : ALLOCSET_DEFAULT_MAXSIZE);
		void	   *ptrs[64];

		for (int j = 0; j < 64; j++)
		{
			Size		sz = (rand_r(&seed) % 5 == 0) ? (rand_r(&seed) % 40000) + 1 : (rand_r(&seed) % 300) + 1;

			ptrs[j] = MemoryContextAlloc(c, sz);
			memset(ptrs[j], j, sz);
			CHECK(GetMemoryChunkContext(ptrs[j]) == c, "owner");
		}
		for (int j = 0; j < 64; j += 2)
			pfree(ptrs[j]);
		for (int j = 1; j < 64; j += 4)
			ptrs[j] = repalloc(ptrs[j], 5000 + j);
		if (i % 3 == 0)
			MemoryContextReset(c);
		if (i % 2 == 0)
			MemoryContextDelete(c);
	}
	MemoryContextResetChildren(parent);
	MemoryContextDeleteChildren(parent);
	CHECK(parent->firstchild == NULL, "children deleted");

	/* repalloc growth keeps the contents */
	p = palloc(1);
	p[0] = 'x';
	for (Size sz = 2; sz <= 4 * 1024 * 1024; sz *= 2)
	{
		p = repalloc(p, sz);
		p[sz - 1] = 'y';
		CHECK(p[0] == 'x' && (sz < 4 || p[sz / 2 - 1] == 'y'), "growth at %zu", sz);
	}
	p = repalloc(p, 100);
	CHECK(p[0] == 'x', "shrink");
	pfree(p);

	/* palloc0, pstrdup, psprintf */
	{
		int		   *z = palloc0_array(int, 1000);
		bool		zero = true;

		for (int i = 0; i < 1000; i++)
			zero &= z[i] == 0;
		CHECK(zero, "palloc0");
		CHECK(strcmp(pstrdup("abc"), "abc") == 0, "pstrdup");
		CHECK(strcmp(pnstrdup("abcdef", 3), "abc") == 0, "pnstrdup");
		CHECK(strcmp(psprintf("%s-%d-%0500d", "a", 1, 7) + 498, "000000007") == 0 ||
			  strlen(psprintf("%s-%d-%0500d", "a", 1, 7)) == 504, "psprintf");
	}

	/* reset: memory back to the keeper block; callbacks newest first */
	cb_n = 0;
	cb1.func = reset_cb;
	cb1.arg = (void *) 1;
	cb2.func = reset_cb;
	cb2.arg = (void *) 2;
	MemoryContextRegisterResetCallback(parent, &cb1);
	MemoryContextRegisterResetCallback(parent, &cb2);
	MemoryContextReset(parent);
	CHECK(cb_n == 2 && cb_order[0] == 2 && cb_order[1] == 1, "callbacks %d", cb_n);
	CHECK(MemoryContextMemAllocated(parent, true) == ALLOCSET_DEFAULT_INITSIZE,
		  "allocated %zu", MemoryContextMemAllocated(parent, true));
	CHECK(MemoryContextIsEmpty(parent), "empty");

	/* invalid size and out of memory */
	failed = false;
	PG_TRY();
	{
		(void) palloc(MaxAllocSize + 1);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(parent);
		e = CopyErrorData();
		FlushErrorState();
		CHECK(strcmp(e->message, "invalid memory alloc request size 1073741824") == 0, "%s", e->message);
		failed = true;
	}
	PG_END_TRY();
	CHECK(failed, "size check");

	CHECK(palloc_extended((Size) 1 << 50, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM) == NULL, "no oom");
	failed = false;
	PG_TRY();
	{
		(void) MemoryContextAllocHuge(parent, (Size) 1 << 50);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(parent);
		e = CopyErrorData();
		FlushErrorState();
		CHECK(strcmp(e->message, "out of memory") == 0 &&
			  strcmp(e->detail, "Failed on request of size 1125899906842624 in memory context \"churn parent\".") == 0 &&
			  e->sqlerrcode == ERRCODE_OUT_OF_MEMORY, "%s / %s", e->message, e->detail);
		failed = true;
	}
	PG_END_TRY();
	CHECK(failed, "oom");

	/* statistics go to stderr */
	{
		const char *out;

		(void) palloc(100);
		cap_begin();
		MemoryContextStats(TopMemoryContext);
		out = cap_end();
		CHECK(strstr(out, "TopMemoryContext: ") && strstr(out, "  churn parent: ") &&
			  strstr(out, "Grand total: "), "stats: %s", out);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(parent);
}

/* ---- StringInfo ---- */
static void
test_stringinfo(void)
{
	StringInfoData s;
	volatile bool failed = false;
	MemoryContext mcxt = CurrentMemoryContext;

	initStringInfo(&s);
	for (int i = 0; i < 100000; i++)
		appendStringInfoChar(&s, 'a' + i % 26);
	CHECK(s.len == 100000 && s.data[s.len] == '\0' && s.data[26] == 'a', "chars");
	resetStringInfo(&s);
	for (int i = 0; i < 2000; i++)
		appendStringInfo(&s, "%d,%s;", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	CHECK(strncmp(s.data, "0,xx", 4) == 0 && strstr(s.data, "1999,xx") != NULL, "fmt");
	resetStringInfo(&s);
	appendStringInfoString(&s, "ab");
	appendStringInfoSpaces(&s, 3);
	appendBinaryStringInfo(&s, "c\0d", 3);
	appendStringInfoCharMacro(&s, 'e');
	CHECK(s.len == 9 && memcmp(s.data, "ab   c\0de", 9) == 0, "mixed");

	PG_TRY();
	{
		enlargeStringInfo(&s, (int) MaxAllocSize);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(mcxt);
		e = CopyErrorData();
		FlushErrorState();
		CHECK(strcmp(e->message, "out of memory") == 0 &&
			  strcmp(e->detail, "Cannot enlarge string buffer containing 9 bytes by 1073741823 more bytes.") == 0,
			  "%s / %s", e->message, e->detail);
		failed = true;
	}
	PG_END_TRY();
	CHECK(failed, "enlarge limit");
	pfree(s.data);
}

/* ---- timestamps and port ---- */
static void
test_misc(void)
{
	long		secs;
	int			usecs;
	char		path[MAXPGPATH];
	TimestampTz t = time_t_to_timestamptz(946684800);	/* 2000-01-01 UTC */

	CHECK(t == 0, "epoch %ld", (long) t);
	CHECK(timestamptz_to_time_t(TimestampTzPlusSeconds(t, 5)) == 946684805, "to time_t");
	TimestampDifference(0, 2500000, &secs, &usecs);
	CHECK(secs == 2 && usecs == 500000, "difference");
	CHECK(TimestampDifferenceMilliseconds(0, 1001) == 2, "ms rounding");
	CHECK(TimestampDifferenceMilliseconds(5, 1) == 0, "ms negative");
	CHECK(TimestampDifferenceExceeds(0, 1000, 1) && !TimestampDifferenceExceeds(0, 999, 1), "exceeds");
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(strcmp(timestamptz_to_str(TimestampTzPlusMilliseconds(t, 1500)), "2000-01-01 00:00:01.5+00") == 0,
		  "%s", timestamptz_to_str(TimestampTzPlusMilliseconds(t, 1500)));
	CHECK(GetCurrentTimestamp() > 0, "now");

	strcpy(path, "/a//b/./c/../d/");
	canonicalize_path(path);
	CHECK(strcmp(path, "/a/b/d") == 0, "%s", path);
	strcpy(path, "../x/./y/..");
	canonicalize_path(path);
	CHECK(strcmp(path, "../x") == 0, "%s", path);
	join_path_components(path, "/lib", "mod.so");
	CHECK(strcmp(path, "/lib/mod.so") == 0, "%s", path);
	CHECK(pg_strcasecmp("AbC", "aBc") == 0 && pg_strncasecmp("abX", "ABy", 2) == 0, "case");
	CHECK(strlcpy(path, "hello", 3) == 5 && strcmp(path, "he") == 0, "strlcpy");
	CHECK(strlcat(path, "llo", 5) == 5 && strcmp(path, "hell") == 0, "strlcat");
	CHECK(strcmp(last_dir_separator("/a/b"), "/b") == 0, "last sep");
}

/* ---- log timestamps from the cached log zone ---- */

/* What strftime says for t, the format the log used before the cache. */
static void
strftime_time(char *buf, size_t len, time_t t, int ms, bool with_ms)
{
	struct tm	tm;
	char		dt[64],
				zone[32];

	localtime_r(&t, &tm);
	strftime(dt, sizeof(dt), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%Z", &tm);
	if (with_ms)
		snprintf(buf, len, "%s.%03d %s", dt, ms, zone);
	else
		snprintf(buf, len, "%s %s", dt, zone);
}

static void
check_time(time_t t, int ms, bool with_ms)
{
	char		got[128],
				want[128];

	bgw_elog_format_time(got, sizeof(got), t, ms, with_ms);
	strftime_time(want, sizeof(want), t, ms, with_ms);
	CHECK(strcmp(got, want) == 0, "t=%ld: got \"%s\", want \"%s\"", (long) t, got, want);
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	bgw_elog_reset_log_zone();	/* as on reload: tzset, refresh */
}

static void
test_log_time(void)
{
	/* CET/CEST, 2026: CEST from 03-29 01:00 UTC to 10-25 01:00 UTC */
	const time_t spring = 1774746000;
	const time_t autumn = 1792890000;
	char		buf[128];
	uint64		x = 88172645463325252ULL;

	set_tz("UTC");
	bgw_elog_format_time(buf, sizeof(buf), 1796038364, 212, true);
	CHECK(strcmp(buf, "2026-11-30 11:32:44.212 UTC") == 0, "got %s", buf);
	bgw_elog_format_time(buf, sizeof(buf), 0, 0, false);
	CHECK(strcmp(buf, "1970-01-01 00:00:00 UTC") == 0, "got %s", buf);
	bgw_elog_format_time(buf, sizeof(buf), 951782400, 5, true);
	CHECK(strcmp(buf, "2000-02-29 00:00:00.005 UTC") == 0, "got %s", buf);

	/* outside handlers: always what strftime says, across transitions */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	for (time_t t = spring - 7200; t < spring + 7200; t += 599)
		check_time(t, 999, true);
	for (time_t t = autumn - 3; t < autumn + 3; t++)
		check_time(t, 0, false);
	check_time(spring - 1, 1, true);
	check_time(spring, 1, true);
	for (int i = 0; i < 2000; i++)
	{
		/* random times from 1902 to 2037, in both directions */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_time((time_t) ((int64) (x % 4294967296ULL) - 2147483648LL),
				   (int) (x % 1000), (x & 1) != 0);
	}
	set_tz("<+0545>-5:45");
	check_time(1796038364, 7, true);
	set_tz("America/St_Johns");	/* -03:30/-02:30; tzdata may be absent */
	check_time(1796038364, 7, true);
	check_time(1796038364 - 180 * 86400, 7, true);

	/*
	 * In a handler only the cache is used: refreshed (outside) an hour
	 * before the spring transition, it must still be right on both sides
	 * of it, to the second.
	 */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	bgw_elog_format_time(buf, sizeof(buf), spring - 3600, 0, false);
	bgw_elog_signal_context(true);
	check_time(spring - 1800, 0, true);
	check_time(spring - 1, 0, true);
	check_time(spring, 0, true);
	check_time(spring + 20 * 3600, 0, true);
	bgw_elog_format_time(buf, sizeof(buf), spring + 3600, 0, false);
	CHECK(strcmp(buf, "2026-03-29 04:00:00 CEST") == 0, "got %s", buf);
	bgw_elog_signal_context(false);

	/* and the autumn one */
	bgw_elog_format_time(buf, sizeof(buf), autumn - 5 * 3600, 0, false);
	bgw_elog_signal_context(true);
	check_time(autumn - 1, 0, false);
	check_time(autumn, 0, false);
	bgw_elog_format_time(buf, sizeof(buf), autumn, 0, false);
	CHECK(strcmp(buf, "2026-10-25 02:00:00 CET") == 0, "got %s", buf);
	bgw_elog_signal_context(false);

	set_tz("UTC");
}

/* ---- process-ending sub-commands ---- */
static void
exit_cb(int code, Datum arg)
{
	write_stderr("cb:%s:%d\n", (const char *) DatumGetPointer(arg), code);
}

static void
register_callbacks(void)
{
	on_proc_exit(exit_cb, PointerGetDatum("proc1"));
	on_proc_exit(exit_cb, PointerGetDatum("proc2"));
	on_shmem_exit(exit_cb, PointerGetDatum("shmem1"));
	on_shmem_exit(exit_cb, PointerGetDatum("shmem2"));
	before_shmem_exit(exit_cb, PointerGetDatum("before1"));
	before_shmem_exit(exit_cb, PointerGetDatum("before2"));
}

static void
error_cb(int code, Datum arg)
{
	elog(ERROR, "inside callback");
}

static void
worker_identity(void)
{
	static BackgroundWorker w;

	strcpy(w.bgw_name, "test worker");
	strcpy(w.bgw_type, "test type");
	MyBgworkerEntry = &w;
	IsUnderPostmaster = true;
	MyBackendType = B_BG_WORKER;
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "all";

	MyProcPid = getpid();
	PostmasterPid = MyProcPid;
	MemoryContextInit();
	Log_line_prefix = "%b ";

	if (strcmp(cmd, "all") == 0)
	{
		test_format();
		test_filter();
		test_try();
		test_memory();
		test_stringinfo();
		test_misc();
		test_log_time();
		if (failures == 0)
			printf("ALL OK\n");
		return failures == 0 ? 0 : 1;
	}
	if (strcmp(cmd, "proc_exit") == 0)
	{
		register_callbacks();
		proc_exit(3);
	}
	if (strcmp(cmd, "exit") == 0)
	{
		register_callbacks();
		exit(5);
	}
	if (strcmp(cmd, "fatal") == 0)
	{
		on_proc_exit(exit_cb, PointerGetDatum("proc"));
		ereport(FATAL, errcode(ERRCODE_ADMIN_SHUTDOWN), errmsg("bye"));
	}
	if (strcmp(cmd, "worker_error") == 0)
	{
		worker_identity();
		on_proc_exit(exit_cb, PointerGetDatum("proc"));
		elog(ERROR, "boom");
	}
	if (strcmp(cmd, "supervisor_error") == 0)
	{
		/* no handler outside a worker: ERROR becomes FATAL */
		elog(ERROR, "unhandled");
	}
	if (strcmp(cmd, "panic") == 0)
		elog(PANIC, "the end");
	if (strcmp(cmd, "crit") == 0)
	{
		START_CRIT_SECTION();
		elog(ERROR, "in critical section");
	}
	if (strcmp(cmd, "error_in_exit") == 0)
	{
		on_proc_exit(exit_cb, PointerGetDatum("first"));
		on_proc_exit(error_cb, (Datum) 0);
		proc_exit(0);
	}
	if (strcmp(cmd, "too_many") == 0)
	{
		for (int i = 0; i < 21; i++)
			on_proc_exit(exit_cb, PointerGetDatum("x"));
	}
	if (strcmp(cmd, "bgworker_die") == 0)
	{
		worker_identity();
		signal(SIGTERM, bgworker_die);
		raise(SIGTERM);
		write_stderr("not reached\n");
		return 9;
	}
	if (strcmp(cmd, "die") == 0)
	{
		worker_identity();
		signal(SIGTERM, die);
		raise(SIGTERM);
		write_stderr("still running\n");
		CHECK_FOR_INTERRUPTS();
		return 9;
	}
	if (strcmp(cmd, "shutdown_request") == 0)
	{
		signal(SIGTERM, SignalHandlerForShutdownRequest);
		raise(SIGTERM);
		HandleMainLoopInterrupts();
		return 9;
	}
	if (strcmp(cmd, "die_while_logging") == 0)
	{
		/*
		 * A worker that does nothing but log (every timestamp escape, both
		 * destinations) and format local times itself, with the default
		 * SIGTERM handler: the Go test SIGTERMs it at a random moment and
		 * it must exit (FATAL, exit callbacks, code 1) wherever the signal
		 * landed, in particular inside localtime_r, whose time zone lock
		 * the handler must never take.
		 */
		worker_identity();
		log_min_messages = WARNING;
		Log_line_prefix = "%m %t %s [%p] %b ";
		on_proc_exit(exit_cb, PointerGetDatum("storm"));
		signal(SIGTERM, bgworker_die);
		if (write(STDOUT_FILENO, "ready\n", 6) != 6)
			return 9;
		for (unsigned long i = 0;; i++)
		{
			time_t		now = time(NULL);
			struct tm	tm;
			char		buf[64];

			Log_destination = (i % 4 == 3) ?
				LOG_DESTINATION_STDERR | LOG_DESTINATION_JSONLOG :
				LOG_DESTINATION_STDERR;
			elog(LOG, "storm %lu", i);
			for (int j = 0; j < 8; j++)
			{
				localtime_r(&now, &tm);
				strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm);
			}
		}
	}
	if (strcmp(cmd, "crash_exit") == 0)
	{
		register_callbacks();
		signal(SIGQUIT, SignalHandlerForCrashExit);
		raise(SIGQUIT);
		return 9;
	}
	fprintf(stderr, "unknown sub-command \"%s\"\n", cmd);
	return 64;
}
