/*-------------------------------------------------------------------------
 *
 * initcrash.c
 *	  Test module whose _PG_init crashes the process loading it (SIGSEGV),
 *	  for `bgworker check`, which must report that and survive.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "fmgr.h"

PG_MODULE_MAGIC;

void
_PG_init(void)
{
	raise(SIGSEGV);
}
