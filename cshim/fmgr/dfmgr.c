/*-------------------------------------------------------------------------
 *
 * dfmgr.c
 *	  Finding, checking and loading module libraries, shared by the
 *	  supervisor (through dfmgr.go: it loads shared_preload_libraries with
 *	  purego and records them here) and by workers
 *	  (load_external_function for their entry point, and for modules that
 *	  load other libraries).
 *
 *	  A library the supervisor loaded is inherited by every worker through
 *	  fork: load_external_function finds it in the recorded list and does
 *	  not run _PG_init again.  Any other library is dlopen()ed in the
 *	  worker, checked, and its _PG_init runs there with
 *	  process_shared_preload_libraries_in_progress false.  Libraries are
 *	  never unloaded.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmgr.h"
#include "fork_int.h"

/* One loaded library; a process-local list, inherited by children. */
typedef struct LoadedLibrary
{
	struct LoadedLibrary *next;
	dev_t		device;			/* identity of the file, so that two */
	ino_t		inode;			/* paths to one file count as one */
	void	   *handle;			/* from dlopen */
	char		path[FLEXIBLE_ARRAY_MEMBER];	/* full path it was loaded by */
} LoadedLibrary;

static LoadedLibrary *loaded_libraries;

/* Regular file (or symlink to one) that exists? */
static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Any "." or ".." path component? ("." is harmless, ".." escapes) */
static bool
has_dotdot_component(const char *name)
{
	const char *p = name;

	while (*p)
	{
		const char *end = strchrnul(p, '/');

		if (end - p == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p = (*end == '/') ? end + 1 : end;
	}
	return false;
}

/*
 * Expand a leading "$libdir" in str into buf.  Returns false with a
 * message for any other macro.
 */
static bool
expand_libdir(const char *str, char *buf, size_t len, char *errbuf,
			  size_t errlen)
{
	static const char macro[] = "$libdir";
	size_t		mlen = sizeof(macro) - 1;

	if (str[0] != '$')
	{
		if ((size_t) snprintf(buf, len, "%s", str) >= len)
			goto toolong;
		return true;
	}
	if (strncmp(str, macro, mlen) != 0 || (str[mlen] != '\0' && str[mlen] != '/'))
	{
		snprintf(errbuf, errlen, "invalid macro name in dynamic library path: %s",
				 str);
		return false;
	}
	if ((size_t) snprintf(buf, len, "%s%s", pkglib_path, str + mlen) >= len)
		goto toolong;
	return true;

toolong:
	snprintf(errbuf, errlen, "path \"%s\" is too long", str);
	return false;
}

/*
 * Look name up in every directory of dynamic_library_path.  Returns 1 and
 * the path in buf when found, 0 when not, -1 with a message on a bad path
 * setting.
 */
static int
search_library_path(const char *name, char *buf, size_t len, char *errbuf,
					size_t errlen)
{
	const char *p = Dynamic_library_path;

	if (p == NULL || p[0] == '\0')
		p = "$libdir";

	while (*p)
	{
		const char *end = strchrnul(p, ':');
		size_t		plen = end - p;
		char		piece[MAXPGPATH];
		char		dir[MAXPGPATH];

		if (plen == 0 || plen >= sizeof(piece))
		{
			if (plen >= sizeof(piece))
			{
				snprintf(errbuf, errlen,
						 "component in parameter \"dynamic_library_path\" is too long");
				return -1;
			}
			p = (*end == ':') ? end + 1 : end;
			continue;
		}
		memcpy(piece, p, plen);
		piece[plen] = '\0';
		if (!expand_libdir(piece, dir, sizeof(dir), errbuf, errlen))
			return -1;
		if (dir[0] != '/')
		{
			snprintf(errbuf, errlen,
					 "component in parameter \"dynamic_library_path\" is not an absolute path");
			return -1;
		}
		if ((size_t) snprintf(buf, len, "%s/%s", dir, name) < len &&
			file_exists(buf))
			return 1;
		p = (*end == ':') ? end + 1 : end;
	}
	return 0;
}

/*
 * Resolve a library name (see fork_int.h).  Any process; never raises.
 */
int
bgw_find_library(const char *name, char *buf, size_t len, char *errbuf,
				 size_t errlen)
{
	char		with_suffix[MAXPGPATH];
	int			rc;

	if (name == NULL || name[0] == '\0')
	{
		snprintf(errbuf, errlen, "library name must not be empty");
		return -1;
	}
	if (strlen(name) >= MAXPGPATH - 4)
	{
		snprintf(errbuf, errlen, "library name \"%.64s...\" is too long", name);
		return -1;
	}

	/* A path: "$libdir/..." or absolute, taken as given. */
	if (name[0] == '/' || name[0] == '$')
	{
		char		path[MAXPGPATH];

		if (!expand_libdir(name, path, sizeof(path), errbuf, errlen))
			return -1;
		if (!file_exists(path))
		{
			char		alt[MAXPGPATH + 3];

			snprintf(alt, sizeof(alt), "%s.so", path);
			if (file_exists(alt) && strlen(alt) < len)
			{
				strlcpy(buf, alt, len);
				return 0;
			}
			snprintf(errbuf, errlen, "could not access file \"%s\": %s",
					 name, strerror(ENOENT));
			return -1;
		}
		if (strlen(path) >= len)
		{
			snprintf(errbuf, errlen, "path \"%s\" is too long", path);
			return -1;
		}
		strlcpy(buf, path, len);
		return 0;
	}

	/*
	 * A bare name, or a relative path, which bgworker looks up inside
	 * dynamic_library_path too; ".." could leave it, so it is refused.
	 */
	if (has_dotdot_component(name))
	{
		snprintf(errbuf, errlen,
				 "invalid library name \"%s\": \"..\" components are not allowed",
				 name);
		return -1;
	}
	rc = search_library_path(name, buf, len, errbuf, errlen);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	snprintf(with_suffix, sizeof(with_suffix), "%s.so", name);
	rc = search_library_path(with_suffix, buf, len, errbuf, errlen);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	snprintf(errbuf, errlen, "could not access file \"%s\": %s", name,
			 strerror(ENOENT));
	return -1;
}

/* Fill *err with an ERROR about path. */
static void
magic_error(BgwCaughtError *err, const char *path, const char *what)
{
	err->elevel = ERROR;
	snprintf(err->message, sizeof(err->message),
			 "incompatible library \"%s\": %s", path, what);
}

/*
 * Check a loaded library's magic block against ours (see fork_int.h).
 * Reads at most the length the library declares: a foreign struct may be
 * shorter than ours.
 */
int
bgw_check_magic_block(const char *path, void *handle, BgwCaughtError *err)
{
	static const Pg_magic_struct ours = PG_MODULE_MAGIC_DATA;
	PGModuleMagicFunction magic_func;
	const void *result = NULL;
	Pg_magic_struct lib;
	int			liblen;

	memset(err, 0, sizeof(*err));
	magic_func = (PGModuleMagicFunction) dlsym(handle, PG_MAGIC_FUNCTION_NAME_STRING);
	if (magic_func == NULL)
	{
		magic_error(err, path, "missing magic block");
		strlcpy(err->hint,
				"Extension libraries are required to use the PG_MODULE_MAGIC macro.",
				sizeof(err->hint));
		return 1;
	}
	if (bgw_call_protected_ptr((const void *(*) (void)) magic_func, &result, err) != 0)
		return 1;
	if (result == NULL)
	{
		magic_error(err, path, "missing magic block");
		strlcpy(err->hint,
				"Extension libraries are required to use the PG_MODULE_MAGIC macro.",
				sizeof(err->hint));
		return 1;
	}

	memset(&lib, 0, sizeof(lib));
	memcpy(&liblen, result, sizeof(int));
	memcpy(&lib, result, (liblen > 0 && (size_t) liblen < sizeof(lib)) ?
		   (size_t) liblen : sizeof(lib));
	if (liblen == (int) sizeof(ours) && memcmp(&lib, &ours, sizeof(ours)) == 0)
		return 0;

	if (lib.version != ours.version)
	{
		char		libver[32];

		if (lib.version >= 1000)
			snprintf(libver, sizeof(libver), "%d", lib.version / 100);
		else
			snprintf(libver, sizeof(libver), "%d.%d", lib.version / 100,
					 lib.version % 100);
		magic_error(err, path, "version mismatch");
		snprintf(err->detail, sizeof(err->detail),
				 "Server is version %d, library is version %s.",
				 ours.version / 100, libver);
		return 1;
	}
	if (strncmp(lib.abi_extra, ours.abi_extra, sizeof(ours.abi_extra)) != 0)
	{
		char		libabi[sizeof(lib.abi_extra) + 1];

		memcpy(libabi, lib.abi_extra, sizeof(lib.abi_extra));
		libabi[sizeof(lib.abi_extra)] = '\0';
		magic_error(err, path, "ABI mismatch");
		snprintf(err->detail, sizeof(err->detail),
				 "Server has ABI \"%s\", library has \"%s\".",
				 ours.abi_extra, libabi);
		return 1;
	}

	magic_error(err, path, "magic block mismatch");
	{
		size_t		off = 0;
		char	   *d = err->detail;
		size_t		dl = sizeof(err->detail);

#define ADD_DETAIL(...) \
		do { \
			if (off < dl) \
				off += snprintf(d + off, dl - off, "%s", off ? "\n" : ""); \
			if (off < dl) \
				off += snprintf(d + off, dl - off, __VA_ARGS__); \
		} while (0)

		if (lib.funcmaxargs != ours.funcmaxargs)
			ADD_DETAIL("Server has FUNC_MAX_ARGS = %d, library has %d.",
					   ours.funcmaxargs, lib.funcmaxargs);
		if (lib.indexmaxkeys != ours.indexmaxkeys)
			ADD_DETAIL("Server has INDEX_MAX_KEYS = %d, library has %d.",
					   ours.indexmaxkeys, lib.indexmaxkeys);
		if (lib.namedatalen != ours.namedatalen)
			ADD_DETAIL("Server has NAMEDATALEN = %d, library has %d.",
					   ours.namedatalen, lib.namedatalen);
		if (lib.float8byval != ours.float8byval)
			ADD_DETAIL("Server has FLOAT8PASSBYVAL = %s, library has %s.",
					   ours.float8byval ? "true" : "false",
					   lib.float8byval ? "true" : "false");
		if (off == 0)
			ADD_DETAIL("Magic block has unexpected length or padding difference.");
#undef ADD_DETAIL
	}
	return 1;
}

static LoadedLibrary *
find_loaded(const char *path)
{
	struct stat st;
	bool		have_stat = stat(path, &st) == 0;

	for (LoadedLibrary *l = loaded_libraries; l != NULL; l = l->next)
	{
		if (strcmp(l->path, path) == 0)
			return l;
		if (have_stat && l->device == st.st_dev && l->inode == st.st_ino &&
			l->inode != 0)
			return l;
	}
	return NULL;
}

static void
remember_library(const char *path, void *handle)
{
	size_t		plen = strlen(path) + 1;
	LoadedLibrary *l;
	struct stat st;

	if (find_loaded(path) != NULL)
		return;
	l = malloc(offsetof(LoadedLibrary, path) + plen);
	if (l == NULL)
		return;					/* it merely gets looked up again later */
	memcpy(l->path, path, plen);
	l->handle = handle;
	if (stat(path, &st) == 0)
	{
		l->device = st.st_dev;
		l->inode = st.st_ino;
	}
	else
	{
		l->device = 0;
		l->inode = 0;
	}
	l->next = loaded_libraries;
	loaded_libraries = l;
}

/* Supervisor: see bgw_internal.h. */
void
bgw_record_loaded_library(const char *path, void *handle)
{
	if (path != NULL && handle != NULL)
		remember_library(path, handle);
}

/*
 * Find, load (once), check and initialise a library; ERROR on any
 * problem.  Returns the dlopen handle.  Worker children (and the
 * supervisor's C code, inside a protected call).
 */
static void *
load_library(const char *name, char *fullpath, size_t fplen)
{
	char		errbuf[MAXPGPATH + 128];
	LoadedLibrary *l;
	void	   *handle;
	BgwCaughtError err;
	void		(*init) (void);

	if (bgw_find_library(name, fullpath, fplen, errbuf, sizeof(errbuf)) != 0)
		ereport(ERROR,
				errcode(ERRCODE_UNDEFINED_FILE),
				errmsg("%s", errbuf));

	l = find_loaded(fullpath);
	if (l != NULL)
		return l->handle;

	handle = dlopen(fullpath, RTLD_NOW | RTLD_GLOBAL);
	if (handle == NULL)
	{
		const char *msg = dlerror();

		ereport(ERROR,
				errcode_for_file_access(),
				errmsg("could not load library \"%s\": %s", fullpath,
					   msg ? msg : "unknown error"));
	}

	if (bgw_check_magic_block(fullpath, handle, &err) != 0)
	{
		dlclose(handle);
		ereport(ERROR,
				errmsg_internal("%s", err.message),
				err.detail[0] ? errdetail_internal("%s", err.detail) : 0,
				err.hint[0] ? errhint("%s", err.hint) : 0);
	}

	remember_library(fullpath, handle);

	init = (void (*) (void)) dlsym(handle, "_PG_init");
	if (init != NULL)
		init();
	return handle;
}

void *
load_external_function(const char *filename, const char *funcname,
					   bool signalNotFound, void **filehandle)
{
	char		fullpath[MAXPGPATH];
	void	   *handle;
	void	   *fn;

	handle = load_library(filename, fullpath, sizeof(fullpath));
	if (filehandle != NULL)
		*filehandle = handle;

	fn = dlsym(handle, funcname);
	if (fn == NULL && signalNotFound)
		ereport(ERROR,
				errcode(ERRCODE_UNDEFINED_FUNCTION),
				errmsg("could not find function \"%s\" in file \"%s\"",
					   funcname, fullpath));
	return fn;
}

void *
lookup_external_function(void *filehandle, const char *funcname)
{
	return dlsym(filehandle, funcname);
}

/*
 * Load a library (running its _PG_init if it is new).  With restricted,
 * only libraries under $libdir/plugins/ are allowed, as in PostgreSQL.
 */
void
load_file(const char *filename, bool restricted)
{
	char		fullpath[MAXPGPATH];

	if (restricted &&
		(strncmp(filename, "$libdir/plugins/", 16) != 0 ||
		 strstr(filename + 16, "/") != NULL))
		ereport(ERROR,
				errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				errmsg("access to library \"%s\" is not allowed", filename));
	(void) load_library(filename, fullpath, sizeof(fullpath));
}
