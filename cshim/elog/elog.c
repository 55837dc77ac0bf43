/*-------------------------------------------------------------------------
 *
 * elog.c
 *	  Error reporting and the server log: ereport/elog, the error data
 *	  stack, PG_TRY support, error context callbacks, log_line_prefix, the
 *	  stderr, csvlog and jsonlog formats, the syslog destination, the
 *	  logging collector's pipe protocol, and the supervisor's entry points
 *	  bgw_call_protected and bgw_log.
 *
 *	  Control flow of a report: errstart() decides whether the report is
 *	  wanted (level against log_min_messages, promotion of ERROR to FATAL
 *	  or PANIC) and pushes an ErrorData; the errxxx() calls fill it;
 *	  errfinish() runs the error context callbacks, then
 *	    - ERROR: longjmps to PG_exception_stack, leaving the ErrorData on
 *	      the stack for the handler (CopyErrorData, FlushErrorState, or
 *	      EmitErrorReport from the worker's top level);
 *	    - below ERROR: writes the record and pops it;
 *	    - FATAL: writes it, then proc_exit(1); PANIC: writes it, abort().
 *
 *	  Every log record is written with one write(2) per destination, so
 *	  records of concurrent processes never interleave within a line.
 *	  With the logging collector on (logging_collector, run by the
 *	  supervisor), fd 2 of every child is the collector's pipe and records
 *	  go there in chunks of at most PIPE_BUF bytes, each written with one
 *	  write(2) (so atomic) and tagged with the pid and the destination
 *	  (stderr, csvlog or jsonlog): the collector puts a record longer than
 *	  one chunk back together and sends it to the destination's file.
 *	  The supervisor's own records go through a second, non-blocking pipe,
 *	  so that a collector that cannot keep up never stops the supervisor:
 *	  what does not fit is dropped and counted (bgw_elog_lost).
 *
 *	  All strings of the error data live in ErrorContext, which keeps a
 *	  reserve block so that "out of memory" can be reported.
 *
 *	  Process: any.  Not thread-safe: in the supervisor only the postmaster
 *	  thread may call into it.
 *
 *	  Signal handlers: bgworker_die raises FATAL from inside the SIGTERM
 *	  handler, as PostgreSQL does, and the interrupted code may be anywhere,
 *	  including in elog or libc.  After bgw_elog_signal_context(true) the
 *	  report path takes no libc lock of its own: timestamps come from a
 *	  cached time zone with plain arithmetic (see "log timestamps"; glibc's
 *	  localtime_r/strftime take the tzset lock and hung such a worker),
 *	  records go out with write(2), and fflush is skipped.  What remains is
 *	  PostgreSQL's own accepted risk: message formatting uses vsnprintf
 *	  (no locks in glibc), strerror for %m, and palloc in ErrorContext,
 *	  which mallocs only when the record outgrows the context's kept block
 *	  (errstart also resets ErrorContext when it interrupted elog, freeing
 *	  any extra blocks); exit callbacks and exit() then run as in
 *	  PostgreSQL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bgw_internal.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* ---- the logging parameters ----
 *
 * The configuration area (guc_builtin.c) owns these.  The weak
 * definitions here carry PostgreSQL's defaults so that the runtime links
 * and logs sensibly in test programs that leave the configuration area
 * out; the configuration area's definitions replace them.
 */
__attribute__((weak)) int log_min_messages = WARNING;
__attribute__((weak)) char *Log_line_prefix = "%m [%p] ";
__attribute__((weak)) int Log_destination = LOG_DESTINATION_STDERR;
__attribute__((weak)) int Log_error_verbosity = PGERROR_DEFAULT;
__attribute__((weak)) int log_min_error_statement = ERROR;
__attribute__((weak)) char *application_name = NULL;

/*
 * The syslog destination's settings (parameters of the configuration
 * area, guc_builtin.c, with PostgreSQL's names; syslog_ident's default is
 * ours).  Defined here so that test programs without the configuration
 * area link.
 */
bool		syslog_sequence_numbers = true;
bool		syslog_split_messages = true;
int			syslog_facility = LOG_LOCAL0;
char	   *syslog_ident = "bgworker";

/*
 * The logging collector's pipe protocol (see the file comment).  A chunk
 * is a header of BGW_LOG_CHUNK_HDR bytes -- two zero bytes, the length of
 * the data (uint16, little-endian), the pid (int32, little-endian) and a
 * flags byte (the destination, and BGW_LOG_CHUNK_LAST on a record's last
 * chunk) -- followed by the data.  Anything else on the pipe (a module's
 * printf to stdout or stderr) is text for the stderr log.  The Go
 * collector (libbgworker/syslogger.go) reads it.
 */
#define BGW_LOG_CHUNK_MAX	PIPE_BUF
#define BGW_LOG_CHUNK_HDR	9
#define BGW_LOG_CHUNK_LAST	0x80

/* Collector on: records go to the pipe in chunks (inherited by children). */
static bool log_to_collector = false;

/*
 * The supervisor writes its records to its own non-blocking pipe
 * (own_log_fd, in the process own_log_pid only); every other process, a
 * forked copy, writes to fd 2.
 */
static int	own_log_fd = -1;
static pid_t own_log_pid = 0;

/*
 * Records (or chunks) the supervisor dropped because its pipe was full,
 * and how many of them its log already mentions.
 */
static volatile unsigned long log_lost = 0;
static unsigned long log_lost_reported = 0;

/* ---- public state ---- */
BGW_CHILD_HOT ErrorContextCallback *error_context_stack = NULL;
BGW_CHILD_HOT sigjmp_buf *PG_exception_stack = NULL;
emit_log_hook_type emit_log_hook = NULL;

/*
 * A session's caller (cshim/tcop/session.c sets it): NOTICE, INFO and
 * every error go to it as well as to the log, as PostgreSQL sends them to
 * its client.  NULL in workers and the supervisor.
 */
void		(*bgw_client_message_hook) (ErrorData *edata) = NULL;

/* ---- the error data stack ---- */
#define ERRORDATA_STACK_SIZE  5

static ErrorData errordata[ERRORDATA_STACK_SIZE];
BGW_CHILD_HOT static int errordata_stack_depth = -1;	/* index of the top entry */
BGW_CHILD_HOT static int	recursion_depth = 0;	/* nesting of error reporting */

/*
 * The trampoline of bgw_call_protected: while set (and in the process
 * that set it), FATAL longjmps there instead of ending the process.
 */
BGW_CHILD_HOT static sigjmp_buf *protected_jb = NULL;
BGW_CHILD_HOT static pid_t protected_pid = 0;

/*
 * Set (for good: the process is ending) by a signal handler that reports
 * from inside itself (bgworker_die): from then on the log formats times
 * from its cache only and skips fflush.  See bgw_elog_signal_context.
 */
BGW_CHILD_HOT static volatile sig_atomic_t elog_in_signal_handler = false;

/* Per-record timestamp, so that every line of one record shows the same time. */
static struct timeval record_time;

/* Counters for %l (stderr) and line_num (jsonlog), reset in each new process. */
BGW_CHILD_HOT static long csv_line_number = 0;
BGW_CHILD_HOT static long log_line_number = 0;
BGW_CHILD_HOT static long json_line_number = 0;
BGW_CHILD_HOT static int	log_my_pid = 0;

static void send_message_to_server_log(ErrorData *edata);
static void FreeErrorDataContents(ErrorData *edata);

/* A report was made with nothing on the stack: a caller bug, not a crash. */
#define CHECK_STACK_DEPTH() \
	do { \
		if (errordata_stack_depth < 0) \
		{ \
			errordata_stack_depth = -1; \
			ereport(ERROR, (errmsg_internal("errstart was not called"))); \
		} \
	} while (0)

static inline int
current_pid(void)
{
	return MyProcPid != 0 ? MyProcPid : (int) getpid();
}

/*
 * Is a report of this level written to the server log?  LOG is ranked
 * between ERROR and FATAL for this purpose, as in PostgreSQL.
 */
static bool
is_log_level_output(int elevel, int log_min_level)
{
	if (elevel == LOG || elevel == LOG_SERVER_ONLY)
	{
		if (log_min_level == LOG || log_min_level <= ERROR)
			return true;
	}
	else if (elevel == WARNING_CLIENT_ONLY)
		return false;
	else if (log_min_level == LOG)
	{
		if (elevel >= FATAL)
			return true;
	}
	else if (elevel >= log_min_level)
		return true;
	return false;
}

static inline bool
should_output_to_server(int elevel)
{
	return is_log_level_output(elevel, log_min_messages);
}

bool
message_level_is_interesting(int elevel)
{
	return should_output_to_server(elevel);
}

bool
in_error_recursion_trouble(void)
{
	return recursion_depth > 2;
}

/* ---- errstart / errfinish ---- */

