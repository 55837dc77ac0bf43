/*
 * evil.c - a module whose constructor leaves DATADIR/evil.ran behind, so
 * that a test can tell whether the host (or a worker) ever dlopen()ed it.
 * Used by tests/reliability_trust_test.go; runs wherever it is loaded.
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "fmgr.h"

PG_MODULE_MAGIC;

__attribute__((constructor)) static void
evil_constructor(void)
{
	int			fd = open("evil.ran", O_CREAT | O_WRONLY, 0600);

	if (fd >= 0)
		close(fd);
}

void		_PG_init(void);
PGDLLEXPORT void evil_main(Datum arg);

void
_PG_init(void)
{
}

void
evil_main(Datum arg)
{
}
