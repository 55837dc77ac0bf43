/*-------------------------------------------------------------------------
 *
 * guc_builtin.c
 *	  The host's own parameters, with PostgreSQL's names, types, ranges,
 *	  contexts and defaults, the C globals that hold them, and their check
 *	  and assign hooks.
 *
 *	  Only the GUC-backed globals are defined here (including the two of
 *	  miscadmin.h that are parameters: max_worker_processes and
 *	  max_parallel_workers); the elog area's globals.c defines the rest.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <syslog.h>

#include "miscadmin.h"
#include "storage/dsm_impl.h"
#include "bgw_internal.h"
#include "guc_int.h"
#include "fork_int.h"

/* PostgreSQL's limits for these parameters. */
#define MAX_BACKENDS				0x3FFFF		/* 262143 */
#define MAX_PARALLEL_WORKER_LIMIT	1024

/* String defaults are literals until bgw_guc_init replaces them. */
char	   *shared_preload_libraries_string = "";
char	   *Dynamic_library_path = "$libdir";
int			max_worker_processes = 8;
int			max_parallel_workers = 8;
bool		restart_after_crash = true;
int			log_min_messages = WARNING;
char	   *Log_line_prefix = "%m [%p] ";
char	   *Log_destination_string = "stderr";
int			Log_destination = LOG_DESTINATION_STDERR;
char	   *cluster_name = "";

/*
 * The libpq connection string of workers' database connections (see
 * cshim/dbconn/session.c).  It may hold a password: never shown.
 */
char	   *database_conninfo = "";
bool		EnableHotStandby = true;

/* The logging collector's parameters (read by the supervisor's Go side). */
bool		Logging_collector = false;
static char *Log_directory = NULL;
static char *Log_filename = NULL;
static int	Log_file_mode = 0600;
static int	Log_RotationAge = 24 * 60;	/* minutes */
static int	Log_RotationSize = 10 * 1024;	/* kB */
static bool Log_truncate_on_rotation = false;

/* syslog_facility's values (PostgreSQL's). */
static const struct config_enum_entry syslog_facility_options[] = {
	{"local0", LOG_LOCAL0, false},
	{"local1", LOG_LOCAL1, false},
	{"local2", LOG_LOCAL2, false},
	{"local3", LOG_LOCAL3, false},
	{"local4", LOG_LOCAL4, false},
	{"local5", LOG_LOCAL5, false},
	{"local6", LOG_LOCAL6, false},
	{"local7", LOG_LOCAL7, false},
	{NULL, 0, false}
};

/*
 * The supervisor's own settings (not PostgreSQL's), read by its Go side
 * through GetConfigOption.
 */
static int	sigkill_timeout = 5;	/* seconds; SIGKILL_CHILDREN_AFTER_SECS */
static char *metrics_listen_address = "";	/* host:port of /metrics; '' for none */
static int	exit_history_size = 10;	/* exits and failed starts kept per worker */

/* The message levels log_min_messages accepts (PostgreSQL's list). */
static const struct config_enum_entry server_message_level_options[] = {
	{"debug5", DEBUG5, false},
	{"debug4", DEBUG4, false},
	{"debug3", DEBUG3, false},
	{"debug2", DEBUG2, false},
	{"debug1", DEBUG1, false},
	{"debug", DEBUG2, true},
	{"info", INFO, false},
	{"notice", NOTICE, false},
	{"warning", WARNING, false},
	{"error", ERROR, false},
	{"log", LOG, false},
	{"fatal", FATAL, false},
	{"panic", PANIC, false},
	{NULL, 0, false}
};

/* log_error_verbosity's values (PostgreSQL's). */
static const struct config_enum_entry log_error_verbosity_options[] = {
	{"terse", PGERROR_TERSE, false},
	{"default", PGERROR_DEFAULT, false},
	{"verbose", PGERROR_VERBOSE, false},
	{NULL, 0, false}
};