bool
errstart(int elevel, const char *domain)
{
	ErrorData  *edata;
	bool		output_to_server;
	bool		output_to_client;

	if (elevel >= ERROR)
	{
		/* an error in a critical section cannot be cleaned up: crash */
		if (CritSectionCount > 0)
			elevel = PANIC;

		/*
		 * No handler to return to, or the process is already exiting:
		 * ERROR becomes FATAL.  A background worker without a handler ends
		 * as its top-level handler would (see pg_re_throw), so the record
		 * still says ERROR.
		 */
		if (elevel == ERROR &&
			(proc_exit_inprogress || ExitOnAnyError ||
			 (PG_exception_stack == NULL && !AmBackgroundWorkerProcess())))
			elevel = FATAL;

		/* never report at a lower level than an error already in progress */
		for (int i = 0; i <= errordata_stack_depth; i++)
			elevel = Max(elevel, errordata[i].elevel);
	}

	output_to_server = should_output_to_server(elevel);
	output_to_client = bgw_client_message_hook != NULL &&
		(elevel >= NOTICE || elevel == INFO);
	if (elevel < ERROR && !output_to_server && !output_to_client)
		return false;

	if (ErrorContext == NULL)
		MemoryContextInit();

	if (recursion_depth++ > 0 && elevel >= ERROR)
	{
		/*
		 * An error while reporting an error: make room, and if this keeps
		 * happening, stop calling the context callbacks (they are the
		 * likeliest culprits).
		 */
		MemoryContextReset(ErrorContext);
		if (in_error_recursion_trouble())
			error_context_stack = NULL;
	}

	if (++errordata_stack_depth >= ERRORDATA_STACK_SIZE)
	{
		/* drop everything, then report the overflow itself (as PANIC) */
		errordata_stack_depth = -1;
		ereport(PANIC, (errmsg_internal("ERRORDATA_STACK_SIZE exceeded")));
	}

	edata = &errordata[errordata_stack_depth];
	memset(edata, 0, sizeof(ErrorData));
	edata->elevel = elevel;
	edata->output_to_server = output_to_server;
	edata->output_to_client = output_to_client;	/* only a session has one */
	edata->domain = domain;
	edata->context_domain = domain;
	if (elevel >= ERROR)
		edata->sqlerrcode = ERRCODE_INTERNAL_ERROR;
	else if (elevel >= WARNING)
		edata->sqlerrcode = ERRCODE_WARNING;
	else
		edata->sqlerrcode = ERRCODE_SUCCESSFUL_COMPLETION;
	edata->saved_errno = errno;	/* for %m */
	edata->assoc_context = ErrorContext;

	recursion_depth--;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

static void
set_location(ErrorData *edata, const char *filename, int lineno,
			 const char *funcname)
{
	if (filename)
	{
		const char *slash = strrchr(filename, '/');

		if (slash)
			filename = slash + 1;
	}
	edata->filename = filename;
	edata->lineno = lineno;
	edata->funcname = funcname;
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	ErrorData  *edata;
	int			elevel;
	MemoryContext oldcontext;

	recursion_depth++;
	CHECK_STACK_DEPTH();
	edata = &errordata[errordata_stack_depth];
	set_location(edata, filename, lineno, funcname);
	elevel = edata->elevel;

	oldcontext = MemoryContextSwitchTo(ErrorContext);

	/* let the context callbacks add CONTEXT lines */
	for (ErrorContextCallback *econtext = error_context_stack;
		 econtext != NULL; econtext = econtext->previous)
		econtext->callback(econtext->arg);

	if (elevel == ERROR)
	{
		/*
		 * The handler we jump to must be able to run: forget interrupt
		 * hold-offs and critical sections of the code being abandoned.
		 */
		InterruptHoldoffCount = 0;
		QueryCancelHoldoffCount = 0;
		CritSectionCount = 0;
		recursion_depth--;
		MemoryContextSwitchTo(oldcontext);
		PG_RE_THROW();
	}

	if (elevel == FATAL && protected_jb != NULL &&
		protected_pid == (pid_t) getpid())
	{
		/* bgw_call_protected hands FATAL to Go, which logs it */
		InterruptHoldoffCount = 0;
		QueryCancelHoldoffCount = 0;
		CritSectionCount = 0;
		recursion_depth--;
		MemoryContextSwitchTo(oldcontext);
		siglongjmp(*protected_jb, 1);
	}

	EmitErrorReport();

	if (elevel >= FATAL)
	{
		/*
		 * Flush the module's stdio before the exit callbacks, but not from
		 * a signal handler, which may have interrupted stdio (exit() flushes
		 * it anyway).
		 */
		if (!elog_in_signal_handler)
			fflush(NULL);
		if (elevel >= PANIC)
			abort();

		/*
		 * FATAL: the process ends through proc_exit so that the exit
		 * callbacks run; a worker then exits with code 1 and is restarted
		 * per bgw_restart_time.
		 */
		proc_exit(1);
	}

	FreeErrorDataContents(edata);
	errordata_stack_depth--;
	MemoryContextSwitchTo(oldcontext);
	recursion_depth--;

	/* a loop that only logs can still be interrupted */
	CHECK_FOR_INTERRUPTS();
}

/* ---- message formatting ---- */

/*
 * Copy fmt, replacing %m with the text of the saved errno (with any %
 * in it doubled, since the result is a format string again).
 */
static char *
expand_fmt_string(const char *fmt, ErrorData *edata)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const char *cp = fmt; *cp; cp++)
	{
		if (cp[0] == '%' && cp[1] != '\0')
		{
			cp++;
			if (*cp == 'm')
			{
				const char *msg = strerror(edata->saved_errno);

				for (; *msg; msg++)
				{
					if (*msg == '%')
						appendStringInfoChar(&buf, '%');
					appendStringInfoChar(&buf, *msg);
				}
			}
			else
			{
				appendStringInfoChar(&buf, '%');
				appendStringInfoChar(&buf, *cp);
			}
		}
		else
			appendStringInfoChar(&buf, *cp);
	}
	return buf.data;
}

/*
 * Format into *field (in ErrorContext).  With append, add to an existing
 * value on a new line (used for CONTEXT).
 */
