/*
 * mqring.c: bgworker's test extension for sessions, dynamic shared memory
 * and message queues.  SQL-callable functions (declared by mqring--*.sql)
 * run in a session; mqring_pass builds a ring of shm_mq queues through
 * dynamic workers (mqring_worker_main) and pushes messages around it.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "varatt.h"

PG_MODULE_MAGIC;

#define MQRING_MAGIC	0x6d717269

typedef struct
{
	slock_t		mutex;
	int			nworkers;
	int			attached;
	int			ready;
	bool		stall;			/* workers attach, then never forward */
} ring_header;

typedef struct
{
	int			n;
	BackgroundWorkerHandle *handle[FLEXIBLE_ARRAY_MEMBER];
} ring_workers;

PGDLLEXPORT void mqring_worker_main(Datum arg);

/* on_dsm_detach: the workers go with the segment. */
static void
stop_workers(dsm_segment *seg, Datum arg)
{
	ring_workers *w = (ring_workers *) DatumGetPointer(arg);

	for (int i = 0; i < w->n; i++)
		TerminateBackgroundWorker(w->handle[i]);
}

static void
fill(char *buf, int len, int seq)
{
	for (int i = 0; i < len; i++)
		buf[i] = (char) ((seq + i) % 251);
}

PG_FUNCTION_INFO_V1(mqring_pass);
Datum
mqring_pass(PG_FUNCTION_ARGS)
{
	int32		nworkers = PG_GETARG_INT32(0);
	int32		nmsgs = PG_GETARG_INT32(1);
	int32		msgsize = PG_GETARG_INT32(2);
	int64		qsize = PG_GETARG_INT64(3);
	bool		stall = PG_GETARG_BOOL(4);
	shm_toc_estimator e;
	dsm_segment *seg;
	shm_toc    *toc;
	ring_header *hdr;
	shm_mq	   *first = NULL;
	shm_mq	   *last = NULL;
	ring_workers *w;
	BackgroundWorker bw;
	shm_mq_handle *out;
	shm_mq_handle *in;
	char	   *msg;
	int			sent = 0;
	int			received = 0;
	int64		good = 0;

	if (nworkers < 1 || nmsgs < 0 || msgsize < 0 || qsize < (int64) shm_mq_minimum_size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mqring_pass: bad arguments"),
				 errhint("At least one worker and a queue of %zu bytes.", shm_mq_minimum_size)));

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(ring_header));
	for (int i = 0; i <= nworkers; i++)
		shm_toc_estimate_chunk(&e, (Size) qsize);
	shm_toc_estimate_keys(&e, nworkers + 2);
	seg = dsm_create(shm_toc_estimate(&e), 0);
	toc = shm_toc_create(MQRING_MAGIC, dsm_segment_address(seg), shm_toc_estimate(&e));
	hdr = shm_toc_allocate(toc, sizeof(ring_header));
	SpinLockInit(&hdr->mutex);
	hdr->nworkers = nworkers;
	hdr->attached = 0;
	hdr->ready = 0;
	hdr->stall = stall;
	shm_toc_insert(toc, 0, hdr);
	for (int i = 0; i <= nworkers; i++)
	{
		shm_mq	   *mq = shm_mq_create(shm_toc_allocate(toc, (Size) qsize), (Size) qsize);

		shm_toc_insert(toc, i + 1, mq);
		if (i == 0)
		{
			shm_mq_set_sender(mq, MyProc);
			first = mq;
		}
		if (i == nworkers)
		{
			shm_mq_set_receiver(mq, MyProc);
			last = mq;
		}
	}

	w = MemoryContextAlloc(TopTransactionContext,
						   offsetof(ring_workers, handle) + sizeof(BackgroundWorkerHandle *) * nworkers);
	w->n = 0;
	on_dsm_detach(seg, stop_workers, PointerGetDatum(w));

	memset(&bw, 0, sizeof(bw));
	bw.bgw_flags = BGWORKER_SHMEM_ACCESS;
	bw.bgw_start_time = BgWorkerStart_ConsistentState;
	bw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bw.bgw_name, BGW_MAXLEN, "mqring worker");
	snprintf(bw.bgw_type, BGW_MAXLEN, "mqring");
	snprintf(bw.bgw_library_name, sizeof(bw.bgw_library_name), "mqring");
	snprintf(bw.bgw_function_name, BGW_MAXLEN, "mqring_worker_main");
	bw.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	bw.bgw_notify_pid = MyProcPid;
	for (int i = 0; i < nworkers; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
		bool		ok = RegisterDynamicBackgroundWorker(&bw, &w->handle[i]);

		MemoryContextSwitchTo(old);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("could not register background process"),
					 errhint("You may need to increase \"max_worker_processes\".")));
		w->n++;
	}
	out = shm_mq_attach(first, seg, w->handle[0]);
	in = shm_mq_attach(last, seg, w->handle[nworkers - 1]);

	msg = palloc(Max(msgsize, 1));
	while (received < nmsgs)
	{
		bool		progress = false;
		shm_mq_result r;

		if (sent < nmsgs)
		{
			fill(msg, msgsize, sent);
			r = shm_mq_send(out, msgsize, msg, true, true);
			if (r == SHM_MQ_DETACHED)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("mqring: the queue to the first worker is detached")));
			if (r == SHM_MQ_SUCCESS)
			{
				sent++;
				progress = true;
			}
		}
		{
			Size		len;
			void	   *data;

			r = shm_mq_receive(in, &len, &data, true);
			if (r == SHM_MQ_DETACHED)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("mqring: the queue from the last worker is detached")));
			if (r == SHM_MQ_SUCCESS)
			{
				char	   *expect = palloc(Max(msgsize, 1));

				fill(expect, msgsize, received);
				if (len == (Size) msgsize && memcmp(expect, data, len) == 0)
					good += len;
				pfree(expect);
				received++;
				progress = true;
			}
		}
		if (!progress)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
	}
	dsm_detach(seg);
	PG_RETURN_INT64(good);
}

