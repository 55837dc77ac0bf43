/*-------------------------------------------------------------------------
 *
 * ipc.h
 *	  Process exit and its callbacks (proc_exit, on_proc_exit,
 *	  on_shmem_exit, before_shmem_exit), and the shared-memory start-up
 *	  hook.  PostgreSQL 17 API; implementation in cshim/ipc/ipc.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IPC_H
#define IPC_H

/* An exit callback: code is the exit code (-1 when run from exit()). */
typedef void (*pg_on_exit_callback) (int code, Datum arg);

/* Called after shared memory is created (supervisor) to set up add-in structures. */
typedef void (*shmem_startup_hook_type) (void);

/*----------
 * Run cleanup_function(0, arg) if the enclosed code raises an ERROR or
 * the process exits (FATAL) inside it:
 *
 *		PG_ENSURE_ERROR_CLEANUP(cleanup_function, arg);
 *		{
 *			...
 *		}
 *		PG_END_ENSURE_ERROR_CLEANUP(cleanup_function, arg);
 *
 * The callback must be the most recently registered before_shmem_exit
 * callback when the block ends.
 *----------
 */
#define PG_ENSURE_ERROR_CLEANUP(cleanup_function, arg) \
	do { \
		before_shmem_exit(cleanup_function, arg); \
		PG_TRY()

#define PG_END_ENSURE_ERROR_CLEANUP(cleanup_function, arg) \
		cancel_before_shmem_exit(cleanup_function, arg); \
		PG_CATCH(); \
		{ \
			cancel_before_shmem_exit(cleanup_function, arg); \
			cleanup_function (0, arg); \
			PG_RE_THROW(); \
		} \
		PG_END_TRY(); \
	} while (0)

/* True once proc_exit (resp. shmem_exit) has started in this process. */
extern PGDLLIMPORT bool proc_exit_inprogress;
extern PGDLLIMPORT bool shmem_exit_inprogress;

extern void proc_exit(int code) pg_attribute_noreturn();
extern void shmem_exit(int code);
extern void on_proc_exit(pg_on_exit_callback function, Datum arg);
extern void on_shmem_exit(pg_on_exit_callback function, Datum arg);
extern void before_shmem_exit(pg_on_exit_callback function, Datum arg);
extern void cancel_before_shmem_exit(pg_on_exit_callback function, Datum arg);
extern void on_exit_reset(void);
extern void check_on_shmem_exit_lists_are_empty(void);

extern PGDLLIMPORT shmem_startup_hook_type shmem_startup_hook;

#endif							/* IPC_H */
