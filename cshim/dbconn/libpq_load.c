/*-------------------------------------------------------------------------
 *
 * libpq_load.c
 *	  Loading libpq with dlopen, in a worker, the first time it connects.
 *
 *	  libpq is not linked into bgworker: linked, it and the libraries it
 *	  needs (OpenSSL, Kerberos, LDAP, SASL: 24 in Debian 12) would be
 *	  mapped into the supervisor, the fork server and every worker, and
 *	  each clone copies the page tables of those mappings.  Loaded here it
 *	  exists only in the workers that connect.
 *
 *	  RTLD_LOCAL keeps libpq's symbols out of the global scope, so that a
 *	  module's pqsignal (libpq exports one too) keeps binding to the
 *	  runtime's.  Worker child only, after the fork (the child is single
 *	  threaded, so the loader's lock is free).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dlfcn.h>

#include "dbconn_int.h"

BgwLibpq	bgw_pq;

static bool libpq_loaded = false;

/* Debian's soname; the unversioned name needs libpq-dev at run time. */
static const char *const libpq_names[] = {"libpq.so.5", "libpq.so"};

void
bgw_libpq_load(void)
{
	void	   *handle = NULL;
	const char *err = NULL;

	if (libpq_loaded)
		return;
	for (size_t i = 0; i < lengthof(libpq_names) && handle == NULL; i++)
	{
		handle = dlopen(libpq_names[i], RTLD_NOW | RTLD_LOCAL);
		if (handle == NULL && err == NULL)
			err = pstrdup(dlerror());
	}
	if (handle == NULL)
		ereport(FATAL,
				errcode(ERRCODE_UNDEFINED_FILE),
				errmsg("could not load library \"%s\": %s", libpq_names[0], err),
				errhint("Install the PostgreSQL client library (Debian: libpq5)."));

#define BGW_PQ_LOAD(fn) \
	bgw_pq.fn = (__typeof__(fn) *) dlsym(handle, #fn); \
	if (bgw_pq.fn == NULL) \
		ereport(FATAL, \
				errcode(ERRCODE_UNDEFINED_FUNCTION), \
				errmsg("could not find function \"%s\" in file \"%s\"", #fn, libpq_names[0]), \
				errhint("bgworker needs libpq 14 or later."));
	BGW_PQ_FUNCS(BGW_PQ_LOAD)
#undef BGW_PQ_LOAD
	libpq_loaded = true;
}
