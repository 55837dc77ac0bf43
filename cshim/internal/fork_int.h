/*-------------------------------------------------------------------------
 *
 * fork_int.h
 *	  Internal declarations of the fork area (bgworker.c, forkserver.c,
 *	  child.c, ps_status.c, pqsignal.c, dfmgr.c): the shared worker slot
 *	  array, the fork server protocol, and the functions the Go bindings in
 *	  bgworker.go, forkserver.go and dfmgr.go call.  Nothing here is for
 *	  modules.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FORK_INT_H
#define FORK_INT_H

#include "bgw_internal.h"
#include "port/atomics.h"

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* ------------------------------------------------------------------------
 * The shared slot array ("Background Worker Data")
 *
 * One slot per max_worker_processes.  Static workers occupy the first
 * slots; dynamic registrations take the lowest free one.  Who writes what:
 *
 *	- claiming: a free slot (in_use false) is first claimed by a
 *	  compare-and-swap of `claimed` from 0 to 1.  Only the claimer may then
 *	  fill it.  Workers claim while holding BackgroundWorkerLock exclusively
 *	  (which serialises them among themselves, as in PostgreSQL); the
 *	  supervisor claims for `bgworker launch` without any lock (a worker
 *	  that died holding the lock must not stop it), and the CAS is what
 *	  keeps it and a worker from filling the same slot;
 *	- the claimer fills the registration, pid, generation + 1, terminate,
 *	  issues a write barrier and only then sets in_use;
 *	- while in_use is true, only the supervisor writes the slot (pid, and
 *	  when it forgets the worker: pid 0, a full barrier, in_use = false, a
 *	  full barrier, claimed = 0), except terminate, which any worker
 *	  holding the lock may set;
 *	- claimed is cleared last, so a successful CAS always finds in_use
 *	  false and no supervisor write still pending;
 *	- the supervisor reads a slot after a read barrier that follows the
 *	  in_use check, copies strings bounded, and validates every value (a
 *	  worker may have scribbled over the array).
 *
 * pid is InvalidPid (-1) until the worker is started, the running pid
 * while it runs, 0 once it stopped.  generation grows every time a slot is
 * reused, so that a stale handle reads BGWH_STOPPED.
 *
 * start_owner says who starts a new dynamic registration, decided once by
 * a compare-and-swap from BGW_START_UNDECIDED (what a worker's
 * registration writes before in_use): the fork server, which starts it on
 * its own when the registrant pokes it ("fast start", forkserver.c), or
 * the supervisor, which adopts it from its scan and sends a start request.
 * Slots the supervisor fills itself (static workers, `bgworker launch`)
 * are the supervisor's from the start.  The supervisor trusts the value
 * only as far as "not mine": it adopts a fast-started worker from the
 * fork server's reply, never from the slot.
 * ------------------------------------------------------------------------ */
#define BGW_START_UNDECIDED		0
#define BGW_START_FORK_SERVER	1
#define BGW_START_SUPERVISOR	2

typedef struct BackgroundWorkerSlot
{
	bool		in_use;			/* owned by the supervisor while true */
	bool		terminate;		/* a worker asked for termination */
	pg_atomic_uint32 claimed;	/* 1 from claim until the slot is freed */
	pid_t		pid;			/* InvalidPid, running pid, or 0 */
	pg_atomic_uint32 start_owner;	/* BGW_START_*: who starts it (in what
									 * was padding: the layout is unchanged) */
	uint64		generation;		/* incremented when the slot is reused */
	BackgroundWorker worker;	/* the registration */
} BackgroundWorkerSlot;

typedef struct BackgroundWorkerArray
{
	int			total_slots;	/* max_worker_processes at creation */
	uint32		parallel_register_count;	/* PARALLEL registrations */
	uint32		parallel_terminate_count;	/* PARALLEL slots freed */
	/*
	 * 1 while the fork server takes fast starts (it writes this itself when
	 * the supervisor turns them on or off): a registrant then pokes it.  A
	 * hint only: the fork server decides by its own copy.
	 */
	pg_atomic_uint32 fast_start;
	BackgroundWorkerSlot slot[FLEXIBLE_ARRAY_MEMBER];
} BackgroundWorkerArray;

