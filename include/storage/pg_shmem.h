/*-------------------------------------------------------------------------
 *
 * pg_shmem.h
 *	  The header at the start of bgworker's shared memory segment.
 *
 *	  The supervisor uses it to recognise a segment left behind by an
 *	  earlier run (magic number and size; see cshim/shmem.go), so the
 *	  first fields never move.  Their meaning follows PostgreSQL's
 *	  PGShmemHeader; the magic number is bgworker's own, so a PostgreSQL
 *	  segment is never mistaken for ours.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_SHMEM_H
#define PG_SHMEM_H

#include "c.h"

/* "BGWS" followed by a layout version in the low byte. */
#define PGShmemMagic	0x42475701

typedef struct PGShmemHeader
{
	int32		magic;			/* PGShmemMagic once the segment is laid out */
	pid_t		creatorPID;		/* the supervisor that created it */
	Size		totalsize;		/* size of the whole segment */
	Size		freeoffset;		/* first free byte, from the segment start */
	Size		dsm_control;	/* offset of the dynamic shared memory
								 * control area, 0 if none */
} PGShmemHeader;

#endif							/* PG_SHMEM_H */
