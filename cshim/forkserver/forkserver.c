/*-------------------------------------------------------------------------
 *
 * forkserver.c
 *	  The fork server: a small single-threaded C process that the
 *	  supervisor forks once modules are loaded and shared memory exists,
 *	  and that forks every worker (and the startup child) on request.
 *
 *	  Why a separate process: forking the Go supervisor directly copies its
 *	  whole heap (slow, growing with the heap), and can deadlock the child
 *	  when another thread of the supervisor holds a glibc lock at the moment
 *	  of the fork.  The fork server has one thread, a frozen image of the
 *	  loaded modules and the attached segment, and never runs Go.
 *
 *	  Workers are cloned with CLONE_PARENT, so that they are children of
 *	  the supervisor (which reaps, signals and judges them), not of the
 *	  fork server.  See start_child() for the one glibc detail this needs.
 *
 *	  Protocol: fork_int.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libpq/pqsignal.h"
#include "storage/pmsignal.h"
#include "utils/guc.h"
#include "utils/ps_status.h"
#include "fork_int.h"
#include "faults_int.h"

const size_t bgw_fork_request_size = sizeof(BgwForkRequest);
const size_t bgw_fork_reply_size = sizeof(BgwForkReply);

/*
 * Offset of glibc's cached thread id (the tid field of struct pthread)
 * from pthread_self(), or -1 if it could not be found.  See start_child().
 */
static long tid_offset = -1;

/* The spare child, if any: see make_spare(). */
static pid_t spare_pid;			/* 0: no spare */
static int	spare_fd = -1;		/* write end of the spare's order pipe */
static bool spare_wanted = true;	/* make one when idle; cleared by a
									 * failure or a RELOAD, set by START */

/* See fork_int.h: set in the fork server, inherited by its children. */
pid_t		bgw_fork_server_pid = 0;

/*
 * Fast starts (see fast_start_scan): on while the supervisor says so.
 * Written only by FAST_START requests.
 */
static bool fast_start_on = false;

/*
 * The signal mask of the fork server's wait: its usual mask (which blocks
 * BGW_FAST_START_SIGNAL) without that signal, so that a poke arrives only
 * while it waits and ends the wait.
 */
static sigset_t wait_mask;

/* Whether forkserver_prioritise made us SCHED_FIFO. */
static bool fifo_priority = false;

/*
 * After a fast start the fork server keeps quiet until this time
 * (CLOCK_MONOTONIC ns; 0: not quiet): see fast_start_scan.
 */
static int64 quiet_until_ns = 0;

/* This process's robust futex list head, re-registered in each child. */
static void *robust_head;
static size_t robust_len;

/* The kernel's struct sigaction for rt_sigaction (not glibc's). */
struct kernel_sigaction
{
	void	   *handler;
	unsigned long flags;
	void	   *restorer;
	uint64		mask;
};

/*
 * Reset every signal handler inherited from the supervisor to SIG_DFL,
 * keeping SIG_IGN (as exec would).  Go installs its handler on most
 * signals, with SA_ONSTACK on a per-thread alternate stack that does not
 * exist here; a Go handler running in a process without the Go runtime
 * would crash.  Uses raw rt_sigaction because glibc's sigaction refuses
 * its own internal signals 32 and 33, which we leave alone anyway, as
 * well as SIGKILL and SIGSTOP.  Fork server and children; not
 * async-signal-safe.
 */
void
bgw_reset_inherited_signals(void)
{
	for (int sig = 1; sig <= 64; sig++)
	{
		struct kernel_sigaction old;
		struct kernel_sigaction dfl;

		if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
			continue;
		if (syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(uint64)) != 0)
			continue;
		if (old.handler == (void *) SIG_DFL || old.handler == (void *) SIG_IGN)
			continue;
		memset(&dfl, 0, sizeof(dfl));
		dfl.handler = (void *) SIG_DFL;
		(void) syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64));
	}
}

static int
cmp_int(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return (x > y) - (x < y);
}

/*
 * Close every file descriptor except the n listed (which may repeat or be
 * negative).  Fork server only.
 */
static void
close_fds_except(int *keep, int n)
{
	int			lo = 0;

	qsort(keep, n, sizeof(int), cmp_int);
	for (int i = 0; i <= n; i++)
	{
		unsigned int hi;

		if (i < n && keep[i] < lo)
			continue;			/* negative or duplicate */
		hi = (i < n) ? (unsigned int) keep[i] : ~0U;
		if (hi > (unsigned int) lo &&
			syscall(SYS_close_range, (unsigned int) lo, hi - 1, 0) != 0)
		{
			/* old kernel: close one by one, bounded */
			unsigned int top = Min(hi, 65536U);

			for (unsigned int fd = lo; fd < top; fd++)
				close((int) fd);
		}
		if (i < n)
			lo = keep[i] + 1;
	}
}

