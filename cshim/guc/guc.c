/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The parameter registry: defining parameters (the host's and modules'),
 *	  placeholders for "prefix.name" settings made before a module defines
 *	  them, parsing and checking values (bool, int and real with units,
 *	  string, enum), the context and source rules of set_config_option,
 *	  showing values, and applying the configuration file at start
 *	  (bgw_guc_load) and on reload (ProcessConfigFile).
 *
 *	  The registry is process-local.  It is built in the supervisor before
 *	  and while modules load; every forked child inherits a copy and may
 *	  re-read the file itself (ProcessConfigFile in a worker).  Nothing
 *	  here is async-signal-safe, and nothing here is shared memory.
 *
 *	  Memory: names, string values and hook "extra" data are malloc'd
 *	  (guc_malloc), because they outlive any memory context.
 *
 *	  Errors: every problem goes through guc_error().  Normally that is an
 *	  ereport at the caller's elevel; while bgw_guc_load runs it is instead
 *	  captured (the first one) and handed back to Go, which logs it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "bgw_internal.h"
#include "guc_int.h"
#ifdef BGW_TEST_HOOKS
#include "guc_testsupport.h"
#endif

#ifndef XLOG_BLCKSZ
#define XLOG_BLCKSZ 8192
#endif

typedef enum GucType
{
	GUCT_BOOL,
	GUCT_INT,
	GUCT_REAL,
	GUCT_STRING,
	GUCT_ENUM,
} GucType;

/* A parsed value of any type. */
typedef union GucValue
{
	bool		b;
	int			i;
	double		r;
	char	   *s;				/* malloc'd */
} GucValue;

/*
 * One parameter.  The current value lives in the owner's variable (*var);
 * reset is what a setting from a source up to PGC_S_OVERRIDE last made
 * the default.  A placeholder is a string parameter whose variable is
 * placeholder_value, owned here.
 */
typedef struct GucVar
{
	char	   *name;			/* as defined (malloc'd) */
	GucType		type;
	GucContext	context;
	int			flags;
	const char *short_desc;		/* the definer's strings, not copied */
	const char *long_desc;
	GucSource	source;			/* of the current value */
	GucContext	scontext;		/* context it was set in */
	GucSource	reset_source;	/* of the reset value */
	GucContext	reset_scontext;
	char	   *sourcefile;		/* file of the current value, or NULL */
	int			sourceline;
	void	   *extra;			/* check hook data of the current value */
	void	   *reset_extra;	/* ... of the reset value */
	GucShowHook show_hook;
	ConfigVariable *file_item;	/* last file entry for it (one reload pass) */
	char	   *placeholder_value;
	union
	{
		struct
		{
			bool	   *var;
			bool		boot;
			bool		reset;
			GucBoolCheckHook check;
			GucBoolAssignHook assign;
		}			b;
		struct
		{
			int		   *var;
			int			boot;
			int			reset;
			int			min;
			int			max;
			GucIntCheckHook check;
			GucIntAssignHook assign;
		}			i;
		struct
		{
			double	   *var;
			double		boot;
			double		reset;
			double		min;
			double		max;
			GucRealCheckHook check;
			GucRealAssignHook assign;
		}			r;
		struct
		{
			char	  **var;
			const char *boot;
			char	   *reset;	/* malloc'd, or NULL */
			GucStringCheckHook check;
			GucStringAssignHook assign;
		}			s;
		struct
		{
			int		   *var;
			int			boot;
			int			reset;
			const struct config_enum_entry *options;
			GucEnumCheckHook check;
			GucEnumAssignHook assign;
		}			e;
	}			u;
} GucVar;

static GucVar **guc_vars;		/* the registry, in definition order */
static int	num_guc_vars;
static int	max_guc_vars;
static bool guc_initialized;

static char **reserved_prefixes;	/* from MarkGUCPrefixReserved */
static int	num_reserved_prefixes;

char	   *ConfigFileName = NULL;

char	   *GUC_check_errmsg_string;
char	   *GUC_check_errdetail_string;
char	   *GUC_check_errhint_string;
static int	GUC_check_errcode_value;

/*
 * The capture of bgw_guc_load: the first problem reported at ERROR or
 * above while it is active, instead of an ereport.
 */
typedef struct GucCapture
{
	bool		set;
	char		message[1024];
	char		detail[1024];
	char		hint[1024];
	char		file[1024];		/* where the setting came from, if a file */
	int			line;
} GucCapture;

static GucCapture *guc_capture;
static GucCapture last_load_error;

/* The file and line of the setting being applied, for captured errors. */
static const char *current_file;
static int	current_line;

/*
 * Collected reports (bgw_guc_collect_begin): every problem and change
 * guc_error reports while collection is on, kept for the supervisor's
 * reload answer and for `bgworker check`.  With collect_only they are
 * not reported at all (check runs in a throw-away process that reports
 * them itself).  Supervisor or check process only.
 */
static bool guc_collecting;
static bool guc_collect_only;
static bool guc_collecting_summary;	/* guc_collecting, saved around a summary */

/*
 * Set by bgw_guc_check: a syntax error or an unknown parameter does not
 * stop the reading, so that every problem of the file is reported (what
 * is applied then does not matter: the check process only reports).
 */
static bool guc_check_all;
static BgwGucReport *guc_reports;
static int	guc_nreports;
static int	guc_reports_cap;

/* How the last reload of the supervisor ended (BGW_RELOAD_*). */
static int	last_reload_outcome = BGW_RELOAD_APPLIED;

static const char *const memory_units_hint =
"Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".";
static const char *const time_units_hint =
"Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";

/* ------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------ */

