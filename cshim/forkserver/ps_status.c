/*-------------------------------------------------------------------------
 *
 * ps_status.c
 *	  The process title of bgworker children.
 *
 *	  An ELF constructor records where the kernel put argv and the
 *	  environment strings (glibc passes argc, argv and envp to constructors,
 *	  in an executable and in a shared library alike).  A child overwrites
 *	  that contiguous area with its title, pads it with NULs so that
 *	  /proc/PID/cmdline shows only the title, and sets the kernel's comm
 *	  name with PR_SET_NAME.  Before that it moves the environment strings
 *	  to malloc'd copies, so getenv() keeps working.
 *
 *	  Never in the host: Go's os.Args and os.Environ point into the same
 *	  memory.  The functions are no-ops until the child set-up sets
 *	  bgw_ps_title_allowed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <string.h>
#include <sys/prctl.h>

#include "utils/ps_status.h"
#include "fork_int.h"

bool		update_process_title = true;
BGW_CHILD_HOT bool		bgw_ps_title_allowed = false;

extern char **environ;

static char **saved_argv;		/* argv as the kernel set it up */
static int	saved_argc;
static char *ps_area;			/* start of the argv+environ strings */
static size_t ps_area_len;		/* contiguous bytes we may overwrite */
static bool environ_moved;

BGW_CHILD_HOT static char ps_buffer[1024];	/* the title, also when ps_area is short */
BGW_CHILD_HOT static size_t ps_fixed_len;		/* length of "bgworker: <fixed part>" */
BGW_CHILD_HOT static size_t ps_len;			/* current length of the title */
BGW_CHILD_HOT static size_t ps_suffix_at;		/* 0, or where a suffix was appended */

/*
 * Record the argv area.  Runs at load time in every process (host
 * included) and only reads.
 */
__attribute__((constructor))
static void
ps_capture_args(int argc, char **argv, char **envp)
{
	char	   *end;

	if (argc <= 0 || argv == NULL || argv[0] == NULL)
		return;
	saved_argc = argc;
	saved_argv = argv;

	/* The strings must be contiguous for us to reuse them. */
	end = argv[0];
	for (int i = 0; i < argc; i++)
	{
		if (argv[i] != end)
			break;
		end = argv[i] + strlen(argv[i]) + 1;
	}
	for (int i = 0; envp != NULL && envp[i] != NULL; i++)
	{
		if (envp[i] != end)
			break;
		end = envp[i] + strlen(envp[i]) + 1;
	}
	ps_area = argv[0];
	ps_area_len = end - argv[0];
}

/* Move the environment out of the area we are about to overwrite. */
static void
ps_move_environ(void)
{
	int			n = 0;
	char	  **copy;

	if (environ_moved)
		return;
	environ_moved = true;
	while (environ != NULL && environ[n] != NULL)
		n++;
	copy = malloc(sizeof(char *) * (n + 1));
	if (copy == NULL)
		return;
	for (int i = 0; i < n; i++)
	{
		copy[i] = strdup(environ[i]);
		if (copy[i] == NULL)
			copy[i] = environ[i];	/* keep the old one; it stays readable */
	}
	copy[n] = NULL;
	environ = copy;
}

/* Write ps_buffer into the argv area and the comm name. */
static void
ps_flush(void)
{
	char		comm[16];

	if (ps_area != NULL && ps_area_len > 1)
	{
		size_t		n = Min(ps_len, ps_area_len - 1);

		memcpy(ps_area, ps_buffer, n);
		memset(ps_area + n, 0, ps_area_len - n);
		/* argv[1..] now point into the title; make them empty strings */
		for (int i = 1; i < saved_argc; i++)
			saved_argv[i] = ps_area + ps_area_len - 1;
	}
	strlcpy(comm, ps_buffer, sizeof(comm));
	prctl(PR_SET_NAME, comm, 0, 0, 0);
}

/*
 * Set the fixed part of the title: "bgworker: <fixed_part>", with the
 * cluster name in between when set.  Child only (no-op elsewhere).
 */
void
init_ps_display(const char *fixed_part)
{
	int			n;

	if (!bgw_ps_title_allowed)
		return;
	if (fixed_part == NULL)
		fixed_part = "";
	ps_move_environ();
	if (cluster_name != NULL && cluster_name[0] != '\0')
		n = snprintf(ps_buffer, sizeof(ps_buffer), "bgworker: %s: %s",
					 cluster_name, fixed_part);
	else
		n = snprintf(ps_buffer, sizeof(ps_buffer), "bgworker: %s", fixed_part);
	if (n < 0)
		n = 0;
	ps_fixed_len = Min((size_t) n, sizeof(ps_buffer) - 1);
	ps_len = ps_fixed_len;
	ps_suffix_at = 0;
	ps_flush();
}

/* Replace the activity part (after the fixed part) with len bytes. */
void
set_ps_display_with_len(const char *activity, size_t len)
{
	size_t		room;

	if (!bgw_ps_title_allowed || !update_process_title || ps_fixed_len == 0)
		return;
	ps_len = ps_fixed_len;
	ps_suffix_at = 0;
	room = sizeof(ps_buffer) - 1 - ps_len;
	if (len > 0 && room > 1)
	{
		ps_buffer[ps_len++] = ' ';
		room--;
		len = Min(len, room);
		memcpy(ps_buffer + ps_len, activity, len);
		ps_len += len;
	}
	ps_buffer[ps_len] = '\0';
	ps_flush();
}

void
set_ps_display(const char *activity)
{
	set_ps_display_with_len(activity, activity ? strlen(activity) : 0);
}

/* Append " <suffix>" to the current title (e.g. "waiting"). */
void
set_ps_display_suffix(const char *suffix)
{
	size_t		len;
	size_t		room;

	if (!bgw_ps_title_allowed || !update_process_title || ps_fixed_len == 0 ||
		suffix == NULL)
		return;
	if (ps_suffix_at != 0)
		ps_len = ps_suffix_at;
	ps_suffix_at = ps_len;
	len = strlen(suffix);
	room = sizeof(ps_buffer) - 1 - ps_len;
	if (room > 1)
	{
		ps_buffer[ps_len++] = ' ';
		room--;
		len = Min(len, room);
		memcpy(ps_buffer + ps_len, suffix, len);
		ps_len += len;
	}
	ps_buffer[ps_len] = '\0';
	ps_flush();
}

void
set_ps_display_remove_suffix(void)
{
	if (!bgw_ps_title_allowed || ps_suffix_at == 0)
		return;
	ps_len = ps_suffix_at;
	ps_suffix_at = 0;
	ps_buffer[ps_len] = '\0';
	ps_flush();
}

/*
 * The activity part of the title (after the fixed part) and its length.
 * Returns "" in the host.
 */
const char *
get_ps_display(int *displen)
{
	size_t		off = ps_fixed_len;

	if (!bgw_ps_title_allowed || ps_fixed_len == 0)
	{
		if (displen)
			*displen = 0;
		return "";
	}
	if (off < ps_len && ps_buffer[off] == ' ')
		off++;
	if (displen)
		*displen = (int) (ps_len - Min(off, ps_len));
	return ps_buffer + Min(off, ps_len);
}
