/*-------------------------------------------------------------------------
 *
 * c.h
 *	  Fundamental C definitions for bgworker modules: integer types, bool,
 *	  Size, the attribute macros and the small helpers (Min, Max, lengthof,
 *	  StaticAssert*, Assert) that PostgreSQL code takes for granted.
 *
 *	  Modules include "postgres.h", which includes this file first.  Names,
 *	  types and values match PostgreSQL 17 so that module source compiles
 *	  unchanged; the text is bgworker's own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef C_H
#define C_H

#include "pg_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <strings.h>
#include <errno.h>
#include <sys/types.h>
#include <signal.h>
#include <limits.h>
#include <locale.h>

/* ---- compiler attributes ---- */
#define pg_attribute_unused()			__attribute__((unused))
#define pg_attribute_format_arg(a)		__attribute__((format_arg(a)))
#define pg_attribute_printf(f,a)		__attribute__((format(gnu_printf, f, a)))
#define pg_attribute_noreturn()			__attribute__((noreturn))
#define pg_noreturn						_Noreturn
#define pg_attribute_aligned(a)			__attribute__((aligned(a)))
#define pg_attribute_packed()			__attribute__((packed))
#define pg_attribute_always_inline		__attribute__((always_inline)) inline
#define pg_noinline						__attribute__((noinline))
#define pg_attribute_cold				__attribute__((cold))
#define pg_attribute_hot				__attribute__((hot))
#define pg_attribute_no_sanitize_address() __attribute__((no_sanitize_address))
#define pg_attribute_no_sanitize_alignment() __attribute__((no_sanitize("alignment")))
#define pg_nodiscard					__attribute__((warn_unused_result))
#define pg_unreachable()				__builtin_unreachable()
#define likely(x)						__builtin_expect((x) != 0, 1)
#define unlikely(x)						__builtin_expect((x) != 0, 0)
#define PG_USED_FOR_ASSERTS_ONLY		pg_attribute_unused()

/* Symbols a module exports to the host, and host symbols a module uses. */
#define PGDLLIMPORT
#define PGDLLEXPORT						__attribute__((visibility("default")))

#define CppAsString(identifier)			#identifier
#define CppAsString2(x)					CppAsString(x)
#define CppConcat(x, y)					x##y

/* ---- integer types ---- */
typedef signed char int8;
typedef short int16;
typedef int int32;
typedef long int int64;
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long int uint64;
typedef __int128 int128;
typedef unsigned __int128 uint128;

typedef uint8 bits8;
typedef uint16 bits16;
typedef uint32 bits32;

#define INT64CONST(x)	(x##L)
#define UINT64CONST(x)	(x##UL)
#define INT64_FORMAT	"%ld"
#define UINT64_FORMAT	"%lu"

#define PG_INT8_MIN		(-0x7F-1)
#define PG_INT8_MAX		(0x7F)
#define PG_UINT8_MAX	(0xFF)
#define PG_INT16_MIN	(-0x7FFF-1)
#define PG_INT16_MAX	(0x7FFF)
#define PG_UINT16_MAX	(0xFFFF)
#define PG_INT32_MIN	(-0x7FFFFFFF-1)
#define PG_INT32_MAX	(0x7FFFFFFF)
#define PG_UINT32_MAX	(0xFFFFFFFFU)
#define PG_INT64_MIN	(-INT64CONST(0x7FFFFFFFFFFFFFFF) - 1)
#define PG_INT64_MAX	INT64CONST(0x7FFFFFFFFFFFFFFF)
#define PG_UINT64_MAX	UINT64CONST(0xFFFFFFFFFFFFFFFF)

typedef size_t Size;
typedef unsigned int Index;
typedef signed int Offset;
typedef float float4;
typedef double float8;
typedef char *Pointer;
typedef uint32 TransactionId;
typedef uint32 LocalTransactionId;
typedef uint32 SubTransactionId;
typedef uint32 MultiXactId;
typedef uint32 MultiXactOffset;
typedef uint32 CommandId;
typedef unsigned int Oid;

#define InvalidOid		((Oid) 0)
#define OidIsValid(objectId)  ((bool) ((objectId) != InvalidOid))
#define OID_MAX			UINT_MAX
#define FirstCommandId	((CommandId) 0)
#define InvalidCommandId	(~(CommandId)0)

#ifndef true
#define true	((bool) 1)
#endif
#ifndef false
#define false	((bool) 0)
#endif

#ifndef NULL
#define NULL	((void *) 0)
#endif

/* Type-independent pointer test. */
#define PointerIsValid(pointer) ((const void*)(pointer) != NULL)

/* ---- NameData ---- */
typedef struct nameData
{
	char		data[NAMEDATALEN];
} NameData;
typedef NameData *Name;
#define NameStr(name)	((name).data)

/* ---- varlena (so that fmgr-level code compiles) ---- */
struct varlena
{
	char		vl_len_[4];
	char		vl_dat[];
};
typedef struct varlena bytea;
typedef struct varlena text;
typedef struct varlena BpChar;
typedef struct varlena VarChar;
#define VARHDRSZ		((int32) sizeof(int32))