void *
guc_malloc(int elevel, size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		ereport(elevel,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return p;
}

void *
guc_realloc(int elevel, void *old, size_t size)
{
	void	   *p = realloc(old, size ? size : 1);

	if (p == NULL)
		ereport(elevel,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return p;
}

char *
guc_strdup(int elevel, const char *src)
{
	char	   *p = strdup(src);

	if (p == NULL)
		ereport(elevel,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return p;
}

void
guc_free(void *ptr)
{
	free(ptr);
}

void
GUC_check_errcode(int sqlerrcode)
{
	GUC_check_errcode_value = sqlerrcode;
}

/* ------------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------------ */

/*
 * Report one problem at elevel (0 means nothing), or capture it while
 * bgw_guc_load runs.  The message is formatted before anything is
 * reported, so the arguments may be freed afterwards by the caller (an
 * ERROR does not return, and then they leak: small and rare).
 */
static char *
report_strdup(const char *s)
{
	return (s != NULL && s[0] != '\0') ? strdup(s) : NULL;
}

/* Append one report to the collected list (nothing if out of memory). */
static void
guc_collect(int elevel, int sqlerrcode, const char *msg, const char *detail,
			const char *hint)
{
	BgwGucReport *r;

	if (guc_nreports == guc_reports_cap)
	{
		int			cap = guc_reports_cap ? guc_reports_cap * 2 : 16;
		BgwGucReport *more = realloc(guc_reports, (size_t) cap * sizeof(BgwGucReport));

		if (more == NULL)
			return;
		guc_reports = more;
		guc_reports_cap = cap;
	}
	r = &guc_reports[guc_nreports++];
	r->elevel = elevel;
	r->sqlerrcode = sqlerrcode;
	r->message = report_strdup(msg);
	r->detail = report_strdup(detail);
	r->hint = report_strdup(hint);
	r->file = current_file ? report_strdup(current_file) : NULL;
	r->line = current_file ? current_line : 0;
}

void
bgw_guc_collect_begin(bool collect_only)
{
	for (int i = 0; i < guc_nreports; i++)
	{
		free(guc_reports[i].message);
		free(guc_reports[i].detail);
		free(guc_reports[i].hint);
		free(guc_reports[i].file);
	}
	guc_nreports = 0;
	guc_collecting = true;
	guc_collect_only = collect_only;
}

void
bgw_guc_collect_end(void)
{
	guc_collecting = false;
	guc_collect_only = false;
}

int
bgw_guc_collected(const BgwGucReport **reports)
{
	*reports = guc_reports;
	return guc_nreports;
}

int
bgw_guc_last_reload_outcome(void)
{
	return last_reload_outcome;
}

static void
guc_error(int elevel, int sqlerrcode, const char *detail, const char *hint,
		  const char *fmt,...) pg_attribute_printf(5, 6);

static void
guc_error(int elevel, int sqlerrcode, const char *detail, const char *hint,
		  const char *fmt,...)
{
	char		msg[1024];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (guc_collecting && elevel > 0 && guc_capture == NULL)
	{
		guc_collect(elevel, sqlerrcode, msg, detail, hint);
		if (guc_collect_only)
			return;
	}
	if (guc_capture != NULL && elevel >= ERROR)
	{
		if (!guc_capture->set)
		{
			guc_capture->set = true;
			strlcpy(guc_capture->message, msg, sizeof(guc_capture->message));
			strlcpy(guc_capture->detail, detail ? detail : "", sizeof(guc_capture->detail));
			strlcpy(guc_capture->hint, hint ? hint : "", sizeof(guc_capture->hint));
			strlcpy(guc_capture->file, current_file ? current_file : "",
					sizeof(guc_capture->file));
			guc_capture->line = current_file ? current_line : 0;
		}
		return;
	}
	if (elevel <= 0)
		return;
	ereport(elevel,
			(sqlerrcode ? errcode(sqlerrcode) : 0,
			 errmsg_internal("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/* ------------------------------------------------------------------------
 * Names and the registry
 * ------------------------------------------------------------------------ */

static bool
valid_simple_identifier_part(const char *p, size_t len)
{
	size_t		i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) p[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80)
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '$'))
			continue;
		return false;
	}
	return true;
}

bool
guc_valid_custom_name(const char *name)
{
	const char *part = name;
	int			parts = 0;

	for (;;)
	{
		const char *dot = strchr(part, GUC_QUALIFIER_SEPARATOR);
		size_t		len = dot ? (size_t) (dot - part) : strlen(part);

		if (!valid_simple_identifier_part(part, len))
			return false;
		parts++;
		if (dot == NULL)
			break;
		part = dot + 1;
	}
	return parts >= 2;
}

static GucVar *
find_var(const char *name)
{
	int			i;

	bgw_guc_init();

	for (i = 0; i < num_guc_vars; i++)
		if (guc_name_compare(guc_vars[i]->name, name) == 0)
			return guc_vars[i];
	return NULL;
}

/* The reserved prefix name starts with, or NULL. */
static const char *
reserved_prefix_of(const char *name)
{
	int			i;

	for (i = 0; i < num_reserved_prefixes; i++)
	{
		size_t		len = strlen(reserved_prefixes[i]);

		if (strlen(name) > len && name[len] == GUC_QUALIFIER_SEPARATOR &&
			pg_strncasecmp(name, reserved_prefixes[i], len) == 0)
			return reserved_prefixes[i];
	}
	return NULL;
}

static void
add_var(GucVar *var)
{
	if (num_guc_vars == max_guc_vars)
	{
		int			ncap = max_guc_vars ? max_guc_vars * 2 : 64;

		guc_vars = guc_realloc(FATAL, guc_vars, ncap * sizeof(GucVar *));
		max_guc_vars = ncap;
	}
	guc_vars[num_guc_vars++] = var;
}

static void
remove_var(GucVar *var)
{
	int			i;

	for (i = 0; i < num_guc_vars; i++)
	{
		if (guc_vars[i] == var)
		{
			memmove(&guc_vars[i], &guc_vars[i + 1],
					(num_guc_vars - i - 1) * sizeof(GucVar *));
			num_guc_vars--;
			return;
		}
	}
}

static void
free_var(GucVar *var)
{
	if (var->type == GUCT_STRING)
	{
		if (var->u.s.reset != *var->u.s.var)
			free(var->u.s.reset);
		free(*var->u.s.var);
		*var->u.s.var = NULL;
	}
	if (var->reset_extra != var->extra)
		free(var->reset_extra);
	free(var->extra);
	free(var->sourcefile);
	free(var->name);
	free(var);
}

/*
 * Find a parameter; for an unknown valid "prefix.name" (and create true)
 * make a placeholder.  Unknown or invalid names are reported at elevel and
 * give NULL.
 */
static GucVar *
find_option(const char *name, bool create, bool report_missing, int elevel)
{
	GucVar	   *var = find_var(name);
	const char *prefix;

	if (var != NULL)
		return var;
	if (strchr(name, GUC_QUALIFIER_SEPARATOR) == NULL)
	{
		if (report_missing)
			guc_error(elevel, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
					  "unrecognized configuration parameter \"%s\"", name);
		return NULL;
	}
	if (!guc_valid_custom_name(name))
	{
		guc_error(elevel, ERRCODE_INVALID_NAME,
				  "Custom parameter names must be two or more simple identifiers separated by dots.",
				  NULL, "invalid configuration parameter name \"%s\"", name);
		return NULL;
	}
	if ((prefix = reserved_prefix_of(name)) != NULL)
	{
		char		detail[300];

		snprintf(detail, sizeof(detail), "\"%s\" is a reserved prefix.", prefix);
		guc_error(elevel, ERRCODE_INVALID_NAME, detail, NULL,
				  "invalid configuration parameter name \"%s\"", name);
		return NULL;
	}
	if (!create)
	{
		if (report_missing)
			guc_error(elevel, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
					  "unrecognized configuration parameter \"%s\"", name);
		return NULL;
	}

	var = guc_malloc(elevel >= ERROR ? elevel : ERROR, sizeof(GucVar));
	memset(var, 0, sizeof(*var));
	var->name = guc_strdup(ERROR, name);
	var->type = GUCT_STRING;
	var->context = PGC_USERSET;
	var->flags = GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_CUSTOM_PLACEHOLDER;
	var->short_desc = "GUC placeholder variable";
	var->u.s.var = &var->placeholder_value;
	var->u.s.boot = "";
	var->placeholder_value = guc_strdup(ERROR, "");
	var->u.s.reset = var->placeholder_value;
	add_var(var);
	return var;
}

/* ------------------------------------------------------------------------
 * Parsing values
 * ------------------------------------------------------------------------ */

bool
parse_bool_with_len(const char *value, size_t len, bool *result)
{
	bool		val;

	if (len == 0)
		return false;
	switch (*value)
	{
		case 't':
		case 'T':
			if (pg_strncasecmp(value, "true", len) == 0 && len <= 4)
			{
				val = true;
				goto ok;
			}
			break;
		case 'f':
		case 'F':
			if (pg_strncasecmp(value, "false", len) == 0 && len <= 5)
			{
				val = false;
				goto ok;
			}
			break;
		case 'y':
		case 'Y':
			if (pg_strncasecmp(value, "yes", len) == 0 && len <= 3)
			{
				val = true;
				goto ok;
			}
			break;
		case 'n':
		case 'N':
			if (pg_strncasecmp(value, "no", len) == 0 && len <= 2)
			{
				val = false;
				goto ok;
			}
			break;
		case 'o':
		case 'O':
			/* "o" alone is ambiguous between on and off */
			if (len >= 2 && len <= 2 && pg_strncasecmp(value, "on", len) == 0)
			{
				val = true;
				goto ok;
			}
			if (len >= 2 && len <= 3 && pg_strncasecmp(value, "off", len) == 0)
			{
				val = false;
				goto ok;
			}
			break;
		case '1':
			if (len == 1)
			{
				val = true;
				goto ok;
			}
			break;
		case '0':
			if (len == 1)
			{
				val = false;
				goto ok;
			}
			break;
		default:
			break;
	}
	return false;
ok:
	if (result)
		*result = val;
	return true;
}

bool
parse_bool(const char *value, bool *result)
{
	return parse_bool_with_len(value, strlen(value), result);
}

/*
 * Round to the nearest integer, halves to even (as rint() in the default
 * rounding mode), without needing libm.
 */
static double
round_even(double x)
{
	double		t,
				frac;

	if (x >= 4503599627370496.0 || x <= -4503599627370496.0)
		return x;				/* already integral */
	t = (double) (long long) x;
	frac = x - t;
	if (frac > 0.5 || (frac == 0.5 && ((long long) t & 1)))
		t += 1;
	else if (frac < -0.5 || (frac == -0.5 && ((long long) t & 1)))
		t -= 1;
	return t;
}

/* A unit name and how many base units of a parameter it is. */
typedef struct UnitFactor
{
	const char *name;
	double		factor;
} UnitFactor;

/* Size of one base unit of the parameter, in bytes or microseconds. */
static double
base_unit_size(int flags)
{
	switch (flags & GUC_UNIT)
	{
		case GUC_UNIT_BYTE:
			return 1;
		case GUC_UNIT_KB:
			return 1024;
		case GUC_UNIT_BLOCKS:
			return BLCKSZ;
		case GUC_UNIT_XBLOCKS:
			return XLOG_BLCKSZ;
		case GUC_UNIT_MB:
			return 1024.0 * 1024;
		case GUC_UNIT_MS:
			return 1000;
		case GUC_UNIT_S:
			return 1000.0 * 1000;
		case GUC_UNIT_MIN:
			return 60.0 * 1000 * 1000;
	}
	return 1;
}

static const UnitFactor memory_units[] = {
	{"TB", 1024.0 * 1024 * 1024 * 1024},
	{"GB", 1024.0 * 1024 * 1024},
	{"MB", 1024.0 * 1024},
	{"kB", 1024},
	{"B", 1},
	{NULL, 0}
};

static const UnitFactor time_units[] = {
	{"d", 24.0 * 60 * 60 * 1000 * 1000},
	{"h", 60.0 * 60 * 1000 * 1000},
	{"min", 60.0 * 1000 * 1000},
	{"s", 1000.0 * 1000},
	{"ms", 1000},
	{"us", 1},
	{NULL, 0}
};

/*
 * Convert value in unit (a name, case-sensitive as PostgreSQL) to the
 * parameter's base unit.  False if the unit is not one of its kind.
 */
static bool
convert_to_base_unit(double value, const char *unit, int flags, double *base)
{
	const UnitFactor *table = (flags & GUC_UNIT_MEMORY) ? memory_units : time_units;
	int			i;

	for (i = 0; table[i].name != NULL; i++)
	{
		if (strcmp(unit, table[i].name) == 0)
		{
			*base = value * (table[i].factor / base_unit_size(flags));
			return true;
		}
	}
	return false;
}

/* Parse an optional unit after a number at *endp; updates *val. */
static bool
parse_unit_suffix(const char *endp, double *val, int flags, const char **hintmsg)
{
	char		unit[8];
	size_t		ulen = 0;

	while (*endp == ' ' || *endp == '\t' || *endp == '\n' || *endp == '\r')
		endp++;
	if (*endp == '\0')
		return true;
	if ((flags & GUC_UNIT) == 0)
		return false;
	while (*endp != '\0' && *endp != ' ' && *endp != '\t' && *endp != '\n' &&
		   *endp != '\r')
	{
		if (ulen + 1 >= sizeof(unit))
			goto bad_unit;
		unit[ulen++] = *endp++;
	}
	unit[ulen] = '\0';
	while (*endp == ' ' || *endp == '\t' || *endp == '\n' || *endp == '\r')
		endp++;
	if (*endp != '\0')
		goto bad_unit;
	if (!convert_to_base_unit(*val, unit, flags, val))
		goto bad_unit;
	return true;

bad_unit:
	if (hintmsg)
		*hintmsg = (flags & GUC_UNIT_MEMORY) ? memory_units_hint : time_units_hint;
	return false;
}

bool
parse_int(const char *value, int *result, int flags, const char **hintmsg)
{
	double		val;
	char	   *endp;

	if (result)
		*result = 0;
	if (hintmsg)
		*hintmsg = NULL;

	errno = 0;
	val = (double) strtol(value, &endp, 0);
	if (endp == value || errno == ERANGE || *endp == '.' || *endp == 'e' ||
		*endp == 'E')
	{
		/* not a plain integer: maybe a real, as PostgreSQL accepts "1.5" */
		errno = 0;
		val = strtod(value, &endp);
	}
	if (endp == value || errno == ERANGE)
	{
		if (errno == ERANGE && hintmsg)
			*hintmsg = "Value exceeds integer range.";
		return false;
	}
	if (val != val)
		return false;
	if (!parse_unit_suffix(endp, &val, flags, hintmsg))
		return false;

	val = round_even(val);
	if (val > INT_MAX || val < INT_MIN)
	{
		if (hintmsg)
			*hintmsg = "Value exceeds integer range.";
		return false;
	}
	if (result)
		*result = (int) val;
	return true;
}

bool
parse_real(const char *value, double *result, int flags, const char **hintmsg)
{
	double		val;
	char	   *endp;

	if (result)
		*result = 0;
	if (hintmsg)
		*hintmsg = NULL;

	errno = 0;
	val = strtod(value, &endp);
	if (endp == value || errno == ERANGE)
		return false;
	if (val != val)
		return false;
	if (!parse_unit_suffix(endp, &val, flags, hintmsg))
		return false;
	if (result)
		*result = val;
	return true;
}

bool
config_enum_lookup_by_name(const struct config_enum_entry *options,
						   const char *value, int *retval)
{
	const struct config_enum_entry *e;

	for (e = options; e && e->name; e++)
	{
		if (pg_strcasecmp(value, e->name) == 0)
		{
			*retval = e->val;
			return true;
		}
	}
	*retval = 0;
	return false;
}

const char *
config_enum_lookup_by_value(const struct config_enum_entry *options, int val)
{
	const struct config_enum_entry *e;

	for (e = options; e && e->name; e++)
		if (e->val == val)
			return e->name;
	return NULL;
}

/* "Available values: a, b, c." into buf (hidden values left out). */
static void
enum_values_hint(const struct config_enum_entry *options, char *buf, size_t len)
{
	const struct config_enum_entry *e;
	bool		first = true;

	strlcpy(buf, "Available values: ", len);
	for (e = options; e && e->name; e++)
	{
		if (e->hidden)
			continue;
		if (!first)
			strlcat(buf, ", ", len);
		strlcat(buf, e->name, len);
		first = false;
	}
	strlcat(buf, ".", len);
}

const char *
get_config_unit_name(int flags)
{
	switch (flags & GUC_UNIT)
	{
		case 0:
			return NULL;
		case GUC_UNIT_BYTE:
			return "B";
		case GUC_UNIT_KB:
			return "kB";
		case GUC_UNIT_MB:
			return "MB";
		case GUC_UNIT_BLOCKS:
			return BLCKSZ == 8192 ? "8kB" : "blocks";
		case GUC_UNIT_XBLOCKS:
			return XLOG_BLCKSZ == 8192 ? "8kB" : "blocks";
		case GUC_UNIT_MS:
			return "ms";
		case GUC_UNIT_S:
			return "s";
		case GUC_UNIT_MIN:
			return "min";
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Check hooks
 * ------------------------------------------------------------------------ */

static void
reset_check_strings(void)
{
	GUC_check_errcode_value = ERRCODE_INVALID_PARAMETER_VALUE;
	GUC_check_errmsg_string = NULL;
	GUC_check_errdetail_string = NULL;
	GUC_check_errhint_string = NULL;
}

/* Report a rejected value with the hook's message, or the default one. */
static void
report_check_failure(int elevel, const char *default_msg)
{
	guc_error(elevel, GUC_check_errcode_value, GUC_check_errdetail_string,
			  GUC_check_errhint_string, "%s",
			  GUC_check_errmsg_string ? GUC_check_errmsg_string : default_msg);
}

/*
 * Parse and check value for var into *newval and *newextra.  On failure the
 * problem has been reported at elevel and false is returned with nothing
 * allocated.  A NULL value means the boot value.
 */
static bool
parse_and_check(GucVar *var, const char *value, GucSource source, int elevel,
				GucValue *newval, void **newextra)
{
	char		msg[1200];
	const char *hint = NULL;

	*newextra = NULL;
	reset_check_strings();

	switch (var->type)
	{
		case GUCT_BOOL:
			if (value == NULL)
				newval->b = var->u.b.boot;
			else if (!parse_bool(value, &newval->b))
			{
				guc_error(elevel, ERRCODE_INVALID_PARAMETER_VALUE, NULL, NULL,
						  "parameter \"%s\" requires a Boolean value", var->name);
				return false;
			}
			if (var->u.b.check && !var->u.b.check(&newval->b, newextra, source))
			{
				snprintf(msg, sizeof(msg), "invalid value for parameter \"%s\": %d",
						 var->name, (int) newval->b);
				report_check_failure(elevel, msg);
				free(*newextra);
				return false;
			}
			return true;

		case GUCT_INT:
			if (value == NULL)
				newval->i = var->u.i.boot;
			else
			{
				if (!parse_int(value, &newval->i, var->flags, &hint))
				{
					guc_error(elevel, ERRCODE_INVALID_PARAMETER_VALUE, NULL, hint,
							  "invalid value for parameter \"%s\": \"%s\"",
							  var->name, value);
					return false;
				}
				if (newval->i < var->u.i.min || newval->i > var->u.i.max)
				{
					const char *unit = get_config_unit_name(var->flags);
					const char *sp = unit ? " " : "";

					if (!unit)
						unit = "";
					guc_error(elevel, ERRCODE_INVALID_PARAMETER_VALUE, NULL, NULL,
							  "%d%s%s is outside the valid range for parameter \"%s\" (%d%s%s .. %d%s%s)",
							  newval->i, sp, unit, var->name,
							  var->u.i.min, sp, unit, var->u.i.max, sp, unit);
					return false;
				}
			}
			if (var->u.i.check && !var->u.i.check(&newval->i, newextra, source))
			{
				snprintf(msg, sizeof(msg), "invalid value for parameter \"%s\": %d",
						 var->name, newval->i);
				report_check_failure(elevel, msg);
				free(*newextra);
				return false;
			}
			return true;

		case GUCT_REAL:
			if (value == NULL)
				newval->r = var->u.r.boot;
			else
			{
				if (!parse_real(value, &newval->r, var->flags, &hint))
				{
					guc_error(elevel, ERRCODE_INVALID_PARAMETER_VALUE, NULL, hint,
							  "invalid value for parameter \"%s\": \"%s\"",
							  var->name, value);
					return false;
				}
				if (newval->r < var->u.r.min || newval->r > var->u.r.max)
				{
					const char *unit = get_config_unit_name(var->flags);
					const char *sp = unit ? " " : "";

					if (!unit)
						unit = "";
					guc_error(elevel, ERRCODE_INVALID_PARAMETER_VALUE, NULL, NULL,
							  "%g%s%s is outside the valid range for parameter \"%s\" (%g%s%s .. %g%s%s)",
							  newval->r, sp, unit, var->name,
							  var->u.r.min, sp, unit, var->u.r.max, sp, unit);
					return false;
				}
			}
			if (var->u.r.check && !var->u.r.check(&newval->r, newextra, source))
			{
				snprintf(msg, sizeof(msg), "invalid value for parameter \"%s\": %g",
						 var->name, newval->r);
				report_check_failure(elevel, msg);
				free(*newextra);
				return false;
			}
			return true;

		case GUCT_STRING:
			newval->s = guc_strdup(ERROR, value ? value : (var->u.s.boot ? var->u.s.boot : ""));
			if ((var->flags & GUC_IS_NAME) && strlen(newval->s) >= NAMEDATALEN)
				newval->s[NAMEDATALEN - 1] = '\0';
			if (var->u.s.check && !var->u.s.check(&newval->s, newextra, source))
			{
				snprintf(msg, sizeof(msg), "invalid value for parameter \"%s\": \"%s\"",
						 var->name, newval->s ? newval->s : "");
				free(newval->s);
				free(*newextra);
				report_check_failure(elevel, msg);
				return false;
			}
			return true;

		case GUCT_ENUM:
			if (value == NULL)
				newval->i = var->u.e.boot;
			else if (!config_enum_lookup_by_name(var->u.e.options, value, &newval->i))
			{
				char		h[1024];

				enum_values_hint(var->u.e.options, h, sizeof(h));
				guc_error(elevel, ERRCODE_INVALID_PARAMETER_VALUE, NULL, h,
						  "invalid value for parameter \"%s\": \"%s\"",
						  var->name, value);
				return false;
			}
			if (var->u.e.check && !var->u.e.check(&newval->i, newextra, source))
			{
				const char *n = config_enum_lookup_by_value(var->u.e.options, newval->i);

				snprintf(msg, sizeof(msg), "invalid value for parameter \"%s\": \"%s\"",
						 var->name, n ? n : "");
				report_check_failure(elevel, msg);
				free(*newextra);
				return false;
			}
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Showing values
 * ------------------------------------------------------------------------ */

/* Best unit to show an int in: the largest that divides it exactly. */
static void
format_int_with_unit(int value, int flags, char *buf, size_t len)
{
	const UnitFactor *table = (flags & GUC_UNIT_MEMORY) ? memory_units : time_units;
	double		bytes = (double) value * base_unit_size(flags);
	int			i;

	if (value > 0 && (flags & GUC_UNIT))
	{
		for (i = 0; table[i].name != NULL; i++)
		{
			double		n = bytes / table[i].factor;

			/* a unit up to the base unit always fits; larger ones must divide */
			if (table[i].factor <= base_unit_size(flags) || n == round_even(n))
			{
				snprintf(buf, len, "%.0f%s", n, table[i].name);
				return;
			}
		}
	}
	snprintf(buf, len, "%d", value);
}

/*
 * A real with units, as SHOW prints it: the largest unit in which it is a
 * whole number (within 1e-8, so that rounding in the division does not
 * push it to a tiny unit), else the smallest unit; units below the base
 * unit count too ("1500us" for 1.5 ms).
 */
static void
format_real_with_unit(double value, int flags, char *buf, size_t len)
{
	const UnitFactor *table = (flags & GUC_UNIT_MEMORY) ? memory_units : time_units;
	double		base = value * base_unit_size(flags);
	double		n = value;
	const char *unit = "";
	int			i;

	if (value > 0 && (flags & GUC_UNIT))
	{
		for (i = 0; table[i].name != NULL; i++)
		{
			double		off;

			n = base / table[i].factor;
			unit = table[i].name;
			off = round_even(n) / n - 1.0;
			if (off <= 1e-8 && off >= -1e-8)
				break;
		}
	}
	snprintf(buf, len, "%g%s", n, unit);
}

/*
 * The value as a string: raw (GetConfigOption) or for display with units
 * and the show hook (GetConfigOptionByName).  Numbers go into buf.
 */
static const char *
value_string(GucVar *var, bool for_display, char *buf, size_t len)
{
	if (for_display && var->show_hook)
	{
		const char *s = var->show_hook();

		return s ? s : "";
	}
	switch (var->type)
	{
		case GUCT_BOOL:
			return *var->u.b.var ? "on" : "off";
		case GUCT_INT:
			if (for_display)
				format_int_with_unit(*var->u.i.var, var->flags, buf, len);
			else
				snprintf(buf, len, "%d", *var->u.i.var);
			return buf;
		case GUCT_REAL:
			if (for_display)
				format_real_with_unit(*var->u.r.var, var->flags, buf, len);
			else
				snprintf(buf, len, "%g", *var->u.r.var);
			return buf;
		case GUCT_STRING:
			return *var->u.s.var ? *var->u.s.var : "";
		case GUCT_ENUM:
			{
				const char *n = config_enum_lookup_by_value(var->u.e.options, *var->u.e.var);

				return n ? n : "";
			}
	}
	return "";
}

static char getconfig_buf[1024];

const char *
GetConfigOption(const char *name, bool missing_ok, bool restrict_privileged)
{
	GucVar	   *var = find_var(name);

	if (var == NULL)
	{
		if (!missing_ok)
			guc_error(ERROR, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
					  "unrecognized configuration parameter \"%s\"", name);
		return NULL;
	}
	/* every process of this host runs as the one owner: no privilege check */
	return value_string(var, false, getconfig_buf, sizeof(getconfig_buf));
}

const char *
GetConfigOptionResetString(const char *name)
{
	GucVar	   *var = find_var(name);

	if (var == NULL)
	{
		guc_error(ERROR, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
				  "unrecognized configuration parameter \"%s\"", name);
		return NULL;
	}
	switch (var->type)
	{
		case GUCT_BOOL:
			return var->u.b.reset ? "on" : "off";
		case GUCT_INT:
			snprintf(getconfig_buf, sizeof(getconfig_buf), "%d", var->u.i.reset);
			return getconfig_buf;
		case GUCT_REAL:
			snprintf(getconfig_buf, sizeof(getconfig_buf), "%g", var->u.r.reset);
			return getconfig_buf;
		case GUCT_STRING:
			return var->u.s.reset ? var->u.s.reset : "";
		case GUCT_ENUM:
			{
				const char *n = config_enum_lookup_by_value(var->u.e.options, var->u.e.reset);

				return n ? n : "";
			}
	}
	return NULL;
}

int
GetConfigOptionFlags(const char *name, bool missing_ok)
{
	GucVar	   *var = find_var(name);

	if (var == NULL)
	{
		if (!missing_ok)
			guc_error(ERROR, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
					  "unrecognized configuration parameter \"%s\"", name);
		return 0;
	}
	return var->flags;
}

char *
GetConfigOptionByName(const char *name, const char **varname, bool missing_ok)
{
	GucVar	   *var = find_var(name);
	char		buf[1024];

	if (var == NULL)
	{
		if (!missing_ok)
			guc_error(ERROR, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
					  "unrecognized configuration parameter \"%s\"", name);
		if (varname)
			*varname = NULL;
		return NULL;
	}
	if (varname)
		*varname = var->name;
	return pstrdup(value_string(var, true, buf, sizeof(buf)));
}

/* ------------------------------------------------------------------------
 * Setting values
 * ------------------------------------------------------------------------ */

/* Is value for var the same as its current value?  (Invalid: no.) */
static bool
same_as_current(GucVar *var, const char *value)
{
	GucValue	v;
	void	   *extra;
	bool		same = false;
	GucCapture *saved = guc_capture;

	guc_capture = NULL;
	if (!parse_and_check(var, value, PGC_S_FILE, 0, &v, &extra))
	{
		guc_capture = saved;
		return false;
	}
	guc_capture = saved;
	switch (var->type)
	{
		case GUCT_BOOL:
			same = v.b == *var->u.b.var;
			break;
		case GUCT_INT:
		case GUCT_ENUM:
			same = v.i == *(var->type == GUCT_INT ? var->u.i.var : var->u.e.var);
			break;
		case GUCT_REAL:
			same = v.r == *var->u.r.var;
			break;
		case GUCT_STRING:
			same = strcmp(v.s ? v.s : "", *var->u.s.var ? *var->u.s.var : "") == 0;
			free(v.s);
			break;
	}
	free(extra);
	return same;
}

/* Free an extra pointer unless still referenced. */
static void
maybe_free_extra(GucVar *var, void *extra)
{
	if (extra != NULL && extra != var->extra && extra != var->reset_extra)
		free(extra);
}

/* Free a string value unless still referenced. */
static void
maybe_free_string(GucVar *var, char *s)
{
	if (s != NULL && s != *var->u.s.var && s != var->u.s.reset)
		free(s);
}

/*
 * Store a checked value: as current value (set_current) and/or as reset
 * value (set_reset), calling the assign hook for the current one.
 */
static void
store_value(GucVar *var, GucValue *v, void *extra, bool set_current,
			bool set_reset)
{
	void	   *old_extra = var->extra;
	void	   *old_reset_extra = var->reset_extra;

	switch (var->type)
	{
		case GUCT_BOOL:
			if (set_current)
			{
				if (var->u.b.assign)
					var->u.b.assign(v->b, extra);
				*var->u.b.var = v->b;
			}
			if (set_reset)
				var->u.b.reset = v->b;
			break;
		case GUCT_INT:
			if (set_current)
			{
				if (var->u.i.assign)
					var->u.i.assign(v->i, extra);
				*var->u.i.var = v->i;
			}
			if (set_reset)
				var->u.i.reset = v->i;
			break;
		case GUCT_REAL:
			if (set_current)
			{
				if (var->u.r.assign)
					var->u.r.assign(v->r, extra);
				*var->u.r.var = v->r;
			}
			if (set_reset)
				var->u.r.reset = v->r;
			break;
		case GUCT_ENUM:
			if (set_current)
			{
				if (var->u.e.assign)
					var->u.e.assign(v->i, extra);
				*var->u.e.var = v->i;
			}
			if (set_reset)
				var->u.e.reset = v->i;
			break;
		case GUCT_STRING:
			{
				char	   *old_cur = *var->u.s.var;
				char	   *old_reset = var->u.s.reset;

				if (set_current)
				{
					if (var->u.s.assign)
						var->u.s.assign(v->s, extra);
					*var->u.s.var = v->s;
				}
				if (set_reset)
					var->u.s.reset = v->s;
				maybe_free_string(var, old_cur);
				if (old_reset != old_cur)
					maybe_free_string(var, old_reset);
				if (!set_current && !set_reset)
					maybe_free_string(var, v->s);
				break;
			}
	}
	if (set_current)
		var->extra = extra;
	if (set_reset)
		var->reset_extra = extra;
	maybe_free_extra(var, old_extra);
	if (old_reset_extra != old_extra)
		maybe_free_extra(var, old_reset_extra);
	maybe_free_extra(var, extra);
}

/* Resolve elevel 0 as PostgreSQL does. */
static int
default_elevel(GucSource source)
{
	if (source == PGC_S_DEFAULT || source == PGC_S_FILE)
		return IsUnderPostmaster ? DEBUG3 : LOG;
	if (source == PGC_S_GLOBAL || source == PGC_S_DATABASE ||
		source == PGC_S_USER || source == PGC_S_DATABASE_USER)
		return WARNING;
	return ERROR;
}

/*
 * The context rules: may a setting made in context change var?  Returns 1
 * if yes, -1 if the request is to be ignored silently, 0 after reporting
 * an error.
 */
static int
check_context(GucVar *var, const char *value, GucContext context,
			  bool changeVal, int elevel)
{
	switch (var->context)
	{
		case PGC_INTERNAL:
			if (context != PGC_INTERNAL)
			{
				guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
						  "parameter \"%s\" cannot be changed", var->name);
				return 0;
			}
			break;
		case PGC_POSTMASTER:
			if (context == PGC_SIGHUP)
			{
				if (changeVal && value != NULL && !same_as_current(var, value))
				{
					guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
							  "parameter \"%s\" cannot be changed without restarting the server",
							  var->name);
					return 0;
				}
				return -1;
			}
			if (context != PGC_POSTMASTER && context != PGC_INTERNAL)
			{
				guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
						  "parameter \"%s\" cannot be changed without restarting the server",
						  var->name);
				return 0;
			}
			break;
		case PGC_SIGHUP:
			if (context != PGC_SIGHUP && context != PGC_POSTMASTER &&
				context != PGC_INTERNAL)
			{
				guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
						  "parameter \"%s\" cannot be changed now", var->name);
				return 0;
			}
			break;
		case PGC_SU_BACKEND:
		case PGC_BACKEND:
			if (context == PGC_SIGHUP)
			{
				/* fixed for the life of a child once it started */
				if (IsUnderPostmaster)
					return -1;
			}
			else if (context != PGC_POSTMASTER && context != PGC_INTERNAL &&
					 context != PGC_BACKEND && context != PGC_SU_BACKEND)
			{
				guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
						  "parameter \"%s\" cannot be set after connection start",
						  var->name);
				return 0;
			}
			break;
		case PGC_SUSET:
			if (context == PGC_USERSET || context == PGC_BACKEND)
			{
				guc_error(elevel, ERRCODE_INSUFFICIENT_PRIVILEGE, NULL, NULL,
						  "permission denied to set parameter \"%s\"", var->name);
				return 0;
			}
			break;
		case PGC_USERSET:
			break;
	}
	return 1;
}

/*
 * The workhorse of set_config_option.  *var_out gets the parameter (if
 * found) so that callers can record where the value came from.
 */
static int
set_option_internal(const char *name, const char *value, GucContext context,
					GucSource source, bool changeVal, int elevel,
					GucVar **var_out)
{
	GucVar	   *var;
	GucValue	v;
	void	   *extra;
	bool		set_current,
				set_reset;
	int			rc;

	if (var_out)
		*var_out = NULL;
	if (elevel == 0)
		elevel = default_elevel(source);
	bgw_guc_init();

	var = find_option(name, true, true, elevel);
	if (var == NULL)
		return 0;
	if (var_out)
		*var_out = var;

	if (source == PGC_S_FILE && (var->flags & GUC_DISALLOW_IN_FILE))
	{
		guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
				  "parameter \"%s\" cannot be changed", var->name);
		return 0;
	}

	/* a higher-priority source already set it: keep that (-c beats the file) */
	if (var->source > source)
	{
		if (!parse_and_check(var, value, source, elevel, &v, &extra))
			return 0;
		set_reset = changeVal && source <= PGC_S_OVERRIDE && var->reset_source <= source;
		if (set_reset)
		{
			store_value(var, &v, extra, false, true);
			var->reset_source = source;
			var->reset_scontext = context;
		}
		else
		{
			if (var->type == GUCT_STRING)
				free(v.s);
			free(extra);
		}
		return -1;
	}

	rc = check_context(var, value, context, changeVal, elevel);
	if (rc <= 0)
		return rc;

	if (!parse_and_check(var, value, source, elevel, &v, &extra))
		return 0;

	if (!changeVal)
	{
		if (var->type == GUCT_STRING)
			free(v.s);
		free(extra);
		return 1;
	}

	set_current = true;
	set_reset = source <= PGC_S_OVERRIDE && var->reset_source <= source;
	store_value(var, &v, extra, set_current, set_reset);
	var->source = source;
	var->scontext = context;
	if (set_reset)
	{
		var->reset_source = source;
		var->reset_scontext = context;
	}
	if (source != PGC_S_FILE)
	{
		free(var->sourcefile);
		var->sourcefile = NULL;
		var->sourceline = 0;
	}
	return 1;
}

int
set_config_option(const char *name, const char *value, GucContext context,
				  GucSource source, GucAction action, bool changeVal,
				  int elevel, bool is_reload)
{
	return set_option_internal(name, value, context, source, changeVal,
							   elevel, NULL);
}

void
SetConfigOption(const char *name, const char *value, GucContext context,
				GucSource source)
{
	(void) set_config_option(name, value, context, source, GUC_ACTION_SET,
							 true, 0, false);
}

void
ParseLongOption(const char *string, char **name, char **value)
{
	const char *eq = strchr(string, '=');
	size_t		len = eq ? (size_t) (eq - string) : strlen(string);
	char	   *cp;

	*name = guc_malloc(ERROR, len + 1);
	memcpy(*name, string, len);
	(*name)[len] = '\0';
	*value = eq ? guc_strdup(ERROR, eq + 1) : NULL;
	for (cp = *name; *cp; cp++)
		if (*cp == '-')
			*cp = '_';
}

/* ------------------------------------------------------------------------
 * Defining parameters
 * ------------------------------------------------------------------------ */

static GucVar *
new_var(const char *name, GucType type, const char *short_desc,
		const char *long_desc, GucContext context, int flags)
{
	GucVar	   *var = guc_malloc(ERROR, sizeof(GucVar));

	memset(var, 0, sizeof(*var));
	var->name = guc_strdup(ERROR, name);
	var->type = type;
	var->context = context;
	var->flags = flags;
	var->short_desc = short_desc;
	var->long_desc = long_desc;
	var->source = PGC_S_DEFAULT;
	var->reset_source = PGC_S_DEFAULT;
	var->scontext = PGC_INTERNAL;
	var->reset_scontext = PGC_INTERNAL;
	return var;
}

/*
 * Give a new parameter its boot value (through the check and assign
 * hooks, as PostgreSQL does).  A boot value the check hook rejects is a
 * programming error of the definer: FATAL.
 */
static void
init_boot_value(GucVar *var)
{
	GucValue	v;
	void	   *extra;
	GucCapture *saved = guc_capture;

	guc_capture = NULL;
	if (!parse_and_check(var, NULL, PGC_S_DEFAULT, FATAL, &v, &extra))
	{
		guc_capture = saved;
		return;
	}
	guc_capture = saved;
	if (var->type == GUCT_STRING)
	{
		/* nothing stored yet: start from an empty slate */
		*var->u.s.var = NULL;
		var->u.s.reset = NULL;
	}
	store_value(var, &v, extra, true, true);
}

/*
 * Add a defined parameter, taking over a placeholder of the same name:
 * its value is applied to the new parameter with its original source and
 * context; a bad value gets a WARNING and the boot value stays.
 */
static void
define_var(GucVar *var)
{
	GucVar	   *ph = find_var(var->name);

	if (ph != NULL && !(ph->flags & GUC_CUSTOM_PLACEHOLDER))
	{
		const char *n = var->name;

		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("attempt to redefine parameter \"%s\"", n)));
	}

	init_boot_value(var);
	if (ph == NULL)
	{
		add_var(var);
		return;
	}

	/* replace the placeholder in place, then re-apply its setting */
	{
		int			i;

		for (i = 0; i < num_guc_vars; i++)
			if (guc_vars[i] == ph)
				guc_vars[i] = var;
	}
	if (ph->source != PGC_S_DEFAULT && ph->placeholder_value != NULL)
	{
		GucVar	   *dummy;
		GucCapture *saved = guc_capture;
		const char *saved_file = current_file;
		int			saved_line = current_line;

		guc_capture = NULL;
		current_file = ph->sourcefile;
		current_line = ph->sourceline;
		if (set_option_internal(var->name, ph->placeholder_value, ph->scontext,
								ph->source, true, WARNING, &dummy) > 0 &&
			ph->sourcefile != NULL)
		{
			var->sourcefile = guc_strdup(ERROR, ph->sourcefile);
			var->sourceline = ph->sourceline;
		}
		guc_capture = saved;
		current_file = saved_file;
		current_line = saved_line;
	}
	free_var(ph);
}