/*
 * Where glibc caches a thread's tid inside struct pthread: the offsets
 * (within the first TID_WINDOW bytes) at which the fork server's own
 * descriptor holds its tid, and which of them a second thread's descriptor
 * holds that thread's tid at too.  The field both share is the cache.
 */
#define TID_WINDOW		1024	/* well inside struct pthread */
#define TID_MAX_CANDIDATES 16

typedef struct TidProbe
{
	int			candidates[TID_MAX_CANDIDATES];
	int			ncand;
	uint32		seen;			/* bit i: candidates[i] held the other tid */
} TidProbe;

/* The offsets at which the calling thread's descriptor holds its tid. */
static void
tid_candidates(TidProbe *probe)
{
	const unsigned char *self = (const unsigned char *) pthread_self();
	pid_t		tid = (pid_t) syscall(SYS_gettid);

	probe->ncand = 0;
	probe->seen = 0;
	for (int off = 0; off + (int) sizeof(pid_t) <= TID_WINDOW &&
		 probe->ncand < TID_MAX_CANDIDATES; off += sizeof(pid_t))
	{
		pid_t		v;

		memcpy(&v, self + off, sizeof(v));
		if (v == tid)
			probe->candidates[probe->ncand++] = off;
	}
}

/* Which candidates hold the calling thread's tid in its own descriptor. */
static uint32
tid_candidates_seen(const TidProbe *probe)
{
	const unsigned char *self = (const unsigned char *) pthread_self();
	pid_t		tid = (pid_t) syscall(SYS_gettid);
	uint32		mask = 0;

	for (int i = 0; i < probe->ncand; i++)
	{
		pid_t		v;

		memcpy(&v, self + probe->candidates[i], sizeof(v));
		if (v == tid)
			mask |= 1u << i;
	}
	return mask;
}

/*
 * Settle tid_offset from probe: exactly one candidate must have held the
 * other thread's (or process's) tid.
 */
static bool
tid_offset_from(const TidProbe *probe)
{
	if (probe->seen == 0 || (probe->seen & (probe->seen - 1)) != 0)
		return false;
	tid_offset = probe->candidates[__builtin_ctz(probe->seen)];
	return true;
}

/*
 * The fallback when the thread of flush_stack_cache could not tell: fork
 * (with glibc's fork(), which refreshes the cache) a test child that
 * reports which of probe's candidates hold its new tid.  A fork costs what
 * a clone costs, on the path of every fork server start (after each
 * crash), which is why it is only the fallback.  Fork server only, once at
 * start.
 */
static void
detect_tid_offset_by_fork(TidProbe *probe)
{
	int			pfd[2];
	pid_t		child;
	int			status;

	if (probe->ncand == 0 || pipe(pfd) != 0)
		return;

	child = fork();
	if (child == 0)
	{
		uint32		mask = tid_candidates_seen(probe);

		(void) write(pfd[1], &mask, sizeof(mask));
		_exit(0);
	}
	close(pfd[1]);
	if (child > 0)
	{
		if (read(pfd[0], &probe->seen, sizeof(probe->seen)) != sizeof(probe->seen))
			probe->seen = 0;
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(pfd[0]);
	(void) tid_offset_from(probe);
}

/*
 * Clone a child of the supervisor (CLONE_PARENT) with fork semantics.
 *
 * glibc caches the calling thread's tid in struct pthread; its fork()
 * refreshes the cache in the child, a raw clone does not, and a stale tid
 * breaks whatever consults it (error-checking and recursive mutex owners,
 * pthread_kill of oneself in some versions).  So we pass
 * CLONE_CHILD_SETTID with the address of that cache: the kernel writes the
 * child's tid there, in the child's copy of memory, before the child runs.
 * If the offset could not be detected, the child runs with the fork
 * server's tid in the cache (a documented limitation: do not rely on
 * error-checking or recursive pthread mutexes in workers then).
 *
 * glibc's fork() also re-registers the robust futex list in the child;
 * the kernel drops it on clone, so the child does that itself.
 *
 * All signals are blocked across the clone; the child starts with them
 * blocked.  Returns the pid in the fork server, 0 in the child, -1 with
 * errno.
 */
static pid_t
start_child(void)
{
	sigset_t	all;
	sigset_t	old;
	unsigned long flags = CLONE_PARENT | SIGCHLD;
	void	   *ctid = NULL;
	long		pid;
	int			saved;

	if (tid_offset >= 0)
	{
		flags |= CLONE_CHILD_SETTID;
		ctid = (char *) pthread_self() + tid_offset;
	}

	/*
	 * No fflush(NULL) here: nothing in the fork server writes through
	 * stdio (elog uses write(2)), and the supervisor flushes every stream
	 * before it forks the fork server, so a child inherits no buffered
	 * output.  Flushing took the stdio list lock, a write to libc's data
	 * after every clone (see fs_poll).
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
#if defined(__x86_64__)
	pid = syscall(SYS_clone, flags, NULL, NULL, ctid, NULL);
#elif defined(__aarch64__)
	pid = syscall(SYS_clone, flags, NULL, NULL, NULL, ctid);
#else
#error "bgworker's fork server supports x86_64 and aarch64 only"
#endif
	if (pid == 0)
	{
		if (robust_head != NULL)
			(void) syscall(SYS_set_robust_list, robust_head, robust_len);
		/* only the fork server may hold the spare's pipe */
		if (spare_fd >= 0)
			close(spare_fd);
		return 0;
	}
	/*
	 * errno matters only after a failure; restoring it unconditionally
	 * was a write to this thread's TLS page after every clone, that is a
	 * copy-on-write fault (the page is shared with the new child).
	 */
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		errno = saved;
	return (pid_t) pid;
}

