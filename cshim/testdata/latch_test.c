/*
 * latch_test.c
 *	  Standalone test of the latch area (latch.c, pmsignal.c,
 *	  condition_variable.c) with real forked processes sharing a
 *	  MAP_SHARED region.  Built and run by cshim/latch_test.go, also under
 *	  -fsanitize=address,undefined.  Other areas' symbols are weak stubs
 *	  below.  Prints "ok <name>" per test, mean round trips as figures
 *	  (never asserted); exits non-zero on the first failure.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "bgw_internal.h"
#include "latch_int.h"
#include "miscadmin.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/pmsignal.h"
#include "utils/wait_event.h"

/* ---- weak stubs of the other areas ---- */
__attribute__((weak)) struct Latch *MyLatch;
__attribute__((weak)) int MyProcPid;
__attribute__((weak)) pid_t PostmasterPid;
__attribute__((weak)) bool IsUnderPostmaster;
__attribute__((weak)) volatile sig_atomic_t InterruptPending;
__attribute__((weak)) volatile uint32 InterruptHoldoffCount;
__attribute__((weak)) volatile uint32 CritSectionCount;
__attribute__((weak)) sigjmp_buf *PG_exception_stack;
__attribute__((weak)) ErrorContextCallback *error_context_stack;
static uint32 wait_event_word;
__attribute__((weak)) uint32 *my_wait_event_info = &wait_event_word;

static char last_error[256];
static int	last_elevel;
static volatile int interrupts_processed;
static volatile int exit_on_interrupt;	/* as die() would end the process */

__attribute__((weak)) void ProcessInterrupts(void)
{
	InterruptPending = false;
	interrupts_processed++;
	if (exit_on_interrupt)
		exit(0);
}
__attribute__((weak)) void proc_exit(int code)
{
	exit(code);
}
__attribute__((weak)) bool errstart(int elevel, const char *domain)
{
	last_elevel = elevel;
	return true;
}
__attribute__((weak)) bool errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}
__attribute__((weak)) int errmsg_internal(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return 0;
}
__attribute__((weak)) int errmsg(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return 0;
}
__attribute__((weak)) int errcode(int c) { return 0; }
__attribute__((weak)) int errcode_for_socket_access(void) { return 0; }
__attribute__((weak)) void pg_re_throw(void)
{
	siglongjmp(*PG_exception_stack, 1);
}
__attribute__((weak)) void errfinish(const char *f, int l, const char *fn)
{
	if (last_elevel < ERROR)
		return;
	if (last_elevel == ERROR && PG_exception_stack)
		siglongjmp(*PG_exception_stack, 1);
	fprintf(stderr, "uncaught error level %d: %s\n", last_elevel, last_error);
	exit(3);
}
static char *shmem_struct_area;
__attribute__((weak)) void *ShmemInitStruct(const char *name, Size size, bool *found)
{
	*found = false;
	return shmem_struct_area;
}

/* ---- helpers ---- */

#define CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", \
								__FILE__, __LINE__, #cond); exit(2); } } while (0)

typedef struct Shared
{
	Latch		a;
	Latch		b;
	volatile int ball;
	volatile int ready;
	volatile int result;
	volatile int done;
	ConditionVariable cv;
	volatile int cv_go;
	volatile int cv_woken;
	char		pmsignal_area[256];
} Shared;

static Shared *sh;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* In a forked test child: fresh process identity and a local MyLatch. */
static void
become_child(void)
{
	MyProcPid = getpid();
	bgw_latch_reset_after_fork();
}

static void
wait_ok(pid_t pid, int want)
{
	int			st;

	CHECK(waitpid(pid, &st, 0) == pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != want)
	{
		fprintf(stderr, "child %d: status 0x%x, wanted exit %d\n", (int) pid, st, want);
		exit(2);
	}
}

static void
spin_until(volatile int *flag, int value)
{
	while (*flag != value)
		usleep(100);
}

/* ---- tests ---- */