static void
set_field(ErrorData *edata, char **field, bool append, const char *fmt,
		  va_list args)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(ErrorContext);
	StringInfoData buf;
	char	   *efmt;

	recursion_depth++;
	initStringInfo(&buf);
	if (append && *field != NULL)
	{
		appendStringInfoString(&buf, *field);
		appendStringInfoChar(&buf, '\n');
	}
	efmt = expand_fmt_string(fmt, edata);
	for (;;)
	{
		va_list		copy;
		int			needed;

		va_copy(copy, args);
		needed = appendStringInfoVA(&buf, efmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	pfree(efmt);
	if (*field)
		pfree(*field);
	*field = buf.data;
	recursion_depth--;
	MemoryContextSwitchTo(oldcontext);
}

static inline ErrorData *
top_edata(void)
{
	CHECK_STACK_DEPTH();
	return &errordata[errordata_stack_depth];
}

int
errcode(int sqlerrcode)
{
	top_edata()->sqlerrcode = sqlerrcode;
	return 0;
}

int
errcode_for_file_access(void)
{
	ErrorData  *edata = top_edata();

	switch (edata->saved_errno)
	{
		case EPERM:
		case EACCES:
		case EROFS:
			edata->sqlerrcode = ERRCODE_INSUFFICIENT_PRIVILEGE;
			break;
		case ENOENT:
			edata->sqlerrcode = ERRCODE_UNDEFINED_FILE;
			break;
		case EEXIST:
			edata->sqlerrcode = ERRCODE_DUPLICATE_FILE;
			break;
		case ENOTDIR:
		case EISDIR:
		case ENOTEMPTY:
			edata->sqlerrcode = ERRCODE_WRONG_OBJECT_TYPE;
			break;
		case ENOSPC:
			edata->sqlerrcode = ERRCODE_DISK_FULL;
			break;
		case ENOMEM:
			edata->sqlerrcode = ERRCODE_OUT_OF_MEMORY;
			break;
		case ENFILE:
		case EMFILE:
			edata->sqlerrcode = ERRCODE_INSUFFICIENT_RESOURCES;
			break;
		case EIO:
			edata->sqlerrcode = ERRCODE_IO_ERROR;
			break;
		case ENAMETOOLONG:
			edata->sqlerrcode = ERRCODE_FILE_NAME_TOO_LONG;
			break;
		default:
			edata->sqlerrcode = ERRCODE_INTERNAL_ERROR;
			break;
	}
	return 0;
}

int
errcode_for_socket_access(void)
{
	ErrorData  *edata = top_edata();

	switch (edata->saved_errno)
	{
		case EPIPE:
		case ECONNRESET:
		case ECONNABORTED:
		case EHOSTDOWN:
		case EHOSTUNREACH:
		case ENETDOWN:
		case ENETRESET:
		case ENETUNREACH:
		case ETIMEDOUT:
			edata->sqlerrcode = ERRCODE_CONNECTION_FAILURE;
			break;
		default:
			edata->sqlerrcode = ERRCODE_INTERNAL_ERROR;
			break;
	}
	return 0;
}

/*
 * The errxxx() functions with a format: one body each, differing in the
 * field.  The primary message's (singular) format is also its id, which an
 * emit_log_hook reads (is_message); errmsg and errmsg_internal are the same
 * here, as there is no translation.
 */
#define DEFINE_ERRFIELD(fname, field, append, is_message) \
int \
fname(const char *fmt,...) \
{ \
	ErrorData  *edata = top_edata(); \
	va_list		args; \
\
	if (is_message) \
		edata->message_id = fmt; \
	va_start(args, fmt); \
	set_field(edata, &edata->field, append, fmt, args); \
	va_end(args); \
	return 0; \
}

DEFINE_ERRFIELD(errmsg, message, false, true)
DEFINE_ERRFIELD(errmsg_internal, message, false, true)
DEFINE_ERRFIELD(errdetail, detail, false, false)
DEFINE_ERRFIELD(errdetail_internal, detail, false, false)
DEFINE_ERRFIELD(errdetail_log, detail_log, false, false)
DEFINE_ERRFIELD(errhint, hint, false, false)
DEFINE_ERRFIELD(errhint_internal, hint, false, false)
DEFINE_ERRFIELD(errcontext_msg, context, true, false)

#define DEFINE_ERRFIELD_PLURAL(fname, field, is_message) \
int \
fname(const char *fmt_singular, const char *fmt_plural, unsigned long n,...) \
{ \
	ErrorData  *edata = top_edata(); \
	va_list		args; \
\
	if (is_message) \
		edata->message_id = fmt_singular; \
	va_start(args, n); \
	set_field(edata, &edata->field, false, \
			  n == 1 ? fmt_singular : fmt_plural, args); \
	va_end(args); \
	return 0; \
}

DEFINE_ERRFIELD_PLURAL(errmsg_plural, message, true)
DEFINE_ERRFIELD_PLURAL(errdetail_plural, detail, false)
DEFINE_ERRFIELD_PLURAL(errdetail_log_plural, detail_log, false)
DEFINE_ERRFIELD_PLURAL(errhint_plural, hint, false)

int
set_errcontext_domain(const char *domain)
{
	top_edata()->context_domain = domain;
	return 0;
}

int
errhidestmt(bool hide_stmt)
{
	top_edata()->hide_stmt = hide_stmt;
	return 0;
}

int
errhidecontext(bool hide_ctx)
{
	top_edata()->hide_ctx = hide_ctx;
	return 0;
}

/* Backtraces are not collected; accepted for source compatibility. */
int
errbacktrace(void)
{
	(void) top_edata();
	return 0;
}

int
errposition(int cursorpos)
{
	top_edata()->cursorpos = cursorpos;
	return 0;
}

int
internalerrposition(int cursorpos)
{
	top_edata()->internalpos = cursorpos;
	return 0;
}

int
internalerrquery(const char *query)
{
	ErrorData  *edata = top_edata();

	if (edata->internalquery)
	{
		pfree(edata->internalquery);
		edata->internalquery = NULL;
	}
	if (query)
		edata->internalquery = MemoryContextStrdup(ErrorContext, query);
	return 0;
}

/* Field codes of err_generic_string (PostgreSQL's PG_DIAG_* letters). */
int
err_generic_string(int field, const char *str)
{
	ErrorData  *edata = top_edata();
	char	  **target;

	switch (field)
	{
		case 's':
			target = &edata->schema_name;
			break;
		case 't':
			target = &edata->table_name;
			break;
		case 'c':
			target = &edata->column_name;
			break;
		case 'd':
			target = &edata->datatype_name;
			break;
		case 'n':
			target = &edata->constraint_name;
			break;
		default:
			elog(ERROR, "unsupported ErrorData field id: %d", field);
			return 0;
	}
	if (*target)
		pfree(*target);
	*target = str ? MemoryContextStrdup(ErrorContext, str) : NULL;
	return 0;
}

int
geterrcode(void)
{
	return top_edata()->sqlerrcode;
}

int
geterrposition(void)
{
	return top_edata()->cursorpos;
}

int
getinternalerrposition(void)
{
	return top_edata()->internalpos;
}

/* ---- pre_format_elog_string / format_elog_string ---- */

static int	fmt_saved_errno;

void
pre_format_elog_string(int errnumber, const char *domain)
{
	fmt_saved_errno = errnumber;
}

/*
 * Format a string with elog's rules (%m uses the errno given to
 * pre_format_elog_string), in ErrorContext.
 */
char *
format_elog_string(const char *fmt,...)
{
	ErrorData	fake;
	char	   *result = NULL;
	va_list		args;

	if (ErrorContext == NULL)
		MemoryContextInit();
	memset(&fake, 0, sizeof(fake));
	fake.saved_errno = fmt_saved_errno;
	va_start(args, fmt);
	set_field(&fake, &result, false, fmt, args);
	va_end(args);
	return result;
}

/* ---- handling errors ---- */

void
EmitErrorReport(void)
{
	ErrorData  *edata;
	MemoryContext oldcontext;

	recursion_depth++;
	CHECK_STACK_DEPTH();
	edata = &errordata[errordata_stack_depth];
	oldcontext = MemoryContextSwitchTo(ErrorContext);

	if (edata->output_to_server && emit_log_hook)
	{
		BgwGuardFrame guard;

		bgw_guard_enter(&guard, (void *) emit_log_hook, "emit_log_hook");
		emit_log_hook(edata);
		bgw_guard_leave(&guard);
	}
	if (edata->output_to_server)
		send_message_to_server_log(edata);
	if (edata->output_to_client && bgw_client_message_hook != NULL)
		bgw_client_message_hook(edata);

	MemoryContextSwitchTo(oldcontext);
	recursion_depth--;
}

static char *
dup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

/*
 * Copy the current error into CurrentMemoryContext, which must not be
 * ErrorContext (FlushErrorState would free the copy).
 */
ErrorData *
CopyErrorData(void)
{
	ErrorData  *edata = top_edata();
	ErrorData  *newedata;

	if (CurrentMemoryContext == ErrorContext)
		elog(ERROR, "CopyErrorData called while the current memory context is ErrorContext");

	newedata = palloc(sizeof(ErrorData));
	memcpy(newedata, edata, sizeof(ErrorData));
	newedata->message = dup_or_null(edata->message);
	newedata->detail = dup_or_null(edata->detail);
	newedata->detail_log = dup_or_null(edata->detail_log);
	newedata->hint = dup_or_null(edata->hint);
	newedata->context = dup_or_null(edata->context);
	newedata->backtrace = dup_or_null(edata->backtrace);
	newedata->schema_name = dup_or_null(edata->schema_name);
	newedata->table_name = dup_or_null(edata->table_name);
	newedata->column_name = dup_or_null(edata->column_name);
	newedata->datatype_name = dup_or_null(edata->datatype_name);
	newedata->constraint_name = dup_or_null(edata->constraint_name);
	newedata->internalquery = dup_or_null(edata->internalquery);
	newedata->assoc_context = CurrentMemoryContext;
	return newedata;
}

static void
FreeErrorDataContents(ErrorData *edata)
{
	char	  **fields[] = {
		&edata->message, &edata->detail, &edata->detail_log, &edata->hint,
		&edata->context, &edata->backtrace, &edata->schema_name,
		&edata->table_name, &edata->column_name, &edata->datatype_name,
		&edata->constraint_name, &edata->internalquery,
	};

	for (size_t i = 0; i < lengthof(fields); i++)
	{
		if (*fields[i])
		{
			pfree(*fields[i]);
			*fields[i] = NULL;
		}
	}
}

void
FreeErrorData(ErrorData *edata)
{
	FreeErrorDataContents(edata);
	pfree(edata);
}

/* Forget the current error (after a handler dealt with it). */
void
FlushErrorState(void)
{
	errordata_stack_depth = -1;
	recursion_depth = 0;
	if (ErrorContext)
		MemoryContextReset(ErrorContext);
}

/* Push a copy of edata (strings into ErrorContext) as a new stack entry. */
static ErrorData *
push_copy(const ErrorData *src)
{
	ErrorData  *newedata;

	if (++errordata_stack_depth >= ERRORDATA_STACK_SIZE)
	{
		errordata_stack_depth = -1;
		ereport(PANIC, (errmsg_internal("ERRORDATA_STACK_SIZE exceeded")));
	}
	newedata = &errordata[errordata_stack_depth];
	recursion_depth++;
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(ErrorContext);

		memcpy(newedata, src, sizeof(ErrorData));
		newedata->message = dup_or_null(src->message);
		newedata->detail = dup_or_null(src->detail);
		newedata->detail_log = dup_or_null(src->detail_log);
		newedata->hint = dup_or_null(src->hint);
		newedata->context = dup_or_null(src->context);
		newedata->backtrace = dup_or_null(src->backtrace);
		newedata->schema_name = dup_or_null(src->schema_name);
		newedata->table_name = dup_or_null(src->table_name);
		newedata->column_name = dup_or_null(src->column_name);
		newedata->datatype_name = dup_or_null(src->datatype_name);
		newedata->constraint_name = dup_or_null(src->constraint_name);
		newedata->internalquery = dup_or_null(src->internalquery);
		newedata->assoc_context = ErrorContext;
		MemoryContextSwitchTo(oldcontext);
	}
	recursion_depth--;
	return newedata;
}

/* Re-raise a saved error (from CopyErrorData) as the current ERROR. */
void
ReThrowError(ErrorData *edata)
{
	if (edata->elevel != ERROR)
		elog(ERROR, "ReThrowError called with elevel %d", edata->elevel);
	if (ErrorContext == NULL)
		MemoryContextInit();
	push_copy(edata);
	PG_RE_THROW();
}

/*
 * Report a saved error at its own level: an ERROR is thrown, lower levels
 * are logged.  The level is subject to errstart's promotions.
 */
