/*-------------------------------------------------------------------------
 *
 * procarray.h
 *	  bgworker's subset of PostgreSQL's storage/procarray.h: finding the
 *	  PGPROC of another process attached to shared memory (a worker or a
 *	  session) by its pid.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PROCARRAY_H
#define PROCARRAY_H

#include "storage/proc.h"

/* The PGPROC of a live process attached to the segment, or NULL. */
extern PGPROC *BackendPidGetProc(int pid);
extern PGPROC *BackendPidGetProcWithLock(int pid);

#endif							/* PROCARRAY_H */
