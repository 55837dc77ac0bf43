// Package fmgr is the C runtime's function manager and dynamic loader (PostgreSQL's utils/fmgr).
//
// dfmgr.c: finding, checking and loading module libraries (the supervisor's
// preload and a worker's load_external_function); fmgr.c: calling V1
// functions from C.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package fmgr

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
