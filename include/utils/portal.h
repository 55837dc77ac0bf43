/*-------------------------------------------------------------------------
 *
 * portal.h
 *	  Portals (cursors) with PostgreSQL 17's names, as SPI returns them.
 *	  Here a portal is a cursor on the server (DECLARE ... CURSOR), and
 *	  the fields a module reads are its name and whether it can scroll.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PORTAL_H
#define PORTAL_H

typedef struct PortalData *Portal;

typedef struct PortalData
{
	const char *name;			/* portal's name (the server's cursor name) */
	int			cursorOptions;	/* CURSOR_OPT_* */
	bool		atStart;		/* nothing fetched yet */
	bool		atEnd;			/* the last fetch found no more rows */
	uint64		portalPos;		/* rows fetched so far */
	void	   *bgw_private;	/* bgworker's own bookkeeping */
} PortalData;

#define PortalIsValid(p) PointerIsValid(p)

/* Cursor options (PostgreSQL's nodes/parsenodes.h values). */
#define CURSOR_OPT_BINARY		0x0001
#define CURSOR_OPT_SCROLL		0x0002
#define CURSOR_OPT_NO_SCROLL	0x0004
#define CURSOR_OPT_INSENSITIVE	0x0008
#define CURSOR_OPT_ASENSITIVE	0x0010
#define CURSOR_OPT_HOLD			0x0020
#define CURSOR_OPT_FAST_PLAN	0x0100
#define CURSOR_OPT_GENERIC_PLAN 0x0200
#define CURSOR_OPT_CUSTOM_PLAN	0x0400
#define CURSOR_OPT_PARALLEL_OK	0x0800

/* Fetch directions (PostgreSQL's FetchDirection). */
typedef enum FetchDirection
{
	FETCH_FORWARD,
	FETCH_BACKWARD,
	FETCH_ABSOLUTE,
	FETCH_RELATIVE,
} FetchDirection;

#define FETCH_ALL	LONG_MAX

#endif							/* PORTAL_H */
