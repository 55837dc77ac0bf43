// Package cshim is bgworker's C runtime: everything a module can call, in
// the supervisor or in a forked worker, plus the fork server and the child
// set-up, compiled by cgo from the .c files in this directory, and the thin
// Go bindings the supervisor uses to drive it.
//
// The iron rule: a forked child never runs Go. Nothing a module calls is a
// Go function, and the C here never calls back into Go. In the supervisor,
// only the postmaster goroutine (locked to its OS thread for the life of the
// process) may call the functions of this package; they are not safe for
// concurrent use and some of them enter module code.
//
// The package deliberately does not decide policy (when to start, restart
// or crash-cycle); that is the supervisor's, in package libbgworker.
package cshim

/*
#cgo CFLAGS: -I${SRCDIR}/../include -I${SRCDIR} -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
#cgo LDFLAGS: -rdynamic -ldl -Wl,-z,now
*/
import "C"

// The database session (libpq, loaded by workers that connect) and the
// utils/adt helpers: C packages linked in for their symbols.
import (
	_ "github.com/bgworker/bgworker/cshim/adt"
	_ "github.com/bgworker/bgworker/cshim/dbconn"
)
