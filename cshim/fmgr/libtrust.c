/*-------------------------------------------------------------------------
 *
 * libtrust.c
 *	  The one rule every module load applies before dlopen(): in the
 *	  supervisor (shared_preload_libraries, `bgworker launch`) through
 *	  cshim's Go bindings, and in workers through load_external_function
 *	  (cshim/dfmgr.c).  Any process; never raises, never calls Go.
 *
 *	  The rule, so that no other local user can get code into the host:
 *
 *	  - the file, found by following every symbolic link, is a regular
 *		file, and every directory the lookup passes through (those that
 *		hold the links too) is owned by root or by the user the host runs
 *		as and is not writable by group or others.  A directory with the
 *		sticky bit (like /tmp) may be writable by others: there nobody but
 *		an entry's owner and the directory's owner can rename or remove the
 *		entry, and both are checked;
 *	  - a name is never allowed ".." (checked by bgw_find_library);
 *	  - an absolute name must lie in a directory of dynamic_library_path or
 *		under $libdir, unless allow_absolute_library_paths is on.
 *
 *	  PostgreSQL trusts its installation directory and checks none of
 *	  this; the host loads modules from operators' own directories, where a
 *	  careless mode or owner is arbitrary code execution as the host's user.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fork_int.h"

/* GUC allow_absolute_library_paths (registered in guc_builtin.c). */
bool		allow_absolute_library_paths = false;

/* How many symbolic links one lookup may follow (the kernel's limit). */
#define TRUST_MAX_LINKS 40

static void
trust_error(BgwCaughtError *err, const char *message, const char *detail,
			const char *hint)
{
	memset(err, 0, sizeof(*err));
	err->elevel = ERROR;
	strlcpy(err->message, message, sizeof(err->message));
	if (detail)
		strlcpy(err->detail, detail, sizeof(err->detail));
	if (hint)
		strlcpy(err->hint, hint, sizeof(err->hint));
}

/*
 * Check one object the lookup relies on: owner and mode.  Returns 0 if it
 * is trusted, 1 with *err filled if not.
 */
static int
check_object(const char *libpath, const char *obj, const struct stat *st,
			 BgwCaughtError *err)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory" : "file";
	uid_t		me = geteuid();
	char		msg[PATH_MAX * 3];
	char		detail[PATH_MAX];

	if (st->st_uid != 0 && st->st_uid != me)
	{
		snprintf(msg, sizeof(msg),
				 "could not load library \"%s\": %s \"%s\" is owned by another user",
				 libpath, what, obj);
		snprintf(detail, sizeof(detail),
				 "Its owner is user ID %u; a module and every directory above it must be owned by root or by the user the host runs as (user ID %u).",
				 (unsigned) st->st_uid, (unsigned) me);
		trust_error(err, msg, detail,
					"Change the owner (chown), or install the module where only root or the host's user can write.");
		return 1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		!(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) != 0))
	{
		snprintf(msg, sizeof(msg),
				 "could not load library \"%s\": %s \"%s\" is writable by group or others",
				 libpath, what, obj);
		snprintf(detail, sizeof(detail),
				 "Its permissions are %04o; another local user could replace the code this host runs.",
				 (unsigned) (st->st_mode & 07777));
		trust_error(err, msg, detail,
					"Remove write permission for group and others (chmod go-w), or install the module in a directory only its owner can write.");
		return 1;
	}
	return 0;
}

/* Fill *err with "could not access file "%s": %m" for errno e. */
static int
access_error(BgwCaughtError *err, const char *obj, int e)
{
	char		msg[PATH_MAX * 3];

	snprintf(msg, sizeof(msg), "could not access file \"%s\": %s", obj,
			 strerror(e));
	trust_error(err, msg, NULL, NULL);
	return 1;
}

/*
 * Walk path (absolute) component by component as the kernel does,
 * following symbolic links, and check every directory entered and the
 * file reached.  The directory a link lives in is entered before the link
 * is read, so whoever could change a link is checked too.
 */
