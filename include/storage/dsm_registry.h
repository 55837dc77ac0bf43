/*-------------------------------------------------------------------------
 *
 * dsm_registry.h
 *	  Named dynamic shared memory segments (PostgreSQL 17's
 *	  storage/dsm_registry.h): shared memory a module gets after start, by
 *	  name, without a shmem_request_hook or shared_preload_libraries.
 *
 *	  The first process (worker or session) to ask for a name creates a
 *	  segment of that size, runs init_callback on it and gets *found =
 *	  false; every later caller, in any process, gets the same segment's
 *	  address with *found = true.  Only one process ever initialises a
 *	  segment, and no caller sees it before init_callback has returned.
 *	  The segment stays until the host's shared memory is reinitialised (a
 *	  crash cycle) or removed (shutdown); the caller's mapping stays until
 *	  it exits.  Names are at most 63 bytes; the registry holds at most 256
 *	  names.  Errors (PostgreSQL's texts): "DSM segment name cannot be
 *	  empty", "DSM segment name too long", "DSM segment size must be
 *	  nonzero", "requested DSM segment size does not match size of
 *	  existing segment".
 *
 *-------------------------------------------------------------------------
 */
#ifndef DSM_REGISTRY_H
#define DSM_REGISTRY_H

#include "c.h"

extern void *GetNamedDSMSegment(const char *name, size_t size,
								void (*init_callback) (void *ptr),
								bool *found);

#endif							/* DSM_REGISTRY_H */
