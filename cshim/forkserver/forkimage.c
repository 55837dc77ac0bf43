/*-------------------------------------------------------------------------
 *
 * forkimage.c
 *	  Keeps the Go runtime's own memory out of the fork server's image.
 *
 *	  Every worker is cloned from the fork server, so every mapping the
 *	  fork server holds is copied (VMA, anon_vma, page tables) at each start
 *	  and torn down at each exit.  The fork server inherits, from the Go
 *	  supervisor it was forked from, the Go runtime's metadata mappings
 *	  (page-allocator summaries, the arena index, persistent allocations,
 *	  the first heap arenas), which it never touches: it runs no Go.
 *
 *	  Which mappings are the runtime's is decided once, positively, in two
 *	  snapshots of /proc/self/maps:
 *
 *	  1. bgw_record_pre_runtime_mappings(), from a constructor of the host
 *	     binary, before the Go runtime starts: what the dynamic loader and
 *	     glibc mapped (among them the main thread's TLS).
 *	  2. bgw_exclude_runtime_mappings_from_forks(), from the postmaster
 *	     thread when the host starts, before the configuration is read and
 *	     any module is loaded: every private anonymous read-write mapping
 *	     that did not exist at 1 was made by the Go runtime, by glibc for
 *	     a thread the runtime started, or by a large malloc().  A mapping
 *	     is left alone when one of its resident pages holds a glibc thread
 *	     descriptor (glibc's stack cache links the other threads' stacks
 *	     after a fork, and flush_stack_cache in forkserver.c frees them
 *	     through it) or an mmapped malloc chunk header, or when it follows
 *	     a file mapping (a library's .bss); the rest get MADV_DONTFORK, so
 *	     that no fork of the supervisor copies them.  Signatures rather
 *	     than boundaries: adjacent anonymous mappings merge, so a thread
 *	     stack may share one mapping with the runtime's memory.  The
 *	     runtime's address-space reservations made since (PROT_NONE, 64 kB
 *	     and more; a thread's guard page is smaller) get it too.
 *
 *	  3. bgw_exclude_go_memory(), before every fork of the fork server:
 *	     the Go heap (found from Go objects, contiguous arenas included)
 *	     and the chunks the runtime's persistent allocator keeps adding to
 *	     its metadata (a list the Go side finds in the binary's symbol
 *	     table, goheap.go) get MADV_DONTFORK as well.
 *
 *	  MADV_DONTFORK stays with those mappings only: a mapping made later,
 *	  even at an address the runtime gave back, is a new one without it,
 *	  and mappings with different flags never merge.  Nothing else changes
 *	  for the supervisor.  An embedding program (libbgworker.so) has no
 *	  snapshot 1, and neither has a host built for AddressSanitizer or for
 *	  another architecture than x86-64; step 2 does nothing there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fork_int.h"

#define BGW_MAX_PRE_RUNTIME_MAPS 512

/* A PROT_NONE mapping at least this big, made by the runtime, is its own. */
#define BGW_MIN_RUNTIME_RESERVATION (64 * 1024)

/*
 * [start, end) of every mapping before the Go runtime started; malloc'd,
 * not static, so that it does not spread the globals every worker writes
 * over more pages of .bss.
 */
static uintptr_t *pre_runtime_maps;
static int	n_pre_runtime_maps = -1;	/* -1: no snapshot (embedded) */

/* One line of /proc/self/maps. */
typedef struct MapsLine
{
	uintptr_t	start;
	uintptr_t	end;
	char		perms[8];
	unsigned long inode;
	bool		named;			/* a path or a [name] follows */
} MapsLine;

static bool
parse_maps_line(const char *line, MapsLine *m)
{
	unsigned long start,
				end,
				offset;
	char		dev[16];
	int			pos = 0;

	if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &start, &end, m->perms,
			   &offset, dev, &m->inode, &pos) < 6 || end <= start)
		return false;
	m->start = (uintptr_t) start;
	m->end = (uintptr_t) end;
	m->named = pos > 0 && line[pos] != '\0' && line[pos] != '\n';
	return true;
}

