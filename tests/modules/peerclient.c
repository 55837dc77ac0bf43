/*-------------------------------------------------------------------------
 *
 * peerclient.c
 *	  Test program (not a module): connects to the Unix socket named by
 *	  argv[1], sends argv[2] plus a newline, and prints the first reply
 *	  line.  TestControlPeerOtherUID runs it as another user to check that
 *	  the control socket refuses peers with a foreign uid.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un addr;
	char		buf[4096];
	ssize_t		n;
	size_t		got = 0;
	int			fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(addr.sun_path))
	{
		fprintf(stderr, "usage: peerclient SOCKET REQUEST\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);	/* the host may answer and close first */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strcpy(addr.sun_path, argv[1]);
	if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
	{
		perror("DIAL ERROR");
		return 1;
	}
	if (write(fd, argv[2], strlen(argv[2])) < 0 || write(fd, "\n", 1) < 0)
		perror("write");
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
	{
		got += n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	printf("REPLY %s", buf);
	return 0;
}
