// module_test.go: the bench modules (bgbench.c, spibench.c, and the mqbench
// extension's mqbench.c) must keep compiling, with the flags a module author
// uses, against include/ and (when installed) PostgreSQL's server headers.
package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func compileBenchModule(t *testing.T, include string) {
	t.Helper()
	for _, name := range []string{"bgbench", "spibench", "mqbench"} {
		out := filepath.Join(t.TempDir(), name+".so")
		cmd := exec.Command("cc", "-std=gnu11", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror",
			"-Wno-unused-parameter", "-Wno-missing-field-initializers",
			"-I", include, "-o", out, filepath.Join("bgbench", name+".c"))
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "compiling %s.c against %s:\n%s", name, include, b)
	}
}

func TestModuleCompilesAgainstInclude(t *testing.T) {
	compileBenchModule(t, filepath.Join("..", "include"))
}

func TestModuleCompilesAgainstPostgreSQL(t *testing.T) {
	out, err := exec.Command("pg_config", "--includedir-server").Output()
	dir := strings.TrimSpace(string(out))
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "postgres.h"))
	}
	if err != nil {
		t.Skip("PostgreSQL server headers not installed (postgresql-server-dev-15)")
	}
	compileBenchModule(t, dir)
}
