/*-------------------------------------------------------------------------
 *
 * spibench.c
 *	  The database benchmark module.  Ordinary PostgreSQL background-worker
 *	  code that compiles unchanged against bgworker's include/ and
 *	  PostgreSQL 15's server headers: under PostgreSQL its workers run inside
 *	  the server (in-server SPI); under bgworker they are clients of the same
 *	  server (libpq).  Each worker runs one-statement transactions through
 *	  SPI, the worker_spi pattern, updating its own row of table spibench
 *	  (one row per worker, so that workers do not contend).
 *
 *	  Events are appended with a single write() each to the file named by
 *	  spibench.events, as bench/bgbench/bgbench.c writes them:
 *
 *		EVENT IDX PID MICROSECONDS [VALUES...]
 *
 *	  MICROSECONDS is CLOCK_REALTIME; the measured values are the worker's
 *	  own CLOCK_MONOTONIC nanoseconds.
 *
 *	  connected IDX PID US SETUP_NS
 *			  from the worker's first statement to the return of
 *			  BackgroundWorkerInitializeConnection
 *	  ready IDX PID US
 *			  after spibench.warmup transactions; the worker then waits for
 *			  the file spibench.events + ".go", which holds the window
 *			  "T0_NS T1_NS" (CLOCK_MONOTONIC) the driver chose for every
 *			  worker alike
 *	  spi IDX PID US DONE P50_NS P99_NS TOTAL MEAN_NS
 *			  after the window: DONE transactions ended inside it, TOTAL
 *			  were timed (those started before T1), their median, 99th
 *			  percentile and mean latency
 *	  start IDX PID US
 *			  the unconnected worker (index spibench.workers, registered
 *			  when spibench.idle_worker is on), which only waits
 *
 *	  Every worker then stays (connected or not) until SIGTERM, so that the
 *	  driver can read its memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void spibench_main(Datum main_arg);
PGDLLEXPORT void spibench_idle_main(Datum main_arg);

/* GUCs */
static int	spi_workers = 1;
static int	spi_warmup = 200;
static bool spi_idle_worker = false;
static char *spi_events = NULL;
static char *spi_database = NULL;
static char *spi_user = NULL;

static int	events_fd = -1;

