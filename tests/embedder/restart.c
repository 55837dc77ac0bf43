/*-------------------------------------------------------------------------
 *
 * restart.c
 *	  A test embedder that runs the supervisor several times in one
 *	  process, each run on its own thread through bgworker_main, while the
 *	  main thread waits for it with bgworker_wait_ready; and that watches
 *	  the log through its own emit_log_hook.
 *
 *	  Usage: restart RUN... start -D DATADIR [FLAGS]...
 *	  Each RUN is a ';'-separated list of NAME=VALUE settings (possibly
 *	  empty), given as -c flags to that run's "start -D DATADIR FLAGS".
 *
 *	  Writes to stderr:
 *	    "embedder: run N wait R"     what bgworker_wait_ready returned
 *	    "embedder: run N status S"   what bgworker_main returned
 *	    "embedder hook pid P: took "M""  the hook saw the record M that
 *	                                 begins with "starting " and kept it
 *	                                 out of the log (output_to_server)
 *	    "embedder hook pid P: saw "M""   the hook saw a record of api_guc
 *	  The exit status is 0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgworker/host.h"
#include "utils/elog.h"

static emit_log_hook_type prev_emit_log_hook;

static void
embedder_emit_log_hook(ErrorData *edata)
{
	if (edata->message != NULL && strncmp(edata->message, "starting ", 9) == 0)
	{
		fprintf(stderr, "embedder hook pid %d: took \"%s\"\n", (int) getpid(), edata->message);
		edata->output_to_server = false;
	}
	else if (edata->message != NULL && strncmp(edata->message, "api_guc ", 8) == 0)
		fprintf(stderr, "embedder hook pid %d: saw \"%s\"\n", (int) getpid(), edata->message);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

typedef struct HostRun
{
	int			argc;
	char	  **argv;
	int			status;
} HostRun;

static void *
run_host(void *arg)
{
	HostRun    *run = arg;

	run->status = bgworker_main(run->argc, run->argv);
	return NULL;
}

int
main(int argc, char **argv)
{
	int			first_cmd = 1;
	const char *datadir = NULL;

	setvbuf(stderr, NULL, _IONBF, 0);
	while (first_cmd < argc && strcmp(argv[first_cmd], "start") != 0)
		first_cmd++;
	for (int i = first_cmd; i + 1 < argc; i++)
		if (strcmp(argv[i], "-D") == 0)
			datadir = argv[i + 1];
	if (first_cmd == argc || datadir == NULL)
	{
		fprintf(stderr, "usage: %s RUN... start -D DATADIR [FLAGS]...\n", argv[0]);
		return 2;
	}

	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = embedder_emit_log_hook;

	for (int n = 1; n < first_cmd; n++)
	{
		char	   *settings = strdup(argv[n]);
		char	  **args = calloc((size_t) (argc + 2 * strlen(argv[n]) + 2), sizeof(char *));
		HostRun		run = {0};
		pthread_t	thread;
		char	   *save = NULL;
		int			wait;

		if (settings == NULL || args == NULL)
		{
			fprintf(stderr, "embedder: out of memory\n");
			return 1;
		}
		args[run.argc++] = argv[0];
		for (int i = first_cmd; i < argc; i++)
			args[run.argc++] = argv[i];
		for (char *s = strtok_r(settings, ";", &save); s != NULL; s = strtok_r(NULL, ";", &save))
		{
			args[run.argc++] = "-c";
			args[run.argc++] = s;
		}
		run.argv = args;

		if (pthread_create(&thread, NULL, run_host, &run) != 0)
		{
			fprintf(stderr, "embedder: could not create a thread\n");
			return 1;
		}
		wait = bgworker_wait_ready(datadir, 60000);
		fprintf(stderr, "embedder: run %d wait %d\n", n, wait);
		pthread_join(thread, NULL);
		fprintf(stderr, "embedder: run %d status %d\n", n, run.status);
		free(args);
		free(settings);
	}
	return 0;
}
