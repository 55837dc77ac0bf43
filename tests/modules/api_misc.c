/*-------------------------------------------------------------------------
 *
 * api_misc.c
 *	  Proof module for the rest of the worker API:
 *
 *	  - "api_misc die": SIGTERM handled by die(); with interrupts held the
 *	    request only sets ProcDiePending, and the CHECK_FOR_INTERRUPTS()
 *	    after RESUME_INTERRUPTS() ends the worker with FATAL (miscadmin.h,
 *	    tcop/tcopprot.h);
 *	  - "api_misc shutdown": SignalHandlerForShutdownRequest and
 *	    HandleMainLoopInterrupts, which exits with proc_exit(0)
 *	    (postmaster/interrupt.h, storage/ipc.h callbacks);
 *	  - "api_misc status": pgstat_report_activity and a module wait event,
 *	    read back by `bgworker status` (pgstat.h, utils/wait_event.h), plus
 *	    timestamps (utils/timestamp.h), fmgr macros and DirectFunctionCall
 *	    (fmgr.h), and c.h helpers.
 *
 *	  Every observation is logged as "api_misc: ...".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

/* PostgreSQL 17 replaced IsBackgroundWorker with AmBackgroundWorkerProcess(). */
#if PG_VERSION_NUM < 170000
#define AmBackgroundWorkerProcess() (IsBackgroundWorker)
#endif

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_misc_die_main(Datum main_arg);
PGDLLEXPORT void api_misc_shutdown_main(Datum main_arg);
PGDLLEXPORT void api_misc_status_main(Datum main_arg);
PGDLLEXPORT void api_misc_initchild_main(Datum main_arg);

PG_FUNCTION_INFO_V1(api_misc_add);

static volatile sig_atomic_t got_sigusr2 = false;

static void
register_worker(const char *name, const char *function)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "api_misc", sizeof(worker.bgw_library_name));
	strlcpy(worker.bgw_function_name, function, BGW_MAXLEN);
	strlcpy(worker.bgw_name, name, BGW_MAXLEN);
	strlcpy(worker.bgw_type, name, BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	register_worker("api_misc die", "api_misc_die_main");
	register_worker("api_misc shutdown", "api_misc_shutdown_main");
	register_worker("api_misc status", "api_misc_status_main");
	register_worker("api_misc initchild", "api_misc_initchild_main");
}

/* Calls what only the postmaster's children call, once, as a module might. */
void
api_misc_initchild_main(Datum main_arg)
{
	BackgroundWorkerUnblockSignals();
	elog(LOG, "api_misc: initchild calling InitPostmasterChild");
	InitPostmasterChild();
	elog(LOG, "api_misc: initchild not reached");
}

/* An SQL-callable function: compiles and runs through DirectFunctionCall. */
Datum
api_misc_add(PG_FUNCTION_ARGS)
{
	int32		a = PG_GETARG_INT32(0);
	int32		b = PG_GETARG_INT32(1);

	if (PG_NARGS() != 2)
		PG_RETURN_NULL();
	PG_RETURN_INT32(a + b);
}

static void
api_misc_sigusr2(SIGNAL_ARGS)
{
	int			save_errno = errno;

	got_sigusr2 = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

static void
log_exit(int code, Datum arg)
{
	elog(LOG, "api_misc: %s exit callback, code %d", DatumGetCString(arg), code);
}

void
api_misc_die_main(Datum main_arg)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	on_proc_exit(log_exit, CStringGetDatum("die"));

	HOLD_INTERRUPTS();
	elog(LOG, "api_misc: die ready pid %d", MyProcPid);
	while (!ProcDiePending)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	CHECK_FOR_INTERRUPTS();
	elog(LOG, "api_misc: die pending while held: ProcDiePending=%d InterruptPending=%d, still running",
		 (int) ProcDiePending, (int) InterruptPending);
	RESUME_INTERRUPTS();
	CHECK_FOR_INTERRUPTS();
	elog(LOG, "api_misc: not reached after die");
}

void
api_misc_shutdown_main(Datum main_arg)
{
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	before_shmem_exit(log_exit, CStringGetDatum("shutdown"));

	elog(LOG, "api_misc: shutdown ready pid %d", MyProcPid);
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
			elog(LOG, "api_misc: shutdown requested");
		HandleMainLoopInterrupts();
	}
}

pg_attribute_printf(1, 2)
static void
log_fmt(const char *fmt,...)
{
	char		buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	elog(LOG, "api_misc: %s", buf);
}