/*
 * Replies wait in a small queue and go out together (sendmmsg, one datagram
 * each) when the queue is full, or when the fork server is about to wait
 * (no request left to read) or to exit.  A batch of starts then wakes the
 * supervisor a few times instead of once per start: at 100 starts, each
 * reply used to wake its reply reader and the postmaster thread and to
 * preempt the fork server.  A start's waiter does not wait for this: the
 * fork server publishes the pid in the slot and wakes bgw_notify_pid
 * before it queues the reply.  The order of replies is kept (a reply that
 * hands a spare a worker precedes the next spare's announcement).
 */
#define BGW_REPLY_QUEUE 32

/*
 * The queue lives in a page of its own that no clone gets (MADV_DONTFORK,
 * reply_queue_init): every clone write-protects the fork server's pages
 * that the child shares, so a queue in .bss cost the fork server one or
 * two copy-on-write faults per start.  No child touches it.  Until the
 * page exists (or if it cannot be had), the static queue serves.
 */
typedef struct ReplyQueue
{
	int			count;
	/*
	 * A registrant poked us (fast_start_poke).  Here rather than in .bss
	 * for the same reason as the queue: the handler writes it at every
	 * dynamic registration.
	 */
	volatile sig_atomic_t poked;
	BgwForkReply reply[BGW_REPLY_QUEUE];
} ReplyQueue;

static ReplyQueue static_reply_queue;
static ReplyQueue *replies = &static_reply_queue;

/* Fork server start: move the (empty) queue to its own page. */
static void
reply_queue_init(void)
{
	size_t		len = (sizeof(ReplyQueue) + 4095) & ~(size_t) 4095;
	void	   *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	if (madvise(p, len, MADV_DONTFORK) != 0)
	{
		munmap(p, len);
		return;
	}
	replies = p;
}

/* Send every queued reply; an error on the socket ends the fork server. */
static void
flush_replies(int sock)
{
	struct mmsghdr msgs[BGW_REPLY_QUEUE];
	struct iovec iov[BGW_REPLY_QUEUE];
	int			done = 0;

	for (int i = 0; i < replies->count; i++)
	{
		iov[i].iov_base = &replies->reply[i];
		iov[i].iov_len = sizeof(BgwForkReply);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < replies->count)
	{
		int			n = (int) syscall(SYS_sendmmsg, sock, msgs + done,
									  (unsigned int) (replies->count - done), MSG_NOSIGNAL);	/* fs_poll */

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		done += n;
	}
	replies->count = 0;
}

/* Queue one reply (see above); a full queue is sent at once. */
static void
send_reply(int sock, const BgwForkRequest *req, uint32 kind, pid_t pid, int err,
		   uint32 flags)
{
	BgwForkReply *rep;

	if (replies->count == BGW_REPLY_QUEUE)
		flush_replies(sock);
	rep = &replies->reply[replies->count++];
	memset(rep, 0, sizeof(*rep));
	rep->magic = BGW_FORKSERVER_MAGIC;
	rep->id = req ? req->id : 0;
	rep->slot = req && kind == BGW_FORK_START_WORKER ? req->slot : -1;
	rep->pid = pid;
	rep->err = err;
	rep->kind = kind;
	rep->flags = flags;
}

