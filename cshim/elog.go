package cshim

// This file holds the elog area's Go bindings beyond the ones in
// supervisor.go (Log, CallProtected): the protected call for pointer-
// returning functions. Postmaster goroutine only. The tests' C probes are
// in elog_testsupport.go.

/*
#include "bgw_internal.h"
#include "utils/memutils.h"

static int bgw_call_protected_ptr_addr(uintptr_t fn, const void **result,
									   BgwCaughtError *err)
{
	return bgw_call_protected_ptr((const void *(*) (void)) fn, result, err);
}

*/
import "C"

import "unsafe"

// Log destinations (LOG_DESTINATION_* bits).
const (
	LogDestinationStderr  = int(C.LOG_DESTINATION_STDERR)
	LogDestinationSyslog  = int(C.LOG_DESTINATION_SYSLOG)
	LogDestinationCSVLog  = int(C.LOG_DESTINATION_CSVLOG)
	LogDestinationJSONLog = int(C.LOG_DESTINATION_JSONLOG)
)

// SetLogCollector turns the logging collector's pipe protocol on for the
// supervisor and every process it forks from now on (ownFd: the write end
// of the supervisor's own non-blocking pipe), or off (-1).
func SetLogCollector(ownFd int) { C.bgw_elog_set_collector(C.int(ownFd)) }

// LogLost is the number of records (or record chunks) the supervisor
// dropped because the collector's pipe was full.
func LogLost() uint64 { return uint64(C.bgw_elog_lost()) }

// CallProtectedPtr calls the C function at fn, which returns a pointer
// (a module's Pg_magic_func), through the error trampoline.
func CallProtectedPtr(fn uintptr) (unsafe.Pointer, *CaughtError) {
	var e C.BgwCaughtError
	var res unsafe.Pointer
	if C.bgw_call_protected_ptr_addr(C.uintptr_t(fn), &res, &e) != 0 {
		return nil, caught(&e)
	}
	return res, nil
}
