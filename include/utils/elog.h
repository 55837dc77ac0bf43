/*-------------------------------------------------------------------------
 *
 * elog.h
 *	  Error reporting and logging for bgworker modules: the ereport/elog
 *	  macros, the errxxx() auxiliary functions, ErrorData, error context
 *	  callbacks and PG_TRY/PG_CATCH/PG_FINALLY/PG_END_TRY.
 *
 *	  Names, levels, signatures and macro behaviour are PostgreSQL 17's so
 *	  that module source compiles unchanged; the implementation is
 *	  bgworker's (cshim/elog/elog.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ELOG_H
#define ELOG_H

#include <setjmp.h>

/* ---- message levels (PostgreSQL 17 values) ---- */
#define DEBUG5		10			/* most detailed debugging output */
#define DEBUG4		11
#define DEBUG3		12
#define DEBUG2		13
#define DEBUG1		14			/* least detailed debugging output */
#define LOG			15			/* server operational messages */
#define LOG_SERVER_ONLY 16		/* same as LOG; never sent to a client */
#define COMMERROR	LOG_SERVER_ONLY
#define INFO		17			/* always sent to the client (there is none) */
#define NOTICE		18
#define WARNING		19
#define PGWARNING	19			/* for code that must avoid windows.h clashes */
#define WARNING_CLIENT_ONLY 20	/* warning never logged in the server log */
#define ERROR		21			/* abort the current operation */
#define PGERROR		21
#define FATAL		22			/* end the process */
#define PANIC		23			/* end the whole system (crash) */

/* SQLSTATE codes */
#include "utils/errcodes.h"

/* PostgreSQL 17's include chain: postgres.h brings StringInfo through here. */
#include "lib/stringinfo.h"

/*
 * Message domain: bgworker does no translation, but the macro argument
 * stays so that code passing TEXTDOMAIN compiles.
 */
#ifndef TEXTDOMAIN
#define TEXTDOMAIN NULL
#endif

/*
 * Keep the caller from using errno inside an ereport argument list on
 * the assumption that it still holds the value from before the call;
 * %m is the supported way.  A no-op here, as in PostgreSQL non-clang
 * builds.
 */
#define pg_prevent_errno_in_scope()

/*----------
 * ereport(level, errcode(...), errmsg(...), ...);
 * ereport(level, (errcode(...), errmsg(...), ...));	(the older syntax)
 *
 * errstart() decides whether the message is wanted at all; the auxiliary
 * calls are evaluated only then, and errfinish() emits it (and, for ERROR
 * and above, does not return).  When the level is a constant ERROR or
 * higher, the compiler learns that ereport does not return.
 *----------
 */
#define ereport_domain(elevel, domain, ...) \
	do { \
		pg_prevent_errno_in_scope(); \
		if (__builtin_constant_p(elevel) && (elevel) >= ERROR ? \
			errstart_cold(elevel, domain) : \
			errstart(elevel, domain)) \
			__VA_ARGS__, errfinish(__FILE__, __LINE__, __func__); \
		if (__builtin_constant_p(elevel) && (elevel) >= ERROR) \
			pg_unreachable(); \
	} while (0)

#define ereport(elevel, ...) \
	ereport_domain(elevel, TEXTDOMAIN, __VA_ARGS__)

extern bool message_level_is_interesting(int elevel);

extern bool errstart(int elevel, const char *domain);
extern pg_attribute_cold bool errstart_cold(int elevel, const char *domain);
extern void errfinish(const char *filename, int lineno, const char *funcname);

extern int	errcode(int sqlerrcode);
extern int	errcode_for_file_access(void);
extern int	errcode_for_socket_access(void);

