/*-------------------------------------------------------------------------
 *
 * api_elog.c
 *	  Proof module for utils/elog.h: a background worker that walks through
 *	  the error-reporting API (ereport with every auxiliary function,
 *	  PG_TRY / PG_CATCH / PG_FINALLY, PG_RE_THROW, CopyErrorData,
 *	  FlushErrorState, ReThrowError, EmitErrorReport, error context
 *	  callbacks, emit_log_hook, message levels) and logs what it observes,
 *	  one "api_elog: ..." line per step, so that tests/api_test.go can check
 *	  it.  At the end it raises an ERROR nobody catches, which must end the
 *	  worker with exit code 1.
 *
 *	  Written as ordinary PostgreSQL code: it also compiles against
 *	  PostgreSQL's own server headers (tests/pgcompat_test.go).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/elog.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_elog_main(Datum main_arg);

/* What our emit_log_hook saw; written by the hook, read by the worker. */
static int	hook_calls = 0;
static char hook_last[256];
static char hook_last_id[256];	/* its message_id: the format */
static int	hook_last_level = 0;
static emit_log_hook_type prev_emit_log_hook = NULL;

/*
 * emit_log_hook: remember the last message that mentions "hooked" and
 * suppress it from the server log, to prove the hook runs before output.
 */
static void
api_elog_log_hook(ErrorData *edata)
{
	if (edata->message && strstr(edata->message, "hooked") != NULL)
	{
		hook_calls++;
		hook_last_level = edata->elevel;
		strlcpy(hook_last, edata->message, sizeof(hook_last));
		strlcpy(hook_last_id, edata->message_id ? edata->message_id : "(null)",
				sizeof(hook_last_id));
		edata->output_to_server = false;
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* An error context callback, as modules push them around work units. */
static void
api_elog_context_callback(void *arg)
{
	errcontext("while processing item %d", *(int *) arg);
}

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
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_elog");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "api_elog_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "api_elog");
	snprintf(worker.bgw_type, BGW_MAXLEN, "api_elog");
	RegisterBackgroundWorker(&worker);
}

/* Step 1: a full ereport caught and copied. */
static void
step_copy_error_data(void)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	int			item = 42;
	ErrorContextCallback errcallback;
	ErrorContextCallback *volatile before = error_context_stack;

	PG_TRY();
	{
		errcallback.callback = api_elog_context_callback;
		errcallback.arg = &item;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;

		ereport(ERROR,
				(errcode(ERRCODE_DIVISION_BY_ZERO),
				 errmsg("cannot divide %d by %d", 7, 0),
				 errdetail("The divisor was %s.", "zero"),
				 errhint("Use a divisor other than zero."),
				 errcontext("computing the ratio")));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		elog(LOG, "api_elog: caught elevel=%s sqlstate=%s message=\"%s\" detail=\"%s\" hint=\"%s\" context=\"%s\"",
			 edata->elevel == ERROR ? "ERROR" : "other",
			 unpack_sql_state(edata->sqlerrcode),
			 edata->message, edata->detail, edata->hint,
			 edata->context ? edata->context : "(none)");
		FreeErrorData(edata);
	}
	PG_END_TRY();
	/* PG_TRY restored the context stack */
	elog(LOG, "api_elog: context stack restored=%s",
		 error_context_stack == before ? "yes" : "no");
}

/* Step 2: PG_FINALLY runs on both paths, PG_RE_THROW reaches the outer level. */
static void
step_finally_and_rethrow(void)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile int finally_runs = 0;

	PG_TRY();
	{
		PG_TRY();
		{
			elog(LOG, "api_elog: inner try without error");
		}
		PG_FINALLY();
		{
			finally_runs++;
		}
		PG_END_TRY();

		PG_TRY();
		{
			elog(ERROR, "inner failure %d", 1);
		}
		PG_FINALLY();
		{
			finally_runs++;
		}
		PG_END_TRY();
		elog(LOG, "api_elog: not reached after PG_FINALLY rethrow");
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		elog(LOG, "api_elog: outer caught \"%s\" after %d finally blocks",
			 edata->message, finally_runs);
		FreeErrorData(edata);
	}
	PG_END_TRY();

	/* PG_CATCH + PG_RE_THROW, two levels deep */
	PG_TRY();
	{
		PG_TRY();
		{
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg_internal("deep failure")));
		}
		PG_CATCH();
		{
			elog(LOG, "api_elog: inner catch rethrows");
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		elog(LOG, "api_elog: rethrown error reached outer catch: \"%s\" sqlstate=%s",
			 edata->message, unpack_sql_state(edata->sqlerrcode));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/* Step 3: ReThrowError of a copied error, and EmitErrorReport. */
static void
step_rethrow_copy_and_emit(void)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ErrorData  *saved = NULL;

	PG_TRY();
	{
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("saved for later"),
				 errdetail_log("Only the server log sees this detail.")));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		saved = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();

	PG_TRY();
	{
		ReThrowError(saved);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		/* Log the error as an ERROR report, then forget it. */
		elog(LOG, "api_elog: emitting the rethrown copy");
		EmitErrorReport();
		FlushErrorState();
	}
	PG_END_TRY();
	FreeErrorData(saved);
}

/* Step 4: levels, errcode_for_file_access, %m, and the emit_log_hook. */
static void
step_levels_and_hook(void)
{
	int			fd;

	elog(DEBUG1, "api_elog: debug1 must not be logged");
	ereport(NOTICE, (errmsg("api_elog: notice must not be logged")));
	ereport(WARNING,
			(errcode(ERRCODE_WARNING),
			 errmsg("api_elog: a warning"),
			 errhint("Hints are logged too.")));
	elog(LOG_SERVER_ONLY, "api_elog: log_server_only line");
	elog(INFO, "api_elog: info must not be logged");

	fd = open("/nonexistent/api_elog", O_RDONLY);
	if (fd < 0)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\": %m", "/nonexistent/api_elog")));

	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = api_elog_log_hook;
	elog(WARNING, "hooked message %d", 3);
	emit_log_hook = prev_emit_log_hook;
	elog(LOG, "api_elog: hook calls=%d level=%s last=\"%s\" id=\"%s\"",
		 hook_calls, hook_last_level == WARNING ? "WARNING" : "other", hook_last,
		 hook_last_id);
}

void
api_elog_main(Datum main_arg)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	elog(LOG, "api_elog: started");
	/* utils/elog.h's syslog settings link, with PostgreSQL's defaults */
	elog(LOG, "api_elog: syslog_sequence_numbers=%d syslog_split_messages=%d",
		 (int) syslog_sequence_numbers, (int) syslog_split_messages);
	step_copy_error_data();
	step_finally_and_rethrow();
	step_rethrow_copy_and_emit();
	step_levels_and_hook();

	/* An ERROR nobody catches ends the worker with exit code 1. */
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("api_elog: uncaught error"),
			 errdetail("The worker ends here.")));
	elog(LOG, "api_elog: not reached");
}
