/*-------------------------------------------------------------------------
 *
 * htup_details.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's access/htup_details.h (heap tuples) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_ACCESS_HTUP_DETAILS_H
#define BGW_ABSENT_ACCESS_HTUP_DETAILS_H

#error "bgworker has no SQL executor: access/htup_details.h (heap tuples) is not available; see docs/api.md"

#endif
