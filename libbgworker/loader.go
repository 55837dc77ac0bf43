package libbgworker

// This file loads the modules named in shared_preload_libraries: resolve
// the name, refuse a module that would bring a second Go runtime, dlopen it
// (purego) on the postmaster thread, check its magic block and run its
// _PG_init through the C error trampoline. Supervisor, postmaster goroutine
// only (dlopen must never run concurrently with a fork: see
// docs/design.md §6.3).

import (
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ebitengine/purego"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// EmbeddedHost is true when the supervisor runs inside libbgworker.so (set
// by the c-shared entry points). There, a module that links libbgworker.so
// shares the one runtime already loaded; in the bgworker executable it
// would load a second one.
var EmbeddedHost bool

// splitLibraryList splits a comma-separated list as PostgreSQL does for
// shared_preload_libraries: items trimmed, double quotes removed, empty
// items dropped.
func splitLibraryList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if len(item) >= 2 && item[0] == '"' && item[len(item)-1] == '"' {
			item = strings.ReplaceAll(item[1:len(item)-1], `""`, `"`)
		}
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

// checkModuleRuntime refuses a module that carries a Go runtime of its own
// or, in the executable host, links libbgworker.so: two Go runtimes in one
// process hang (docs/design.md §6.10).
func checkModuleRuntime(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		// Not an ELF shared object (garbage, a truncated file): the words
		// dlopen would use, not debug/elf's ("EOF", "bad magic number").
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fatalf("could not load library \"%s\": %s", path, errnoText(err))
		}
		return fatalf("could not load library \"%s\": %s: invalid ELF header", path, path)
	}
	defer f.Close()
	if f.Section(".go.buildinfo") != nil || f.Section(".gopclntab") != nil {
		return &StartupError{
			Message: fmt.Sprintf("incompatible library \"%s\": contains a Go runtime", path),
			Detail:  "A process can hold only one Go runtime, and the host already is one.",
			Hint:    "Write modules in C or another language without a runtime of its own.",
		}
	}
	if !EmbeddedHost {
		libs, _ := f.ImportedLibraries()
		for _, l := range libs {
			if strings.HasPrefix(l, "libbgworker.so") {
				return &StartupError{
					Message: fmt.Sprintf("incompatible library \"%s\": linked with %s", path, l),
					Detail:  "Loading it into the bgworker executable would start a second copy of the supervisor's runtime.",
					Hint:    "Build modules with the flags from \"bgworker config --cppflags --cflags --cflags_sl\" only; --libs is for embedders.",
				}
			}
		}
	}
	return nil
}

// loadedLibrary is one module the supervisor loaded.
type loadedLibrary struct {
	name    string         // as written in shared_preload_libraries
	path    string         // resolved path
	handle  uintptr        // dlopen handle
	workers []cshim.Worker // the static workers its _PG_init registered
}

// fileID identifies a library file as PostgreSQL's dfmgr does: two paths
// to one file are one library.
type fileID struct{ dev, ino uint64 }

// initialisedLibraries are the libraries whose _PG_init returned in this
// process. As in PostgreSQL, a library is loaded and initialised once per
// process: a supervisor started again in the same process (an embedder's)
// reuses them, with the workers they registered and the parameters they
// defined. A library whose _PG_init failed is not here, and is tried
// again. Postmaster goroutine only (one supervisor per process).
var initialisedLibraries = map[fileID]loadedLibrary{}

// libraryFileID returns the file identity of path; ok is false when it
// cannot be had (the load then reports the problem).
func libraryFileID(path string) (fileID, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return fileID{}, false
	}
	return fileID{dev: st.Dev, ino: st.Ino}, true
}

// loadPreloadLibraries loads every library of shared_preload_libraries in
// order, with process_shared_preload_libraries_in_progress set, and runs
// each _PG_init. Any failure is a StartupError naming the library.
func loadPreloadLibraries(list string) ([]loadedLibrary, error) {
	var loaded []loadedLibrary
	cshim.SetPreloadInProgress(true)
	defer cshim.SetPreloadInProgress(false)
	for _, name := range splitLibraryList(list) {
		// The one trust rule of every load (cshim/fmgr/libtrust.c).
		path, cerr := cshim.ResolveLibrary(name)
		if cerr != nil {
			return loaded, &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
		}
		dup := false
		for _, l := range loaded {
			if l.path == path {
				dup = true
			}
		}
		if dup {
			continue // PostgreSQL loads a library once, whatever the list says
		}
		id, haveID := libraryFileID(path)
		if lib, ok := initialisedLibraries[id]; ok && haveID {
			lib.name = name
			loaded = append(loaded, lib)
			continue
		}
		if err := checkModuleRuntime(path); err != nil {
			return loaded, err
		}
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			return loaded, fatalf("could not load library \"%s\": %s", path, err)
		}
		if cerr := cshim.CheckMagicBlock(path, h); cerr != nil {
			return loaded, &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
		}
		cshim.RecordLoadedLibrary(path, h)
		initFn, err := purego.Dlsym(h, "_PG_init")
		if err != nil || initFn == 0 {
			return loaded, &StartupError{
				Message: fmt.Sprintf("could not find function \"_PG_init\" in file \"%s\"", path),
				Hint:    "A library in shared_preload_libraries must define _PG_init(), where it registers its workers.",
			}
		}
		registered := len(cshim.StaticWorkers())
		if cerr := cshim.CallProtected(initFn); cerr != nil {
			return loaded, &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
		}
		lib := loadedLibrary{name: name, path: path, handle: h, workers: cshim.StaticWorkers()[registered:]}
		loaded = append(loaded, lib)
		if haveID {
			initialisedLibraries[id] = lib
		}
		cshim.Log(cshim.LevelDebug1, fmt.Sprintf("loaded library \"%s\"", name), "", "")
	}
	cshim.SetPreloadDone()
	return loaded, nil
}
