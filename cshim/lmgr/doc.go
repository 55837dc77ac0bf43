// Package lmgr is the C runtime's locks and per-process shared state (PostgreSQL's storage/lmgr).
//
// lwlock.c: lightweight locks and tranches; spin.c: the contended path
// of spinlocks; proc.c: PGPROC (BgwProc) slots; condition_variable.c:
// condition variables.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package lmgr

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