/* RELOAD: re-read the configuration so that later workers see it. */
static void
forkserver_reload(void)
{
	sigjmp_buf	jb;
	sigjmp_buf *save = PG_exception_stack;
	ErrorContextCallback *save_ctx = error_context_stack;

	if (sigsetjmp(jb, 1) == 0)
	{
		PG_exception_stack = &jb;
		ProcessConfigFile(PGC_SIGHUP);
	}
	else
	{
		error_context_stack = save_ctx;
		EmitErrorReport();
		FlushErrorState();
	}
	PG_exception_stack = save;
	error_context_stack = save_ctx;
}

/*
 * The spare: one child cloned ahead of need, waiting in spare_main() for
 * a START_WORKER request, so that a worker's start does not wait for a
 * clone (which costs a few hundred microseconds here, more with a large
 * image).  It is a child of the supervisor (CLONE_PARENT), announced with
 * a BGW_FORK_SPARE reply before it is used, so the supervisor can reap it
 * whatever happens.  The fork server makes a new spare when it has no
 * request to serve; it drops the spare on RELOAD (the spare holds the old
 * settings) and makes the next one only after the next START.  A spare ends when its pipe reaches EOF (the fork server
 * dropped it or died) or the supervisor dies.
 */

/* What a spare reads: the rest of its start request. */
typedef struct SpareOrder
{
	int32		slot;
	BackgroundWorker worker;
} SpareOrder;

StaticAssertDecl(sizeof(SpareOrder) <= PIPE_BUF,
				 "a spare's order must be written atomically");

/*
 * The fork server's loop calls the kernel directly for its socket and its
 * wait.  It descends from the multi-threaded Go process, so glibc treats it
 * as multi-threaded, and glibc's wrappers of cancellation points (poll,
 * recv, sendmmsg) write to the thread's descriptor around the call: after
 * every clone that page is shared with the new child, and the write was a
 * copy-on-write fault per start on the one path every start takes.
 */
static long
fs_poll(struct pollfd *fds, nfds_t n, int64 timeout_ns, const sigset_t *mask)
{
	struct timespec ts;

	if (timeout_ns >= 0)
	{
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = (long) (timeout_ns % 1000000000);
	}
	return syscall(SYS_ppoll, fds, n, timeout_ns >= 0 ? &ts : NULL, mask, (size_t) 8);
}

static int64
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Wait up to timeout ns (-1: for ever) for fd to become readable, with the
 * signal mask mask (NULL: the current one) while waiting; end the process
 * when the death pipe shows anything (nobody writes it: the supervisor is
 * gone) or poll fails.  Returns fd's revents, 0 on timeout or EINTR (a
 * signal).  Fork server and spares.
 */
static short
wait_fd_or_death(int fd, int death_fd, int64 timeout, const sigset_t *mask)
{
	struct pollfd pfd[2];

	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	pfd[1].fd = death_fd;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	if (fs_poll(pfd, 2, timeout, mask) < 0)
	{
		if (errno == EINTR)
			return 0;
		_exit(1);
	}
	if (pfd[1].revents != 0)
		_exit(0);
	return pfd[0].revents;
}

/* A spare's life until its order arrives.  Signals are all blocked. */
static void
spare_main(int sock, int order_fd)
{
	SpareOrder	order;
	ssize_t		n = 0;

	close(sock);
	init_ps_display("spare worker");
	while (wait_fd_or_death(order_fd, bgw_death_pipe_fd, -1, NULL) == 0)
		;
	do
		n = read(order_fd, &order, sizeof(order));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t) sizeof(order))
		_exit(0);				/* dropped */
	close(order_fd);
	bgw_child_worker_main(-1, order.slot, &order.worker);
}