/* Checks every module definition gets (PostgreSQL's rules). */
static void
check_custom_definition(const char *name, GucContext context, int flags)
{
	if (!guc_valid_custom_name(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid configuration parameter name \"%s\"", name),
				 errdetail("Custom parameter names must be two or more simple identifiers separated by dots.")));
	if (context == PGC_POSTMASTER && !process_shared_preload_libraries_in_progress)
		elog(FATAL, "cannot create PGC_POSTMASTER variables after startup");
	if (flags & GUC_LIST_QUOTE)
		elog(FATAL, "extensions cannot define GUC_LIST_QUOTE variables");
}

void
DefineCustomBoolVariable(const char *name, const char *short_desc,
						 const char *long_desc, bool *valueAddr, bool bootValue,
						 GucContext context, int flags,
						 GucBoolCheckHook check_hook,
						 GucBoolAssignHook assign_hook, GucShowHook show_hook)
{
	GucVar	   *var;

	bgw_guc_init();
	check_custom_definition(name, context, flags);
	var = new_var(name, GUCT_BOOL, short_desc, long_desc, context, flags);
	var->u.b.var = valueAddr;
	var->u.b.boot = bootValue;
	var->u.b.check = check_hook;
	var->u.b.assign = assign_hook;
	var->show_hook = show_hook;
	define_var(var);
}

