/*-------------------------------------------------------------------------
 *
 * embedder.c
 *	  A C program that runs bgworker's supervisor in-process through
 *	  libbgworker.so (include/bgworker/host.h).
 *
 *	  Usage:
 *	    embedder DATADIR [NAME=VALUE]...   run the host on DATADIR with the
 *	                                       given settings (bgworker_start)
 *	    embedder -- COMMAND [ARGS]...      any bgworker command, e.g.
 *	                                       `embedder -- stop -D DATADIR`
 *	                                       (bgworker_main)
 *
 *	  Build: cc $(bgworker config --cflags) embedder.c \
 *	           $(bgworker config --ldflags) -lbgworker
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgworker/host.h"

static void
usage(const char *prog)
{
	fprintf(stderr,
			"usage: %s DATADIR [NAME=VALUE]...\n"
			"       %s -- COMMAND [ARGS]...\n",
			prog, prog);
}

int
main(int argc, char **argv)
{
	const char **names;
	const char **values;
	int			n = 0;
	int			status;

	if (argc < 2)
	{
		usage(argv[0]);
		return 2;
	}

	/* "--": hand the rest to the same command line as the bgworker binary. */
	if (strcmp(argv[1], "--") == 0)
	{
		argv[1] = argv[0];
		return bgworker_main(argc - 1, argv + 1);
	}

	names = calloc((size_t) argc, sizeof(char *));
	values = calloc((size_t) argc, sizeof(char *));
	if (names == NULL || values == NULL)
	{
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	for (int i = 2; i < argc; i++)
	{
		char	   *eq = strchr(argv[i], '=');

		if (eq == NULL || eq == argv[i])
		{
			fprintf(stderr, "%s: setting \"%s\" is not of the form NAME=VALUE\n",
					argv[0], argv[i]);
			return 2;
		}
		*eq = '\0';
		names[n] = argv[i];
		values[n] = eq + 1;
		n++;
	}

	status = bgworker_start(argv[1], n, names, values);
	free(names);
	free(values);
	return status;
}
