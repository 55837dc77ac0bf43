package main

// arena.go limits glibc malloc to its main arena in the host binary. Every
// OS thread of the Go runtime that calls into C would otherwise get an
// arena of its own (a 64 MB reservation with pages in use), and the fork
// server inherits them all: each is one more anonymous mapping with page
// tables that every clone of a worker copies and every worker's exit tears
// down (measured: crash → all 100 workers running again, 80-87 ms with the
// default arenas, 68-75 ms with one; docs/architecture.md). The supervisor
// calls malloc rarely, so one arena costs it nothing measurable. Only the
// binary: an embedder keeps its own malloc settings.

/*
#include <malloc.h>

// Runs before the Go runtime starts any thread, and before any thread can
// have created an arena (glibc fixes its arena limit at the first arena it
// makes).
__attribute__((constructor)) static void
bgworker_one_malloc_arena(void)
{
	mallopt(M_ARENA_MAX, 1);
}
*/
import "C"
