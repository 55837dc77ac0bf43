// Package buildinfo knows where bgworker is installed and which version it
// is: the answers of `bgworker config` (modelled on pg_config) and the
// module directory the supervisor substitutes for $libdir.
//
// The install prefix is compiled in by the Makefile with -ldflags -X. A
// binary that runs from the build tree (it sits in <repo>/bin and
// <repo>/include is beside it) reports the build tree's paths instead, so
// that modules can be compiled against a checkout without installing it.
//
// The package deliberately does not read the environment or any
// configuration file: the answers depend only on how the binary was built
// and where it lies.
package buildinfo

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Values set at link time by the Makefile (-ldflags "-X ...=..."). They are
// variables, not constants, because -X can only set string variables.
var (
	// Version is bgworker's version. The zero value is never seen: a
	// binary built without the Makefile reports "0.1.0-dev".
	Version = "0.1.0-dev"

	// prefix is the install prefix given to make (PREFIX=...).
	prefix = "/usr/local"

	// cc is the C compiler the Makefile used (CC=...).
	cc = "cc"

	// configure records the make variables the binary was built with,
	// shown by `bgworker config --configure`. Empty when built without
	// the Makefile.
	configure = ""
)

// APIVersion names the PostgreSQL API level the headers emulate.
const APIVersion = "PostgreSQL 17"

// APIServerVersion is that level as PostgreSQL's server_version shows it.
const APIServerVersion = "17.0"

// Layout is one set of directories: the installed one, or the build tree's.
type Layout struct {
	Prefix     string // the install prefix; the checkout's root for a build tree
	BinDir     string // the bgworker binary
	IncludeDir string // the header tree modules compile against (-I)
	LibDir     string // libbgworker.so, for embedders
	PkgLibDir  string // the module directory; $libdir in dynamic_library_path
	ShareDir   string // architecture-independent files; extensions in ShareDir/extension
	DocDir     string // the documentation
	PGXS       string // the PGXS makefile extension Makefiles include
	BuildTree  bool   // true when the paths are a build tree's, not installed
}

// InstalledLayout returns the directories under an install prefix, as
// `make install PREFIX=prefix` lays them out.
func InstalledLayout(prefix string) Layout {
	return Layout{
		Prefix:     prefix,
		BinDir:     filepath.Join(prefix, "bin"),
		IncludeDir: filepath.Join(prefix, "include", "bgworker"),
		LibDir:     filepath.Join(prefix, "lib"),
		PkgLibDir:  filepath.Join(prefix, "lib", "bgworker"),
		ShareDir:   filepath.Join(prefix, "share", "bgworker"),
		DocDir:     filepath.Join(prefix, "share", "doc", "bgworker"),
		PGXS:       filepath.Join(prefix, "lib", "bgworker", "pgxs", "src", "makefiles", "pgxs.mk"),
	}
}

// BuildTreeLayout returns the directories of a build tree rooted at root:
// the headers in include/, libbgworker.so in lib/, links to the built
// contrib modules in lib/bgworker/ and to their extension files in
// share/extension/ (the Makefile makes both), the docs in docs/, and the
// PGXS makefile where it lies in the source.
func BuildTreeLayout(root string) Layout {
	return Layout{
		Prefix:     root,
		BinDir:     filepath.Join(root, "bin"),
		IncludeDir: filepath.Join(root, "include"),
		LibDir:     filepath.Join(root, "lib"),
		PkgLibDir:  filepath.Join(root, "lib", "bgworker"),
		ShareDir:   filepath.Join(root, "share"),
		DocDir:     filepath.Join(root, "docs"),
		PGXS:       filepath.Join(root, "cmd", "bgworker-config", "pgxs.mk"),
		BuildTree:  true,
	}
}

// LayoutFor decides the layout for a program at exe (an absolute path with
// symlinks resolved): the build tree's when exe is <root>/bin/<name> and
// <root>/include/postgres.h exists, the installed one under prefix
// otherwise.
func LayoutFor(exe, prefix string) Layout {
	bindir := filepath.Dir(exe)
	if filepath.Base(bindir) == "bin" {
		root := filepath.Dir(bindir)
		if st, err := os.Stat(filepath.Join(root, "include", "postgres.h")); err == nil && st.Mode().IsRegular() {
			return BuildTreeLayout(root)
		}
	}
	return InstalledLayout(prefix)
}

var (
	currentOnce   sync.Once
	currentLayout Layout
)

// Current returns the layout of the running program, computed once. When
// the program's own path cannot be found it falls back to the installed
// layout.
func Current() Layout {
	currentOnce.Do(func() {
		currentLayout = InstalledLayout(prefix)
		exe, err := os.Executable()
		if err != nil {
			return
		}
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		currentLayout = LayoutFor(exe, prefix)
	})
	return currentLayout
}

// Prefix returns the install prefix compiled into the binary.
func Prefix() string { return prefix }

// PkgLibDir returns the module directory, the value of $libdir in
// dynamic_library_path.
func PkgLibDir() string { return Current().PkgLibDir }

// IncludeDir returns the directory modules pass to the compiler with -I.
func IncludeDir() string { return Current().IncludeDir }

// CC returns the C compiler recorded by the Makefile.
func CC() string { return cc }

// Configure returns the build settings recorded by the Makefile.
func Configure() string { return strings.TrimSpace(configure) }
