// Package ipc is the C runtime's inter-process communication (PostgreSQL's storage/ipc).
//
// ipc.c: proc_exit and the exit callback lists; shmem.c: the main shared
// memory segment's layout, allocator and ShmemInitStruct index; latch.c:
// latches and wait event sets; pmsignal.c: postmaster death and
// child-to-postmaster signals.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package ipc

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