static void
check_c_helpers(void)
{
	int			arr[7];
	char		small[4];
	size_t		n;
	char		path[MAXPGPATH];
	char		name[NAMEDATALEN];

	StaticAssertStmt(sizeof(int32) == 4, "int32 is four bytes");
	StaticAssertStmt(BGW_MAXLEN == 96, "BGW_MAXLEN");
	Assert(lengthof(arr) == 7);
	n = strlcpy(small, "truncated", sizeof(small));
	snprintf(path, sizeof(path), "%s/%s", DataDir, "x");
	strlcpy(name, "abc", sizeof(name));
	log_fmt("c.h lengthof=%d Min=%d Max=%d strlcpy=\"%s\" returned %zu likely=%d unlikely=%d MAXPGPATH=%d NAMEDATALEN=%d MAXALIGN(1)=%d",
			(int) lengthof(arr), Min(3, 5), Max(3, 5), small, n,
			likely(n > 0) ? 1 : 0, unlikely(n == 0) ? 1 : 0,
			(int) sizeof(path), (int) sizeof(name), (int) MAXALIGN(1));
	log_fmt("PostmasterPid is parent=%s AmBackgroundWorkerProcess=%d",
			PostmasterPid == getppid() ? "yes" : "no", (int) AmBackgroundWorkerProcess());
}

static void
check_fmgr(void)
{
	Datum		d = DirectFunctionCall2(api_misc_add, Int32GetDatum(2), Int32GetDatum(40));
	PGFunction	f = (PGFunction) load_external_function("api_misc", "api_misc_add", true, NULL);
	void	   *missing = load_external_function("api_misc", "api_misc_absent", false, NULL);

	log_fmt("fmgr DirectFunctionCall2=%d api_version=%d loaded_same=%s missing=%s",
			DatumGetInt32(d), pg_finfo_api_misc_add()->api_version,
			f == api_misc_add ? "yes" : "no", missing == NULL ? "NULL" : "found");
}

static void
check_timestamps(void)
{
	TimestampTz start = GetCurrentTimestamp();
	TimestampTz end;
	long		secs;
	int			usecs;
	const char *s;

	pg_usleep(20 * 1000L);
	end = GetCurrentTimestamp();
	TimestampDifference(start, end, &secs, &usecs);
	s = timestamptz_to_str(end);
	log_fmt("timestamps elapsed>=20ms=%s exceeds10=%s exceeds100s=%s plus1500ms=%lld backwards=%ld ms str=%s",
			(secs * 1000 + usecs / 1000) >= 20 ? "yes" : "no",
			TimestampDifferenceExceeds(start, end, 10) ? "yes" : "no",
			TimestampDifferenceExceeds(start, end, 100000) ? "yes" : "no",
			(long long) (TimestampTzPlusMilliseconds(start, 1500) - start),
			TimestampDifferenceMilliseconds(end, start), s);
}

/* A signal's disposition: "dfl", "ign" or "handler". */
static const char *
disposition(int sig)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) != 0)
		return "?";
	if (sa.sa_handler == SIG_DFL)
		return "dfl";
	if (sa.sa_handler == SIG_IGN)
		return "ign";
	return "handler";
}

void
api_misc_status_main(Datum main_arg)
{
	uint32		nap;
	uint32		own;
	mode_t		mask;

	/* PostgreSQL sets the latch a worker switches to: the first wait returns */
	log_fmt("latch set at entry=%d first wait=%s", MyLatch->is_set ? 1 : 0,
			(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 0,
					   PG_WAIT_EXTENSION) & WL_LATCH_SET) ? "latch" : "timeout");
	ResetLatch(MyLatch);
	pqsignal(SIGTERM, die);
	pqsignal(SIGUSR2, api_misc_sigusr2);
	BackgroundWorkerUnblockSignals();

	check_c_helpers();
	check_fmgr();
	check_timestamps();

	raise(SIGUSR2);
	log_fmt("own SIGNAL_ARGS handler ran=%s", got_sigusr2 ? "yes" : "no");
	ResetLatch(MyLatch);		/* that handler set it; the loop logs each wake */

	/* what a PostgreSQL worker inherits from the postmaster */
	mask = umask(0);
	umask(mask);
	log_fmt("environment umask=%03o ALRM=%s TTIN=%s TTOU=%s XFSZ=%s",
			(unsigned) mask, disposition(SIGALRM), disposition(SIGTTIN),
			disposition(SIGTTOU), disposition(SIGXFSZ));

#if PG_VERSION_NUM >= 170000
	nap = WaitEventExtensionNew("ApiMiscNap");
	own = WaitEventExtensionNew("ApiMiscNap");
#else
	nap = own = PG_WAIT_EXTENSION;
#endif
	log_fmt("wait event same id twice=%s type=%s name=%s",
			nap == own ? "yes" : "no",
			pgstat_get_wait_event_type(nap), pgstat_get_wait_event(nap));

	pgstat_report_activity(STATE_RUNNING, "api_misc doing work");
	pgstat_report_wait_start(nap);
	pgstat_report_wait_end();
	log_fmt("status ready");
	for (;;)
	{
		int			rc;

		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, nap);
		ResetLatch(MyLatch);
		if (rc & WL_LATCH_SET)
			log_fmt("status woke");
		CHECK_FOR_INTERRUPTS();
	}
}
