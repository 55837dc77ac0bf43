/*-------------------------------------------------------------------------
 *
 * builtins.h
 *	  bgworker's subset of PostgreSQL's utils/builtins.h: converting
 *	  between C strings and text.  Implemented in cshim/adt.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BUILTINS_H
#define BUILTINS_H

#include "fmgr.h"

extern text *cstring_to_text(const char *s);
extern text *cstring_to_text_with_len(const char *s, int len);
extern char *text_to_cstring(const text *t);
extern void text_to_cstring_buffer(const text *src, char *dst, size_t dst_len);

#define CStringGetTextDatum(s) PointerGetDatum(cstring_to_text(s))
#define TextDatumGetCString(d) text_to_cstring((text *) DatumGetPointer(d))

#endif							/* BUILTINS_H */
