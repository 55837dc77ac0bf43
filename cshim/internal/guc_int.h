/*-------------------------------------------------------------------------
 *
 * guc_int.h
 *	  Internal declarations of the guc area (guc.c, guc_file.c,
 *	  guc_builtin.c): the silent file parser, the variable registry and
 *	  the hooks the host parameters need.  Not for modules.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GUC_INT_H
#define GUC_INT_H

#include "postgres.h"
#include "utils/guc.h"

/* Nesting of include directives: the top file is depth 0, at most 10. */
#define CONF_FILE_START_DEPTH	0
#define CONF_FILE_MAX_DEPTH		10

/* Bounds on what the parser reads, so a huge or hostile file cannot
 * exhaust memory: a longer line is a syntax error, a larger file an error. */
/*
 * A flag of the runtime's own (a bit PostgreSQL leaves unused): the
 * value may hold a secret (database_conninfo's password), so a reload
 * reports that it changed but never what to.
 */
#define GUC_BGW_SECRET			0x00100000

#define GUC_CONF_MAX_LINE		(1024 * 1024)
#define GUC_CONF_MAX_FILE		(64 * 1024 * 1024)

/* At most this many files are opened by one read of the top file. */
#define GUC_CONF_MAX_FILES		1000

/* After this many syntax errors in one file the rest of it is skipped. */
#define GUC_CONF_MAX_SYNTAX_ERRORS 100

/*
 * The silent parser.  Same contracts as ParseConfigFile/Fp/Directory, but
 * nothing is logged (except "skipping missing configuration file"): each
 * problem is appended to the list as an entry with errmsg set to the full
 * message (name and value NULL, ignore true).  Any process; not
 * async-signal-safe.
 */
extern bool guc_parse_file(const char *config_file, bool strict,
						   const char *calling_file, int calling_lineno,
						   int depth,
						   ConfigVariable **head_p, ConfigVariable **tail_p);
extern bool guc_parse_fp(FILE *fp, const char *config_file, int depth,
						 ConfigVariable **head_p, ConfigVariable **tail_p);
extern bool guc_parse_dir(const char *includedir,
						  const char *calling_file, int calling_lineno,
						  int depth,
						  ConfigVariable **head_p, ConfigVariable **tail_p);

/* Append an error entry (message copied) to a list. */
extern void guc_record_error(const char *msg, const char *filename, int lineno,
							 ConfigVariable **head_p, ConfigVariable **tail_p);

/*
 * location made absolute: relative to the directory of calling_file if
 * given, else to the current directory.  malloc'd.
 */
extern char *guc_absolute_location(const char *location, const char *calling_file);

/* Case-insensitive ASCII comparison of parameter names. */
extern int	guc_name_compare(const char *a, const char *b);

/* True if name is two or more simple identifiers separated by dots. */
extern bool guc_valid_custom_name(const char *name);

/* Define the host parameters (guc_builtin.c); called once by guc.c. */
extern void bgw_guc_define_builtins(void);

/*
 * Define a parameter without the module-facing restrictions (the host's own
 * one-part names, PGC_INTERNAL).  Used by guc_builtin.c.
 */
extern void bgw_guc_define_bool(const char *name, const char *desc, bool *var,
								bool boot, GucContext context, int flags,
								GucBoolCheckHook check, GucBoolAssignHook assign);
extern void bgw_guc_define_int(const char *name, const char *desc, int *var,
							   int boot, int min, int max, GucContext context,
							   int flags, GucIntCheckHook check,
							   GucIntAssignHook assign);
extern void bgw_guc_define_string(const char *name, const char *desc, char **var,
								  const char *boot, GucContext context, int flags,
								  GucStringCheckHook check,
								  GucStringAssignHook assign);
extern void bgw_guc_define_enum(const char *name, const char *desc, int *var,
								int boot, const struct config_enum_entry *options,
								GucContext context, int flags,
								GucEnumCheckHook check, GucEnumAssignHook assign);

/* Make sure the registry exists and the host parameters are defined. */
extern void bgw_guc_init(void);

/*
 * The problem that made the last bgw_guc_load fail: primary message
 * (without the file and line that errbuf adds), DETAIL and HINT (empty
 * strings if none).  Supervisor only.
 */
extern void bgw_guc_last_error(const char **message, const char **detail,
							   const char **hint);

/*
 * Before the supervisor starts again in the same process: every parameter,
 * the modules' included, back at its boot value, the last configuration's
 * placeholders gone (guc.c).  Supervisor only, while no worker exists.
 */
extern void bgw_guc_reset_for_restart(void);

/*
 * What guc_error reported while collection was on: the problems of a
 * reload (for `bgworker reload`) or of `bgworker check`.  file and line
 * are those of the setting being applied, if any (syntax errors name
 * theirs in the message).  Strings may be NULL.
 */
typedef struct BgwGucReport
{
	int			elevel;
	int			sqlerrcode;		/* 0 for a change ("parameter ... changed to") */
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *file;
	int			line;
} BgwGucReport;

/*
 * Start collecting (forgetting what was collected before); with
 * collect_only, nothing collected is reported to the log.  Supervisor or
 * check process only.
 */
extern void bgw_guc_collect_begin(bool collect_only);
extern void bgw_guc_collect_end(void);

/* The reports collected since the last bgw_guc_collect_begin. */
extern int	bgw_guc_collected(const BgwGucReport **reports);

/* How the supervisor's last reload ended. */
#define BGW_RELOAD_APPLIED		0	/* no problem */
#define BGW_RELOAD_PARTLY		1	/* errors; unaffected changes were applied */
#define BGW_RELOAD_NOT_APPLIED	2	/* errors; no changes were applied */
extern int	bgw_guc_last_reload_outcome(void);

/*
 * For `bgworker check`: apply the -c settings and the configuration file
 * as bgw_guc_load does, but collecting every problem instead of stopping
 * at the first (bgw_guc_collect_begin(true) is in effect until the caller
 * ends it, so that the modules loaded next are checked too).  Returns
 * false if there was any problem so far.  Check process only.
 */
extern bool bgw_guc_check(const char *config_file, int nopts,
						  const char *const *names, const char *const *values);

#endif							/* GUC_INT_H */
