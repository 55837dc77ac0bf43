/*-------------------------------------------------------------------------
 *
 * funcapi.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's funcapi.h (set-returning SQL functions) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_FUNCAPI_H
#define BGW_ABSENT_FUNCAPI_H

#error "bgworker has no SQL executor: funcapi.h (set-returning SQL functions) is not available; see docs/api.md"

#endif
