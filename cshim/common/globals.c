/*-------------------------------------------------------------------------
 *
 * globals.c
 *	  The process-wide globals of miscadmin.h (and of storage/ipc.h's
 *	  shmem_startup_hook), with PostgreSQL's defaults, plus the small
 *	  miscinit functions that go with them.  The parameters owned by the
 *	  configuration area (max_worker_processes, max_parallel_workers,
 *	  shared_preload_libraries_string) are defined in guc_builtin.c.
 *
 *	  Each process has its own copy; a forked child starts with its
 *	  parent's values and the fork area updates the identity ones.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bgw_internal.h"

#include "miscadmin.h"
#include "storage/ipc.h"

/* ---- interrupts ---- */
BGW_CHILD_HOT volatile sig_atomic_t InterruptPending = false;
BGW_CHILD_HOT volatile sig_atomic_t QueryCancelPending = false;
BGW_CHILD_HOT volatile sig_atomic_t ProcDiePending = false;
volatile sig_atomic_t IdleInTransactionSessionTimeoutPending = false;
volatile sig_atomic_t IdleSessionTimeoutPending = false;
volatile sig_atomic_t ProcSignalBarrierPending = false;
volatile sig_atomic_t LogMemoryContextPending = false;
volatile sig_atomic_t IdleStatsUpdateTimeoutPending = false;
volatile sig_atomic_t CheckClientConnectionPending = false;
volatile sig_atomic_t ClientConnectionLost = false;

BGW_CHILD_HOT volatile uint32 InterruptHoldoffCount = 0;
BGW_CHILD_HOT volatile uint32 QueryCancelHoldoffCount = 0;
BGW_CHILD_HOT volatile uint32 CritSectionCount = 0;

/* ---- process identity ---- */
pid_t		PostmasterPid = 0;
bool		IsPostmasterEnvironment = false;
BGW_CHILD_HOT bool IsUnderPostmaster = false;
bool		IsBinaryUpgrade = false;
bool		ExitOnAnyError = false;
char	   *DataDir = NULL;
int			data_directory_mode = 0700;	/* PG_DIR_MODE_OWNER */
int			NBuffers = 16384;	/* shared_buffers = 128MB of 8kB pages */
int			MaxBackends = 0;	/* computed at start in PostgreSQL */
int			MaxConnections = 100;
BGW_CHILD_HOT int MyProcPid = 0;
BGW_CHILD_HOT pg_time_t MyStartTime = 0;
BGW_CHILD_HOT int64 MyStartTimestamp = 0;
struct Port *MyProcPort = NULL;
BGW_CHILD_HOT struct Latch *MyLatch = NULL;
int32		MyCancelKey = 0;
int			MyPMChildSlot = 0;
char		OutputFileName[MAXPGPATH] = "";
char		my_exec_path[MAXPGPATH] = "";
char		pkglib_path[MAXPGPATH] = "";
Oid			MyDatabaseId = InvalidOid;

/* The statement a worker says it runs, for the log's STATEMENT line. */
const char *debug_query_string = NULL;
int			work_mem = 4096;	/* kB */
int			maintenance_work_mem = 65536;	/* kB */

/* ---- preloading ---- */
bool		process_shared_preload_libraries_in_progress = false;
bool		process_shared_preload_libraries_done = false;
bool		process_shmem_requests_in_progress = false;
char	   *session_preload_libraries_string = NULL;
char	   *local_preload_libraries_string = NULL;

shmem_request_hook_type shmem_request_hook = NULL;
shmem_startup_hook_type shmem_startup_hook = NULL;

BGW_CHILD_HOT BackendType MyBackendType = B_INVALID;

/* PostgreSQL's descriptions of the backend types (pg_stat_activity). */
const char *
GetBackendTypeDesc(BackendType backendType)
{
	switch (backendType)
	{
		case B_INVALID:
			return "not initialized";
		case B_BACKEND:
			return "client backend";
		case B_AUTOVAC_LAUNCHER:
			return "autovacuum launcher";
		case B_AUTOVAC_WORKER:
			return "autovacuum worker";
		case B_BG_WORKER:
			return "background worker";
		case B_WAL_SENDER:
			return "walsender";
		case B_SLOTSYNC_WORKER:
			return "slotsync worker";
		case B_STANDALONE_BACKEND:
			return "standalone backend";
		case B_ARCHIVER:
			return "archiver";
		case B_BG_WRITER:
			return "background writer";
		case B_CHECKPOINTER:
			return "checkpointer";
		case B_STARTUP:
			return "startup";
		case B_WAL_RECEIVER:
			return "walreceiver";
		case B_WAL_SUMMARIZER:
			return "walsummarizer";
		case B_WAL_WRITER:
			return "walwriter";
		case B_LOGGER:
			return "logger";
	}
	return "unknown process type";
}

/*
 * Remember the data directory as an absolute, canonical path (relative
 * paths are taken against the current directory).  Supervisor, at start.
 */
void
SetDataDir(const char *dir)
{
	char	   *newdir;

	if (dir == NULL || dir[0] == '\0')
		elog(ERROR, "invalid data directory: empty path");
	if (is_absolute_path(dir))
		newdir = strdup(dir);
	else
	{
		char		cwd[MAXPGPATH];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not determine current working directory: %m")));
		newdir = malloc(strlen(cwd) + strlen(dir) + 2);
		if (newdir)
			sprintf(newdir, "%s/%s", cwd, dir);
	}
	if (newdir == NULL)
		ereport(FATAL,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	canonicalize_path(newdir);
	free(DataDir);
	DataDir = newdir;
}

/*
 * Without a database connection the process owner is the only user.
 * Weak: the database session (cshim/dbconn/session.c) replaces these with
 * the server's answers when it is linked in, as it is in bgworker itself.
 */
__attribute__((weak)) char *
GetUserNameFromId(Oid roleid, bool noerr)
{
	const char *name = getenv("USER");

	return pstrdup(name ? name : "bgworker");
}

/* Every process of bgworker acts with the owner's rights. */
__attribute__((weak)) bool
superuser(void)
{
	return true;
}

__attribute__((weak)) bool
superuser_arg(Oid roleid)
{
	return true;
}
