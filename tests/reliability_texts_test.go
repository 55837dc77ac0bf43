package tests

// Texts users see (docs/reliability.md, "Texts"): PostgreSQL's message
// forms, never a Go error string, for a garbage or empty library, a
// configuration file that is a FIFO, a full file system under the lock
// file, and a stale lock file naming a live unrelated process.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestTextsGarbageLibrary(t *testing.T) {
	t.Parallel()
	mods := filepath.Join(t.TempDir(), "mods")
	require.NoError(t, os.Mkdir(mods, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(mods, "junk.so"), []byte("this is no ELF file"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(mods, "empty.so"), nil, 0o755))
	for _, name := range []string{"junk", "empty"} {
		dir := newDataDir(t, fmt.Sprintf("shared_preload_libraries = '%s'\ndynamic_library_path = '%s'", name, mods))
		code, out := startOnce(t, dir, dir)
		require.Equal(t, 1, code, out)
		so := filepath.Join(mods, name+".so")
		require.Contains(t, out, fmt.Sprintf(`FATAL:  could not load library "%s": %s: invalid ELF header`, so, so))
		require.NotContains(t, out, "EOF")
	}
}

func TestTextsConfigFIFO(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, "")
	conf := filepath.Join(dir, "bgworker.conf")
	require.NoError(t, os.Remove(conf))
	require.NoError(t, unix.Mkfifo(conf, 0o600))
	code, out := startOnce(t, dir, dir)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, fmt.Sprintf(`FATAL:  configuration file "%s" is not a regular file`, conf))
	require.NotContains(t, out, "Invalid argument")

	// The same for an included file.
	require.NoError(t, os.Remove(conf))
	require.NoError(t, os.WriteFile(conf, []byte("include 'sub.conf'\n"), 0o600))
	require.NoError(t, unix.Mkfifo(filepath.Join(dir, "sub.conf"), 0o600))
	code, out = startOnce(t, dir, dir)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, fmt.Sprintf(`configuration file "%s" is not a regular file`, filepath.Join(dir, "sub.conf")))
}

// TestTextsLockFileDiskFull: the lock file cannot be written on a full
// file system (a small tmpfs).
func TestTextsLockFileDiskFull(t *testing.T) {
	t.Parallel()
	mnt := filepath.Join(t.TempDir(), "mnt")
	require.NoError(t, os.Mkdir(mnt, 0o700))
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	dir := filepath.Join(mnt, "data")
	out, err := cliCommand(hostBin, "init", "-D", dir).CombinedOutput()
	require.NoError(t, err, "init: %s", out)
	// Fill what is left.
	f, err := os.Create(filepath.Join(mnt, "filler"))
	require.NoError(t, err)
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC)
			break
		}
	}
	require.NoError(t, f.Close())
	code, log := startOnce(t, dir, dir)
	require.Equal(t, 1, code, log)
	require.Contains(t, log, fmt.Sprintf(`FATAL:  could not write lock file "%s": No space left on device`, filepath.Join(dir, "bgworker.pid")))
	require.NotContains(t, log, "no space left on device")
	require.NotContains(t, log, "write /")
}

// TestTextsStaleLockLivePid: the lock file names a live process that is
// not the host that wrote it (the pid was reused).
func TestTextsStaleLockLivePid(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, "")
	self := os.Getpid()
	lock := fmt.Sprintf("%d\n%s\n0\n1\n-1\n\nready\n", self, dir) // start time 1 tick: not this process
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bgworker.pid"), []byte(lock), 0o600))
	out, err := runCLI("status", "-D", dir)
	require.Error(t, err, out)
	require.Contains(t, out, "no server running")
	for _, cmd := range []string{"stop", "reload"} {
		out, err := runCLI(cmd, "-D", dir)
		require.Error(t, err, out)
		require.Contains(t, out, fmt.Sprintf("stale lock file: PID %d is now another process", self), cmd)
		require.False(t, strings.Contains(out, "is gone"), out)
	}
}
