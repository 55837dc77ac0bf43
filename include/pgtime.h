/*
 * pgtime.h
 *	  pg_time_t, the host's seconds-since-epoch type.
 */
#ifndef _PGTIME_H
#define _PGTIME_H

typedef int64 pg_time_t;

#endif							/* _PGTIME_H */