/* The handle RegisterDynamicBackgroundWorker() hands out (palloc'd). */
struct BackgroundWorkerHandle
{
	int			slot;
	uint64		generation;
};

/* Size of the array for max_worker_processes; the shmem area adds it. */
extern Size bgw_bgworker_shmem_size(void);

/* This process's pointer to the array (NULL before bgw_bgworker_shmem_init). */
extern BackgroundWorkerArray *bgw_worker_array;

/*
 * What the supervisor reads from a slot: a bounded, validated copy.
 * Supervisor and fork server (no locks, barriers as described above).
 * bgw_slot_read returns 0 and fills *out, or -1 with a reason in errbuf
 * (slot out of range, inconsistent array), or 1 when the slot is free.
 */
typedef struct BgwSlotView
{
	bool		terminate;
	pid_t		pid;
	uint64		generation;
	BackgroundWorker worker;	/* strings NUL-terminated, non-printable
								 * bytes replaced by '?' */
} BgwSlotView;

extern int	bgw_slot_count(void);
extern int	bgw_slot_read(int slot, BgwSlotView *out, char *errbuf, size_t errlen);
extern int	bgw_slot_set_pid(int slot, pid_t pid);
extern int	bgw_slot_free(int slot);

/*
 * Claim the lowest free slot without a lock and publish *worker in it
 * (supervisor only, for `bgworker launch`; the caller has validated the
 * registration).  Returns the slot index and its new generation in
 * *generation, or -1 when every slot is in use or claimed.
 */
extern int	bgw_slot_claim(const BackgroundWorker *worker, uint64 *generation);

/*
 * Supervisor, when its scan meets a registration it does not know: take
 * the start for itself (start_owner UNDECIDED -> SUPERVISOR).  Returns
 * false when the fork server took it first (its reply will tell).
 */
extern bool bgw_slot_take_start(int slot);

/*
 * Fork server: take the start of slot for itself and return the
 * registration it will start, checked as the supervisor checks a new slot
 * (strings sanitised, an empty name taken from the type, a notify pid that
 * is not one of our workers dropped).  false when the slot is not a new,
 * sound, unterminated registration nobody has taken.
 */
extern bool bgw_slot_take_fast_start(int slot, BackgroundWorker *out);

/*
 * The fork server's pid, in the fork server and every child it starts (a
 * process-local copy, never read from shared memory); 0 elsewhere.  A
 * registrant pokes the fork server with BGW_FAST_START_SIGNAL.
 */
extern pid_t bgw_fork_server_pid;
#define BGW_FAST_START_SIGNAL	SIGUSR1

/* Set the process latch of the worker in slot (no-op without one). */
extern void bgw_set_worker_latch(int slot);

/*
 * Fork server: publish a started worker's pid in its slot and wake its
 * bgw_notify_pid ahead of the supervisor (see bgworker.c).  Returns
 * whether it woke the waiter (the supervisor then does not, so that each
 * start is notified once, as in PostgreSQL).
 */
extern bool bgw_slot_publish_started(int slot, pid_t pid, pid_t notify_pid);

/* Wake a bgw_notify_pid that is one of our workers (see bgworker.c). */
extern bool bgw_wake_waiter(pid_t notify_pid);

/*
 * The registration rules (see bgworker.c): NULL when worker passes, else
 * the message in buf.  Pure.
 */
extern const char *bgw_worker_problem(const BackgroundWorker *worker,
									  char *buf, size_t len);

/* Largest bgw_restart_time PostgreSQL accepts (USECS_PER_DAY / 1000). */
#define BGW_MAX_RESTART_TIME	86400000

/* Free the static registration list only (fork server). */
extern void bgw_free_static_workers(void);