void
DefineCustomIntVariable(const char *name, const char *short_desc,
						const char *long_desc, int *valueAddr, int bootValue,
						int minValue, int maxValue, GucContext context,
						int flags, GucIntCheckHook check_hook,
						GucIntAssignHook assign_hook, GucShowHook show_hook)
{
	GucVar	   *var;

	bgw_guc_init();
	check_custom_definition(name, context, flags);
	var = new_var(name, GUCT_INT, short_desc, long_desc, context, flags);
	var->u.i.var = valueAddr;
	var->u.i.boot = bootValue;
	var->u.i.min = minValue;
	var->u.i.max = maxValue;
	var->u.i.check = check_hook;
	var->u.i.assign = assign_hook;
	var->show_hook = show_hook;
	define_var(var);
}

void
DefineCustomRealVariable(const char *name, const char *short_desc,
						 const char *long_desc, double *valueAddr,
						 double bootValue, double minValue, double maxValue,
						 GucContext context, int flags,
						 GucRealCheckHook check_hook,
						 GucRealAssignHook assign_hook, GucShowHook show_hook)
{
	GucVar	   *var;

	bgw_guc_init();
	check_custom_definition(name, context, flags);
	var = new_var(name, GUCT_REAL, short_desc, long_desc, context, flags);
	var->u.r.var = valueAddr;
	var->u.r.boot = bootValue;
	var->u.r.min = minValue;
	var->u.r.max = maxValue;
	var->u.r.check = check_hook;
	var->u.r.assign = assign_hook;
	var->show_hook = show_hook;
	define_var(var);
}

