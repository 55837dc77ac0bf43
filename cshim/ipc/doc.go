// Package ipc is the dynamic part of bgworker's shared memory, after
// PostgreSQL's storage/ipc: dynamic shared memory segments (dsm.c), tables
// of contents (shm_toc.c), message queues (shm_mq.c), finding another
// process's PGPROC (procarray.c) and resource owners as far as segments
// need them (resowner.c). All of it is C that modules call in workers and
// sessions; the supervisor only lays out and cleans up the control area
// (through cshim's bindings). cshim/cshim.go imports this package blank,
// so that one import links the whole runtime.
package ipc

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -I${SRCDIR}/.. -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
*/
import "C"