/* ------------------------------------------------------------------------
 * The fork server protocol
 *
 * Fixed-size binary messages over an AF_UNIX SOCK_SEQPACKET socket, one
 * message per packet.  The supervisor may send any number of requests
 * before it reads replies; the fork server handles them in order and
 * answers each START request with one reply carrying the same id.  It also
 * announces each spare child it clones ahead of need with an unsolicited
 * reply of kind SPARE (id 0, the spare's pid), always before the START
 * reply that hands that spare a worker.  RELOAD
 * gets no reply (a START sent after it is handled after it).  FAST_START
 * turns fast starts on or off and is answered with its id; every fast
 * start the fork server made before it turned them off is answered (an
 * unsolicited START_WORKER reply with id 0, the slot and
 * BGW_FORK_REPLY_FAST) before that answer.  EXIT, or EOF
 * on the socket or the death pipe, ends the fork server.  A message with a wrong magic or size is answered with
 * errno EPROTO and otherwise ignored.  Layout is native (both ends are the
 * same binary).
 * ------------------------------------------------------------------------ */
#define BGW_FORKSERVER_MAGIC	0x42475746u /* "BGWF" */
#define BGW_FORKSERVER_VERSION	1

typedef enum BgwForkRequestKind
{
	BGW_FORK_START_WORKER = 1,	/* fork a worker for slot */
	BGW_FORK_START_STARTUP = 2, /* fork the startup (recovery) child */
	BGW_FORK_RELOAD = 3,		/* ProcessConfigFile(PGC_SIGHUP) */
	BGW_FORK_EXIT = 4,			/* exit the fork server */
	BGW_FORK_SPARE = 5,			/* reply only: a spare child now exists */
	BGW_FORK_FAST_START = 6,	/* turn fast starts on or off; replied */
} BgwForkRequestKind;

#define BGW_FORK_FLAG_STANDBY	0x0001	/* START_STARTUP: standby.signal */
#define BGW_FORK_FLAG_FAST_ON	0x0002	/* FAST_START: on (else off) */

typedef struct BgwForkRequest
{
	uint32		magic;			/* BGW_FORKSERVER_MAGIC */
	uint32		version;		/* BGW_FORKSERVER_VERSION */
	uint32		kind;			/* BgwForkRequestKind */
	uint32		id;				/* echoed in the reply */
	int32		slot;			/* worker slot (START_WORKER) */
	uint32		flags;			/* BGW_FORK_FLAG_* */
	BackgroundWorker worker;	/* the registration (START_WORKER) */
} BgwForkRequest;

typedef struct BgwForkReply
{
	uint32		magic;			/* BGW_FORKSERVER_MAGIC */
	uint32		id;				/* the request's id */
	int32		slot;			/* the request's slot, -1 for others */
	int32		pid;			/* the new child, 0 on failure */
	int32		err;			/* errno of the failure, 0 on success */
	uint32		kind;			/* the request's kind */
	uint32		flags;			/* BGW_FORK_REPLY_* */
} BgwForkReply;

/* START_WORKER reply: the fork server already woke bgw_notify_pid */
#define BGW_FORK_REPLY_NOTIFIED	0x0001
/*
 * START_WORKER reply (id 0) of a fast start: the fork server took the
 * registration in slot itself (start_owner) and started it, or failed to.
 */
#define BGW_FORK_REPLY_FAST		0x0002

/*
 * Fork the fork server (supervisor, postmaster thread).  Returns its pid
 * and the supervisor's end of the socket in *sockfd_out, or -1 with errno.
 * What of the Go runtime it should not get is marked MADV_DONTFORK before
 * (forkimage.c).
 */
extern int	bgw_forkserver_start(int death_read_fd, int *sockfd_out);

/*
 * Keeping the Go runtime's mappings out of every fork (forkimage.c): the
 * host binary records the mappings that exist before the Go runtime starts
 * (from a constructor); the postmaster thread then marks the anonymous
 * mappings made since with MADV_DONTFORK, before it loads any module.
 * Returns how many it marked (0 without the first snapshot).
 */
extern void bgw_record_pre_runtime_mappings(void);
extern bool bgw_pre_runtime_recorded(void);
extern int	bgw_exclude_runtime_mappings_from_forks(void);

