// config.go implements `bgworker config`, which answers like PostgreSQL's
// pg_config: one flag prints one value, several flags print one line each in
// the order given, and no flag prints every item as "NAME = value".

package buildinfo

import (
	"fmt"
	"io"
	"path/filepath"
)

// configItem is one thing `bgworker config` can print.
type configItem struct {
	flag  string              // command-line flag, pg_config's name where one exists
	name  string              // label in the full listing
	help  string              // one line for --help
	value func(Layout) string // the answer for a layout
}

// Compiler flags for modules, as pg_config reports the ones PostgreSQL was
// built with: C standard, warnings and optimisation (--cflags), the
// preprocessor's (--cppflags, with the header tree), and the ones for
// position-independent shared objects (--cflags_sl).
const (
	moduleCFLAGS   = "-std=gnu11 -Wall -Wmissing-prototypes -Wpointer-arith -Wendif-labels -Wformat-security -fno-strict-aliasing -fwrapv -g -O2"
	moduleCFLAGSSL = "-fPIC"
)

// configItems is the table of answers, in the order of the full listing:
// pg_config's items with pg_config's meanings, so that an extension's
// Makefile written for PGXS builds against bgworker unchanged.
var configItems = []configItem{
	{"--bindir", "BINDIR", "show location of user executables",
		func(l Layout) string { return l.BinDir }},
	{"--docdir", "DOCDIR", "show location of documentation files",
		func(l Layout) string { return l.DocDir }},
	{"--htmldir", "HTMLDIR", "show location of HTML documentation files",
		func(l Layout) string { return l.DocDir }},
	{"--includedir", "INCLUDEDIR", "show location of C header files of the client interfaces (host.h)",
		func(l Layout) string { return l.IncludeDir }},
	{"--pkgincludedir", "PKGINCLUDEDIR", "show location of other C header files",
		func(l Layout) string { return l.IncludeDir }},
	{"--includedir-server", "INCLUDEDIR-SERVER", "show location of C header files for the server (modules)",
		func(l Layout) string { return l.IncludeDir }},
	{"--libdir", "LIBDIR", "show location of object code libraries (libbgworker.so)",
		func(l Layout) string { return l.LibDir }},
	{"--pkglibdir", "PKGLIBDIR", "show location of dynamically loadable modules ($libdir)",
		func(l Layout) string { return l.PkgLibDir }},
	{"--localedir", "LOCALEDIR", "show location of locale support files",
		func(l Layout) string { return filepath.Join(l.Prefix, "share", "locale") }},
	{"--mandir", "MANDIR", "show location of manual pages",
		func(l Layout) string { return filepath.Join(l.Prefix, "share", "man") }},
	{"--sharedir", "SHAREDIR", "show location of architecture-independent support files (extensions)",
		func(l Layout) string { return l.ShareDir }},
	{"--sysconfdir", "SYSCONFDIR", "show location of system-wide configuration files",
		func(l Layout) string { return filepath.Join(l.Prefix, "etc") }},
	{"--pgxs", "PGXS", "show location of extension makefile",
		func(l Layout) string { return l.PGXS }},
	{"--configure", "CONFIGURE", "show the build settings bgworker was built with",
		func(l Layout) string { return Configure() }},
	{"--cc", "CC", "show the C compiler bgworker was built with",
		func(l Layout) string { return CC() }},
	{"--cppflags", "CPPFLAGS", "show the preprocessor flags for modules (-I of the header tree)",
		func(l Layout) string { return "-I" + l.IncludeDir + " -D_GNU_SOURCE" }},
	{"--cflags", "CFLAGS", "show the compiler flags for modules",
		func(l Layout) string { return moduleCFLAGS }},
	{"--cflags_sl", "CFLAGS_SL", "show the extra compiler flags for shared modules",
		func(l Layout) string { return moduleCFLAGSSL }},
	{"--ldflags", "LDFLAGS", "show the linker flags for an embedder (not for modules)",
		func(l Layout) string { return "-L" + l.LibDir + " -Wl,-rpath," + l.LibDir }},
	{"--ldflags_ex", "LDFLAGS_EX", "show the extra linker flags for executables",
		func(l Layout) string { return "" }},
	{"--ldflags_sl", "LDFLAGS_SL", "show the extra linker flags for shared modules",
		func(l Layout) string { return "" }},
	{"--libs", "LIBS", "show the libraries an embedder links (never link a module with them)",
		func(l Layout) string { return "-L" + l.LibDir + " -lbgworker" }},
	{"--version", "VERSION", "show the PostgreSQL API version, and bgworker's",
		func(l Layout) string { return PGVersionString() }},
}

