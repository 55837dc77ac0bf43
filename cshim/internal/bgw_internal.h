/*-------------------------------------------------------------------------
 *
 * bgw_internal.h
 *	  The contract between the areas of the C runtime (cshim/) and between
 *	  the runtime and the Go supervisor.  Nothing here is for modules.
 *
 *	  The sections below follow the areas (one folder of cshim/ each; see
 *	  docs/architecture.md for the whole map):
 *	    elog    elog/ (with the exit and interrupt pieces in ipc/ipc.c and
 *	            postmaster/interrupt.c)      errors, logging, exit
 *	    guc     guc/                        configuration
 *	    shmem   ipc/shmem.c, lmgr/, ipc/latch.c, ipc/pmsignal.c
 *	                                        shared memory and synchronisation
 *	    fork    postmaster/bgworker.c, forkserver/, fmgr/dfmgr.c
 *	                                        registration, fork server, children
 *	  Each area may also have a header of its own here (elog_int.h,
 *	  guc_int.h, shmem_int.h, latch_int.h, fork_int.h, faults_int.h) for
 *	  what only a few files share.
 *
 *	  Process model (see docs/architecture.md): the supervisor is a Go
 *	  process; exactly one goroutine of it (the postmaster goroutine, locked
 *	  to its OS thread) calls into this runtime.  Every other process (the
 *	  fork server, workers, the startup child) is a forked copy that runs
 *	  only C.  Functions below say which process calls them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_INTERNAL_H
#define BGW_INTERNAL_H

#include "postgres.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"

#include <setjmp.h>

/*
 * The globals every new worker writes while it starts (its identity, the
 * error, exit-callback, latch and signal state, its title and its
 * registration) live together in one section, a page or two, instead of
 * spread over the package's .bss among globals only the supervisor or the
 * fork server uses: each page a child writes is one copy-on-write fault
 * and 4 kB of private memory per worker.
 */
#define BGW_CHILD_HOT __attribute__((section("bgw_child_hot")))

/* ------------------------------------------------------------------------
 * elog area
 * ------------------------------------------------------------------------ */

/*
 * Error data handed back to Go by bgw_call_protected(): the first error
 * that escaped the called function.
 */
typedef struct BgwCaughtError
{
	int			elevel;			/* ERROR or FATAL; 0 if nothing escaped */
	char		message[1024];	/* primary message */
	char		detail[1024];	/* DETAIL, may be empty */
	char		hint[1024];		/* HINT, may be empty */
} BgwCaughtError;

/*
 * Call fn() with an error trampoline: an ERROR or FATAL raised inside it
 * (and not caught by the module's own PG_TRY) longjmps back here, is NOT
 * logged, and is returned in *err with 1 as the result.  0 means fn
 * returned normally.  Supervisor only, called from Go; the only way Go
 * enters module code.  A longjmp never crosses Go frames because the
 * sigsetjmp is in this C frame.
 */
extern int	bgw_call_protected(void (*fn) (void), BgwCaughtError *err);

/* Same, for Pg_magic_func: stores the returned pointer in *result. */
extern int	bgw_call_protected_ptr(const void *(*fn) (void), const void **result,
								   BgwCaughtError *err);

/*
 * The supervisor's guard against module code that ends the process
 * (cshim/postmaster/modguard.c).  bgw_guard_arm registers it (lockfile:
 * the lock file's path; the file is removed only while its first line is
 * this pid), bgw_guard_set_socket and bgw_guard_set_segment name what else
 * to remove ("" / -1: nothing), bgw_guard_disarm forgets it all before a
 * clean exit.  Supervisor, postmaster thread.
 *
 * bgw_guard_enter/leave bracket a call into module code (fn: the module
 * function, whose library the log line names; what: "_PG_init", ...): in
 * between, a crash on this thread and exit() are reported and cleaned up.
 * A leave also ends every frame a longjmp skipped inside its bracket.  Any
 * process; they do nothing outside the armed supervisor.
 */