/* Clone a new spare and announce it; on failure, try again later. */
static void
make_spare(int sock)
{
	int			p[2];
	pid_t		pid;

	if (pipe2(p, O_CLOEXEC) != 0)
	{
		spare_wanted = false;
		return;
	}

	/*
	 * A spare is never urgent: clone it at the workers' priority, so that
	 * it does not keep a worker or a waiter we have just woken off its CPU
	 * for the few hundred microseconds a clone takes (forkserver_prioritise
	 * gives us SCHED_FIFO for requests).
	 */
	if (fifo_priority)
	{
		struct sched_param sp = {.sched_priority = 0};

		(void) sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp);
	}
	pid = start_child();
	if (pid != 0 && fifo_priority)
	{
		struct sched_param sp = {.sched_priority = 1};

		(void) sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
	}
	if (pid == 0)
	{
		close(p[1]);
		spare_main(sock, p[0]);
	}
	close(p[0]);
	if (pid < 0)
	{
		close(p[1]);
		spare_wanted = false;
		return;
	}
	spare_pid = pid;
	spare_fd = p[1];
	send_reply(sock, NULL, BGW_FORK_SPARE, pid, 0, 0);
}

/* Let the spare go: EOF on its pipe ends it. */
static void
drop_spare(void)
{
	if (spare_fd >= 0)
		close(spare_fd);
	spare_fd = -1;
	spare_pid = 0;
}

/*
 * Hand a START_WORKER request to the spare.  Returns its pid, or 0 when
 * there is none or it died (the caller clones instead).
 */
static pid_t
use_spare(const BgwForkRequest *req)
{
	SpareOrder	order;
	pid_t		pid = spare_pid;
	ssize_t		n;

	if (pid == 0)
		return 0;
	memset(&order, 0, sizeof(order));
	order.slot = req->slot;
	memcpy(&order.worker, &req->worker, sizeof(order.worker));
	do
		n = write(spare_fd, &order, sizeof(order));
	while (n < 0 && errno == EINTR);
	drop_spare();
	return n == (ssize_t) sizeof(order) ? pid : 0;
}

/*
 * Start the worker of a START_WORKER request (or of a fast start, with
 * reply_flags BGW_FORK_REPLY_FAST): hand it to the spare or clone it,
 * publish its pid and wake its bgw_notify_pid, queue the reply.  Returns
 * only in the fork server.
 */
static void
start_worker(int sock, const BgwForkRequest *req, uint32 reply_flags)
{
	pid_t		pid;
	bool		notified;
	int			err;

	if (!spare_wanted)			/* no write when set: see reply_queue_init */
		spare_wanted = true;
	bgw_elog_fresh_log_zone();	/* inherited by the child */
	/* reliability tests only: a planned fork failure (faults_int.h) */
	if ((err = bgw_clone_fault_check()) != 0)
	{
		send_reply(sock, req, req->kind, 0, err, reply_flags);
		return;
	}
	/* the supervisor does this before its own requests (queueStart) */
	if (reply_flags & BGW_FORK_REPLY_FAST)
		bgw_proc_clear_active(req->slot);
	pid = use_spare(req);
	if (pid == 0)
		pid = start_child();
	if (pid == 0)
		bgw_child_worker_main(sock, req->slot, &req->worker);
	if (pid < 0)
	{
		send_reply(sock, req, req->kind, 0, errno, reply_flags);
		return;
	}
	notified = bgw_slot_publish_started(req->slot, pid,
										req->worker.bgw_notify_pid);
	send_reply(sock, req, req->kind, pid, 0,
			   reply_flags | (notified ? BGW_FORK_REPLY_NOTIFIED : 0));
}

/*
 * Fast starts.  A worker that registers a dynamic worker pokes the fork
 * server (BGW_FAST_START_SIGNAL, RegisterDynamicBackgroundWorker) instead
 * of signalling the supervisor.  While the supervisor allows it (FAST_START: the host
 * is running, not stopping, not in a crash cycle), the fork server then
 * takes every new registration nobody has taken yet (start_owner, a
 * compare-and-swap the supervisor's scan also makes) and starts it as if
 * a START_WORKER request had come, with the registration checked as the
 * supervisor checks it.  Its reply (id 0, BGW_FORK_REPLY_FAST) is how the
 * supervisor adopts the worker.  So a registration costs the registrant's
 * wait two wake-ups (the fork server, then the registrant itself) instead
 * of the supervisor's signal handling, its goroutines and its request.
 * What the fork server does not take (fast starts are off, the slot fails
 * the checks, or the supervisor's scan took it first) it passes on to the
 * supervisor with PMSIGNAL_BACKGROUND_WORKER_CHANGE, the signal the
 * registrant did not send.
 */
/*
 * How long the fork server keeps quiet after a fast start: it sends no
 * reply (which wakes the supervisor's threads) and makes no spare (a
 * clone) for this long, so that the registrant it has just woken, and the
 * new worker, get a CPU first.  Requests and pokes are still served at
 * once.  On two CPUs shared with other work, both used to come first and
 * kept the registrant off its CPU for some 0.4 ms.
 */
