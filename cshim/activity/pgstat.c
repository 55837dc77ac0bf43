/*-------------------------------------------------------------------------
 *
 * pgstat.c
 *	  Activity and wait-event reporting: pgstat_report_activity into the
 *	  worker's BgwProc, the wait-event storage pointer, the names of wait
 *	  events, and WaitEventExtensionNew's shared name table.
 *
 *	  The name table.  Module wait events get ids 1..127 in the order
 *	  names are first asked for, in any process; id 0 is the built-in
 *	  "Extension".  Inserting takes WaitEventExtensionLock; the name is
 *	  written completely before `count` is raised past it (write barrier),
 *	  so lookups, including the supervisor's, read published names without
 *	  any lock.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bgw_internal.h"
#include "shmem_int.h"

BgwWaitEventTable *bgw_wait_event_table = NULL;

bool		pgstat_track_activities = true;
int			pgstat_track_activity_query_size = BGW_ACTIVITY_SIZE;

/* Where waits are recorded before a process has a per-worker slot. */
BGW_CHILD_HOT static uint32 local_wait_event_info = 0;
BGW_CHILD_HOT uint32	   *my_wait_event_info = &local_wait_event_info;

void
pgstat_set_wait_event_storage(uint32 *wait_event_info)
{
	my_wait_event_info = wait_event_info ? wait_event_info : &local_wait_event_info;
}

void
pgstat_reset_wait_event_storage(void)
{
	my_wait_event_info = &local_wait_event_info;
}

/*
 * Length of the longest prefix of s that fits in max bytes and does not
 * end inside a UTF-8 sequence.
 */
static size_t
clip_utf8(const char *s, size_t max)
{
	size_t		len = strnlen(s, max + 1);

	if (len <= max)
		return len;
	len = max;
	/* s[len] is the first byte left out: back off if it continues a char */
	while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

void
pgstat_report_activity(BackendState state, const char *cmd_str)
{
	BgwProc    *proc = (BgwProc *) MyProc;

	if (proc == NULL)
		return;

	pg_atomic_fetch_add_u32(&proc->changecount, 1);	/* now odd */
	pg_write_barrier();
	proc->state = (int) state;
	if (state == STATE_DISABLED)
		proc->activity[0] = '\0';
	else if (cmd_str != NULL)
	{
		size_t		len = clip_utf8(cmd_str, BGW_ACTIVITY_SIZE - 1);

		memcpy(proc->activity, cmd_str, len);
		proc->activity[len] = '\0';
	}
	pg_write_barrier();
	pg_atomic_fetch_add_u32(&proc->changecount, 1);	/* even again */
}

void
pgstat_report_appname(const char *appname)
{
}

/* ---- wait-event names ---- */

void
bgw_wait_event_shmem_init(void)
{
	memset(bgw_wait_event_table, 0, sizeof(*bgw_wait_event_table));
	strlcpy(bgw_wait_event_table->names[0], "Extension", NAMEDATALEN);
	pg_atomic_init_u32(&bgw_wait_event_table->count, 1);
}

/* Published entries, capped against a corrupted count. */
static uint32
published_count(void)
{
	uint32		n = pg_atomic_read_membarrier_u32(&bgw_wait_event_table->count);

	pg_read_barrier();
	return Min(n, (uint32) BGW_WAIT_EVENT_EXTENSION_MAX);
}

static int
find_extension_event(const char *name)
{
	uint32		n = published_count();

	for (uint32 i = 1; i < n; i++)
		if (strncmp(bgw_wait_event_table->names[i], name, NAMEDATALEN) == 0)
			return (int) i;
	return -1;
}

uint32
WaitEventExtensionNew(const char *wait_event_name)
{
	int			id;

	if (wait_event_name == NULL || wait_event_name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("custom wait event name must not be empty")));
	if (strlen(wait_event_name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot use custom wait event string longer than %u characters",
						NAMEDATALEN - 1)));
	if (bgw_wait_event_table == NULL || MainLWLockArray == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shared memory is not available in this process"),
				 errhint("Call WaitEventExtensionNew in a worker with BGWORKER_SHMEM_ACCESS or in shmem_startup_hook.")));

	id = find_extension_event(wait_event_name);
	if (id > 0)
		return PG_WAIT_EXTENSION | (uint32) id;

	LWLockAcquire(WaitEventExtensionLock, LW_EXCLUSIVE);
	/* someone may have added it since we looked */
	id = find_extension_event(wait_event_name);
	if (id < 0)
	{
		uint32		n = published_count();

		if (n >= BGW_WAIT_EVENT_EXTENSION_MAX)
		{
			LWLockRelease(WaitEventExtensionLock);
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many wait events for extensions")));
		}
		strlcpy(bgw_wait_event_table->names[n], wait_event_name, NAMEDATALEN);
		pg_write_barrier();
		pg_atomic_write_u32(&bgw_wait_event_table->count, n + 1);
		id = (int) n;
	}
	LWLockRelease(WaitEventExtensionLock);
	return PG_WAIT_EXTENSION | (uint32) id;
}