typedef struct BgwGuardFrame
{
	void	   *fn;				/* the enclosing frame's function */
	const char *what;			/* and its description */
	int			depth;			/* nesting depth before this frame */
	bool		active;			/* entered in the armed supervisor */
} BgwGuardFrame;

extern void bgw_guard_arm(const char *lockfile);
extern void bgw_guard_disarm(void);
extern void bgw_guard_set_socket(const char *path);
extern void bgw_guard_set_segment(int shmid);
extern void bgw_guard_enter(BgwGuardFrame *frame, void *fn, const char *what);
extern void bgw_guard_leave(BgwGuardFrame *frame);

/*
 * Emit one log line from the supervisor's Go code through the same
 * formatter as elog (log_line_prefix, log_destination, log_min_messages).
 * detail and hint may be NULL.  Supervisor, postmaster goroutine only.
 */
extern void bgw_log(int elevel, const char *message, const char *detail,
					const char *hint);

/* The error context stack, memory contexts etc. are reset in a new child. */
extern void bgw_elog_child_init(void);

/*
 * A signal handler that is about to ereport from inside itself (FATAL in
 * bgworker_die) calls this with true first: from then on the log path is
 * async-signal-safe as far as elog itself goes (timestamps from the
 * cached log zone, never localtime_r/strftime/tzset; no stdio).  It stays
 * set until the process ends; true/false switching is for tests.
 */
extern void bgw_elog_signal_context(bool in_handler);

/*
 * Re-read TZ (tzset) and recompute the cached log zone and the formatted
 * process start time.  Reload; never in a handler.
 */
extern void bgw_elog_reset_log_zone(void);

/*
 * Re-read TZ and recompute the cached log zone only if it is older than a
 * minute: the fork server before it starts workers, and a child at start
 * (which then keeps the zone it inherited).  Never in a handler.
 */
extern void bgw_elog_fresh_log_zone(void);

/*
 * Format a Unix time as the log's %m (with_ms) or %t: "2026-11-30
 * 11:32:44.212 UTC", from the cached log zone.  For tests.
 */
extern void bgw_elog_format_time(char *buf, size_t len, pg_time_t secs,
								 int ms, bool with_ms);

/* Top-level handling of an uncaught ERROR in a worker: log, proc_exit(1). */
extern void bgw_worker_error_exit(void) pg_attribute_noreturn();

/* sigsetjmp buffer of the outermost handler of this process, or NULL. */
extern sigjmp_buf *PG_exception_stack;

/* ------------------------------------------------------------------------
 * guc area
 * ------------------------------------------------------------------------ */

/* Host parameters (PostgreSQL names); defined in guc_builtin.c. */
extern char *shared_preload_libraries_string;
extern char *Dynamic_library_path;
extern int	max_worker_processes;
extern bool restart_after_crash;
extern int	log_min_messages;
extern char *Log_line_prefix;
extern char *Log_destination_string;
extern int	Log_destination;	/* LOG_DESTINATION_* bits */
extern char *cluster_name;
extern bool EnableHotStandby;

extern char *application_name;
extern bool Logging_collector;	/* logging_collector */
extern int	syslog_facility;
extern char *syslog_ident;

/*
 * The logging collector's side of the elog area: the supervisor turns
 * the pipe protocol on (own_fd, its own non-blocking pipe) or off (-1);
 * bgw_elog_lost counts the records it dropped on a full pipe.
 */
extern void bgw_elog_set_collector(int own_fd);
extern unsigned long bgw_elog_lost(void);

/*
 * Load the configuration at start: the file (with its includes) and then
 * the -c settings, which win.  On an error, returns false with a one-line
 * message naming the file and line in errbuf; nothing is logged.
 * Supervisor only, before any module is loaded.
 */
extern bool bgw_guc_load(const char *config_file, int nopts,
						 const char *const *names, const char *const *values,
						 char *errbuf, size_t errlen);

