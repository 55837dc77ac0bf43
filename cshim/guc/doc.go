// Package guc is the C runtime's configuration (PostgreSQL's utils/misc/guc*).
//
// guc.c: the parameter registry (host and module parameters,
// placeholders, values with units, reload); guc_file.c: the
// postgresql.conf parser; guc_builtin.c: the host's own parameters.
// One parser serves the supervisor and the workers.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package guc

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
