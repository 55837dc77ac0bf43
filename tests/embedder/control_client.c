/*
 * control_client.c
 *	  A test embedder of libbgworker.so's bgworker_control(): sends each
 *	  request given on the command line to the host on DATADIR and prints
 *	  each reply on its own line.  "NULL" as DATADIR or as a request passes
 *	  a NULL pointer.  Exits 0 when every call returned a reply, 1 if one
 *	  returned NULL.
 *
 *	  usage: control_client DATADIR REQUEST...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgworker/host.h"

int
main(int argc, char **argv)
{
	const char *dir;

	if (argc < 3)
	{
		fprintf(stderr, "usage: %s DATADIR REQUEST...\n", argv[0]);
		return 2;
	}
	dir = strcmp(argv[1], "NULL") == 0 ? NULL : argv[1];
	for (int i = 2; i < argc; i++)
	{
		const char *req = strcmp(argv[i], "NULL") == 0 ? NULL : argv[i];
		char	   *reply = bgworker_control(dir, req);

		if (reply == NULL)
			return 1;
		printf("%s\n", reply);
		free(reply);
	}
	return 0;
}
