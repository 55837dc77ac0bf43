// Tests of the layout decision and of `bgworker config`'s answers, including
// a real compile of a module with the flags it prints for the build tree.

package buildinfo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// repoRoot is the root of this checkout (the package lies two levels down).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return root
}

func TestLayoutFor(t *testing.T) {
	tree := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "bin"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "include"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "include", "postgres.h"), nil, 0o644))
	noHeaders := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(noHeaders, "bin"), 0o755))

	cases := []struct {
		name string
		exe  string
		want Layout
	}{
		{"build tree", filepath.Join(tree, "bin", "bgworker"), BuildTreeLayout(tree)},
		{"bin without include", filepath.Join(noHeaders, "bin", "bgworker"), InstalledLayout("/opt/bgw")},
		{"not in a bin directory", filepath.Join(tree, "include", "bgworker"), InstalledLayout("/opt/bgw")},
		{"installed", "/opt/bgw/bin/bgworker", InstalledLayout("/opt/bgw")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, LayoutFor(c.exe, "/opt/bgw"))
		})
	}
}

func TestInstalledLayout(t *testing.T) {
	l := InstalledLayout("/usr/local")
	require.Equal(t, "/usr/local/bin", l.BinDir)
	require.Equal(t, "/usr/local/include/bgworker", l.IncludeDir)
	require.Equal(t, "/usr/local/lib", l.LibDir)
	require.Equal(t, "/usr/local/lib/bgworker", l.PkgLibDir)
	require.False(t, l.BuildTree)
}

func TestConfigMain(t *testing.T) {
	l := InstalledLayout("/opt/bgw")
	cases := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"one flag", []string{"--pkglibdir"}, 0, "/opt/bgw/lib/bgworker\n", ""},
		{"several flags in order", []string{"--libdir", "--bindir"}, 0, "/opt/bgw/lib\n/opt/bgw/bin\n", ""},
		{"cppflags", []string{"--cppflags"}, 0, "-I/opt/bgw/include/bgworker -D_GNU_SOURCE\n", ""},
		{"cflags", []string{"--cflags"}, 0, moduleCFLAGS + "\n", ""},
		{"sharedir", []string{"--sharedir"}, 0, "/opt/bgw/share/bgworker\n", ""},
		{"pgxs", []string{"--pgxs"}, 0, "/opt/bgw/lib/bgworker/pgxs/src/makefiles/pgxs.mk\n", ""},
		{"includedir-server", []string{"--includedir-server"}, 0, "/opt/bgw/include/bgworker\n", ""},
		{"libs", []string{"--libs"}, 0, "-L/opt/bgw/lib -lbgworker\n", ""},
		{"cflags_sl", []string{"--cflags_sl"}, 0, "-fPIC\n", ""},
		{"version", []string{"--version"}, 0, "PostgreSQL 17.0 (bgworker " + Version + ")\n", ""},
		{"unknown flag prints nothing on stdout", []string{"--bindir", "--bogus"}, 1, "",
			"bgworker config: invalid argument: --bogus\nTry \"bgworker config --help\" for more information.\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, c.status, configMain("bgworker config", l, c.args, &out, &errb))
			require.Equal(t, c.stdout, out.String())
			require.Equal(t, c.stderr, errb.String())
		})
	}
}

func TestConfigMainAllAndHelp(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 0, configMain("bgworker config", InstalledLayout("/p"), nil, &out, &errb))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, len(configItems))
	require.Contains(t, lines, "BINDIR = /p/bin")
	require.Contains(t, lines, "PKGLIBDIR = /p/lib/bgworker")
	require.Contains(t, lines, "CPPFLAGS = -I/p/include/bgworker -D_GNU_SOURCE")
	require.Contains(t, lines, "CFLAGS = "+moduleCFLAGS)
	require.Empty(t, errb.String())

	out.Reset()
	require.Equal(t, 0, configMain("bgworker config", InstalledLayout("/p"), []string{"--help"}, &out, &errb))
	for _, it := range configItems {
		require.Contains(t, out.String(), it.flag)
	}
}

// TestBuildTreeCflagsCompileAModule compiles a minimal module with the
// flags `bgworker config --cppflags --cflags --cflags_sl` gives for this
// checkout, as a module author would before installing anything.
func TestBuildTreeCflagsCompileAModule(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) on PATH")
	}
	root := repoRoot(t)
	l := LayoutFor(filepath.Join(root, "bin", "bgworker"), "/nonexistent")
	require.True(t, l.BuildTree, "the checkout at %s is not recognised as a build tree", root)

	var out, errb bytes.Buffer
	require.Equal(t, 0, configMain("bgworker config", l, []string{"--cppflags", "--cflags", "--cflags_sl"}, &out, &errb), errb.String())

	dir := t.TempDir()
	src := filepath.Join(dir, "mod.c")
	require.NoError(t, os.WriteFile(src, []byte(`#include "postgres.h"
#include "fmgr.h"
#include "postmaster/bgworker.h"

PG_MODULE_MAGIC;

void _PG_init(void);

void
_PG_init(void)
{
}
`), 0o644))
	args := append(strings.Fields(out.String()), "-shared", "-Wall", "-Werror", "-o", filepath.Join(dir, "mod.so"), src)
	cmd := exec.Command(cc, args...)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "cc %s:\n%s", strings.Join(args, " "), msg)
	require.FileExists(t, filepath.Join(dir, "mod.so"))
}

// TestAPIServerVersionMatchesHeaders: --version's PostgreSQL version is
// the one include/pg_config.h gives modules (PG_VERSION).
func TestAPIServerVersionMatchesHeaders(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "include", "pg_config.h"))
	require.NoError(t, err)
	require.Contains(t, string(src), "#define PG_VERSION \""+APIServerVersion+"\"\n")
}