/* Ping-pong between two processes over two shared latches. */
static void
pingpong_player(Latch *mine, Latch *theirs, int rounds, bool first, bool use_set)
{
	WaitEventSet *set = NULL;

	OwnLatch(mine);
	if (use_set)
	{
		set = CreateWaitEventSet(NULL, 1);
		AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, mine, NULL);
	}
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (sh->ready < 2)
		usleep(100);
	for (int i = first ? 0 : 1; i < 2 * rounds; i += 2)
	{
		/* wait until the ball is ours (i), then pass it (i + 1) */
		for (;;)
		{
			ResetLatch(mine);
			if (sh->ball == i)
				break;
			if (use_set)
			{
				WaitEvent	ev;

				CHECK(WaitEventSetWait(set, -1, &ev, 1, PG_WAIT_EXTENSION) == 1);
				CHECK(ev.events == WL_LATCH_SET);
			}
			else
				CHECK(WaitLatch(mine, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1,
								PG_WAIT_EXTENSION) == WL_LATCH_SET);
		}
		sh->ball = i + 1;
		SetLatch(theirs);
	}
	if (!use_set)
	{
		BgwLatchSpinStats st;

		bgw_latch_spin_stats(&st);
		printf("figure pingpong_spin %s: %llu of %llu spins saw the latch set, estimate %lld ns\n",
			   first ? "pinger" : "ponger", (unsigned long long) st.spins_won,
			   (unsigned long long) st.spins, (long long) st.estimate_ns);
	}
	exit(0);
}

static void
test_pingpong(int rounds, bool use_set)
{
	pid_t		p1, p2;
	double		t0;
	int			fds[2];

	InitSharedLatch(&sh->a);
	InitSharedLatch(&sh->b);
	sh->ball = -1;
	sh->ready = 0;
	CHECK(pipe(fds) == 0);		/* a death pipe that stays alive */
	if ((p1 = fork()) == 0)
	{
		become_child();
		close(fds[1]);
		bgw_death_pipe_fd = fds[0];
		prctl(PR_SET_PDEATHSIG, BGW_PM_DEATH_SIGNAL);
		bgw_latch_child_init();
		pingpong_player(&sh->a, &sh->b, rounds, true, use_set);
	}
	if ((p2 = fork()) == 0)
	{
		become_child();
		close(fds[1]);
		bgw_death_pipe_fd = fds[0];
		prctl(PR_SET_PDEATHSIG, BGW_PM_DEATH_SIGNAL);
		bgw_latch_child_init();
		pingpong_player(&sh->b, &sh->a, rounds, false, use_set);
	}
	spin_until(&sh->ready, 2);
	t0 = now_us();
	sh->ball = 0;
	SetLatch(&sh->a);
	wait_ok(p1, 0);
	wait_ok(p2, 0);
	CHECK(sh->ball == 2 * rounds);
	printf("figure %s: %d round trips, mean %.2f us per round trip\n",
		   use_set ? "pingpong_waiteventset" : "pingpong_waitlatch",
		   rounds, (now_us() - t0) / rounds);
	close(fds[0]);
	close(fds[1]);
	printf("ok pingpong%s\n", use_set ? "_set" : "");
}

/*
 * The adaptive spin before a futex sleep: never with a zero timeout or on
 * one CPU; a failed spin backs off; long waits bring the estimate to zero,
 * after which a waiting process does not spin at all (the CPU time of such
 * waits is printed as a figure, never asserted).
 */
