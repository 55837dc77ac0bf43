/*-------------------------------------------------------------------------
 *
 * dsa.c
 *	  Dynamic shared areas (utils/dsa.h): a shared heap over dsm segments.
 *	  Workers and sessions (C only); an area made in place in the main
 *	  segment may also be created by the supervisor's shmem_startup_hook,
 *	  as long as it needs no second segment.
 *
 *	  The layout.  An area is up to DSA_MAX_SEGMENTS segments.  Segment 0
 *	  holds the area's control block (shared state, the LWLock, the handle
 *	  of every segment, the lists of partly used spans) and then, like
 *	  every other segment, a segment header with a page map: one uint32
 *	  per DSA_PAGE_SIZE page of the segment.  A dsa_pointer is the segment
 *	  index shifted by DSA_OFFSET_WIDTH plus the byte offset from the
 *	  segment's base, so it means the same in every process whatever
 *	  address the segment is mapped at.  Offset 0 of segment 0 is the
 *	  control block, so InvalidDsaPointer (0) is never an allocation.
 *
 *	  Pages.  The pages of a segment after its metadata are either free,
 *	  a large object (one allocation of more than DSA_MAX_SMALL bytes,
 *	  whole pages), or a span (DSA_SPAN_PAGES pages cut into objects of
 *	  one size class).  Free pages form runs: the map marks a run's first
 *	  page FREE with its length and, for a run of two pages or more, its
 *	  last page FREE_TAIL with the same length, so that a freed run finds
 *	  and merges with its free neighbours in constant time.  The runs of a
 *	  segment are kept in DSA_FREE_BINS doubly linked lists by the log2 of
 *	  their length; the links live in the free pages themselves.  A large
 *	  object's first page is LARGE with its length; its last page CONT.
 *	  Every page of a span is SPAN with its distance from the span's first
 *	  page, where the span header is.
 *
 *	  Small objects.  DSA_NUM_CLASSES size classes from 16 to 8192 bytes.
 *	  A span keeps a free list of its freed objects (threaded through
 *	  them) and a bump index for the ones never used.  Each class has one
 *	  list of spans with a free object; an allocation takes from the
 *	  first.  A span that becomes entirely free goes back to the pages,
 *	  unless it is the only span of its class in the list (kept for the
 *	  next allocation; dsa_trim() gives those back too).
 *
 *	  Segments.  When no segment has the pages an allocation needs, a new
 *	  dsm segment is made (pinned, so that it lives as long as the area):
 *	  init_segment_size for the first two, then doubling every two up to
 *	  max_segment_size, or as large as the allocation needs.  A segment
 *	  other than 0 whose pages all become free is destroyed: its slot's
 *	  handle is cleared and freed_segment_counter bumped, so that other
 *	  processes drop their mappings of it the next time they allocate or
 *	  free (and dsa_get_address never uses a mapping whose handle no longer
 *	  matches the slot).
 *
 *	  Concurrency: one LWLock per area guards everything in shared memory.
 *	  dsa_get_address takes it only to map a segment.
 *
 *	  Lifetime: control->refcnt counts attached processes, plus one while
 *	  pinned.  Every segment is pinned in dsm for the area; when refcnt
 *	  drops to zero (the last process detaches segment 0, or calls
 *	  dsa_release_in_place), every segment is unpinned and goes away with
 *	  its last mapping.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>

#include "miscadmin.h"
#include "storage/dsm.h"
#include "storage/lwlock.h"
#include "utils/dsa.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#define DSA_AREA_MAGIC		0x64736163U /* "dsac" */
#define DSA_SEGMENT_MAGIC	0x64736173U /* "dsas", xor the index */
#define DSA_SPAN_MAGIC		0x6473706eU /* "dspn" */

#define DSA_MAX_SEGMENTS	1024
#define DSA_OFFSET_MASK		(((dsa_pointer) 1 << DSA_OFFSET_WIDTH) - 1)
#define DSA_MAKE_POINTER(index, offset) \
	(((dsa_pointer) (index) << DSA_OFFSET_WIDTH) | (dsa_pointer) (offset))
#define DSA_POINTER_INDEX(dp)	((size_t) ((dp) >> DSA_OFFSET_WIDTH))
#define DSA_POINTER_OFFSET(dp)	((size_t) ((dp) & DSA_OFFSET_MASK))

#define DSA_PAGE_SIZE		((size_t) 4096)
#define DSA_SPAN_PAGES		16
#define DSA_FREE_BINS		32
#define DSA_SEGMENTS_PER_SIZE	2	/* segments of one size before doubling */

/* Page map entries: a kind in the top 3 bits, a count in the rest. */
#define PM_KIND_SHIFT		29
#define PM_VALUE_MASK		((1U << PM_KIND_SHIFT) - 1)
#define PM_META				1U	/* control block, header, page map */
#define PM_FREE				2U	/* first page of a free run: its length */
#define PM_FREE_TAIL		3U	/* last page of a free run: its length */
#define PM_LARGE			4U	/* first page of a large object: its length */
#define PM_CONT				5U	/* last page of a large object */
#define PM_SPAN				6U	/* page of a span: distance from its first */
#define PM_MAKE(kind, value)	(((kind) << PM_KIND_SHIFT) | (uint32) (value))
#define PM_KIND(e)			((e) >> PM_KIND_SHIFT)
#define PM_VALUE(e)			((e) & PM_VALUE_MASK)