static const char *const activity_names[] = {
	"ArchiverMain", "AutovacuumMain", "BgwriterHibernate", "BgwriterMain",
	"CheckpointerMain", "LogicalApplyMain", "LogicalLauncherMain",
	"LogicalParallelApplyMain", "RecoveryWalStream", "SysLoggerMain",
	"WalReceiverMain", "WalSenderMain", "WalWriterMain",
};
static const char *const ipc_names[] = {
	"AppendReady", "BgWorkerShutdown", "BgWorkerStartup", "CheckpointDone",
	"CheckpointStart", "MessageQueueInternal", "MessageQueuePutMessage",
	"MessageQueueReceive", "MessageQueueSend", "ProcSignalBarrier", "Promote",
	"RecoveryConflictSnapshot", "RecoveryEndCommand",
};
static const char *const timeout_names[] = {
	"BaseBackupThrottle", "CheckpointWriteDelay", "PgSleep",
	"RecoveryApplyDelay", "RecoveryRetrieveRetryInterval",
	"RegisterSyncRequest", "SpinDelay", "VacuumDelay", "VacuumTruncate",
};
static const char *const client_names[] = {
	"ClientRead", "ClientWrite", "GssOpenServer", "LibPQWalReceiverConnect",
	"LibPQWalReceiverReceive", "SslOpenServer", "WaitForStandbyConfirmation",
	"WalSenderWaitForWal", "WalSenderWriteData",
};
static const char *const io_names[] = {
	"DataFileRead", "DataFileSync", "DataFileWrite",
};

StaticAssertDecl(lengthof(activity_names) == WAIT_EVENT_WAL_WRITER_MAIN - PG_WAIT_ACTIVITY + 1,
				 "activity_names does not match WaitEventActivity");
StaticAssertDecl(lengthof(ipc_names) == WAIT_EVENT_RECOVERY_END_COMMAND - PG_WAIT_IPC + 1,
				 "ipc_names does not match WaitEventIPC");
StaticAssertDecl(lengthof(timeout_names) == WAIT_EVENT_VACUUM_TRUNCATE - PG_WAIT_TIMEOUT + 1,
				 "timeout_names does not match WaitEventTimeout");
StaticAssertDecl(lengthof(client_names) == WAIT_EVENT_WAL_SENDER_WRITE_DATA - PG_WAIT_CLIENT + 1,
				 "client_names does not match WaitEventClient");
StaticAssertDecl(lengthof(io_names) == WAIT_EVENT_DATA_FILE_WRITE - PG_WAIT_IO + 1,
				 "io_names does not match WaitEventIO");

const char *
pgstat_get_wait_event_type(uint32 wait_event_info)
{
	if (wait_event_info == 0)
		return NULL;
	switch (wait_event_info & WAIT_EVENT_CLASS_MASK)
	{
		case PG_WAIT_LWLOCK:
			return "LWLock";
		case PG_WAIT_LOCK:
			return "Lock";
		case PG_WAIT_BUFFERPIN:
			return "BufferPin";
		case PG_WAIT_ACTIVITY:
			return "Activity";
		case PG_WAIT_CLIENT:
			return "Client";
		case PG_WAIT_EXTENSION:
			return "Extension";
		case PG_WAIT_IPC:
			return "IPC";
		case PG_WAIT_TIMEOUT:
			return "Timeout";
		case PG_WAIT_IO:
			return "IO";
		case PG_WAIT_INJECTIONPOINT:
			return "InjectionPoint";
		default:
			return "???";
	}
}

#define NAME_FROM(table, id) \
	((id) < lengthof(table) ? (table)[id] : "unknown wait event")

const char *
pgstat_get_wait_event(uint32 wait_event_info)
{
	uint32		id = wait_event_info & WAIT_EVENT_ID_MASK;

	if (wait_event_info == 0)
		return NULL;
	switch (wait_event_info & WAIT_EVENT_CLASS_MASK)
	{
		case PG_WAIT_LWLOCK:
			return GetLWLockIdentifier(PG_WAIT_LWLOCK, (uint16) id);
		case PG_WAIT_EXTENSION:
			if (id == 0)
				return "Extension";
			if (bgw_wait_event_table != NULL && id < published_count())
				return bgw_wait_event_table->names[id];
			return "unknown wait event";
		case PG_WAIT_ACTIVITY:
			return NAME_FROM(activity_names, id);
		case PG_WAIT_IPC:
			return NAME_FROM(ipc_names, id);
		case PG_WAIT_TIMEOUT:
			return NAME_FROM(timeout_names, id);
		case PG_WAIT_CLIENT:
			return NAME_FROM(client_names, id);
		case PG_WAIT_IO:
			return NAME_FROM(io_names, id);
		default:
			return "unknown wait event";
	}
}

/*
 * Supervisor: type and event names of wait_event_info, copied with bounds
 * (an extension name comes from shared memory and is not trusted to be
 * terminated).  Empty strings for "no wait".
 */
void
bgw_wait_event_describe(uint32 wait_event_info, char *type, size_t typelen,
						char *event, size_t eventlen)
{
	const char *t = pgstat_get_wait_event_type(wait_event_info);
	const char *e = pgstat_get_wait_event(wait_event_info);

	if (type && typelen > 0)
	{
		size_t		n = t ? strnlen(t, typelen - 1) : 0;

		memcpy(type, t ? t : "", n);
		type[n] = '\0';
	}
	if (event && eventlen > 0)
	{
		size_t		n = e ? strnlen(e, Min(eventlen - 1, (size_t) NAMEDATALEN - 1)) : 0;

		memcpy(event, e ? e : "", n);
		event[n] = '\0';
	}
}
