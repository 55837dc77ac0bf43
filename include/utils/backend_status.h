/*-------------------------------------------------------------------------
 *
 * backend_status.h
 *	  What a bgworker process reports about itself (PostgreSQL 17 API):
 *	  its state and its current activity string, as pg_stat_activity's
 *	  state and query columns.  Stored in the process's per-worker slot in
 *	  shared memory and shown by `bgworker status`.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BACKEND_STATUS_H
#define BACKEND_STATUS_H

#include "c.h"

typedef enum BackendState
{
	STATE_UNDEFINED,
	STATE_STARTING,
	STATE_IDLE,
	STATE_RUNNING,
	STATE_IDLEINTRANSACTION,
	STATE_FASTPATH,
	STATE_IDLEINTRANSACTION_ABORTED,
	STATE_DISABLED,
} BackendState;

/* Longest activity string kept, including the terminator. */
#define BGW_ACTIVITY_SIZE	256

/* Activity tracking is always on in bgworker; kept for code that reads it. */
extern PGDLLIMPORT bool pgstat_track_activities;
extern PGDLLIMPORT int pgstat_track_activity_query_size;

/*
 * Set this process's state and, when cmd_str is not NULL, its activity
 * (cut to BGW_ACTIVITY_SIZE - 1 bytes on a character boundary).  With
 * STATE_DISABLED the activity is cleared.  A no-op in a process without
 * a per-worker slot.  Not async-signal-safe.
 */
extern void pgstat_report_activity(BackendState state, const char *cmd_str);

/* Process title and application name are not tracked: no-ops. */
extern void pgstat_report_appname(const char *appname);

#endif							/* BACKEND_STATUS_H */
