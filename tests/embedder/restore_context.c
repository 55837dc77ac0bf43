/*
 * restore_context.c
 *	  A test embedder: runs one bgworker command through bgworker_main with
 *	  its own working directory ("/") and file creation mask (022), and
 *	  reports both on stderr after the call returns, to show that the
 *	  supervisor gives back what it changed while it ran (the data
 *	  directory as working directory, PostgreSQL's mask).
 *
 *	  usage: restore_context -- COMMAND [ARGS]...
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bgworker/host.h"

int
main(int argc, char **argv)
{
	char		cwd[4096];
	mode_t		mask;
	int			status;

	if (argc < 3 || strcmp(argv[1], "--") != 0)
	{
		fprintf(stderr, "usage: %s -- COMMAND [ARGS]...\n", argv[0]);
		return 2;
	}
	umask(022);
	if (chdir("/") != 0)
	{
		perror("chdir");
		return 1;
	}
	argv[1] = argv[0];
	status = bgworker_main(argc - 1, argv + 1);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, "?");
	mask = umask(0);
	fprintf(stderr, "embedder after the call: status=%d cwd=%s umask=%03o\n",
			status, cwd, (unsigned) mask);
	return status;
}
