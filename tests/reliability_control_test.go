package tests

// Reliability of the control socket (docs/control-protocol.md): what a
// host killed with SIGKILL leaves in its data directory (the socket and the
// lock file), what the CLI says about that directory, the next start, and
// a socket path occupied by something that is not a socket.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

// runCLIBounded runs the bgworker binary and fails the test if it has not
// returned within limit (a CLI command must never hang on a dead host). It
// returns the combined output and the exit code.
func runCLIBounded(t *testing.T, limit time.Duration, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	out, err := exec.CommandContext(ctx, hostBin, args...).CombinedOutput()
	require.NoError(t, ctx.Err(), "bgworker %s did not return within %v; output:\n%s", strings.Join(args, " "), limit, out)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

// requireSocket checks that path is a Unix socket and returns its inode.
func requireSocket(t *testing.T, path string) uint64 {
	t.Helper()
	st, err := os.Lstat(path)
	require.NoError(t, err)
	require.Equal(t, os.ModeSocket, st.Mode().Type(), "%s is not a socket", path)
	return st.Sys().(*syscall.Stat_t).Ino
}

// waitDetached waits until nothing is attached to the segments any more
// (the workers of a killed host leave through the death pipe).
func waitDetached(t *testing.T, segs []int) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, id := range segs {
			var d unix.SysvShmDesc
			if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &d); err == nil && d.Nattch > 0 {
				return false
			}
		}
		return true
	}, 20*time.Second, 10*time.Millisecond, "the killed host's workers stayed attached")
}

// removeSegmentsAtCleanup removes, when the test ends, those of segs that
// still exist with nothing attached: the segments of a host the test
// killed, which only the next start on its directory would remove, so a
// test failing before that start leaves none behind.
func removeSegmentsAtCleanup(t *testing.T, segs []int) {
	t.Cleanup(func() {
		for _, id := range segs {
			var d unix.SysvShmDesc
			if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &d); err == nil && d.Nattch == 0 {
				unix.SysvShmCtl(id, unix.IPC_RMID, nil)
			}
		}
	})
}

// checkDeadDirectory runs every CLI command that looks for a host against
// a directory whose host is dead, and checks that each returns promptly
// with a message saying so.
func checkDeadDirectory(t *testing.T, dir string, pid int) {
	t.Helper()
	out, code := runCLIBounded(t, 30*time.Second, "status", "-D", dir)
	require.Equal(t, 3, code, "status exit code (pg_ctl's \"not running\"); output:\n%s", out)
	require.Equal(t, "bgworker: no server running\n", out)
	out, code = runCLIBounded(t, 30*time.Second, "status", "-D", dir, "--json")
	require.Equal(t, 3, code, out)
	require.Equal(t, "{\"running\":false}\n", out)
	for _, cmd := range []string{"stop", "reload"} {
		out, code = runCLIBounded(t, 30*time.Second, cmd, "-D", dir)
		require.NotEqual(t, 0, code, "%s on a dead host succeeded: %s", cmd, out)
		require.Contains(t, out, fmt.Sprintf(`no server running in data directory "%s"`, dir), cmd)
		if pid > 0 {
			require.Contains(t, out, fmt.Sprintf("stale lock file, PID %d is gone", pid), cmd)
		}
	}
	// The client library: a socket nobody listens on is "no socket".
	_, err := libbgworker.DialControl(dir)
	require.ErrorIs(t, err, libbgworker.ErrNoSocket)
}

// TestStaleControlSocket: a host killed with SIGKILL leaves its socket and
// its lock file. Until the next start, status says no server runs (exit 3)
// and stop/reload fail naming the stale lock, all promptly; the next start
// replaces the socket and serves on it. Without the lock file (removed by
// hand) the socket alone is replaced the same way.
func TestStaleControlSocket(t *testing.T) {
	for _, withLock := range []bool{true, false} {
		withLock := withLock
		t.Run(fmt.Sprintf("lockfile=%v", withLock), func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			sock := filepath.Join(dir, libbgworker.ControlSocketName)
			lock := filepath.Join(dir, "bgworker.pid")
			h := startHost(t, dir)
			h.waitReady()
			a := h.workerPid("a", 1)
			oldIno := requireSocket(t, sock)
			segs := segmentsOwnedBy(h.pid())
			require.Len(t, segs, 1)
			removeSegmentsAtCleanup(t, segs)

			h.signal(syscall.SIGKILL)
			h.waitExit(20 * time.Second)
			require.True(t, processGone(a, 20*time.Second), "worker outlived its supervisor")
			waitDetached(t, segs)
			require.Equal(t, oldIno, requireSocket(t, sock), "the killed host's socket is not there")
			_, err := os.Stat(lock)
			require.NoError(t, err, "the killed host's lock file is not there")
			pid := h.pid()
			if !withLock {
				require.NoError(t, os.Remove(lock))
				// Nothing records the segment any more: remove it here so
				// that the test leaves nothing behind.
				for _, id := range segs {
					_, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil)
					require.NoError(t, err)
				}
				pid = 0
			}
			checkDeadDirectory(t, dir, pid)

			h2 := startHost(t, dir)
			h2.waitReady()
			h2.workerPid("a", 1)
			// A new socket that the new host serves (the inode may be
			// reused, so it proves nothing).
			requireSocket(t, sock)
			rep := controlStatus(t, dir)
			require.Equal(t, h2.pid(), rep.Host.Pid)
			require.Equal(t, sock, rep.Host.Socket)
			for _, id := range segs {
				require.False(t, segmentExists(id), "stale segment %d not removed", id)
			}
			out, code := runCLIBounded(t, 30*time.Second, "status", "-D", dir)
			require.Equal(t, 0, code, out)
			require.Contains(t, out, fmt.Sprintf("server is running (PID: %d)", h2.pid()))
			h2.stopClean()
			_, err = os.Lstat(sock)
			require.True(t, os.IsNotExist(err), "socket left behind after a clean stop")
		})
	}
}

