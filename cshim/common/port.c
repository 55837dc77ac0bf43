/*-------------------------------------------------------------------------
 *
 * port.c
 *	  The portability functions c.h and port.h promise: bounded string
 *	  copies, ASCII case-insensitive comparison, path manipulation,
 *	  pg_usleep and ExceptionalCondition (failed Assert).
 *
 *	  Any process.  Only ExceptionalCondition writes (one write(2)).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

/* Copy src into dst (size siz), always NUL-terminated; returns strlen(src). */
size_t
strlcpy(char *dst, const char *src, size_t siz)
{
	size_t		srclen = strlen(src);

	if (siz > 0)
	{
		size_t		n = srclen < siz - 1 ? srclen : siz - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return srclen;
}

/* Append src to dst (size siz); returns the length it tried to create. */
size_t
strlcat(char *dst, const char *src, size_t siz)
{
	size_t		dlen = strnlen(dst, siz);

	if (dlen == siz)
		return siz + strlen(src);
	return dlen + strlcpy(dst + dlen, src, siz - dlen);
}

unsigned char
pg_toupper(unsigned char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch += 'A' - 'a';
	return ch;
}

unsigned char
pg_tolower(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		ch += 'a' - 'A';
	return ch;
}

/* Case-insensitive for ASCII letters only, independent of the locale. */
int
pg_strcasecmp(const char *s1, const char *s2)
{
	return pg_strncasecmp(s1, s2, SIZE_MAX);
}

int
pg_strncasecmp(const char *s1, const char *s2, size_t n)
{
	for (; n > 0; n--, s1++, s2++)
	{
		unsigned char c1 = pg_tolower((unsigned char) *s1);
		unsigned char c2 = pg_tolower((unsigned char) *s2);

		if (c1 != c2)
			return (int) c1 - (int) c2;
		if (c1 == '\0')
			break;
	}
	return 0;
}

char *
pg_strerror(int errnum)
{
	return strerror(errnum);
}

char *
last_dir_separator(const char *filename)
{
	return strrchr(filename, '/');
}

char *
first_dir_separator(const char *filename)
{
	return strchr(filename, '/');
}

/*
 * Clean up a path in place: collapse repeated slashes, drop "." parts and
 * trailing slashes, and resolve ".." against a preceding real component
 * (a leading ".." of a relative path is kept, one above "/" dropped).
 */
void
canonicalize_path(char *path)
{
	bool		absolute = path[0] == '/';
	char	   *copy = strdup(path);
	char	   *parts[MAXPGPATH / 2 + 1];
	int			nparts = 0;
	int			fixed = 0;		/* leading ".." parts that cannot go */
	char	   *save = NULL;
	char	   *tok;
	char	   *out = path;

	if (copy == NULL)
		return;					/* leave it as it is rather than fail */
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
	{
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0)
		{
			if (nparts > fixed)
			{
				nparts--;
				continue;
			}
			if (absolute)
				continue;
			fixed++;
		}
		if (nparts < (int) lengthof(parts))
			parts[nparts++] = tok;
	}

	if (absolute)
		*out++ = '/';
	for (int i = 0; i < nparts; i++)
	{
		size_t		len = strlen(parts[i]);

		if (i > 0)
			*out++ = '/';
		memmove(out, parts[i], len);
		out += len;
	}
	if (out == path)
		*out++ = '.';
	*out = '\0';
	free(copy);
}

/* ret = head "/" tail (ret may be head); MAXPGPATH bytes. */
void
join_path_components(char *ret_path, const char *head, const char *tail)
{
	if (ret_path != head)
		strlcpy(ret_path, head, MAXPGPATH);
	if (*tail)
	{
		size_t		len = strlen(ret_path);

		snprintf(ret_path + len, MAXPGPATH - len, "%s%s",
				 (*head != '\0') ? "/" : "", tail);
	}
}

/* Is path1 a directory prefix of path2 ("/a" of "/a/b", not of "/ab")? */
bool
path_is_prefix_of_path(const char *path1, const char *path2)
{
	size_t		len = strlen(path1);

	if (strncmp(path1, path2, len) == 0 &&
		(path2[len] == '\0' || path2[len] == '/'))
		return true;
	return false;
}

const char *
get_progname(const char *argv0)
{
	const char *slash = last_dir_separator(argv0);

	return slash ? slash + 1 : argv0;
}

/* Sleep; a signal may cut it short, as in PostgreSQL. */
void
pg_usleep(long microsec)
{
	if (microsec > 0)
	{
		struct timespec delay;

		delay.tv_sec = microsec / 1000000L;
		delay.tv_nsec = (microsec % 1000000L) * 1000;
		(void) nanosleep(&delay, NULL);
	}
}

/* A failed Assert: report it and abort (a crash, as in PostgreSQL). */
void
ExceptionalCondition(const char *conditionName, const char *fileName,
					 int lineNumber)
{
	if (!PointerIsValid(conditionName) || !PointerIsValid(fileName))
		write_stderr("TRAP: ExceptionalCondition: bad arguments in PID %d\n",
					 (int) getpid());
	else
		write_stderr("TRAP: failed Assert(\"%s\"), File: \"%s\", Line: %d, PID: %d\n",
					 conditionName, fileName, lineNumber, (int) getpid());
	abort();
}