static void
test_spin(void)
{
	pid_t		pid;

	if ((pid = fork()) == 0)
	{
		BgwLatchSpinStats st;
		cpu_set_t	cpus;
		bool		multi;
		struct rusage r0,
					r1;
		uint64		spins;

		become_child();
		CHECK(sched_getaffinity(0, sizeof(cpus), &cpus) == 0);
		multi = CPU_COUNT(&cpus) > 1;

		bgw_latch_spin_stats(&st);
		CHECK(st.estimate_ns == 0 && st.spins == 0);

		/* a zero timeout never spins and teaches nothing */
		bgw_latch_spin_seed(20000);
		ResetLatch(MyLatch);
		CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 0, 0) == WL_TIMEOUT);
		bgw_latch_spin_stats(&st);
		CHECK(st.spins == 0 && st.estimate_ns == 20000);

		/* a spin that fails backs off; the long wait halves the estimate */
		CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 2, 0) == WL_TIMEOUT);
		bgw_latch_spin_stats(&st);
		if (multi)
			CHECK(st.spins == 1 && st.spins_won == 0 && st.skip == 1 &&
				  st.estimate_ns == 10000);
		else
			CHECK(st.spins == 0 && st.estimate_ns == 20000);

		/* long waits: the estimate goes to zero, and then no spins at all */
		for (int i = 0; i < 10; i++)
			CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 1, 0) == WL_TIMEOUT);
		bgw_latch_spin_stats(&st);
		if (multi)
			CHECK(st.estimate_ns == 0);
		spins = st.spins;
		getrusage(RUSAGE_SELF, &r0);
		for (int i = 0; i < 200; i++)
			CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 1, 0) == WL_TIMEOUT);
		getrusage(RUSAGE_SELF, &r1);
		bgw_latch_spin_stats(&st);
		CHECK(st.spins == spins);
		printf("figure spin_idle: 200 waits of 1 ms after the estimate decayed: %.1f us CPU per wait\n",
			   ((r1.ru_utime.tv_sec - r0.ru_utime.tv_sec + r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e6 +
				(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec + r1.ru_stime.tv_usec - r0.ru_stime.tv_usec)) / 200);

		/*
		 * A latch already set returns before any spin and teaches nothing
		 * (WaitLatch's fast path).  Whether a spin sees a latch set during
		 * it shows in the pingpong figures.
		 */
		bgw_latch_spin_seed(30000);
		bgw_latch_spin_stats(&st);
		spins = st.spins;
		SetLatch(MyLatch);
		CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 1000, 0) == WL_LATCH_SET);
		ResetLatch(MyLatch);
		bgw_latch_spin_stats(&st);
		CHECK(st.spins == spins && st.estimate_ns == 30000);

		/* pinned to one CPU: no spinning, whatever the estimate */
		CPU_ZERO(&cpus);
		CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &cpus);
		CHECK(sched_setaffinity(0, sizeof(cpus), &cpus) == 0);
		become_child();			/* forgets the CPU count and the spin state */
		bgw_latch_spin_seed(20000);
		CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 1, 0) == WL_TIMEOUT);
		bgw_latch_spin_stats(&st);
		CHECK(st.spins == 0 && st.estimate_ns == 20000);
		exit(0);
	}
	wait_ok(pid, 0);
	printf("ok spin\n");
}

static volatile sig_atomic_t got_usr2;

static void
usr2_handler(SIGNAL_ARGS)
{
	got_usr2 = 1;
	InterruptPending = true;
	SetLatch(MyLatch);
}

/* SetLatch from a signal handler wakes WaitLatch, a socket wait and a CV sleep. */
static void
test_signal_handler(void)
{
	for (int mode = 0; mode < 3; mode++)
	{
		pid_t		pid;
		int			sv[2];

		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		sh->ready = 0;
		ConditionVariableInit(&sh->cv);
		if ((pid = fork()) == 0)
		{
			sigset_t	usr2;

			become_child();
			signal(SIGUSR2, usr2_handler);
			sigemptyset(&usr2);
			sigaddset(&usr2, SIGUSR2);
			sigprocmask(SIG_UNBLOCK, &usr2, NULL);
			sh->ready = 1;
			if (mode == 0)
				CHECK(WaitLatch(MyLatch, WL_LATCH_SET, -1, 0) == WL_LATCH_SET);
			else if (mode == 1)
				CHECK(WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE,
										sv[0], -1, 0) == WL_LATCH_SET);
			else
			{
				/*
				 * As in PostgreSQL, the sleep does not return for the
				 * handler (the variable was not signalled); it runs
				 * CHECK_FOR_INTERRUPTS, which ends the process here.
				 */
				exit_on_interrupt = 1;
				ConditionVariablePrepareToSleep(&sh->cv);
				for (;;)
					ConditionVariableSleep(&sh->cv, 0);
			}
			CHECK(got_usr2);
			exit(0);
		}
		spin_until(&sh->ready, 1);
		usleep(mode == 2 ? 20000 : 1000);	/* usually asleep by now */
		kill(pid, SIGUSR2);
		wait_ok(pid, 0);
		close(sv[0]);
		close(sv[1]);
	}
	printf("ok signal_handler\n");
}

