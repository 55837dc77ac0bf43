// Package elog is the C runtime's error handling and logging (PostgreSQL's utils/error).
//
// elog.c: ereport/elog, the error data stack, PG_TRY, error context
// callbacks, log_line_prefix, the stderr and jsonlog formats, and the
// error trampoline through which the supervisor enters module code.
// Any process.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package elog

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
