/*
 * fork_module.c
 *	  A tiny module for fork_test.go, compiled by the test against include/.
 *	  report_main writes what the worker sees (parent, identity, signal
 *	  dispositions and mask, open fds, alternate stack, process title) to
 *	  the file named in bgw_extra, then exits with bgw_main_arg as code.
 */
#include "postgres.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "utils/ps_status.h"

PG_MODULE_MAGIC;

extern void proc_exit(int code);

PGDLLEXPORT void report_main(Datum arg);

static const char *
disposition(int sig)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) != 0)
		return "err";
	if (sa.sa_handler == SIG_DFL)
		return "dfl";
	if (sa.sa_handler == SIG_IGN)
		return "ign";
	return "handler";
}

void
report_main(Datum arg)
{
	FILE	   *f = fopen(MyBgworkerEntry->bgw_extra, "w");
	sigset_t	mask;
	stack_t		ss;
	DIR		   *d;
	struct dirent *de;
	char		cmdline[256];
	FILE	   *c;
	size_t		n = 0;

	if (f == NULL)
		proc_exit(3);
	fprintf(f, "ppid=%d\n", (int) getppid());
	fprintf(f, "pid=%d mypid=%d\n", (int) getpid(), MyProcPid);
	fprintf(f, "under=%d bgworker=%d\n", IsUnderPostmaster, AmBackgroundWorkerProcess());
	fprintf(f, "type=%s\n", MyBgworkerEntry->bgw_type);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			fprintf(f, "sig%d=%s\n", sig, disposition(sig));
	{
		/* glibc's cached tid (struct pthread) must hold our new tid */
		pid_t		tid = (pid_t) syscall(SYS_gettid);
		const unsigned char *self = (const unsigned char *) pthread_self();
		int			found = 0;

		for (int off = 0; off + 4 <= 1024; off += 4)
		{
			pid_t		v;

			memcpy(&v, self + off, sizeof(v));
			if (v == tid)
				found = 1;
		}
		fprintf(f, "tidcache=%d\n", found);
	}
	sigprocmask(SIG_SETMASK, NULL, &mask);
	fprintf(f, "blocked_term=%d blocked_quit=%d blocked_usr1=%d\n",
			sigismember(&mask, SIGTERM), sigismember(&mask, SIGQUIT),
			sigismember(&mask, SIGUSR1));
	sigaltstack(NULL, &ss);
	fprintf(f, "altstack_disabled=%d\n", (ss.ss_flags & SS_DISABLE) != 0);
	d = opendir("/proc/self/fd");
	fprintf(f, "fds=");
	while (d && (de = readdir(d)) != NULL)
	{
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		fprintf(f, "%s,", de->d_name);
	}
	fprintf(f, "\n");
	if (d)
		closedir(d);
	c = fopen("/proc/self/cmdline", "r");
	if (c)
	{
		n = fread(cmdline, 1, sizeof(cmdline) - 1, c);
		fclose(c);
	}
	cmdline[n] = '\0';
	fprintf(f, "cmdline=%s\n", cmdline);
	fclose(f);
	if (DatumGetInt32(arg) != 0)
		proc_exit(DatumGetInt32(arg));
}

/* Raises ERROR: the worker must exit with code 1. */
PGDLLEXPORT void error_main(Datum arg);

void
error_main(Datum arg)
{
	elog(ERROR, "error_main fails on purpose");
}
