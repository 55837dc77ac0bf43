/* noinit.c: test module with a magic block but no _PG_init. */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

int			noinit_value = 1;
