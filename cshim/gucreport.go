package cshim

// This file holds the bindings of what the configuration area reports
// beyond a log line: the outcome of the supervisor's last reload and its
// problems and changes (for `bgworker reload`), and the check of a
// configuration that collects every problem instead of stopping at the
// first (for `bgworker check`). Postmaster goroutine, or the main
// goroutine of `bgworker check`'s throw-away process.

/*
#include <stdlib.h>
#include "bgw_internal.h"
#include "guc_int.h"
*/
import "C"

import "unsafe"

// GucReport is one problem or change the configuration area reported.
type GucReport struct {
	Level   int    // elog level (LevelWarning, LevelError, LevelLog, ...)
	Code    int    // SQLSTATE as PostgreSQL packs it; 0 for a change
	Message string // PostgreSQL's text
	Detail  string
	Hint    string
	File    string // the file of the setting, if it came from one
	Line    int    // its line, with File
}

// Outcomes of a reload.
const (
	ReloadApplied    = int(C.BGW_RELOAD_APPLIED)     // no problem
	ReloadPartly     = int(C.BGW_RELOAD_PARTLY)      // errors; unaffected changes were applied
	ReloadNotApplied = int(C.BGW_RELOAD_NOT_APPLIED) // errors; no changes were applied
)

// LastReloadOutcome is how the last ReloadConfig ended, and what it
// reported (problems and changes, in order).
func LastReloadOutcome() (int, []GucReport) {
	return int(C.bgw_guc_last_reload_outcome()), collectedReports()
}

func collectedReports() []GucReport {
	var reps *C.BgwGucReport
	n := int(C.bgw_guc_collected(&reps))
	if n == 0 {
		return nil
	}
	out := make([]GucReport, n)
	for i, r := range unsafe.Slice(reps, n) {
		out[i] = GucReport{Level: int(r.elevel), Code: int(r.sqlerrcode), Message: goStringOrEmpty(r.message),
			Detail: goStringOrEmpty(r.detail), Hint: goStringOrEmpty(r.hint), File: goStringOrEmpty(r.file),
			Line: int(r.line)}
	}
	return out
}

func goStringOrEmpty(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// CheckConfigBegin applies the -c settings and the configuration file as
// LoadConfig does, collecting every problem instead of stopping at the
// first; collection (without logging) goes on until CheckConfigEnd, so
// that modules loaded meanwhile are checked too. For `bgworker check`'s
// throw-away process only: the values it applies are not to be run with.
func CheckConfigBegin(file string, opts [][2]string) {
	n := len(opts)
	names := make([]*C.char, n+1)
	values := make([]*C.char, n+1)
	for i, o := range opts {
		names[i] = C.CString(o[0])
		values[i] = C.CString(o[1])
		defer C.free(unsafe.Pointer(names[i]))
		defer C.free(unsafe.Pointer(values[i]))
	}
	cfile := C.CString(file)
	defer C.free(unsafe.Pointer(cfile))
	// The arrays are Go memory holding C pointers only, which cgo allows.
	C.bgw_guc_check(cfile, C.int(n), (**C.char)(unsafe.Pointer(&names[0])), (**C.char)(unsafe.Pointer(&values[0])))
}

// CheckConfigEnd stops collecting and returns every problem reported since
// CheckConfigBegin, in order.
func CheckConfigEnd() []GucReport {
	C.bgw_guc_collect_end()
	return collectedReports()
}
