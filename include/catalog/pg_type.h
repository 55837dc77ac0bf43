/*-------------------------------------------------------------------------
 *
 * pg_type.h
 *	  Present only to fail clearly: bgworker has no SQL executor, catalog
 *	  or transactions, so PostgreSQL's catalog/pg_type.h (the system catalog) is not
 *	  available.  A module that includes it gets the #error below at
 *	  compile time instead of "No such file or directory".  See docs/api.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ABSENT_CATALOG_PG_TYPE_H
#define BGW_ABSENT_CATALOG_PG_TYPE_H

#error "bgworker has no SQL executor: catalog/pg_type.h (the system catalog) is not available; see docs/api.md"

#endif
