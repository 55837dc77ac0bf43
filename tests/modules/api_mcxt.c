/*-------------------------------------------------------------------------
 *
 * api_mcxt.c
 *	  Proof module for utils/palloc.h and utils/memutils.h: a background
 *	  worker that churns through memory contexts (create, allocate, grow,
 *	  reset, delete, children), checks what it gets back, and provokes
 *	  out-of-memory and bad-size errors, which must arrive as catchable
 *	  ERRORs.  It logs "api_mcxt: ..." lines for tests/api_test.go, then
 *	  exits with code 0 (finished for good).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_mcxt_main(Datum main_arg);

#define CHURN_ROUNDS	200
#define CHURN_ALLOCS	500

void
_PG_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_mcxt");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "api_mcxt_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "api_mcxt");
	snprintf(worker.bgw_type, BGW_MAXLEN, "api_mcxt");
	RegisterBackgroundWorker(&worker);
}

/* Run fn and return the message of the ERROR it raised, or "no error". */
static char *
catch_message(void (*fn) (void))
{
	MemoryContext oldcxt = CurrentMemoryContext;
	char	   *volatile result = NULL;

	PG_TRY();
	{
		fn();
		result = pstrdup("no error");
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		result = psprintf("%s [%s]%s%s", edata->message,
						  unpack_sql_state(edata->sqlerrcode),
						  edata->detail ? " " : "",
						  edata->detail ? edata->detail : "");
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return result;
}

static void
alloc_too_big(void)
{
	(void) palloc(MaxAllocSize + (Size) 1);
}

static void
alloc_out_of_memory(void)
{
	/* a legal huge request that no machine can satisfy: 1 PB */
	(void) MemoryContextAllocHuge(CurrentMemoryContext, (Size) 1 << 50);
}

static void
churn(void)
{
	MemoryContext churn_cxt;
	uint64		checksum_bad = 0;
	int			round;
	Size		after_reset;

	churn_cxt = AllocSetContextCreate(TopMemoryContext, "api_mcxt churn",
									  ALLOCSET_DEFAULT_SIZES);
	for (round = 0; round < CHURN_ROUNDS; round++)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(churn_cxt);
		MemoryContext child = AllocSetContextCreate(churn_cxt, "api_mcxt child",
													ALLOCSET_SMALL_SIZES);
		char	  **ptrs = palloc(CHURN_ALLOCS * sizeof(char *));
		int			i;

		for (i = 0; i < CHURN_ALLOCS; i++)
		{
			Size		sz = 1 + (Size) ((i * 7919 + round * 31) % 3000);

			if (i % 50 == 0)
				sz = 20000 + i; /* larger than the chunk limit: own block */
			ptrs[i] = (i % 3 == 0) ? MemoryContextAllocZero(child, sz) : palloc(sz);
			if (i % 3 == 0 && (ptrs[i][0] != 0 || ptrs[i][sz - 1] != 0))
				checksum_bad++;
			memset(ptrs[i], (char) i, sz);
			if (i % 5 == 0)
			{
				ptrs[i] = repalloc(ptrs[i], sz * 2);
				if (ptrs[i][sz - 1] != (char) i)
					checksum_bad++;
			}
			if (i % 7 == 0)
				pfree(ptrs[i]);
		}
		if (GetMemoryChunkContext(ptrs[1]) != churn_cxt)
			checksum_bad++;
		MemoryContextSwitchTo(oldcxt);
		if (round % 10 == 9)
			MemoryContextReset(churn_cxt);	/* deletes the children too */
		else
			MemoryContextDelete(child);
	}
	MemoryContextReset(churn_cxt);
	after_reset = MemoryContextMemAllocated(churn_cxt, true);
	elog(LOG, "api_mcxt: churn rounds=%d bad=%llu empty_after_reset=%s kept<=8kB=%s",
		 CHURN_ROUNDS, (unsigned long long) checksum_bad,
		 MemoryContextIsEmpty(churn_cxt) ? "yes" : "no",
		 after_reset <= 8192 ? "yes" : "no");
	MemoryContextDelete(churn_cxt);
}

void
api_mcxt_main(Datum main_arg)
{
	MemoryContext work;
	MemoryContext old;
	char	   *s;
	char	   *copy;
	int		   *arr;
	void	   *p;

	BackgroundWorkerUnblockSignals();

	elog(LOG, "api_mcxt: started, current is %s, top is %s",
		 CurrentMemoryContext ? "set" : "NULL",
		 TopMemoryContext ? "set" : "NULL");

	work = AllocSetContextCreate(TopMemoryContext, "api_mcxt work",
								 ALLOCSET_START_SMALL_SIZES);
	old = MemoryContextSwitchTo(work);

	s = psprintf("%s-%d-%.2f", "psprintf", 17, 2.5);
	copy = pnstrdup("abcdefgh", 3);
	arr = palloc0_array(int, 16);
	arr = repalloc_array(arr, int, 32);
	elog(LOG, "api_mcxt: psprintf=\"%s\" pnstrdup=\"%s\" pstrdup=\"%s\" palloc0=%d in_work=%s",
		 s, copy, pstrdup("dup"), arr[15],
		 GetMemoryChunkContext(s) == work ? "yes" : "no");

	p = palloc_extended((Size) 1 << 50, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	elog(LOG, "api_mcxt: palloc_extended NO_OOM of 1 PB returned %s",
		 p == NULL ? "NULL" : "memory");
	p = palloc_extended(64, MCXT_ALLOC_ZERO);
	elog(LOG, "api_mcxt: palloc_extended ZERO first byte %d", ((char *) p)[0]);

	/*
	 * Catch first, log after: the arguments of elog are evaluated after its
	 * errstart, and FlushErrorState inside them would discard that entry.
	 */
	s = catch_message(alloc_too_big);
	elog(LOG, "api_mcxt: too big: %s", s);
	s = catch_message(alloc_out_of_memory);
	elog(LOG, "api_mcxt: out of memory: %s", s);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);

	churn();

	elog(LOG, "api_mcxt: done");
	proc_exit(0);
}
