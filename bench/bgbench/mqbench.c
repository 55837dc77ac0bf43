/*-------------------------------------------------------------------------
 *
 * mqbench.c
 *	  The message-queue benchmark extension.  SQL-callable functions
 *	  (declared by mqbench--1.0.sql) that compile unchanged against
 *	  bgworker's include/ and PostgreSQL 15's server headers: under
 *	  PostgreSQL they run in a backend (psql -c 'SELECT ...'), under
 *	  bgworker in a session (bgworker call).
 *
 *	  mqbench_roundtrip and mqbench_stream create a dynamic shared memory
 *	  segment with one shm_mq each way, start one dynamic worker
 *	  (mqbench_worker_main, bgw_notify_pid = the caller) and time, with
 *	  CLOCK_MONOTONIC in the caller, only the messages: the worker's start
 *	  and the first exchange are outside the clock.
 *
 *	  roundtrip	the worker sends every message back; the caller sends one
 *				message (force_flush) and waits for its echo, ROUNDS times
 *				after WARMUP untimed rounds.  Result: "ROUNDS P50_NS P99_NS
 *				MEAN_NS".
 *	  stream	the caller sends NMSGS messages one way without flushing
 *				each (as a tuple queue does), then an empty message with
 *				force_flush; the worker counts messages and bytes and
 *				answers the empty message with the counts.  Result:
 *				"NMSGS BYTES ELAPSED_NS CPU_US SLEEPS": CPU time (user +
 *				system, getrusage) and voluntary context switches of the
 *				caller and the worker together over the timed part.
 *
 *	  mqbench_noop returns 1 at once: the cost of a call alone.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

#define MQBENCH_MAGIC	0x6d716265

/* the worker's mode, in the segment's first chunk */
#define MQBENCH_ECHO	1
#define MQBENCH_SINK	2

typedef struct
{
	int			mode;
} mqbench_header;

/*
 * The sink's answer to an empty message: what it received since the
 * previous one, and the CPU time and voluntary context switches (sleeps)
 * it used meanwhile.
 */
typedef struct
{
	int64		messages;
	int64		bytes;
	int64		cpu_us;
	int64		sleeps;
} mqbench_counts;

/* what a call holds while it talks to its worker */
typedef struct
{
	dsm_segment *seg;
	BackgroundWorkerHandle *worker;
	shm_mq_handle *out;			/* caller → worker */
	shm_mq_handle *in;			/* worker → caller */
} mqbench_link;

PGDLLEXPORT void mqbench_worker_main(Datum arg);

static int64
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* This process's CPU time (user + system) in µs and its voluntary context switches. */
static void
usage_now(int64 *cpu_us, int64 *sleeps)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*cpu_us = (int64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	*sleeps = ru.ru_nvcsw;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

static void
check_args(int32 msgsize, int32 count, int64 qsize)
{
	if (msgsize < 0 || count < 1 || qsize < (int64) shm_mq_minimum_size + 64 ||
		qsize > 1024 * 1024 * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mqbench: bad arguments"),
				 errhint("A message size of at least 0, a count of at least 1 and a queue of at least %zu bytes.",
						 shm_mq_minimum_size + 64)));
}

/*
 * Create the segment and both queues, start the worker in the given mode
 * and wait until it is attached to both.
 */
