package cshim

// This file holds the supervisor's read-only view of the shared memory
// segment: recognising a segment of an earlier run by its header, and the
// lock-free reads of what workers report (state, activity, wait event).
// The segment life-cycle calls (ShmemSize, ShmemInit, ShmemForget, the
// dead-man flag) are in supervisor.go. Postmaster goroutine only.
//
// Nothing here trusts shared memory: every read is bounded, range-checked
// and never waits for a lock a worker could hold.

/*
#include "shmem_int.h"
*/
import "C"

import "unsafe"

// ShmemHeaderMagic is the first 32-bit word (native byte order) of a segment
// laid out by ShmemInit; a segment without it is not ours.
const ShmemHeaderMagic = uint32(C.PGShmemMagic)

// ShmemHeaderSize is the number of bytes ShmemSegmentIsOurs reads.
const ShmemHeaderSize = int(C.sizeof_BgwShmemHeader)

// ShmemSegmentIsOurs reports whether seg, an attached segment (for example
// one left by an earlier run), was laid out by this version of the runtime
// and is exactly len(seg) bytes long.
func ShmemSegmentIsOurs(seg []byte) bool {
	if len(seg) < ShmemHeaderSize {
		return false
	}
	return bool(C.bgw_shmem_segment_is_ours(unsafe.Pointer(&seg[0]), C.Size(len(seg))))
}

// BackendState values reported by pgstat_report_activity (utils/backend_status.h).
const (
	StateUndefined = int(C.STATE_UNDEFINED)
	StateStarting  = int(C.STATE_STARTING)
	StateIdle      = int(C.STATE_IDLE)
	StateRunning   = int(C.STATE_RUNNING)
	StateDisabled  = int(C.STATE_DISABLED)
)

var stateNames = map[int]string{
	int(C.STATE_UNDEFINED):                 "",
	int(C.STATE_STARTING):                  "starting",
	int(C.STATE_IDLE):                      "idle",
	int(C.STATE_RUNNING):                   "active",
	int(C.STATE_IDLEINTRANSACTION):         "idle in transaction",
	int(C.STATE_FASTPATH):                  "fastpath function call",
	int(C.STATE_IDLEINTRANSACTION_ABORTED): "idle in transaction (aborted)",
	int(C.STATE_DISABLED):                  "disabled",
}

// StateName is the pg_stat_activity spelling of a BackendState ("active",
// "idle", ...); empty for STATE_UNDEFINED or an unknown value.
func StateName(state int) string { return stateNames[state] }

// ProcStatus reads what the process in a worker slot last reported: its
// activity string, its BackendState and its current wait event (0 if not
// waiting). ok is false when there is no segment, the slot is out of range,
// or the slot changed under every retry of the lock-free read.
func ProcStatus(slot int) (activity string, state int, waitEvent uint32, ok bool) {
	var buf [C.BGW_ACTIVITY_SIZE]C.char
	var st C.int
	var we C.uint32
	if !bool(C.bgw_proc_status(C.int(slot), &buf[0], C.size_t(len(buf)), &st, &we)) {
		return "", 0, 0, false
	}
	return C.GoString(&buf[0]), int(st), uint32(we), true
}

// WaitEventName is the wait event's name as pg_stat_activity shows it
// ("BgWorkerStartup", a module's WaitEventExtensionNew name, an LWLock
// tranche name), or "" for 0.
func WaitEventName(info uint32) string {
	_, event := describeWaitEvent(info)
	return event
}

// WaitEventType is the wait event's class name ("IPC", "Extension",
// "LWLock", ...), or "" for 0.
func WaitEventType(info uint32) string {
	typ, _ := describeWaitEvent(info)
	return typ
}

func describeWaitEvent(info uint32) (typ, event string) {
	var t [32]C.char
	var e [C.NAMEDATALEN]C.char
	C.bgw_wait_event_describe(C.uint32(info), &t[0], C.size_t(len(t)), &e[0], C.size_t(len(e)))
	return C.GoString(&t[0]), C.GoString(&e[0])
}
