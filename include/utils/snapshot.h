/*-------------------------------------------------------------------------
 *
 * snapshot.h
 *	  The Snapshot type of PostgreSQL 17, as an opaque handle.  A
 *	  snapshot here stands for the server's snapshot of the current
 *	  transaction; see utils/snapmgr.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

typedef struct SnapshotData *Snapshot;

#define InvalidSnapshot		((Snapshot) NULL)

#endif							/* SNAPSHOT_H */