void
DefineCustomStringVariable(const char *name, const char *short_desc,
						   const char *long_desc, char **valueAddr,
						   const char *bootValue, GucContext context, int flags,
						   GucStringCheckHook check_hook,
						   GucStringAssignHook assign_hook,
						   GucShowHook show_hook)
{
	GucVar	   *var;

	bgw_guc_init();
	check_custom_definition(name, context, flags);
	var = new_var(name, GUCT_STRING, short_desc, long_desc, context, flags);
	var->u.s.var = valueAddr;
	var->u.s.boot = bootValue;
	var->u.s.check = check_hook;
	var->u.s.assign = assign_hook;
	var->show_hook = show_hook;
	define_var(var);
}

void
DefineCustomEnumVariable(const char *name, const char *short_desc,
						 const char *long_desc, int *valueAddr, int bootValue,
						 const struct config_enum_entry *options,
						 GucContext context, int flags,
						 GucEnumCheckHook check_hook,
						 GucEnumAssignHook assign_hook, GucShowHook show_hook)
{
	GucVar	   *var;

	bgw_guc_init();
	check_custom_definition(name, context, flags);
	var = new_var(name, GUCT_ENUM, short_desc, long_desc, context, flags);
	var->u.e.var = valueAddr;
	var->u.e.boot = bootValue;
	var->u.e.options = options;
	var->u.e.check = check_hook;
	var->u.e.assign = assign_hook;
	var->show_hook = show_hook;
	define_var(var);
}

