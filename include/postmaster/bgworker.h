/*-------------------------------------------------------------------------
 *
 * bgworker.h
 *	  Background worker registration and control: the PostgreSQL 17
 *	  structure layout, constants and functions.
 *
 *	  A module registers static workers from _PG_init() while it is being
 *	  loaded from shared_preload_libraries; the host starts each one by
 *	  fork() when the host reaches the worker's start phase, and calls
 *	  bgw_function_name(bgw_main_arg) in bgw_library_name.  A worker starts
 *	  with signals blocked; it installs its handlers and then calls
 *	  BackgroundWorkerUnblockSignals().
 *
 *	  Exit codes: 0 unregisters the worker for good; 1 restarts it after
 *	  bgw_restart_time seconds (never with BGW_NEVER_RESTART); anything
 *	  else, a signal, or an exit that skipped proc_exit() while attached to
 *	  shared memory is a crash, after which the host restarts every worker
 *	  with fresh shared memory.
 *
 *	  Do not install signal handlers in _PG_init(): it runs inside the
 *	  host process, whose runtime owns the signal handlers there.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGWORKER_H
#define BGWORKER_H

/* The worker attaches to the host's shared memory segment. */
#define BGWORKER_SHMEM_ACCESS						0x0001

/*
 * The worker wants a database connection.  bgworker has no database: the
 * flag is accepted for source compatibility and checked as PostgreSQL
 * does, and BackgroundWorkerInitializeConnection() fails with FATAL.
 */
#define BGWORKER_BACKEND_DATABASE_CONNECTION		0x0002

/* Reserved for PostgreSQL's parallel query; accepted with its checks. */
#define BGWORKER_CLASS_PARALLEL					0x0010

typedef void (*bgworker_main_type) (Datum main_arg);

typedef enum
{
	BgWorkerStart_PostmasterStart,
	BgWorkerStart_ConsistentState,
	BgWorkerStart_RecoveryFinished,
} BgWorkerStartTime;

#define BGW_DEFAULT_RESTART_INTERVAL	60
#define BGW_NEVER_RESTART				-1
#define BGW_MAXLEN						96
#define BGW_EXTRALEN					128

typedef struct BackgroundWorker
{
	char		bgw_name[BGW_MAXLEN];	/* shown in the process title */
	char		bgw_type[BGW_MAXLEN];	/* shown in logs; defaults to bgw_name */
	int			bgw_flags;		/* BGWORKER_* */
	BgWorkerStartTime bgw_start_time;	/* earliest phase to start in */
	int			bgw_restart_time;	/* seconds, or BGW_NEVER_RESTART */
	char		bgw_library_name[MAXPGPATH];	/* library holding the entry */
	char		bgw_function_name[BGW_MAXLEN];	/* entry point in it */
	Datum		bgw_main_arg;	/* passed to the entry point */
	char		bgw_extra[BGW_EXTRALEN];	/* free-form, copied verbatim */
	pid_t		bgw_notify_pid; /* SIGUSR1 on start/stop; dynamic only */
} BackgroundWorker;

typedef enum BgwHandleStatus
{
	BGWH_STARTED,				/* worker is running */
	BGWH_NOT_YET_STARTED,		/* worker hasn't been started yet */
	BGWH_STOPPED,				/* worker has exited */
	BGWH_POSTMASTER_DIED,		/* the host died; worker status unclear */
} BgwHandleStatus;

struct BackgroundWorkerHandle;
typedef struct BackgroundWorkerHandle BackgroundWorkerHandle;

/* Register a static worker; only from _PG_init while preloading. */
extern void RegisterBackgroundWorker(BackgroundWorker *worker);

/* Register a worker from a running worker (dynamic background worker). */
extern bool RegisterDynamicBackgroundWorker(BackgroundWorker *worker,
											BackgroundWorkerHandle **handle);

/* Query and control a dynamic worker through its handle. */
extern BgwHandleStatus GetBackgroundWorkerPid(BackgroundWorkerHandle *handle,
											  pid_t *pidp);
extern BgwHandleStatus WaitForBackgroundWorkerStartup(BackgroundWorkerHandle *handle,
													  pid_t *pidp);
extern BgwHandleStatus WaitForBackgroundWorkerShutdown(BackgroundWorkerHandle *handle);
extern const char *GetBackgroundWorkerTypeByPid(pid_t pid);
extern void TerminateBackgroundWorker(BackgroundWorkerHandle *handle);

/* This worker's registration; NULL outside a background worker. */
extern PGDLLIMPORT BackgroundWorker *MyBgworkerEntry;

/*
 * Database connections do not exist in bgworker: both functions end the
 * worker with FATAL, as PostgreSQL does when the worker did not ask for a
 * connection at registration.
 */
#define BGWORKER_BYPASS_ALLOWCONN 0x0001
#define BGWORKER_BYPASS_ROLELOGINCHECK 0x0002
extern void BackgroundWorkerInitializeConnection(const char *dbname,
												 const char *username,
												 uint32 flags);
extern void BackgroundWorkerInitializeConnectionByOid(Oid dboid, Oid useroid,
													  uint32 flags);

/* Block or unblock signals in a background worker process. */
extern void BackgroundWorkerBlockSignals(void);
extern void BackgroundWorkerUnblockSignals(void);

#endif							/* BGWORKER_H */
