// Package cshim is bgworker's C runtime: everything a module can call, in
// the supervisor or in a forked worker, plus the fork server and the child
// set-up, and the thin Go bindings the supervisor uses to drive it.
//
// The C lives in one folder per subsystem, named as PostgreSQL names them
// (elog, mmgr, guc, fmgr, ipc, lmgr, postmaster, common, activity), plus
// forkserver (what runs in the fork server and in a new child) and faults;
// the runtime's private headers are in internal/. Each folder is a cgo
// package of its own with no Go API: the blank imports below link them all
// into any program that imports cshim. The .go files here are the bindings.
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
#cgo CFLAGS: -I${SRCDIR}/../include -I${SRCDIR}/internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
#cgo LDFLAGS: -rdynamic -ldl -Wl,-z,now ${SRCDIR}/exports.so
// exports.so is a linker script (text, like glibc's libc.so), not a
// library: its version script makes every binary that links the runtime
// export exactly the API of include/. Modules resolve against those
// exports (-rdynamic), so they see nothing else.
*/
import "C"

// The runtime's C, one package per subsystem; and the headers it compiles
// against, as build inputs (see package include).
import (
	_ "github.com/bgworker/bgworker/cshim/internal"
	_ "github.com/bgworker/bgworker/include"

	_ "github.com/bgworker/bgworker/cshim/activity"
	_ "github.com/bgworker/bgworker/cshim/adt"
	_ "github.com/bgworker/bgworker/cshim/common"
	_ "github.com/bgworker/bgworker/cshim/dbconn"
	_ "github.com/bgworker/bgworker/cshim/elog"
	_ "github.com/bgworker/bgworker/cshim/faults"
	_ "github.com/bgworker/bgworker/cshim/fmgr"
	_ "github.com/bgworker/bgworker/cshim/forkserver"
	_ "github.com/bgworker/bgworker/cshim/guc"
	_ "github.com/bgworker/bgworker/cshim/ipc"
	_ "github.com/bgworker/bgworker/cshim/lmgr"
	_ "github.com/bgworker/bgworker/cshim/mmgr"
	_ "github.com/bgworker/bgworker/cshim/postmaster"
	_ "github.com/bgworker/bgworker/cshim/tcop"
)
