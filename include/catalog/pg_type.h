/*-------------------------------------------------------------------------
 *
 * pg_type.h
 *	  bgworker's subset of PostgreSQL 17's catalog/pg_type.h: the built-in
 *	  type OIDs and pg_type's column constants (catalog/pg_type_d.h).  The
 *	  catalog itself is the server's; read it with SPI.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_TYPE_H
#define PG_TYPE_H

#include "catalog/pg_type_d.h"

#endif							/* PG_TYPE_H */
