// Package forkserver is the C runtime's fork server and the birth of every child.
//
// forkserver.c: the single-threaded C process the supervisor forks once
// modules are loaded and shared memory exists, which clones every worker
// and the startup child on request; forkimage.c: keeps the Go runtime's
// memory out of its image; child.c: what a new child does between the
// clone and the module's entry point; ps_status.c: the process title.
// Everything here runs in the fork server or in a new child, never Go.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package forkserver

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