static int64
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Append one event line; "rest" is extra values, already formatted. */
static void
emit(const char *event, int idx, const char *rest)
{
	char		line[256];
	int			len;
	int64		us = now_us();

	if (events_fd < 0)
	{
		if (spi_events == NULL || spi_events[0] == '\0')
			return;
		events_fd = open(spi_events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
		if (events_fd < 0)
			return;
	}
	len = snprintf(line, sizeof(line), "%s %d %d %lld%s%s\n", event, idx,
				   (int) MyProcPid, (long long) us, rest ? " " : "", rest ? rest : "");
	if (len > 0 && len < (int) sizeof(line))
		(void) !write(events_fd, line, len);
}

void
_PG_init(void)
{
	BackgroundWorker worker;
	int			i;

	DefineCustomIntVariable("spibench.workers", "Connected workers.", NULL,
							&spi_workers, 1, 0, 1000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("spibench.warmup", "Untimed transactions before the window.",
							NULL, &spi_warmup, 200, 0, 1000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("spibench.idle_worker", "Also register a worker that does not connect.",
							 NULL, &spi_idle_worker, false, PGC_POSTMASTER, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("spibench.events", "File the workers append events to.", NULL,
							   &spi_events, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("spibench.database", "Database the workers connect to.", NULL,
							   &spi_database, "postgres", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("spibench.user", "Role the workers connect as.", NULL,
							   &spi_user, "", PGC_POSTMASTER, 0, NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	for (i = 0; i <= spi_workers; i++)
	{
		bool		idle = (i == spi_workers);

		if (idle && !spi_idle_worker)
			break;
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
		if (!idle)
			worker.bgw_flags |= BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = BGW_NEVER_RESTART;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "spibench");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s",
				 idle ? "spibench_idle_main" : "spibench_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "spibench %d", i);
		snprintf(worker.bgw_type, BGW_MAXLEN, "spibench");
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
}

/* Waits until SIGTERM; the process keeps what it has (connection, memory). */
static void
idle_until_shutdown(void)
{
	for (;;)
	{
		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
			proc_exit(0);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
						 PG_WAIT_EXTENSION);
	}
}

/* Sleeps ms milliseconds, or less if the latch is set; exits on SIGTERM. */
static void
nap(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms,
					 PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	if (ShutdownRequestPending)
		proc_exit(0);
}

/* Reads the window the driver wrote; false until the file is there. */
static bool
read_window(int64 *t0, int64 *t1)
{
	char		path[MAXPGPATH];
	char		buf[128];
	int			fd;
	ssize_t		n;
	long long	a,
				b;

	snprintf(path, sizeof(path), "%s.go", spi_events);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (strchr(buf, '\n') == NULL || sscanf(buf, "%lld %lld", &a, &b) != 2)
		return false;
	*t0 = a;
	*t1 = b;
	return true;
}

/* One transaction, as worker_spi runs its statement. */
static void
one_transaction(const char *sql)
{
	int			ret;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	ret = SPI_execute(sql, false, 0);
	if (ret != SPI_OK_UPDATE || SPI_processed != 1)
		elog(FATAL, "spibench: \"%s\" returned %d, %llu rows", sql, ret,
			 (unsigned long long) SPI_processed);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

void
spibench_main(Datum main_arg)
{
	int64		started = mono_ns();
	int			idx = DatumGetInt32(main_arg);
	char		sql[128];
	char		rest[160];
	int64		t0,
				t1,
				sum = 0,
				done = 0;
	int64	   *lat;
	int			nlat = 0,
				cap = 65536;
	int			i;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(spi_database,
										 spi_user[0] ? spi_user : NULL, 0);
	snprintf(rest, sizeof(rest), "%lld", (long long) (mono_ns() - started));
	emit("connected", idx, rest);

	snprintf(sql, sizeof(sql), "UPDATE spibench SET n = n + 1 WHERE id = %d", idx);
	for (i = 0; i < spi_warmup; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (ShutdownRequestPending)
			proc_exit(0);
		one_transaction(sql);
	}
	emit("ready", idx, NULL);

	while (!read_window(&t0, &t1))
		nap(2);
	while (mono_ns() < t0 - 2000000)
		nap(1);
	while (mono_ns() < t0)
		;

	lat = malloc(sizeof(int64) * cap);
	if (lat == NULL)
		elog(FATAL, "out of memory");
	for (;;)
	{
		int64		a = mono_ns(),
					b;

		if (a >= t1)
			break;
		if (ShutdownRequestPending)
			proc_exit(0);
		one_transaction(sql);
		b = mono_ns();
		if (nlat == cap)
		{
			cap *= 2;
			lat = realloc(lat, sizeof(int64) * cap);
			if (lat == NULL)
				elog(FATAL, "out of memory");
		}
		lat[nlat++] = b - a;
		sum += b - a;
		if (b <= t1)
			done++;
	}
	if (nlat > 0)
	{
		qsort(lat, nlat, sizeof(int64), cmp_int64);
		snprintf(rest, sizeof(rest), "%lld %lld %lld %d %lld", (long long) done,
				 (long long) lat[nlat / 2], (long long) lat[(int) ((int64) nlat * 99 / 100)],
				 nlat, (long long) (sum / nlat));
	}
	else
		snprintf(rest, sizeof(rest), "0 0 0 0 0");
	free(lat);
	emit("spi", idx, rest);
	idle_until_shutdown();
}

void
spibench_idle_main(Datum main_arg)
{
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	emit("start", DatumGetInt32(main_arg), NULL);
	idle_until_shutdown();
}