extern int	errmsg(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errmsg_internal(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errmsg_plural(const char *fmt_singular, const char *fmt_plural,
						  unsigned long n,...) pg_attribute_printf(1, 4) pg_attribute_printf(2, 4);
extern int	errdetail(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errdetail_internal(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errdetail_log(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errdetail_log_plural(const char *fmt_singular, const char *fmt_plural,
								 unsigned long n,...) pg_attribute_printf(1, 4) pg_attribute_printf(2, 4);
extern int	errdetail_plural(const char *fmt_singular, const char *fmt_plural,
							 unsigned long n,...) pg_attribute_printf(1, 4) pg_attribute_printf(2, 4);
extern int	errhint(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errhint_internal(const char *fmt,...) pg_attribute_printf(1, 2);
extern int	errhint_plural(const char *fmt_singular, const char *fmt_plural,
						   unsigned long n,...) pg_attribute_printf(1, 4) pg_attribute_printf(2, 4);

/*
 * errcontext() is a macro so that the message domain of the calling
 * module is captured; it is meant for error context callbacks.
 */
#define errcontext	set_errcontext_domain(TEXTDOMAIN),	errcontext_msg
extern int	set_errcontext_domain(const char *domain);
extern int	errcontext_msg(const char *fmt,...) pg_attribute_printf(1, 2);

extern int	errhidestmt(bool hide_stmt);
extern int	errhidecontext(bool hide_ctx);
extern int	errbacktrace(void);
extern int	errposition(int cursorpos);
extern int	internalerrposition(int cursorpos);
extern int	internalerrquery(const char *query);
extern int	err_generic_string(int field, const char *str);
extern int	geterrcode(void);
extern int	geterrposition(void);
extern int	getinternalerrposition(void);

/*----------
 * elog(level, fmt, ...): the old-style, untranslated report; the same as
 * ereport(level, errmsg_internal(fmt, ...)).
 *----------
 */
#define elog(elevel, ...) \
	ereport(elevel, errmsg_internal(__VA_ARGS__))

/* ---- the same, when the format and arguments are built in pieces ---- */
extern void pre_format_elog_string(int errnumber, const char *domain);
extern char *format_elog_string(const char *fmt,...) pg_attribute_printf(1, 2);

/*----------
 * Error context callbacks: a function that adds a CONTEXT line to every
 * report made while it is on the stack.  Push with
 *		myctx.callback = fn; myctx.arg = arg;
 *		myctx.previous = error_context_stack; error_context_stack = &myctx;
 * and pop by restoring previous.
 *----------
 */
typedef struct ErrorContextCallback
{
	struct ErrorContextCallback *previous;	/* next callback further out */
	void		(*callback) (void *arg);	/* adds CONTEXT via errcontext() */
	void	   *arg;			/* passed to callback */
} ErrorContextCallback;

extern PGDLLIMPORT ErrorContextCallback *error_context_stack;

/*----------
 * Catching errors:
 *
 *		PG_TRY();
 *		{
 *			... code that may raise ERROR ...
 *		}
 *		PG_CATCH();
 *		{
 *			... clean up, then usually PG_RE_THROW() ...
 *		}
 *		PG_END_TRY();
 *
 * PG_FINALLY() in place of PG_CATCH() runs its block whether or not an
 * error was raised, and re-throws the error afterwards if there was one.
 * Local variables changed inside the PG_TRY block and read in the
 * PG_CATCH block must be volatile (sigsetjmp rules).  Nested blocks in the
 * same function take a distinguishing suffix: PG_TRY(2) ... PG_END_TRY(2).
 *----------
 */
#define PG_TRY(...) \
	do { \
		sigjmp_buf *_pgtry_outer_jb##__VA_ARGS__ = PG_exception_stack; \
		ErrorContextCallback *_pgtry_outer_ctx##__VA_ARGS__ = error_context_stack; \
		sigjmp_buf	_pgtry_jb##__VA_ARGS__; \
		bool		_pgtry_rethrow##__VA_ARGS__ = false; \
		if (sigsetjmp(_pgtry_jb##__VA_ARGS__, 0) == 0) \
		{ \
			PG_exception_stack = &_pgtry_jb##__VA_ARGS__

#define PG_CATCH(...) \
		} \
		else \
		{ \
			PG_exception_stack = _pgtry_outer_jb##__VA_ARGS__; \
			error_context_stack = _pgtry_outer_ctx##__VA_ARGS__

#define PG_FINALLY(...) \
		} \
		else \
			_pgtry_rethrow##__VA_ARGS__ = true; \
		{ \
			PG_exception_stack = _pgtry_outer_jb##__VA_ARGS__; \
			error_context_stack = _pgtry_outer_ctx##__VA_ARGS__

#define PG_END_TRY(...) \
		} \
		if (_pgtry_rethrow##__VA_ARGS__) \
			PG_RE_THROW(); \
		PG_exception_stack = _pgtry_outer_jb##__VA_ARGS__; \
		error_context_stack = _pgtry_outer_ctx##__VA_ARGS__; \
	} while (0)

/* Pass the current error on to the next handler out. */
#define PG_RE_THROW()  \
	pg_re_throw()

extern PGDLLIMPORT sigjmp_buf *PG_exception_stack;

/* ---- ErrorData: everything known about one report ---- */
typedef struct ErrorData
{
	int			elevel;			/* error level */
	bool		output_to_server;	/* will report go to the server log? */
	bool		output_to_client;	/* will report go to the client? */
	bool		hide_stmt;		/* true to prevent STATEMENT: inclusion */
	bool		hide_ctx;		/* true to prevent CONTEXT: inclusion */
	const char *filename;		/* __FILE__ of ereport() call */
	int			lineno;			/* __LINE__ of ereport() call */
	const char *funcname;		/* __func__ of ereport() call */
	const char *domain;			/* message domain */
	const char *context_domain; /* message domain for context message */
	int			sqlerrcode;		/* encoded ERRSTATE */
	char	   *message;		/* primary error message (translated) */
	char	   *detail;			/* detail error message */
	char	   *detail_log;		/* detail error message for server log only */
	char	   *hint;			/* hint message */
	char	   *context;		/* context message */
	char	   *backtrace;		/* backtrace */
	const char *message_id;		/* primary message's id (original string) */
	char	   *schema_name;	/* name of schema */
	char	   *table_name;		/* name of table */
	char	   *column_name;	/* name of column */
	char	   *datatype_name;	/* name of datatype */
	char	   *constraint_name;	/* name of constraint */
	int			cursorpos;		/* cursor index into query string */
	int			internalpos;	/* cursor index into internalquery */
	char	   *internalquery;	/* text of internally-generated query */
	int			saved_errno;	/* errno at entry */

	/* the memory context that holds all of the strings above */
	struct MemoryContextData *assoc_context;
} ErrorData;

extern void EmitErrorReport(void);
extern ErrorData *CopyErrorData(void);
extern void FreeErrorData(ErrorData *edata);
extern void FlushErrorState(void);
extern void ReThrowError(ErrorData *edata) pg_attribute_noreturn();
extern void ThrowErrorData(ErrorData *edata);
extern void pg_re_throw(void) pg_attribute_noreturn();

extern char *GetErrorContextStack(void);

/* Called for every report that goes to the server log, before it is written. */
typedef void (*emit_log_hook_type) (ErrorData *edata);
extern PGDLLIMPORT emit_log_hook_type emit_log_hook;

/* ---- the logging parameters (defined by the configuration area) ---- */
typedef enum
{
	PGERROR_TERSE,				/* single-line error messages */
	PGERROR_DEFAULT,			/* recommended style */
	PGERROR_VERBOSE,			/* all the facts, ma'am */
} PGErrorVerbosity;

extern PGDLLIMPORT int Log_error_verbosity;
extern PGDLLIMPORT char *Log_line_prefix;
extern PGDLLIMPORT int Log_destination;
extern PGDLLIMPORT char *Log_destination_string;
extern PGDLLIMPORT bool syslog_sequence_numbers;
extern PGDLLIMPORT bool syslog_split_messages;

/* Log_destination bits */
#define LOG_DESTINATION_STDERR	 1
#define LOG_DESTINATION_SYSLOG	 2
#define LOG_DESTINATION_EVENTLOG 4
#define LOG_DESTINATION_CSVLOG	 8
#define LOG_DESTINATION_JSONLOG	16

/* ---- other exported functions ---- */
extern void DebugFileOpen(void);
extern char *unpack_sql_state(int sql_state);
extern bool in_error_recursion_trouble(void);
extern const char *error_severity(int elevel);
extern void reset_formatted_start_time(void);
extern char *get_formatted_start_time(void);
extern char *get_formatted_log_time(void);
extern const char *get_backend_type_for_log(void);
extern bool check_log_of_query(ErrorData *edata);
extern void write_stderr(const char *fmt,...) pg_attribute_printf(1, 2);
extern void vwrite_stderr(const char *fmt, va_list ap) pg_attribute_printf(1, 0);

#endif							/* ELOG_H */