void
bgw_guc_define_bool(const char *name, const char *desc, bool *var, bool boot,
					GucContext context, int flags, GucBoolCheckHook check,
					GucBoolAssignHook assign)
{
	GucVar	   *v = new_var(name, GUCT_BOOL, desc, NULL, context, flags);

	v->u.b.var = var;
	v->u.b.boot = boot;
	v->u.b.check = check;
	v->u.b.assign = assign;
	define_var(v);
}

void
bgw_guc_define_int(const char *name, const char *desc, int *var, int boot,
				   int min, int max, GucContext context, int flags,
				   GucIntCheckHook check, GucIntAssignHook assign)
{
	GucVar	   *v = new_var(name, GUCT_INT, desc, NULL, context, flags);

	v->u.i.var = var;
	v->u.i.boot = boot;
	v->u.i.min = min;
	v->u.i.max = max;
	v->u.i.check = check;
	v->u.i.assign = assign;
	define_var(v);
}

void
bgw_guc_define_string(const char *name, const char *desc, char **var,
					  const char *boot, GucContext context, int flags,
					  GucStringCheckHook check, GucStringAssignHook assign)
{
	GucVar	   *v = new_var(name, GUCT_STRING, desc, NULL, context, flags);

	v->u.s.var = var;
	v->u.s.boot = boot;
	v->u.s.check = check;
	v->u.s.assign = assign;
	define_var(v);
}