/*
 * Accepted with PostgreSQL's values and default; a worker runs no SQL
 * statement, so there is never a statement to log with an error.
 */
int			log_min_error_statement = ERROR;

/* Set in the file or by a module; the log's %a stays empty for workers. */
char	   *application_name = NULL;

/* The API version the headers declare, as PostgreSQL reports its own. */
static char *server_version_string = NULL;
static int	server_version_num = PG_VERSION_NUM;

/*
 * log_destination: a comma-separated list of stderr, csvlog, jsonlog and
 * syslog (eventlog is Windows'; PostgreSQL refuses it elsewhere too).  The
 * bits go to the assign hook through *extra.
 */
static bool
check_log_destination(char **newval, void **extra, GucSource source)
{
	const char *p = *newval;
	int			bits = 0;
	int		   *myextra;

	/* an empty list is allowed (nothing but the fallback to stderr) */
	p += strspn(p, " \t\r\n");
	while (*p != '\0')
	{
		char		word[64];
		size_t		len = 0;
		bool		quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '"')
		{
			quoted = true;
			p++;
			while (*p != '\0' && !(*p == '"' && p[1] != '"'))
			{
				if (*p == '"')
					p++;		/* a doubled quote */
				if (len + 1 < sizeof(word))
					word[len++] = *p;
				p++;
			}
			if (*p != '"')
			{
				GUC_check_errdetail("List syntax is invalid.");
				return false;
			}
			p++;
		}
		else
		{
			while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t' &&
				   *p != '\n' && *p != '\r')
			{
				if (len + 1 < sizeof(word))
					word[len++] = (char) ((*p >= 'A' && *p <= 'Z') ? *p + ('a' - 'A') : *p);
				p++;
			}
		}
		word[len] = '\0';
		if (len == 0 && !quoted)
		{
			GUC_check_errdetail("List syntax is invalid.");
			return false;
		}
		if (pg_strcasecmp(word, "stderr") == 0)
			bits |= LOG_DESTINATION_STDERR;
		else if (pg_strcasecmp(word, "jsonlog") == 0)
			bits |= LOG_DESTINATION_JSONLOG;
		else if (pg_strcasecmp(word, "csvlog") == 0)
			bits |= LOG_DESTINATION_CSVLOG;
		else if (pg_strcasecmp(word, "syslog") == 0)
			bits |= LOG_DESTINATION_SYSLOG;
		else
		{
			GUC_check_errdetail("Unrecognized key word: \"%s\".", word);
			return false;
		}
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		if (*p != ',')
		{
			GUC_check_errdetail("List syntax is invalid.");
			return false;
		}
		p++;
		if (p[strspn(p, " \t\r\n")] == '\0')
		{
			GUC_check_errdetail("List syntax is invalid.");
			return false;
		}
	}

	myextra = guc_malloc(LOG, sizeof(int));
	if (myextra == NULL)
		return false;
	*myextra = bits;
	*extra = myextra;
	return true;
}

static void
assign_log_destination(const char *newval, void *extra)
{
	Log_destination = *(int *) extra;
}

/*
 * cluster_name appears in process titles and log lines: only printable
 * ASCII is kept, anything else becomes a \xNN escape (as PostgreSQL 17).
 */
static bool
check_cluster_name(char **newval, void **extra, GucSource source)
{
	const unsigned char *p;
	size_t		n = 0;
	char	   *clean,
			   *o;

	for (p = (const unsigned char *) *newval; *p; p++)
		n += (*p >= 32 && *p <= 126) ? 1 : 4;
	if (n == strlen(*newval))
		return true;
	clean = guc_malloc(LOG, n + 1);
	if (clean == NULL)
		return false;
	for (o = clean, p = (const unsigned char *) *newval; *p; p++)
	{
		if (*p >= 32 && *p <= 126)
			*o++ = (char) *p;
		else
			o += snprintf(o, 5, "\\x%02x", *p);
	}
	*o = '\0';
	guc_free(*newval);
	*newval = clean;
	return true;
}

