/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  Configuration parameters ("GUC variables") for bgworker modules:
 *	  contexts, sources, flags and units, the DefineCustom*Variable
 *	  functions with their check/assign/show hooks, reading and setting
 *	  values, and re-reading the configuration file.
 *
 *	  Names, values, signatures and macro behaviour are PostgreSQL 17's so
 *	  that module source compiles unchanged; the implementation is
 *	  bgworker's (cshim/guc/guc.c, cshim/guc/guc_file.c).
 *
 *	  Memory: string values, the "extra" data of check hooks and the
 *	  ConfigVariable lists come from guc_malloc()/malloc(), not palloc();
 *	  free them with guc_free() / FreeConfigVariables().
 *
 *-------------------------------------------------------------------------
 */
#ifndef GUC_H
#define GUC_H

#include <limits.h>

/* c.h of older bgworker trees lacks this attribute macro. */
#ifndef pg_attribute_nonnull
#define pg_attribute_nonnull(...) __attribute__((nonnull(__VA_ARGS__)))
#endif

/* Upper limit of parameters measured in kilobytes (64-bit only). */
#define MAX_KILOBYTES	INT_MAX

/* Not used by bgworker (there is no ALTER SYSTEM); kept for source compatibility. */
#define PG_AUTOCONF_FILENAME	"postgresql.auto.conf"

/*
 * When a parameter may be changed, from least to most changeable.
 * PGC_POSTMASTER: at start only (file or -c).  PGC_SIGHUP: also when the
 * file is re-read.  The backend contexts and the SET contexts behave as
 * PGC_SIGHUP for the file; SetConfigOption() honours them.
 */
typedef enum
{
	PGC_INTERNAL,
	PGC_POSTMASTER,
	PGC_SIGHUP,
	PGC_SU_BACKEND,
	PGC_BACKEND,
	PGC_SUSET,
	PGC_USERSET,
} GucContext;

/*
 * Where the current value came from.  A setting only replaces a value
 * whose source is the same or lower: the file never overrides -c
 * (PGC_S_ARGV).
 */
typedef enum
{
	PGC_S_DEFAULT,				/* the boot value */
	PGC_S_DYNAMIC_DEFAULT,		/* default computed at start */
	PGC_S_ENV_VAR,				/* environment of the host */
	PGC_S_FILE,					/* the configuration file */
	PGC_S_ARGV,					/* -c on the command line */
	PGC_S_GLOBAL,
	PGC_S_DATABASE,
	PGC_S_USER,
	PGC_S_DATABASE_USER,
	PGC_S_CLIENT,
	PGC_S_OVERRIDE,				/* forced default */
	PGC_S_INTERACTIVE,			/* dividing line for error reporting */
	PGC_S_TEST,
	PGC_S_SESSION,				/* SET */
} GucSource;

/*
 * One "name = value" of a parsed configuration file, or an error report
 * (errmsg != NULL).  Lists come from ParseConfigFile() and friends.
 */
typedef struct ConfigVariable
{
	char	   *name;
	char	   *value;
	char	   *errmsg;
	char	   *filename;
	int			sourceline;
	bool		ignore;
	bool		applied;
	struct ConfigVariable *next;
} ConfigVariable;

typedef struct config_generic config_handle;

extern bool ParseConfigFile(const char *config_file, bool strict,
							const char *calling_file, int calling_lineno,
							int depth, int elevel,
							ConfigVariable **head_p, ConfigVariable **tail_p);
extern bool ParseConfigFp(FILE *fp, const char *config_file,
						  int depth, int elevel,
						  ConfigVariable **head_p, ConfigVariable **tail_p);
extern bool ParseConfigDirectory(const char *includedir,
								 const char *calling_file, int calling_lineno,
								 int depth, int elevel,
								 ConfigVariable **head_p,
								 ConfigVariable **tail_p);
extern void FreeConfigVariables(ConfigVariable *list);
extern char *DeescapeQuotedString(const char *s);

/* The values of an enum parameter; hidden ones are accepted, not listed. */
struct config_enum_entry
{
	const char *name;
	int			val;
	bool		hidden;
};

/* Hooks: check (may change *newval, set *extra), assign, show. */
typedef bool (*GucBoolCheckHook) (bool *newval, void **extra, GucSource source);
typedef bool (*GucIntCheckHook) (int *newval, void **extra, GucSource source);
typedef bool (*GucRealCheckHook) (double *newval, void **extra, GucSource source);
typedef bool (*GucStringCheckHook) (char **newval, void **extra, GucSource source);
typedef bool (*GucEnumCheckHook) (int *newval, void **extra, GucSource source);

