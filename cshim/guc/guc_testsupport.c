//go:build bgworker_testhooks

/*-------------------------------------------------------------------------
 *
 * guc_testsupport.c
 *	  Test hooks of the guc area, compiled into the package so that the Go
 *	  tests (which cannot use cgo themselves) can define module parameters
 *	  as a module's _PG_init would, set values, catch ERRORs and read what
 *	  was logged.  Nothing in the runtime calls these.  Supervisor process
 *	  (the test binary) only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "guc_int.h"
#include "guc_testsupport.h"

#define TEST_SLOTS 64

/* Storage of the test parameters, as a module's static variables. */
static bool test_bools[TEST_SLOTS];
static int	test_ints[TEST_SLOTS];
static double test_reals[TEST_SLOTS];
static char *test_strings[TEST_SLOTS];
static int	test_enums[TEST_SLOTS];
static int	nslots;

static int	assign_calls;

static const struct config_enum_entry test_enum_options[] = {
	{"red", 1, false},
	{"green", 2, false},
	{"blue", 3, false},
	{"grey", 2, true},
	{NULL, 0, false}
};

/*
 * Logged reports, one "LEVEL: message" line plus DETAIL/HINT lines each.
 * Allocated at the first capture, not static: 64 kB in the middle of the
 * package's .bss would spread the globals every worker writes over more
 * pages (each a copy-on-write fault per worker start).
 */
#define TEST_LOG_SIZE (1 << 16)
static char *test_log;
static size_t test_log_len;
static emit_log_hook_type prev_emit_log_hook;
static bool capturing;

static void
append_log(const char *fmt,...) pg_attribute_printf(1, 2);

