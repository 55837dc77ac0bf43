/*-------------------------------------------------------------------------
 *
 * dbcommands.h
 *	  bgworker's subset of PostgreSQL 17's commands/dbcommands.h: database
 *	  names and OIDs, looked up in the server's pg_database over the
 *	  worker's database connection (an ERROR without one).  CREATE and DROP
 *	  DATABASE are SQL: run them with SPI.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DBCOMMANDS_H
#define DBCOMMANDS_H

/* The OID of database dbname; InvalidOid or an ERROR if there is none. */
extern Oid	get_database_oid(const char *dbname, bool missing_ok);

/* The name of database dbid (palloc'd), or NULL if there is none. */
extern char *get_database_name(Oid dbid);

#endif							/* DBCOMMANDS_H */
