package tests

// The host and its data directory (docs/reliability.md, "Stale state"):
// the lock file and socket are rechecked periodically (a minute, as
// PostgreSQL; BGWORKER_LOCK_RECHECK shortens it in the fault-injection
// build) and the host shuts down at once when they are gone or another
// host's, without touching what is not its own; a lock file update that
// fails is logged and acted on, and never leaves a segment that a later
// start cannot find.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

// recheckEnv makes the fault-injection host recheck its lock file often.
var recheckEnv = []string{"BGWORKER_LOCK_RECHECK=50ms"}

// TestDataDirRemoved: rm -rf of the data directory ends the host with
// PostgreSQL's message; its workers and segment go with it.
func TestDataDirRemoved(t *testing.T) {
	t.Parallel()
	bin := faultyHost(t)
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHostEnv(t, dir, bin, recheckEnv)
	h.waitReady()
	worker := h.workerPid("a", 1)
	require.NoError(t, os.RemoveAll(dir))
	h.log.waitFor(t, `LOG:  could not open file ".*/data/bgworker.pid": No such file or directory`, 1, 20*time.Second)
	h.log.waitFor(t, `LOG:  performing immediate shutdown because data directory lock file is invalid`, 1, 20*time.Second)
	h.waitExit(20 * time.Second)
	require.True(t, processGone(worker, 5*time.Second), "worker %d still running", worker)
	require.Eventually(t, func() bool { return len(segmentsOwnedBy(h.pid())) == 0 }, 5*time.Second, 10*time.Millisecond,
		"shared memory segments left behind: %v", segmentsOwnedBy(h.pid()))
}

// TestDataDirTakenOver: the data directory is made anew at the same path
// and another host starts there while the first one is stopped; the first
// one, resumed, finds a lock file naming another PID, shuts down at once
// and leaves the new host's lock file and socket alone.
func TestDataDirTakenOver(t *testing.T) {
	t.Parallel()
	bin := faultyHost(t)
	conf := exitmatrixConf(t, "a:s:0:r:run")
	dir := newDataDir(t, conf)
	a := startHostEnv(t, dir, bin, recheckEnv)
	a.waitReady()
	a.signal(syscall.SIGSTOP)
	// A's worker still runs (only the supervisor is stopped) and may
	// create a file in the directory while it is being removed: remove
	// again until it is gone.
	require.Eventually(t, func() bool { return os.RemoveAll(dir) == nil }, 10*time.Second, 10*time.Millisecond,
		"could not remove the data directory %s", dir)
	out, err := cliCommand(hostBin, "init", "-D", dir).CombinedOutput()
	require.NoError(t, err, "init: %s", out)
	appendConf(t, dir, conf)
	b := startHost(t, dir)
	b.waitReady()
	a.signal(syscall.SIGCONT)
	a.log.waitFor(t, `LOG:  lock file ".*/data/bgworker.pid" contains wrong PID: `+strconv.Itoa(b.pid())+` instead of `+strconv.Itoa(a.pid()), 1, 20*time.Second)
	a.log.waitFor(t, `LOG:  performing immediate shutdown because data directory lock file is invalid`, 1, 20*time.Second)
	a.waitExit(20 * time.Second)
	require.Eventually(t, func() bool { return len(segmentsOwnedBy(a.pid())) == 0 }, 5*time.Second, 10*time.Millisecond)

	// B's lock file and socket are intact, and B answers.
	l, err := libbgworker.ReadLockFile(dir)
	require.NoError(t, err)
	require.Equal(t, b.pid(), l.Pid)
	st, err := os.Lstat(filepath.Join(dir, libbgworker.ControlSocketName))
	require.NoError(t, err)
	require.Equal(t, os.ModeSocket, st.Mode().Type())
	require.Equal(t, b.pid(), controlStatus(t, dir).Host.Pid)
	b.signal(syscall.SIGINT)
	require.Equal(t, 0, b.waitExit(20*time.Second))
	b.requireClean()
}

// TestLockFileWriteFails: every lock file update fails (ENOSPC, fault
// injection): the first one, the new segment's id, ends the start with
// PostgreSQL's message and the segment is removed.
func TestLockFileWriteFails(t *testing.T) {
	t.Parallel()
	bin := faultyHost(t)
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHostEnv(t, dir, bin, []string{"BGWORKER_FAULTS=lockwrite=ENOSPC"})
	require.Equal(t, 1, h.waitExit(20*time.Second))
	all := h.log.all()
	require.Regexp(t, `FATAL:  could not write lock file ".*/data/bgworker.pid": No space left on device`, all)
	require.Regexp(t, `DETAIL:  The new shared memory segment \(ID \d+\) was removed, since a later start could not have found it.`, all)
	require.NotContains(t, all, "no space left on device") // Go's text
	h.requireClean()
}

// TestLockFileReadOnly: the data directory's file system turns read-only
// while the host runs; the status update of a phase is logged, and the
// crash cycle's new segment, whose id cannot be recorded, is removed and
// ends the host (status 1). Nothing is left that a later start cannot
// find: once writable again, the next start succeeds and no segment of
// the first host remains.
func TestLockFileReadOnly(t *testing.T) {
	t.Parallel()
	mnt := filepath.Join(t.TempDir(), "mnt")
	require.NoError(t, os.Mkdir(mnt, 0o700))
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=16m,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	dir := filepath.Join(mnt, "data")
	out, err := cliCommand(hostBin, "init", "-D", dir).CombinedOutput()
	require.NoError(t, err, "init: %s", out)
	appendConf(t, dir, exitmatrixConf(t, "a:s:0:r:run"))

	h := startHost(t, dir)
	h.waitReady()
	worker := h.workerPid("a", 1)
	// The kernel refuses a read-only remount (EBUSY) while any file on it
	// is open for writing: the host updates its lock file now and then, so
	// the remount waits for a moment when no write is in flight.
	require.Eventually(t, func() bool {
		err := unix.Mount("", mnt, "", unix.MS_REMOUNT|unix.MS_RDONLY, "")
		require.True(t, err == nil || err == unix.EBUSY, "remount read-only: %v", err)
		return err == nil
	}, 10*time.Second, 5*time.Millisecond, "the data directory's file system stayed busy")
	require.NoError(t, syscall.Kill(worker, syscall.SIGKILL)) // a crash cycle
	require.Equal(t, 1, h.waitExit(30*time.Second))
	all := h.log.all()
	require.Regexp(t, `all server processes terminated; reinitializing`, all)
	require.Regexp(t, `FATAL:  could not (write lock file|open file) ".*/data/bgworker.pid": Read-only file system`, all)
	require.Regexp(t, `DETAIL:  The new shared memory segment \(ID \d+\) was removed`, all)
	require.False(t, strings.Contains(all, "read-only file system"), "Go's error text in the log")
	require.Eventually(t, func() bool { return len(segmentsOwnedBy(h.pid())) == 0 }, 5*time.Second, 10*time.Millisecond,
		"shared memory segments left behind: %v", segmentsOwnedBy(h.pid()))

	require.NoError(t, unix.Mount("", mnt, "", unix.MS_REMOUNT, ""))
	h2 := startHost(t, dir)
	h2.waitReady()
	h2.signal(syscall.SIGINT)
	require.Equal(t, 0, h2.waitExit(20*time.Second))
	h2.requireClean()
}