void
ThrowErrorData(ErrorData *edata)
{
	ErrorData  *newedata;
	MemoryContext oldcontext;

	if (!errstart(edata->elevel, edata->domain))
		return;
	newedata = &errordata[errordata_stack_depth];
	recursion_depth++;
	oldcontext = MemoryContextSwitchTo(ErrorContext);
	if (edata->sqlerrcode != 0)
		newedata->sqlerrcode = edata->sqlerrcode;
	newedata->message = dup_or_null(edata->message);
	newedata->detail = dup_or_null(edata->detail);
	newedata->detail_log = dup_or_null(edata->detail_log);
	newedata->hint = dup_or_null(edata->hint);
	newedata->context = dup_or_null(edata->context);
	newedata->schema_name = dup_or_null(edata->schema_name);
	newedata->table_name = dup_or_null(edata->table_name);
	newedata->column_name = dup_or_null(edata->column_name);
	newedata->datatype_name = dup_or_null(edata->datatype_name);
	newedata->constraint_name = dup_or_null(edata->constraint_name);
	newedata->internalquery = dup_or_null(edata->internalquery);
	newedata->cursorpos = edata->cursorpos;
	newedata->internalpos = edata->internalpos;
	MemoryContextSwitchTo(oldcontext);
	recursion_depth--;
	errfinish(edata->filename, edata->lineno, edata->funcname);
}

/*
 * Jump to the innermost handler.  Without one: in a background worker,
 * end as the worker's top-level handler does (log at ERROR, proc_exit(1));
 * elsewhere the error becomes FATAL.
 */
void
pg_re_throw(void)
{
	if (PG_exception_stack != NULL &&
		!(PG_exception_stack == protected_jb &&
		  protected_pid != (pid_t) getpid()))
		siglongjmp(*PG_exception_stack, 1);

	if (AmBackgroundWorkerProcess() && errordata_stack_depth >= 0 &&
		errordata[errordata_stack_depth].elevel == ERROR)
		bgw_worker_error_exit();

	if (errordata_stack_depth >= 0)
	{
		ErrorData  *edata = &errordata[errordata_stack_depth];

		edata->elevel = FATAL;
		edata->output_to_server = should_output_to_server(FATAL);
		error_context_stack = NULL;
		errfinish(edata->filename, edata->lineno, edata->funcname);
	}
	abort();
}

/*
 * The top-level handler of a worker: the uncaught ERROR is logged (at
 * ERROR) and the worker exits with code 1.  Worker child only.
 */
void
bgw_worker_error_exit(void)
{
	error_context_stack = NULL;
	PG_exception_stack = NULL;
	HOLD_INTERRUPTS();
	if (errordata_stack_depth >= 0)
		EmitErrorReport();
	proc_exit(1);
}

/*
 * The CONTEXT lines the current callbacks would add, as one palloc'd
 * string in the caller's context (NULL-free; may be empty).
 */
char *
GetErrorContextStack(void)
{
	ErrorData  *edata;
	ErrorContextCallback *econtext;
	char	   *result;

	if (ErrorContext == NULL)
		MemoryContextInit();
	recursion_depth++;
	if (++errordata_stack_depth >= ERRORDATA_STACK_SIZE)
	{
		errordata_stack_depth = -1;
		ereport(PANIC, (errmsg_internal("ERRORDATA_STACK_SIZE exceeded")));
	}
	edata = &errordata[errordata_stack_depth];
	memset(edata, 0, sizeof(ErrorData));
	edata->assoc_context = CurrentMemoryContext;
	{
		MemoryContext oldcontext = CurrentMemoryContext;

		for (econtext = error_context_stack; econtext != NULL;
			 econtext = econtext->previous)
			econtext->callback(econtext->arg);
		MemoryContextSwitchTo(oldcontext);
	}
	result = edata->context ? pstrdup(edata->context) : pstrdup("");
	FreeErrorDataContents(edata);
	errordata_stack_depth--;
	recursion_depth--;
	return result;
}

/* ---- the server log ---- */

const char *
error_severity(int elevel)
{
	switch (elevel)
	{
		case DEBUG1:
		case DEBUG2:
		case DEBUG3:
		case DEBUG4:
		case DEBUG5:
			return "DEBUG";
		case LOG:
		case LOG_SERVER_ONLY:
			return "LOG";
		case INFO:
			return "INFO";
		case NOTICE:
			return "NOTICE";
		case WARNING:
		case WARNING_CLIENT_ONLY:
			return "WARNING";
		case ERROR:
			return "ERROR";
		case FATAL:
			return "FATAL";
		case PANIC:
			return "PANIC";
		default:
			return "???";
	}
}

char *
unpack_sql_state(int sql_state)
{
	static char buf[12];
	int			i;

	for (i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sql_state);
		sql_state >>= 6;
	}
	buf[i] = '\0';
	return buf;
}

/*
 * %b: "postmaster" in the supervisor, the worker's bgw_type in a worker,
 * "background worker" in the other children (fork server, startup).
 */
const char *
get_backend_type_for_log(void)
{
	if (MyBgworkerEntry != NULL && MyBgworkerEntry->bgw_type[0] != '\0')
		return MyBgworkerEntry->bgw_type;
	if (!IsUnderPostmaster || (PostmasterPid != 0 && current_pid() == PostmasterPid))
		return "postmaster";
	return "background worker";
}

