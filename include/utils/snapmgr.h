/*-------------------------------------------------------------------------
 *
 * snapmgr.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's utils/snapmgr.h (snapshots) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_UTILS_SNAPMGR_H
#define BGW_ABSENT_UTILS_SNAPMGR_H

#error "bgworker has no SQL executor: utils/snapmgr.h (snapshots) is not available; see docs/api.md"

#endif
