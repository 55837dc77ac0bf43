/*-------------------------------------------------------------------------
 *
 * logchatter.c
 *	  Test module for the logging collector: one worker that writes every
 *	  kind of log output there is and then a numbered stream of records.
 *
 *	  At start: a record with a multi-line DETAIL and a HINT, a record
 *	  longer than a pipe chunk (10000 'x' between "long<" and ">long"), a
 *	  line printed to stdout and one to stderr with stdio.  Then "chatter
 *	  seq N" for N = 1, 2, ... every logchatter.pause_us microseconds until
 *	  the file "chatter.stop" appears in the working directory (the data
 *	  directory), then "chatter done N" (N the last seq) and exit 0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void logchatter_main(Datum main_arg);

static int	pause_us = 200;

void
logchatter_main(Datum main_arg)
{
	char		longmsg[10000 + 1];
	int			seq = 0;

	BackgroundWorkerUnblockSignals();
	ereport(LOG,
			(errmsg("chatter start"),
			 errdetail("first detail line\nsecond detail line with a \"quote\", a comma"),
			 errhint("a hint")));
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	elog(LOG, "long<%s>long", longmsg);
	printf("chatter stdout line\n");
	fflush(stdout);
	fprintf(stderr, "chatter stderr line\n");
	for (;;)
	{
		if (access("chatter.stop", F_OK) == 0)
			break;
		elog(LOG, "chatter seq %d", ++seq);
		if (pause_us > 0)
			pg_usleep(pause_us);
	}
	elog(LOG, "chatter done %d", seq);
	proc_exit(0);
}

void
_PG_init(void)
{
	BackgroundWorker w;

	DefineCustomIntVariable("logchatter.pause_us", "Pause between records.", NULL,
							&pause_us, 200, 0, 1000000, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	memset(&w, 0, sizeof(w));
	snprintf(w.bgw_name, BGW_MAXLEN, "logchatter");
	snprintf(w.bgw_type, BGW_MAXLEN, "logchatter");
	snprintf(w.bgw_library_name, BGW_MAXLEN, "logchatter");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "logchatter_main");
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	RegisterBackgroundWorker(&w);
}
