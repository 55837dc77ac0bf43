//go:build bgworker_testhooks

package cshim

// This file exists only in test builds (-tags bgworker_testhooks): it wraps
// the guc area's test hooks (guc/guc_testsupport.c) for the Go tests, which
// cannot use cgo themselves.

/*
#include <stdlib.h>
#include "guc_testsupport.h"
#include "utils/guc.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// gucKind selects the type of a test parameter.
type gucKind int

const (
	gucBool   gucKind = C.BGW_GUC_TEST_BOOL
	gucInt    gucKind = C.BGW_GUC_TEST_INT
	gucReal   gucKind = C.BGW_GUC_TEST_REAL
	gucString gucKind = C.BGW_GUC_TEST_STRING
	gucEnum   gucKind = C.BGW_GUC_TEST_ENUM
)

// GucContext and GucSource values for the tests.
const (
	pgcInternal   = int(C.PGC_INTERNAL)
	pgcPostmaster = int(C.PGC_POSTMASTER)
	pgcSighup     = int(C.PGC_SIGHUP)
	pgcBackend    = int(C.PGC_BACKEND)
	pgcSuset      = int(C.PGC_SUSET)
	pgcUserset    = int(C.PGC_USERSET)

	pgcSDefault  = int(C.PGC_S_DEFAULT)
	pgcSFile     = int(C.PGC_S_FILE)
	pgcSArgv     = int(C.PGC_S_ARGV)
	pgcSOverride = int(C.PGC_S_OVERRIDE)
	pgcSSession  = int(C.PGC_S_SESSION)

	gucUnitMS       = int(C.GUC_UNIT_MS)
	gucUnitS        = int(C.GUC_UNIT_S)
	gucUnitMin      = int(C.GUC_UNIT_MIN)
	gucUnitKB       = int(C.GUC_UNIT_KB)
	gucUnitBlocks   = int(C.GUC_UNIT_BLOCKS)
	gucUnitByte     = int(C.GUC_UNIT_BYTE)
	gucUnitMB       = int(C.GUC_UNIT_MB)
	gucListQuote    = int(C.GUC_LIST_QUOTE)
	gucNotInSample  = int(C.GUC_NOT_IN_SAMPLE)
	gucSuperuserOnl = int(C.GUC_SUPERUSER_ONLY)
)

// gucError is an ERROR caught by a test hook.
type gucError struct{ Message, Detail, Hint string }

func splitCaught(buf []C.char) *gucError {
	parts := strings.SplitN(C.GoString(&buf[0]), "|", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return &gucError{parts[0], parts[1], parts[2]}
}

// testDefine defines a module parameter; slot < 0 means it threw (err set).
func testDefine(kind gucKind, name string, context, flags int, boot string, min, max int, preload, hooks bool) (slot int, err *gucError) {
	cname, cboot := C.CString(name), C.CString(boot)
	defer C.free(unsafe.Pointer(cname))
	defer C.free(unsafe.Pointer(cboot))
	buf := make([]C.char, 4096)
	s := C.bgw_guc_test_define(C.int(kind), cname, C.int(context), C.int(flags), cboot,
		C.int(min), C.int(max), C.bool(preload), C.bool(hooks), &buf[0], C.size_t(len(buf)))
	if s < 0 {
		return -1, splitCaught(buf)
	}
	return int(s), nil
}

// testVariable reads a test parameter's C variable directly.
func testVariable(kind gucKind, slot int) string {
	buf := make([]C.char, 64)
	return C.GoString(C.bgw_guc_test_variable(C.int(kind), C.int(slot), &buf[0], C.size_t(len(buf))))
}

func testAssignCalls() int { return int(C.bgw_guc_test_assign_calls()) }

// testSet calls set_config_option at ERROR; rc -2 means it threw.
func testSet(name, value string, context, source int) (int, *gucError) {
	cname, cvalue := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cname))
	defer C.free(unsafe.Pointer(cvalue))
	buf := make([]C.char, 4096)
	rc := int(C.bgw_guc_test_set(cname, cvalue, C.int(context), C.int(source), &buf[0], C.size_t(len(buf))))
	if rc == -2 {
		return rc, splitCaught(buf)
	}
	return rc, nil
}

// testShow returns GetConfigOptionByName (the display form, with units).
func testShow(name string) (string, bool) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	buf := make([]C.char, 4096)
	ok := C.bgw_guc_test_show(cname, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0]), bool(ok)
}

func testResetString(name string) (string, bool) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	buf := make([]C.char, 4096)
	ok := C.bgw_guc_test_reset_string(cname, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0]), bool(ok)
}

func testReserve(prefix string) {
	c := C.CString(prefix)
	defer C.free(unsafe.Pointer(c))
	C.bgw_guc_test_reserve(c)
}

func testReload(asChild bool) { C.bgw_guc_test_reload(C.bool(asChild)) }
func testCaptureLog(on bool)  { C.bgw_guc_test_capture_log(C.bool(on)) }
func testLog() string         { return C.GoString(C.bgw_guc_test_log()) }
func testResetGUC()           { C.bgw_guc_test_reset() }

// ParseConfigFileForTest runs the file parser alone over path (includes
// followed, nothing applied) and returns the number of settings, the
// number of problems and the first problem's message. For tests and the
// fuzz target.
func ParseConfigFileForTest(path string) (entries, problems int, first string) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var nerr C.int
	var buf [2048]C.char
	n := C.bgw_guc_parse_for_test(cpath, &nerr, &buf[0], C.size_t(len(buf)))
	return int(n), int(nerr), C.GoString(&buf[0])
}
