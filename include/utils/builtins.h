/*-------------------------------------------------------------------------
 *
 * builtins.h
 *	  bgworker's subset of PostgreSQL 17's utils/builtins.h: text and
 *	  C-string conversion, SQL quoting and type names.  Implemented in
 *	  cshim/adt/ (format_type_be in cshim/dbconn/, since it may ask the
 *	  server).
 *
 *-------------------------------------------------------------------------
 */
#ifndef BUILTINS_H
#define BUILTINS_H

#include "fmgr.h"

/* varlena.c */
extern text *cstring_to_text(const char *s);
extern text *cstring_to_text_with_len(const char *s, int len);
extern char *text_to_cstring(const text *t);
extern void text_to_cstring_buffer(const text *src, char *dst, size_t dst_len);

#define CStringGetTextDatum(s) PointerGetDatum(cstring_to_text(s))
#define TextDatumGetCString(d) text_to_cstring((text *) DatumGetPointer(d))

/* ruleutils.c / quote.c */
extern const char *quote_identifier(const char *ident);
extern char *quote_qualified_identifier(const char *qualifier,
										const char *ident);
extern char *quote_literal_cstr(const char *rawstr);

/* bool.c */
extern bool parse_bool(const char *value, bool *result);
extern bool parse_bool_with_len(const char *value, size_t len, bool *result);

/*
 * format_type.c: a type's SQL name.  Built-in types are named without a
 * round trip; others are asked of the server when the worker has a
 * database connection, and shown as their OID otherwise.
 */
extern char *format_type_be(Oid type_oid);
extern char *format_type_with_typemod(Oid type_oid, int32 typemod);

/* name.c */
extern int	namestrcpy(Name name, const char *str);
extern int	namestrcmp(Name name, const char *str);

#endif							/* BUILTINS_H */
