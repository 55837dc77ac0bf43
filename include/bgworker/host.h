/*-------------------------------------------------------------------------
 *
 * host.h
 *	  The embedder API of libbgworker.so: run bgworker's supervisor (the
 *	  "postmaster" of the background workers) inside your own C program.
 *
 *	  Link with -lbgworker (`bgworker config --libs`, or pkg-config's
 *	  `--libs bgworker`).  This header is for programs that embed the host;
 *	  a module (a shared library loaded by the host) must never link
 *	  libbgworker.so: the host already contains it, and two copies of the
 *	  supervisor's runtime in one process hang.
 *
 *	  What running the supervisor in-process means for the embedder:
 *
 *	  - One supervisor per process.  While one runs (bgworker_start, or
 *	    bgworker_main with the "start" command), starting another fails
 *	    with status 1.  Commands that only talk to a running host (stop,
 *	    reload, promote, status, config) may be run from another thread.
 *	  - The calling thread becomes the supervisor's thread until the call
 *	    returns: the supervisor forks its workers from it, loads modules
 *	    and runs their _PG_init() on it.  Call it from an ordinary thread,
 *	    never from a signal handler or a forked child.
 *	  - The supervisor handles SIGTERM (smart shutdown), SIGINT (fast),
 *	    SIGQUIT (immediate), SIGHUP (reload) and SIGCHLD while it runs; do
 *	    not install your own handlers for them, and do not block them in
 *	    the calling thread.  It reaps only the processes it started.
 *	  - While it runs, the process's working directory is the data
 *	    directory and its file creation mask PostgreSQL's (0077, or 0027
 *	    for a data directory of mode 0750); both are process-wide, and
 *	    both are given back when the call returns.
 *	  - Do not call setenv(), putenv() or unsetenv() while it runs.
 *	  - Workers are forked copies of a small helper process, not of your
 *	    program's state after the call: they run only module code.
 *	  - Libraries are loaded and initialised once per process, as in
 *	    PostgreSQL.  When the supervisor starts again in the same process
 *	    (after an earlier start returned), a library of
 *	    shared_preload_libraries that an earlier start loaded is not
 *	    loaded again and its _PG_init() does not run again: the workers it
 *	    registered and the parameters it defined are reused.  Every
 *	    parameter starts from its default and takes the new configuration's
 *	    value, as at a first start; what _PG_init() decided from the old
 *	    values (how many workers to register, say) stays until the process
 *	    ends.  A library no longer listed stays loaded, with the hooks it
 *	    installed, but its workers do not start.  shmem_request_hook and
 *	    shmem_startup_hook run at every start, for its new shared memory.
 *
 *	  Both functions write their messages to stderr, in PostgreSQL's log
 *	  format once the configuration is loaded, and never call exit().  To
 *	  see the records yourself, set emit_log_hook (utils/elog.h, which
 *	  needs postgres.h first) before the call, keeping the previous value
 *	  and calling it from your hook, as a module does.  It is called for
 *	  every record the supervisor writes, on the supervisor's thread, and,
 *	  as it is inherited by the processes the supervisor forks, in each
 *	  worker for that worker's records: there it runs in a process of one
 *	  thread that runs only C, so it must not wait for your program's other
 *	  threads or locks.  Setting edata->output_to_server to false keeps a
 *	  record out of the log.  The messages of bgworker_main's other
 *	  commands and of argument checks are plain stderr lines, not records.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGWORKER_HOST_H
#define BGWORKER_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Run one command of the bgworker binary, with the same commands and flags:
 * argv[0] is the program name shown in messages, argv[1] the command
 * ("init", "start", "stop", "reload", "promote", "status", "launch",
 * "terminate", "config", "version", "help"), the rest its flags, e.g.
 *
 *		char *args[] = {"myprog", "start", "-D", "/srv/bg", NULL};
 *		return bgworker_main(4, args);
 *
 * "start" runs the supervisor in the foreground on the calling thread until
 * it shuts down.  argv is not modified and need not outlive the call.
 * Returns the exit status the bgworker binary would exit with: 0 on
 * success, 1 on failure, 2 for a usage error.
 */
extern int	bgworker_main(int argc, char **argv);

/*
 * Run the supervisor on the data directory datadir in the foreground on the
 * calling thread until it shuts down, as `bgworker start -D datadir` with
 * one `-c names[i]=values[i]` per setting (the settings win over
 * bgworker.conf; a later one wins over an earlier one of the same name).
 * names and values are arrays of nsettings strings; both may be NULL when
 * nsettings is 0.  Running as root is refused, as by the binary without
 * --allow-root (use bgworker_main with --allow-root for that).
 *
 * Returns the exit status: 0 after a clean shutdown, 1 when the start
 * failed (the reason was logged to stderr) or the host stopped after a
 * crash with restart_after_crash = off.  Bad arguments (a NULL datadir, a
 * negative nsettings, a NULL array or string) return 1 with a message.
 */
extern int	bgworker_start(const char *datadir, int nsettings,
						   const char *const *names,
						   const char *const *values);

/*
 * Wait until the supervisor this process runs on datadir (through
 * bgworker_start or bgworker_main's "start", on another thread) is ready:
 * its preloaded libraries are initialised, its shared memory exists and
 * its workers are being started (the lock file's status "ready", or
 * "standby" for a standby; the states in which pg_ctl's wait for a start
 * ends).  When no supervisor runs in this process at the call, it waits
 * for the next one to start, so it may be called right after starting the
 * thread that calls bgworker_start.  timeout_ms < 0 waits without a limit.
 *
 * Returns 0 when the supervisor is ready, 1 when the start it waited for
 * ended first (the start failed: the reason was logged, and the start's
 * own call returns 1; or it was stopped before it was ready) or datadir is
 * NULL, 2 when timeout_ms passed first.  A start that ended before the
 * call is not seen: that call's return value tells.  May be called from
 * any thread but the supervisor's, by several threads at once.
 */
extern int	bgworker_wait_ready(const char *datadir, int timeout_ms);

/*
 * Send one request to the host running on datadir (in this process or
 * another) through its control socket and return the reply: the
 * operations of `bgworker status`, `launch`, `terminate`, `stop`,
 * `reload` and `promote`, with structured answers.  request is one JSON
 * object of the control protocol (docs/control-protocol.md), e.g.
 *
 *		{"op":"status"}
 *		{"op":"launch","launch":{"library":"mymod","function":"my_main",
 *		 "name":"job 7","restart_time":10}}
 *		{"op":"terminate","pid":12345}
 *		{"op":"stop","mode":"fast"}
 *
 * ("version" may be left out).  The reply is one JSON object,
 * {"version":1,"ok":true,...} or {"version":1,"ok":false,"error":"..."};
 * every failure is such a reply (a malformed request, no host running,
 * a NULL argument), so the result is never NULL unless memory ran out.
 * The string is malloc(3)'d: release it with free().  May be called from
 * any thread, while a supervisor runs in this process or not; it blocks
 * until the host answers (at most the protocol's timeout).
 */
extern char *bgworker_control(const char *datadir, const char *request);

#ifdef __cplusplus
}
#endif

#endif							/* BGWORKER_HOST_H */