/* WL_TIMEOUT semantics: the bit, never early, timeout 0, latch wins. */
static void
test_timeout(void)
{
	double		t0;
	WaitEventSet *set;
	WaitEvent	ev;

	t0 = now_us();
	CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 50, 0) == WL_TIMEOUT);
	CHECK(now_us() - t0 >= 50000);
	CHECK(WaitLatch(NULL, WL_TIMEOUT, 0, 0) == WL_TIMEOUT);
	CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 0, 0) == WL_TIMEOUT);
	SetLatch(MyLatch);
	CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 1000, 0) == WL_LATCH_SET);
	CHECK(WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT, 1000, 0) == WL_LATCH_SET);
	ResetLatch(MyLatch);

	set = CreateWaitEventSet(NULL, 2);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	t0 = now_us();
	CHECK(WaitEventSetWait(set, 30, &ev, 1, 0) == 0);
	CHECK(now_us() - t0 >= 30000);
	FreeWaitEventSet(set);

	ConditionVariableInit(&sh->cv);
	ConditionVariablePrepareToSleep(&sh->cv);
	SetLatch(MyLatch);			/* consumed by the sleep, as in PostgreSQL */
	t0 = now_us();
	CHECK(ConditionVariableTimedSleep(&sh->cv, 30, 0));
	CHECK(now_us() - t0 >= 30000);
	CHECK(!MyLatch->is_set);
	CHECK(!ConditionVariableCancelSleep());
	printf("ok timeout\n");
}

/*
 * Host death: a fake host forks a worker holding the pipe's read end and
 * dies.  mode 0: WL_POSTMASTER_DEATH returns the bit (futex path, death
 * signal armed); 1: WL_EXIT_ON_PM_DEATH exits 1; 2: no death signal (the
 * epoll fallback) returns the bit; 3: a condition variable sleep exits 1;
 * 4: WaitLatchOrSocket returns the bit.
 */
static void
test_pm_death(int mode)
{
	pid_t		host;
	int			want_exit = (mode == 1 || mode == 3) ? 1 : 0;

	sh->ready = 0;
	sh->result = -1;
	ConditionVariableInit(&sh->cv);
	if ((host = fork()) == 0)
	{
		int			fds[2];
		pid_t		w;

		become_child();
		CHECK(pipe(fds) == 0);
		PostmasterPid = getpid();
		if ((w = fork()) == 0)
		{
			int			sv[2];

			become_child();
			close(fds[1]);
			IsUnderPostmaster = true;
			bgw_death_pipe_fd = fds[0];
			if (mode != 2)
				prctl(PR_SET_PDEATHSIG, BGW_PM_DEATH_SIGNAL);
			if (getppid() != PostmasterPid)
				exit(5);
			bgw_latch_child_init();
			CHECK(PostmasterIsAlive());
			CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
			sh->ready = 1;
			if (mode == 0 || mode == 2)
				sh->result = WaitLatch(MyLatch, WL_LATCH_SET | WL_POSTMASTER_DEATH, -1, 0);
			else if (mode == 1)
				(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1, 0);
			else if (mode == 3)
			{
				ConditionVariablePrepareToSleep(&sh->cv);
				for (;;)
					ConditionVariableSleep(&sh->cv, 0);
			}
			else
				sh->result = WaitLatchOrSocket(MyLatch,
											   WL_LATCH_SET | WL_SOCKET_READABLE | WL_POSTMASTER_DEATH,
											   sv[0], -1, 0);
			CHECK(!PostmasterIsAlive());
			exit(0);
		}
		close(fds[0]);
		spin_until(&sh->ready, 1);
		usleep(2000);
		_exit(0);				/* the host dies; the pipe's write end closes */
	}
	wait_ok(host, 0);
	/* we are the subreaper: the orphaned worker is our child now */
	{
		int			st;
		pid_t		w = wait(&st);

		CHECK(w > 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != want_exit)
		{
			fprintf(stderr, "pm_death mode %d: worker status 0x%x\n", mode, st);
			exit(2);
		}
	}
	if (mode == 0 || mode == 2 || mode == 4)
		CHECK(sh->result == WL_POSTMASTER_DEATH);
	printf("ok pm_death_%d\n", mode);
}

