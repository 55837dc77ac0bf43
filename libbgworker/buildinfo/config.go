// config.go implements `bgworker config`, which answers like PostgreSQL's
// pg_config: one flag prints one value, several flags print one line each in
// the order given, and no flag prints every item as "NAME = value".

package buildinfo

import (
	"fmt"
	"io"
)

// configItem is one thing `bgworker config` can print.
type configItem struct {
	flag  string              // command-line flag, pg_config's name where one exists
	name  string              // label in the full listing
	help  string              // one line for --help
	value func(Layout) string // the answer for a layout
}

// configItems is the table of answers, in the order of the full listing.
var configItems = []configItem{
	{"--bindir", "BINDIR", "show location of the bgworker binary",
		func(l Layout) string { return l.BinDir }},
	{"--includedir", "INCLUDEDIR", "show location of the C header files (modules and embedders)",
		func(l Layout) string { return l.IncludeDir }},
	{"--includedir-server", "INCLUDEDIR-SERVER", "show location of the headers modules compile against",
		func(l Layout) string { return l.IncludeDir }},
	{"--pkgincludedir", "PKGINCLUDEDIR", "show location of bgworker's header tree",
		func(l Layout) string { return l.IncludeDir }},
	{"--libdir", "LIBDIR", "show location of libbgworker.so",
		func(l Layout) string { return l.LibDir }},
	{"--pkglibdir", "PKGLIBDIR", "show location of dynamically loadable modules ($libdir)",
		func(l Layout) string { return l.PkgLibDir }},
	{"--sharedir", "SHAREDIR", "show location of architecture-independent support files (extension/)",
		func(l Layout) string { return l.ShareDir }},
	{"--cflags", "CFLAGS", "show the compiler flags for building a module",
		func(l Layout) string { return "-I" + l.IncludeDir + " -fPIC" }},
	{"--cflags_sl", "CFLAGS_SL", "show the extra compiler flags for shared libraries",
		func(l Layout) string { return "-fPIC" }},
	{"--ldflags", "LDFLAGS", "show the linker flags for an embedder (not for modules)",
		func(l Layout) string { return "-L" + l.LibDir + " -Wl,-rpath," + l.LibDir }},
	{"--libs", "LIBS", "show the libraries an embedder links (never link a module with them)",
		func(l Layout) string { return "-L" + l.LibDir + " -lbgworker" }},
	{"--version", "VERSION", "show the bgworker version",
		func(l Layout) string { return VersionString() }},
	{"--configure", "CONFIGURE", "show the build settings bgworker was built with",
		func(l Layout) string { return Configure() }},
}

// VersionString is the one-line version shown by `bgworker config --version`.
func VersionString() string {
	return "bgworker " + Version + " (" + APIVersion + " background worker API)"
}

// ConfigMain runs `bgworker config` for the running program's layout. args
// are the arguments after the word "config". It returns the exit status: 0,
// or 1 for an unknown argument.
func ConfigMain(args []string, stdout, stderr io.Writer) int {
	return configMain(Current(), args, stdout, stderr)
}

// configMain is ConfigMain for a given layout, so that tests can pass one.
func configMain(l Layout, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		for _, it := range configItems {
			fmt.Fprintf(stdout, "%s = %s\n", it.name, it.value(l))
		}
		return 0
	}
	for _, a := range args {
		if a == "--help" || a == "-h" || a == "-?" {
			configUsage(stdout)
			return 0
		}
	}
	// Check every argument before printing anything, so that a typo does
	// not leave half an answer in a Makefile variable.
	picked := make([]configItem, 0, len(args))
	for _, a := range args {
		it, ok := lookupConfigItem(a)
		if !ok {
			fmt.Fprintf(stderr, "bgworker config: invalid argument: %s\n", a)
			fmt.Fprintf(stderr, "Try \"bgworker config --help\" for more information.\n")
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

func configUsage(w io.Writer) {
	fmt.Fprintf(w, "bgworker config provides information about the installed version of bgworker.\n\n")
	fmt.Fprintf(w, "Usage:\n  bgworker config [OPTION]...\n\nOptions:\n")
	for _, it := range configItems {
		fmt.Fprintf(w, "  %-20s %s\n", it.flag, it.help)
	}
	fmt.Fprintf(w, "  %-20s %s\n", "-?, --help", "show this help, then exit")
	fmt.Fprintf(w, "\nWith no arguments, all known items are shown.\n\n")
	fmt.Fprintf(w, "Build a module with:\n  cc -shared -fPIC $(bgworker config --cflags) -o mod.so mod.c\n")
	fmt.Fprintf(w, "--ldflags and --libs are for programs that embed libbgworker.so; a module\n")
	fmt.Fprintf(w, "must never link libbgworker.so (the host already contains it).\n")
}