/* The path of the configuration file, for ProcessConfigFile in any process. */
extern char *ConfigFileName;

/* ------------------------------------------------------------------------
 * shmem area
 * ------------------------------------------------------------------------ */

/*
 * Size of the segment the supervisor must create: the runtime's own
 * structures (index, LWLocks, worker slots, per-worker process data) for
 * max_worker_processes, plus every RequestAddinShmemSpace().  Call after
 * the shmem_request_hook ran.  Supervisor only.
 */
extern Size bgw_shmem_size(void);

/*
 * Lay out the runtime's structures in a freshly created, zeroed segment
 * at base, and remember it as this process's segment (children inherit
 * it).  Does not run shmem_startup_hook.  Supervisor only; called at start
 * and after every crash with a new segment.
 */
extern void bgw_shmem_init(void *base, Size size);

/* Forget the segment (after the supervisor detached it). */
extern void bgw_shmem_forget(void);

/* Base and size of the current segment, NULL/0 if none. */
extern void *bgw_shmem_base(void);
extern Size bgw_shmem_total(void);

/* Run shmem_request_hook with process_shmem_requests_in_progress set. */
extern void bgw_run_shmem_request_hook(void);

/* Run shmem_startup_hook; called through bgw_call_protected. */
extern void bgw_run_shmem_startup_hook(void);

/*
 * Per-worker process data in shared memory, one per worker slot: the
 * worker's latch (MyLatch), pid, the dead-man flag and what the worker
 * reports (activity, wait event).
 */
typedef struct BgwProc BgwProc;

/* In a new worker child: adopt proc slot `slot` (MyLatch, MyProc, flag). */
extern void bgw_proc_attach(int slot);

/* In a new child without shared memory access: a process-local latch. */
extern void bgw_proc_local_latch(void);

/*
 * Dead-man switch.  The child marks its slot active when it attaches;
 * proc_exit's shmem callbacks mark it inactive.  The supervisor reads it
 * after the child exited: still active means the child skipped proc_exit
 * (a crash).  bgw_proc_clear_active resets it before a new start.
 */
extern bool bgw_proc_was_active(int slot);
extern void bgw_proc_clear_active(int slot);

/*
 * Postmaster death (latch area).  bgw_death_pipe_fd is the read end of the
 * pipe whose write end only the supervisor holds (-1 in the supervisor);
 * the fork area sets it in every child before module code runs.  The
 * child also gets PR_SET_PDEATHSIG(BGW_PM_DEATH_SIGNAL), whose handler
 * (latch area) sets a flag and wakes MyLatch; that signal is never blocked
 * by BackgroundWorkerBlockSignals().
 */
extern int	bgw_death_pipe_fd;
#define BGW_PM_DEATH_SIGNAL SIGPWR
extern void bgw_latch_child_init(void);	/* in a new child, after the fd is set */

/* ------------------------------------------------------------------------
 * fork area
 * ------------------------------------------------------------------------ */

/*
 * Create the shared worker slot array ("Background Worker Data") for
 * max_worker_processes slots, filled from the given registrations (slot i
 * holds workers[i]).  Called by bgw_shmem_init's caller, the supervisor,
 * right after bgw_shmem_init, at start and after every crash.
 */
extern void bgw_bgworker_shmem_init(const BackgroundWorker *workers, int n);

/* Static registrations collected while preloading (process-local list). */
extern int	bgw_static_worker_count(void);
extern const BackgroundWorker *bgw_static_worker(int i);

/*
 * Remember a library the supervisor loaded (dlopen handle and the full
 * path), so that load_external_function() in a worker finds it without
 * loading it again.  Supervisor only.
 */
extern void bgw_record_loaded_library(const char *path, void *handle);

/* ------------------------------------------------------------------------
 * ipc area (cshim/ipc: dynamic shared memory)
 * ------------------------------------------------------------------------ */

/* Size of the dsm control area, and its layout in a fresh main segment
 * (bgw_shmem_init, supervisor). */