/* Object sizes of the small classes; anything larger is whole pages. */
static const uint16 dsa_class_size[] = {
	16, 32, 48, 64, 80, 96, 112, 128,
	160, 192, 224, 256, 320, 384, 448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
	2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192
};

#define DSA_NUM_CLASSES		lengthof(dsa_class_size)
#define DSA_MAX_SMALL		8192

/* The shared state of an area, at offset 0 of segment 0. */
typedef struct dsa_area_control
{
	uint32		magic;			/* DSA_AREA_MAGIC */
	dsa_handle	handle;			/* segment 0's dsm handle, or invalid */
	LWLock		lock;			/* guards everything below and the segments */
	int			refcnt;			/* attached processes, +1 if pinned */
	bool		pinned;			/* dsa_pin() holds a reference */
	size_t		init_segment_size;	/* size of the first segments */
	size_t		max_segment_size;	/* no segment larger */
	size_t		total_size;		/* bytes of the live segments */
	size_t		max_total_size; /* dsa_set_size_limit() */
	uint32		high_index;		/* 1 + the highest index ever used */
	uint64		freed_segment_counter;	/* bumped when a segment goes */
	dsa_pointer spans[DSA_NUM_CLASSES]; /* spans with a free object */
	dsm_handle	segment_handle[DSA_MAX_SEGMENTS];	/* invalid = free slot
													 * (except 0) */
	size_t		segment_freepages[DSA_MAX_SEGMENTS];	/* mirror of the
														 * headers' */
} dsa_area_control;

/* At the start of each segment (after the control block in segment 0). */
typedef struct dsa_segment_header
{
	uint32		magic;			/* DSA_SEGMENT_MAGIC ^ index */
	uint32		index;			/* this segment's index in the area */
	size_t		size;			/* bytes from the segment's base */
	size_t		npages;			/* whole pages in size */
	size_t		metapages;		/* pages taken by metadata */
	size_t		freepages;		/* pages in free runs */
	size_t		bin[DSA_FREE_BINS]; /* first run of each bin: page + 1, or 0 */
	uint32		pagemap[FLEXIBLE_ARRAY_MEMBER]; /* one per page */
} dsa_segment_header;

/* At the first page of a free run. */
typedef struct dsa_free_run
{
	size_t		npages;			/* length of the run */
	size_t		next;			/* next run in the bin: page + 1, or 0 */
	size_t		prev;			/* previous run: page + 1, or 0 */
} dsa_free_run;

/* At the first page of a span. */
typedef struct dsa_span
{
	uint32		magic;			/* DSA_SPAN_MAGIC */
	uint32		sclass;			/* index into dsa_class_size */
	uint32		nobjects;		/* objects the span holds */
	uint32		nfree;			/* objects not allocated */
	uint32		nbumped;		/* objects handed out at least once */
	uint32		freelist;		/* first freed object: index + 1, or 0 */
	bool		listed;			/* on the class's list */
	dsa_pointer next;			/* the class's list */
	dsa_pointer prev;
} dsa_span;

#define DSA_SPAN_HEADER		TYPEALIGN(16, sizeof(dsa_span))

/* One segment as this process sees it. */
typedef struct dsa_segment_map
{
	dsm_segment *segment;		/* NULL: not mapped, or segment 0 in place */
	char	   *base;			/* its address here, or NULL */
	dsm_handle	handle;			/* what was mapped */
} dsa_segment_map;

/* An area as this process sees it (palloc'd in the creator's context). */
struct dsa_area
{
	dsa_area_control *control;	/* in segment 0 */
	ResourceOwner resowner;		/* owner of the mappings this area makes */
	bool		mapping_pinned; /* dsa_pin_mapping() was called */
	uint64		freed_seen;		/* control's freed_segment_counter seen */
	uint32		high_mapped;	/* 1 + highest index in map[] used */
	dsa_segment_map map[DSA_MAX_SEGMENTS];
};

/* ------------------------------------------------------------------------
 * Sizes
 * ------------------------------------------------------------------------ */

/* Where a segment's header starts, from its base. */
static size_t
segment_header_offset(uint32 index)
{
	return index == 0 ? TYPEALIGN(16, sizeof(dsa_area_control)) : 0;
}

/* Pages of metadata a segment of npages pages needs. */
static size_t
segment_metapages(uint32 index, size_t npages)
{
	size_t		bytes = segment_header_offset(index) +
		offsetof(dsa_segment_header, pagemap) + npages * sizeof(uint32);

	return (bytes + DSA_PAGE_SIZE - 1) / DSA_PAGE_SIZE;
}

/* Usable pages of a segment of size bytes (0 if none). */
static size_t
segment_usable_pages(uint32 index, size_t size)
{
	size_t		npages = size / DSA_PAGE_SIZE;
	size_t		meta = segment_metapages(index, npages);

	return npages > meta ? npages - meta : 0;
}

