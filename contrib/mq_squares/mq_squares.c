/*-------------------------------------------------------------------------
 *
 * mq_squares.c
 *	  Sample extension: a SQL-callable function that starts N dynamic
 *	  workers, gives them work over shared memory message queues and
 *	  returns their results.  Run it with
 *
 *		bgworker call -D DIR mq_squares 4 1000000
 *
 *	  The session makes one dynamic shared memory segment holding, per
 *	  worker, a queue of work (session -> worker) and a queue of results
 *	  (worker -> session).  A work item is a range [first, last]; the
 *	  answer is the sum of the squares in it.  An empty message tells a
 *	  worker to stop.  If the call fails or is cancelled, detaching the
 *	  segment detaches the queues, and the workers stop on their own.
 *
 *-------------------------------------------------------------------------
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
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

#define MQ_SQUARES_MAGIC	0x6d717371
#define QUEUE_SIZE			4096

typedef struct
{
	int64		first;
	int64		last;
} work_item;

typedef struct
{
	int64		sum;
	int32		worker;
} work_result;

PGDLLEXPORT void mq_squares_worker(Datum arg);

/* Per worker: the queues and what it did. */
typedef struct
{
	shm_mq_handle *work;
	shm_mq_handle *results;
	BackgroundWorkerHandle *handle;
	int			pending;		/* items sent, answer not yet read */
	int			chunks;			/* answers read */
	int64		total;			/* sum of the answers */
} worker_conn;

/*
 * Start nworkers workers on a new segment and run the whole range
 * through them.  Returns a palloc'd array of nworkers connections with
 * their counts.
 */
static worker_conn *
run_squares(int nworkers, int64 upto, int64 chunk)
{
	shm_toc_estimator e;
	dsm_segment *seg;
	shm_toc    *toc;
	worker_conn *conns;
	BackgroundWorker bw;
	int64		next = 1;
	int			busy = 0;

	if (nworkers < 1 || nworkers > 64 || upto < 0 || chunk < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mq_squares needs 1 to 64 workers, upto >= 0 and chunk >= 1")));

	shm_toc_initialize_estimator(&e);
	for (int i = 0; i < 2 * nworkers; i++)
		shm_toc_estimate_chunk(&e, QUEUE_SIZE);
	shm_toc_estimate_keys(&e, 2 * nworkers);
	seg = dsm_create(shm_toc_estimate(&e), 0);
	toc = shm_toc_create(MQ_SQUARES_MAGIC, dsm_segment_address(seg), shm_toc_estimate(&e));

	memset(&bw, 0, sizeof(bw));
	bw.bgw_flags = BGWORKER_SHMEM_ACCESS;
	bw.bgw_start_time = BgWorkerStart_ConsistentState;
	bw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bw.bgw_library_name, sizeof(bw.bgw_library_name), "mq_squares");
	snprintf(bw.bgw_function_name, BGW_MAXLEN, "mq_squares_worker");
	bw.bgw_notify_pid = MyProcPid;

	conns = palloc0(sizeof(worker_conn) * nworkers);
	for (int i = 0; i < nworkers; i++)
	{
		shm_mq	   *work = shm_mq_create(shm_toc_allocate(toc, QUEUE_SIZE), QUEUE_SIZE);
		shm_mq	   *results = shm_mq_create(shm_toc_allocate(toc, QUEUE_SIZE), QUEUE_SIZE);

		shm_toc_insert(toc, 2 * i, work);
		shm_toc_insert(toc, 2 * i + 1, results);
		shm_mq_set_sender(work, MyProc);
		shm_mq_set_receiver(results, MyProc);

		snprintf(bw.bgw_name, BGW_MAXLEN, "mq_squares worker %d", i);
		snprintf(bw.bgw_type, BGW_MAXLEN, "mq_squares");
		bw.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
		memcpy(bw.bgw_extra, &i, sizeof(i));
		if (!RegisterDynamicBackgroundWorker(&bw, &conns[i].handle))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("could not register background process"),
					 errhint("You may need to increase \"max_worker_processes\".")));
		/* the handle: a worker that dies before attaching detaches */
		conns[i].work = shm_mq_attach(work, seg, conns[i].handle);
		conns[i].results = shm_mq_attach(results, seg, conns[i].handle);
	}

	/*
	 * Keep every worker busy with one item at a time: send to idle workers,
	 * collect answers, until the range is done.  Nonblocking both ways, so
	 * one slow worker holds up nobody; sleep on the latch when nothing moved.
	 */
	while (next <= upto || busy > 0)
	{
		bool		progress = false;

		for (int i = 0; i < nworkers; i++)
		{
			worker_conn *c = &conns[i];
			shm_mq_result r;

			if (c->pending == 0 && next <= upto)
			{
				work_item item = {next, Min(next + chunk - 1, upto)};

				r = shm_mq_send(c->work, sizeof(item), &item, true, true);
				if (r == SHM_MQ_DETACHED)
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("mq_squares worker %d is gone", i)));
				if (r == SHM_MQ_SUCCESS)
				{
					next = item.last + 1;
					c->pending = 1;
					busy++;
					progress = true;
				}
			}
			if (c->pending > 0)
			{
				Size		len;
				void	   *data;

				r = shm_mq_receive(c->results, &len, &data, true);
				if (r == SHM_MQ_DETACHED)
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("mq_squares worker %d is gone", i)));
				if (r == SHM_MQ_SUCCESS)
				{
					work_result res;

					if (len != sizeof(res))
						elog(ERROR, "mq_squares: bad answer of %zu bytes", len);
					memcpy(&res, data, sizeof(res));
					c->total += res.sum;
					c->chunks++;
					c->pending = 0;
					busy--;
					progress = true;
				}
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

	/* an empty message each: stop; then wait for them to go */
	for (int i = 0; i < nworkers; i++)
		(void) shm_mq_send(conns[i].work, 0, NULL, false, true);
	for (int i = 0; i < nworkers; i++)
		(void) WaitForBackgroundWorkerShutdown(conns[i].handle);
	dsm_detach(seg);
	return conns;
}

