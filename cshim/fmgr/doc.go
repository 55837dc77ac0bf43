// Package fmgr holds new C code of PostgreSQL's utils/fmgr area: the trust
// rule every module load applies (libtrust.c). It is linked into the host
// through a blank import in package cshim; the C here is called by
// cshim/dfmgr.c (workers' load_external_function) and by cshim's Go
// bindings (the supervisor's preload and `bgworker launch`).
package fmgr

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -I${SRCDIR}/.. -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
