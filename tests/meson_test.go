package tests

// Module authors' build paths: meson (the project's meson.build builds the
// contrib modules against include/), and the sample module running in a
// host.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMesonBuildsContrib(t *testing.T) {
	if _, err := exec.LookPath("meson"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("meson is not installed; make test installs it")
		}
		t.Skip("meson not installed")
	}
	t.Parallel()
	build := filepath.Join(t.TempDir(), "build")
	out, err := exec.Command("meson", "setup", build, repoRoot).CombinedOutput()
	require.NoError(t, err, "meson setup: %s", out)
	out, err = exec.Command("meson", "compile", "-C", build).CombinedOutput()
	require.NoError(t, err, "meson compile: %s", out)
	var so string
	filepath.Walk(build, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Name() == "worker_sample.so" {
			so = p
		}
		return nil
	})
	require.NotEmpty(t, so, "meson did not build worker_sample.so")

	// The meson-built module runs in the host.
	dir := newDataDir(t, fmt.Sprintf("shared_preload_libraries = '%s'\ndynamic_library_path = '%s'\nworker_sample.naptime = 100ms", so, filepath.Dir(so)))
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `worker_sample`, 3, 20*time.Second)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}