#define BGW_FAST_START_QUIET_NS		200000

static void
fast_start_scan(int sock)
{
	BackgroundWorkerArray *arr = bgw_worker_array;
	BgwForkRequest req;
	bool		left = !fast_start_on;

	for (int i = 0; fast_start_on && arr != NULL && i < max_worker_processes; i++)
	{
		if (!bgw_slot_take_fast_start(i, &req.worker))
		{
			volatile BackgroundWorkerSlot *s = &arr->slot[i];

			/* a new registration we may not start: the supervisor's */
			if (i < arr->total_slots && s->in_use && s->pid == InvalidPid &&
				pg_atomic_read_u32(&arr->slot[i].start_owner) == BGW_START_UNDECIDED)
				left = true;
			continue;
		}
		req.magic = BGW_FORKSERVER_MAGIC;
		req.version = BGW_FORKSERVER_VERSION;
		req.kind = BGW_FORK_START_WORKER;
		req.id = 0;
		req.slot = i;
		req.flags = 0;
		start_worker(sock, &req, BGW_FORK_REPLY_FAST);
		quiet_until_ns = mono_ns() + BGW_FAST_START_QUIET_NS;
	}

	/*
	 * The registrant signalled us instead of the supervisor: pass on what
	 * we left, as it would have.
	 */
	if (left)
		SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);
}

/* Handler of BGW_FAST_START_SIGNAL (only delivered while we wait). */
static void
fast_start_poke(SIGNAL_ARGS)
{
	replies->poked = 1;
}

/* Handle one request; returns only in the fork server. */
static void
handle_request(int sock, const BgwForkRequest *req)
{
	pid_t		pid;
	int			err;

	if (req->magic != BGW_FORKSERVER_MAGIC ||
		req->version != BGW_FORKSERVER_VERSION)
	{
		send_reply(sock, req, req->kind, 0, EPROTO, 0);
		return;
	}

	switch ((BgwForkRequestKind) req->kind)
	{
		case BGW_FORK_START_WORKER:
			if (req->slot < 0 || req->slot >= max_worker_processes)
			{
				send_reply(sock, req, req->kind, 0, EINVAL, 0);
				return;
			}
			start_worker(sock, req, 0);
			return;

		case BGW_FORK_START_STARTUP:
			if ((err = bgw_clone_fault_check()) != 0)
			{
				send_reply(sock, req, req->kind, 0, err, 0);
				return;
			}
			pid = start_child();
			if (pid == 0)
				bgw_child_startup_main(sock,
									   (req->flags & BGW_FORK_FLAG_STANDBY) != 0);
			send_reply(sock, req, req->kind, pid > 0 ? pid : 0,
					   pid > 0 ? 0 : errno, 0);
			return;

		case BGW_FORK_RELOAD:
			/* no reply: later requests are handled after it anyway */
			forkserver_reload();
			/*
			 * The spare has the old settings.  The next one is made after
			 * the next START, so that a storm of reloads costs no clones.
			 */
			drop_spare();
			spare_wanted = false;
			return;

		case BGW_FORK_EXIT:
			flush_replies(sock);
			_exit(0);

		case BGW_FORK_FAST_START:
			fast_start_on = (req->flags & BGW_FORK_FLAG_FAST_ON) != 0;
			if (bgw_worker_array != NULL)
				pg_atomic_write_u32(&bgw_worker_array->fast_start,
									fast_start_on ? 1 : 0);
			/* registrations made before: they poked nobody */
			if (fast_start_on)
				replies->poked = 1;
			send_reply(sock, req, req->kind, 0, 0, 0);
			return;

		case BGW_FORK_SPARE:
			break;				/* a reply kind, not a request */
	}
	send_reply(sock, req, req->kind, 0, EPROTO, 0);
}

/*
 * Read and handle every request that is available.  EOF (the supervisor
 * closed its end) ends the fork server.
 */
static void
drain_requests(int sock)
{
	union
	{
		BgwForkRequest req;
		char		raw[sizeof(BgwForkRequest) + 64];
	}			buf;

	for (;;)
	{
		ssize_t		n = syscall(SYS_recvfrom, sock, &buf, sizeof(buf),
								MSG_DONTWAIT | MSG_TRUNC, NULL, NULL);	/* see fs_poll */

		if (n == 0)
			_exit(0);
		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;			/* the main loop sends the replies */
			_exit(0);
		}
		if ((size_t) n != sizeof(BgwForkRequest))
		{
			BgwForkRequest bad;

			memset(&bad, 0, sizeof(bad));
			if ((size_t) n >= offsetof(BgwForkRequest, slot))
				memcpy(&bad, &buf, offsetof(BgwForkRequest, slot));
			send_reply(sock, &bad, bad.kind, 0, EPROTO, 0);
			continue;
		}
		handle_request(sock, &buf.req);
	}
}