/* ---- alignment ---- */
#define TYPEALIGN(ALIGNVAL,LEN)  \
	(((uintptr_t) (LEN) + ((ALIGNVAL) - 1)) & ~((uintptr_t) ((ALIGNVAL) - 1)))
#define SHORTALIGN(LEN)			TYPEALIGN(ALIGNOF_SHORT, (LEN))
#define INTALIGN(LEN)			TYPEALIGN(ALIGNOF_INT, (LEN))
#define LONGALIGN(LEN)			TYPEALIGN(ALIGNOF_LONG, (LEN))
#define DOUBLEALIGN(LEN)		TYPEALIGN(ALIGNOF_DOUBLE, (LEN))
#define MAXALIGN(LEN)			TYPEALIGN(MAXIMUM_ALIGNOF, (LEN))
#define BUFFERALIGN(LEN)		TYPEALIGN(ALIGNOF_BUFFER, (LEN))
#define CACHELINEALIGN(LEN)		TYPEALIGN(PG_CACHE_LINE_SIZE, (LEN))
#define TYPEALIGN_DOWN(ALIGNVAL,LEN)  \
	(((uintptr_t) (LEN)) & ~((uintptr_t) ((ALIGNVAL) - 1)))
#define MAXALIGN_DOWN(LEN)		TYPEALIGN_DOWN(MAXIMUM_ALIGNOF, (LEN))
#define BUFFERALIGN_DOWN(LEN)	TYPEALIGN_DOWN(ALIGNOF_BUFFER, (LEN))

/* ---- small helpers ---- */
#define Max(x, y)		((x) > (y) ? (x) : (y))
#define Min(x, y)		((x) < (y) ? (x) : (y))
#define lengthof(array) (sizeof (array) / sizeof ((array)[0]))
#define endof(array)	(&(array)[lengthof(array)])
#define offsetof_end(type, field) \
	(offsetof(type, field) + sizeof(((type *) 0)->field))
#define pg_nextpower2_size_t(n) pg_nextpower2_64(n)

#define StaticAssertDecl(condition, errmessage) \
	_Static_assert(condition, errmessage)
#define StaticAssertStmt(condition, errmessage) \
	do { _Static_assert(condition, errmessage); } while(0)
#define StaticAssertExpr(condition, errmessage) \
	((void) ({ StaticAssertStmt(condition, errmessage); true; }))

#define unconstify(underlying_type, expr) ((underlying_type) (expr))
#define unvolatize(underlying_type, expr) ((underlying_type) (expr))

#define MemSet(start, val, len)		memset((start), (val), (len))
#define MemSetAligned(start, val, len)	memset((start), (val), (len))

#define SIGNAL_ARGS  int postgres_signal_arg

#define FLEXIBLE_ARRAY_MEMBER	/* empty */

/* Message translation markers: there is no translation here. */
#define gettext_noop(x) (x)
#define gettext(x) (x)
#define dgettext(d, x) (x)
#define ngettext(s, p, n) ((n) == 1 ? (s) : (p))
#define dngettext(d, s, p, n) ((n) == 1 ? (s) : (p))
#define _(x) (x)

#define HIGHBIT					(0x80)
#define IS_HIGHBIT_SET(ch)		((unsigned char)(ch) & HIGHBIT)

/*
 * Assertions.  Active when the module is built with USE_ASSERT_CHECKING;
 * a failed assertion logs the expression and location, then aborts.
 */
extern void ExceptionalCondition(const char *conditionName,
								 const char *fileName, int lineNumber)
			pg_attribute_noreturn();

#ifndef USE_ASSERT_CHECKING
#define Assert(condition)	((void)true)
#define AssertMacro(condition)	((void)true)
#define AssertPointerAlignment(ptr, bndr)	((void)true)
#else
#define Assert(condition) \
	do { \
		if (!(condition)) \
			ExceptionalCondition(#condition, __FILE__, __LINE__); \
	} while (0)
#define AssertMacro(condition) \
	((void) ((condition) || \
			 (ExceptionalCondition(#condition, __FILE__, __LINE__), 0)))
#define AssertPointerAlignment(ptr, bndr) \
	Assert(TYPEALIGN(bndr, (uintptr_t)(ptr)) == (uintptr_t)(ptr))
#endif

#define AssertArg(condition)	Assert(condition)
#define AssertState(condition)	Assert(condition)

/* ---- string helpers provided by the runtime ---- */
extern size_t strlcpy(char *dst, const char *src, size_t siz);
extern size_t strlcat(char *dst, const char *src, size_t siz);
extern size_t strnlen(const char *str, size_t maxlen);
extern int	pg_strcasecmp(const char *s1, const char *s2);
extern int	pg_strncasecmp(const char *s1, const char *s2, size_t n);

/* PostgreSQL's own snprintf family: here they are the C library's. */
#define pg_snprintf snprintf
#define pg_vsnprintf vsnprintf
#define pg_sprintf sprintf
#define pg_fprintf fprintf
#define pg_printf printf

#include "port.h"

#endif							/* C_H */
