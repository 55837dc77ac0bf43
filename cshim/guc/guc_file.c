/*-------------------------------------------------------------------------
 *
 * guc_file.c
 *	  The configuration-file parser: postgresql.conf syntax ("name = value",
 *	  "name value", '#' comments, quoted strings, include, include_if_exists,
 *	  include_dir) turned into a list of ConfigVariable entries.
 *
 *	  One parser serves every process: the supervisor calls it (through
 *	  bgw_guc_load / ProcessConfigFile) and so does a worker that re-reads
 *	  the file in ProcessConfigFile.  It is plain C with malloc; it never
 *	  throws (except on out of memory) and reports problems by appending
 *	  error entries to the list, so the caller decides how to report them.
 *
 *	  The token classes are those of PostgreSQL's scanner, written by hand:
 *	  a line is scanned on its own (no token spans a newline), the longest
 *	  match wins and ties go to identifiers.  One extension: a qualified
 *	  name may have more than one dot (a.b.c), as custom names may.
 *
 *	  Bounds: a line longer than GUC_CONF_MAX_LINE is a syntax error, a
 *	  file larger than GUC_CONF_MAX_FILE is refused, and after
 *	  GUC_CONF_MAX_SYNTAX_ERRORS syntax errors the rest of a file is
 *	  skipped, so no input makes the parser use unbounded memory or time.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "miscadmin.h"
#include "guc_int.h"
#ifdef BGW_TEST_HOOKS
#include "guc_testsupport.h"
#endif

typedef enum ConfToken
{
	TOK_EOL,					/* end of the line (or of the file) */
	TOK_ID,						/* identifier */
	TOK_QUALIFIED_ID,			/* identifier.identifier[.identifier...] */
	TOK_STRING,					/* '...' */
	TOK_INTEGER,
	TOK_REAL,
	TOK_UNQUOTED_STRING,
	TOK_EQUALS,
	TOK_JUNK,					/* any other character */
} ConfToken;

/* The scanner's position in one line. */
typedef struct ConfScanner
{
	const char *line;			/* the line, without its newline */
	size_t		len;			/* its length (may contain NUL bytes) */
	size_t		pos;			/* next byte to scan */
	const char *tok;			/* start of the last token */
	size_t		toklen;			/* its length */
} ConfScanner;

/*
 * The work of the current top-level read, across all included files:
 * files opened (GUC_CONF_MAX_FILES) and bytes read (GUC_CONF_MAX_FILE).
 */
static int	files_opened;
static size_t bytes_read_total;

static void *
xmalloc(size_t size)
{
	return guc_malloc(ERROR, size);
}