void
bgw_guc_define_enum(const char *name, const char *desc, int *var, int boot,
					const struct config_enum_entry *options, GucContext context,
					int flags, GucEnumCheckHook check, GucEnumAssignHook assign)
{
	GucVar	   *v = new_var(name, GUCT_ENUM, desc, NULL, context, flags);

	v->u.e.var = var;
	v->u.e.boot = boot;
	v->u.e.options = options;
	v->u.e.check = check;
	v->u.e.assign = assign;
	define_var(v);
}

void
MarkGUCPrefixReserved(const char *className)
{
	size_t		len = strlen(className);
	int			i;

	bgw_guc_init();
	for (i = 0; i < num_guc_vars; i++)
	{
		GucVar	   *var = guc_vars[i];

		if ((var->flags & GUC_CUSTOM_PLACEHOLDER) &&
			pg_strncasecmp(className, var->name, len) == 0 &&
			var->name[len] == GUC_QUALIFIER_SEPARATOR)
		{
			char		detail[256];

			snprintf(detail, sizeof(detail), "\"%s\" is now a reserved prefix.", className);
			current_file = var->sourcefile;
			current_line = var->sourceline;
			guc_error(WARNING, ERRCODE_INVALID_NAME, detail, NULL,
					  "invalid configuration parameter name \"%s\", removing it",
					  var->name);
			current_file = NULL;
			remove_var(var);
			free_var(var);
			i--;
		}
	}
	reserved_prefixes = guc_realloc(ERROR, reserved_prefixes,
									(num_reserved_prefixes + 1) * sizeof(char *));
	reserved_prefixes[num_reserved_prefixes++] = guc_strdup(ERROR, className);
}

/* ------------------------------------------------------------------------
 * The configuration file: at start and on reload
 * ------------------------------------------------------------------------ */

void
bgw_guc_init(void)
{
	if (guc_initialized)
		return;
	guc_initialized = true;
	bgw_guc_define_builtins();
}

/*
 * Read ConfigFileName and apply it in context (PGC_POSTMASTER at start,
 * PGC_SIGHUP on reload), reporting problems at elevel.  Returns false if
 * there was any problem.  The rules are PostgreSQL's: a syntax error or
 * an unknown parameter means nothing is applied; otherwise every good
 * setting is applied and the bad ones keep their old values; a parameter
 * that disappeared from the file goes back to its default.
 */
