/*
 * supfail.c - a module that ends the supervisor from its own code, in the
 * way supfail.action says, so that tests can check that the host still
 * logs, cleans up and exits non-zero (cshim/postmaster/modguard.c):
 *
 *   exit0, exit3   exit(0) / exit(3) in _PG_init
 *   segv, abort    a SIGSEGV / abort() in _PG_init
 *   hookerror      an emit_log_hook that raises ERROR on the supervisor's
 *                  "reloading configuration files" line
 *   hookfatal      the same with FATAL
 *   hooksegv       the same with a SIGSEGV
 *
 * Runs in the supervisor (its _PG_init and hook).
 */
#include "postgres.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fmgr.h"
#include "utils/elog.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static char *action = NULL;
static emit_log_hook_type prev_hook = NULL;

static void
supfail_hook(ErrorData *edata)
{
	if (prev_hook)
		prev_hook(edata);
	if (edata->message == NULL ||
		strstr(edata->message, "reloading configuration files") == NULL)
		return;
	if (strcmp(action, "hookerror") == 0)
		ereport(ERROR, errmsg("supfail hook refuses the reload"));
	else if (strcmp(action, "hookfatal") == 0)
		ereport(FATAL, errmsg("supfail hook is fatal"));
	else if (strcmp(action, "hooksegv") == 0)
		raise(SIGSEGV);
}

void
_PG_init(void)
{
	DefineCustomStringVariable("supfail.action", "What to do.", NULL, &action,
							   "none", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	if (strcmp(action, "exit0") == 0)
		exit(0);
	if (strcmp(action, "exit3") == 0)
		exit(3);
	if (strcmp(action, "segv") == 0)
	{
		volatile int *p = NULL;

		*p = 1;
	}
	if (strcmp(action, "abort") == 0)
		abort();
	if (strncmp(action, "hook", 4) == 0)
	{
		prev_hook = emit_log_hook;
		emit_log_hook = supfail_hook;
	}
}
