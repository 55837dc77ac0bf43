/*-------------------------------------------------------------------------
 *
 * api_latch.c
 *	  Proof module for storage/latch.h and storage/proc.h in workers.
 *
 *	  - "api_latch sockets" waits on a socket pair with WaitLatchOrSocket
 *	    (timeout, readable, writeable, connected, latch set) and with a
 *	    WaitEventSet (AddWaitEventToSet, ModifyWaitEvent down to
 *	    WL_SOCKET_CLOSED, WaitEventSetWait, FreeWaitEventSet), then tries to
 *	    wait on a shared latch it does not own, which must be an ERROR.
 *	  - "api_latch owner" owns a latch in the module's shared memory
 *	    (InitSharedLatch / OwnLatch / DisownLatch) and sleeps on it;
 *	    "api_latch waker" sets it three times from another process.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_latch_sockets_main(Datum main_arg);
PGDLLEXPORT void api_latch_owner_main(Datum main_arg);
PGDLLEXPORT void api_latch_waker_main(Datum main_arg);

#define WAKES 3

typedef struct ApiLatchShared
{
	Latch		latch;			/* owned by the owner worker */
	pg_atomic_uint32 owned;		/* 1 once the owner owns the latch */
	pg_atomic_uint32 sent;		/* wake-ups sent by the waker */
	pg_atomic_uint32 seen;		/* wake-ups seen by the owner */
} ApiLatchShared;

static ApiLatchShared *shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
api_latch_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(ApiLatchShared)));
}

