// Package postmaster holds new C code of PostgreSQL's postmaster area: the
// guard that makes every way module code can end the supervisor (exit(),
// an uncaught ERROR or FATAL, a crash) log a line naming the library,
// remove the lock file, control socket and segment, and exit non-zero
// (modguard.c). It is linked into the host through a blank import in
// package cshim; the supervisor arms it through cshim's Go bindings
// (guard.go), and cshim/elog.c enters it around calls into module code.
package postmaster

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -I${SRCDIR}/.. -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