static void
link_open(mqbench_link *l, int mode, int64 qsize)
{
	shm_toc_estimator e;
	Size		segsize;
	shm_toc    *toc;
	mqbench_header *hdr;
	shm_mq	   *outq;
	shm_mq	   *inq;
	BackgroundWorker bw;

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(mqbench_header));
	shm_toc_estimate_chunk(&e, (Size) qsize);
	shm_toc_estimate_chunk(&e, (Size) qsize);
	shm_toc_estimate_keys(&e, 3);
	segsize = shm_toc_estimate(&e);

	l->seg = dsm_create(segsize, 0);
	toc = shm_toc_create(MQBENCH_MAGIC, dsm_segment_address(l->seg), segsize);
	hdr = shm_toc_allocate(toc, sizeof(mqbench_header));
	hdr->mode = mode;
	shm_toc_insert(toc, 0, hdr);
	outq = shm_mq_create(shm_toc_allocate(toc, (Size) qsize), (Size) qsize);
	shm_toc_insert(toc, 1, outq);
	shm_mq_set_sender(outq, MyProc);
	inq = shm_mq_create(shm_toc_allocate(toc, (Size) qsize), (Size) qsize);
	shm_toc_insert(toc, 2, inq);
	shm_mq_set_receiver(inq, MyProc);

	memset(&bw, 0, sizeof(bw));
	bw.bgw_flags = BGWORKER_SHMEM_ACCESS;
	bw.bgw_start_time = BgWorkerStart_ConsistentState;
	bw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bw.bgw_name, BGW_MAXLEN, "mqbench worker");
	snprintf(bw.bgw_type, BGW_MAXLEN, "mqbench");
	snprintf(bw.bgw_library_name, sizeof(bw.bgw_library_name), "mqbench");
	snprintf(bw.bgw_function_name, BGW_MAXLEN, "mqbench_worker_main");
	bw.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(l->seg));
	bw.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&bw, &l->worker))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not register background process"),
				 errhint("You may need to increase \"max_worker_processes\".")));

	l->out = shm_mq_attach(outq, l->seg, l->worker);
	l->in = shm_mq_attach(inq, l->seg, l->worker);
	if (shm_mq_wait_for_attach(l->out) != SHM_MQ_SUCCESS ||
		shm_mq_wait_for_attach(l->in) != SHM_MQ_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("mqbench: the worker stopped before attaching to its queues")));
}

/* Detach (the worker sees SHM_MQ_DETACHED and exits) and wait it out. */
static void
link_close(mqbench_link *l)
{
	dsm_detach(l->seg);
	(void) WaitForBackgroundWorkerShutdown(l->worker);
}

static void
send_or_error(shm_mq_handle *mqh, Size len, const void *data, bool flush)
{
	if (shm_mq_send(mqh, len, data, false, flush) != SHM_MQ_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("mqbench: the worker detached from its queue")));
}

static void *
receive_or_error(shm_mq_handle *mqh, Size *len)
{
	void	   *data;

	if (shm_mq_receive(mqh, len, &data, false) != SHM_MQ_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("mqbench: the worker detached from its queue")));
	return data;
}

PG_FUNCTION_INFO_V1(mqbench_roundtrip);
Datum
mqbench_roundtrip(PG_FUNCTION_ARGS)
{
	int32		msgsize = PG_GETARG_INT32(0);
	int32		rounds = PG_GETARG_INT32(1);
	int32		warmup = PG_GETARG_INT32(2);
	int64		qsize = PG_GETARG_INT64(3);
	mqbench_link l;
	char	   *msg;
	int64	   *ns;
	int64		sum = 0;

	check_args(msgsize, rounds, qsize);
	if (warmup < 1)
		warmup = 1;
	msg = palloc(Max(msgsize, 1));
	for (int i = 0; i < msgsize; i++)
		msg[i] = (char) (i % 251);
	ns = palloc(sizeof(int64) * rounds);

	link_open(&l, MQBENCH_ECHO, qsize);
	for (int i = 0; i < warmup + rounds; i++)
	{
		int64		t0 = now_ns();
		Size		len;
		void	   *data;

		send_or_error(l.out, msgsize, msg, true);
		data = receive_or_error(l.in, &len);
		if (i >= warmup)
			ns[i - warmup] = now_ns() - t0;
		else if (len != (Size) msgsize || memcmp(data, msg, len) != 0)
			ereport(ERROR,
					(errmsg("mqbench: the echo of %d bytes came back as %zu different bytes",
							msgsize, len)));
		if (len != (Size) msgsize)
			ereport(ERROR,
					(errmsg("mqbench: the echo of %d bytes came back with %zu",
							msgsize, len)));
		CHECK_FOR_INTERRUPTS();
	}
	link_close(&l);

	for (int i = 0; i < rounds; i++)
		sum += ns[i];
	qsort(ns, rounds, sizeof(int64), cmp_int64);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%d " INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT,
											  rounds, ns[rounds / 2],
											  ns[Min((int64) rounds * 99 / 100, rounds - 1)],
											  sum / rounds)));
}

