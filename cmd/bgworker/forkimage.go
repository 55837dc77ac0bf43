package main

// forkimage.go records, before the Go runtime starts, which mappings the
// dynamic loader and glibc made, so that the host can later tell the Go
// runtime's own mappings apart and keep them out of the fork server's
// image (cshim/forkserver/forkimage.c). Only the binary: an embedding program starts
// the Go runtime from its own constructor, and gets no snapshot.

/*
extern void bgw_record_pre_runtime_mappings(void);

// Runs before the Go runtime starts (a constructor of the executable).
__attribute__((constructor)) static void
bgworker_record_pre_runtime_mappings(void)
{
	bgw_record_pre_runtime_mappings();
}
*/
import "C"