static void
ensure_start_time(void)
{
	if (MyStartTime == 0)
	{
		struct timeval tv;

		gettimeofday(&tv, NULL);
		MyStartTime = (pg_time_t) tv.tv_sec;
		MyStartTimestamp = ((int64) tv.tv_sec -
							(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400) *
			INT64CONST(1000000) + tv.tv_usec;
	}
}

/* ---- log timestamps ----
 *
 * bgworker_die reports FATAL from inside the SIGTERM handler, so the
 * record's timestamp may be formatted in a handler that interrupted
 * anything, including localtime_r/strftime (ours or the module's), which
 * hold glibc's time zone lock: calling them again from the handler waits
 * for that lock forever.  So the log never formats a time with them.
 * The UTC offset and zone abbreviation are cached ("the log zone") and a
 * time is formatted with plain arithmetic.
 *
 * The cache is refreshed with localtime_r only outside signal handlers:
 * at child start, on reload, and on a log call whose time is not within
 * LOG_ZONE_RECHECK_SECS after the last refresh.  A refresh also looks
 * LOG_ZONE_LOOKAHEAD_SECS ahead and, when the offset or abbreviation
 * changes in that window (a DST transition), finds the exact second by
 * bisection, so that a handler that runs up to a day after the last
 * refresh still gets the right zone.  Beyond that (an idle worker whose
 * last log line is more than a day old) a handler uses the last known
 * zone, which is wrong only across a transition.
 *
 * A refresh fills the entry that is not published and then publishes it
 * by index with a signal fence, so a handler that interrupts a refresh
 * sees the previous complete entry.  Only the handler path (see
 * bgw_elog_signal_context) is restricted to the cache; it also never
 * stores anything the interrupted code may be reading.
 */
#define LOG_ZONE_RECHECK_SECS	60
#define LOG_ZONE_LOOKAHEAD_SECS	86400
#define LOG_ZONE_ABBREV_LEN		16

typedef struct LogZone
{
	pg_time_t	base;			/* refreshed at this time */
	pg_time_t	switch_at;		/* first second of zone [1], or PG_INT64_MAX */
	long		gmtoff[2];		/* seconds east of UTC, before / from switch_at */
	char		abbrev[2][LOG_ZONE_ABBREV_LEN];
} LogZone;

static LogZone log_zones[2];
static volatile sig_atomic_t log_zone_cur = -1;	/* published entry, or -1 */

/* A formatted timestamp: "YYYY-MM-DD HH:MM:SS.mmm " plus the abbreviation. */
#define FORMATTED_TS_LEN	(32 + LOG_ZONE_ABBREV_LEN)

static void
log_zone_of(const struct tm *tm, long *gmtoff, char *abbrev)
{
	*gmtoff = tm->tm_gmtoff;
	strlcpy(abbrev, tm->tm_zone ? tm->tm_zone : "", LOG_ZONE_ABBREV_LEN);
}

/* Same offset and abbreviation as zone [0] of z?  Not in a handler. */
static bool
log_zone_same_at(const LogZone *z, pg_time_t t)
{
	time_t		tt = (time_t) t;
	struct tm	tm;
	long		off;
	char		abbrev[LOG_ZONE_ABBREV_LEN];

	if (localtime_r(&tt, &tm) == NULL)
		return true;
	log_zone_of(&tm, &off, abbrev);
	return off == z->gmtoff[0] && strcmp(abbrev, z->abbrev[0]) == 0;
}

/* Recompute the log zone for time now and publish it.  Not in a handler. */
static void
log_zone_refresh(pg_time_t now)
{
	int			cur = log_zone_cur;
	LogZone    *z = &log_zones[cur == 0 ? 1 : 0];
	time_t		tt = (time_t) now;
	struct tm	tm;

	if (localtime_r(&tt, &tm) == NULL)
		return;
	z->base = now;
	log_zone_of(&tm, &z->gmtoff[0], z->abbrev[0]);
	z->switch_at = PG_INT64_MAX;

	tt = (time_t) (now + LOG_ZONE_LOOKAHEAD_SECS);
	if (localtime_r(&tt, &tm) == NULL)
	{
		/* no zone known ahead: keep now's, no transition */
		tm.tm_gmtoff = z->gmtoff[0];
		tm.tm_zone = z->abbrev[0];
	}
	log_zone_of(&tm, &z->gmtoff[1], z->abbrev[1]);
	if (z->gmtoff[1] != z->gmtoff[0] || strcmp(z->abbrev[1], z->abbrev[0]) != 0)
	{
		/* a transition ahead: bisect for its first second */
		pg_time_t	lo = now,
					hi = now + LOG_ZONE_LOOKAHEAD_SECS;

		while (hi - lo > 1)
		{
			pg_time_t	mid = lo + (hi - lo) / 2;

			if (log_zone_same_at(z, mid))
				lo = mid;
			else
				hi = mid;
		}
		z->switch_at = hi;
	}

	/* the entry is complete before a handler can see it */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	log_zone_cur = (z == &log_zones[0]) ? 0 : 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* Whether the published log zone is fresh at time now. */
static bool
log_zone_fresh(pg_time_t now)
{
	int			cur = log_zone_cur;

	return cur >= 0 && now >= log_zones[cur].base &&
		now - log_zones[cur].base < LOG_ZONE_RECHECK_SECS;
}

/* Re-read the time zone and publish the log zone for now.  Not in a handler. */
static void
log_zone_reload(void)
{
	struct timeval tv;

	tzset();
	gettimeofday(&tv, NULL);
	log_zone_refresh((pg_time_t) tv.tv_sec);
}

/*
 * The UTC offset and abbreviation for time t.  Outside a handler the
 * cache is refreshed first if it is older than LOG_ZONE_RECHECK_SECS (or
 * the clock went back); in a handler it is only read.
 */
static void
log_zone_lookup(pg_time_t t, long *gmtoff, const char **abbrev)
{
	int			cur;
	const LogZone *z;
	int			i;

	if (!elog_in_signal_handler && !log_zone_fresh(t))
		log_zone_refresh(t);
	cur = log_zone_cur;
	if (cur < 0)
	{
		/* a handler before any refresh (or localtime_r failed) */
		*gmtoff = 0;
		*abbrev = "UTC";
		return;
	}
	z = &log_zones[cur];
	i = (t >= z->switch_at) ? 1 : 0;
	*gmtoff = z->gmtoff[i];
	*abbrev = z->abbrev[i];
}

static char *
put_digits(char *p, long value, int width)
{
	char		tmp[24];
	int			n = 0;
	bool		neg = value < 0;
	unsigned long v = neg ? 0UL - (unsigned long) value : (unsigned long) value;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width)
		tmp[n++] = '0';
	if (neg)
		*p++ = '-';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.mmm] ABBREV" of local seconds since the epoch:
 * the proleptic Gregorian calendar by arithmetic only (days to civil date
 * with 400-year eras), so async-signal-safe.  Output as strftime's
 * "%Y-%m-%d %H:%M:%S" and "%Z" would give for the same zone.
 */
static void
format_local_time(char *buf, size_t len, pg_time_t local, int ms,
				  bool with_ms, const char *abbrev)
{
	char		out[FORMATTED_TS_LEN + 16];
	char	   *p = out;
	int64		days = local / 86400;
	int64		sod = local % 86400;
	int64		era,
				doe,
				yoe,
				doy,
				mp,
				year;
	int			month,
				mday;

	if (sod < 0)
	{
		sod += 86400;
		days--;
	}
	/* days since 0000-03-01 */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	mday = (int) (doy - (153 * mp + 2) / 5 + 1);
	month = (int) (mp < 10 ? mp + 3 : mp - 9);
	year = yoe + era * 400 + (month <= 2 ? 1 : 0);

	p = put_digits(p, (long) year, 4);
	*p++ = '-';
	p = put_digits(p, month, 2);
	*p++ = '-';
	p = put_digits(p, mday, 2);
	*p++ = ' ';
	p = put_digits(p, (long) (sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (long) (sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (long) (sod % 60), 2);
	if (with_ms)
	{
		*p++ = '.';
		p = put_digits(p, ms, 3);
	}
	*p++ = ' ';
	for (const char *a = abbrev; *a != '\0' && p < out + sizeof(out) - 1; a++)
		*p++ = *a;
	*p = '\0';
	strlcpy(buf, out, len);
}

/* Format a Unix time in the log zone; with_ms adds .mmm. */
static void
format_time(char *buf, size_t len, pg_time_t secs, int ms, bool with_ms)
{
	long		gmtoff;
	const char *abbrev;

	log_zone_lookup(secs, &gmtoff, &abbrev);
	format_local_time(buf, len, secs + gmtoff, ms, with_ms, abbrev);
}

char *
get_formatted_log_time(void)
{
	static char buf[FORMATTED_TS_LEN];

	format_time(buf, sizeof(buf), (pg_time_t) record_time.tv_sec,
				(int) (record_time.tv_usec / 1000), true);
	return buf;
}

/*
 * The process start time, formatted once per process outside a handler
 * (with the zone in effect at that time).  formatted_start_of says for
 * which MyStartTime the text is complete; a handler reads nothing else.
 */
BGW_CHILD_HOT static char formatted_start_time[FORMATTED_TS_LEN];
BGW_CHILD_HOT static volatile pg_time_t formatted_start_of = 0;

char *
get_formatted_start_time(void)
{
	static char handler_buf[FORMATTED_TS_LEN];
	time_t		tt;
	struct tm	tm;
	long		gmtoff = 0;
	char		abbrev[LOG_ZONE_ABBREV_LEN] = "UTC";
	char		text[FORMATTED_TS_LEN];

	ensure_start_time();
	if (formatted_start_of == MyStartTime)
		return formatted_start_time;
	if (elog_in_signal_handler)
	{
		/* not formatted yet: the log zone is the best we can do */
		format_time(handler_buf, sizeof(handler_buf), MyStartTime, 0, false);
		return handler_buf;
	}

	tt = (time_t) MyStartTime;
	if (localtime_r(&tt, &tm) != NULL)
		log_zone_of(&tm, &gmtoff, abbrev);
	format_local_time(text, sizeof(text), MyStartTime + gmtoff, 0, false, abbrev);
	formatted_start_of = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(formatted_start_time, text, sizeof(text));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	formatted_start_of = MyStartTime;
	return formatted_start_time;
}

void
reset_formatted_start_time(void)
{
	formatted_start_of = 0;
}

/* See bgw_internal.h. */
void
bgw_elog_signal_context(bool in_handler)
{
	elog_in_signal_handler = in_handler;
}

/* See bgw_internal.h.  Not in a handler. */
void
bgw_elog_reset_log_zone(void)
{
	if (elog_in_signal_handler)
		return;
	log_zone_reload();
	reset_formatted_start_time();
	(void) get_formatted_start_time();
}

/*
 * The fork server before it starts workers, and a new child: reload the
 * log zone only if it is not fresh, so that children inherit a fresh one
 * and need neither tzset() (a stat of /etc/localtime) nor the zone
 * computation each.  Never in a handler.
 */
void
bgw_elog_fresh_log_zone(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	if (!log_zone_fresh((pg_time_t) tv.tv_sec))
		log_zone_reload();
}

/* See bgw_internal.h (for tests). */
void
bgw_elog_format_time(char *buf, size_t len, pg_time_t secs, int ms,
					 bool with_ms)
{
	format_time(buf, len, secs, ms, with_ms);
}

/*
 * Whether a record carries a STATEMENT line, as PostgreSQL decides: the
 * process said what statement it runs (debug_query_string, which a
 * worker sets around its SPI statements as worker_spi does), the level
 * reaches log_min_error_statement, and the report did not hide it.
 */
bool
check_log_of_query(ErrorData *edata)
{
	return debug_query_string != NULL && !edata->hide_stmt &&
		edata->output_to_server &&
		is_log_level_output(edata->elevel, log_min_error_statement);
}

/* Parse the padding of an escape ("%-10p"); returns NULL at end of string. */
static const char *
parse_padding(const char *p, int *padding)
{
	int			sign = 1;
	int			value = 0;

	*padding = 0;
	if (*p == '-')
	{
		sign = -1;
		p++;
	}
	if (*p == '\0')
		return NULL;
	while (*p >= '0' && *p <= '9')
	{
		if (value < 10000)
			value = value * 10 + (*p - '0');
		p++;
	}
	if (*p == '\0')
		return NULL;
	*padding = sign * value;
	return p;
}

static void
append_padded(StringInfo buf, int padding, const char *value)
{
	if (padding != 0)
		appendStringInfo(buf, "%*s", padding, value);
	else
		appendStringInfoString(buf, value);
}

/* Expand log_line_prefix for one line of the record. */
static void
log_line_prefix(StringInfo buf, ErrorData *edata)
{
	const char *format = Log_line_prefix;
	char		tmp[128];

	if (log_my_pid != current_pid())
	{
		log_line_number = 0;
		json_line_number = 0;
		log_my_pid = current_pid();
	}
	log_line_number++;

	if (format == NULL)
		return;

	for (const char *p = format; *p != '\0'; p++)
	{
		int			padding;

		if (*p != '%')
		{
			appendStringInfoChar(buf, *p);
			continue;
		}
		p = parse_padding(p + 1, &padding);
		if (p == NULL)
			break;

		switch (*p)
		{
			case 'b':
				append_padded(buf, padding, get_backend_type_for_log());
				break;
			case 'p':
				snprintf(tmp, sizeof(tmp), "%d", current_pid());
				append_padded(buf, padding, tmp);
				break;
			case 'l':
				snprintf(tmp, sizeof(tmp), "%ld", log_line_number);
				append_padded(buf, padding, tmp);
				break;
			case 'm':
				append_padded(buf, padding, get_formatted_log_time());
				break;
			case 't':
				format_time(tmp, sizeof(tmp), record_time.tv_sec, 0, false);
				append_padded(buf, padding, tmp);
				break;
			case 'n':
				snprintf(tmp, sizeof(tmp), "%ld.%03d",
						 (long) record_time.tv_sec,
						 (int) (record_time.tv_usec / 1000));
				append_padded(buf, padding, tmp);
				break;
			case 's':
				append_padded(buf, padding, get_formatted_start_time());
				break;
			case 'c':
				ensure_start_time();
				snprintf(tmp, sizeof(tmp), "%lx.%x", (long) MyStartTime,
						 (unsigned) current_pid());
				append_padded(buf, padding, tmp);
				break;
			case 'e':
				append_padded(buf, padding, unpack_sql_state(edata->sqlerrcode));
				break;
			case 'x':
				append_padded(buf, padding, "0");
				break;
			case 'Q':
				append_padded(buf, padding, "0");
				break;
			case 'q':
				/* the rest is for session processes; we have none */
				if (MyProcPort == NULL)
					return;
				break;
			case '%':
				appendStringInfoChar(buf, '%');
				break;
			case 'a':
			case 'u':
			case 'd':
			case 'r':
			case 'h':
			case 'i':
			case 'v':
			case 'P':
				/* no session, transaction or parallel leader: empty */
				if (padding != 0)
					appendStringInfoSpaces(buf, padding > 0 ? padding : -padding);
				break;
			default:
				/* an unknown escape is ignored, as PostgreSQL does */
				break;
		}
	}
}

/* Append str, putting a tab after every newline (continuation lines). */
static void
append_with_tabs(StringInfo buf, const char *str)
{
	for (; *str; str++)
	{
		appendStringInfoChar(buf, *str);
		if (*str == '\n')
			appendStringInfoChar(buf, '\t');
	}
}

/* write(2) the whole buffer, retrying on EINTR and partial writes. */
static void
write_all(int fd, const char *data, size_t len)
{
	int			save_errno = errno;

	while (len > 0)
	{
		ssize_t		n = write(fd, data, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				log_lost++;		/* the supervisor's pipe is full */
			break;
		}
		data += n;
		len -= (size_t) n;
	}
	errno = save_errno;
}

/* The fd this process writes its records to. */
static int
log_fd(void)
{
	if (own_log_fd >= 0 && own_log_pid == current_pid())
		return own_log_fd;
	return STDERR_FILENO;
}

/*
 * Send one formatted record to a file destination (LOG_DESTINATION_STDERR,
 * _CSVLOG or _JSONLOG): to the collector in chunks when it runs, as it is
 * to fd 2 otherwise (csvlog and jsonlog too, as PostgreSQL does without
 * its collector).
 */
static void
emit_record(int dest, const char *data, size_t len)
{
	char		chunk[BGW_LOG_CHUNK_MAX];
	int			fd = log_fd();
	uint32		pid = (uint32) current_pid();

	if (!log_to_collector)
	{
		write_all(fd, data, len);
		return;
	}
	do
	{
		size_t		n = Min(len, (size_t) (BGW_LOG_CHUNK_MAX - BGW_LOG_CHUNK_HDR));

		chunk[0] = 0;
		chunk[1] = 0;
		chunk[2] = (char) (n & 0xff);
		chunk[3] = (char) (n >> 8);
		chunk[4] = (char) (pid & 0xff);
		chunk[5] = (char) ((pid >> 8) & 0xff);
		chunk[6] = (char) ((pid >> 16) & 0xff);
		chunk[7] = (char) (pid >> 24);
		chunk[8] = (char) (dest | (n == len ? BGW_LOG_CHUNK_LAST : 0));
		memcpy(chunk + BGW_LOG_CHUNK_HDR, data, n);
		write_all(fd, chunk, BGW_LOG_CHUNK_HDR + n);
		data += n;
		len -= n;
	} while (len > 0);
}

/* ---- syslog ----
 *
 * Our own sender rather than syslog(3): a worker's SIGTERM handler reports
 * FATAL from inside itself, and syslog(3) takes a lock and formats the
 * time with localtime.  One datagram per line to /dev/log, "<PRI>ident[pid]:
 * text"; the receiver stamps the time.  Lines longer than PostgreSQL's
 * 900-byte limit are split, and with syslog_sequence_numbers each piece
 * starts with "[N]" or, when the record has several, "[N-M]".
 */
#define BGW_SYSLOG_LIMIT 900

static int	syslog_fd = -1;
static pid_t syslog_fd_pid = 0;
static unsigned long syslog_seq = 0;

static int
syslog_level(int elevel)
{
	if (elevel <= DEBUG1)
		return LOG_DEBUG;
	if (elevel == LOG || elevel == LOG_SERVER_ONLY || elevel == INFO)
		return LOG_INFO;
	if (elevel == NOTICE || elevel == WARNING || elevel == WARNING_CLIENT_ONLY)
		return LOG_NOTICE;
	if (elevel == ERROR)
		return LOG_WARNING;
	if (elevel == FATAL)
		return LOG_ERR;
	return LOG_CRIT;
}

static void
syslog_send(int pri, int piece, int pieces, const char *text, size_t len)
{
	char		msg[BGW_SYSLOG_LIMIT + 256];
	int			n;

	if (syslog_sequence_numbers && pieces > 1)
		n = snprintf(msg, sizeof(msg), "<%d>%s[%d]: [%lu-%d] ", pri,
					 syslog_ident ? syslog_ident : "", (int) current_pid(),
					 syslog_seq, piece);
	else if (syslog_sequence_numbers)
		n = snprintf(msg, sizeof(msg), "<%d>%s[%d]: [%lu] ", pri,
					 syslog_ident ? syslog_ident : "", (int) current_pid(),
					 syslog_seq);
	else
		n = snprintf(msg, sizeof(msg), "<%d>%s[%d]: ", pri,
					 syslog_ident ? syslog_ident : "", (int) current_pid());
	if (n < 0 || (size_t) n >= sizeof(msg))
		return;
	len = Min(len, sizeof(msg) - (size_t) n);
	memcpy(msg + n, text, len);
	/*
	 * A child waits for a syslog daemon that falls behind, as syslog(3)
	 * would; the supervisor never does (its event loop must not stop), so
	 * a line it cannot send at once is lost.
	 */
	(void) send(syslog_fd, msg, (size_t) n + len,
				(IsUnderPostmaster ? 0 : MSG_DONTWAIT) | MSG_NOSIGNAL);
}

static void
write_syslog(int elevel, const char *text)
{
	struct sockaddr_un addr;
	int			pri;
	int			pieces = 0;
	int			piece = 0;

	if (syslog_fd >= 0 && syslog_fd_pid != current_pid())
	{
		/* inherited: datagrams may share it, but keep one per process */
		close(syslog_fd);
		syslog_fd = -1;
	}
	if (syslog_fd < 0)
	{
		syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (syslog_fd < 0)
			return;
		memset(&addr, 0, sizeof(addr));
		addr.sun_family = AF_UNIX;
		strlcpy(addr.sun_path, "/dev/log", sizeof(addr.sun_path));
		if (connect(syslog_fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
		{
			close(syslog_fd);
			syslog_fd = -1;
			return;
		}
		syslog_fd_pid = current_pid();
	}
	pri = syslog_facility | syslog_level(elevel);
	syslog_seq++;

	/* count the pieces first, for the "[N-M]" numbering */
	for (int pass = 0; pass < 2; pass++)
	{
		const char *p = text;

		while (*p != '\0')
		{
			size_t		linelen = strcspn(p, "\n");
			const char *line = p;

			p += linelen;
			if (*p == '\n')
				p++;
			if (!syslog_split_messages)
			{
				linelen = strlen(line);
				p = line + linelen;
				while (linelen > 0 && line[linelen - 1] == '\n')
					linelen--;
			}
			if (linelen == 0 && syslog_split_messages)
				continue;
			do
			{
				size_t		n = syslog_split_messages ? Min(linelen, (size_t) BGW_SYSLOG_LIMIT) : linelen;

				/* do not split a multibyte UTF-8 character */
				while (n < linelen && n > 0 && (((unsigned char) line[n]) & 0xC0) == 0x80)
					n--;
				if (n == 0)
					n = Min(linelen, (size_t) BGW_SYSLOG_LIMIT);
				if (pass == 0)
					pieces++;
				else
					syslog_send(pri, ++piece, pieces, line, n);
				line += n;
				linelen -= n;
			} while (linelen > 0);
		}
	}
}

/*
 * Supervisor only: turn the collector protocol on (own_fd >= 0, the write
 * end of the supervisor's own pipe, non-blocking) for this process and
 * every process forked from now on, or off (-1).
 */
void
bgw_elog_set_collector(int own_fd)
{
	log_to_collector = own_fd >= 0;
	own_log_fd = own_fd;
	own_log_pid = own_fd >= 0 ? current_pid() : 0;
}

/* Records the supervisor dropped because the collector's pipe was full. */
unsigned long
bgw_elog_lost(void)
{
	return log_lost;
}

static void
append_json_string(StringInfo buf, const char *s)
{
	appendStringInfoChar(buf, '"');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			default:
				if (*p < 0x20)
					appendStringInfo(buf, "\\u%04x", (unsigned) *p);
				else
					appendStringInfoChar(buf, (char) *p);
				break;
		}
	}
	appendStringInfoChar(buf, '"');
}

static void
json_key_str(StringInfo buf, const char *key, const char *value, bool first)
{
	if (value == NULL)
		return;
	if (!first)
		appendStringInfoChar(buf, ',');
	append_json_string(buf, key);
	appendStringInfoChar(buf, ':');
	append_json_string(buf, value);
}

static void
json_key_num(StringInfo buf, const char *key, long value)
{
	appendStringInfoChar(buf, ',');
	append_json_string(buf, key);
	appendStringInfo(buf, ":%ld", value);
}

/* One JSON object per record, PostgreSQL jsonlog's keys and order. */
static void
write_jsonlog(ErrorData *edata)
{
	StringInfoData buf;
	char		session[64];

	if (log_my_pid != current_pid())
	{
		log_line_number = 0;
		json_line_number = 0;
		log_my_pid = current_pid();
	}
	json_line_number++;
	ensure_start_time();

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	json_key_str(&buf, "timestamp", get_formatted_log_time(), true);
	json_key_num(&buf, "pid", current_pid());
	snprintf(session, sizeof(session), "%lx.%x", (long) MyStartTime,
			 (unsigned) current_pid());
	json_key_str(&buf, "session_id", session, false);
	json_key_num(&buf, "line_num", json_line_number);
	json_key_str(&buf, "session_start", get_formatted_start_time(), false);
	json_key_num(&buf, "txid", 0);	/* no transaction ever */
	json_key_str(&buf, "error_severity", error_severity(edata->elevel), false);
	if (edata->sqlerrcode != 0)	/* left out for successful completion */
		json_key_str(&buf, "state_code", unpack_sql_state(edata->sqlerrcode), false);
	json_key_str(&buf, "message", edata->message ? edata->message : "missing error text", false);
	json_key_str(&buf, "detail", edata->detail_log ? edata->detail_log : edata->detail, false);
	json_key_str(&buf, "hint", edata->hint, false);
	json_key_str(&buf, "internal_query", edata->internalquery, false);
	if (edata->internalpos > 0)
		json_key_num(&buf, "internal_position", edata->internalpos);
	if (!edata->hide_ctx)
		json_key_str(&buf, "context", edata->context, false);
	if (check_log_of_query(edata))
		json_key_str(&buf, "statement", debug_query_string, false);
	if (edata->cursorpos > 0)
		json_key_num(&buf, "cursor_position", edata->cursorpos);
	if (Log_error_verbosity >= PGERROR_VERBOSE)
	{
		json_key_str(&buf, "func_name", edata->funcname, false);
		if (edata->filename)
		{
			json_key_str(&buf, "file_name", edata->filename, false);
			json_key_num(&buf, "file_line_num", edata->lineno);
		}
	}
	json_key_str(&buf, "backend_type", get_backend_type_for_log(), false);
	json_key_num(&buf, "query_id", 0);
	appendStringInfoString(&buf, "}\n");
	emit_record(LOG_DESTINATION_JSONLOG, buf.data, buf.len);
	pfree(buf.data);
}

/* A CSV field: empty for NULL, else quoted with doubled quotes. */
static void
append_csv_field(StringInfo buf, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	appendStringInfoChar(buf, '"');
	for (const char *p = value; *p; p++)
	{
		if (*p == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * One CSV line per record, in PostgreSQL's csvlog columns and order:
 * log_time, user_name, database_name, process_id, connection_from,
 * session_id, session_line_num, command_tag, session_start_time,
 * virtual_transaction_id, transaction_id, error_severity, sql_state_code,
 * message, detail, hint, internal_query, internal_query_pos, context,
 * query, query_pos, location, application_name, backend_type, leader_pid,
 * query_id.  A worker has no user, database, client, command, query or
 * transaction: those columns are empty (transaction_id and query_id 0).
 */
static void
write_csvlog(ErrorData *edata)
{
	StringInfoData buf;
	char		tmp[64];

	if (log_my_pid != current_pid())
	{
		log_line_number = 0;
		json_line_number = 0;
		csv_line_number = 0;
		log_my_pid = current_pid();
	}
	csv_line_number++;
	ensure_start_time();

	initStringInfo(&buf);
	appendStringInfoString(&buf, get_formatted_log_time());
	appendStringInfoString(&buf, ",,,");	/* user_name, database_name */
	appendStringInfo(&buf, "%d,,", (int) current_pid());	/* connection_from */
	appendStringInfo(&buf, "%lx.%x,", (long) MyStartTime, (unsigned) current_pid());
	appendStringInfo(&buf, "%ld,,", csv_line_number);	/* command_tag */
	appendStringInfoString(&buf, get_formatted_start_time());
	appendStringInfoString(&buf, ",,0,");	/* vxid, txid */
	appendStringInfoString(&buf, error_severity(edata->elevel));
	appendStringInfoChar(&buf, ',');
	appendStringInfoString(&buf, unpack_sql_state(edata->sqlerrcode));
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, edata->message ? edata->message : "missing error text");
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, edata->detail_log ? edata->detail_log : edata->detail);
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, edata->hint);
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, edata->internalquery);
	appendStringInfoChar(&buf, ',');
	if (edata->internalpos > 0)
		appendStringInfo(&buf, "%d", edata->internalpos);
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, edata->hide_ctx ? NULL : edata->context);
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, check_log_of_query(edata) ? debug_query_string : NULL);
	appendStringInfoChar(&buf, ',');
	if (edata->cursorpos > 0)
		appendStringInfo(&buf, "%d", edata->cursorpos);
	appendStringInfoChar(&buf, ',');
	if (Log_error_verbosity >= PGERROR_VERBOSE && edata->filename)
	{
		if (edata->funcname)
			snprintf(tmp, sizeof(tmp), "%s, %s:%d", edata->funcname, edata->filename, edata->lineno);
		else
			snprintf(tmp, sizeof(tmp), "%s:%d", edata->filename, edata->lineno);
		append_csv_field(&buf, tmp);
	}
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, application_name);
	appendStringInfoChar(&buf, ',');
	append_csv_field(&buf, get_backend_type_for_log());
	appendStringInfoString(&buf, ",,0\n");	/* leader_pid, query_id */
	emit_record(LOG_DESTINATION_CSVLOG, buf.data, buf.len);
	pfree(buf.data);
}

