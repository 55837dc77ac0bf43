/*-------------------------------------------------------------------------
 *
 * wait_event.h
 *	  Wait events: what a bgworker process is waiting for, as PostgreSQL 17
 *	  reports it in pg_stat_activity (here: `bgworker status`).
 *
 *	  A wait event is a uint32: the class in the high byte (PG_WAIT_*), the
 *	  event id in the low 16 bits.  pgstat_report_wait_start stores it in
 *	  the process's shared per-worker slot with one plain 32-bit store, so
 *	  it is cheap and async-signal-safe; the supervisor reads it.
 *
 *	  Module events (PostgreSQL 17): WaitEventExtensionNew("MyEvent")
 *	  returns the same id for the same name in every process; the name is
 *	  kept in shared memory so the supervisor can print it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WAIT_EVENT_H
#define WAIT_EVENT_H

#include "c.h"

/* ---- classes ---- */
#define PG_WAIT_LWLOCK				0x01000000U
#define PG_WAIT_LOCK				0x03000000U
#define PG_WAIT_BUFFERPIN			0x04000000U
#define PG_WAIT_ACTIVITY			0x05000000U
#define PG_WAIT_CLIENT				0x06000000U
#define PG_WAIT_EXTENSION			0x07000000U
#define PG_WAIT_IPC					0x08000000U
#define PG_WAIT_TIMEOUT				0x09000000U
#define PG_WAIT_IO					0x0A000000U
#define PG_WAIT_INJECTIONPOINT		0x0B000000U

#define WAIT_EVENT_CLASS_MASK		0xFF000000U
#define WAIT_EVENT_ID_MASK			0x0000FFFFU

/* ---- the events bgworker itself reports, PostgreSQL's names ---- */

/* Activity: a process idling in its main loop. */
typedef enum
{
	WAIT_EVENT_ARCHIVER_MAIN = PG_WAIT_ACTIVITY,
	WAIT_EVENT_AUTOVACUUM_MAIN,
	WAIT_EVENT_BGWRITER_HIBERNATE,
	WAIT_EVENT_BGWRITER_MAIN,
	WAIT_EVENT_CHECKPOINTER_MAIN,
	WAIT_EVENT_LOGICAL_APPLY_MAIN,
	WAIT_EVENT_LOGICAL_LAUNCHER_MAIN,
	WAIT_EVENT_LOGICAL_PARALLEL_APPLY_MAIN,
	WAIT_EVENT_RECOVERY_WAL_STREAM,
	WAIT_EVENT_SYSLOGGER_MAIN,
	WAIT_EVENT_WAL_RECEIVER_MAIN,
	WAIT_EVENT_WAL_SENDER_MAIN,
	WAIT_EVENT_WAL_WRITER_MAIN,
} WaitEventActivity;

/* IPC: waiting for another process. */
typedef enum
{
	WAIT_EVENT_APPEND_READY = PG_WAIT_IPC,
	WAIT_EVENT_BGWORKER_SHUTDOWN,
	WAIT_EVENT_BGWORKER_STARTUP,
	WAIT_EVENT_CHECKPOINT_DONE,
	WAIT_EVENT_CHECKPOINT_START,
	WAIT_EVENT_MESSAGE_QUEUE_INTERNAL,
	WAIT_EVENT_MESSAGE_QUEUE_PUT_MESSAGE,
	WAIT_EVENT_MESSAGE_QUEUE_RECEIVE,
	WAIT_EVENT_MESSAGE_QUEUE_SEND,
	WAIT_EVENT_PROC_SIGNAL_BARRIER,
	WAIT_EVENT_PROMOTE,
	WAIT_EVENT_RECOVERY_CONFLICT_SNAPSHOT,
	WAIT_EVENT_RECOVERY_END_COMMAND,
} WaitEventIPC;

/* Timeout: sleeping for a while. */
typedef enum
{
	WAIT_EVENT_BASE_BACKUP_THROTTLE = PG_WAIT_TIMEOUT,
	WAIT_EVENT_CHECKPOINT_WRITE_DELAY,
	WAIT_EVENT_PG_SLEEP,
	WAIT_EVENT_RECOVERY_APPLY_DELAY,
	WAIT_EVENT_RECOVERY_RETRIEVE_RETRY_INTERVAL,
	WAIT_EVENT_REGISTER_SYNC_REQUEST,
	WAIT_EVENT_SPIN_DELAY,
	WAIT_EVENT_VACUUM_DELAY,
	WAIT_EVENT_VACUUM_TRUNCATE,
} WaitEventTimeout;

/* Client: waiting on a socket. */
typedef enum
{
	WAIT_EVENT_CLIENT_READ = PG_WAIT_CLIENT,
	WAIT_EVENT_CLIENT_WRITE,
	WAIT_EVENT_GSS_OPEN_SERVER,
	WAIT_EVENT_LIBPQWALRECEIVER_CONNECT,
	WAIT_EVENT_LIBPQWALRECEIVER_RECEIVE,
	WAIT_EVENT_SSL_OPEN_SERVER,
	WAIT_EVENT_WAIT_FOR_STANDBY_CONFIRMATION,
	WAIT_EVENT_WAL_SENDER_WAIT_FOR_WAL,
	WAIT_EVENT_WAL_SENDER_WRITE_DATA,
} WaitEventClient;

/* IO: waiting for a file operation. */
typedef enum
{
	WAIT_EVENT_DATA_FILE_READ = PG_WAIT_IO,
	WAIT_EVENT_DATA_FILE_SYNC,
	WAIT_EVENT_DATA_FILE_WRITE,
} WaitEventIO;

/* The generic module event, shown as type and name "Extension". */
#define WAIT_EVENT_EXTENSION		PG_WAIT_EXTENSION

/* ---- reporting ---- */

/*
 * Where pgstat_report_wait_start stores: the process's per-worker slot,
 * or a process-local word before it has one.
 */
extern PGDLLIMPORT uint32 *my_wait_event_info;

/*
 * Record that this process now waits for wait_event_info.  A single
 * aligned 32-bit store: async-signal-safe, no locks.  Waits do not nest.
 */
static inline void
pgstat_report_wait_start(uint32 wait_event_info)
{
	*(volatile uint32 *) my_wait_event_info = wait_event_info;
}

/* Record that this process no longer waits. */
static inline void
pgstat_report_wait_end(void)
{
	*(volatile uint32 *) my_wait_event_info = 0;
}

extern void pgstat_set_wait_event_storage(uint32 *wait_event_info);
extern void pgstat_reset_wait_event_storage(void);

/* Names as pg_stat_activity shows them; NULL for 0 (no wait). */
extern const char *pgstat_get_wait_event(uint32 wait_event_info);
extern const char *pgstat_get_wait_event_type(uint32 wait_event_info);

/*
 * A wait event for a module, by name: the same name gives the same id in
 * every process of this segment.  ERRORs when the name is longer than
 * NAMEDATALEN - 1 bytes or when 127 names are already taken.  Needs
 * shared memory (call it in a worker or in shmem_startup_hook).
 */
extern uint32 WaitEventExtensionNew(const char *wait_event_name);

#endif							/* WAIT_EVENT_H */