/* The next mapping of the maps file f into *m; false at its end. */
static bool
next_mapping(FILE *f, MapsLine *m)
{
	char		line[512];

	while (fgets(line, sizeof(line), f) != NULL)
	{
		if (strchr(line, '\n') == NULL && !feof(f))
		{
			/* a path longer than the buffer: skip the rest of the line */
			int			c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		if (parse_maps_line(line, m))
			return true;
	}
	return false;
}

/*
 * Snapshot 1.  Host binary only, from a constructor: one thread, no Go
 * runtime yet.  On any failure no snapshot is kept, and step 2 does
 * nothing.
 */
void
bgw_record_pre_runtime_mappings(void)
{
/*
 * page_needed_by_c knows x86-64's glibc; under AddressSanitizer malloc is
 * its allocator's, whose regions carry no glibc chunk header.
 */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
	FILE	   *f;
	MapsLine	m;
	int			n = 0;

	pre_runtime_maps = malloc(sizeof(uintptr_t) * 2 * BGW_MAX_PRE_RUNTIME_MAPS);
	if (pre_runtime_maps == NULL)
		return;
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return;
	while (next_mapping(f, &m))
	{
		if (n == BGW_MAX_PRE_RUNTIME_MAPS)
		{
			fclose(f);
			return;				/* too many to be sure: no snapshot */
		}
		pre_runtime_maps[2 * n] = m.start;
		pre_runtime_maps[2 * n + 1] = m.end;
		n++;
	}
	fclose(f);
	n_pre_runtime_maps = n;
#endif
}

/* Whether snapshot 1 was taken (the host binary on x86-64). */
bool
bgw_pre_runtime_recorded(void)
{
	return n_pre_runtime_maps >= 0;
}

static bool
existed_before_runtime(uintptr_t start, uintptr_t end)
{
	for (int i = 0; i < n_pre_runtime_maps; i++)
		if (start < pre_runtime_maps[2 * i + 1] && pre_runtime_maps[2 * i] < end)
			return true;
	return false;
}

/*
 * Whether the page at p holds something C still needs in a forked child,
 * judged by two signatures, each false only when the thing is absent (a
 * false match merely keeps a mapping):
 *
 *	- glibc's descriptor of a thread (x86-64: its first and third words
 *	  point to itself, and it sits at the top of the thread's stack, 64-byte
 *	  aligned, within the last page).  After a fork glibc keeps the other
 *	  threads' stacks in its stack cache, linked through these descriptors;
 *	- the header glibc puts on a chunk it mmapped for a large malloc(): at
 *	  the start of a page, the chunk's offset in its mapping (less than a
 *	  page), then its size with the IS_MMAPPED bit, fitting in the mapping.
 *
 * Adjacent anonymous mappings with the same protection merge, so either
 * may sit anywhere in a mapping, not only at its ends.
 */
static bool
page_needed_by_c(const char *p, size_t page, uintptr_t map_end)
{
	const size_t *hdr = (const size_t *) p;

	if ((hdr[1] & 0x2) != 0 && hdr[0] < page &&
		(hdr[1] & ~(size_t) 0x7) >= page &&
		(hdr[1] & ~(size_t) 0x7) <= map_end - (uintptr_t) p - hdr[0])
		return true;
	for (size_t off = 0; off + 3 * sizeof(uintptr_t) <= page; off += 64)
	{
		const uintptr_t *w = (const uintptr_t *) (p + off);

		if (w[0] == (uintptr_t) w && w[2] == (uintptr_t) w)
			return true;
	}
	return false;
}

/*
 * Whether any resident page of the read-write mapping [start, end) is
 * needed by C (page_needed_by_c).  Pages never touched hold nothing; they
 * are not read (reading would fault them in).  When residency cannot be
 * read, the mapping counts as needed.
 */
static bool
mapping_needed_by_c(uintptr_t start, uintptr_t end, size_t page)
{
	unsigned char vec[256];

	for (uintptr_t at = start; at < end;)
	{
		size_t		pages = (end - at) / page;

		if (pages > sizeof(vec))
			pages = sizeof(vec);
		if (mincore((void *) at, pages * page, vec) != 0)
			return true;
		for (size_t i = 0; i < pages; i++)
			if ((vec[i] & 1) != 0 &&
				page_needed_by_c((const char *) (at + i * page), page, end))
				return true;
		at += pages * page;
	}
	return false;
}

/*
 * Step 2.  Supervisor, postmaster thread, as early as it can (before the
 * configuration is read and before any module is loaded, so that no
 * module's mapping can be among the new ones).
 * Returns how many mappings were marked.
 */
int
bgw_exclude_runtime_mappings_from_forks(void)
{
	FILE	   *f;
	MapsLine	m;
	MapsLine	prev = {0};
	uintptr_t	marks[2 * BGW_MAX_PRE_RUNTIME_MAPS];
	bool		reserved[BGW_MAX_PRE_RUNTIME_MAPS];
	int			n = 0,
				done = 0;
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);

	if (n_pre_runtime_maps < 0 || (f = fopen("/proc/self/maps", "re")) == NULL)
		return 0;
	while (next_mapping(f, &m) && n < BGW_MAX_PRE_RUNTIME_MAPS)
	{
		bool		fresh_anon = m.inode == 0 && !m.named &&
			!existed_before_runtime(m.start, m.end);
		bool		runtime_rw,
					reservation;

		/*
		 * Read-write, private, anonymous, made since the loader's snapshot,
		 * not the .bss of a library loaded meanwhile (right after its file
		 * mapping).  Or a reservation (PROT_NONE) made since, of at least
		 * BGW_MIN_RUNTIME_RESERVATION: the runtime reserves its address
		 * space that way (hundreds of MB for its page allocator's
		 * summaries, each with read-write pieces inside, which are marked
		 * as above).  A reservation has no pages, but it is one more
		 * mapping every clone duplicates and every exit removes.  Guard
		 * pages of thread stacks are a page or two: left alone.
		 */
		runtime_rw = fresh_anon && strcmp(m.perms, "rw-p") == 0 &&
			!(prev.end == m.start && prev.inode != 0);
		reservation = fresh_anon && strcmp(m.perms, "---p") == 0 &&
			m.end - m.start >= BGW_MIN_RUNTIME_RESERVATION;
		if (runtime_rw || reservation)
		{
			marks[2 * n] = m.start;
			marks[2 * n + 1] = m.end;
			reserved[n++] = reservation;
		}
		prev = m;
	}
	fclose(f);

	/* judged after the file is closed: mincore and reads change no mapping */
	for (int i = 0; i < n; i++)
	{
		/* a reservation cannot be read, and holds nothing */
		if (!reserved[i] && mapping_needed_by_c(marks[2 * i], marks[2 * i + 1], page))
			continue;
		if (madvise((void *) marks[2 * i], marks[2 * i + 1] - marks[2 * i], MADV_DONTFORK) == 0)
			done++;
	}
	return done;
}