/*
 * The text form of a record (log_line_prefix, "LEVEL:  message" and the
 * DETAIL/HINT/QUERY/CONTEXT/LOCATION lines), for the stderr log and syslog.
 */
static void
format_text_record(StringInfo buf, ErrorData *edata)
{
	log_line_prefix(buf, edata);
	appendStringInfo(buf, "%s:  ", error_severity(edata->elevel));
	if (Log_error_verbosity >= PGERROR_VERBOSE)
		appendStringInfo(buf, "%s: ", unpack_sql_state(edata->sqlerrcode));
	append_with_tabs(buf, edata->message ? edata->message : "missing error text");
	appendStringInfoChar(buf, '\n');

	if (Log_error_verbosity >= PGERROR_DEFAULT)
	{
		const char *detail = edata->detail_log ? edata->detail_log : edata->detail;

		if (detail)
		{
			log_line_prefix(buf, edata);
			appendStringInfoString(buf, "DETAIL:  ");
			append_with_tabs(buf, detail);
			appendStringInfoChar(buf, '\n');
		}
		if (edata->hint)
		{
			log_line_prefix(buf, edata);
			appendStringInfoString(buf, "HINT:  ");
			append_with_tabs(buf, edata->hint);
			appendStringInfoChar(buf, '\n');
		}
		if (edata->internalquery)
		{
			log_line_prefix(buf, edata);
			appendStringInfoString(buf, "QUERY:  ");
			append_with_tabs(buf, edata->internalquery);
			appendStringInfoChar(buf, '\n');
		}
		if (edata->context && !edata->hide_ctx)
		{
			log_line_prefix(buf, edata);
			appendStringInfoString(buf, "CONTEXT:  ");
			append_with_tabs(buf, edata->context);
			appendStringInfoChar(buf, '\n');
		}
		if (Log_error_verbosity >= PGERROR_VERBOSE && edata->filename)
		{
			log_line_prefix(buf, edata);
			if (edata->funcname)
				appendStringInfo(buf, "LOCATION:  %s, %s:%d\n",
								 edata->funcname, edata->filename, edata->lineno);
			else
				appendStringInfo(buf, "LOCATION:  %s:%d\n",
								 edata->filename, edata->lineno);
		}
	}
	if (check_log_of_query(edata))
	{
		log_line_prefix(buf, edata);
		appendStringInfoString(buf, "STATEMENT:  ");
		append_with_tabs(buf, debug_query_string);
		appendStringInfoChar(buf, '\n');
	}
}

