package cshim

// This file holds the supervisor's bindings to the parts of the runtime
// contract (bgw_internal.h) that are not one area's own: process identity,
// logging, the protected call into module code, the preload flags and the
// shared-memory life cycle. Postmaster goroutine only.

/*
#include <time.h>
#include "bgw_internal.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "shmem_int.h"
#include "fork_int.h"
#include "utils/elog.h"

static int bgw_call_protected_addr(uintptr_t fn, BgwCaughtError *err)
{
	return bgw_call_protected((void (*)(void)) fn, err);
}

static void bgw_supervisor_identity(const char *datadir, const char *pkglib, int dirmode)
{
	data_directory_mode = dirmode;
	PostmasterPid = getpid();
	MyProcPid = PostmasterPid;
	MyStartTime = (pg_time_t) time(NULL);
	IsPostmasterEnvironment = true;
	IsUnderPostmaster = false;
	MyBackendType = B_INVALID;
	SetDataDir(datadir);
	strlcpy(pkglib_path, pkglib, MAXPGPATH);
}

static void bgw_set_preload(int in_progress)
{
	process_shared_preload_libraries_in_progress = in_progress != 0;
}

static void bgw_set_preload_done(void)
{
	process_shared_preload_libraries_done = true;
}

static void bgw_shmem_startup_trampoline(void)
{
	bgw_run_shmem_startup_hook();
}

static int bgw_protected_shmem_startup(BgwCaughtError *err)
{
	return bgw_call_protected(bgw_shmem_startup_trampoline, err);
}

static int bgw_protected_shmem_request(BgwCaughtError *err)
{
	return bgw_call_protected(bgw_run_shmem_request_hook, err);
}
*/
import "C"

import "unsafe"

// Log levels of utils/elog.h, for Log.
const (
	LevelDebug5  = int(C.DEBUG5)
	LevelDebug4  = int(C.DEBUG4)
	LevelDebug3  = int(C.DEBUG3)
	LevelDebug2  = int(C.DEBUG2)
	LevelDebug1  = int(C.DEBUG1)
	LevelLog     = int(C.LOG)
	LevelInfo    = int(C.INFO)
	LevelNotice  = int(C.NOTICE)
	LevelWarning = int(C.WARNING)
	LevelError   = int(C.ERROR)
	LevelFatal   = int(C.FATAL)
	LevelPanic   = int(C.PANIC)
)

// CaughtError is an ERROR or FATAL that escaped module code called through
// the trampoline, or a load-time failure reported in PostgreSQL's terms.
type CaughtError struct {
	Level   int    // ERROR or FATAL
	Message string // primary message
	Detail  string // DETAIL or ""
	Hint    string // HINT or ""
}

func (e *CaughtError) Error() string { return e.Message }

func caught(e *C.BgwCaughtError) *CaughtError {
	return &CaughtError{
		Level:   int(e.elevel),
		Message: C.GoString(&e.message[0]),
		Detail:  C.GoString(&e.detail[0]),
		Hint:    C.GoString(&e.hint[0]),
	}
}

// InitSupervisor sets the process globals of the supervisor (PostmasterPid,
// DataDir, pkglib_path for $libdir, data_directory_mode: the data
// directory's permissions, 0700 or 0750). Call once, before anything else here.
func InitSupervisor(dataDir, pkgLibDir string, dirMode int) {
	cd := C.CString(dataDir)
	cp := C.CString(pkgLibDir)
	defer C.free(unsafe.Pointer(cd))
	defer C.free(unsafe.Pointer(cp))
	C.bgw_supervisor_identity(cd, cp, C.int(dirMode))
}

// LogLevelEnabled reports whether a record at level would be written
// anywhere (message_level_is_interesting): a caller that logs per worker
// start formats its message only then.
func LogLevelEnabled(level int) bool {
	return bool(C.message_level_is_interesting(C.int(level)))
}

// Log writes one log record through the runtime's formatter
// (log_line_prefix, log_destination, log_min_messages).
func Log(level int, message, detail, hint string) {
	cm := C.CString(message)
	defer C.free(unsafe.Pointer(cm))
	var cd, ch *C.char
	if detail != "" {
		cd = C.CString(detail)
		defer C.free(unsafe.Pointer(cd))
	}
	if hint != "" {
		ch = C.CString(hint)
		defer C.free(unsafe.Pointer(ch))
	}
	C.bgw_log(C.int(level), cm, cd, ch)
}

// CallProtected calls the C function at fn (a module's _PG_init) through
// the error trampoline; an ERROR or FATAL it raises comes back as an error.
func CallProtected(fn uintptr) *CaughtError {
	var e C.BgwCaughtError
	if C.bgw_call_protected_addr(C.uintptr_t(fn), &e) != 0 {
		return caught(&e)
	}
	return nil
}

// SetPreloadInProgress sets process_shared_preload_libraries_in_progress.
func SetPreloadInProgress(on bool) {
	v := 0
	if on {
		v = 1
	}
	C.bgw_set_preload(C.int(v))
}

// SetPreloadDone sets process_shared_preload_libraries_done.
func SetPreloadDone() { C.bgw_set_preload_done() }

// RunShmemRequestHook runs the modules' shmem_request_hook.
func RunShmemRequestHook() *CaughtError {
	var e C.BgwCaughtError
	if C.bgw_protected_shmem_request(&e) != 0 {
		return caught(&e)
	}
	return nil
}

// ShmemSize is the size of the segment to create.
func ShmemSize() int { return int(C.bgw_shmem_size()) }

// ShmemInit lays out the runtime's structures in a new zeroed segment.
func ShmemInit(seg []byte) {
	C.bgw_shmem_init(unsafe.Pointer(&seg[0]), C.Size(len(seg)))
}

// ShmemForget makes the runtime forget the segment after it was detached.
func ShmemForget() { C.bgw_shmem_forget() }

// RunShmemStartupHook runs the modules' shmem_startup_hook.
func RunShmemStartupHook() *CaughtError {
	var e C.BgwCaughtError
	if C.bgw_protected_shmem_startup(&e) != 0 {
		return caught(&e)
	}
	return nil
}

// ProcWasActive reads the dead-man flag of a worker slot after its process
// exited: true means it skipped proc_exit.
func ProcWasActive(slot int) bool { return bool(C.bgw_proc_was_active(C.int(slot))) }

// ProcClearActive resets the dead-man flag before a new start in slot.
func ProcClearActive(slot int) { C.bgw_proc_clear_active(C.int(slot)) }

// SetWorkerLatch sets the process latch of the worker in slot (SetLatch on
// its BgwProc): an atomic store and a futex wake, safe whatever the worker
// did to the segment.
func SetWorkerLatch(slot int) { C.bgw_set_worker_latch(C.int(slot)) }