/*
 * Step 3, before every fork of the fork server, in one pass over the maps:
 * what the Go runtime added since step 2 (its heap and its metadata grow
 * as the supervisor runs, and the new parts are new mappings) gets
 * MADV_DONTFORK too:
 *
 *	- the Go heap: each private anonymous read-write mapping holding one of
 *	  the nprobes probes (Go heap objects), and every private anonymous
 *	  mapping contiguous with those (the arena reservation and the parts
 *	  committed since, which do not merge with marked ones).  Nothing C
 *	  allocates (glibc malloc, shmat, dlopen) is placed against Go's arena
 *	  reservation: mmap places those far below the loader, nowhere near the
 *	  runtime's arena hints.  This needs no snapshot: an embedding program
 *	  gets it too.
 *	- the chunks of the runtime's persistent allocator: chunk_head is the
 *	  address of its list (runtime.persistentChunks, from the binary's
 *	  symbol table: each chunk's first word links the one allocated before
 *	  it; 0 when unknown), chunk_size their size; both come from the Go
 *	  side, which knows the runtime it was built with.  A chunk is marked
 *	  only when it lies wholly in private anonymous read-write memory; the
 *	  walk stops at anything else.
 *
 * Supervisor, postmaster thread.  Returns how many ranges were marked.
 */