/* Larger than glibc's default stack cache (40 MB); see flush_stack_cache. */
#define BGW_FLUSH_STACK_SIZE	((size_t) 64 * 1024 * 1024)

/*
 * The short-lived thread of flush_stack_cache.  It also tells where glibc
 * caches a thread's tid (see TidProbe): pthread_create has the kernel
 * write the new thread's tid into that field of its descriptor, so the
 * one candidate of the fork server's descriptor that holds this thread's
 * tid here is the cache.
 */
static void *
flush_stack_cache_thread(void *arg)
{
	TidProbe   *probe = (TidProbe *) arg;

	probe->seen = tid_candidates_seen(probe);
	return NULL;
}

/*
 * After fork(), glibc keeps the stacks of the parent's other threads (the
 * Go runtime's threads, dead in this process) in its stack cache: seven
 * or so 8 MB mappings, each with its own page table and anon_vma that
 * every clone copies and every worker's exit tears down.  They cannot
 * simply be unmapped: the cache links them through the thread descriptors
 * they hold, and a later pthread_create walks that list.  Instead let
 * glibc free them itself: it trims the cache, oldest stacks first, when a
 * joined thread's stack brings it over its limit (40 MB by default); a
 * thread whose stack alone exceeds the limit makes it free every cached
 * stack, and then its own.  With a larger limit (GLIBC_TUNABLES) fewer or
 * none are freed, which is only slower.  All signals are blocked here, so
 * the short-lived thread gets none.  Fork server only, while it is still
 * single-threaded apart from this thread.
 */
static void
flush_stack_cache(TidProbe *probe)
{
	pthread_attr_t attr;
	pthread_t	thread;

	if (pthread_attr_init(&attr) != 0)
		return;
	if (pthread_attr_setstacksize(&attr, BGW_FLUSH_STACK_SIZE) == 0 &&
		pthread_create(&thread, &attr, flush_stack_cache_thread, probe) == 0)
		(void) pthread_join(thread, NULL);
	(void) pthread_attr_destroy(&attr);
}

/*
 * Shed what the fork server inherited but never uses, so that each clone
 * copies fewer page tables (fork cost grows with the mappings and the
 * anonymous pages of the process being cloned): the stacks of the
 * supervisor's other threads (flush_stack_cache) and the list of static
 * registrations, which the supervisor already copied (workers get their
 * registration in each request).  The Go runtime's memory never got here
 * (MADV_DONTFORK, forkimage.c).  The thread that frees the stacks also
 * fills probe (see flush_stack_cache_thread).  The heap is trimmed at the
 * end of forkserver_main's start instead.  Fork server only.
 */
static void
forkserver_trim(TidProbe *probe)
{
	flush_stack_cache(probe);
	bgw_free_static_workers();
}

/*
 * Put the fork server ahead of the workers it starts: SCHED_FIFO at the
 * lowest real-time priority, with SCHED_RESET_ON_FORK, so that every child
 * begins as SCHED_OTHER at nice 0, as it would have under the supervisor.
 *
 * The fork server is the one serial step of every start.  At normal
 * priority it shares a CPU with the workers it has just cloned, each of
 * them runnable at once: measured at 5000 workers on 2 CPUs, it spent 0.6 s
 * of a 2 s launch waiting for a CPU, preempted some 4000 times, and each
 * preemption cooled its caches for the next clone.  Ahead of them it clones
 * until its queue is empty and then sleeps, so the workers lose nothing
 * but the wait for a queue they could not have outrun.  It never spins:
 * it sleeps in ppoll whenever no request waits, and the kernel's
 * real-time throttling (95% of a CPU by default) bounds it anyway.
 *
 * Only when the supervisor runs SCHED_OTHER at nice 0 (the reset gives
 * children exactly that), and only where the kernel lets it (root or
 * CAP_SYS_NICE, and a cgroup with real-time time): otherwise the fork
 * server and its children keep the supervisor's policy and nice value, as
 * before.  Fork server, once, before its first clone.
 */
static void
forkserver_prioritise(void)
{
	struct sched_param sp = {.sched_priority = 1};
	int			nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (nice != 0 || errno != 0 || sched_getscheduler(0) != SCHED_OTHER)
		return;
	fifo_priority = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0;
}