static char *
xstrndup(const char *s, size_t n)
{
	char	   *r = xmalloc(n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static char *
xprintf(const char *fmt,...) pg_attribute_printf(1, 2);

static char *
xprintf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	r = xmalloc((size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(r, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return r;
}

static inline bool
is_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_letter_or_digit(unsigned char c)
{
	return is_letter(c) || is_digit(c);
}

static inline bool
is_hexdigit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool
is_ascii_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Length of an identifier at p (0 if none). */
static size_t
scan_id(const unsigned char *p, size_t n)
{
	size_t		i = 0;

	if (n == 0 || !is_letter(p[0]))
		return 0;
	for (i = 1; i < n && is_letter_or_digit(p[i]); i++)
		;
	return i;
}

/* Length of an INTEGER token at p: sign? (digits | 0x hexdigits) letters*. */
static size_t
scan_integer(const unsigned char *p, size_t n)
{
	size_t		i = 0,
				dec,
				hex = 0,
				best;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	dec = i;
	while (dec < n && is_digit(p[dec]))
		dec++;
	if (dec == i)
		return 0;
	if (i + 2 < n && p[i] == '0' && p[i + 1] == 'x' && is_hexdigit(p[i + 2]))
	{
		hex = i + 2;
		while (hex < n && is_hexdigit(p[hex]))
			hex++;
	}
	best = Max(dec, hex);
	while (best < n && is_ascii_letter(p[best]))
		best++;
	/* the decimal form with unit letters may still be longer ("0xyz") */
	if (hex > dec)
	{
		size_t		d = dec;

		while (d < n && is_ascii_letter(p[d]))
			d++;
		best = Max(best, d);
	}
	return best;
}

/* Length of a REAL token: sign? digits* '.' digits* (e sign? digits)?. */
static size_t
scan_real(const unsigned char *p, size_t n)
{
	size_t		i = 0;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	while (i < n && is_digit(p[i]))
		i++;
	if (i >= n || p[i] != '.')
		return 0;
	i++;
	while (i < n && is_digit(p[i]))
		i++;
	if (i < n && (p[i] == 'e' || p[i] == 'E'))
	{
		size_t		j = i + 1;

		if (j < n && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j < n && is_digit(p[j]))
		{
			while (j < n && is_digit(p[j]))
				j++;
			i = j;
		}
	}
	return i;
}

/* Length of a quoted string at p (which is a quote); 0 if unterminated. */
static size_t
scan_string(const unsigned char *p, size_t n)
{
	size_t		i = 1;

	while (i < n)
	{
		if (p[i] == '\\')
		{
			if (i + 1 >= n)
				return 0;
			i += 2;
		}
		else if (p[i] == '\'')
		{
			if (i + 1 < n && p[i + 1] == '\'')
				i += 2;
			else
				return i + 1;
		}
		else
			i++;
	}
	return 0;
}

/* Scan the next token of the line. */
static ConfToken
next_token(ConfScanner *s)
{
	const unsigned char *p;
	size_t		n;

	while (s->pos < s->len &&
		   (s->line[s->pos] == ' ' || s->line[s->pos] == '\t' ||
			s->line[s->pos] == '\r'))
		s->pos++;
	if (s->pos >= s->len || s->line[s->pos] == '#')
	{
		s->pos = s->len;
		s->tok = s->line + s->len;
		s->toklen = 0;
		return TOK_EOL;
	}

	p = (const unsigned char *) s->line + s->pos;
	n = s->len - s->pos;
	s->tok = (const char *) p;

	if (is_letter(p[0]))
	{
		size_t		idlen = scan_id(p, n);
		size_t		unq = 1;
		size_t		qual = idlen;
		ConfToken	kind = TOK_ID;

		/* as many ".identifier" parts as follow */
		while (qual + 1 < n && p[qual] == '.' && is_letter(p[qual + 1]))
		{
			qual += 1 + scan_id(p + qual + 1, n - qual - 1);
			kind = TOK_QUALIFIED_ID;
		}
		while (unq < n && (is_letter_or_digit(p[unq]) || p[unq] == '-' ||
						   p[unq] == '.' || p[unq] == '_' || p[unq] == ':' ||
						   p[unq] == '/'))
			unq++;
		if (unq > qual)
		{
			s->toklen = unq;
			kind = TOK_UNQUOTED_STRING;
		}
		else
			s->toklen = qual;
		s->pos += s->toklen;
		return kind;
	}
	if (p[0] == '\'')
	{
		size_t		len = scan_string(p, n);

		if (len > 0)
		{
			s->toklen = len;
			s->pos += len;
			return TOK_STRING;
		}
		/* an unterminated quote is a junk character, as in the scanner */
	}
	else if (p[0] == '=')
	{
		s->toklen = 1;
		s->pos += 1;
		return TOK_EQUALS;
	}
	else
	{
		size_t		ilen = scan_integer(p, n);
		size_t		rlen = scan_real(p, n);

		if (ilen > 0 || rlen > 0)
		{
			s->toklen = Max(ilen, rlen);
			s->pos += s->toklen;
			return ilen >= rlen ? TOK_INTEGER : TOK_REAL;
		}
	}
	s->toklen = 1;
	s->pos += 1;
	return TOK_JUNK;
}

/*
 * Decode a quoted string token: drop the outer quotes, turn '' into ' and
 * the backslash escapes \b \f \n \r \t and \ooo (octal) into bytes; any
 * other escaped character stands for itself.  Result malloc'd.
 */
char *
DeescapeQuotedString(const char *s)
{
	size_t		len = strlen(s);
	char	   *out;
	size_t		i,
				o = 0;

	/* callers pass the token with its quotes; tolerate a missing one */
	if (len > 0 && s[0] == '\'')
	{
		s++;
		len--;
	}
	if (len > 0 && s[len - 1] == '\'')
		len--;

	out = xmalloc(len + 1);
	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '\\' && i + 1 < len)
		{
			c = s[++i];
			switch (c)
			{
				case 'b':
					out[o++] = '\b';
					break;
				case 'f':
					out[o++] = '\f';
					break;
				case 'n':
					out[o++] = '\n';
					break;
				case 'r':
					out[o++] = '\r';
					break;
				case 't':
					out[o++] = '\t';
					break;
				case '0':
				case '1':
				case '2':
				case '3':
				case '4':
				case '5':
				case '6':
				case '7':
					{
						int			v = 0,
									k;

						for (k = 0; k < 3 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
							v = v * 8 + (s[i++] - '0');
						i--;
						out[o++] = (char) v;
						break;
					}
				default:
					out[o++] = c;
					break;
			}
		}
		else if (c == '\'' && i + 1 < len && s[i + 1] == '\'')
		{
			out[o++] = '\'';
			i++;
		}
		else
			out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

static ConfigVariable *
new_entry(ConfigVariable **head_p, ConfigVariable **tail_p)
{
	ConfigVariable *item = xmalloc(sizeof(ConfigVariable));

	memset(item, 0, sizeof(*item));
	if (*head_p == NULL)
		*head_p = item;
	else
		(*tail_p)->next = item;
	*tail_p = item;
	return item;
}

void
guc_record_error(const char *msg, const char *filename, int lineno,
				 ConfigVariable **head_p, ConfigVariable **tail_p)
{
	ConfigVariable *item = new_entry(head_p, tail_p);

	item->errmsg = xstrdup(msg);
	item->filename = filename ? xstrdup(filename) : NULL;
	item->sourceline = lineno;
	item->ignore = true;
}

/* Record an error whose message is malloc'd (and taken over). */
static void
record_error_owned(char *msg, const char *filename, int lineno,
				   ConfigVariable **head_p, ConfigVariable **tail_p)
{
	guc_record_error(msg, filename, lineno, head_p, tail_p);
	free(msg);
}

void
FreeConfigVariables(ConfigVariable *list)
{
	while (list)
	{
		ConfigVariable *next = list->next;

		free(list->name);
		free(list->value);
		free(list->errmsg);
		free(list->filename);
		free(list);
		list = next;
	}
}

int
guc_name_compare(const char *a, const char *b)
{
	while (*a && *b)
	{
		unsigned char ca = (unsigned char) *a++;
		unsigned char cb = (unsigned char) *b++;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return ca - cb;
	}
	return (unsigned char) *a - (unsigned char) *b;
}

char *
guc_absolute_location(const char *location, const char *calling_file)
{
	char		cwd[4096];

	if (location[0] == '/')
		return xstrdup(location);
	if (calling_file != NULL)
	{
		const char *slash = strrchr(calling_file, '/');

		if (slash != NULL)
			return xprintf("%.*s/%s", (int) (slash - calling_file),
						   calling_file, location);
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(location);
	return xprintf("%s/%s", cwd, location);
}

/*
 * Read one line of fp into *buf (grown as needed up to GUC_CONF_MAX_LINE
 * bytes, without the newline).  Returns false at end of file with nothing
 * read.  *toolong is set if the line was longer than the bound (its excess
 * is consumed and dropped); *total counts every byte read.
 */
static bool
read_line(FILE *fp, char **buf, size_t *cap, size_t *len, bool *toolong,
		  size_t *total)
{
	int			c;
	bool		any = false;

	*len = 0;
	*toolong = false;
	while ((c = getc(fp)) != EOF)
	{
		any = true;
		if (++(*total) > GUC_CONF_MAX_FILE)
			break;
		if (c == '\n')
			break;
		if (*len >= GUC_CONF_MAX_LINE)
		{
			*toolong = true;
			continue;
		}
		if (*len + 1 >= *cap)
		{
			size_t		ncap = *cap ? *cap * 2 : 256;

			*buf = guc_realloc(ERROR, *buf, ncap);
			*cap = ncap;
		}
		(*buf)[(*len)++] = (char) c;
	}
	return any;
}

/* The token text for "near token" (NUL bytes shown as they stop %s). */
static char *
token_text(const ConfScanner *s)
{
	return xstrndup(s->tok, s->toklen);
}

bool
guc_parse_fp(FILE *fp, const char *config_file, int depth,
			 ConfigVariable **head_p, ConfigVariable **tail_p)
{
	bool		ok = true;
	char	   *buf = NULL;
	size_t		cap = 0,
				len = 0,
				total = bytes_read_total;
	bool		toolong;
	unsigned int lineno = 0;
	int			errorcount = 0;

	while (read_line(fp, &buf, &cap, &len, &toolong, &total))
	{
		ConfScanner s = {buf ? buf : "", len, 0, NULL, 0};
		ConfToken	tok;
		char	   *name = NULL;
		char	   *value = NULL;
		char	   *msg;

		lineno++;
		if (total > GUC_CONF_MAX_FILE)
		{
			record_error_owned(xprintf("configuration file \"%s\" is too large (more than %d bytes in all files read)",
									   config_file, GUC_CONF_MAX_FILE),
							   config_file, (int) lineno, head_p, tail_p);
			ok = false;
			break;
		}
		if (toolong)
		{
			msg = xprintf("syntax error in file \"%s\" line %u, near end of line",
						  config_file, lineno);
			goto syntax_error;
		}

		tok = next_token(&s);
		if (tok == TOK_EOL)
			continue;			/* blank or comment */
		if (tok != TOK_ID && tok != TOK_QUALIFIED_ID)
			goto parse_error;
		name = token_text(&s);

		tok = next_token(&s);
		if (tok == TOK_EQUALS)
			tok = next_token(&s);
		if (tok != TOK_ID && tok != TOK_QUALIFIED_ID && tok != TOK_STRING &&
			tok != TOK_INTEGER && tok != TOK_REAL && tok != TOK_UNQUOTED_STRING)
			goto parse_error;
		if (tok == TOK_STRING)
		{
			char	   *raw = token_text(&s);

			value = DeescapeQuotedString(raw);
			free(raw);
		}
		else
			value = token_text(&s);

		tok = next_token(&s);
		if (tok != TOK_EOL)
			goto parse_error;

		if (guc_name_compare(name, "include_dir") == 0)
		{
			bytes_read_total = total;
			if (!guc_parse_dir(value, config_file, (int) lineno, depth + 1,
							   head_p, tail_p))
				ok = false;
			total = bytes_read_total;
			free(name);
			free(value);
		}
		else if (guc_name_compare(name, "include_if_exists") == 0)
		{
			bytes_read_total = total;
			if (!guc_parse_file(value, false, config_file, (int) lineno,
								depth + 1, head_p, tail_p))
				ok = false;
			total = bytes_read_total;
			free(name);
			free(value);
		}
		else if (guc_name_compare(name, "include") == 0)
		{
			bytes_read_total = total;
			if (!guc_parse_file(value, true, config_file, (int) lineno,
								depth + 1, head_p, tail_p))
				ok = false;
			total = bytes_read_total;
			free(name);
			free(value);
		}
		else
		{
			ConfigVariable *item = new_entry(head_p, tail_p);

			item->name = name;
			item->value = value;
			item->filename = xstrdup(config_file);
			item->sourceline = (int) lineno;
		}
		continue;

parse_error:
		free(name);
		free(value);
		if (tok == TOK_EOL)
			msg = xprintf("syntax error in file \"%s\" line %u, near end of line",
						  config_file, lineno);
		else
		{
			char	   *t = token_text(&s);

			msg = xprintf("syntax error in file \"%s\" line %u, near token \"%s\"",
						  config_file, lineno, t);
			free(t);
		}
syntax_error:
		record_error_owned(msg, config_file, (int) lineno, head_p, tail_p);
		ok = false;
		if (++errorcount >= GUC_CONF_MAX_SYNTAX_ERRORS)
		{
			record_error_owned(xprintf("too many syntax errors found, abandoning file \"%s\"",
									   config_file),
							   config_file, (int) lineno, head_p, tail_p);
			break;
		}
	}
	if (ferror(fp))
	{
		record_error_owned(xprintf("could not read configuration file \"%s\": %s",
								   config_file, strerror(errno)),
						   config_file, (int) lineno, head_p, tail_p);
		ok = false;
	}
	free(buf);
	bytes_read_total = total;
	return ok;
}

bool
guc_parse_file(const char *config_file, bool strict,
			   const char *calling_file, int calling_lineno, int depth,
			   ConfigVariable **head_p, ConfigVariable **tail_p)
{
	char	   *abs_path;
	FILE	   *fp;
	int			fd;
	struct stat st;
	bool		ok;

	if (strspn(config_file, " \t\r\n") == strlen(config_file))
	{
		record_error_owned(xprintf("empty configuration file name: \"%s\"", config_file),
						   calling_file, calling_lineno, head_p, tail_p);
		return false;
	}
	if (depth > CONF_FILE_MAX_DEPTH)
	{
		record_error_owned(xprintf("could not open configuration file \"%s\": maximum nesting depth exceeded",
								   config_file),
						   calling_file, calling_lineno, head_p, tail_p);
		return false;
	}

	/* includes of includes grow exponentially: bound the work of one read */
	if (depth == CONF_FILE_START_DEPTH)
	{
		files_opened = 0;
		bytes_read_total = 0;
	}
	if (++files_opened > GUC_CONF_MAX_FILES)
	{
		record_error_owned(xprintf("could not open configuration file \"%s\": more than %d files included",
								   config_file, GUC_CONF_MAX_FILES),
						   calling_file, calling_lineno, head_p, tail_p);
		return false;
	}

	abs_path = guc_absolute_location(config_file, calling_file);

	/*
	 * O_NONBLOCK so that a FIFO cannot hang the open; only regular files
	 * are read (a device could be endless or block).
	 */
	fd = open(abs_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	fp = NULL;
	if (fd >= 0)
	{
		if (fstat(fd, &st) != 0)
			close(fd);
		else if (!S_ISREG(st.st_mode))
		{
			close(fd);
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		}
		else
		{
			int			flags = fcntl(fd, F_GETFL);

			if (flags >= 0)
				(void) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
			fp = fdopen(fd, "r");
			if (fp == NULL)
				close(fd);
		}
	}
	if (fp == NULL)
	{
		if (strict)
		{
			record_error_owned(xprintf("could not open configuration file \"%s\": %s",
									   abs_path, strerror(errno)),
							   calling_file, calling_lineno, head_p, tail_p);
			free(abs_path);
			return false;
		}
		ereport(IsUnderPostmaster ? DEBUG2 : LOG,
				(errmsg("skipping missing configuration file \"%s\"", abs_path)));
		free(abs_path);
		return true;
	}

	ok = guc_parse_fp(fp, abs_path, depth, head_p, tail_p);
	fclose(fp);
	free(abs_path);
	return ok;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

bool
guc_parse_dir(const char *includedir, const char *calling_file,
			  int calling_lineno, int depth,
			  ConfigVariable **head_p, ConfigVariable **tail_p)
{
	char	   *dir;
	DIR		   *d;
	struct dirent *de;
	char	  **files = NULL;
	size_t		nfiles = 0,
				cap = 0,
				i;
	bool		ok = true;

	if (strspn(includedir, " \t\r\n") == strlen(includedir))
	{
		record_error_owned(xprintf("empty configuration directory name: \"%s\"", includedir),
						   calling_file, calling_lineno, head_p, tail_p);
		return false;
	}

	dir = guc_absolute_location(includedir, calling_file);
	d = opendir(dir);
	if (d == NULL)
	{
		record_error_owned(xprintf("could not open configuration directory \"%s\": %s",
								   dir, strerror(errno)),
						   calling_file, calling_lineno, head_p, tail_p);
		free(dir);
		return false;
	}

	while ((de = readdir(d)) != NULL)
	{
		size_t		nlen = strlen(de->d_name);
		char	   *path;
		struct stat st;

		/* "x.conf" at least, and no hidden files (editors' backups) */
		if (nlen < 6 || de->d_name[0] == '.' ||
			strcmp(de->d_name + nlen - 5, ".conf") != 0)
			continue;
		path = xprintf("%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0)
		{
			record_error_owned(xprintf("could not stat file \"%s\": %s",
									   path, strerror(errno)),
							   calling_file, calling_lineno, head_p, tail_p);
			free(path);
			ok = false;
			break;
		}
		if (!S_ISREG(st.st_mode))
		{
			free(path);
			continue;
		}
		if (nfiles == cap)
		{
			cap = cap ? cap * 2 : 16;
			files = guc_realloc(ERROR, files, cap * sizeof(char *));
		}
		files[nfiles++] = path;
	}
	closedir(d);

	if (ok)
	{
		qsort(files, nfiles, sizeof(char *), cmp_names);
		for (i = 0; i < nfiles; i++)
		{
			if (!guc_parse_file(files[i], true, calling_file, calling_lineno,
								depth, head_p, tail_p))
			{
				ok = false;
				break;
			}
		}
	}
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(dir);
	return ok;
}

/* Report the error entries after `from` (or all if NULL) at elevel. */
static void
report_new_errors(ConfigVariable *head, ConfigVariable *from, int elevel)
{
	ConfigVariable *item = from ? from->next : head;

	for (; item != NULL; item = item->next)
		if (item->errmsg != NULL)
			ereport(elevel,
					(errcode(ERRCODE_CONFIG_FILE_ERROR),
					 errmsg_internal("%s", item->errmsg)));
}

/*
 * The module-facing parser entry points: the silent parser, then every new
 * problem reported at elevel (ERROR and above throw at the first).
 */
bool
ParseConfigFile(const char *config_file, bool strict,
				const char *calling_file, int calling_lineno,
				int depth, int elevel,
				ConfigVariable **head_p, ConfigVariable **tail_p)
{
	ConfigVariable *old_tail = *head_p ? *tail_p : NULL;
	bool		ok = guc_parse_file(config_file, strict, calling_file,
									calling_lineno, depth, head_p, tail_p);

	if (!ok)
		report_new_errors(*head_p, old_tail, elevel);
	return ok;
}

bool
ParseConfigFp(FILE *fp, const char *config_file, int depth, int elevel,
			  ConfigVariable **head_p, ConfigVariable **tail_p)
{
	ConfigVariable *old_tail = *head_p ? *tail_p : NULL;
	bool		ok;

	if (depth == CONF_FILE_START_DEPTH)
	{
		files_opened = 0;
		bytes_read_total = 0;
	}
	ok = guc_parse_fp(fp, config_file, depth, head_p, tail_p);

	if (!ok)
		report_new_errors(*head_p, old_tail, elevel);
	return ok;
}

bool
ParseConfigDirectory(const char *includedir, const char *calling_file,
					 int calling_lineno, int depth, int elevel,
					 ConfigVariable **head_p, ConfigVariable **tail_p)
{
	ConfigVariable *old_tail = *head_p ? *tail_p : NULL;
	bool		ok = guc_parse_dir(includedir, calling_file, calling_lineno,
								   depth, head_p, tail_p);

	if (!ok)
		report_new_errors(*head_p, old_tail, elevel);
	return ok;
}

#ifdef BGW_TEST_HOOKS
int
bgw_guc_parse_for_test(const char *path, int *nerrors, char *errbuf, size_t errlen)
{
	ConfigVariable *head = NULL,
			   *tail = NULL,
			   *item;
	int			n = 0;

	*nerrors = 0;
	if (errlen > 0)
		errbuf[0] = '\0';
	(void) guc_parse_file(path, true, NULL, 0, CONF_FILE_START_DEPTH, &head, &tail);
	for (item = head; item != NULL; item = item->next)
	{
		if (item->errmsg != NULL)
		{
			if (*nerrors == 0 && errlen > 0)
				strlcpy(errbuf, item->errmsg, errlen);
			(*nerrors)++;
		}
		else
			n++;
	}
	FreeConfigVariables(head);
	return n;
}
#endif							/* BGW_TEST_HOOKS */
