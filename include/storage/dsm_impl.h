/*-------------------------------------------------------------------------
 *
 * dsm_impl.h
 *	  How dynamic shared memory segments are made (PostgreSQL's
 *	  storage/dsm_impl.h): the implementations a data directory can choose
 *	  with dynamic_shared_memory_type, and the segment handle type.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DSM_IMPL_H
#define DSM_IMPL_H

#include "c.h"

/* Implementations; the values are PostgreSQL's. */
#define DSM_IMPL_POSIX			1	/* shm_open + mmap, in /dev/shm */
#define DSM_IMPL_SYSV			2	/* shmget + shmat */
#define DSM_IMPL_WINDOWS		3	/* never available here */
#define DSM_IMPL_MMAP			4	/* files in DataDir/pg_dynshmem */

#define DEFAULT_DYNAMIC_SHARED_MEMORY_TYPE	DSM_IMPL_POSIX

/* The directory of the mmap implementation, and its files' prefix. */
#define PG_DYNSHMEM_DIR					"pg_dynshmem"
#define PG_DYNSHMEM_MMAP_FILE_PREFIX	"mmap."

/* dynamic_shared_memory_type: one of the values above. */
extern PGDLLIMPORT int dynamic_shared_memory_type;

/* The name of a segment, shared by every process that attaches it. */
typedef uint32 dsm_handle;

#endif							/* DSM_IMPL_H */