extern Size bgw_dsm_shmem_size(void);
extern void bgw_dsm_shmem_init(void *base);
extern void bgw_dsm_forget(void);

/*
 * Remove every dynamic segment the main segment at base records; returns
 * how many.  Supervisor, before a main segment is removed and for a stale
 * one.  Reads defensively.
 */
extern int	bgw_dsm_cleanup_segment(const void *base, Size size);

/* The dsm registry's table (dsm_registry.c), laid out after the dsm
 * control area by bgw_shmem_init (supervisor). */
extern Size bgw_dsm_registry_shmem_size(void);
extern void bgw_dsm_registry_shmem_init(void);
extern void bgw_dsm_registry_forget(void);

/* elog.c: a session's caller gets NOTICE and up (cshim/tcop sets it). */
extern void (*bgw_client_message_hook) (ErrorData *edata);

/* tcop: the runtime's own entry points for library "postgres", or NULL. */
extern bgworker_main_type bgw_core_entry_point(const char *name);

/* Called by shmem_exit between its two lists once dsm is used. */
extern void (*bgw_dsm_backend_shutdown_hook) (void);

/* resowner.c → dsm.c: detach the mappings an owner holds. */
struct ResourceOwnerData;
extern void bgw_dsm_release_owner(struct ResourceOwnerData *owner, bool isCommit);

/* ------------------------------------------------------------------------
 * adt area (cshim/adt: the types a session passes and prints)
 * ------------------------------------------------------------------------ */

typedef struct BgwTypeInfo
{
	const char *name;			/* "int4", "text[]"'s element name, ... */
	const char *sqlname;		/* for messages: "integer", "bigint", ... */
	Oid			oid;			/* PostgreSQL's type OID */
	Oid			array_oid;		/* its array type, or the element for an array */
	int16		len;			/* typlen: > 0 fixed, -1 varlena, -2 cstring */
	bool		byval;			/* passed by value */
	char		align;			/* typalign */
	Oid			elem_oid;		/* an array's element type, else InvalidOid */
} BgwTypeInfo;

/* The type called name ("int4", "integer", "text[]"), or NULL; only types
 * with an in-memory form here. */
extern const BgwTypeInfo *bgw_type_lookup(const char *name);

/* Text literal to Datum (ERROR on bad input), and Datum to text. */
extern Datum bgw_type_input(const BgwTypeInfo *t, const char *str);
extern char *bgw_type_output(const BgwTypeInfo *t, Datum d);

/* Layout of a scalar type OID the table knows; false if unknown. */
extern bool bgw_type_layout(Oid oid, int16 *len, bool *byval, char *align);

/*
 * The type (scalar or array) of an OID, or NULL.  A type known by name and
 * layout only (numeric, jsonb, ...) is returned too: check bgw_type_has_io
 * before converting.
 */
extern const BgwTypeInfo *bgw_type_by_oid(Oid oid);

/* Whether values of type t convert to and from text here. */
extern bool bgw_type_has_io(const BgwTypeInfo *t);

/* OIDs the runtime itself needs (PostgreSQL's values). */
#define RECORDOID	2249
#define VOIDOID		2278

/* The declared result of the call in progress, for get_call_result_type. */
struct TupleDescData;
extern void bgw_set_call_result(Oid typid, struct TupleDescData *desc);

/* A record (a row from heap_form_tuple) in its text form. */
extern char *bgw_record_output(struct TupleDescData *desc, Datum d);

/* tuplestore.c: the next row of a store (NULL at its end), for the session. */
struct Tuplestorestate;
struct HeapTupleData;
extern struct HeapTupleData *bgw_tuplestore_next(struct Tuplestorestate *state);

/* dbconn/datum.c: is this a row of an SPI result (else heap_form_tuple's)? */
extern bool bgw_is_spi_row(struct HeapTupleData *tuple);

#endif							/* BGW_INTERNAL_H */