/*
 * Write one record to every configured destination: stderr, csvlog and
 * jsonlog through emit_record, syslog through our sender.  An empty
 * log_destination falls back to stderr so that nothing is lost.  Runs
 * with CurrentMemoryContext = ErrorContext.
 */
static void
send_message_to_server_log(ErrorData *edata)
{
	int			dest = Log_destination;

	gettimeofday(&record_time, NULL);

	/*
	 * The supervisor dropped records while the collector could not keep
	 * up: say so first, now that the pipe may have room again.
	 */
	if (log_lost != log_lost_reported && log_fd() != STDERR_FILENO)
	{
		ErrorData	note;
		StringInfoData buf;
		unsigned long lost = log_lost - log_lost_reported;

		log_lost_reported = log_lost;
		memset(&note, 0, sizeof(note));
		note.elevel = LOG;
		initStringInfo(&buf);
		appendStringInfo(&buf, "%lu log records of the supervisor were dropped because the logging collector could not keep up", lost);
		note.message = pstrdup(buf.data);
		resetStringInfo(&buf);
		format_text_record(&buf, &note);
		emit_record(LOG_DESTINATION_STDERR, buf.data, buf.len);
		pfree(buf.data);
		pfree(note.message);
	}

	if ((dest & (LOG_DESTINATION_STDERR | LOG_DESTINATION_CSVLOG |
				 LOG_DESTINATION_JSONLOG | LOG_DESTINATION_SYSLOG)) == 0)
		dest |= LOG_DESTINATION_STDERR;
	if (dest & (LOG_DESTINATION_STDERR | LOG_DESTINATION_SYSLOG))
	{
		StringInfoData buf;

		initStringInfo(&buf);
		format_text_record(&buf, edata);
		if (dest & LOG_DESTINATION_SYSLOG)
			write_syslog(edata->elevel, buf.data);
		if (dest & LOG_DESTINATION_STDERR)
			emit_record(LOG_DESTINATION_STDERR, buf.data, buf.len);
		pfree(buf.data);
	}
	if (dest & LOG_DESTINATION_CSVLOG)
		write_csvlog(edata);
	if (dest & LOG_DESTINATION_JSONLOG)
		write_jsonlog(edata);
}