static void
append_log(const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (test_log == NULL || test_log_len >= TEST_LOG_SIZE - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(test_log + test_log_len, TEST_LOG_SIZE - test_log_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		test_log_len = Min(test_log_len + (size_t) n, TEST_LOG_SIZE - 1);
}

static void
test_emit_log_hook(ErrorData *edata)
{
	append_log("%s: %s\n", error_severity(edata->elevel),
			   edata->message ? edata->message : "");
	if (edata->detail)
		append_log("DETAIL: %s\n", edata->detail);
	if (edata->hint)
		append_log("HINT: %s\n", edata->hint);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
bgw_guc_test_capture_log(bool on)
{
	if (on && !capturing)
	{
		prev_emit_log_hook = emit_log_hook;
		emit_log_hook = test_emit_log_hook;
	}
	else if (!on && capturing)
		emit_log_hook = prev_emit_log_hook;
	capturing = on;
	if (test_log == NULL)
		test_log = malloc(TEST_LOG_SIZE);
	test_log_len = 0;
	if (test_log != NULL)
		test_log[0] = '\0';
}

const char *
bgw_guc_test_log(void)
{
	if (test_log == NULL)
		return "";
	test_log[test_log_len] = '\0';
	return test_log;
}

static bool
check_not_thirteen(int *newval, void **extra, GucSource source)
{
	if (*newval == 13)
	{
		GUC_check_errdetail("Thirteen is not allowed.");
		GUC_check_errhint("Pick another number.");
		return false;
	}
	return true;
}

static void
count_int_assign(int newval, void *extra)
{
	assign_calls++;
}

int
bgw_guc_test_assign_calls(void)
{
	return assign_calls;
}

/* Copy the caught error into errbuf ("message|detail|hint") and flush it. */
static void
caught(char *errbuf, size_t errlen)
{
	ErrorData  *edata = CopyErrorData();

	snprintf(errbuf, errlen, "%s|%s|%s", edata->message ? edata->message : "",
			 edata->detail ? edata->detail : "", edata->hint ? edata->hint : "");
	FlushErrorState();
}

int
bgw_guc_test_define(int kind, const char *name, int context, int flags,
					const char *boot, int min, int max, bool preload,
					bool hooks, char *errbuf, size_t errlen)
{
	volatile int slot = nslots;
	volatile bool failed = false;
	bool		saved = process_shared_preload_libraries_in_progress;

	errbuf[0] = '\0';
	if (slot >= TEST_SLOTS)
		return -1;
	process_shared_preload_libraries_in_progress = preload;
	PG_TRY();
	{
		switch (kind)
		{
			case BGW_GUC_TEST_BOOL:
				{
					bool		b = false;

					(void) parse_bool(boot, &b);
					DefineCustomBoolVariable(name, "test", NULL, &test_bools[slot],
											 b, (GucContext) context, flags,
											 NULL, NULL, NULL);
					break;
				}
			case BGW_GUC_TEST_INT:
				DefineCustomIntVariable(name, "test", NULL, &test_ints[slot],
										atoi(boot), min, max, (GucContext) context,
										flags, hooks ? check_not_thirteen : NULL,
										hooks ? count_int_assign : NULL, NULL);
				break;
			case BGW_GUC_TEST_REAL:
				DefineCustomRealVariable(name, "test", NULL, &test_reals[slot],
										 strtod(boot, NULL), min, max,
										 (GucContext) context, flags,
										 NULL, NULL, NULL);
				break;
			case BGW_GUC_TEST_STRING:
				DefineCustomStringVariable(name, "test", NULL, &test_strings[slot],
										   boot, (GucContext) context, flags,
										   NULL, NULL, NULL);
				break;
			case BGW_GUC_TEST_ENUM:
				{
					int			e = 1;

					(void) config_enum_lookup_by_name(test_enum_options, boot, &e);
					DefineCustomEnumVariable(name, "test", NULL, &test_enums[slot],
											 e, test_enum_options,
											 (GucContext) context, flags,
											 NULL, NULL, NULL);
					break;
				}
		}
	}
	PG_CATCH();
	{
		caught(errbuf, errlen);
		failed = true;
	}
	PG_END_TRY();
	process_shared_preload_libraries_in_progress = saved;
	if (failed)
		return -1;
	nslots++;
	return slot;
}

const char *
bgw_guc_test_variable(int kind, int slot, char *buf, size_t len)
{
	switch (kind)
	{
		case BGW_GUC_TEST_BOOL:
			return test_bools[slot] ? "true" : "false";
		case BGW_GUC_TEST_INT:
			snprintf(buf, len, "%d", test_ints[slot]);
			return buf;
		case BGW_GUC_TEST_REAL:
			snprintf(buf, len, "%g", test_reals[slot]);
			return buf;
		case BGW_GUC_TEST_STRING:
			return test_strings[slot] ? test_strings[slot] : "(null)";
		case BGW_GUC_TEST_ENUM:
			snprintf(buf, len, "%d", test_enums[slot]);
			return buf;
	}
	return "";
}

int
bgw_guc_test_set(const char *name, const char *value, int context, int source,
				 char *errbuf, size_t errlen)
{
	volatile int rc = 0;

	errbuf[0] = '\0';
	PG_TRY();
	{
		rc = set_config_option(name, value, (GucContext) context,
							   (GucSource) source, GUC_ACTION_SET, true, ERROR,
							   false);
	}
	PG_CATCH();
	{
		caught(errbuf, errlen);
		rc = -2;
	}
	PG_END_TRY();
	return rc;
}

bool
bgw_guc_test_show(const char *name, char *buf, size_t len)
{
	const char *varname;
	char	   *v = GetConfigOptionByName(name, &varname, true);

	if (v == NULL)
		return false;
	strlcpy(buf, v, len);
	pfree(v);
	return true;
}

bool
bgw_guc_test_reset_string(const char *name, char *buf, size_t len)
{
	const char *v;

	if (GetConfigOption(name, true, false) == NULL)
		return false;
	v = GetConfigOptionResetString(name);
	strlcpy(buf, v ? v : "", len);
	return true;
}

void
bgw_guc_test_reserve(const char *prefix)
{
	MarkGUCPrefixReserved(prefix);
}

void
bgw_guc_test_reload(bool as_child)
{
	bool		saved = IsUnderPostmaster;

	IsUnderPostmaster = as_child;
	ProcessConfigFile(PGC_SIGHUP);
	IsUnderPostmaster = saved;
}

void
bgw_guc_test_reset(void)
{
	int			i;

	bgw_guc_reset_for_test();
	for (i = 0; i < TEST_SLOTS; i++)
		test_strings[i] = NULL;
	nslots = 0;
	assign_calls = 0;
}
