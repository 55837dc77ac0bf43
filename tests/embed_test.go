package tests

// The embedder: a C program linking libbgworker.so runs the same
// supervisor in-process.

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// buildEmbedder builds libbgworker.so and examples/embedder against it.
func buildEmbedder(t *testing.T) string {
	t.Helper()
	lib := filepath.Join(binDir, "libbgworker.so")
	build := exec.Command("go", "build", "-buildmode=c-shared", "-tags", "netgo,osusergo", "-o", lib, "./libbgworker/capi")
	build.Dir = repoRoot
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building libbgworker.so: %s", out)
	exe := filepath.Join(binDir, "embedder")
	cc := exec.Command("cc", "-Wall", "-Wextra", "-Werror", "-I", filepath.Join(repoRoot, "include"),
		"-o", exe, filepath.Join(repoRoot, "examples", "embedder", "embedder.c"),
		"-L", binDir, "-lbgworker", "-Wl,-rpath,"+binDir)
	out, err = cc.CombinedOutput()
	require.NoError(t, err, "building the embedder: %s", out)
	return exe
}

func TestEmbedder(t *testing.T) {
	t.Parallel()
	exe := buildEmbedder(t)
	dir := newDataDir(t, exitmatrixConf(t, "e:s:0:r:run, crash:s:0:r:segv"))
	h := startHostWith(t, dir, exe, []string{"--"})
	h.waitReady()
	h.workerPid("e", 1)
	h.trigger()
	// The crash cycle works in-process too.
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	pid := h.workerPid("e", 2)
	// Commands from another process reach the embedded host.
	out, err := exec.Command(exe, "--", "stop", "-D", dir, "-m", "fast").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean(pid)
	require.NotContains(t, h.log.all(), "panic:")
}
