/*-------------------------------------------------------------------------
 *
 * ipc.c
 *	  Process exit: proc_exit and the three callback lists
 *	  (before_shmem_exit, on_shmem_exit, on_proc_exit).
 *
 *	  proc_exit(code) runs before_shmem_exit callbacks (last registered
 *	  first), then on_shmem_exit callbacks, then on_proc_exit callbacks,
 *	  all with the same code, then exit(code).  Each entry is removed
 *	  before it is called, so an ereport(FATAL) inside a callback cannot
 *	  loop.  An atexit() hook runs whatever is left with code -1 when
 *	  module code calls exit() directly.
 *
 *	  Process: any (lists are process-local; a new child empties them with
 *	  on_exit_reset).  Not async-signal-safe, except that proc_exit may be
 *	  reached from a FATAL raised in a signal handler, as in PostgreSQL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bgw_internal.h"

#include "miscadmin.h"
#include "storage/ipc.h"

#define MAX_ON_EXITS 20

typedef struct ExitCallback
{
	pg_on_exit_callback function;
	Datum		arg;
} ExitCallback;

BGW_CHILD_HOT static ExitCallback on_proc_exit_list[MAX_ON_EXITS];
BGW_CHILD_HOT static ExitCallback on_shmem_exit_list[MAX_ON_EXITS];
BGW_CHILD_HOT static ExitCallback before_shmem_exit_list[MAX_ON_EXITS];
BGW_CHILD_HOT static int on_proc_exit_index;
BGW_CHILD_HOT static int on_shmem_exit_index;
BGW_CHILD_HOT static int before_shmem_exit_index;

BGW_CHILD_HOT bool proc_exit_inprogress = false;
BGW_CHILD_HOT bool shmem_exit_inprogress = false;

BGW_CHILD_HOT static bool atexit_callback_setup = false;

static void proc_exit_prepare(int code);

/*
 * End the process: run the exit callbacks, then exit(code).  Refuses
 * (PANIC) in a process that inherited MyProcPid from its parent without
 * updating it: such a process would run the parent's callbacks.
 */
void
proc_exit(int code)
{
	if (MyProcPid != 0 && MyProcPid != (int) getpid())
		elog(PANIC, "proc_exit() called in child process");

	proc_exit_prepare(code);
	exit(code);
}

static void
proc_exit_prepare(int code)
{
	proc_exit_inprogress = true;

	/* nothing may interrupt the callbacks */
	InterruptPending = false;
	ProcDiePending = false;
	QueryCancelPending = false;
	InterruptHoldoffCount = 1;
	CritSectionCount = 0;

	/* context callbacks of the code we are leaving are meaningless now */
	error_context_stack = NULL;

	shmem_exit(code);

	while (--on_proc_exit_index >= 0)
		on_proc_exit_list[on_proc_exit_index].function(code,
													   on_proc_exit_list[on_proc_exit_index].arg);
	on_proc_exit_index = 0;
}

/*
 * Run the shared-memory callbacks: before_shmem_exit, then on_shmem_exit,
 * each list last-registered first.  Also used on its own (without exiting).
 */
void
shmem_exit(int code)
{
	shmem_exit_inprogress = true;

	while (--before_shmem_exit_index >= 0)
		before_shmem_exit_list[before_shmem_exit_index].function(code,
																 before_shmem_exit_list[before_shmem_exit_index].arg);
	before_shmem_exit_index = 0;

	while (--on_shmem_exit_index >= 0)
		on_shmem_exit_list[on_shmem_exit_index].function(code,
														 on_shmem_exit_list[on_shmem_exit_index].arg);
	on_shmem_exit_index = 0;

	shmem_exit_inprogress = false;
}

/* exit() called by module code without proc_exit: run the callbacks (code -1). */
static void
atexit_callback(void)
{
	proc_exit_prepare(-1);
}

static void
ensure_atexit(void)
{
	if (!atexit_callback_setup)
	{
		atexit(atexit_callback);
		atexit_callback_setup = true;
	}
}

void
on_proc_exit(pg_on_exit_callback function, Datum arg)
{
	if (on_proc_exit_index >= MAX_ON_EXITS)
		ereport(FATAL,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg_internal("out of on_proc_exit slots")));
	on_proc_exit_list[on_proc_exit_index].function = function;
	on_proc_exit_list[on_proc_exit_index].arg = arg;
	++on_proc_exit_index;
	ensure_atexit();
}

void
before_shmem_exit(pg_on_exit_callback function, Datum arg)
{
	if (before_shmem_exit_index >= MAX_ON_EXITS)
		ereport(FATAL,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg_internal("out of before_shmem_exit slots")));
	before_shmem_exit_list[before_shmem_exit_index].function = function;
	before_shmem_exit_list[before_shmem_exit_index].arg = arg;
	++before_shmem_exit_index;
	ensure_atexit();
}

void
on_shmem_exit(pg_on_exit_callback function, Datum arg)
{
	if (on_shmem_exit_index >= MAX_ON_EXITS)
		ereport(FATAL,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg_internal("out of on_shmem_exit slots")));
	on_shmem_exit_list[on_shmem_exit_index].function = function;
	on_shmem_exit_list[on_shmem_exit_index].arg = arg;
	++on_shmem_exit_index;
	ensure_atexit();
}

/*
 * Remove the most recent before_shmem_exit entry, which must be
 * (function, arg); used by PG_END_ENSURE_ERROR_CLEANUP.
 */
void
cancel_before_shmem_exit(pg_on_exit_callback function, Datum arg)
{
	if (before_shmem_exit_index > 0 &&
		before_shmem_exit_list[before_shmem_exit_index - 1].function == function &&
		before_shmem_exit_list[before_shmem_exit_index - 1].arg == arg)
		--before_shmem_exit_index;
	else
		elog(ERROR, "before_shmem_exit callback (%p,0x%lx) is not the latest entry",
			 (void *) function, (unsigned long) arg);
}

/* Forget every callback: a new child must not run its parent's. */
void
on_exit_reset(void)
{
	before_shmem_exit_index = 0;
	on_shmem_exit_index = 0;
	on_proc_exit_index = 0;
	proc_exit_inprogress = false;
	shmem_exit_inprogress = false;
}

void
check_on_shmem_exit_lists_are_empty(void)
{
	if (before_shmem_exit_index)
		elog(FATAL, "before_shmem_exit has been called prematurely");
	if (on_shmem_exit_index)
		elog(FATAL, "on_shmem_exit has been called prematurely");
}