/* The fork server's life, after the fork.  Never returns. */
static void
forkserver_main(int death_fd, int sock)
{
	int			keep[5] = {0, 1, 2, death_fd, sock};
	stack_t		ss;
	TidProbe	probe;

	tid_candidates(&probe);		/* this thread's, before any other exists */
	forkserver_trim(&probe);
	reply_queue_init();
	bgw_reset_inherited_signals();
	memset(&ss, 0, sizeof(ss));
	ss.ss_flags = SS_DISABLE;
	(void) sigaltstack(&ss, NULL);
	close_fds_except(keep, lengthof(keep));
	(void) setsid();
	forkserver_prioritise();

	IsUnderPostmaster = true;
	MyProcPid = getpid();
	bgw_death_pipe_fd = death_fd;

	bgw_ps_title_allowed = true;
	init_ps_display("fork server");

	/*
	 * SIGHUP and friends are ignored (the supervisor may send SIGHUP to all
	 * its children; reloads come as RELOAD requests); SIGTERM and SIGQUIT
	 * keep their default action.  Children install their own handlers.
	 */
	pqinitmask();
	pqsignal(SIGHUP, SIG_IGN);
	pqsignal(SIGINT, SIG_IGN);
	pqsignal(SIGUSR2, SIG_IGN);
	pqsignal(SIGPIPE, SIG_IGN);
	pqsignal(BGW_FAST_START_SIGNAL, fast_start_poke);
	{
		sigset_t	poke;

		/* the poke only ends a wait (wait_mask), never interrupts work */
		sigemptyset(&poke);
		sigaddset(&poke, BGW_FAST_START_SIGNAL);
		sigprocmask(SIG_SETMASK, &poke, NULL);
		sigemptyset(&wait_mask);
	}
	bgw_fork_server_pid = MyProcPid;

	if (!tid_offset_from(&probe))
		detect_tid_offset_by_fork(&probe);
	if (syscall(SYS_get_robust_list, 0, &robust_head, &robust_len) != 0)
		robust_head = NULL;

	/*
	 * Give the free top of the heap back last, after every allocation of
	 * the start (opendir in close_fds_except, the title, the signal
	 * masks).  The heap came from the supervisor, so the kernel cannot
	 * extend its mapping when brk grows again (a forked mapping's anon_vma
	 * chain has the parent's too): a trim at the start, which the start's
	 * own allocations then undid, left the heap as two mappings for every
	 * clone to copy, 176 kB instead of 48 kB.
	 */
	(void) malloc_trim(0);

	for (;;)
	{
		bool		want_spare;
		int64		timeout = -1;
		short		revents;

		if (replies->poked)
		{
			replies->poked = 0;
			fast_start_scan(sock);
		}
		want_spare = spare_pid == 0 && spare_wanted;
		if (quiet_until_ns != 0)
		{
			timeout = quiet_until_ns - mono_ns();
			if (timeout <= 0)
				quiet_until_ns = timeout = 0;
		}
		if (quiet_until_ns == 0)
		{
			/* what was answered goes out before we wait (see flush_replies) */
			flush_replies(sock);
			/* a new spare only when no request waits: requests come first */
			timeout = want_spare ? 0 : -1;
		}
		revents = wait_fd_or_death(sock, death_fd, timeout, &wait_mask);
		if (revents == 0)
		{
			if (want_spare && quiet_until_ns == 0 && !replies->poked)
				make_spare(sock);
			continue;
		}
		if (revents & POLLIN)
			drain_requests(sock);
		else
			_exit(0);			/* POLLHUP, POLLERR, POLLNVAL */
	}
}

/*
 * Fork the fork server.  Supervisor, on the postmaster thread, with no
 * other thread inside glibc (docs/design.md §6.3, §6.4).  Returns the fork
 * server's pid and stores the supervisor's end of the socket
 * (close-on-exec) in *sockfd_out; -1 with errno on failure.
 */
int
bgw_forkserver_start(int death_read_fd, int *sockfd_out)
{
	int			sv[2];
	sigset_t	all;
	sigset_t	old;
	pid_t		pid;
	int			saved;

	if (death_read_fd < 0 || sockfd_out == NULL)
	{
		errno = EINVAL;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
	{
		close(sv[0]);
		forkserver_main(death_read_fd, sv[1]);
	}
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0)
	{
		close(sv[0]);
		errno = saved;
		return -1;
	}
	*sockfd_out = sv[0];
	return pid;
}
