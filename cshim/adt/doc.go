// Package adt holds the data types a session passes to a module's
// SQL-callable function and back, after PostgreSQL's utils/adt: text and
// bytea helpers and "detoasting" (varlena.c), one-dimensional arrays
// (arrayfuncs.c), and each type's input and output function (typio.c),
// which turn the caller's text literals into Datums and results into text.
// All of it is C that runs in sessions and workers; cshim/cshim.go imports
// this package blank, so that one import links the whole runtime.
package adt

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -I${SRCDIR}/.. -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