static bool
process_config_file(GucContext context, int elevel)
{
	ConfigVariable *head = NULL,
			   *tail = NULL,
			   *item;
	bool		error = false;
	bool		applying = false;

	/*
	 * The supervisor reports what a reload changed, comparing raw values (a
	 * setting new to the file counts as changed from ""), and names the
	 * value as the file wrote it; as PostgreSQL's postmaster, which alone
	 * reports it.
	 */
	bool		report_changes = context == PGC_SIGHUP && !IsUnderPostmaster;
	const char *file_with_error = ConfigFileName;
	char	   *file_with_error_copy = NULL;
	int			i;

	if (ConfigFileName == NULL)
		return true;
	bgw_guc_init();

	if (!guc_parse_file(ConfigFileName, true, NULL, 0, CONF_FILE_START_DEPTH,
						&head, &tail))
	{
		for (item = head; item != NULL; item = item->next)
		{
			if (item->errmsg == NULL)
				continue;
			current_file = NULL;
			guc_error(elevel, ERRCODE_CONFIG_FILE_ERROR, NULL, NULL, "%s", item->errmsg);
		}
		error = true;
		if (!guc_check_all)
			goto bail_out;
	}

	for (i = 0; i < num_guc_vars; i++)
		guc_vars[i]->file_item = NULL;

	/* which parameters the file sets; the last setting of each wins */
	for (item = head; item != NULL; item = item->next)
	{
		GucVar	   *var;

		if (item->errmsg != NULL || item->ignore)
			continue;
		var = find_var(item->name);
		if (var != NULL)
		{
			if (var->file_item != NULL)
				var->file_item->ignore = true;
			var->file_item = item;
		}
		else if (!guc_valid_custom_name(item->name))
		{
			current_file = NULL;
			guc_error(elevel, ERRCODE_UNDEFINED_OBJECT, NULL, NULL,
					  "unrecognized configuration parameter \"%s\" in file \"%s\" line %d",
					  item->name, item->filename, item->sourceline);
			error = true;
			file_with_error = item->filename;
			item->ignore = true;	/* reported once, also when guc_check_all */
		}
	}
	if (error && !guc_check_all)
		goto bail_out;

	/* parameters set from the file before and now gone: back to default */
	for (i = 0; i < num_guc_vars; i++)
	{
		GucVar	   *var = guc_vars[i];
		if (var->file_item != NULL || var->source != PGC_S_FILE)
			continue;
		if (var->context < PGC_SIGHUP)
		{
			guc_error(elevel, ERRCODE_CANT_CHANGE_RUNTIME_PARAM, NULL, NULL,
					  "parameter \"%s\" cannot be changed without restarting the server",
					  var->name);
			error = true;
			file_with_error = ConfigFileName;
			continue;
		}
		if ((var->context == PGC_BACKEND || var->context == PGC_SU_BACKEND) &&
			IsUnderPostmaster)
			continue;
		/* let the default (and later settings) take over again */
		var->source = PGC_S_DEFAULT;
		var->reset_source = PGC_S_DEFAULT;
		free(var->sourcefile);
		var->sourcefile = NULL;
		if (set_option_internal(var->name, NULL, context, PGC_S_DEFAULT, true,
								elevel, NULL) > 0)
		{
			if (context == PGC_SIGHUP)
				guc_error(elevel, 0, NULL, NULL,
						  "parameter \"%s\" removed from configuration file, reset to default",
						  var->name);
		}
	}

	applying = true;
	for (item = head; item != NULL; item = item->next)
	{
		GucVar	   *var = NULL;
		char		before[1024] = "",
					buf[1024];
		int			rc;

		if (item->errmsg != NULL || item->ignore)
			continue;
		if (report_changes)
		{
			GucVar	   *old = find_var(item->name);

			if (old != NULL)
				strlcpy(before, value_string(old, false, buf, sizeof(buf)), sizeof(before));
		}
		current_file = item->filename;
		current_line = item->sourceline;
		rc = set_option_internal(item->name, item->value, context, PGC_S_FILE,
								 true, elevel, &var);
		current_file = NULL;
		if (rc > 0 && var != NULL)
		{
			free(var->sourcefile);
			var->sourcefile = guc_strdup(ERROR, item->filename);
			var->sourceline = item->sourceline;
			if (report_changes)
			{
				const char *after = value_string(var, false, buf, sizeof(buf));

				if (strcmp(before, after) != 0 && (var->flags & GUC_BGW_SECRET))
					guc_error(elevel, 0, NULL, NULL,
							  "parameter \"%s\" changed (the value is not shown: it may hold a password)",
							  item->name);
				else if (strcmp(before, after) != 0)
					guc_error(elevel, 0, NULL, NULL,
							  "parameter \"%s\" changed to \"%s\"",
							  item->name, item->value);
			}
		}
		else if (rc == 0)
		{
			error = true;
			free(file_with_error_copy);
			file_with_error_copy = guc_strdup(ERROR, item->filename);
			file_with_error = file_with_error_copy;
		}
		else
			item->applied = true;
	}

bail_out:
	if (report_changes)
		last_reload_outcome = !error ? BGW_RELOAD_APPLIED :
			applying ? BGW_RELOAD_PARTLY : BGW_RELOAD_NOT_APPLIED;
	/* the summary line is the outcome, not one more problem */
	guc_collecting_summary = guc_collecting;
	guc_collecting = false;
	if (error && context != PGC_POSTMASTER)
	{
		if (applying)
			guc_error(elevel, ERRCODE_CONFIG_FILE_ERROR, NULL, NULL,
					  "configuration file \"%s\" contains errors; unaffected changes were applied",
					  file_with_error);
		else
			guc_error(elevel, ERRCODE_CONFIG_FILE_ERROR, NULL, NULL,
					  "configuration file \"%s\" contains errors; no changes were applied",
					  file_with_error);
	}
	guc_collecting = guc_collecting_summary;
	free(file_with_error_copy);
	FreeConfigVariables(head);
	return !error;
}

void
ProcessConfigFile(GucContext context)
{
	int			elevel = IsUnderPostmaster ? DEBUG2 : LOG;

	/* the supervisor keeps what its reload reported, for `bgworker reload` */
	if (!IsUnderPostmaster)
		bgw_guc_collect_begin(false);
	(void) process_config_file(context == PGC_POSTMASTER ? PGC_POSTMASTER : PGC_SIGHUP,
							   elevel);
	if (!IsUnderPostmaster)
		bgw_guc_collect_end();
	/* the log's cached time zone (TZ may have changed) */
	bgw_elog_reset_log_zone();
}

bool
bgw_guc_load(const char *config_file, int nopts,
			 const char *const *names, const char *const *values,
			 char *errbuf, size_t errlen)
{
	GucCapture	cap;
	int			i;
	bool		ok = true;

	memset(&cap, 0, sizeof(cap));
	memset(&last_load_error, 0, sizeof(last_load_error));
	if (errlen > 0)
		errbuf[0] = '\0';
	bgw_guc_init();

	guc_capture = &cap;

	/* -c settings first; the file then cannot override them */
	for (i = 0; i < nopts && !cap.set; i++)
	{
		current_file = NULL;
		if (set_option_internal(names[i], values[i], PGC_POSTMASTER, PGC_S_ARGV,
								true, ERROR, NULL) == 0)
			ok = false;
	}

	if (ok && config_file != NULL && config_file[0] != '\0')
	{
		free(ConfigFileName);
		ConfigFileName = guc_absolute_location(config_file, NULL);
		if (!process_config_file(PGC_POSTMASTER, ERROR))
			ok = false;
	}

	guc_capture = NULL;
	current_file = NULL;
	if (!ok || cap.set)
	{
		last_load_error = cap;
		if (!cap.set)
			strlcpy(last_load_error.message, "configuration file contains errors",
					sizeof(last_load_error.message));
		if (errlen > 0)
		{
			if (last_load_error.file[0] != '\0')
				snprintf(errbuf, errlen, "%s in file \"%s\" line %d",
						 last_load_error.message, last_load_error.file,
						 last_load_error.line);
			else
				strlcpy(errbuf, last_load_error.message, errlen);
		}
		return false;
	}
	return true;
}

/*
 * Before a second start of the supervisor in the same process (an
 * embedder's): the modules stay loaded and their parameters defined, as a
 * library is initialised once per process; every parameter goes back to
 * its boot value, as at a first start, and the placeholders the last
 * configuration made are dropped, so that bgw_guc_load then applies the
 * new configuration alone.  Supervisor only, while no worker exists.
 */
void
bgw_guc_reset_for_restart(void)
{
	for (int i = num_guc_vars - 1; i >= 0; i--)
	{
		GucVar	   *var = guc_vars[i];

		if (var->flags & GUC_CUSTOM_PLACEHOLDER)
		{
			remove_var(var);
			free_var(var);
			continue;
		}
		if (var->type == GUCT_STRING)
		{
			/* init_boot_value starts strings from an empty slate */
			if (var->u.s.reset != *var->u.s.var)
				free(var->u.s.reset);
			free(*var->u.s.var);
		}
		init_boot_value(var);
		var->source = var->reset_source = PGC_S_DEFAULT;
		var->scontext = var->reset_scontext = PGC_INTERNAL;
		free(var->sourcefile);
		var->sourcefile = NULL;
		var->sourceline = 0;
	}
	free(ConfigFileName);
	ConfigFileName = NULL;
}

bool
bgw_guc_check(const char *config_file, int nopts,
			  const char *const *names, const char *const *values)
{
	bool		ok = true;

	bgw_guc_init();
	bgw_guc_collect_begin(true);
	for (int i = 0; i < nopts; i++)
	{
		current_file = NULL;
		if (set_option_internal(names[i], values[i], PGC_POSTMASTER, PGC_S_ARGV,
								true, ERROR, NULL) == 0)
			ok = false;
	}
	if (config_file != NULL && config_file[0] != '\0')
	{
		free(ConfigFileName);
		ConfigFileName = guc_absolute_location(config_file, NULL);
		guc_check_all = true;
		if (!process_config_file(PGC_POSTMASTER, ERROR))
			ok = false;
		guc_check_all = false;
	}
	current_file = NULL;
	return ok;
}

void
bgw_guc_last_error(const char **message, const char **detail, const char **hint)
{
	*message = last_load_error.message;
	*detail = last_load_error.detail;
	*hint = last_load_error.hint;
}

#ifdef BGW_TEST_HOOKS
void
bgw_guc_reset_for_test(void)
{
	int			i;

	for (i = num_guc_vars - 1; i >= 0; i--)
		free_var(guc_vars[i]);
	num_guc_vars = 0;
	for (i = 0; i < num_reserved_prefixes; i++)
		free(reserved_prefixes[i]);
	num_reserved_prefixes = 0;
	free(ConfigFileName);
	ConfigFileName = NULL;
	guc_initialized = false;
	bgw_guc_init();
}
#endif							/* BGW_TEST_HOOKS */