/* dynamic_shared_memory_type: the implementations Linux has. */
static const struct config_enum_entry dynamic_shared_memory_options[] = {
	{"posix", DSM_IMPL_POSIX, false},
	{"sysv", DSM_IMPL_SYSV, false},
	{"mmap", DSM_IMPL_MMAP, false},
	{NULL, 0, false}
};

void
bgw_guc_define_builtins(void)
{
	bgw_guc_define_string("shared_preload_libraries",
						  "Lists shared libraries to preload into the server.",
						  &shared_preload_libraries_string, "", PGC_POSTMASTER,
						  GUC_LIST_INPUT | GUC_LIST_QUOTE | GUC_SUPERUSER_ONLY,
						  NULL, NULL);
	bgw_guc_define_string("dynamic_library_path",
						  "Sets the path for dynamically loadable modules.",
						  &Dynamic_library_path, "$libdir", PGC_SUSET,
						  GUC_SUPERUSER_ONLY, NULL, NULL);
	bgw_guc_define_bool("allow_absolute_library_paths",
						"Allows loading libraries named by an absolute path outside dynamic_library_path and $libdir.",
						&allow_absolute_library_paths, false, PGC_SIGHUP,
						GUC_SUPERUSER_ONLY, NULL, NULL);
	bgw_guc_define_int("max_worker_processes",
					   "Maximum number of concurrent worker processes.",
					   &max_worker_processes, 8, 0, MAX_BACKENDS,
					   PGC_POSTMASTER, 0, NULL, NULL);
	bgw_guc_define_int("max_connections",
					   "Sets the maximum number of concurrent connections.",
					   &MaxConnections, 100, 1, MAX_BACKENDS,
					   PGC_POSTMASTER, 0, NULL, NULL);
	bgw_guc_define_int("max_parallel_workers",
					   "Sets the maximum number of parallel workers that can be active at one time.",
					   &max_parallel_workers, 8, 0, MAX_PARALLEL_WORKER_LIMIT,
					   PGC_USERSET, GUC_EXPLAIN, NULL, NULL);
	bgw_guc_define_enum("dynamic_shared_memory_type",
						"Selects the dynamic shared memory implementation used.",
						&dynamic_shared_memory_type,
						DEFAULT_DYNAMIC_SHARED_MEMORY_TYPE,
						dynamic_shared_memory_options, PGC_POSTMASTER, 0,
						NULL, NULL);
	bgw_guc_define_bool("restart_after_crash",
						"Reinitialize server after backend crash.",
						&restart_after_crash, true, PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_enum("log_min_messages",
						"Sets the message levels that are logged.",
						&log_min_messages, WARNING, server_message_level_options,
						PGC_SUSET, 0, NULL, NULL);
	bgw_guc_define_string("log_line_prefix",
						  "Controls information prefixed to each log line.",
						  &Log_line_prefix, "%m [%p] ", PGC_SIGHUP, 0,
						  NULL, NULL);
	bgw_guc_define_string("log_destination",
						  "Sets the destination for server log output.",
						  &Log_destination_string, "stderr", PGC_SIGHUP,
						  GUC_LIST_INPUT, check_log_destination,
						  assign_log_destination);
	bgw_guc_define_bool("logging_collector",
						"Start a subprocess to capture stderr, csvlog and/or jsonlog into log files.",
						&Logging_collector, false, PGC_POSTMASTER, 0, NULL, NULL);
	bgw_guc_define_string("log_directory",
						  "Sets the destination directory for log files.",
						  &Log_directory, "log", PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_string("log_filename",
						  "Sets the file name pattern for log files.",
						  &Log_filename, "bgworker-%Y-%m-%d_%H%M%S.log", PGC_SIGHUP,
						  0, NULL, NULL);
	bgw_guc_define_int("log_file_mode",
					   "Sets the file permissions for log files.",
					   &Log_file_mode, 0600, 0000, 0777, PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_int("log_rotation_age",
					   "Sets the amount of time to wait before forcing log file rotation.",
					   &Log_RotationAge, 24 * 60, 0, INT_MAX / 60, PGC_SIGHUP,
					   GUC_UNIT_MIN, NULL, NULL);
	bgw_guc_define_int("log_rotation_size",
					   "Sets the maximum size a log file can reach before being rotated.",
					   &Log_RotationSize, 10 * 1024, 0, INT_MAX / 1024, PGC_SIGHUP,
					   GUC_UNIT_KB, NULL, NULL);
	bgw_guc_define_bool("log_truncate_on_rotation",
						"Truncate existing log files of same name during log rotation.",
						&Log_truncate_on_rotation, false, PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_enum("syslog_facility",
						"Sets the syslog \"facility\" to be used when syslog enabled.",
						&syslog_facility, LOG_LOCAL0, syslog_facility_options,
						PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_string("syslog_ident",
						  "Sets the program name used to identify PostgreSQL messages in syslog.",
						  &syslog_ident, "bgworker", PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_bool("syslog_sequence_numbers",
						"Add sequence number to syslog messages to avoid duplicate suppression.",
						&syslog_sequence_numbers, true, PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_bool("syslog_split_messages",
						"Split messages sent to syslog by lines and to fit into 1024 bytes.",
						&syslog_split_messages, true, PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_string("cluster_name",
						  "Sets the name of the cluster, which is included in the process title.",
						  &cluster_name, "", PGC_POSTMASTER, GUC_IS_NAME,
						  check_cluster_name, NULL);
	bgw_guc_define_string("database_conninfo",
						  "Sets the connection string workers use to connect to their database server.",
						  &database_conninfo, "", PGC_SIGHUP,
						  GUC_SUPERUSER_ONLY | GUC_BGW_SECRET, NULL, NULL);
	bgw_guc_define_bool("hot_standby",
						"Allows connections and queries during recovery.",
						&EnableHotStandby, true, PGC_POSTMASTER, 0, NULL, NULL);
	bgw_guc_define_enum("log_error_verbosity",
						"Sets the verbosity of logged messages.",
						&Log_error_verbosity, PGERROR_DEFAULT,
						log_error_verbosity_options, PGC_SUSET, 0, NULL, NULL);
	bgw_guc_define_enum("log_min_error_statement",
						"Causes all statements generating error at or above this level to be logged.",
						&log_min_error_statement, ERROR, server_message_level_options,
						PGC_SUSET, 0, NULL, NULL);
	bgw_guc_define_string("application_name",
						  "Sets the application name to be reported in statistics and logs.",
						  &application_name, "", PGC_USERSET,
						  GUC_IS_NAME | GUC_REPORT | GUC_NOT_IN_SAMPLE,
						  check_cluster_name, NULL);
	bgw_guc_define_string("server_version",
						  "Shows the server version.",
						  &server_version_string, PG_VERSION, PGC_INTERNAL,
						  GUC_REPORT | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
						  NULL, NULL);
	bgw_guc_define_int("sigkill_timeout",
					   "Sets how long children get to exit after SIGTERM or SIGQUIT before they are sent SIGKILL.",
					   &sigkill_timeout, 5, 1, 86400, PGC_SIGHUP, GUC_UNIT_S,
					   NULL, NULL);
	bgw_guc_define_string("metrics_listen_address",
						  "Sets the address (host:port) where Prometheus metrics are served; empty for none.",
						  &metrics_listen_address, "", PGC_POSTMASTER, 0, NULL, NULL);
	bgw_guc_define_int("exit_history_size",
					   "Sets how many exits and failed starts of each worker are kept for status --history.",
					   &exit_history_size, 10, 0, 1000, PGC_SIGHUP, 0, NULL, NULL);
	bgw_guc_define_int("server_version_num",
					   "Shows the server version as an integer.",
					   &server_version_num, PG_VERSION_NUM, PG_VERSION_NUM,
					   PG_VERSION_NUM, PGC_INTERNAL,
					   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, NULL, NULL);
}
