// Package tcop is the session process, after PostgreSQL's tcop (the
// backend's main loop): a child forked like a worker that runs one call of
// a module's SQL-callable function for a caller of `bgworker call` and
// reports its messages and result back to the supervisor (session.c). All
// of it is C that runs in the forked child; cshim/cshim.go imports this
// package blank, so that one import links the whole runtime.
package tcop

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