typedef struct GoMapping
{
	uintptr_t	start;
	uintptr_t	end;
	bool		anon;			/* private, anonymous, unnamed */
	bool		rw;				/* and read-write */
	bool		heap;
	uintptr_t	run_end;		/* rw: end of the run of contiguous rw
								 * mappings it starts or continues */
} GoMapping;

#define BGW_MAX_MAPS 4096

int
bgw_exclude_go_memory(const uintptr_t *probes, int nprobes,
					  uintptr_t chunk_head, size_t chunk_size)
{
	FILE	   *f;
	MapsLine	m;
	GoMapping  *maps;
	int			n = 0,
				done = 0;
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);
	bool		head_ok = false;

	maps = malloc(sizeof(GoMapping) * BGW_MAX_MAPS);
	if (maps == NULL)
		return 0;
	if ((f = fopen("/proc/self/maps", "re")) == NULL)
	{
		free(maps);
		return 0;
	}
	while (n < BGW_MAX_MAPS && next_mapping(f, &m))
	{
		GoMapping  *g = &maps[n++];

		if (chunk_head >= m.start && chunk_head + sizeof(uintptr_t) <= m.end &&
			m.perms[0] == 'r' && m.perms[1] == 'w')
			head_ok = true;
		g->start = m.start;
		g->end = m.end;
		g->anon = m.inode == 0 && !m.named && m.perms[3] == 'p';
		g->rw = g->anon && strcmp(m.perms, "rw-p") == 0;
		g->heap = false;
		for (int i = 0; i < nprobes && g->rw; i++)
			if (probes[i] >= m.start && probes[i] < m.end)
				g->heap = true;
	}
	fclose(f);

	/* the heap spreads to contiguous anonymous neighbours, both ways */
	for (int i = 1; i < n; i++)
		if (maps[i - 1].heap && maps[i].anon && maps[i].start == maps[i - 1].end)
			maps[i].heap = true;
	for (int i = n - 2; i >= 0; i--)
		if (maps[i + 1].heap && maps[i].anon && maps[i].end == maps[i + 1].start)
			maps[i].heap = true;
	for (int i = 0; i < n; i++)
		if (maps[i].heap &&
			madvise((void *) maps[i].start, maps[i].end - maps[i].start, MADV_DONTFORK) == 0)
			done++;

	/* a head outside our writable data would mean a wrong symbol table */
	if (chunk_head != 0 && head_ok && chunk_size != 0 && chunk_size % page == 0)
	{
		uintptr_t	c = *(const uintptr_t *) chunk_head;

		/* a chunk may span mappings that MADV_DONTFORK kept from merging */
		for (int i = n - 1; i >= 0; i--)
			maps[i].run_end = i + 1 < n && maps[i].rw && maps[i + 1].rw &&
				maps[i + 1].start == maps[i].end ? maps[i + 1].run_end : maps[i].end;
		for (int steps = 0; c != 0 && steps < 4096; steps++)
		{
			bool		inside = false;

			if (c % page != 0)
				break;
			/* wholly inside one run of contiguous read-write anonymous maps */
			for (int i = 0; i < n && !inside; i++)
				inside = maps[i].rw && c >= maps[i].start && c < maps[i].end &&
					c + chunk_size <= maps[i].run_end;
			if (!inside)
				break;
			if (madvise((void *) c, chunk_size, MADV_DONTFORK) == 0)
				done++;
			c = *(const uintptr_t *) c;
		}
	}
	free(maps);
	return done;
}
