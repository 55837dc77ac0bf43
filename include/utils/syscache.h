/*-------------------------------------------------------------------------
 *
 * syscache.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's utils/syscache.h (catalog caches) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_UTILS_SYSCACHE_H
#define BGW_ABSENT_UTILS_SYSCACHE_H

#error "bgworker has no SQL executor: utils/syscache.h (catalog caches) is not available; see docs/api.md"

#endif
