/*-------------------------------------------------------------------------
 *
 * snapmgr.h
 *	  Snapshots of a background worker's database transaction, with
 *	  PostgreSQL 17's names.
 *
 *	  The server takes the snapshots: each statement of a READ COMMITTED
 *	  transaction sees what was committed when it started, a REPEATABLE
 *	  READ or SERIALIZABLE transaction sees what was committed when its
 *	  first statement started.  The functions here keep PostgreSQL's
 *	  bookkeeping (the stack of active snapshots, registration) so that
 *	  module code runs unchanged and unbalanced pushes and pops are still
 *	  reported; they do not change what the server's statements see.
 *	  Implemented in cshim/dbconn/snapmgr.c; see docs/database.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SNAPMGR_H
#define SNAPMGR_H

#include "utils/snapshot.h"

/* ERROR outside a transaction, as in PostgreSQL. */
extern Snapshot GetTransactionSnapshot(void);
extern Snapshot GetLatestSnapshot(void);
extern Snapshot GetCatalogSnapshot(Oid relid);

extern void PushActiveSnapshot(Snapshot snapshot);
extern void PushCopiedSnapshot(Snapshot snapshot);
extern void UpdateActiveSnapshotCommandId(void);
extern void PopActiveSnapshot(void);
extern Snapshot GetActiveSnapshot(void);
extern bool ActiveSnapshotSet(void);

extern Snapshot RegisterSnapshot(Snapshot snapshot);
extern void UnregisterSnapshot(Snapshot snapshot);

extern bool FirstSnapshotSet;

#endif							/* SNAPMGR_H */