typedef void (*GucBoolAssignHook) (bool newval, void *extra);
typedef void (*GucIntAssignHook) (int newval, void *extra);
typedef void (*GucRealAssignHook) (double newval, void *extra);
typedef void (*GucStringAssignHook) (const char *newval, void *extra);
typedef void (*GucEnumAssignHook) (int newval, void *extra);

typedef const char *(*GucShowHook) (void);

typedef enum
{
	GUC_ACTION_SET,				/* SET */
	GUC_ACTION_LOCAL,			/* SET LOCAL (same as SET here) */
	GUC_ACTION_SAVE,			/* temporary (same as SET here) */
} GucAction;

#define GUC_QUALIFIER_SEPARATOR '.'

/* Flags of a parameter (PostgreSQL 17 values). */
#define GUC_LIST_INPUT			0x000001	/* value is a list */
#define GUC_LIST_QUOTE			0x000002	/* double-quote list elements */
#define GUC_NO_SHOW_ALL			0x000004	/* hide from SHOW ALL */
#define GUC_NO_RESET			0x000008	/* no RESET */
#define GUC_NO_RESET_ALL		0x000010	/* not reset by RESET ALL */
#define GUC_EXPLAIN				0x000020	/* shown by EXPLAIN */
#define GUC_REPORT				0x000040	/* reported to the client */
#define GUC_NOT_IN_SAMPLE		0x000080	/* not in the sample file */
#define GUC_DISALLOW_IN_FILE	0x000100	/* may not be set in the file */
#define GUC_CUSTOM_PLACEHOLDER	0x000200	/* a not yet defined prefix.name */
#define GUC_SUPERUSER_ONLY		0x000400	/* shown to superusers only */
#define GUC_IS_NAME				0x000800	/* truncated to NAMEDATALEN-1 */
#define GUC_NOT_WHILE_SEC_REST	0x001000	/* not in security-restricted code */
#define GUC_DISALLOW_IN_AUTO_FILE 0x002000	/* not in the ALTER SYSTEM file */
#define GUC_RUNTIME_COMPUTED	0x004000	/* computed at start */
#define GUC_ALLOW_IN_PARALLEL	0x008000	/* settable in parallel mode */

#define GUC_UNIT_KB				0x01000000	/* kilobytes */
#define GUC_UNIT_BLOCKS			0x02000000	/* blocks (BLCKSZ) */
#define GUC_UNIT_XBLOCKS		0x03000000	/* WAL blocks (XLOG_BLCKSZ) */
#define GUC_UNIT_MB				0x04000000	/* megabytes */
#define GUC_UNIT_BYTE			0x05000000	/* bytes */
#define GUC_UNIT_MEMORY			0x0F000000	/* mask of the memory units */

#define GUC_UNIT_MS				0x10000000	/* milliseconds */
#define GUC_UNIT_S				0x20000000	/* seconds */
#define GUC_UNIT_MIN			0x30000000	/* minutes */
#define GUC_UNIT_TIME			0x70000000	/* mask of the time units */

#define GUC_UNIT				(GUC_UNIT_MEMORY | GUC_UNIT_TIME)

/* Host parameters that are GUC variables (defined by the runtime). */
extern PGDLLIMPORT int log_min_messages;
extern PGDLLIMPORT int log_min_error_statement;
extern PGDLLIMPORT char *application_name;
extern PGDLLIMPORT char *cluster_name;
extern PGDLLIMPORT char *ConfigFileName;

/*
 * Define a module's parameter.  The variable is set to the boot value (or
 * to a value already given for the name in the file or with -c).  Call
 * from _PG_init(); PGC_POSTMASTER parameters only while
 * shared_preload_libraries are being loaded.
 */
extern void DefineCustomBoolVariable(const char *name,
									 const char *short_desc,
									 const char *long_desc,
									 bool *valueAddr,
									 bool bootValue,
									 GucContext context,
									 int flags,
									 GucBoolCheckHook check_hook,
									 GucBoolAssignHook assign_hook,
									 GucShowHook show_hook) pg_attribute_nonnull(1, 4);

extern void DefineCustomIntVariable(const char *name,
									const char *short_desc,
									const char *long_desc,
									int *valueAddr,
									int bootValue,
									int minValue,
									int maxValue,
									GucContext context,
									int flags,
									GucIntCheckHook check_hook,
									GucIntAssignHook assign_hook,
									GucShowHook show_hook) pg_attribute_nonnull(1, 4);

