/*-------------------------------------------------------------------------
 *
 * stringinfo.h
 *	  StringInfo: an extensible string buffer allocated with palloc in the
 *	  memory context current when it was initialised.  PostgreSQL 17 API;
 *	  implementation in cshim/common/stringinfo.c.
 *
 *	  data is always NUL-terminated; len excludes the NUL; maxlen is the
 *	  allocated size; cursor is free for the caller (readers use it).
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRINGINFO_H
#define STRINGINFO_H

typedef struct StringInfoData
{
	char	   *data;			/* the string, NUL-terminated */
	int			len;			/* its length */
	int			maxlen;			/* allocated size of data */
	int			cursor;			/* for the caller's use */
} StringInfoData;

typedef StringInfoData *StringInfo;

extern StringInfo makeStringInfo(void);
extern void initStringInfo(StringInfo str);
extern void initReadOnlyStringInfo(StringInfo str, char *data, int len);
extern void initStringInfoFromString(StringInfo str, char *data, int len);
extern void resetStringInfo(StringInfo str);
extern void appendStringInfo(StringInfo str, const char *fmt,...) pg_attribute_printf(2, 3);
extern int	appendStringInfoVA(StringInfo str, const char *fmt, va_list args) pg_attribute_printf(2, 0);
extern void appendStringInfoString(StringInfo str, const char *s);
extern void appendStringInfoChar(StringInfo str, char ch);

/* Append one byte without the function call when there is room. */
#define appendStringInfoCharMacro(str,ch) \
	(((str)->len + 1 >= (str)->maxlen) ? \
	 appendStringInfoChar(str, ch) : \
	 (void)((str)->data[(str)->len] = (ch), (str)->data[++(str)->len] = '\0'))

extern void appendStringInfoSpaces(StringInfo str, int count);
extern void appendBinaryStringInfo(StringInfo str, const void *data, int datalen);
extern void appendBinaryStringInfoNT(StringInfo str, const void *data, int datalen);
extern void enlargeStringInfo(StringInfo str, int needed);
extern void destroyStringInfo(StringInfo str);

#endif							/* STRINGINFO_H */
