package cshim

// This file holds the supervisor's bindings to the configuration area
// (guc.c, guc_file.c, guc_builtin.c): loading the file and the -c settings
// at start, reloading on SIGHUP, and reading parameter values. Postmaster
// goroutine only; the C side keeps the registry in process-local memory
// that every forked child inherits.

/*
#include <stdlib.h>
#include "bgw_internal.h"
#include "guc_int.h"
*/
import "C"

import (
	"strconv"
	"unsafe"
)

// ConfigError is a problem found while loading the configuration at start
// (the host makes it a FATAL). Message is one line and names the file and
// line when the problem came from the file; Detail and Hint may be empty.
type ConfigError struct {
	Message string
	Detail  string
	Hint    string
}

func (e *ConfigError) Error() string { return e.Message }

// LoadConfig applies the -c settings in opts (name, value pairs; they win
// over the file, also at every reload) and then the configuration file
// (with its includes; "" for none). It must run before any module is
// loaded. On a problem it returns a *ConfigError and logs nothing.
func LoadConfig(file string, opts [][2]string) error {
	n := len(opts)
	var names, values **C.char
	if n > 0 {
		names = (**C.char)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(uintptr(0)))))
		values = (**C.char)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(uintptr(0)))))
		defer C.free(unsafe.Pointer(names))
		defer C.free(unsafe.Pointer(values))
		ns := unsafe.Slice(names, n)
		vs := unsafe.Slice(values, n)
		for i, o := range opts {
			ns[i] = C.CString(o[0])
			vs[i] = C.CString(o[1])
			defer C.free(unsafe.Pointer(ns[i]))
			defer C.free(unsafe.Pointer(vs[i]))
		}
	}
	cfile := C.CString(file)
	defer C.free(unsafe.Pointer(cfile))
	var buf [2048]C.char
	ok := C.bgw_guc_load(cfile, C.int(n), names, values, &buf[0], C.size_t(len(buf)))
	if bool(ok) {
		return nil
	}
	var msg, detail, hint *C.char
	C.bgw_guc_last_error(&msg, &detail, &hint)
	return &ConfigError{
		Message: C.GoString(&buf[0]),
		Detail:  C.GoString(detail),
		Hint:    C.GoString(hint),
	}
}

// ReloadConfig re-reads the configuration file and applies it as
// PostgreSQL's postmaster does on SIGHUP: changed PGC_SIGHUP parameters
// take effect and are logged ("parameter ... changed to ..."), changed
// PGC_POSTMASTER ones are logged as needing a restart, bad values are
// logged and keep their old value. It logs by itself and never fails.
// The caller logs "received SIGHUP, reloading configuration files" first
// and forwards SIGHUP to the children afterwards.
func ReloadConfig() {
	C.ProcessConfigFile(C.PGC_SIGHUP)
}

// GetConfigOption returns the current value of a parameter as PostgreSQL's
// GetConfigOption does (numbers in their base unit, booleans as on/off),
// and false if no parameter has that name.
func GetConfigOption(name string) (string, bool) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	v := C.GetConfigOption(cname, true, false)
	if v == nil {
		return "", false
	}
	return C.GoString(v), true
}

// ConfigInt returns an integer parameter's value in its base unit; 0 if
// the parameter does not exist or is not a number.
func ConfigInt(name string) int {
	v, ok := GetConfigOption(name)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// ConfigBool returns a boolean parameter's value; false if it does not
// exist or is not a boolean.
func ConfigBool(name string) bool {
	v, ok := GetConfigOption(name)
	return ok && v == "on"
}

// ConfigFileName is the absolute path of the configuration file LoadConfig
// read, or "".
func ConfigFileName() string {
	if C.ConfigFileName == nil {
		return ""
	}
	return C.GoString(C.ConfigFileName)
}