void
mq_squares_worker(Datum arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	int			me;
	shm_mq_handle *work;
	shm_mq_handle *results;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	memcpy(&me, MyBgworkerEntry->bgw_extra, sizeof(me));
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		proc_exit(0);			/* the call is over already */
	toc = shm_toc_attach(MQ_SQUARES_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		ereport(ERROR, (errmsg("mq_squares: bad magic number in segment")));
	work = shm_mq_attach(shm_toc_lookup(toc, 2 * me, false), seg, NULL);
	shm_mq_set_receiver(shm_mq_get_queue(work), MyProc);
	results = shm_mq_attach(shm_toc_lookup(toc, 2 * me + 1, false), seg, NULL);
	shm_mq_set_sender(shm_mq_get_queue(results), MyProc);

	for (;;)
	{
		Size		len;
		void	   *data;
		work_item	item;
		work_result res = {0, me};

		CHECK_FOR_INTERRUPTS();
		if (shm_mq_receive(work, &len, &data, false) != SHM_MQ_SUCCESS || len == 0)
			break;
		memcpy(&item, data, sizeof(item));
		for (int64 n = item.first; n <= item.last; n++)
			res.sum += n * n;
		if (shm_mq_send(results, sizeof(res), &res, false, true) != SHM_MQ_SUCCESS)
			break;
	}
	dsm_detach(seg);
	proc_exit(0);
}

PG_FUNCTION_INFO_V1(mq_squares);
Datum
mq_squares(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	worker_conn *conns;

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
		funcctx->user_fctx = run_squares(PG_GETARG_INT32(0), PG_GETARG_INT64(1),
										 PG_GETARG_INT64(2));
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	conns = funcctx->user_fctx;
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		worker_conn *c = &conns[funcctx->call_cntr];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum((int32) funcctx->call_cntr);
		values[1] = Int32GetDatum(c->chunks);
		values[2] = Int64GetDatum(c->total);
		SRF_RETURN_NEXT(funcctx,
						HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

PG_FUNCTION_INFO_V1(mq_squares_total);
Datum
mq_squares_total(PG_FUNCTION_ARGS)
{
	int			nworkers = PG_GETARG_INT32(0);
	worker_conn *conns = run_squares(nworkers, PG_GETARG_INT64(1), 10000);
	int64		total = 0;

	for (int i = 0; i < nworkers; i++)
		total += conns[i].total;
	PG_RETURN_INT64(total);
}