size_t
dsa_minimum_size(void)
{
	size_t		npages = 1;

	/* the smallest segment 0 with one usable page */
	while (segment_usable_pages(0, npages * DSA_PAGE_SIZE) < 1)
		npages++;
	return npages * DSA_PAGE_SIZE;
}

static int
size_class_of(size_t size)
{
	int			lo = 0;
	int			hi = DSA_NUM_CLASSES - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (dsa_class_size[mid] >= size)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int
free_bin_of(size_t npages)
{
	int			b = 0;

	while (npages > 1 && b < DSA_FREE_BINS - 1)
	{
		npages >>= 1;
		b++;
	}
	return b;
}

/* ------------------------------------------------------------------------
 * Segments in this process
 * ------------------------------------------------------------------------ */

static dsa_segment_header *
header_at(char *base, uint32 index)
{
	return (dsa_segment_header *) (base + segment_header_offset(index));
}

/*
 * Detach this process's mappings of segments the area has destroyed
 * since it last looked.  Caller holds the lock.
 */
static void
forget_freed_segments(dsa_area *area)
{
	dsa_area_control *control = area->control;

	if (area->freed_seen == control->freed_segment_counter)
		return;
	for (uint32 i = 1; i < area->high_mapped; i++)
	{
		dsa_segment_map *m = &area->map[i];

		if (m->base != NULL && m->handle != control->segment_handle[i])
		{
			if (m->segment != NULL)
				dsm_detach(m->segment);
			m->segment = NULL;
			m->base = NULL;
			m->handle = DSM_HANDLE_INVALID;
		}
	}
	area->freed_seen = control->freed_segment_counter;
}

/*
 * Attach segment h (size 0) or create one of size bytes, the mapping
 * owned as the area's mappings are: by the area's resource owner, or by
 * the process once dsa_pin_mapping() was called.  NULL if h is gone or
 * the segment limit is reached.
 */
static dsm_segment *
segment_open(dsa_area *area, dsm_handle h, size_t size)
{
	ResourceOwner save = CurrentResourceOwner;
	dsm_segment *volatile seg = NULL;

	CurrentResourceOwner = area->mapping_pinned ? NULL : area->resowner;
	PG_TRY();
	{
		if (size == 0)
			seg = dsm_attach(h);
		else
			seg = dsm_create(size, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	}
	PG_FINALLY();
	{
		CurrentResourceOwner = save;
	}
	PG_END_TRY();
	return seg;
}

/* Map (or remap) segment index for this area, as its resource owner. */
static char *
map_segment(dsa_area *area, uint32 index, dsm_handle h)
{
	dsa_segment_map *m = &area->map[index];
	dsm_segment *seg;

	if (m->segment != NULL)
		dsm_detach(m->segment);
	m->segment = NULL;
	m->base = NULL;

	seg = segment_open(area, h, 0);
	if (seg == NULL)
		elog(ERROR, "dsa_area could not attach to segment");
	if (area->mapping_pinned)
		dsm_pin_mapping(seg);
	m->segment = seg;
	m->base = dsm_segment_address(seg);
	m->handle = h;
	if (index >= area->high_mapped)
		area->high_mapped = index + 1;
	return m->base;
}

/*
 * The local base of segment index, mapping it if needed; ERROR if the
 * area has no such segment.  Caller holds the lock (shared is enough).
 */
static char *
segment_base(dsa_area *area, uint32 index)
{
	dsa_area_control *control = area->control;
	dsm_handle	h;

	if (index == 0)
		return area->map[0].base;
	if (index >= DSA_MAX_SEGMENTS)
		elog(ERROR, "dsa_area has no segment %u", index);
	h = control->segment_handle[index];
	if (h == DSM_HANDLE_INVALID)
		elog(ERROR, "dsa_area could not attach to a segment that has been freed");
	if (area->map[index].base != NULL && area->map[index].handle == h)
		return area->map[index].base;
	return map_segment(area, index, h);
}

/* ------------------------------------------------------------------------
 * Free page runs of one segment (caller holds the lock)
 * ------------------------------------------------------------------------ */

static dsa_free_run *
run_at(char *base, size_t page)
{
	return (dsa_free_run *) (base + page * DSA_PAGE_SIZE);
}

static void
run_link(char *base, dsa_segment_header *hdr, size_t page, size_t npages)
{
	dsa_free_run *run = run_at(base, page);
	int			b = free_bin_of(npages);

	run->npages = npages;
	run->prev = 0;
	run->next = hdr->bin[b];
	if (run->next != 0)
		run_at(base, run->next - 1)->prev = page + 1;
	hdr->bin[b] = page + 1;
	hdr->pagemap[page] = PM_MAKE(PM_FREE, npages);
	if (npages > 1)
		hdr->pagemap[page + npages - 1] = PM_MAKE(PM_FREE_TAIL, npages);
}

static void
run_unlink(char *base, dsa_segment_header *hdr, size_t page)
{
	dsa_free_run *run = run_at(base, page);

	if (run->prev != 0)
		run_at(base, run->prev - 1)->next = run->next;
	else
		hdr->bin[free_bin_of(run->npages)] = run->next;
	if (run->next != 0)
		run_at(base, run->next - 1)->prev = run->prev;
}

/* Take npages contiguous pages; returns the first page, or 0 (never a
 * usable page: page 0 is metadata). */
static size_t
pages_take(char *base, dsa_segment_header *hdr, size_t npages)
{
	if (hdr->freepages < npages)
		return 0;
	for (int b = free_bin_of(npages); b < DSA_FREE_BINS; b++)
	{
		for (size_t p = hdr->bin[b]; p != 0; p = run_at(base, p - 1)->next)
		{
			size_t		page = p - 1;
			size_t		len = run_at(base, page)->npages;

			if (len < npages)
				continue;
			run_unlink(base, hdr, page);
			if (len > npages)
				run_link(base, hdr, page + npages, len - npages);
			hdr->freepages -= npages;
			return page;
		}
	}
	return 0;
}

/* Give back npages pages from page, merging with free neighbours. */
static void
pages_put(char *base, dsa_segment_header *hdr, size_t page, size_t npages)
{
	hdr->freepages += npages;
	if (page > hdr->metapages)
	{
		uint32		e = hdr->pagemap[page - 1];
		size_t		len = PM_VALUE(e);

		if ((PM_KIND(e) == PM_FREE && len == 1) || PM_KIND(e) == PM_FREE_TAIL)
		{
			run_unlink(base, hdr, page - len);
			page -= len;
			npages += len;
		}
	}
	if (page + npages < hdr->npages)
	{
		uint32		e = hdr->pagemap[page + npages];

		if (PM_KIND(e) == PM_FREE)
		{
			run_unlink(base, hdr, page + npages);
			npages += PM_VALUE(e);
		}
	}
	run_link(base, hdr, page, npages);
}

/* Lay out a new segment of size bytes at base. */
static void
segment_init(char *base, uint32 index, size_t size)
{
	dsa_segment_header *hdr = header_at(base, index);
	size_t		npages = size / DSA_PAGE_SIZE;
	size_t		meta = segment_metapages(index, npages);

	memset(hdr, 0, offsetof(dsa_segment_header, pagemap));
	hdr->magic = DSA_SEGMENT_MAGIC ^ index;
	hdr->index = index;
	hdr->size = size;
	hdr->npages = npages;
	hdr->metapages = meta;
	for (size_t p = 0; p < meta; p++)
		hdr->pagemap[p] = PM_MAKE(PM_META, 0);
	if (npages > meta)
	{
		run_link(base, hdr, meta, npages - meta);
		hdr->freepages = npages - meta;
	}
}

/* ------------------------------------------------------------------------
 * Growing and shrinking the area (caller holds the lock exclusively)
 * ------------------------------------------------------------------------ */

/*
 * Make a segment with at least npages usable pages; its index, or -1 if
 * the area may not grow (no slot, segment or total size limits).
 */
static int
segment_make(dsa_area *area, size_t npages)
{
	dsa_area_control *control = area->control;
	uint32		index = 0;
	uint32		live = 0;
	size_t		size;
	dsm_segment *seg;

	for (uint32 i = 1; i < DSA_MAX_SEGMENTS; i++)
	{
		if (control->segment_handle[i] != DSM_HANDLE_INVALID)
			live++;
		else if (index == 0)
			index = i;
	}
	if (index == 0)
		return -1;

	/* the size by the doubling rule, then as large as the request needs */
	size = control->init_segment_size;
	for (uint32 n = live / DSA_SEGMENTS_PER_SIZE; n > 0 && size < control->max_segment_size; n--)
		size = size > control->max_segment_size / 2 ? control->max_segment_size : size * 2;
	size = Min(size, control->max_segment_size);
	if (npages > (DSA_MAX_SEGMENT_SIZE / DSA_PAGE_SIZE))
		return -1;
	while (segment_usable_pages(index, size) < npages)
	{
		size_t		short_by = npages - segment_usable_pages(index, size);

		size += short_by * DSA_PAGE_SIZE;
		size = TYPEALIGN(DSA_PAGE_SIZE, size);
	}
	if (size > control->max_segment_size)
	{
		/* the doubling rule asked too much, or the request is too large */
		return -1;
	}
	if (control->total_size > control->max_total_size ||
		size > control->max_total_size - control->total_size)
	{
		/* the smallest segment that fits, if that is within the limit */
		size = TYPEALIGN(DSA_PAGE_SIZE, (npages + segment_metapages(index, npages + 1)) * DSA_PAGE_SIZE);
		while (segment_usable_pages(index, size) < npages)
			size += DSA_PAGE_SIZE;
		if (control->total_size > control->max_total_size ||
			size > control->max_total_size - control->total_size)
			return -1;
	}

	seg = segment_open(area, DSM_HANDLE_INVALID, size);
	if (seg == NULL)
		return -1;
	dsm_pin_segment(seg);
	if (area->mapping_pinned)
		dsm_pin_mapping(seg);

	if (area->map[index].segment != NULL)
		dsm_detach(area->map[index].segment);	/* a stale mapping */
	area->map[index].segment = seg;
	area->map[index].base = dsm_segment_address(seg);
	area->map[index].handle = dsm_segment_handle(seg);
	if (index >= area->high_mapped)
		area->high_mapped = index + 1;

	segment_init(area->map[index].base, index, size);
	control->segment_handle[index] = dsm_segment_handle(seg);
	control->segment_freepages[index] = header_at(area->map[index].base, index)->freepages;
	control->total_size += size;
	if (index >= control->high_index)
		control->high_index = index + 1;
	return (int) index;
}

/* Destroy segment index (not 0) if all its pages are free. */
static void
segment_maybe_destroy(dsa_area *area, uint32 index, dsa_segment_header *hdr)
{
	dsa_area_control *control = area->control;
	dsm_handle	h = control->segment_handle[index];

	if (index == 0 || hdr->freepages != hdr->npages - hdr->metapages)
		return;
	control->segment_handle[index] = DSM_HANDLE_INVALID;
	control->segment_freepages[index] = 0;
	control->total_size -= hdr->size;
	control->freed_segment_counter++;
	/* unpin while still attached, so that our detach is what removes it */
	dsm_unpin_segment(h);
	if (area->map[index].segment != NULL)
		dsm_detach(area->map[index].segment);
	area->map[index].segment = NULL;
	area->map[index].base = NULL;
	area->map[index].handle = DSM_HANDLE_INVALID;
	area->freed_seen = control->freed_segment_counter;
}

/*
 * Take npages pages of kind PM_LARGE or PM_SPAN from any segment, growing
 * the area if needed.  Returns the dsa_pointer of the first page or
 * InvalidDsaPointer.
 */
static dsa_pointer
area_take_pages(dsa_area *area, size_t npages, uint32 kind)
{
	dsa_area_control *control = area->control;

	for (int pass = 0; pass < 2; pass++)
	{
		for (uint32 i = 0; i < control->high_index; i++)
		{
			char	   *base;
			dsa_segment_header *hdr;
			size_t		page;

			if (i > 0 && control->segment_handle[i] == DSM_HANDLE_INVALID)
				continue;
			if (control->segment_freepages[i] < npages)
				continue;
			base = segment_base(area, i);
			hdr = header_at(base, i);
			page = pages_take(base, hdr, npages);
			control->segment_freepages[i] = hdr->freepages;
			if (page == 0)
				continue;
			if (kind == PM_LARGE)
			{
				hdr->pagemap[page] = PM_MAKE(PM_LARGE, npages);
				if (npages > 1)
					hdr->pagemap[page + npages - 1] = PM_MAKE(PM_CONT, 0);
			}
			else
			{
				for (size_t k = 0; k < npages; k++)
					hdr->pagemap[page + k] = PM_MAKE(PM_SPAN, k);
			}
			return DSA_MAKE_POINTER(i, page * DSA_PAGE_SIZE);
		}
		if (pass == 0 && segment_make(area, npages) < 0)
			break;
	}
	return InvalidDsaPointer;
}

/* Give back the pages of a large object or span at dp. */
static void
area_put_pages(dsa_area *area, dsa_pointer dp, size_t npages)
{
	uint32		index = DSA_POINTER_INDEX(dp);
	char	   *base = segment_base(area, index);
	dsa_segment_header *hdr = header_at(base, index);

	pages_put(base, hdr, DSA_POINTER_OFFSET(dp) / DSA_PAGE_SIZE, npages);
	area->control->segment_freepages[index] = hdr->freepages;
	segment_maybe_destroy(area, index, hdr);
}

/* ------------------------------------------------------------------------
 * Spans (caller holds the lock exclusively)
 * ------------------------------------------------------------------------ */

static dsa_span *
span_at(dsa_area *area, dsa_pointer dp)
{
	return (dsa_span *) (segment_base(area, DSA_POINTER_INDEX(dp)) + DSA_POINTER_OFFSET(dp));
}

static void
span_list_add(dsa_area *area, dsa_pointer sp, dsa_span *span)
{
	dsa_pointer head = area->control->spans[span->sclass];

	span->prev = InvalidDsaPointer;
	span->next = head;
	if (head != InvalidDsaPointer)
		span_at(area, head)->prev = sp;
	area->control->spans[span->sclass] = sp;
	span->listed = true;
}

static void
span_list_remove(dsa_area *area, dsa_span *span)
{
	if (span->prev != InvalidDsaPointer)
		span_at(area, span->prev)->next = span->next;
	else
		area->control->spans[span->sclass] = span->next;
	if (span->next != InvalidDsaPointer)
		span_at(area, span->next)->prev = span->prev;
	span->listed = false;
	span->next = span->prev = InvalidDsaPointer;
}

static dsa_pointer
span_new(dsa_area *area, int sclass)
{
	dsa_pointer sp = area_take_pages(area, DSA_SPAN_PAGES, PM_SPAN);
	dsa_span   *span;

	if (sp == InvalidDsaPointer)
		return InvalidDsaPointer;
	span = span_at(area, sp);
	memset(span, 0, sizeof(dsa_span));
	span->magic = DSA_SPAN_MAGIC;
	span->sclass = sclass;
	span->nobjects = (DSA_SPAN_PAGES * DSA_PAGE_SIZE - DSA_SPAN_HEADER) / dsa_class_size[sclass];
	span->nfree = span->nobjects;
	span_list_add(area, sp, span);
	return sp;
}

static dsa_pointer
small_allocate(dsa_area *area, size_t size)
{
	int			sclass = size_class_of(size);
	size_t		osize = dsa_class_size[sclass];
	dsa_pointer sp = area->control->spans[sclass];
	dsa_span   *span;
	uint32		obj;

	if (sp == InvalidDsaPointer)
	{
		sp = span_new(area, sclass);
		if (sp == InvalidDsaPointer)
			return InvalidDsaPointer;
	}
	span = span_at(area, sp);
	Assert(span->magic == DSA_SPAN_MAGIC && span->nfree > 0);
	if (span->freelist != 0)
	{
		obj = span->freelist - 1;
		memcpy(&span->freelist, (char *) span + DSA_SPAN_HEADER + obj * osize, sizeof(uint32));
	}
	else
		obj = span->nbumped++;
	span->nfree--;
	if (span->nfree == 0)
		span_list_remove(area, span);
	return sp + DSA_SPAN_HEADER + (dsa_pointer) obj * osize;
}

/* Release span sp (every object free) to the pages. */
static void
span_release(dsa_area *area, dsa_pointer sp, dsa_span *span)
{
	if (span->listed)
		span_list_remove(area, span);
	span->magic = 0;
	area_put_pages(area, sp, DSA_SPAN_PAGES);
}

/* ------------------------------------------------------------------------
 * Creating, attaching, detaching
 * ------------------------------------------------------------------------ */

static dsa_area *
area_local(dsa_area_control *control, char *place, dsm_segment *segment)
{
	dsa_area   *area = palloc0(sizeof(dsa_area));

	area->control = control;
	area->resowner = CurrentResourceOwner;
	area->map[0].segment = segment;
	area->map[0].base = place;
	area->map[0].handle = control->handle;
	area->high_mapped = 1;
	area->freed_seen = control->freed_segment_counter;
	return area;
}

static void
check_sizes(size_t init_segment_size, size_t max_segment_size)
{
	if (init_segment_size < DSA_MIN_SEGMENT_SIZE ||
		max_segment_size < init_segment_size ||
		max_segment_size > DSA_MAX_SEGMENT_SIZE)
		elog(ERROR, "invalid dsa_area segment sizes: initial %zu, maximum %zu",
			 init_segment_size, max_segment_size);
}

static dsa_area *
create_internal(void *place, size_t size, int tranche_id, dsa_handle handle,
				dsm_segment *segment, size_t init_segment_size,
				size_t max_segment_size)
{
	dsa_area_control *control = place;

	if (size < dsa_minimum_size())
		elog(ERROR, "dsa_area space must be at least %zu, but %zu provided",
			 dsa_minimum_size(), size);
	if (((uintptr_t) place % MAXIMUM_ALIGNOF) != 0)
		elog(ERROR, "dsa_area space at %p is not aligned", place);

	memset(control, 0, sizeof(dsa_area_control));
	control->handle = handle;
	LWLockInitialize(&control->lock, tranche_id);
	control->refcnt = 1;
	control->init_segment_size = init_segment_size;
	control->max_segment_size = max_segment_size;
	control->max_total_size = SIZE_MAX;
	control->total_size = size;
	control->high_index = 1;
	control->segment_handle[0] = handle;
	segment_init(place, 0, size);
	control->segment_freepages[0] = header_at(place, 0)->freepages;
	pg_write_barrier();
	control->magic = DSA_AREA_MAGIC;
	return area_local(control, place, segment);
}

dsa_area *
dsa_create_ext(int tranche_id, size_t init_segment_size, size_t max_segment_size)
{
	dsm_segment *seg;
	dsa_area   *area;

	check_sizes(init_segment_size, max_segment_size);
	seg = dsm_create(init_segment_size, 0);
	/* the area, not the mapping, decides how long the segment lives */
	dsm_pin_segment(seg);
	area = create_internal(dsm_segment_address(seg), init_segment_size, tranche_id,
						   dsm_segment_handle(seg), seg, init_segment_size,
						   max_segment_size);
	on_dsm_detach(seg, dsa_on_dsm_detach_release_in_place,
				  PointerGetDatum(dsm_segment_address(seg)));
	return area;
}

dsa_area *
dsa_create_in_place_ext(void *place, size_t size, int tranche_id,
						dsm_segment *segment, size_t init_segment_size,
						size_t max_segment_size)
{
	dsa_area   *area;

	check_sizes(init_segment_size, max_segment_size);
	area = create_internal(place, size, tranche_id, DSA_HANDLE_INVALID, NULL,
						   init_segment_size, max_segment_size);
	if (segment != NULL)
		on_dsm_detach(segment, dsa_on_dsm_detach_release_in_place,
					  PointerGetDatum(place));
	return area;
}

/* Count one more process attached to the area at place. */
static void
attach_internal(dsa_area_control *control)
{
	bool		ok;

	if (control->magic != DSA_AREA_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not attach to dynamic shared area")));
	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	ok = control->refcnt > 0;
	if (ok)
		control->refcnt++;
	LWLockRelease(&control->lock);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not attach to dynamic shared area")));
}

dsa_area *
dsa_attach(dsa_handle handle)
{
	dsm_segment *seg = dsm_attach(handle);
	char	   *place;

	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not attach to dynamic shared area")));
	place = dsm_segment_address(seg);
	PG_TRY();
	{
		attach_internal((dsa_area_control *) place);
	}
	PG_CATCH();
	{
		dsm_detach(seg);
		PG_RE_THROW();
	}
	PG_END_TRY();
	on_dsm_detach(seg, dsa_on_dsm_detach_release_in_place, PointerGetDatum(place));
	return area_local((dsa_area_control *) place, place, seg);
}

dsa_area *
dsa_attach_in_place(void *place, dsm_segment *segment)
{
	attach_internal((dsa_area_control *) place);
	if (segment != NULL)
		on_dsm_detach(segment, dsa_on_dsm_detach_release_in_place,
					  PointerGetDatum(place));
	return area_local((dsa_area_control *) place, place, NULL);
}

/*
 * One process less; the last one unpins every segment, so that each goes
 * away with its last mapping.
 */
void
dsa_release_in_place(void *place)
{
	dsa_area_control *control = place;

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	Assert(control->refcnt > 0);
	if (--control->refcnt == 0)
	{
		for (uint32 i = 0; i < control->high_index; i++)
		{
			dsm_handle	h = control->segment_handle[i];

			if (h != DSM_HANDLE_INVALID)
				dsm_unpin_segment(h);
		}
	}
	LWLockRelease(&control->lock);
}

void
dsa_on_dsm_detach_release_in_place(dsm_segment *segment, Datum place)
{
	dsa_release_in_place(DatumGetPointer(place));
}

void
dsa_on_shmem_exit_release_in_place(int code, Datum place)
{
	dsa_release_in_place(DatumGetPointer(place));
}

void
dsa_pin_mapping(dsa_area *area)
{
	if (area->mapping_pinned)
		return;
	area->mapping_pinned = true;
	for (uint32 i = 0; i < area->high_mapped; i++)
		if (area->map[i].segment != NULL)
			dsm_pin_mapping(area->map[i].segment);
}

/*
 * Detach this process: its mappings of the other segments, then segment
 * 0 if the area made it (whose detach callback counts the process out);
 * an area in place is counted out by its owner.  The area object is
 * freed.
 */
void
dsa_detach(dsa_area *area)
{
	for (uint32 i = 1; i < area->high_mapped; i++)
		if (area->map[i].segment != NULL)
			dsm_detach(area->map[i].segment);
	if (area->map[0].segment != NULL)
		dsm_detach(area->map[0].segment);
	pfree(area);
}

void
dsa_pin(dsa_area *area)
{
	dsa_area_control *control = area->control;

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	if (control->pinned)
	{
		LWLockRelease(&control->lock);
		elog(ERROR, "dsa_area already pinned");
	}
	control->pinned = true;
	control->refcnt++;
	LWLockRelease(&control->lock);
}

void
dsa_unpin(dsa_area *area)
{
	dsa_area_control *control = area->control;

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	if (!control->pinned)
	{
		LWLockRelease(&control->lock);
		elog(ERROR, "dsa_area not pinned");
	}
	control->pinned = false;
	control->refcnt--;
	LWLockRelease(&control->lock);
}

void
dsa_set_size_limit(dsa_area *area, size_t limit)
{
	LWLockAcquire(&area->control->lock, LW_EXCLUSIVE);
	area->control->max_total_size = limit;
	LWLockRelease(&area->control->lock);
}

dsa_handle
dsa_get_handle(dsa_area *area)
{
	Assert(area->control->handle != DSA_HANDLE_INVALID);
	return area->control->handle;
}

size_t
dsa_get_total_size(dsa_area *area)
{
	size_t		size;

	LWLockAcquire(&area->control->lock, LW_SHARED);
	size = area->control->total_size;
	LWLockRelease(&area->control->lock);
	return size;
}

/* ------------------------------------------------------------------------
 * Allocating and freeing
 * ------------------------------------------------------------------------ */

dsa_pointer
dsa_allocate_extended(dsa_area *area, size_t size, int flags)
{
	dsa_area_control *control = area->control;
	dsa_pointer dp;

	if (((flags & DSA_ALLOC_HUGE) != 0 && !AllocHugeSizeIsValid(size)) ||
		((flags & DSA_ALLOC_HUGE) == 0 && !AllocSizeIsValid(size)))
		elog(ERROR, "invalid DSA memory alloc request size %zu", size);

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	forget_freed_segments(area);
	if (size <= DSA_MAX_SMALL)
		dp = small_allocate(area, Max(size, 1));
	else
		dp = area_take_pages(area, (size + DSA_PAGE_SIZE - 1) / DSA_PAGE_SIZE, PM_LARGE);
	LWLockRelease(&control->lock);

	if (dp == InvalidDsaPointer)
	{
		if ((flags & DSA_ALLOC_NO_OOM) != 0)
			return InvalidDsaPointer;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on DSA request of size %zu.", size)));
	}
	if ((flags & DSA_ALLOC_ZERO) != 0)
		memset(dsa_get_address(area, dp), 0, size);
	return dp;
}

/* ERROR for a pointer that is not an allocation; releases the lock. */
static void
bad_pointer(dsa_area *area, dsa_pointer dp)
{
	LWLockRelease(&area->control->lock);
	elog(ERROR, "dsa_free: " DSA_POINTER_FORMAT " is not an allocation of this area", dp);
}

void
dsa_free(dsa_area *area, dsa_pointer dp)
{
	dsa_area_control *control = area->control;
	uint32		index = DSA_POINTER_INDEX(dp);
	size_t		offset = DSA_POINTER_OFFSET(dp);
	char	   *base;
	dsa_segment_header *hdr;
	size_t		page;
	uint32		e;

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	forget_freed_segments(area);
	if (index >= control->high_index ||
		(index > 0 && control->segment_handle[index] == DSM_HANDLE_INVALID))
		bad_pointer(area, dp);
	base = segment_base(area, index);
	hdr = header_at(base, index);
	page = offset / DSA_PAGE_SIZE;
	if (page < hdr->metapages || page >= hdr->npages)
		bad_pointer(area, dp);
	e = hdr->pagemap[page];

	if (PM_KIND(e) == PM_LARGE && offset % DSA_PAGE_SIZE == 0)
		area_put_pages(area, dp, PM_VALUE(e));
	else if (PM_KIND(e) == PM_SPAN)
	{
		dsa_pointer sp = DSA_MAKE_POINTER(index, (page - PM_VALUE(e)) * DSA_PAGE_SIZE);
		dsa_span   *span = span_at(area, sp);
		size_t		osize;
		size_t		rel;
		uint32		obj;

		if (span->magic != DSA_SPAN_MAGIC)
			bad_pointer(area, dp);
		osize = dsa_class_size[span->sclass];
		rel = (size_t) (dp - sp);
		if (rel < DSA_SPAN_HEADER || (rel - DSA_SPAN_HEADER) % osize != 0 ||
			(rel - DSA_SPAN_HEADER) / osize >= span->nbumped)
			bad_pointer(area, dp);
		obj = (rel - DSA_SPAN_HEADER) / osize;
		memcpy((char *) span + rel, &span->freelist, sizeof(uint32));
		span->freelist = obj + 1;
		span->nfree++;
		if (!span->listed)
			span_list_add(area, sp, span);
		else if (span->nfree == span->nobjects &&
				 !(span->prev == InvalidDsaPointer && span->next == InvalidDsaPointer))
			span_release(area, sp, span);	/* not the class's only span */
	}
	else
		bad_pointer(area, dp);
	LWLockRelease(&control->lock);
}

void *
dsa_get_address(dsa_area *area, dsa_pointer dp)
{
	uint32		index;
	dsa_segment_map *m;
	char	   *base;

	if (!DsaPointerIsValid(dp))
		return NULL;
	index = DSA_POINTER_INDEX(dp);
	if (index >= DSA_MAX_SEGMENTS)
		elog(ERROR, "dsa_get_address: " DSA_POINTER_FORMAT " is not a pointer of this area", dp);
	m = &area->map[index];
	if (m->base != NULL &&
		(index == 0 || m->handle == area->control->segment_handle[index]))
		return m->base + DSA_POINTER_OFFSET(dp);

	LWLockAcquire(&area->control->lock, LW_SHARED);
	base = segment_base(area, index);
	LWLockRelease(&area->control->lock);
	return base + DSA_POINTER_OFFSET(dp);
}

void
dsa_trim(dsa_area *area)
{
	dsa_area_control *control = area->control;

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	forget_freed_segments(area);
	for (int c = 0; c < (int) DSA_NUM_CLASSES; c++)
	{
		dsa_pointer sp = control->spans[c];

		while (sp != InvalidDsaPointer)
		{
			dsa_span   *span = span_at(area, sp);
			dsa_pointer next = span->next;

			if (span->nfree == span->nobjects)
				span_release(area, sp, span);
			sp = next;
		}
	}
	LWLockRelease(&control->lock);
}

void
dsa_dump(dsa_area *area)
{
	dsa_area_control *control = area->control;

	LWLockAcquire(&control->lock, LW_EXCLUSIVE);
	fprintf(stderr, "dsa_area handle %u: refcnt %d, pinned %d, total size %zu\n",
			control->handle, control->refcnt, (int) control->pinned,
			control->total_size);
	for (uint32 i = 0; i < control->high_index; i++)
	{
		dsa_segment_header *hdr;

		if (i > 0 && control->segment_handle[i] == DSM_HANDLE_INVALID)
			continue;
		hdr = header_at(segment_base(area, i), i);
		fprintf(stderr, "  segment %u: handle %u, %zu pages, %zu free\n",
				i, control->segment_handle[i], hdr->npages - hdr->metapages,
				hdr->freepages);
	}
	for (int c = 0; c < (int) DSA_NUM_CLASSES; c++)
	{
		int			n = 0;

		for (dsa_pointer sp = control->spans[c]; sp != InvalidDsaPointer; sp = span_at(area, sp)->next)
			n++;
		if (n > 0)
			fprintf(stderr, "  class %u bytes: %d spans with free objects\n",
					dsa_class_size[c], n);
	}
	LWLockRelease(&control->lock);
}
