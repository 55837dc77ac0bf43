/*-------------------------------------------------------------------------
 *
 * latch.h
 *	  Latches and wait event sets for bgworker modules, with PostgreSQL 17's
 *	  names, flag values and semantics.
 *
 *	  A latch is a flag a process can sleep on until another process, or a
 *	  signal handler of its own, sets it.  The owner waits; anybody may set.
 *	  A process-local latch (InitLatch) is set only from its own process; a
 *	  shared latch lives in shared memory (InitSharedLatch in the host, then
 *	  OwnLatch in the process that will wait on it).  MyLatch is the process
 *	  latch: it is the worker's slot latch once the worker has attached to
 *	  shared memory, and generic signal handlers set only MyLatch.
 *
 *	  Use it in this order, so that no wake-up is lost:
 *
 *		for (;;)
 *		{
 *			ResetLatch(MyLatch);
 *			if (there is work)
 *				do the work;
 *			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
 *							 PG_WAIT_EXTENSION);
 *		}
 *
 *	  A waker first publishes what it wants done, then calls SetLatch.
 *	  Never test for work between WaitLatch and ResetLatch.  A signal
 *	  handler that must end a wait calls SetLatch(MyLatch): a signal alone
 *	  does not end one.  Workers must not sleep with pg_usleep(), which does
 *	  not notice that the host died.
 *
 *	  Implementation (Linux): a wait on a latch alone sleeps on a futex in
 *	  the latch; a wait event set (sockets) sleeps in epoll, and SetLatch
 *	  reaches it with SIGURG, which every worker keeps blocked and reads
 *	  through a signalfd.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LATCH_H
#define LATCH_H

#include <signal.h>

#ifndef PGINVALID_SOCKET
typedef int pgsocket;
#define PGINVALID_SOCKET (-1)
#endif

/*
 * The latch.  Treat it as opaque: it is public only so that it can be
 * embedded in bigger (shared) structs.  The first four fields are
 * PostgreSQL's; wake_seq is the futex word a waiter sleeps on.
 */
typedef struct Latch
{
	sig_atomic_t is_set;		/* set and not yet reset */
	sig_atomic_t maybe_sleeping;	/* 0, or how the owner may be sleeping */
	bool		is_shared;		/* in shared memory, settable by others */
	int			owner_pid;		/* the process that may wait; 0 = none */
	unsigned int wake_seq;		/* futex word, bumped to wake the owner */
} Latch;

/*
 * Events to wait for (bitmask).  WL_TIMEOUT is not valid for
 * WaitEventSetWait (pass a timeout instead).
 */
#define WL_LATCH_SET		 (1 << 0)
#define WL_SOCKET_READABLE	 (1 << 1)
#define WL_SOCKET_WRITEABLE  (1 << 2)
#define WL_TIMEOUT			 (1 << 3)
#define WL_POSTMASTER_DEATH  (1 << 4)
#define WL_EXIT_ON_PM_DEATH	 (1 << 5)
#define WL_SOCKET_CONNECTED  WL_SOCKET_WRITEABLE
#define WL_SOCKET_CLOSED	 (1 << 7)
#define WL_SOCKET_ACCEPT	 WL_SOCKET_READABLE
#define WL_SOCKET_MASK		(WL_SOCKET_READABLE | \
							 WL_SOCKET_WRITEABLE | \
							 WL_SOCKET_CONNECTED | \
							 WL_SOCKET_ACCEPT | \
							 WL_SOCKET_CLOSED)

/* One event that fired, as returned by WaitEventSetWait. */
typedef struct WaitEvent
{
	int			pos;			/* position of the event in the set */
	uint32		events;			/* the WL_* events that fired */
	pgsocket	fd;				/* the socket, for socket events */
	void	   *user_data;		/* as given to AddWaitEventToSet */
} WaitEvent;

/* An opaque set of events waited for together. */
typedef struct WaitEventSet WaitEventSet;

struct ResourceOwnerData;

extern void InitializeLatchSupport(void);
extern void InitLatch(Latch *latch);
extern void InitSharedLatch(Latch *latch);
extern void OwnLatch(Latch *latch);
extern void DisownLatch(Latch *latch);
extern void SetLatch(Latch *latch);
extern void ResetLatch(Latch *latch);
extern void ShutdownLatchSupport(void);

/*
 * resowner is accepted for compatibility and may be NULL: the set is
 * allocated with malloc and must be freed with FreeWaitEventSet.
 */
extern WaitEventSet *CreateWaitEventSet(struct ResourceOwnerData *resowner,
										int nevents);
extern void FreeWaitEventSet(WaitEventSet *set);
extern void FreeWaitEventSetAfterFork(WaitEventSet *set);
extern int	AddWaitEventToSet(WaitEventSet *set, uint32 events, pgsocket fd,
							  Latch *latch, void *user_data);
extern void ModifyWaitEvent(WaitEventSet *set, int pos, uint32 events,
							Latch *latch);
extern int	WaitEventSetWait(WaitEventSet *set, long timeout,
							 WaitEvent *occurred_events, int nevents,
							 uint32 wait_event_info);
extern int	GetNumRegisteredWaitEvents(WaitEventSet *set);
extern bool WaitEventSetCanReportClosed(void);

extern int	WaitLatch(Latch *latch, int wakeEvents, long timeout,
					  uint32 wait_event_info);
extern int	WaitLatchOrSocket(Latch *latch, int wakeEvents, pgsocket sock,
							  long timeout, uint32 wait_event_info);
extern void InitializeLatchWaitSet(void);

#endif							/* LATCH_H */
