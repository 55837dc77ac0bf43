/*-------------------------------------------------------------------------
 *
 * xact.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's access/xact.h (transactions) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_ACCESS_XACT_H
#define BGW_ABSENT_ACCESS_XACT_H

#error "bgworker has no SQL executor: access/xact.h (transactions) is not available; see docs/api.md"

#endif
