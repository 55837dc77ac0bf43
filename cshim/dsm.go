package cshim

// This file holds the supervisor's binding to the dynamic shared memory
// control area (cshim/ipc/dsm.c): removing every segment a main segment
// records. Postmaster goroutine only.

/*
#include <stddef.h>
extern int bgw_dsm_cleanup_segment(const void *base, size_t size);
*/
import "C"

import "unsafe"

// DsmCleanupSegment removes every dynamic shared memory segment that the
// main segment seg (attached, at least read-only) records, and returns how
// many it removed. Call it before seg is removed: at a crash cycle, at
// exit, and for the stale segment of a host that was killed. It trusts
// nothing in seg.
func DsmCleanupSegment(seg []byte) int {
	if len(seg) == 0 {
		return 0
	}
	return int(C.bgw_dsm_cleanup_segment(unsafe.Pointer(&seg[0]), C.size_t(len(seg))))
}
