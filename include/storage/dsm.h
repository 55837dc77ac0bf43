/*-------------------------------------------------------------------------
 *
 * dsm.h
 *	  Dynamic shared memory segments (PostgreSQL's storage/dsm.h): made
 *	  after start by any process attached to the main segment, found by
 *	  others through their handle.
 *
 *	  Lifetime, as in PostgreSQL: a process's mapping belongs to the
 *	  current resource owner when it is made (released with it) unless
 *	  dsm_pin_mapping() keeps it to the end of the process; a segment
 *	  exists while at least one process is attached or it is pinned with
 *	  dsm_pin_segment().  Every segment is recorded in the main segment,
 *	  so a crash cycle, and the next start after a killed host, remove
 *	  whatever is left.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DSM_H
#define DSM_H

#include "storage/dsm_impl.h"

typedef struct dsm_segment dsm_segment;

/* Flags of dsm_create(). */
#define DSM_CREATE_NULL_IF_MAXSEGMENTS	0x0001

/* A handle no segment has. */
#define DSM_HANDLE_INVALID				((dsm_handle) 0)

/* Processes that map segments made by others, at exit: detach all. */
extern void dsm_detach_all(void);

extern dsm_segment *dsm_create(Size size, int flags);
extern dsm_segment *dsm_attach(dsm_handle h);
extern void dsm_detach(dsm_segment *seg);

extern void dsm_pin_mapping(dsm_segment *seg);
extern void dsm_unpin_mapping(dsm_segment *seg);
extern void dsm_pin_segment(dsm_segment *seg);
extern void dsm_unpin_segment(dsm_handle handle);
extern dsm_segment *dsm_find_mapping(dsm_handle handle);

extern void *dsm_segment_address(dsm_segment *seg);
extern Size dsm_segment_map_length(dsm_segment *seg);
extern dsm_handle dsm_segment_handle(dsm_segment *seg);

/* Callbacks run (last registered first) when a process detaches. */
typedef void (*on_dsm_detach_callback) (dsm_segment *, Datum arg);
extern void on_dsm_detach(dsm_segment *seg,
						  on_dsm_detach_callback function, Datum arg);
extern void cancel_on_dsm_detach(dsm_segment *seg,
								 on_dsm_detach_callback function, Datum arg);
extern void reset_on_dsm_detach(void);

#endif							/* DSM_H */
