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
	LogDestinationJSONLog = int(C.LOG_DESTINATION_JSONLOG)
)

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
