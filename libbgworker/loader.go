package libbgworker

// This file loads the modules named in shared_preload_libraries: resolve
// the name, refuse a module that would bring a second Go runtime, dlopen it
// (purego) on the postmaster thread, check its magic block and run its
// _PG_init through the C error trampoline. Supervisor, postmaster goroutine
// only (dlopen must never run concurrently with a fork: see
// reference/fork-from-go.md, Q2).

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ebitengine/purego"

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
// process hang (reference/fork-from-go.md, Q3c).
func checkModuleRuntime(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fatalf("could not load library \"%s\": %v", path, err)
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
	name   string  // as written in shared_preload_libraries
	path   string  // resolved path
	handle uintptr // dlopen handle
}

// loadPreloadLibraries loads every library of shared_preload_libraries in
// order, with process_shared_preload_libraries_in_progress set, and runs
// each _PG_init. Any failure is a StartupError naming the library.
func loadPreloadLibraries(list string) ([]loadedLibrary, error) {
	var loaded []loadedLibrary
	cshim.SetPreloadInProgress(true)
	defer cshim.SetPreloadInProgress(false)
	for _, name := range splitLibraryList(list) {
		path, err := cshim.FindLibrary(name)
		if err != nil {
			return loaded, &StartupError{Message: err.Error()}
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
		if err := checkModulePermissions(path); err != nil {
			return loaded, err
		}
		if err := checkModuleRuntime(path); err != nil {
			return loaded, err
		}
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			return loaded, fatalf("could not load library \"%s\": %v", path, err)
		}
		if cerr := cshim.CheckMagicBlock(path, h); cerr != nil {
			return loaded, &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
		}
		cshim.RecordLoadedLibrary(path, h)
		loaded = append(loaded, loadedLibrary{name: name, path: path, handle: h})
		initFn, err := purego.Dlsym(h, "_PG_init")
		if err != nil || initFn == 0 {
			return loaded, &StartupError{
				Message: fmt.Sprintf("could not find function \"_PG_init\" in file \"%s\"", path),
				Hint:    "A library in shared_preload_libraries must define _PG_init(), where it registers its workers.",
			}
		}
		if cerr := cshim.CallProtected(initFn); cerr != nil {
			return loaded, &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
		}
		cshim.Log(cshim.LevelDebug1, fmt.Sprintf("loaded library \"%s\"", name), "", "")
	}
	cshim.SetPreloadDone()
	return loaded, nil
}

// checkModulePermissions refuses a library that another local user could
// have replaced (security, docs/security.md): the file, or the directory
// holding it, writable by group or others. A sticky directory (like /tmp)
// is accepted, since others cannot replace a file they do not own there.
// Both the path as named and the file a symbolic link leads to are
// checked.
func checkModulePermissions(path string) error {
	paths := []string{path}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		paths = append(paths, real)
	}
	for _, p := range paths {
		for _, target := range []string{p, filepath.Dir(p)} {
			st, err := os.Stat(target)
			if err != nil {
				return fatalf("could not access file \"%s\": %v", target, errnoText(err))
			}
			mode := st.Mode()
			if mode.Perm()&0o022 == 0 || (mode.IsDir() && mode&os.ModeSticky != 0) {
				continue
			}
			what := "file"
			if mode.IsDir() {
				what = "directory"
			}
			return &StartupError{
				Message: fmt.Sprintf("could not load library \"%s\": %s \"%s\" is writable by group or others", path, what, target),
				Detail:  fmt.Sprintf("Its permissions are %04o; another local user could replace the code this host runs.", mode.Perm()),
				Hint:    "Remove write permission for group and others (chmod go-w), or install the module in a directory only its owner can write.",
			}
		}
	}
	return nil
}
