/*
 * badmagic_module.c: a library with a wrong magic block, for fork_test.go.
 * BAD_VERSION or BAD_ABI or BAD_NAMEDATALEN selects what is wrong.
 */
#include "postgres.h"
#include "fmgr.h"

const Pg_magic_struct *Pg_magic_func(void);
const Pg_magic_struct *
Pg_magic_func(void)
{
	static Pg_magic_struct data = PG_MODULE_MAGIC_DATA;
#if defined(BAD_VERSION)
	data.version = 1500;
#elif defined(BAD_ABI)
	strcpy(data.abi_extra, "PostgreSQL");
#elif defined(BAD_NAMEDATALEN)
	data.namedatalen = 128;
#endif
	return &data;
}
