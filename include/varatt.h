/*-------------------------------------------------------------------------
 *
 * varatt.h
 *	  The variable-length datum ("varlena") header, as PostgreSQL 16+ lays
 *	  it out (little-endian): a 4-byte header holding the total length
 *	  shifted left by two, or a 1-byte header (low bit set) for values up
 *	  to 126 bytes.  bgworker makes only 4-byte headers itself and never
 *	  compresses or moves values out of line ("TOAST"), but reads both
 *	  header forms, so code written for PostgreSQL's macros works.
 *
 *-------------------------------------------------------------------------
 */
#ifndef VARATT_H
#define VARATT_H

#include "c.h"

typedef union
{
	struct
	{
		uint32		va_header;	/* length << 2; low bits 00 */
		char		va_data[FLEXIBLE_ARRAY_MEMBER];
	}			va_4byte;
	struct
	{
		uint32		va_header;
		uint32		va_tcinfo;	/* compressed size and method */
		char		va_data[FLEXIBLE_ARRAY_MEMBER];
	}			va_compressed;
} varattrib_4b;

typedef struct
{
	uint8		va_header;		/* (length << 1) | 1 */
	char		va_data[FLEXIBLE_ARRAY_MEMBER];
} varattrib_1b;

typedef struct
{
	uint8		va_header;		/* always 0x01 */
	uint8		va_tag;			/* kind of external datum */
	char		va_data[FLEXIBLE_ARRAY_MEMBER];
} varattrib_1b_e;

#define VARATT_IS_4B(PTR) \
	((((varattrib_1b *) (PTR))->va_header & 0x01) == 0x00)
#define VARATT_IS_4B_U(PTR) \
	((((varattrib_1b *) (PTR))->va_header & 0x03) == 0x00)
#define VARATT_IS_4B_C(PTR) \
	((((varattrib_1b *) (PTR))->va_header & 0x03) == 0x02)
#define VARATT_IS_1B(PTR) \
	((((varattrib_1b *) (PTR))->va_header & 0x01) == 0x01)
#define VARATT_IS_1B_E(PTR) \
	((((varattrib_1b *) (PTR))->va_header) == 0x01)
#define VARATT_NOT_PAD_BYTE(PTR) \
	(*((uint8 *) (PTR)) != 0)

#define VARSIZE_4B(PTR) \
	((((varattrib_4b *) (PTR))->va_4byte.va_header >> 2) & 0x3FFFFFFF)
#define VARSIZE_1B(PTR) \
	((((varattrib_1b *) (PTR))->va_header >> 1) & 0x7F)
#define VARTAG_1B_E(PTR) \
	(((varattrib_1b_e *) (PTR))->va_tag)

#define SET_VARSIZE_4B(PTR,len) \
	(((varattrib_4b *) (PTR))->va_4byte.va_header = (((uint32) (len)) << 2))
#define SET_VARSIZE_4B_C(PTR,len) \
	(((varattrib_4b *) (PTR))->va_4byte.va_header = (((uint32) (len)) << 2) | 0x02)
#define SET_VARSIZE_1B(PTR,len) \
	(((varattrib_1b *) (PTR))->va_header = (((uint8) (len)) << 1) | 0x01)

#define VARHDRSZ_SHORT			offsetof(varattrib_1b, va_data)
#define VARATT_SHORT_MAX		0x7F
#define VARHDRSZ_EXTERNAL		offsetof(varattrib_1b_e, va_data)

#define VARDATA_4B(PTR)		(((varattrib_4b *) (PTR))->va_4byte.va_data)
#define VARDATA_1B(PTR)		(((varattrib_1b *) (PTR))->va_data)

/* Only for a value known to have a 4-byte, uncompressed header. */
#define VARDATA(PTR)		VARDATA_4B(PTR)
#define VARSIZE(PTR)		VARSIZE_4B(PTR)
#define VARSIZE_SHORT(PTR)	VARSIZE_1B(PTR)
#define VARDATA_SHORT(PTR)	VARDATA_1B(PTR)

#define VARATT_IS_COMPRESSED(PTR)	VARATT_IS_4B_C(PTR)
#define VARATT_IS_EXTERNAL(PTR)		VARATT_IS_1B_E(PTR)
#define VARATT_IS_SHORT(PTR)		VARATT_IS_1B(PTR)
#define VARATT_IS_EXTENDED(PTR)		(!VARATT_IS_4B_U(PTR))

#define SET_VARSIZE(PTR, len)			SET_VARSIZE_4B(PTR, len)
#define SET_VARSIZE_SHORT(PTR, len)		SET_VARSIZE_1B(PTR, len)

/* Any header form (not external). */
#define VARSIZE_ANY(PTR) \
	(VARATT_IS_1B_E(PTR) ? VARHDRSZ_EXTERNAL : \
	 (VARATT_IS_1B(PTR) ? VARSIZE_1B(PTR) : VARSIZE_4B(PTR)))
#define VARSIZE_ANY_EXHDR(PTR) \
	(VARATT_IS_1B_E(PTR) ? 0 : \
	 (VARATT_IS_1B(PTR) ? VARSIZE_1B(PTR) - VARHDRSZ_SHORT : \
	  VARSIZE_4B(PTR) - VARHDRSZ))
#define VARDATA_ANY(PTR) \
	(VARATT_IS_1B(PTR) ? VARDATA_1B(PTR) : VARDATA_4B(PTR))

#endif							/* VARATT_H */