void
mqring_worker_main(Datum arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	ring_header *hdr;
	int			me;
	shm_mq	   *inq;
	shm_mq	   *outq;
	shm_mq_handle *in;
	shm_mq_handle *out;
	PGPROC	   *registrant;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		ereport(ERROR,
				(errmsg("mqring worker: segment %u is gone", DatumGetUInt32(arg))));
	toc = shm_toc_attach(MQRING_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		ereport(ERROR, (errmsg("mqring worker: bad magic number")));
	hdr = shm_toc_lookup(toc, 0, false);
	SpinLockAcquire(&hdr->mutex);
	me = ++hdr->attached;
	SpinLockRelease(&hdr->mutex);

	inq = shm_toc_lookup(toc, me, false);
	shm_mq_set_receiver(inq, MyProc);
	in = shm_mq_attach(inq, seg, NULL);
	outq = shm_toc_lookup(toc, me + 1, false);
	shm_mq_set_sender(outq, MyProc);
	out = shm_mq_attach(outq, seg, NULL);

	SpinLockAcquire(&hdr->mutex);
	hdr->ready++;
	SpinLockRelease(&hdr->mutex);
	elog(LOG, "mqring worker %d ready pid %d", me, MyProcPid);
	registrant = BackendPidGetProc(MyBgworkerEntry->bgw_notify_pid);
	if (registrant != NULL)
		SetLatch(&registrant->procLatch);

	for (;;)
	{
		Size		len;
		void	   *data;

		CHECK_FOR_INTERRUPTS();
		if (hdr->stall)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			continue;
		}
		if (shm_mq_receive(in, &len, &data, false) != SHM_MQ_SUCCESS)
			break;
		if (shm_mq_send(out, len, data, false, true) != SHM_MQ_SUCCESS)
			break;
	}
	dsm_detach(seg);
	proc_exit(0);
}

PG_FUNCTION_INFO_V1(mqring_hold);
Datum
mqring_hold(PG_FUNCTION_ARGS)
{
	bool		pin = PG_ARGISNULL(0) ? true : PG_GETARG_BOOL(0);
	dsm_segment *seg = dsm_create(65536, 0);

	memset(dsm_segment_address(seg), 0x5a, 65536);
	if (pin)
		dsm_pin_segment(seg);
	PG_RETURN_OID((Oid) dsm_segment_handle(seg));
}

PG_FUNCTION_INFO_V1(mqring_echo);
Datum
mqring_echo(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(mqring_sum);
Datum
mqring_sum(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int64		sum = 0;

	deconstruct_array(a, ARR_ELEMTYPE(a), 8, true, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			sum += DatumGetInt64(elems[i]);
	PG_RETURN_INT64(sum);
}

PG_FUNCTION_INFO_V1(mqring_concat);
Datum
mqring_concat(PG_FUNCTION_ARGS)
{
	char	   *a = PG_ARGISNULL(0) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *b = PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1));

	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s%s", a, b)));
}

PG_FUNCTION_INFO_V1(mqring_series);
Datum
mqring_series(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	desc;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning record called in context that cannot accept type record")));
		funcctx->tuple_desc = BlessTupleDesc(desc);
		funcctx->max_calls = PG_GETARG_INT32(0);
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		int			i = (int) funcctx->call_cntr + 1;
		Datum		values[2];
		bool		nulls[2] = {false, false};

		ereport(NOTICE, (errmsg("row %d", i), errdetail("Square %d.", i * i)));
		values[0] = Int32GetDatum(i);
		values[1] = CStringGetTextDatum(psprintf("%d", i * i));
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

PG_FUNCTION_INFO_V1(mqring_sleep);
Datum
mqring_sleep(PG_FUNCTION_ARGS)
{
	float8		secs = PG_GETARG_FLOAT8(0);
	TimestampTz end = GetCurrentTimestamp() + (TimestampTz) (secs * 1000000.0);

	for (;;)
	{
		TimestampTz now = GetCurrentTimestamp();

		CHECK_FOR_INTERRUPTS();
		if (now >= end)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max((end - now) / 1000, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	PG_RETURN_VOID();
}
