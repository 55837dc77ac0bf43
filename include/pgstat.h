/*-------------------------------------------------------------------------
 *
 * pgstat.h
 *	  Activity and wait-event reporting for bgworker modules (PostgreSQL 17
 *	  API subset): pgstat_report_activity, BackendState and the wait-event
 *	  functions.  The cumulative statistics system of PostgreSQL (table,
 *	  function and I/O counters) is absent.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGSTAT_H
#define PGSTAT_H

#include "miscadmin.h"
#include "utils/backend_status.h"
#include "utils/wait_event.h"

/*
 * Flush pending statistics.  The server keeps the statistics of what a
 * worker's connection does, so there is nothing to flush here; returns 0
 * (no need to call again), as PostgreSQL does when nothing is pending.
 */
extern long pgstat_report_stat(bool force);

#endif							/* PGSTAT_H */
