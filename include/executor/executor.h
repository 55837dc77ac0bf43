/*-------------------------------------------------------------------------
 *
 * executor.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's executor/executor.h (the executor) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_EXECUTOR_EXECUTOR_H
#define BGW_ABSENT_EXECUTOR_EXECUTOR_H

#error "bgworker has no SQL executor: executor/executor.h (the executor) is not available; see docs/api.md"

#endif
