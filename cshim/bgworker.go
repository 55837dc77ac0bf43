package cshim

// This file holds the supervisor's bindings to worker registration
// (bgworker.c): the static list collected while preloading, and the shared
// slot array that static and dynamic workers share. The supervisor trusts
// nothing in shared memory: ReadSlot gets a bounded, sanitised copy made in
// C after the in_use check and a read barrier. Postmaster goroutine only.

/*
#include "fork_int.h"

static const BackgroundWorker *slot_init_workers;
static int slot_init_count;

static void bgw_slot_init_trampoline(void)
{
	bgw_bgworker_shmem_init(slot_init_workers, slot_init_count);
}

static int bgw_protected_slot_init(const BackgroundWorker *w, int n, BgwCaughtError *err)
{
	slot_init_workers = w;
	slot_init_count = n;
	return bgw_call_protected(bgw_slot_init_trampoline, err);
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Constants of postmaster/bgworker.h, from the header itself.
const (
	WorkerShmemAccess        = int(C.BGWORKER_SHMEM_ACCESS)
	WorkerDatabaseConnection = int(C.BGWORKER_BACKEND_DATABASE_CONNECTION)
	WorkerClassParallel      = int(C.BGWORKER_CLASS_PARALLEL)
	NeverRestart             = int(C.BGW_NEVER_RESTART)
	StartPostmasterStart     = int(C.BgWorkerStart_PostmasterStart)
	StartConsistentState     = int(C.BgWorkerStart_ConsistentState)
	StartRecoveryFinished    = int(C.BgWorkerStart_RecoveryFinished)
	MaxRestartTime           = int(C.BGW_MAX_RESTART_TIME) // the largest bgw_restart_time accepted
	WorkerNameLen            = int(C.BGW_MAXLEN)           // bgw_name, bgw_type, bgw_function_name, with the NUL
	WorkerLibraryLen         = int(unsafe.Sizeof(C.BackgroundWorker{}.bgw_library_name))
	workerKnownFlags         = WorkerShmemAccess | WorkerDatabaseConnection | WorkerClassParallel
)

// Worker mirrors struct BackgroundWorker (postmaster/bgworker.h). Strings
// longer than their C field are truncated when converted.
type Worker struct {
	Name        string    // bgw_name: the process title
	Type        string    // bgw_type: the name in log lines ("" = Name)
	Flags       int       // BGWORKER_* flags
	StartTime   int       // BgWorkerStart_* (0, 1, 2)
	RestartTime int       // seconds, or -1 (BGW_NEVER_RESTART)
	Library     string    // bgw_library_name
	Function    string    // bgw_function_name
	MainArg     uint64    // bgw_main_arg (a Datum)
	Extra       [128]byte // bgw_extra, verbatim
	NotifyPid   int       // bgw_notify_pid; 0 = none
}

// SlotView is what ReadSlot reports about one slot.
type SlotView struct {
	InUse      bool   // false: the slot is free and the rest is zero
	Terminate  bool   // a worker asked for termination
	Pid        int    // -1 not started, 0 stopped, else the running pid
	Generation uint64 // incremented at every reuse
	Worker     Worker // the registration (strings sanitised)
}

// goString reads a NUL-terminated string from a C char array, never past
// its end.
func goString(arr []C.char) string {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&arr[0])), len(arr))
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// putString stores s into a C char array, truncated and NUL-terminated.
func putString(arr []C.char, s string) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&arr[0])), len(arr))
	n := copy(b[:len(b)-1], s)
	for i := n; i < len(b); i++ {
		b[i] = 0
	}
}

// workerFromC converts a registration; pure Go (reads Go or C memory).
func workerFromC(c *C.BackgroundWorker) Worker {
	w := Worker{
		Name:        goString(c.bgw_name[:]),
		Type:        goString(c.bgw_type[:]),
		Flags:       int(c.bgw_flags),
		StartTime:   int(c.bgw_start_time),
		RestartTime: int(c.bgw_restart_time),
		Library:     goString(c.bgw_library_name[:]),
		Function:    goString(c.bgw_function_name[:]),
		MainArg:     uint64(c.bgw_main_arg),
		NotifyPid:   int(c.bgw_notify_pid),
	}
	copy(w.Extra[:], unsafe.Slice((*byte)(unsafe.Pointer(&c.bgw_extra[0])), len(c.bgw_extra)))
	return w
}

// toC fills a C registration; pure Go.
func (w *Worker) toC(c *C.BackgroundWorker) {
	putString(c.bgw_name[:], w.Name)
	putString(c.bgw_type[:], w.Type)
	c.bgw_flags = C.int(w.Flags)
	c.bgw_start_time = C.BgWorkerStartTime(w.StartTime)
	c.bgw_restart_time = C.int(w.RestartTime)
	putString(c.bgw_library_name[:], w.Library)
	putString(c.bgw_function_name[:], w.Function)
	c.bgw_main_arg = C.Datum(w.MainArg)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&c.bgw_extra[0])), len(c.bgw_extra)), w.Extra[:])
	c.bgw_notify_pid = C.pid_t(w.NotifyPid)
}

// StaticWorkers returns the workers registered by RegisterBackgroundWorker
// so far, in registration order (bgw_type already defaulted).
func StaticWorkers() []Worker {
	n := int(C.bgw_static_worker_count())
	out := make([]Worker, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, workerFromC(C.bgw_static_worker(C.int(i))))
	}
	return out
}

// InitWorkerSlots creates the slot array ("Background Worker Data") in the
// current segment, for max_worker_processes slots; slot i holds ws[i]. Call
// right after ShmemInit, at start and after every crash. The error is one
// of shared memory allocation (not enough shared memory).
func InitWorkerSlots(ws []Worker) *CaughtError {
	var arr *C.BackgroundWorker
	if len(ws) > 0 {
		arr = (*C.BackgroundWorker)(C.calloc(C.size_t(len(ws)), C.size_t(unsafe.Sizeof(C.BackgroundWorker{}))))
		defer C.free(unsafe.Pointer(arr))
		cs := unsafe.Slice(arr, len(ws))
		for i := range ws {
			ws[i].toC(&cs[i])
		}
	}
	var cerr C.BgwCaughtError
	if C.bgw_protected_slot_init(arr, C.int(len(ws)), &cerr) != 0 {
		return caught(&cerr)
	}
	return nil
}

// SlotCount is the number of slots (max_worker_processes), 0 before
// InitWorkerSlots.
func SlotCount() int { return int(C.bgw_slot_count()) }

// ReadSlot copies slot i. A free slot gives InUse false and no error; an
// out-of-range index or an array whose size does not match
// max_worker_processes gives an error ("inconsistent background worker
// state ...").
func ReadSlot(i int) (SlotView, error) {
	var v C.BgwSlotView
	var errbuf [256]C.char
	switch C.bgw_slot_read(C.int(i), &v, &errbuf[0], C.size_t(len(errbuf))) {
	case 1:
		return SlotView{}, nil
	case 0:
		return SlotView{
			InUse:      true,
			Terminate:  bool(v.terminate),
			Pid:        int(v.pid),
			Generation: uint64(v.generation),
			Worker:     workerFromC(&v.worker),
		}, nil
	}
	return SlotView{}, errors.New(goString(errbuf[:]))
}

// errSlotRange is returned for an index outside the slot array.
var errSlotRange = errors.New("background worker slot out of range")

// SetSlotPid records the worker's pid in its slot: the running pid after a
// fork, 0 after it stopped, -1 (InvalidPid) when it waits to be started.
func SetSlotPid(i, pid int) error {
	if C.bgw_slot_set_pid(C.int(i), C.pid_t(pid)) != 0 {
		return errSlotRange
	}
	return nil
}

// SlotTakeStart takes the start of the new registration in slot i for the
// supervisor (start_owner, fork_int.h). False: the fork server took it
// first, and its reply will say what became of it.
func SlotTakeStart(i int) bool { return bool(C.bgw_slot_take_start(C.int(i))) }

// FreeSlot gives slot i back (ForgetBackgroundWorker): pid 0, a full
// barrier, then in_use = false.
func FreeSlot(i int) error {
	if C.bgw_slot_free(C.int(i)) != 0 {
		return errSlotRange
	}
	return nil
}

// WorkerProblem applies the registration rules of bgworker.c (the ones
// RegisterBackgroundWorker and RegisterDynamicBackgroundWorker apply) to
// w: "" when it passes, else PostgreSQL's message. Any goroutine (pure C,
// no shared state).
func WorkerProblem(w Worker) string {
	var c C.BackgroundWorker
	w.toC(&c)
	var buf [2*C.BGW_MAXLEN + 128]C.char
	if C.bgw_worker_problem(&c, &buf[0], C.size_t(len(buf))) == nil {
		return ""
	}
	return goString(buf[:])
}

// UnknownWorkerFlags is what flags holds beyond the BGWORKER_* flags
// bgworker.h defines.
func UnknownWorkerFlags(flags int) int { return flags &^ workerKnownFlags }

// WakeWaiter applies the notify rule (bgw_wake_waiter in bgworker.c):
// SIGUSR1 and its latch to pid, a worker's bgw_notify_pid, if it is one
// of our running workers. Postmaster goroutine only.
func WakeWaiter(pid int) bool { return bool(C.bgw_wake_waiter(C.pid_t(pid))) }

// ClaimSlot registers w as a dynamic worker from the supervisor itself
// (`bgworker launch`): it claims the lowest free slot without taking
// BackgroundWorkerLock (see the slot protocol in fork_int.h) and publishes
// the registration there. It returns the slot and its generation, or
// ok false when no slot is free. The caller validates w first.
func ClaimSlot(w Worker) (slot int, generation uint64, ok bool) {
	var c C.BackgroundWorker
	w.toC(&c)
	var gen C.uint64
	i := int(C.bgw_slot_claim(&c, &gen))
	if i < 0 {
		return -1, 0, false
	}
	return i, uint64(gen), true
}
