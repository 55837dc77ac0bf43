/*-------------------------------------------------------------------------
 *
 * tcopprot.h
 *	  bgworker's subset of PostgreSQL's tcop/tcopprot.h: the signal handler
 *	  die() that background workers install for SIGTERM
 *	  (pqsignal(SIGTERM, die)).  The traffic-cop functions that run SQL
 *	  (exec_simple_query, PostgresMain and the like) are absent: bgworker
 *	  has no SQL executor.
 *
 *-------------------------------------------------------------------------
 */
#ifndef TCOPPROT_H
#define TCOPPROT_H

#include "c.h"
#include "utils/guc.h"

/*
 * The statement being executed, for the log: set it around a statement
 * (as worker_spi does) and an ERROR logged meanwhile carries a
 * STATEMENT line, as log_min_error_statement decides.
 */
extern PGDLLIMPORT const char *debug_query_string;

/*
 * SIGTERM handler: sets ProcDiePending and InterruptPending and the
 * process latch; the next CHECK_FOR_INTERRUPTS() outside a
 * HOLD_INTERRUPTS() section ends the worker with FATAL
 * "terminating background worker \"%s\" due to administrator command".
 */
extern void die(SIGNAL_ARGS);

#endif							/* TCOPPROT_H */
