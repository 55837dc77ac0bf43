// Package common is the C runtime's small pieces every process uses (PostgreSQL's src/common, src/port, utils/init).
//
// stringinfo.c: StringInfo; timestamp.c: TimestampTz; globals.c: the
// process-wide globals of miscadmin.h; port.c: bounded string copies,
// paths, pg_usleep, ExceptionalCondition; pqsignal.c: pqsignal and the
// standard signal masks.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package common

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
