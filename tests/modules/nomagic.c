/* nomagic.c: test module without PG_MODULE_MAGIC. */
#include "postgres.h"
#include "fmgr.h"

void
_PG_init(void)
{
}
