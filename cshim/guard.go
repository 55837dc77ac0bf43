package cshim

// This file holds the supervisor's bindings to the module guard
// (cshim/postmaster/modguard.c): what it must remove if module code ends
// the process (exit(), an uncaught error, a crash). Postmaster goroutine
// only.

/*
#include <stdlib.h>
#include "bgw_internal.h"
*/
import "C"

import "unsafe"

// GuardArm arms the guard with the lock file's path (removed only while
// it names this process). Call once the lock file exists, before any
// module code runs.
func GuardArm(lockFile string) {
	c := C.CString(lockFile)
	defer C.free(unsafe.Pointer(c))
	C.bgw_guard_arm(c)
}

// GuardSocket names the control socket to remove ("" for none); the file
// now at that path is the one removed, and only while it stays the same.
func GuardSocket(path string) {
	c := C.CString(path)
	defer C.free(unsafe.Pointer(c))
	C.bgw_guard_set_socket(c)
}

// GuardSegment names the segment to remove (-1 for none).
func GuardSegment(id int) { C.bgw_guard_set_segment(C.int(id)) }

// GuardDisarm forgets everything before the supervisor's own clean exit
// (an embedding program may call exit() later).
func GuardDisarm() { C.bgw_guard_disarm() }