extern void DefineCustomRealVariable(const char *name,
									 const char *short_desc,
									 const char *long_desc,
									 double *valueAddr,
									 double bootValue,
									 double minValue,
									 double maxValue,
									 GucContext context,
									 int flags,
									 GucRealCheckHook check_hook,
									 GucRealAssignHook assign_hook,
									 GucShowHook show_hook) pg_attribute_nonnull(1, 4);

extern void DefineCustomStringVariable(const char *name,
									   const char *short_desc,
									   const char *long_desc,
									   char **valueAddr,
									   const char *bootValue,
									   GucContext context,
									   int flags,
									   GucStringCheckHook check_hook,
									   GucStringAssignHook assign_hook,
									   GucShowHook show_hook) pg_attribute_nonnull(1, 4);

extern void DefineCustomEnumVariable(const char *name,
									 const char *short_desc,
									 const char *long_desc,
									 int *valueAddr,
									 int bootValue,
									 const struct config_enum_entry *options,
									 GucContext context,
									 int flags,
									 GucEnumCheckHook check_hook,
									 GucEnumAssignHook assign_hook,
									 GucShowHook show_hook) pg_attribute_nonnull(1, 4);

/*
 * Reserve a prefix: remaining placeholders "prefix.*" are removed with a
 * WARNING, and later attempts to set one are errors.
 */
extern void MarkGUCPrefixReserved(const char *className);

/* The older name of MarkGUCPrefixReserved. */
#define EmitWarningsOnPlaceholders(className) MarkGUCPrefixReserved(className)

extern void SetConfigOption(const char *name, const char *value,
							GucContext context, GucSource source);
extern const char *GetConfigOption(const char *name, bool missing_ok,
								   bool restrict_privileged);
extern const char *GetConfigOptionResetString(const char *name);
extern int	GetConfigOptionFlags(const char *name, bool missing_ok);
extern char *GetConfigOptionByName(const char *name, const char **varname,
								   bool missing_ok);

/*
 * Re-read the configuration file and apply what the context allows
 * (PGC_SIGHUP: the SIGHUP-and-above parameters).  In the host problems are
 * logged at LOG, in a worker at DEBUG2 (the host already complained).
 */
extern void ProcessConfigFile(GucContext context);

extern void ParseLongOption(const char *string, char **name, char **value);
extern const char *get_config_unit_name(int flags);
extern bool parse_int(const char *value, int *result, int flags,
					  const char **hintmsg);
extern bool parse_real(const char *value, double *result, int flags,
					   const char **hintmsg);
extern bool parse_bool(const char *value, bool *result);
extern bool parse_bool_with_len(const char *value, size_t len, bool *result);
extern bool config_enum_lookup_by_name(const struct config_enum_entry *options,
									   const char *value, int *retval);
extern const char *config_enum_lookup_by_value(const struct config_enum_entry *options,
											   int val);

/*
 * Set a parameter.  Returns 1 if the value was set, -1 if the request was
 * valid but changed nothing (lower-priority source, restart needed), 0 on
 * an error; errors are reported at elevel (ERROR and above throw).
 */
extern int	set_config_option(const char *name, const char *value,
							  GucContext context, GucSource source,
							  GucAction action, bool changeVal, int elevel,
							  bool is_reload);

extern void *guc_malloc(int elevel, size_t size);
extern pg_nodiscard void *guc_realloc(int elevel, void *old, size_t size);
extern char *guc_strdup(int elevel, const char *src);
extern void guc_free(void *ptr);

/*
 * Messages from check hooks: a check hook that rejects a value may set
 * these with GUC_check_errmsg/errdetail/errhint (printf-like) before it
 * returns false; the caller reports them.
 */
extern PGDLLIMPORT char *GUC_check_errmsg_string;
extern PGDLLIMPORT char *GUC_check_errdetail_string;
extern PGDLLIMPORT char *GUC_check_errhint_string;

extern void GUC_check_errcode(int sqlerrcode);

#define GUC_check_errmsg \
	pre_format_elog_string(errno, TEXTDOMAIN), \
	GUC_check_errmsg_string = format_elog_string

#define GUC_check_errdetail \
	pre_format_elog_string(errno, TEXTDOMAIN), \
	GUC_check_errdetail_string = format_elog_string

#define GUC_check_errhint \
	pre_format_elog_string(errno, TEXTDOMAIN), \
	GUC_check_errhint_string = format_elog_string

#endif							/* GUC_H */
