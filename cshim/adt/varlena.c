/*-------------------------------------------------------------------------
 *
 * varlena.c
 *	  text and bytea helpers (utils/builtins.h) and "detoasting" (fmgr.h):
 *	  bgworker stores nothing out of line or compressed, so a value only
 *	  ever needs its short header made long.  Sessions and workers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "varatt.h"

static void
check_inline(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("out-of-line or compressed values are not supported")));
}

/* A copy with a 4-byte header. */
static struct varlena *
make_long_copy(struct varlena *datum)
{
	Size		len = VARSIZE_ANY_EXHDR(datum);
	struct varlena *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), VARDATA_ANY(datum), len);
	return result;
}

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	check_inline(datum);
	if (VARATT_IS_SHORT(datum))
		return make_long_copy(datum);
	return datum;
}

struct varlena *
pg_detoast_datum_copy(struct varlena *datum)
{
	check_inline(datum);
	return make_long_copy(datum);
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	check_inline(datum);
	return datum;
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	text	   *tunpacked = (text *) pg_detoast_datum_packed((struct varlena *) t);
	int			len = VARSIZE_ANY_EXHDR(tunpacked);
	char	   *result = palloc(len + 1);

	memcpy(result, VARDATA_ANY(tunpacked), len);
	result[len] = '\0';
	return result;
}

void
text_to_cstring_buffer(const text *src, char *dst, size_t dst_len)
{
	text	   *srcunpacked = (text *) pg_detoast_datum_packed((struct varlena *) src);
	size_t		src_len = VARSIZE_ANY_EXHDR(srcunpacked);

	if (dst_len > 0)
	{
		dst_len--;
		if (dst_len >= src_len)
			dst_len = src_len;
		memcpy(dst, VARDATA_ANY(srcunpacked), dst_len);
		dst[dst_len] = '\0';
	}
}

struct varlena *
pg_detoast_datum_slice(struct varlena *datum, int32 first, int32 count)
{
	struct varlena *plain = pg_detoast_datum(datum);
	int32		len = VARSIZE(plain) - VARHDRSZ;
	struct varlena *result;

	if (first < 0)
		first = 0;
	if (first > len)
		first = len;
	if (count < 0 || count > len - first)
		count = len - first;
	result = (struct varlena *) palloc(count + VARHDRSZ);
	SET_VARSIZE(result, count + VARHDRSZ);
	memcpy(VARDATA(result), VARDATA(plain) + first, count);
	return result;
}

/* PostgreSQL 17's reserved key words: an identifier equal to one is quoted. */
static const char *const reserved_words[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asymmetric", "authorization", "between", "bigint", "binary", "bit",
	"boolean", "both", "case", "cast", "char", "character", "check",
	"coalesce", "collate", "collation", "column", "concurrently",
	"constraint", "create", "cross", "current_catalog", "current_date",
	"current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "dec", "decimal", "default", "deferrable", "desc",
	"distinct", "do", "else", "end", "except", "exists", "extract", "false",
	"fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
	"greatest", "group", "grouping", "having", "ilike", "in", "initially",
	"inner", "inout", "int", "integer", "intersect", "interval", "into", "is",
	"isnull", "join", "json", "json_array", "json_arrayagg", "json_exists",
	"json_object", "json_objectagg", "json_query", "json_scalar",
	"json_serialize", "json_table", "json_value", "lateral", "leading",
	"least", "left", "like", "limit", "localtime", "localtimestamp",
	"merge_action", "national", "natural", "nchar", "none", "normalize",
	"not", "notnull", "null", "nullif", "numeric", "offset", "on", "only",
	"or", "order", "out", "outer", "overlaps", "overlay", "placing",
	"position", "precision", "primary", "real", "references", "returning",
	"right", "row", "select", "session_user", "setof", "similar", "smallint",
	"some", "substring", "symmetric", "system_user", "table", "tablesample",
	"then", "time", "timestamp", "to", "trailing", "treat", "trim", "true",
	"union", "unique", "user", "using", "values", "varchar", "variadic",
	"verbose", "when", "where", "window", "with", "xmlattributes",
	"xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces",
	"xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};

static bool
is_keyword(const char *ident)
{
	for (size_t i = 0; i < lengthof(reserved_words); i++)
		if (strcmp(ident, reserved_words[i]) == 0)
			return true;
	return false;
}

/*
 * ident, double-quoted if it needs to be (not all lower-case letters,
 * digits and underscores, starting with a letter or underscore, or a
 * key word that cannot be a column name).  Returns ident itself when no
 * quoting is needed, as PostgreSQL does, else a palloc'd string.
 */
const char *
quote_identifier(const char *ident)
{
	bool		safe;
	int			nquotes = 0;
	const char *p;
	char	   *result,
			   *o;

	safe = ((ident[0] >= 'a' && ident[0] <= 'z') || ident[0] == '_');
	for (p = ident; *p; p++)
	{
		char		ch = *p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')
			continue;
		safe = false;
		if (ch == '"')
			nquotes++;
	}
	if (safe && !is_keyword(ident))
		return ident;

	result = (char *) palloc(strlen(ident) + nquotes + 2 + 1);
	o = result;
	*o++ = '"';
	for (p = ident; *p; p++)
	{
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return result;
}

char *
quote_qualified_identifier(const char *qualifier, const char *ident)
{
	if (qualifier)
		return psprintf("%s.%s", quote_identifier(qualifier), quote_identifier(ident));
	return pstrdup(quote_identifier(ident));
}

/*
 * rawstr as an SQL string literal: quotes and backslashes doubled, and an
 * E prefix when it holds a backslash (right whatever
 * standard_conforming_strings is).
 */
char *
quote_literal_cstr(const char *rawstr)
{
	size_t		len = strlen(rawstr);
	char	   *result = (char *) palloc(len * 2 + 3 + 1);
	char	   *o = result;

	if (strchr(rawstr, '\\') != NULL)
		*o++ = 'E';
	*o++ = '\'';
	for (const char *p = rawstr; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			*o++ = *p;
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return result;
}

/* ---- names ---- */

int
namestrcpy(Name name, const char *str)
{
	strlcpy(NameStr(*name), str, NAMEDATALEN);
	return 0;
}

int
namestrcmp(Name name, const char *str)
{
	if (!name && !str)
		return 0;
	if (!name)
		return -1;
	if (!str)
		return 1;
	return strncmp(NameStr(*name), str, NAMEDATALEN);
}
