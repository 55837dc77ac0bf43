package cshim

// This file holds the binding to the C side of fault injection
// (faults.c): the clone failure plan of the fork server. Only the
// supervisor of a binary built with the bgworker_faults tag calls it.

/*
#include "faults_int.h"
*/
import "C"

import "syscall"

// SetCloneFault makes the fork servers started from now on fail clone
// calls from, from+1, ... (1-based, counted per fork server) with errno,
// count of them (0 = all). errno 0 turns it off. Postmaster goroutine
// only, before StartForkServer.
func SetCloneFault(errno syscall.Errno, from, count int) {
	C.bgw_clone_fault.errno_ = C.int(errno)
	C.bgw_clone_fault.from = C.int(from)
	C.bgw_clone_fault.count = C.int(count)
}
