/*
 * badinit.c
 *	  Test module whose _PG_init raises an ERROR (or, built with
 *	  -DBAD_REGISTRATION, registers invalid workers and too many workers).
 */
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void badinit_main(Datum arg);

void
badinit_main(Datum arg)
{
}

void
_PG_init(void)
{
#ifdef BAD_REGISTRATION
	BackgroundWorker w;
	int			i;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	strcpy(w.bgw_library_name, "badinit");
	strcpy(w.bgw_function_name, "badinit_main");

	strcpy(w.bgw_name, "bad restart");
	w.bgw_restart_time = -5;
	RegisterBackgroundWorker(&w);

	strcpy(w.bgw_name, "bad notify");
	w.bgw_restart_time = 1;
	w.bgw_notify_pid = 1;
	RegisterBackgroundWorker(&w);
	w.bgw_notify_pid = 0;

	strcpy(w.bgw_name, "bad db");
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_PostmasterStart;
	RegisterBackgroundWorker(&w);

	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	for (i = 0; i < 3; i++)
	{
		snprintf(w.bgw_name, BGW_MAXLEN, "many %d", i);
		RegisterBackgroundWorker(&w);
	}
#else
	ereport(ERROR, (errmsg("badinit refuses to initialise"),
					errdetail("This module always fails.")));
#endif
}
