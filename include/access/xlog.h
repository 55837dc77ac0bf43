/*-------------------------------------------------------------------------
 *
 * xlog.h
 *	  bgworker's subset of PostgreSQL's access/xlog.h: RecoveryInProgress().
 *
 *	  In a worker with a database connection, the answer is the server's
 *	  (pg_is_in_recovery(), asked once per connection and again after each
 *	  transaction that saw the server leave recovery); without one, it is
 *	  the host's own start phase (a standby data directory before
 *	  promotion).  Write-ahead logging itself belongs to the server.
 *
 *-------------------------------------------------------------------------
 */
#ifndef XLOG_H
#define XLOG_H

extern bool RecoveryInProgress(void);

#endif							/* XLOG_H */
