/*-------------------------------------------------------------------------
 *
 * xact.h
 *	  Transactions of a background worker's database connection, with
 *	  PostgreSQL 17's names.
 *
 *	  A transaction here is a transaction of the PostgreSQL server the
 *	  worker is connected to (BackgroundWorkerInitializeConnection): the
 *	  runtime sends BEGIN together with the first statement, COMMIT or
 *	  ROLLBACK at the end.  As in PostgreSQL, StartTransactionCommand()
 *	  makes CurTransactionContext the current memory context, and the end
 *	  of the transaction deletes it and leaves TopMemoryContext current.
 *	  Implemented in cshim/dbconn/xact.c; see docs/database.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef XACT_H
#define XACT_H

#include "access/transam.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"

/* Isolation levels (PostgreSQL's values). */
#define XACT_READ_UNCOMMITTED	0
#define XACT_READ_COMMITTED		1
#define XACT_REPEATABLE_READ	2
#define XACT_SERIALIZABLE		3

/*
 * The isolation level and read-only flag of the next transaction.
 * Assigned before StartTransactionCommand(), they go out with its BEGIN.
 */
extern PGDLLIMPORT int DefaultXactIsoLevel;
extern PGDLLIMPORT int XactIsoLevel;
extern PGDLLIMPORT bool DefaultXactReadOnly;
extern PGDLLIMPORT bool XactReadOnly;

#define IsolationUsesXactSnapshot() (XactIsoLevel >= XACT_REPEATABLE_READ)
#define IsolationIsSerializable() (XactIsoLevel == XACT_SERIALIZABLE)

/* Begin, end and abort a transaction (see the file comment). */
extern void StartTransactionCommand(void);
extern void CommitTransactionCommand(void);
extern void AbortCurrentTransaction(void);

/* Subtransactions: a SAVEPOINT on the server. */
extern void BeginInternalSubTransaction(const char *name);
extern void ReleaseCurrentSubTransaction(void);
extern void RollbackAndReleaseCurrentSubTransaction(void);

/* True between StartTransactionCommand() and the end of the transaction. */
extern bool IsTransactionState(void);
extern bool IsTransactionOrTransactionBlock(void);
extern bool IsTransactionBlock(void);
extern bool IsAbortedTransactionBlockState(void);
extern int	GetCurrentTransactionNestLevel(void);

/*
 * Statement and transaction start times, as PostgreSQL keeps them: the
 * statement time is set by SetCurrentStatementStartTimestamp(), and a
 * transaction starts at the statement time current when it begins.  These
 * are the worker's clock, not the server's now().
 */
extern void SetCurrentStatementStartTimestamp(void);
extern TimestampTz GetCurrentTransactionStartTimestamp(void);
extern TimestampTz GetCurrentStatementStartTimestamp(void);
extern TimestampTz GetCurrentTransactionStopTimestamp(void);

/*
 * Make the effects of earlier statements visible to later ones: the
 * server does this for every statement, so this is a no-op here.
 */
extern void CommandCounterIncrement(void);

/* The server's transaction id (pg_current_xact_id), assigned on demand. */
extern TransactionId GetCurrentTransactionId(void);
extern TransactionId GetCurrentTransactionIdIfAny(void);
extern TransactionId GetTopTransactionId(void);

#endif							/* XACT_H */