static void
api_latch_attach(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("api_latch", sizeof(ApiLatchShared), &found);
	if (!found)
	{
		InitSharedLatch(&shared->latch);
		pg_atomic_init_u32(&shared->owned, 0);
		pg_atomic_init_u32(&shared->sent, 0);
		pg_atomic_init_u32(&shared->seen, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

static void
api_latch_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	api_latch_attach();
}

static void
register_worker(const char *name, const char *function)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_latch");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "%s", name);
	RegisterBackgroundWorker(&worker);
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = api_latch_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = api_latch_shmem_startup;

	register_worker("api_latch sockets", "api_latch_sockets_main");
	register_worker("api_latch owner", "api_latch_owner_main");
	register_worker("api_latch waker", "api_latch_waker_main");
}

static void
worker_setup(void)
{
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	api_latch_attach();
}

static const char *
events_str(int rc)
{
	static char buf[128];

	buf[0] = '\0';
	if (rc & WL_LATCH_SET)
		strlcat(buf, "LATCH_SET,", sizeof(buf));
	if (rc & WL_SOCKET_READABLE)
		strlcat(buf, "READABLE,", sizeof(buf));
	if (rc & WL_SOCKET_WRITEABLE)
		strlcat(buf, "WRITEABLE,", sizeof(buf));
	if (rc & WL_SOCKET_CLOSED)
		strlcat(buf, "CLOSED,", sizeof(buf));
	if (rc & WL_TIMEOUT)
		strlcat(buf, "TIMEOUT,", sizeof(buf));
	if (rc & WL_POSTMASTER_DEATH)
		strlcat(buf, "PM_DEATH,", sizeof(buf));
	if (buf[0] == '\0')
		return "none";
	buf[strlen(buf) - 1] = '\0';
	return buf;
}

static WaitEventSet *
make_set(int nevents)
{
#if PG_VERSION_NUM >= 170000
	return CreateWaitEventSet(NULL, nevents);
#else
	return CreateWaitEventSet(CurrentMemoryContext, nevents);
#endif
}

void
api_latch_sockets_main(Datum main_arg)
{
	int			sv[2];
	int			rc;
	char		c;
	WaitEventSet *set;
	WaitEvent	ev;
	int			sockpos;
	int			n;
	static int	marker = 7;
	MemoryContext oldcxt;

	worker_setup();

	elog(LOG, "api_latch: MyProc pid matches=%s MyLatch is procLatch=%s",
		 MyProc != NULL && MyProc->pid == MyProcPid ? "yes" : "no",
		 MyProc != NULL && MyLatch == &MyProc->procLatch ? "yes" : "no");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		elog(ERROR, "socketpair failed: %m");

	ResetLatch(MyLatch);
	rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   sv[0], 20, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: idle socket: %s", events_str(rc));
	rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_WRITEABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   sv[0], 1000, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: writeable socket: %s", events_str(rc));
	rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_CONNECTED | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   sv[0], 1000, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: connected socket: %s", events_str(rc));
	if (write(sv[1], "x", 1) != 1)
		elog(ERROR, "write failed: %m");
	rc = WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   sv[0], 1000, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: socket with data: %s", events_str(rc));
	if (read(sv[0], &c, 1) != 1)
		elog(ERROR, "read failed: %m");
	SetLatch(MyLatch);
	rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH,
						   sv[0], -1, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: latch set while socket idle: %s", events_str(rc));
	ResetLatch(MyLatch);

	/* the same with a wait event set */
	set = make_set(3);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	sockpos = AddWaitEventToSet(set, WL_SOCKET_READABLE, sv[0], NULL, &marker);
	n = WaitEventSetWait(set, 20, &ev, 1, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: set idle: n=%d registered=%d can_report_closed=%s",
		 n, GetNumRegisteredWaitEvents(set),
		 WaitEventSetCanReportClosed() ? "yes" : "no");
	if (write(sv[1], "y", 1) != 1)
		elog(ERROR, "write failed: %m");
	n = WaitEventSetWait(set, 1000, &ev, 1, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: set data: n=%d pos_ok=%s events=%s user_data=%d fd_ok=%s",
		 n, ev.pos == sockpos ? "yes" : "no", events_str(ev.events),
		 ev.user_data ? *(int *) ev.user_data : -1,
		 ev.fd == sv[0] ? "yes" : "no");
	if (read(sv[0], &c, 1) != 1)
		elog(ERROR, "read failed: %m");
	ModifyWaitEvent(set, sockpos, WL_SOCKET_WRITEABLE, NULL);
	n = WaitEventSetWait(set, 1000, &ev, 1, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: set modified: n=%d events=%s", n, events_str(ev.events));
	close(sv[1]);
	ModifyWaitEvent(set, sockpos, WL_SOCKET_CLOSED, NULL);
	n = WaitEventSetWait(set, 1000, &ev, 1, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: set peer closed: n=%d events=%s", n, events_str(ev.events));
	SetLatch(MyLatch);
	n = WaitEventSetWait(set, 0, &ev, 1, PG_WAIT_EXTENSION);
	elog(LOG, "api_latch: set latch: n=%d events=%s", n, events_str(ev.events));
	ResetLatch(MyLatch);
	FreeWaitEventSet(set);
	close(sv[0]);

	/* waiting on somebody else's latch is an error */
	oldcxt = CurrentMemoryContext;
	PG_TRY();
	{
		(void) WaitLatch(&shared->latch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		elog(LOG, "api_latch: waited on a foreign latch");
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		elog(LOG, "api_latch: foreign latch: %s", edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	proc_exit(0);
}

void
api_latch_owner_main(Datum main_arg)
{
	uint32		seen = 0;

	worker_setup();
	OwnLatch(&shared->latch);
	pg_atomic_write_u32(&shared->owned, 1);
	while (seen < WAKES)
	{
		uint32		sent;

		(void) WaitLatch(&shared->latch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
						 PG_WAIT_EXTENSION);
		ResetLatch(&shared->latch);
		CHECK_FOR_INTERRUPTS();
		sent = pg_atomic_read_u32(&shared->sent);
		if (sent > seen)
		{
			seen = sent;
			pg_atomic_write_u32(&shared->seen, seen);
			elog(LOG, "api_latch: owner woken, wake-ups seen %u", seen);
		}
	}
	DisownLatch(&shared->latch);
	elog(LOG, "api_latch: owner disowned the latch");
	proc_exit(0);
}

void
api_latch_waker_main(Datum main_arg)
{
	uint32		i;

	worker_setup();
	for (i = 1; i <= WAKES; i++)
	{
		/* wait (politely) for the owner to own the latch, then for its ack */
		while (pg_atomic_read_u32(&shared->owned) == 0 ||
			   pg_atomic_read_u32(&shared->seen) < i - 1)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 5, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		pg_atomic_write_u32(&shared->sent, i);
		SetLatch(&shared->latch);
	}
	elog(LOG, "api_latch: waker sent %u wake-ups", WAKES);
	proc_exit(0);
}
