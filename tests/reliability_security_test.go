package tests

// Security checks at start (docs/security.md): modules another local user
// could replace are refused, nothing is loaded from the directory the
// operator happens to be in, and library names cannot climb out with "..".

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// copyModule copies a compiled module to dst with mode perm.
func copyModule(t *testing.T, src, dst string, perm os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
	require.NoError(t, os.Chmod(dst, perm))
}

// startOnce runs `bgworker start` from directory cwd and returns its exit
// code and output; for starts that are expected to fail at once.
func startOnce(t *testing.T, dir, cwd string) (int, string) {
	t.Helper()
	args := []string{"start", "-D", dir}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	cmd := cliCommand(hostBin, args...)
	cmd.Dir = cwd
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	require.NoError(t, err)
	return 0, string(out)
}

func TestModulePermissions(t *testing.T) {
	src := compileModule(t, "exitmatrix", "exitmatrix")
	cases := []struct {
		name       string
		dirMode    os.FileMode
		fileMode   os.FileMode
		refusedFor string // "directory", "file" or "" (accepted)
	}{
		{"private directory", 0o700, 0o755, ""},
		{"world-writable directory", 0o777, 0o755, "directory"},
		{"group-writable directory", 0o775, 0o755, "directory"},
		{"sticky world-writable directory", 0o1777, 0o755, ""},
		{"world-writable file", 0o755, 0o666, "file"},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mods := filepath.Join(t.TempDir(), "mods")
			require.NoError(t, os.Mkdir(mods, 0o700))
			copyModule(t, src, filepath.Join(mods, "exitmatrix.so"), c.fileMode)
			mode := c.dirMode & 0o777
			if c.dirMode&0o1000 != 0 {
				mode |= os.ModeSticky
			}
			require.NoError(t, os.Chmod(mods, mode))
			conf := fmt.Sprintf("shared_preload_libraries = 'exitmatrix'\ndynamic_library_path = '%s'\nexitmatrix.workers = 'a:s:0:r:run'", mods)
			dir := newDataDir(t, conf)
			if c.refusedFor == "" {
				h := startHost(t, dir)
				h.waitReady()
				h.workerPid("a", 1)
				h.signal(syscall.SIGINT)
				require.Equal(t, 0, h.waitExit(20*time.Second))
				return
			}
			code, out := startOnce(t, dir, dir)
			require.Equal(t, 1, code)
			require.Regexp(t, fmt.Sprintf(`FATAL:  could not load library ".*exitmatrix.so": %s ".*" is writable by group or others`, c.refusedFor), out)
			require.Contains(t, out, "HINT:  Remove write permission for group and others")
			_, err := os.Stat(filepath.Join(dir, "bgworker.pid"))
			require.True(t, os.IsNotExist(err))
		})
	}
}

// TestNothingLoadedByAccident: a module lying in the operator's current
// directory is not found by a bare name, a relative dynamic_library_path
// entry is refused (as PostgreSQL does), and ".." in a library name is
// refused.
func TestNothingLoadedByAccident(t *testing.T) {
	src := compileModule(t, "exitmatrix", "exitmatrix")
	cwd := t.TempDir()
	copyModule(t, src, filepath.Join(cwd, "evil.so"), 0o755)
	require.NoError(t, os.Mkdir(filepath.Join(cwd, "mods"), 0o755))
	copyModule(t, src, filepath.Join(cwd, "mods", "evil.so"), 0o755)
	cases := []struct{ conf, want string }{
		{"shared_preload_libraries = 'evil'", `FATAL:  could not access file "evil": No such file or directory`},
		{"shared_preload_libraries = './evil'", `FATAL:  could not access file "./evil": No such file or directory`},
		{"shared_preload_libraries = 'evil'\ndynamic_library_path = 'mods'", `FATAL:  component in parameter "dynamic_library_path" is not an absolute path`},
		{"shared_preload_libraries = '../evil'", `FATAL:  invalid library name "../evil": ".." components are not allowed`},
	}
	for i, c := range cases {
		c := c
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, c.conf)
			code, out := startOnce(t, dir, cwd)
			require.Equal(t, 1, code, out)
			require.Regexp(t, c.want, out)
		})
	}
}
