/*-------------------------------------------------------------------------
 *
 * utility.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's tcop/utility.h (utility commands) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_TCOP_UTILITY_H
#define BGW_ABSENT_TCOP_UTILITY_H

#error "bgworker has no SQL executor: tcop/utility.h (utility commands) is not available; see docs/api.md"

#endif