// TestStaleControlSocketZombieHost: the same while the killed host is a
// zombie its parent has not reaped yet (its pid still exists, with the same
// start time). It holds nothing any more: status must not call it running
// and the next start must not be refused.
func TestStaleControlSocketZombieHost(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	sock := filepath.Join(dir, libbgworker.ControlSocketName)
	args := []string{"start", "-D", dir}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	// Not startHost: its goroutine reaps the host at once.
	cmd := exec.Command(hostBin, args...)
	logPath := filepath.Join(t.TempDir(), "host.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	cmd.Stderr = logFile
	require.NoError(t, cmd.Start())
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	pid := cmd.Process.Pid
	require.Eventually(t, func() bool {
		l, err := libbgworker.ReadLockFile(dir)
		return err == nil && l.Status == "ready"
	}, 20*time.Second, 10*time.Millisecond, "host not ready")
	require.Eventually(t, func() bool {
		data, _ := os.ReadFile(logPath)
		return strings.Contains(string(data), "exitmatrix a started pid")
	}, 20*time.Second, 10*time.Millisecond, "worker not started")
	requireSocket(t, sock)
	segs := segmentsOwnedBy(pid)
	require.Len(t, segs, 1)
	removeSegmentsAtCleanup(t, segs)

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	// Not reaped yet, so gone means a zombie (checked again below).
	require.True(t, processGone(pid, 20*time.Second), "the killed host did not become a zombie")
	waitDetached(t, segs)
	checkDeadDirectory(t, dir, pid)

	h2 := startHost(t, dir)
	h2.waitReady()
	h2.workerPid("a", 1)
	require.Equal(t, h2.pid(), controlStatus(t, dir).Host.Pid)
	for _, id := range segs {
		require.False(t, segmentExists(id), "stale segment %d not removed", id)
	}
	// Still a zombie: the start did not wait for the reaping.
	_, err = os.Stat(fmt.Sprintf("/proc/%d", pid))
	require.NoError(t, err)
	require.Error(t, cmd.Wait())
	reaped = true
	h2.stopClean()
}

// TestControlSocketPathInTheWay: a regular file, a directory or a symbolic
// link where the socket goes is not removed: the start fails with a FATAL
// naming the path, exit 1, and leaves nothing behind; once it is moved
// away the host starts.
func TestControlSocketPathInTheWay(t *testing.T) {
	cases := []struct {
		kind  string
		make  func(t *testing.T, path string)
		check func(t *testing.T, path string)
	}{
		{"a regular file",
			func(t *testing.T, path string) { require.NoError(t, os.WriteFile(path, []byte("precious"), 0o600)) },
			func(t *testing.T, path string) {
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				require.Equal(t, "precious", string(data))
			}},
		{"a directory",
			func(t *testing.T, path string) {
				require.NoError(t, os.Mkdir(path, 0o700))
				require.NoError(t, os.WriteFile(filepath.Join(path, "inside"), nil, 0o600))
			},
			func(t *testing.T, path string) {
				_, err := os.Stat(filepath.Join(path, "inside"))
				require.NoError(t, err)
			}},
		{"an empty directory",
			func(t *testing.T, path string) { require.NoError(t, os.Mkdir(path, 0o700)) },
			func(t *testing.T, path string) {
				st, err := os.Stat(path)
				require.NoError(t, err)
				require.True(t, st.IsDir())
			}},
		{"a symbolic link",
			func(t *testing.T, path string) { require.NoError(t, os.Symlink("/nonexistent/elsewhere.sock", path)) },
			func(t *testing.T, path string) {
				target, err := os.Readlink(path)
				require.NoError(t, err)
				require.Equal(t, "/nonexistent/elsewhere.sock", target)
			}},
	}
	for _, c := range cases {
		c := c
		t.Run(strings.ReplaceAll(c.kind, " ", "_"), func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			sock := filepath.Join(dir, libbgworker.ControlSocketName)
			c.make(t, sock)
			h := startHost(t, dir)
			require.Equal(t, 1, h.waitExit(20*time.Second))
			kind := strings.TrimPrefix(c.kind, "an empty ")
			if kind != c.kind {
				kind = "a " + kind
			}
			require.Contains(t, h.log.all(),
				fmt.Sprintf(`FATAL:  could not create control socket "%s": %s is in the way`, sock, kind))
			require.Contains(t, h.log.all(), "HINT:  Move it away")
			require.Zero(t, h.log.count(`exitmatrix a started`))
			h.requireClean()
			c.check(t, sock)

			require.NoError(t, os.RemoveAll(sock))
			h2 := startHost(t, dir)
			h2.waitReady()
			requireSocket(t, sock)
			h2.stopClean()
		})
	}
}

// TestControlSocketFault: socket creation failing (fault injection) ends
// the start with a FATAL naming the socket, exit 1, nothing left.
func TestControlSocketFault(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHostEnv(t, dir, faultyHost(t), []string{"BGWORKER_FAULTS=socket=EMFILE"})
	require.Equal(t, 1, h.waitExit(20*time.Second))
	require.Contains(t, h.log.all(), fmt.Sprintf(`FATAL:  could not create control socket "%s": Too many open files`,
		filepath.Join(dir, libbgworker.ControlSocketName)))
	require.Zero(t, h.log.count(`exitmatrix a started`))
	h.requireClean()
}
