package cshim

// This file holds the binding to the C side of fault injection
// (faults.c): the clone failure plan of the fork server, which only the
// supervisor of a binary built with the bgworker_faults tag sets; and the
// raw view of the slot array that the slot reader's fuzz target scribbles
// on.

/*
#include "faults_int.h"
#include "fork_int.h"
*/
import "C"

import (
	"syscall"
	"unsafe"
)

// SetCloneFault makes the fork servers started from now on fail clone
// calls from, from+1, ... (1-based, counted per fork server) with errno,
// count of them (0 = all). errno 0 turns it off. Postmaster goroutine
// only, before StartForkServer.
func SetCloneFault(errno syscall.Errno, from, count int) {
	C.bgw_clone_fault.errno_ = C.int(errno)
	C.bgw_clone_fault.from = C.int(from)
	C.bgw_clone_fault.count = C.int(count)
}

// slotArrayBytes is the slot array of the current segment as bytes (nil
// before InitWorkerSlots), for the slot reader's fuzz target, which fills
// it with garbage the way a rogue worker could.
func slotArrayBytes() []byte {
	if C.bgw_worker_array == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(C.bgw_worker_array)), int(C.bgw_bgworker_shmem_size()))
}