PG_FUNCTION_INFO_V1(mqbench_stream);
Datum
mqbench_stream(PG_FUNCTION_ARGS)
{
	int32		msgsize = PG_GETARG_INT32(0);
	int32		nmsgs = PG_GETARG_INT32(1);
	int64		qsize = PG_GETARG_INT64(2);
	mqbench_link l;
	char	   *msg;
	mqbench_counts counts;
	Size		len;
	void	   *data;
	int64		t0;
	int64		elapsed;
	int64		cpu0,
				cpu1,
				sleeps0,
				sleeps1;

	check_args(msgsize, nmsgs, qsize);
	msg = palloc(Max(msgsize, 1));
	for (int i = 0; i < msgsize; i++)
		msg[i] = (char) (i % 251);

	link_open(&l, MQBENCH_SINK, qsize);
	/* one untimed exchange: the worker runs and waits */
	send_or_error(l.out, 0, msg, true);
	(void) receive_or_error(l.in, &len);

	usage_now(&cpu0, &sleeps0);
	t0 = now_ns();
	for (int i = 0; i < nmsgs; i++)
	{
		send_or_error(l.out, msgsize, msg, false);
		if ((i & 255) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	send_or_error(l.out, 0, msg, true);
	data = receive_or_error(l.in, &len);
	elapsed = now_ns() - t0;
	usage_now(&cpu1, &sleeps1);
	if (len != sizeof(counts))
		ereport(ERROR, (errmsg("mqbench: the sink answered with %zu bytes", len)));
	memcpy(&counts, data, sizeof(counts));
	link_close(&l);

	if (counts.messages != nmsgs || counts.bytes != (int64) nmsgs * msgsize)
		ereport(ERROR,
				(errmsg("mqbench: sent %d messages of %d bytes, the worker counted " INT64_FORMAT " messages, " INT64_FORMAT " bytes",
						nmsgs, msgsize, counts.messages, counts.bytes)));
	PG_RETURN_TEXT_P(cstring_to_text(psprintf(INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT,
											  counts.messages, counts.bytes, elapsed,
											  cpu1 - cpu0 + counts.cpu_us,
											  sleeps1 - sleeps0 + counts.sleeps)));
}

PG_FUNCTION_INFO_V1(mqbench_noop);
Datum
mqbench_noop(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(1);
}

/*
 * The dynamic worker: attach to the caller's segment, take the receiving
 * end of the first queue and the sending end of the second, and echo or
 * count until the caller detaches.
 */
void
mqbench_worker_main(Datum arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	mqbench_header *hdr;
	shm_mq	   *inq;
	shm_mq	   *outq;
	shm_mq_handle *in;
	shm_mq_handle *out;
	mqbench_counts counts = {0, 0, 0, 0};
	int64		cpu0,
				sleeps0;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("mqbench worker: could not map dynamic shared memory segment")));
	toc = shm_toc_attach(MQBENCH_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("mqbench worker: bad magic number in dynamic shared memory segment")));
	hdr = shm_toc_lookup(toc, 0, false);
	inq = shm_toc_lookup(toc, 1, false);
	outq = shm_toc_lookup(toc, 2, false);
	shm_mq_set_receiver(inq, MyProc);
	shm_mq_set_sender(outq, MyProc);
	in = shm_mq_attach(inq, seg, NULL);
	out = shm_mq_attach(outq, seg, NULL);
	usage_now(&cpu0, &sleeps0);

	for (;;)
	{
		Size		len;
		void	   *data;

		if (shm_mq_receive(in, &len, &data, false) != SHM_MQ_SUCCESS)
			break;
		if (hdr->mode == MQBENCH_ECHO)
		{
			if (shm_mq_send(out, len, data, false, true) != SHM_MQ_SUCCESS)
				break;
		}
		else if (len == 0)
		{
			int64		cpu1,
						sleeps1;

			usage_now(&cpu1, &sleeps1);
			counts.cpu_us = cpu1 - cpu0;
			counts.sleeps = sleeps1 - sleeps0;
			if (shm_mq_send(out, sizeof(counts), &counts, false, true) != SHM_MQ_SUCCESS)
				break;
			memset(&counts, 0, sizeof(counts));
			usage_now(&cpu0, &sleeps0);
		}
		else
		{
			counts.messages++;
			counts.bytes += len;
		}
	}
	dsm_detach(seg);
	proc_exit(0);
}
