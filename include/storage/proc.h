/*-------------------------------------------------------------------------
 *
 * proc.h
 *	  Per-process data in shared memory (PostgreSQL 17 compatible subset).
 *
 *	  Every worker slot has one BgwProc in the segment (plus one spare for
 *	  the start-up child).  Its first member is a PGPROC, so MyProc points
 *	  into the slot and the PostgreSQL idioms work:
 *
 *		SetLatch(&proc->procLatch);		wake another worker
 *		MyProc->pid						this worker's pid
 *
 *	  Only the fields below exist; PostgreSQL's transaction, lock-manager
 *	  and snapshot fields are absent.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PROC_H
#define PROC_H

#include "c.h"
#include "storage/latch.h"

/* PostgreSQL 17's include chain brings these with storage/proc.h. */
#include "fmgr.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

/* Index of a PGPROC (here: its worker slot). */
typedef int ProcNumber;

#define INVALID_PROC_NUMBER		(-1)

struct PGPROC
{
	Latch		procLatch;		/* the process latch; MyLatch points here */
	int			pid;			/* the process using the slot, 0 if none */
	ProcNumber	pgprocno;		/* index of this entry (the worker slot) */
	Oid			databaseId;		/* the connected database, or InvalidOid */
	Oid			roleId;			/* the connected role, or InvalidOid */
	uint32		wait_event_info;	/* pgstat_report_wait_start stores here */
};

typedef struct PGPROC PGPROC;

/* This process's PGPROC, NULL in the supervisor and unattached processes. */
extern PGDLLIMPORT PGPROC *MyProc;

/* The PGPROC of a worker slot, or NULL when out of range. */
extern PGPROC *ProcNumberGetProc(ProcNumber procNumber);

#define GetNumberFromPGProc(proc)	((proc)->pgprocno)
#define GetPGProcByNumber(n)		ProcNumberGetProc(n)

#endif							/* PROC_H */
