/*-------------------------------------------------------------------------
 *
 * api_guc.c
 *	  Proof module for utils/guc.h: defines one variable of every type with
 *	  check, assign and show hooks and units, reserves its prefix, and runs
 *	  a worker that reports the values it sees at start and after every
 *	  reload (SIGHUP + ProcessConfigFile).  After each reload it also starts
 *	  a dynamic worker that reports the values it starts with, so the tests
 *	  can check that a worker started after a reload sees the new file.
 *
 *	  Every report is one line:
 *	    api_guc WHO: flag=.. naptime=.. mem=.. ratio=.. name=.. level=..
 *	                 fixed=.. early=.. show_name=.. get_naptime=.. assigns=..
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_guc_main(Datum main_arg);

static bool api_guc_flag = false;
static int	api_guc_naptime = 1000;
static int	api_guc_mem = 1024;
static double api_guc_ratio = 0.25;
static char *api_guc_name = NULL;
static int	api_guc_level = 0;
static int	api_guc_fixed = 1;
static char *api_guc_early = NULL;

/* how many times the assign hooks ran in this process */
static int	assign_calls = 0;

static const struct config_enum_entry level_options[] = {
	{"low", 0, false},
	{"medium", 1, false},
	{"high", 2, false},
	{"mid", 1, true},			/* hidden alias */
	{NULL, 0, false}
};

/* The name must not contain a space. */
static bool
check_name(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && strchr(*newval, ' ') != NULL)
	{
		GUC_check_errdetail("Names may not contain spaces.");
		return false;
	}
	return true;
}

static void
assign_name(const char *newval, void *extra)
{
	assign_calls++;
}

static const char *
show_name(void)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "<%s>", api_guc_name ? api_guc_name : "");
	return buf;
}

/* 0.5 exactly is refused by the check hook. */
static bool
check_ratio(double *newval, void **extra, GucSource source)
{
	if (*newval == 0.5)
	{
		GUC_check_errmsg("ratio %g is reserved", *newval);
		GUC_check_errhint("Pick any other value between 0 and 1.");
		return false;
	}
	return true;
}

static void
assign_int(int newval, void *extra)
{
	assign_calls++;
}

static void
assign_bool(bool newval, void *extra)
{
	assign_calls++;
}

static bool
check_naptime(int *newval, void **extra, GucSource source)
{
	/* round to whole 10 ms, as check hooks may adjust the value */
	*newval = (*newval / 10) * 10;
	return true;
}

void
_PG_init(void)
{
	BackgroundWorker worker;

	DefineCustomBoolVariable("api_guc.flag", "A boolean.", NULL,
							 &api_guc_flag, false, PGC_SIGHUP, 0,
							 NULL, assign_bool, NULL);
	DefineCustomIntVariable("api_guc.naptime", "A time in ms.", NULL,
							&api_guc_naptime, 1000, 10, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							check_naptime, assign_int, NULL);
	DefineCustomIntVariable("api_guc.mem", "A size in kB.", NULL,
							&api_guc_mem, 1024, 64, MAX_KILOBYTES,
							PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomRealVariable("api_guc.ratio", "A fraction.", NULL,
							 &api_guc_ratio, 0.25, 0.0, 1.0, PGC_SIGHUP, 0,
							 check_ratio, NULL, NULL);
	DefineCustomStringVariable("api_guc.name", "A name.", NULL,
							   &api_guc_name, "anon", PGC_SIGHUP, 0,
							   check_name, assign_name, show_name);
	DefineCustomEnumVariable("api_guc.level", "A level.", NULL,
							 &api_guc_level, 0, level_options, PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("api_guc.early", "Set in the file before this definition.", NULL,
							   &api_guc_early, "boot", PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomIntVariable("api_guc.fixed", "Needs a restart.", NULL,
							&api_guc_fixed, 1, 0, 100, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("api_guc");

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_guc");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "api_guc_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "api_guc main");
	snprintf(worker.bgw_type, BGW_MAXLEN, "api_guc");
	worker.bgw_main_arg = Int32GetDatum(0);
	RegisterBackgroundWorker(&worker);
}

/*
 * One line with every value: the C variables, GetConfigOption (the raw
 * value) and GetConfigOptionByName (as SHOW displays it: units, show hook).
 */
static void
report(const char *who)
{
	const char *varname = NULL;
	char	   *show_naptime = GetConfigOptionByName("api_guc.naptime", NULL, false);
	char	   *show_name = GetConfigOptionByName("api_guc.name", NULL, false);
	char	   *show_mem = GetConfigOptionByName("api_guc.mem", &varname, false);
	char	   *raw_naptime = pstrdup(GetConfigOption("api_guc.naptime", false, false));

	elog(LOG, "api_guc %s: flag=%s naptime=%d mem=%d ratio=%g name=%s level=%d fixed=%d early=%s raw_name=%s raw_naptime=%s show_name=%s show_naptime=%s show_mem=%s varname=%s missing_ok=%s assigns=%d",
		 who, api_guc_flag ? "on" : "off", api_guc_naptime, api_guc_mem,
		 api_guc_ratio, api_guc_name, api_guc_level, api_guc_fixed,
		 api_guc_early, GetConfigOption("api_guc.name", false, false),
		 raw_naptime, show_name, show_naptime, show_mem,
		 varname ? varname : "(null)",
		 GetConfigOption("api_guc.nonexistent", true, false) == NULL ? "null" : "value",
		 assign_calls);
}

static void
start_reporter(int generation)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_guc");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "api_guc_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "api_guc late %d", generation);
	snprintf(worker.bgw_type, BGW_MAXLEN, "api_guc");
	worker.bgw_main_arg = Int32GetDatum(generation);
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		elog(WARNING, "api_guc: could not register a dynamic worker");
}

void
api_guc_main(Datum main_arg)
{
	int			generation = DatumGetInt32(main_arg);
	int			reloads = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (generation > 0)
	{
		char		who[32];

		snprintf(who, sizeof(who), "late%d", generation);
		report(who);
		proc_exit(0);
	}

	report("start");
	for (;;)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			char		who[32];

			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			snprintf(who, sizeof(who), "reload%d", ++reloads);
			report(who);
			start_reporter(reloads);
		}
	}
}
