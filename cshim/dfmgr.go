package cshim

// This file holds the supervisor's bindings to library lookup (dfmgr.c):
// the same resolution of names through dynamic_library_path and the same
// magic-block check that workers use. Postmaster goroutine only.

/*
#include <stdlib.h>
#include "fork_int.h"

// The handle comes from purego.Dlopen as a uintptr; convert it in C.
static int bgw_check_magic_block_addr(const char *path, uintptr_t h, BgwCaughtError *err)
{
	return bgw_check_magic_block(path, (void *) h, err);
}

static void bgw_record_loaded_library_addr(const char *path, uintptr_t h)
{
	bgw_record_loaded_library(path, (void *) h);
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// FindLibrary resolves a shared_preload_libraries entry to a path: a
// bare name (or relative path without "..") is looked up in
// dynamic_library_path ($libdir = the pkglib directory given to
// InitSupervisor), as given and then with ".so"; an absolute path or
// "$libdir/..." is taken as given. Errors use PostgreSQL's texts
// (could not access file "x": No such file or directory).
func FindLibrary(name string) (string, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var path [C.MAXPGPATH]C.char
	var errbuf [C.MAXPGPATH + 256]C.char
	if C.bgw_find_library(cname, &path[0], C.size_t(len(path)), &errbuf[0], C.size_t(len(errbuf))) != 0 {
		return "", errors.New(goString(errbuf[:]))
	}
	return goString(path[:]), nil
}

// ResolveLibrary is FindLibrary followed by the trust rule every module
// load applies (cshim/fmgr/libtrust.c): the file and every directory its
// lookup passes through owned by root or the host's user and not writable
// by group or others, no "..", an absolute name only inside
// dynamic_library_path or $libdir (unless allow_absolute_library_paths).
// The error names the file and the reason, with DETAIL and HINT.
func ResolveLibrary(name string) (string, *CaughtError) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var path [C.MAXPGPATH]C.char
	var cerr C.BgwCaughtError
	if C.bgw_resolve_library(cname, &path[0], C.size_t(len(path)), &cerr) != 0 {
		return "", caught(&cerr)
	}
	return goString(path[:]), nil
}

// CheckMagicBlock checks the PG_MODULE_MAGIC block of a library the
// supervisor dlopen()ed; nil if it matches, else the ERROR PostgreSQL
// would raise (missing magic block, version, ABI or field mismatch).
// Pg_magic_func runs through the C trampoline.
func CheckMagicBlock(path string, handle uintptr) *CaughtError {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr C.BgwCaughtError
	if C.bgw_check_magic_block_addr(cpath, C.uintptr_t(handle), &cerr) != 0 {
		return caught(&cerr)
	}
	return nil
}

// RecordLoadedLibrary remembers a library the supervisor loaded, so that
// load_external_function in a worker uses it without loading it again
// (and without rerunning _PG_init).
func RecordLoadedLibrary(path string, handle uintptr) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	C.bgw_record_loaded_library_addr(cpath, C.uintptr_t(handle))
}
