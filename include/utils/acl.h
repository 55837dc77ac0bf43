/*-------------------------------------------------------------------------
 *
 * acl.h
 *	  bgworker's subset of PostgreSQL 17's utils/acl.h: role names and
 *	  OIDs, looked up in the server's pg_roles over the worker's database
 *	  connection (an ERROR without one).  Privilege checks are the
 *	  server's: a worker's statements run with its connection's role.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ACL_H
#define ACL_H

/* PostgreSQL 17's include chain brings arrays and type OIDs with acl.h. */
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/snapshot.h"

/* The OID of role rolname; InvalidOid or an ERROR if there is none. */
extern Oid	get_role_oid(const char *rolname, bool missing_ok);

/* The OID of role rolname, ERROR if it is not a role or PUBLIC. */
extern Oid	get_role_oid_or_public(const char *rolname);

#define ACL_ID_PUBLIC	0		/* placeholder for id in a PUBLIC acl item */

#endif							/* ACL_H */
