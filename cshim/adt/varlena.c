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