/* WaitLatchOrSocket on a socketpair: readable, writeable, EOF. */
static void
test_socket(void)
{
	int			sv[2];
	pid_t		pid;
	char		c = 'x';

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_WRITEABLE, sv[0], -1, 0)
		  == WL_SOCKET_WRITEABLE);
	CHECK(WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE | WL_TIMEOUT, sv[0], 10, 0)
		  == WL_TIMEOUT);
	sh->ready = 0;
	if ((pid = fork()) == 0)
	{
		become_child();
		sh->ready = 1;
		usleep(5000);
		CHECK(write(sv[1], &c, 1) == 1);
		exit(0);
	}
	spin_until(&sh->ready, 1);
	CHECK(WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE, sv[0], -1, 0)
		  == WL_SOCKET_READABLE);
	wait_ok(pid, 0);
	CHECK(read(sv[0], &c, 1) == 1);
	close(sv[1]);
	CHECK(WaitLatchOrSocket(MyLatch, WL_SOCKET_READABLE, sv[0], -1, 0)
		  == WL_SOCKET_READABLE);
	close(sv[0]);
	printf("ok socket\n");
}

/* A wait event set with several sockets, and the API's errors. */
static void
test_wait_event_set(void)
{
	int			sv[3][2];
	WaitEventSet *set;
	WaitEvent	ev[4];
	int			n;
	int			seen = 0;
	Latch		other;

	for (int i = 0; i < 3; i++)
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) == 0);
	set = CreateWaitEventSet(NULL, 4);
	CHECK(AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(AddWaitEventToSet(set, WL_SOCKET_READABLE, sv[i][0], NULL,
								(void *) (intptr_t) (100 + i)) == i + 1);
	CHECK(GetNumRegisteredWaitEvents(set) == 4);
	CHECK(write(sv[0][1], "a", 1) == 1);
	CHECK(write(sv[2][1], "c", 1) == 1);
	n = WaitEventSetWait(set, -1, ev, 4, 0);
	CHECK(n == 2);
	for (int i = 0; i < n; i++)
	{
		CHECK(ev[i].events == WL_SOCKET_READABLE);
		CHECK(ev[i].fd == sv[ev[i].pos - 1][0]);
		CHECK((intptr_t) ev[i].user_data == 100 + ev[i].pos - 1);
		seen |= 1 << ev[i].pos;
	}
	CHECK(seen == ((1 << 1) | (1 << 3)));

	/* the latch comes first and alone */
	SetLatch(MyLatch);
	CHECK(WaitEventSetWait(set, -1, ev, 4, 0) == 1 && ev[0].events == WL_LATCH_SET &&
		  ev[0].pos == 0);
	ResetLatch(MyLatch);

	/* modify: stop reading socket 0, watch writability of socket 1 */
	ModifyWaitEvent(set, 1, WL_SOCKET_WRITEABLE, NULL);
	ModifyWaitEvent(set, 3, WL_SOCKET_CLOSED, NULL);
	n = WaitEventSetWait(set, 0, ev, 4, 0);
	CHECK(n == 1 && ev[0].pos == 1 && ev[0].events == WL_SOCKET_WRITEABLE);
	close(sv[2][1]);
	n = WaitEventSetWait(set, -1, ev, 4, 0);
	CHECK(n == 2);

	/* errors, with PostgreSQL's texts */
	InitSharedLatch(&other);
	other.owner_pid = getppid();
#define EXPECT_ERROR(stmt, text) \
	do { \
		bool	caught = false; \
		PG_TRY(); \
		{ stmt; } \
		PG_CATCH(); \
		{ caught = true; } \
		PG_END_TRY(); \
		CHECK(caught); \
		if (strcmp(last_error, text) != 0) \
		{ fprintf(stderr, "got error \"%s\", wanted \"%s\"\n", last_error, text); exit(2); } \
	} while (0)
	EXPECT_ERROR(WaitLatch(&other, WL_LATCH_SET, -1, 0),
				 "cannot wait on a latch owned by another process");
	EXPECT_ERROR(WaitLatchOrSocket(&other, WL_LATCH_SET | WL_SOCKET_READABLE, sv[0][0], -1, 0),
				 "cannot wait on a latch owned by another process");
	EXPECT_ERROR(AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL),
				 "cannot add more than 4 events to this wait event set");
	EXPECT_ERROR(ModifyWaitEvent(set, 0, WL_SOCKET_READABLE, NULL),
				 "cannot modify latch event");
	FreeWaitEventSet(set);
	set = CreateWaitEventSet(NULL, 2);
	EXPECT_ERROR(AddWaitEventToSet(set, WL_SOCKET_READABLE, PGINVALID_SOCKET, NULL, NULL),
				 "cannot wait on socket event without a socket");
	EXPECT_ERROR(AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, NULL, NULL),
				 "cannot wait on latch without a specified latch");
	FreeWaitEventSet(set);
	other.owner_pid = 4242;
	last_elevel = 0;
	{
		pid_t		pid = fork();

		if (pid == 0)
		{
			become_child();
			OwnLatch(&other);	/* PANIC: uncaught, the stub exits 3 */
			exit(0);
		}
		wait_ok(pid, 3);
	}
	for (int i = 0; i < 3; i++)
	{
		close(sv[i][0]);
		if (i != 2)
			close(sv[i][1]);
	}
	printf("ok wait_event_set\n");
}

