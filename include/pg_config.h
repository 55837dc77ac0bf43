/*
 * pg_config.h
 *	  Build-level constants of the PostgreSQL API level bgworker emulates
 *	  (PostgreSQL 17 on x86_64/aarch64 Linux), and bgworker's own version.
 */
#ifndef PG_CONFIG_H
#define PG_CONFIG_H

#define PG_MAJORVERSION "17"
#define PG_MAJORVERSION_NUM 17
#define PG_MINORVERSION_NUM 0
#define PG_VERSION "17.0"
#define PG_VERSION_NUM 170000
#define PG_VERSION_STR "bgworker 0.1.0 (PostgreSQL API 17.0)"

/* bgworker's own release, as MMmmpp. */
#define BGWORKER_VERSION "0.1.0"
#define BGWORKER_VERSION_NUM 100

#define ALIGNOF_SHORT 2
#define ALIGNOF_INT 4
#define ALIGNOF_LONG 8
#define ALIGNOF_DOUBLE 8
#define ALIGNOF_BUFFER 32
#define MAXIMUM_ALIGNOF 8
#define SIZEOF_DATUM 8
#define SIZEOF_LONG 8
#define SIZEOF_SIZE_T 8
#define SIZEOF_VOID_P 8
#define FLOAT8PASSBYVAL true
#define USE_FLOAT8_BYVAL 1
#define HAVE_LONG_INT_64 1
#define HAVE_INT128 1
#define PG_INT128_TYPE __int128

#define NAMEDATALEN 64
#define FUNC_MAX_ARGS 100
#define INDEX_MAX_KEYS 32
#define MAXPGPATH 1024
#define BLCKSZ 8192
#define PG_CACHE_LINE_SIZE 128
#define DEF_PGPORT 5432
#define DEF_PGPORT_STR "5432"

#endif							/* PG_CONFIG_H */
