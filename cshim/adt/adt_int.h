/*-------------------------------------------------------------------------
 *
 * adt_int.h
 *	  What the files of cshim/adt share among themselves: the input and
 *	  output functions of the date and time types (datetime.c) that the
 *	  type table (typio.c) points to, and the invalid-input error.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_ADT_INT_H
#define BGW_ADT_INT_H

#include "bgw_internal.h"

/* ERROR "invalid input syntax for type T: "s"" (22P02). */
extern void bgw_invalid_syntax(const BgwTypeInfo *t, const char *s) pg_attribute_noreturn();

/* datetime.c: text in the ISO DateStyle and the postgres IntervalStyle. */
extern Datum bgw_date_in(const BgwTypeInfo *t, const char *s);
extern char *bgw_date_out(const BgwTypeInfo *t, Datum d);
extern Datum bgw_time_in(const BgwTypeInfo *t, const char *s);
extern char *bgw_time_out(const BgwTypeInfo *t, Datum d);
extern Datum bgw_timestamp_in(const BgwTypeInfo *t, const char *s);
extern char *bgw_timestamp_out(const BgwTypeInfo *t, Datum d);
extern Datum bgw_timestamptz_in(const BgwTypeInfo *t, const char *s);
extern char *bgw_timestamptz_out(const BgwTypeInfo *t, Datum d);
extern Datum bgw_interval_in(const BgwTypeInfo *t, const char *s);
extern char *bgw_interval_out(const BgwTypeInfo *t, Datum d);

#endif							/* BGW_ADT_INT_H */