static int
walk_and_check(const char *path, BgwCaughtError *err)
{
	char		cur[PATH_MAX];	/* resolved directory so far, no links */
	char		rest[PATH_MAX * 2];	/* what remains to resolve */
	int			links = 0;
	struct stat st;

	if (path[0] != '/' || strlen(path) >= sizeof(rest))
		return access_error(err, path, ENAMETOOLONG);
	strlcpy(cur, "/", sizeof(cur));
	strlcpy(rest, path, sizeof(rest));
	if (stat("/", &st) != 0)
		return access_error(err, "/", errno);
	if (check_object(path, "/", &st, err))
		return 1;

	for (;;)
	{
		char	   *p = rest;
		char		comp[NAME_MAX + 1];
		char		next[PATH_MAX];
		size_t		clen;
		bool		last;

		while (*p == '/')
			p++;
		if (*p == '\0')
		{
			/* The path ended in a directory (or was "/"). */
			return access_error(err, path, EISDIR);
		}
		clen = strcspn(p, "/");
		if (clen > NAME_MAX)
			return access_error(err, path, ENAMETOOLONG);
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		p += clen;
		while (*p == '/')
			p++;
		last = (*p == '\0');
		memmove(rest, p, strlen(p) + 1);

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0)
		{
			/* Only inside a link's target: cur is resolved, so go up. */
			char	   *slash = strrchr(cur, '/');

			if (slash == cur)
				cur[1] = '\0';
			else if (slash != NULL)
				*slash = '\0';
			continue;
		}
		if ((size_t) snprintf(next, sizeof(next), "%s%s%s", cur,
							  strcmp(cur, "/") == 0 ? "" : "/", comp) >= sizeof(next))
			return access_error(err, path, ENAMETOOLONG);
		if (lstat(next, &st) != 0)
			return access_error(err, next, errno);

		if (S_ISLNK(st.st_mode))
		{
			char		target[PATH_MAX];
			char		joined[PATH_MAX * 2];
			ssize_t		n;

			if (++links > TRUST_MAX_LINKS)
				return access_error(err, path, ELOOP);
			n = readlink(next, target, sizeof(target) - 1);
			if (n < 0)
				return access_error(err, next, errno);
			target[n] = '\0';
			if ((size_t) snprintf(joined, sizeof(joined), "%s%s%s", target,
								  rest[0] ? "/" : "", rest) >= sizeof(rest))
				return access_error(err, path, ENAMETOOLONG);
			strlcpy(rest, joined, sizeof(rest));
			if (target[0] == '/')
				strlcpy(cur, "/", sizeof(cur));
			continue;
		}
		if (check_object(path, next, &st, err))
			return 1;
		if (S_ISDIR(st.st_mode))
		{
			strlcpy(cur, next, sizeof(cur));
			continue;
		}
		if (!last)
			return access_error(err, next, ENOTDIR);
		if (!S_ISREG(st.st_mode))
		{
			char		msg[PATH_MAX * 3];

			snprintf(msg, sizeof(msg),
					 "could not load library \"%s\": \"%s\" is not a regular file",
					 path, next);
			trust_error(err, msg, NULL, NULL);
			return 1;
		}
		return 0;
	}
}

/*
 * Is dir (absolute, no "..") root itself or below it?  Compared as
 * written and, when both exist, as resolved by realpath().
 */
static bool
dir_is_under(const char *dir, const char *root)
{
	char		rdir[PATH_MAX];
	char		rroot[PATH_MAX];
	size_t		len = strlen(root);

	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len == 1 && root[0] == '/')
		return true;
	if (strncmp(dir, root, len) == 0 && (dir[len] == '\0' || dir[len] == '/'))
		return true;
	if (realpath(dir, rdir) == NULL || realpath(root, rroot) == NULL)
		return false;
	len = strlen(rroot);
	return strncmp(rdir, rroot, len) == 0 &&
		(rdir[len] == '\0' || rdir[len] == '/' || len == 1);
}

/* Is path inside a directory of dynamic_library_path or $libdir? */
static bool
path_in_library_path(const char *path)
{
	char		dir[MAXPGPATH];
	char	   *slash;
	const char *p = Dynamic_library_path;

	strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';

	if (pkglib_path[0] != '\0' && dir_is_under(dir, pkglib_path))
		return true;
	if (p == NULL)
		return false;
	while (*p)
	{
		const char *end = strchrnul(p, ':');
		size_t		plen = end - p;
		char		entry[MAXPGPATH];

		if (plen > 0 && plen < sizeof(entry))
		{
			memcpy(entry, p, plen);
			entry[plen] = '\0';
			if (strncmp(entry, "$libdir", 7) == 0 &&
				(entry[7] == '\0' || entry[7] == '/'))
			{
				char		expanded[MAXPGPATH];

				if ((size_t) snprintf(expanded, sizeof(expanded), "%s%s",
									  pkglib_path, entry + 7) < sizeof(expanded) &&
					expanded[0] == '/' && dir_is_under(dir, expanded))
					return true;
			}
			else if (entry[0] == '/' && dir_is_under(dir, entry))
				return true;
		}
		p = (*end == ':') ? end + 1 : end;
	}
	return false;
}

/* See fork_int.h. */
int
bgw_check_library_trust(const char *name, const char *path,
						BgwCaughtError *err)
{
	memset(err, 0, sizeof(*err));
	if (name[0] == '/' && !allow_absolute_library_paths &&
		!path_in_library_path(path))
	{
		char		msg[PATH_MAX * 3];

		snprintf(msg, sizeof(msg),
				 "could not load library \"%s\": the path is outside dynamic_library_path and $libdir",
				 path);
		trust_error(err, msg,
					"A library named by an absolute path must lie in a directory of dynamic_library_path or under $libdir.",
					"Add its directory to dynamic_library_path and name the library without a path, or set allow_absolute_library_paths = on.");
		return 1;
	}
	return walk_and_check(path, err);
}

/* See fork_int.h. */
int
bgw_resolve_library(const char *name, char *buf, size_t len,
					BgwCaughtError *err)
{
	char		errbuf[MAXPGPATH + 256];

	memset(err, 0, sizeof(*err));
	if (bgw_find_library(name, buf, len, errbuf, sizeof(errbuf)) != 0)
	{
		trust_error(err, errbuf, NULL, NULL);
		return 1;
	}
	return bgw_check_library_trust(name, buf, err);
}
