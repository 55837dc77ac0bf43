// Package ipc is the C runtime's inter-process communication (PostgreSQL's storage/ipc).
//
// ipc.c: proc_exit and the exit callback lists; shmem.c: the main shared
// memory segment's layout, allocator and ShmemInitStruct index; latch.c:
// latches and wait event sets; pmsignal.c: postmaster death and
// child-to-postmaster signals. The dynamic part: dsm.c, dynamic shared
// memory segments (posix, sysv, mmap) and their control area in the main
// segment; dsm_registry.c, named segments (GetNamedDSMSegment) with their
// table in the main segment; shm_toc.c, tables of contents; shm_mq.c,
// message queues; procarray.c, finding another process's PGPROC;
// resowner.c, resource owners as far as segments need them.
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

// The headers this package compiles against, as build inputs (see package
// include).
import (
	_ "github.com/bgworker/bgworker/cshim/internal"
	_ "github.com/bgworker/bgworker/include"
)
