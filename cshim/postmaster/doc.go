// Package postmaster is the C runtime's background-worker API (PostgreSQL's postmaster/bgworker.c and interrupt.c).
//
// bgworker.c: registration (static and dynamic), the shared slot array,
// worker handles; interrupt.c: the signal handlers a worker installs and
// ProcessInterrupts. Modules call these in the supervisor (_PG_init) and
// in workers.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package postmaster

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