/*
 * Before each fork of the fork server: marks the Go heap (the mappings
 * holding the nprobes probes and their contiguous anonymous neighbours)
 * and the chunks of the runtime's persistent allocator (list head at
 * chunk_head, 0 if unknown, each chunk_size bytes) with MADV_DONTFORK.
 * Returns how many ranges it marked.
 */
extern int	bgw_exclude_go_memory(const uintptr_t *probes, int nprobes,
								  uintptr_t chunk_head, size_t chunk_size);

/* Exported for the Go bindings (sizes checked there). */
extern const size_t bgw_fork_request_size;
extern const size_t bgw_fork_reply_size;

/* ------------------------------------------------------------------------
 * Child set-up (child.c), run in a freshly cloned child of the fork server
 * ------------------------------------------------------------------------ */
extern void bgw_child_worker_main(int forkserver_sock, int slot,
								  const BackgroundWorker *worker) pg_attribute_noreturn();
extern void bgw_child_startup_main(int forkserver_sock, bool standby) pg_attribute_noreturn();

/* Reset every handler the Go runtime installed to SIG_DFL (keep SIG_IGN). */
extern void bgw_reset_inherited_signals(void);

/*
 * From the elog area: the default SIGTERM handler of a worker (FATAL
 * "terminating background worker ... due to administrator command").
 * PostgreSQL keeps it static in bgworker.c; here elog owns it.
 */
extern void bgworker_die(SIGNAL_ARGS);

/*
 * Also from the elog area (PostgreSQL's storage/ipc.h and
 * postmaster/interrupt.h), repeated here so the fork area does not depend
 * on when those headers appear.
 */
extern void proc_exit(int code) pg_attribute_noreturn();
extern void on_exit_reset(void);
extern void SignalHandlerForCrashExit(SIGNAL_ARGS);

/* ------------------------------------------------------------------------
 * Process title (ps_status.c)
 * ------------------------------------------------------------------------ */

/* True in a child that may overwrite its argv area (set by child set-up). */
extern bool bgw_ps_title_allowed;

/* ------------------------------------------------------------------------
 * Library lookup (dfmgr.c)
 * ------------------------------------------------------------------------ */

/*
 * Resolve a library name to a path.  A name with a slash is a path; an
 * absolute one is taken as given, a relative one may not contain ".."
 * components and is looked up like a bare name.  A bare name is looked up
 * in dynamic_library_path, first as given, then with ".so".  Returns 0 with
 * the path in buf, or -1 with a message in errbuf.  Any process.
 */
extern int	bgw_find_library(const char *name, char *buf, size_t len,
							 char *errbuf, size_t errlen);

/*
 * The trust rule of every module load (cshim/fmgr/libtrust.c): path, which
 * bgw_find_library resolved name to, must be reached only through
 * directories owned by root or the host's user that others cannot write,
 * and be such a file; an absolute name must lie in dynamic_library_path or
 * $libdir unless allow_absolute_library_paths is on.  Returns 0 if trusted,
 * 1 with *err filled (elevel ERROR, message naming the file and the
 * reason).  Any process; never raises.
 */
extern int	bgw_check_library_trust(const char *name, const char *path,
									BgwCaughtError *err);

/* bgw_find_library, then bgw_check_library_trust; 0 or 1 with *err. */
extern int	bgw_resolve_library(const char *name, char *buf, size_t len,
								BgwCaughtError *err);

/* GUC allow_absolute_library_paths. */
extern bool allow_absolute_library_paths;

/*
 * Check a loaded library's magic block.  Returns 0 if it matches, 1 with
 * *err filled (elevel ERROR) if it does not or is missing.  Any process;
 * Pg_magic_func is called through bgw_call_protected_ptr.
 */
extern int	bgw_check_magic_block(const char *path, void *handle,
								  BgwCaughtError *err);

/* Core functions resolvable as library "postgres" (none in bgworker). */
#define BGW_CORE_LIBRARY_NAME "postgres"

#endif							/* FORK_INT_H */
