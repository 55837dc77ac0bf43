/*-------------------------------------------------------------------------
 *
 * modguard.c
 *	  The supervisor's guard against module code that ends the process:
 *	  exit() (or proc_exit after an ERROR or FATAL that nothing caught, in
 *	  an emit_log_hook for instance) and crashes (SIGSEGV, SIGBUS, SIGFPE,
 *	  SIGILL, SIGABRT) in _PG_init or a hook.  Either way the host logs a
 *	  line naming the library, removes its lock file, control socket and
 *	  shared memory segment (only while they are still its own), logs what
 *	  it removed, and ends with a non-zero status: exit code 1 (or the
 *	  module's code if not 0), or death by the crash's signal.  Without the
 *	  guard, exit(0) ended the host silently with status 0 and left the
 *	  lock file saying "ready", and a crash printed a Go runtime dump.
 *
 *	  Supervisor only.  The supervisor arms the guard (bgw_guard_arm) and
 *	  tells it what to remove as those things come and go; cshim/elog.c
 *	  enters it around every call into module code (bgw_call_protected,
 *	  emit_log_hook).  The exit handler is registered with on_exit(), which
 *	  the Go runtime's own exit (exit_group) never runs, so it acts only
 *	  when C code calls exit().  The crash handlers are installed only
 *	  while module code runs on the postmaster thread, and the Go
 *	  runtime's handlers are put back afterwards: a fault on another thread
 *	  meanwhile (a Go nil dereference) gets Go's handler back and faults
 *	  again there.  Never calls Go.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/elog.h"
#include "bgw_internal.h"

/* What the guard removes; set by the supervisor (guard.go). */
static pid_t guard_pid;			/* the supervisor; 0 = disarmed */
static char guard_lockfile[MAXPGPATH];
static char guard_socket[MAXPGPATH];
static dev_t guard_socket_dev;
static ino_t guard_socket_ino;
static int	guard_shmid = -1;
static bool guard_on_exit_registered;

/* The module function being run, and the thread running it. */
static void *guard_fn;
static const char *guard_what;	/* "_PG_init", "emit_log_hook", ... */
static int	guard_depth;
static pid_t guard_tid;
static volatile sig_atomic_t guard_fired;

static const int guard_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NGUARD_SIGNALS lengthof(guard_signals)
static struct sigaction guard_saved[NGUARD_SIGNALS];

/*
 * Describe where the supervisor was: "function "_PG_init" of library
 * "/x.so"" when fn is an exported symbol, "emit_log_hook of library
 * "/x.so"" otherwise, "module code" when no library holds fn.
 */
static void
describe_module(char *buf, size_t len)
{
	Dl_info		info;
	const char *what = guard_what ? guard_what : "module code";

	if (guard_fn != NULL && dladdr(guard_fn, &info) != 0 &&
		info.dli_fname != NULL && info.dli_fname[0] != '\0')
	{
		if (info.dli_sname != NULL && info.dli_saddr == guard_fn)
			snprintf(buf, len, "function \"%s\" of library \"%s\"",
					 info.dli_sname, info.dli_fname);
		else
			snprintf(buf, len, "%s of library \"%s\"", what, info.dli_fname);
		return;
	}
	snprintf(buf, len, "%s", what);
}

