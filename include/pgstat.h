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

#include "utils/backend_status.h"
#include "utils/wait_event.h"

#endif							/* PGSTAT_H */