// VersionString is the one-line version shown by `bgworker version`.
func VersionString() string {
	return "bgworker " + Version + " (" + APIVersion + " background worker API)"
}

// PGVersionString is `bgworker config --version`: pg_config's form
// ("PostgreSQL 17.0"), which extension Makefiles parse, with bgworker's
// own version after it.
func PGVersionString() string {
	return "PostgreSQL " + APIServerVersion + " (bgworker " + Version + ")"
}

// ConfigMain runs `bgworker config` (prog "bgworker config") or the
// pg_config-compatible bgworker-config (prog "bgworker-config") for the
// running program's layout. args are the arguments after the program's
// name. It returns the exit status: 0, or 1 for an unknown argument.
func ConfigMain(prog string, args []string, stdout, stderr io.Writer) int {
	return configMain(prog, Current(), args, stdout, stderr)
}

// configMain is ConfigMain for a given layout, so that tests can pass one.
func configMain(prog string, l Layout, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		for _, it := range configItems {
			fmt.Fprintf(stdout, "%s = %s\n", it.name, it.value(l))
		}
		return 0
	}
	for _, a := range args {
		if a == "--help" || a == "-h" || a == "-?" {
			configUsage(prog, stdout)
			return 0
		}
	}
	// Check every argument before printing anything, so that a typo does
	// not leave half an answer in a Makefile variable.
	picked := make([]configItem, 0, len(args))
	for _, a := range args {
		it, ok := lookupConfigItem(a)
		if !ok {
			fmt.Fprintf(stderr, "%s: invalid argument: %s\n", prog, a)
			fmt.Fprintf(stderr, "Try \"%s --help\" for more information.\n", prog)
			return 1
		}
		picked = append(picked, it)
	}
	for _, it := range picked {
		fmt.Fprintln(stdout, it.value(l))
	}
	return 0
}

func lookupConfigItem(flag string) (configItem, bool) {
	for _, it := range configItems {
		if it.flag == flag {
			return it, true
		}
	}
	return configItem{}, false
}

func configUsage(prog string, w io.Writer) {
	fmt.Fprintf(w, "%s provides information about the installed version of bgworker,\n", prog)
	fmt.Fprintf(w, "with pg_config's options and meanings.\n\n")
	fmt.Fprintf(w, "Usage:\n  %s [OPTION]...\n\nOptions:\n", prog)
	for _, it := range configItems {
		fmt.Fprintf(w, "  %-20s %s\n", it.flag, it.help)
	}
	fmt.Fprintf(w, "  %-20s %s\n", "-?, --help", "show this help, then exit")
	fmt.Fprintf(w, "\nWith no arguments, all known items are shown.\n\n")
	fmt.Fprintf(w, "Build a module by hand with:\n")
	fmt.Fprintf(w, "  cc -shared $(%s --cppflags --cflags --cflags_sl) -o mod.so mod.c\n", prog)
	fmt.Fprintf(w, "or with an extension Makefile (PGXS := $(shell $(PG_CONFIG) --pgxs)) and\n")
	fmt.Fprintf(w, "  make PG_CONFIG=%s\n", filepath.Join(Current().BinDir, "bgworker-config"))
	fmt.Fprintf(w, "--ldflags and --libs are for programs that embed libbgworker.so; a module\n")
	fmt.Fprintf(w, "must never link libbgworker.so (the host already contains it).\n")
}