/* Write a formatted message to stderr with one write(2); any process. */
void
vwrite_stderr(const char *fmt, va_list ap)
{
	char		small[1024];
	va_list		copy;
	int			n;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t) n < sizeof(small))
		write_all(log_fd(), small, (size_t) n);
	else
	{
		char	   *big = malloc((size_t) n + 1);

		if (big == NULL)
		{
			write_all(log_fd(), small, sizeof(small) - 1);
			return;
		}
		vsnprintf(big, (size_t) n + 1, fmt, ap);
		write_all(log_fd(), big, (size_t) n);
		free(big);
	}
}

void
write_stderr(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vwrite_stderr(fmt, ap);
	va_end(ap);
}

void
DebugFileOpen(void)
{
}

/* ---- supervisor entry points ---- */

static void
fill_caught(BgwCaughtError *err)
{
	ErrorData  *edata;

	memset(err, 0, sizeof(*err));
	if (errordata_stack_depth < 0)
	{
		err->elevel = ERROR;
		strlcpy(err->message, "unknown error", sizeof(err->message));
		return;
	}
	edata = &errordata[errordata_stack_depth];
	err->elevel = edata->elevel;
	strlcpy(err->message, edata->message ? edata->message : "missing error text",
			sizeof(err->message));
	if (edata->detail)
		strlcpy(err->detail, edata->detail, sizeof(err->detail));
	if (edata->hint)
		strlcpy(err->hint, edata->hint, sizeof(err->hint));
}

/*
 * See bgw_internal.h.  The state saved here is restored on both paths,
 * so protected calls nest (a module's _PG_init may load another library
 * whose _PG_init runs through here too).
 */
int
bgw_call_protected(void (*fn) (void), BgwCaughtError *err)
{
	sigjmp_buf	local;
	sigjmp_buf *volatile save_stack = PG_exception_stack;
	sigjmp_buf *volatile save_protected = protected_jb;
	volatile pid_t save_pid = protected_pid;
	ErrorContextCallback *volatile save_context = error_context_stack;
	volatile MemoryContext save_mcxt = CurrentMemoryContext;
	BgwGuardFrame guard;

	memset(err, 0, sizeof(*err));
	bgw_guard_enter(&guard, (void *) fn, "module code");
	if (sigsetjmp(local, 0) == 0)
	{
		PG_exception_stack = &local;
		protected_jb = &local;
		protected_pid = getpid();
		fn();
		bgw_guard_leave(&guard);
		PG_exception_stack = save_stack;
		protected_jb = save_protected;
		protected_pid = save_pid;
		return 0;
	}

	bgw_guard_leave(&guard);
	PG_exception_stack = save_stack;
	protected_jb = save_protected;
	protected_pid = save_pid;
	error_context_stack = save_context;
	CurrentMemoryContext = save_mcxt ? save_mcxt : TopMemoryContext;
	fill_caught(err);
	FlushErrorState();
	return 1;
}

int
bgw_call_protected_ptr(const void *(*fn) (void), const void **result,
					   BgwCaughtError *err)
{
	sigjmp_buf	local;
	sigjmp_buf *volatile save_stack = PG_exception_stack;
	sigjmp_buf *volatile save_protected = protected_jb;
	volatile pid_t save_pid = protected_pid;
	ErrorContextCallback *volatile save_context = error_context_stack;
	volatile MemoryContext save_mcxt = CurrentMemoryContext;
	BgwGuardFrame guard;

	memset(err, 0, sizeof(*err));
	*result = NULL;
	bgw_guard_enter(&guard, (void *) fn, "Pg_magic_func");
	if (sigsetjmp(local, 0) == 0)
	{
		PG_exception_stack = &local;
		protected_jb = &local;
		protected_pid = getpid();
		*result = fn();
		bgw_guard_leave(&guard);
		PG_exception_stack = save_stack;
		protected_jb = save_protected;
		protected_pid = save_pid;
		return 0;
	}

	bgw_guard_leave(&guard);
	PG_exception_stack = save_stack;
	protected_jb = save_protected;
	protected_pid = save_pid;
	error_context_stack = save_context;
	CurrentMemoryContext = save_mcxt ? save_mcxt : TopMemoryContext;
	fill_caught(err);
	FlushErrorState();
	return 1;
}

/*
 * See bgw_internal.h.  The record is formatted and written like any
 * ereport, but control flow is Go's: FATAL and PANIC only log here.
 */
void
bgw_log(int elevel, const char *message, const char *detail, const char *hint)
{
	ErrorData	edata;
	MemoryContext oldcontext;

	if (!should_output_to_server(elevel))
		return;
	if (ErrorContext == NULL)
		MemoryContextInit();

	memset(&edata, 0, sizeof(edata));
	edata.elevel = elevel;
	edata.output_to_server = true;
	edata.sqlerrcode = elevel >= ERROR ? ERRCODE_INTERNAL_ERROR :
		elevel >= WARNING ? ERRCODE_WARNING : ERRCODE_SUCCESSFUL_COMPLETION;
	edata.message = (char *) message;
	edata.detail = (char *) detail;
	edata.hint = (char *) hint;
	edata.assoc_context = ErrorContext;

	recursion_depth++;
	oldcontext = MemoryContextSwitchTo(ErrorContext);
	if (emit_log_hook)
	{
		BgwGuardFrame guard;

		bgw_guard_enter(&guard, (void *) emit_log_hook, "emit_log_hook");
		emit_log_hook(&edata);
		bgw_guard_leave(&guard);
	}
	if (edata.output_to_server)	/* the hook may keep it out */
		send_message_to_server_log(&edata);
	MemoryContextSwitchTo(oldcontext);
	recursion_depth--;
}

/*
 * In a new child: no error in progress, no handlers or callbacks of the
 * parent, a fresh ErrorContext, and the %l / session id of the new pid.
 * Fork area calls it right after setting MyProcPid and MyStartTime.
 */
void
bgw_elog_child_init(void)
{
	errordata_stack_depth = -1;
	recursion_depth = 0;
	error_context_stack = NULL;
	PG_exception_stack = NULL;
	protected_jb = NULL;
	protected_pid = 0;
	if (MyProcPid != (int) getpid())
		MyProcPid = (int) getpid();
	log_my_pid = MyProcPid;
	log_line_number = 0;
	json_line_number = 0;
	csv_line_number = 0;
	if (ErrorContext == NULL)
		MemoryContextInit();
	else
		MemoryContextReset(ErrorContext);

	/*
	 * The log zone and start time, for a SIGTERM handler's FATAL record.
	 * The zone inherited from the fork server is kept while fresh.
	 */
	elog_in_signal_handler = false;
	bgw_elog_fresh_log_zone();
	reset_formatted_start_time();
	(void) get_formatted_start_time();
}
