package tests

// The proof modules and contrib/worker_sample are PostgreSQL code: they
// compile, unchanged, against PostgreSQL's own server headers too
// (Debian's postgresql-server-dev-15), not only against include/.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pgServerIncludeDir finds PostgreSQL's server headers with pg_config,
// installing postgresql-server-dev-15 with apt-get when running in CI
// (CI set) as root. It returns "" when they are not available.
func pgServerIncludeDir(t *testing.T) string {
	t.Helper()
	find := func() string {
		out, err := exec.Command("pg_config", "--includedir-server").Output()
		if err != nil {
			return ""
		}
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "postgres.h")); err != nil {
			return ""
		}
		return dir
	}
	if dir := find(); dir != "" {
		return dir
	}
	if os.Getenv("CI") != "" && os.Geteuid() == 0 {
		for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql-server-dev-15"}} {
			out, err := exec.Command("apt-get", args...).CombinedOutput()
			if err != nil {
				t.Logf("apt-get %v: %v\n%s", args, err, out)
				return ""
			}
		}
		return find()
	}
	return ""
}

// compatSources lists the module sources that must be PostgreSQL code.
func compatSources(t *testing.T) []string {
	t.Helper()
	srcs, err := filepath.Glob(filepath.Join(repoRoot, "tests", "modules", "api_*.c"))
	require.NoError(t, err)
	require.NotEmpty(t, srcs)
	sample, err := filepath.Glob(filepath.Join(repoRoot, "contrib", "worker_*", "*.c"))
	require.NoError(t, err)
	return append(srcs, sample...)
}

func TestPostgreSQLHeadersCompile(t *testing.T) {
	t.Parallel()
	inc := pgServerIncludeDir(t)
	if inc == "" {
		t.Skip("PostgreSQL server headers not found (pg_config --includedir-server); install postgresql-server-dev-15 or set CI to let the test install it")
	}
	out, _ := exec.Command("pg_config", "--version").Output()
	t.Logf("compiling against %s (%s)", inc, strings.TrimSpace(string(out)))
	for _, src := range compatSources(t) {
		src := src
		t.Run(filepath.Base(src), func(t *testing.T) {
			t.Parallel()
			// A real compile to an object, with the warnings modules are
			// held to here, so that it is more than a syntax check.
			obj := filepath.Join(t.TempDir(), "m.o")
			cmd := exec.Command("cc", "-c", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror",
				"-Wno-unused-parameter", "-Wno-missing-field-initializers",
				"-I", inc, "-o", obj, src)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "compiling %s against %s:\n%s", src, inc, out)
		})
	}
}

// TestOurHeadersCompileStrictly compiles the same sources against
// include/ with -std=gnu11 and the same warnings as errors, so that
// both sides of the comparison are held to the same flags.
func TestOurHeadersCompileStrictly(t *testing.T) {
	t.Parallel()
	for _, src := range compatSources(t) {
		src := src
		t.Run(filepath.Base(src), func(t *testing.T) {
			t.Parallel()
			obj := filepath.Join(t.TempDir(), "m.o")
			cmd := exec.Command("cc", "-c", "-std=gnu11", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror",
				"-Wno-unused-parameter", "-Wno-missing-field-initializers",
				"-I", filepath.Join(repoRoot, "include"), "-o", obj, src)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "compiling %s against include/:\n%s", src, out)
		})
	}
}