/* Is the lock file still ours (its first line is our pid)? */
static bool
lockfile_is_ours(void)
{
	char		buf[32];
	ssize_t		n;
	int			fd = open(guard_lockfile, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return atoi(buf) == (int) guard_pid;
}

/*
 * Remove what is still ours and log it, then forget it.  Plain system
 * calls; the log line goes through bgw_log with the module's
 * emit_log_hook taken away (it may be what failed).
 */
static void
guard_cleanup(void)
{
	char		msg[3 * MAXPGPATH + 128];
	size_t		off = 0;
	struct stat st;

	emit_log_hook = NULL;
	if (guard_socket[0] != '\0' && lstat(guard_socket, &st) == 0 &&
		st.st_dev == guard_socket_dev && st.st_ino == guard_socket_ino &&
		unlink(guard_socket) == 0)
		off += snprintf(msg + off, sizeof(msg) - off, "%scontrol socket \"%s\"",
						off ? ", " : "", guard_socket);
	if (guard_shmid >= 0 && shmctl(guard_shmid, IPC_RMID, NULL) == 0 &&
		off < sizeof(msg))
		off += snprintf(msg + off, sizeof(msg) - off, "%sshared memory segment %d",
						off ? ", " : "", guard_shmid);
	if (guard_lockfile[0] != '\0' && lockfile_is_ours() &&
		unlink(guard_lockfile) == 0 && off < sizeof(msg))
		off += snprintf(msg + off, sizeof(msg) - off, "%slock file \"%s\"",
						off ? ", " : "", guard_lockfile);
	if (off > 0)
	{
		char		line[sizeof(msg) + 16];

		snprintf(line, sizeof(line), "removed %s", msg);
		bgw_log(LOG, line, NULL, NULL);
	}
	guard_socket[0] = '\0';
	guard_lockfile[0] = '\0';
	guard_shmid = -1;
}

/* on_exit handler: C code called exit() in the supervisor. */
static void
guard_exit(int status, void *arg)
{
	char		where[MAXPGPATH + 128];
	char		msg[sizeof(where) + 128];

	if (guard_pid == 0 || getpid() != guard_pid || guard_fired)
		return;
	guard_fired = 1;
	emit_log_hook = NULL;
	describe_module(where, sizeof(where));
	if (proc_exit_inprogress)
	{
		/* an ERROR or FATAL nothing caught; elog.c logged it */
		snprintf(msg, sizeof(msg),
				 "the supervisor cannot continue after an error in %s", where);
		bgw_log(LOG, msg, NULL, NULL);
	}
	else
	{
		snprintf(msg, sizeof(msg), "%s called exit(%d) in the supervisor",
				 where, status);
		bgw_log(FATAL, msg, NULL,
				"A module must not call exit() in the supervisor; it reports errors with ereport(ERROR).");
	}
	guard_cleanup();
	_exit(status != 0 ? status : 1);
}

/* Crash handler, installed only while module code runs. */
static void
guard_crash(int sig, siginfo_t *info, void *ctx)
{
	char		where[MAXPGPATH + 128];
	char		msg[sizeof(where) + 128];
	int			i;

	if (getpid() != guard_pid || (pid_t) syscall(SYS_gettid) != guard_tid ||
		guard_fired)
	{
		/*
		 * Not the module call (another thread: the Go runtime's business):
		 * give the signal its previous handler back; a fault happens again
		 * when the instruction is retried, anything else is raised again.
		 */
		for (i = 0; i < (int) NGUARD_SIGNALS; i++)
			if (guard_signals[i] == sig)
				sigaction(sig, &guard_saved[i], NULL);
		if (info->si_code <= 0)
			syscall(SYS_tgkill, getpid(), (pid_t) syscall(SYS_gettid), sig);
		return;
	}
	guard_fired = 1;
	emit_log_hook = NULL;
	describe_module(where, sizeof(where));
	snprintf(msg, sizeof(msg), "supervisor was terminated by signal %d: %s in %s",
			 sig, strsignal(sig), where);
	bgw_log(FATAL, msg, NULL, NULL);
	guard_cleanup();

	/* Die by the signal itself, with no handler left to catch it. */
	signal(sig, SIG_DFL);
	{
		sigset_t	s;

		sigemptyset(&s);
		sigaddset(&s, sig);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}
	raise(sig);
	_exit(128 + sig);
}

/* See bgw_internal.h. */
void
bgw_guard_arm(const char *lockfile)
{
	guard_pid = getpid();
	guard_fired = 0;
	strlcpy(guard_lockfile, lockfile ? lockfile : "", sizeof(guard_lockfile));
	if (!guard_on_exit_registered)
	{
		on_exit(guard_exit, NULL);
		guard_on_exit_registered = true;
	}
}

/* See bgw_internal.h. */
void
bgw_guard_disarm(void)
{
	guard_pid = 0;
	guard_lockfile[0] = '\0';
	guard_socket[0] = '\0';
	guard_shmid = -1;
}

/* See bgw_internal.h. */
void
bgw_guard_set_socket(const char *path)
{
	struct stat st;

	guard_socket[0] = '\0';
	if (path != NULL && path[0] != '\0' && lstat(path, &st) == 0)
	{
		strlcpy(guard_socket, path, sizeof(guard_socket));
		guard_socket_dev = st.st_dev;
		guard_socket_ino = st.st_ino;
	}
}

/* See bgw_internal.h. */
void
bgw_guard_set_segment(int shmid)
{
	guard_shmid = shmid;
}

/* See bgw_internal.h. */
void
bgw_guard_enter(BgwGuardFrame *frame, void *fn, const char *what)
{
	frame->active = guard_pid != 0 && MyProcPid == (int) guard_pid;
	if (!frame->active)
		return;
	frame->fn = guard_fn;
	frame->what = guard_what;
	frame->depth = guard_depth;
	guard_fn = fn;
	guard_what = what;
	if (guard_depth++ == 0)
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = guard_crash;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		guard_tid = (pid_t) syscall(SYS_gettid);
		for (int i = 0; i < (int) NGUARD_SIGNALS; i++)
			sigaction(guard_signals[i], &sa, &guard_saved[i]);
	}
}

/*
 * See bgw_internal.h.  Frames that a longjmp skipped are left here too:
 * the depth is put back to what it was when this frame entered.
 */
void
bgw_guard_leave(BgwGuardFrame *frame)
{
	if (!frame->active || guard_pid == 0)
		return;
	guard_fn = frame->fn;
	guard_what = frame->what;
	if (guard_depth > 0 && frame->depth == 0)
	{
		for (int i = 0; i < (int) NGUARD_SIGNALS; i++)
			sigaction(guard_signals[i], &guard_saved[i], NULL);
	}
	guard_depth = frame->depth;
}
