/*-------------------------------------------------------------------------
 *
 * stringinfo.c
 *	  StringInfo, the extensible string buffer (lib/stringinfo.h).
 *
 *	  Any process; uses palloc, so the buffer lives in the memory context
 *	  that was current when it was initialised, and growth past
 *	  MaxAllocSize is an ERROR.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/memutils.h"

StringInfo
makeStringInfo(void)
{
	StringInfo	res = palloc(sizeof(StringInfoData));

	initStringInfo(res);
	return res;
}

void
initStringInfo(StringInfo str)
{
	int			size = 1024;

	str->data = palloc(size);
	str->maxlen = size;
	resetStringInfo(str);
}

/*
 * Wrap existing data (NUL-terminated at data[len]) without copying; the
 * result must not be appended to.
 */
void
initReadOnlyStringInfo(StringInfo str, char *data, int len)
{
	str->data = data;
	str->len = len;
	str->maxlen = 0;
	str->cursor = 0;
}

/* Take ownership of a palloc'd string of len bytes (NUL at data[len]). */
void
initStringInfoFromString(StringInfo str, char *data, int len)
{
	str->data = data;
	str->len = len;
	str->maxlen = len + 1;
	str->cursor = 0;
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	int			save_errno = errno;

	for (;;)
	{
		va_list		args;
		int			needed;

		errno = save_errno;
		va_start(args, fmt);
		needed = appendStringInfoVA(str, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(str, needed);
	}
}

/*
 * Try to append; returns 0 on success, else the number of bytes to
 * enlarge by before trying again with a fresh va_list.  On failure the
 * buffer is unchanged (apart from bytes past len).
 */
int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail;
	size_t		nprinted;

	avail = str->maxlen - str->len;
	if (avail < 16)
		return 32;
	nprinted = pvsnprintf(str->data + str->len, (size_t) avail, fmt, args);
	if (nprinted == 0)
	{
		str->len += (int) strlen(str->data + str->len);
		return 0;
	}
	str->data[str->len] = '\0';
	return (int) nprinted;
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, (int) strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len] = ch;
	str->len++;
	str->data[str->len] = '\0';
}

void
appendStringInfoSpaces(StringInfo str, int count)
{
	if (count > 0)
	{
		enlargeStringInfo(str, count);
		memset(&str->data[str->len], ' ', count);
		str->len += count;
		str->data[str->len] = '\0';
	}
}

void
appendBinaryStringInfo(StringInfo str, const void *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

/* The same without maintaining the trailing NUL. */
void
appendBinaryStringInfoNT(StringInfo str, const void *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
}

/*
 * Make room for needed more bytes (plus the NUL).  Doubles the buffer so
 * that a series of appends is linear; ERROR beyond MaxAllocSize.
 */
void
enlargeStringInfo(StringInfo str, int needed)
{
	Size		newlen;

	if (needed < 0)
		elog(ERROR, "invalid string enlargement request size: %d", needed);
	if (((Size) needed) >= (MaxAllocSize - (Size) str->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory"),
				 errdetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.",
						   str->len, needed)));

	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * (Size) str->maxlen;
	if (newlen < 64)
		newlen = 64;
	while ((Size) needed > newlen)
		newlen = 2 * newlen;
	if (newlen > MaxAllocSize)
		newlen = MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = (int) newlen;
}

void
destroyStringInfo(StringInfo str)
{
	pfree(str->data);
	pfree(str);
}
