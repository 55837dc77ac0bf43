/*-------------------------------------------------------------------------
 *
 * dsa.h
 *	  Dynamic shared areas (PostgreSQL 17's utils/dsa.h): a heap in
 *	  dynamic shared memory that grows by adding dsm segments, addressed
 *	  with dsa_pointer values that mean the same in every process attached
 *	  to the area.  dsa_get_address() turns one into a local pointer,
 *	  mapping the segment it lies in if this process has not yet.
 *
 *	  Lifetime, as in PostgreSQL: an area exists while a process is
 *	  attached to it or it is pinned (dsa_pin); a process's mappings
 *	  belong to the resource owner current when it created or attached the
 *	  area, unless dsa_pin_mapping() keeps them to the process's end.  An
 *	  area made in place (dsa_create_in_place) in a dsm segment is released
 *	  when its processes detach that segment; in the main segment, by
 *	  dsa_release_in_place() (dsa_on_shmem_exit_release_in_place as an
 *	  on_shmem_exit callback).  Every segment is a dsm segment recorded in
 *	  the main segment, so a crash cycle removes them all.
 *
 *	  The allocator is bgworker's own (see cshim/mmgr/dsa.c); only the
 *	  interface is PostgreSQL's.  Allocating and freeing take the area's
 *	  LWLock (the tranche given at creation); dsa_get_address takes it
 *	  only to map a segment.  Workers and sessions; the supervisor only
 *	  for an area in place that needs no second segment.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DSA_H
#define DSA_H

#include <inttypes.h>

#include "port/atomics.h"
#include "storage/dsm.h"

typedef struct dsa_area dsa_area;

/* 64-bit relative pointers, as PostgreSQL uses on 64-bit platforms. */
#define SIZEOF_DSA_POINTER 8

typedef uint64 dsa_pointer;
typedef pg_atomic_uint64 dsa_pointer_atomic;
#define dsa_pointer_atomic_init pg_atomic_init_u64
#define dsa_pointer_atomic_read pg_atomic_read_u64
#define dsa_pointer_atomic_write pg_atomic_write_u64
#define dsa_pointer_atomic_fetch_add pg_atomic_fetch_add_u64
#define dsa_pointer_atomic_compare_exchange pg_atomic_compare_exchange_u64
#define DSA_POINTER_FORMAT "%016" PRIx64

/* Flags of dsa_allocate_extended(). */
#define DSA_ALLOC_HUGE		0x01	/* allow more than MaxAllocSize */
#define DSA_ALLOC_NO_OOM	0x02	/* InvalidDsaPointer instead of ERROR */
#define DSA_ALLOC_ZERO		0x04	/* zero the memory */

/* What a failed allocation returns; never a valid pointer. */
#define InvalidDsaPointer ((dsa_pointer) 0)

/*
 * A dsa_pointer is a segment index (the high bits) and an offset in that
 * segment (the low DSA_OFFSET_WIDTH bits): up to 1024 segments of up to
 * 1 TB each.
 */
#define DSA_OFFSET_WIDTH 40

/* Segment sizes: the first segment's, the least, and the most. */
#define DSA_DEFAULT_INIT_SEGMENT_SIZE ((size_t) (1 * 1024 * 1024))
#define DSA_MIN_SEGMENT_SIZE	((size_t) (256 * 1024))
#define DSA_MAX_SEGMENT_SIZE ((size_t) 1 << DSA_OFFSET_WIDTH)

#define DsaPointerIsValid(x) ((x) != InvalidDsaPointer)

#define dsa_allocate(area, size) \
	dsa_allocate_extended(area, size, 0)
#define dsa_allocate0(area, size) \
	dsa_allocate_extended(area, size, DSA_ALLOC_ZERO)

#define dsa_create(tranche_id) \
	dsa_create_ext(tranche_id, DSA_DEFAULT_INIT_SEGMENT_SIZE, \
				   DSA_MAX_SEGMENT_SIZE)
#define dsa_create_in_place(place, size, tranche_id, segment) \
	dsa_create_in_place_ext(place, size, tranche_id, segment, \
							DSA_DEFAULT_INIT_SEGMENT_SIZE, \
							DSA_MAX_SEGMENT_SIZE)

/* An area's name for dsa_attach(): the handle of its first segment. */
typedef dsm_handle dsa_handle;

#define DSA_HANDLE_INVALID ((dsa_handle) DSM_HANDLE_INVALID)

/*
 * Create an area in a new dsm segment of init_segment_size bytes (at
 * least DSA_MIN_SEGMENT_SIZE); later segments double in size every two
 * segments up to max_segment_size, or are as large as one allocation
 * needs.  The area's LWLock gets tranche_id.  The returned object is in
 * CurrentMemoryContext.
 */
extern dsa_area *dsa_create_ext(int tranche_id, size_t init_segment_size,
								size_t max_segment_size);

/*
 * Create an area in size bytes at place (at least dsa_minimum_size()),
 * in the main segment or in segment (which then releases the area when a
 * process detaches it).  Further segments are dsm segments.
 */
extern dsa_area *dsa_create_in_place_ext(void *place, size_t size,
										 int tranche_id, dsm_segment *segment,
										 size_t init_segment_size,
										 size_t max_segment_size);

/* ERROR "could not attach to dynamic shared area" if it is gone. */
extern dsa_area *dsa_attach(dsa_handle handle);
extern dsa_area *dsa_attach_in_place(void *place, dsm_segment *segment);
extern void dsa_release_in_place(void *place);
extern void dsa_on_dsm_detach_release_in_place(dsm_segment *, Datum);
extern void dsa_on_shmem_exit_release_in_place(int, Datum);
extern void dsa_pin_mapping(dsa_area *area);
extern void dsa_detach(dsa_area *area);
extern void dsa_pin(dsa_area *area);
extern void dsa_unpin(dsa_area *area);

/* Allocations fail (out of memory) once the segments would pass limit. */
extern void dsa_set_size_limit(dsa_area *area, size_t limit);
extern size_t dsa_minimum_size(void);
extern dsa_handle dsa_get_handle(dsa_area *area);

/*
 * Allocate size bytes, MAXALIGNed.  More than MaxAllocSize needs
 * DSA_ALLOC_HUGE (ERROR "invalid DSA memory alloc request size %zu");
 * out of memory is ERROR "out of memory" unless DSA_ALLOC_NO_OOM.
 */
extern dsa_pointer dsa_allocate_extended(dsa_area *area, size_t size, int flags);
extern void dsa_free(dsa_area *area, dsa_pointer dp);

/* The local address of dp (NULL for InvalidDsaPointer); no lock taken
 * unless the segment must be mapped. */
extern void *dsa_get_address(dsa_area *area, dsa_pointer dp);

/* Bytes of all the area's segments. */
extern size_t dsa_get_total_size(dsa_area *area);

/* Give free memory kept for reuse back to the segments. */
extern void dsa_trim(dsa_area *area);

/* A summary of the area on standard error. */
extern void dsa_dump(dsa_area *area);

#endif							/* DSA_H */
