// Package mmgr is the C runtime's memory contexts (PostgreSQL's utils/mmgr).
//
// mcxt.c: palloc and friends on AllocSet-like contexts. Any process.
// dsa.c: dynamic shared areas (utils/dsa.h), a shared heap over dynamic
// shared memory segments. Workers and sessions.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it, and every area's C symbols meet at the
// final link (see docs/architecture.md, "The C runtime").
package mmgr

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
