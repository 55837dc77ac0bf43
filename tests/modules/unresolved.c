/* unresolved.c: test module calling a function nobody defines. */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

extern void bgworker_function_that_does_not_exist(void);

void
_PG_init(void)
{
	bgworker_function_that_does_not_exist();
}
