/*-------------------------------------------------------------------------
 *
 * snapmgr.c
 *	  Snapshots (utils/snapmgr.h): PostgreSQL's bookkeeping without the
 *	  snapshots themselves.
 *
 *	  The server takes the snapshots of a worker's statements (one per
 *	  statement in READ COMMITTED, one per transaction from its first
 *	  statement in REPEATABLE READ and SERIALIZABLE).  A Snapshot here is
 *	  a token standing for "the server's snapshot of this transaction";
 *	  the active-snapshot stack and registrations are kept so that module
 *	  code balancing them runs unchanged and errors in the balance still
 *	  show.  Worker child only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "dbconn_int.h"
#include "utils/snapmgr.h"

/* The token behind every Snapshot handed out. */
struct SnapshotData
{
	int			kind;			/* 0: transaction, 1: latest */
};

static struct SnapshotData transaction_snapshot = {0};
static struct SnapshotData latest_snapshot = {1};

#define MAX_ACTIVE_SNAPSHOTS 128
static Snapshot active_stack[MAX_ACTIVE_SNAPSHOTS];
static int	active_depth = 0;
static int	registered_count = 0;

bool		FirstSnapshotSet = false;

static void
require_transaction(const char *what)
{
	if (!IsTransactionState())
		elog(ERROR, "%s called outside a transaction", what);
}

Snapshot
GetTransactionSnapshot(void)
{
	require_transaction("GetTransactionSnapshot");
	FirstSnapshotSet = true;
	return &transaction_snapshot;
}

Snapshot
GetLatestSnapshot(void)
{
	require_transaction("GetLatestSnapshot");
	return &latest_snapshot;
}

Snapshot
GetCatalogSnapshot(Oid relid)
{
	return &latest_snapshot;
}

void
PushActiveSnapshot(Snapshot snapshot)
{
	require_transaction("PushActiveSnapshot");
	if (active_depth >= MAX_ACTIVE_SNAPSHOTS)
		elog(ERROR, "too many active snapshots");
	active_stack[active_depth++] = snapshot;
}

void
PushCopiedSnapshot(Snapshot snapshot)
{
	PushActiveSnapshot(snapshot);
}

void
UpdateActiveSnapshotCommandId(void)
{
}

void
PopActiveSnapshot(void)
{
	if (active_depth == 0)
		elog(ERROR, "PopActiveSnapshot: no active snapshot");
	active_depth--;
}

Snapshot
GetActiveSnapshot(void)
{
	if (active_depth == 0)
		elog(ERROR, "GetActiveSnapshot: no active snapshot");
	return active_stack[active_depth - 1];
}

bool
ActiveSnapshotSet(void)
{
	return active_depth > 0;
}

Snapshot
RegisterSnapshot(Snapshot snapshot)
{
	if (snapshot != InvalidSnapshot)
		registered_count++;
	return snapshot;
}

void
UnregisterSnapshot(Snapshot snapshot)
{
	if (snapshot != InvalidSnapshot && registered_count > 0)
		registered_count--;
}

/* At the end of a transaction, as PostgreSQL's AtEOXact_Snapshot. */
void
bgw_snapmgr_at_xact_end(bool commit)
{
	if (commit && registered_count > 0)
		elog(WARNING, "snapshot %p still active", (void *) &transaction_snapshot);
	active_depth = 0;
	registered_count = 0;
	FirstSnapshotSet = false;
}