/* Broadcast reaches every sleeping process; Signal wakes them one by one. */
static void
test_cv(int nproc)
{
	pid_t		pids[16];

	for (int round = 0; round < 2; round++)
	{
		bool		broadcast = round == 0;

		ConditionVariableInit(&sh->cv);
		sh->cv_go = 0;
		sh->cv_woken = 0;
		sh->ready = 0;
		for (int i = 0; i < nproc; i++)
		{
			if ((pids[i] = fork()) == 0)
			{
				become_child();
				ConditionVariablePrepareToSleep(&sh->cv);
				__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
				for (;;)
				{
					int			go = sh->cv_go;

					/* signal mode: each wake-up admits one process */
					if (broadcast ? go > 0 :
						(go > 0 && __atomic_compare_exchange_n(&sh->cv_go, &go, go - 1, false,
															   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)))
						break;
					ConditionVariableSleep(&sh->cv, 0);
				}
				ConditionVariableCancelSleep();
				__atomic_add_fetch(&sh->cv_woken, 1, __ATOMIC_SEQ_CST);
				exit(0);
			}
		}
		spin_until(&sh->ready, nproc);
		usleep(5000);
		if (broadcast)
		{
			sh->cv_go = 1;
			ConditionVariableBroadcast(&sh->cv);
		}
		else
		{
			for (int i = 0; i < nproc; i++)
			{
				int			before = sh->cv_woken;

				__atomic_add_fetch(&sh->cv_go, 1, __ATOMIC_SEQ_CST);
				ConditionVariableSignal(&sh->cv);
				while (sh->cv_woken == before)
					usleep(100);
			}
		}
		for (int i = 0; i < nproc; i++)
			wait_ok(pids[i], 0);
		CHECK(sh->cv_woken == nproc);
	}
	printf("ok condition_variable\n");
}

static volatile sig_atomic_t got_usr1;
static void usr1_handler(SIGNAL_ARGS) { got_usr1 = 1; }

static void
test_pmsignal(void)
{
	pid_t		pid;

	shmem_struct_area = sh->pmsignal_area;
	bgw_pmsignal_shmem_init();
	PostmasterPid = getpid();
	signal(SIGUSR1, usr1_handler);
	CHECK(!CheckPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE));
	if ((pid = fork()) == 0)
	{
		become_child();
		IsUnderPostmaster = true;
		SendPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE);
		exit(0);
	}
	wait_ok(pid, 0);
	while (!got_usr1)
		usleep(100);
	CHECK(CheckPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE));
	CHECK(!CheckPostmasterSignal(PMSIGNAL_BACKGROUND_WORKER_CHANGE));
	CHECK(!CheckPostmasterSignal(PMSIGNAL_RECOVERY_STARTED));
	printf("ok pmsignal\n");
}

int
main(int argc, char **argv)
{
	int			rounds = argc > 1 ? atoi(argv[1]) : 100000;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	MyProcPid = getpid();
	PostmasterPid = getpid();
	bgw_latch_init_local();

	test_timeout();
	test_socket();
	test_wait_event_set();
	test_signal_handler();
	for (int mode = 0; mode <= 4; mode++)
		test_pm_death(mode);
	test_cv(6);
	test_pmsignal();
	test_spin();
	test_pingpong(rounds, false);
	test_pingpong(rounds / 5, true);
	ShutdownLatchSupport();
	printf("ALL OK\n");
	return 0;
}
