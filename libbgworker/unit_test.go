package libbgworker

// Unit tests of the supervisor's pure rules; the behaviour as a whole is
// tested end to end in tests/.

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestSplitLibraryList(t *testing.T) {
	cases := map[string][]string{
		"":                       nil,
		"a":                      {"a"},
		" a , b ,, c ":           {"a", "b", "c"},
		`"with space", plain`:    {"with space", "plain"},
		`"quo""te"`:              {`quo"te`},
		"$libdir/x, /abs/y.so  ": {"$libdir/x", "/abs/y.so"},
	}
	for in, want := range cases {
		require.Equal(t, want, splitLibraryList(in), "input %q", in)
	}
}

func TestEligible(t *testing.T) {
	cases := []struct {
		start int
		state pmState
		want  bool
	}{
		{startPostmasterStart, pmStartup, true},
		{startConsistentState, pmStartup, false},
		{startConsistentState, pmHotStandby, true},
		{startRecoveryFinished, pmHotStandby, false},
		{startRecoveryFinished, pmRecovery, false},
		{startRecoveryFinished, pmRun, true},
		{startPostmasterStart, pmStopBackends, false},
		{startPostmasterStart, pmWaitBackends, false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, eligible(c.start, c.state), "start %d in %v", c.start, c.state)
	}
}

func TestDescribeExit(t *testing.T) {
	require.Equal(t, "exited with exit code 1", describeExit(unix.WaitStatus(1<<8)))
	require.Equal(t, "was terminated by signal 9: Killed", describeExit(unix.WaitStatus(9)))
	require.Equal(t, "was terminated by signal 11: Segmentation fault", describeExit(unix.WaitStatus(11)))
}

func TestLockFileRoundTripAndStale(t *testing.T) {
	dir := t.TempDir()
	lf, stale, err := createLockFile(dir)
	require.NoError(t, err)
	require.Nil(t, stale)
	got, err := ReadLockFile(dir)
	require.NoError(t, err)
	require.Equal(t, os.Getpid(), got.Pid)
	require.True(t, got.Alive())

	// A second claim by a live process is refused...
	fake := lf.info
	fake.Pid, fake.ProcStart = 1, 0 // pretend the lock is another live process's (init)
	require.NoError(t, replaceFile(lf.path, fake.encode()))
	_, _, err = createLockFile(dir)
	require.ErrorContains(t, err, "already exists")

	// The host never writes a lock file that is not its own...
	err = lf.update(func(l *LockInfo) { l.Status = "ready" })
	require.EqualError(t, err, fmt.Sprintf("lock file \"%s\" contains wrong PID: 1 instead of %d", lf.path, os.Getpid()))
	require.True(t, lf.dirty)
	got, err = ReadLockFile(dir)
	require.NoError(t, err)
	require.Equal(t, 1, got.Pid)
	require.NotEmpty(t, lf.check())

	// ...a lock naming a dead pid is stale and taken over.
	fake.Pid, fake.ShmID = 1<<30, 1234
	require.NoError(t, replaceFile(lf.path, fake.encode()))
	lf2, stale, err := createLockFile(dir)
	require.NoError(t, err)
	require.NotNil(t, stale)
	require.Equal(t, 1234, stale.ShmID)
	require.Empty(t, lf2.check())
	lf2.remove()
	_, err = os.Stat(filepath.Join(dir, LockFileName))
	require.True(t, os.IsNotExist(err))

	// A lock file that is gone is not created again by an update.
	err = lf2.update(func(l *LockInfo) { l.Status = "ready" })
	require.ErrorContains(t, err, "could not open file")
	require.ErrorContains(t, err, "No such file or directory")
	_, err = os.Stat(filepath.Join(dir, LockFileName))
	require.True(t, os.IsNotExist(err))
}

func TestCorruptLockFileIsStale(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, LockFileName), []byte("garbage\n"), 0o600))
	lf, _, err := createLockFile(dir)
	require.NoError(t, err)
	lf.remove()
}

func TestCheckDataDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o700))
	abs, perm, err := checkDataDir(dir)
	require.NoError(t, err)
	require.Equal(t, dir, abs)
	require.Equal(t, fs.FileMode(0o700), perm)
	require.NoError(t, os.Chmod(dir, 0o750))
	_, perm, err = checkDataDir(dir)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o750), perm)
	require.Equal(t, 0o027, createMask(perm))
	require.Equal(t, 0o077, createMask(0o700))
	require.NoError(t, os.Chmod(dir, 0o777))
	_, _, err = checkDataDir(dir)
	require.ErrorContains(t, err, "has invalid permissions")
	_, _, err = checkDataDir(filepath.Join(dir, "missing"))
	require.ErrorContains(t, err, "does not exist")
	f := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(f, nil, 0o600))
	_, _, err = checkDataDir(f)
	require.ErrorContains(t, err, "is not a directory")
}

func TestInitDataDirRefusesNonEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	require.NoError(t, InitDataDir(dir))
	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	require.ErrorContains(t, InitDataDir(dir), "exists but is not empty")
}

// TestFaultSpec checks the BGWORKER_FAULTS parser and the call counting of
// the injection table (the table is empty again afterwards).
func TestFaultSpec(t *testing.T) {
	for _, bad := range []string{"nosuch=ENOSPC", "shmget", "shmget=ENOTANERRNO",
		"clone=EAGAIN@0", "clone=EAGAIN@1x-1", "clone=EAGAIN@zz"} {
		_, err := parseFaults(bad)
		require.Error(t, err, "spec %q", bad)
		require.Contains(t, err.Error(), "invalid fault")
	}
	table, err := parseFaults(" shmget=ENOSPC , clone=EAGAIN@3x2,")
	require.NoError(t, err)
	require.Equal(t, unix.ENOSPC, table["shmget"].errno)
	require.Equal(t, 3, table["clone"].from)
	require.Equal(t, 2, table["clone"].count)

	require.NoError(t, setFaults("pipe=EMFILE@2x1"))
	defer func() { require.NoError(t, setFaults("")) }()
	var got []error
	for i := 0; i < 4; i++ {
		got = append(got, injectFault("pipe"))
	}
	require.Equal(t, []error{nil, unix.EMFILE, nil, nil}, got)
	require.Nil(t, injectFault("shmget"))
	require.NoError(t, setFaults(""))
	require.Nil(t, faultTable)
}

// TestRestartDue: a worker's restart waits for bgw_restart_time, and after
// a failed fork for at least forkRetryDelay.
func TestRestartDue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &worker{crashedAt: t0}
	w.reg.RestartTime = 5
	require.Equal(t, t0.Add(5*time.Second), w.restartDue())
	w.reg.RestartTime = 0
	require.Equal(t, t0, w.restartDue())
	w.forkFailed = true
	require.Equal(t, t0.Add(forkRetryDelay), w.restartDue())
	w.reg.RestartTime = 10
	require.Equal(t, t0.Add(10*time.Second), w.restartDue())
}

// TestSiginfoStatus: the status read from waitid's siginfo (before the
// reap) is the one wait4 then reports, for an exit code, a signal and a
// core dump.
func TestSiginfoStatus(t *testing.T) {
	for _, script := range []string{"exit 3", "exit 0", "kill -KILL $$", "kill -SEGV $$", "ulimit -c unlimited; kill -ABRT $$"} {
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = t.TempDir() // where a core file may land
		require.NoError(t, cmd.Start())
		pid := cmd.Process.Pid
		var info unix.Siginfo
		require.NoError(t, unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil))
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, 0, nil)
		require.NoError(t, err)
		require.Equal(t, pid, got)
		require.Equal(t, ws, siginfoStatus(&info), "%s: wait4 %#x", script, uint32(ws))
	}
}

// TestErrnoText: errors reach messages as C's %m, whatever Go wraps them
// in (net, os, joined), and a passed deadline as ETIMEDOUT's text.
func TestErrnoText(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Net: "unix", Err: &os.SyscallError{Syscall: "connect", Err: syscall.EACCES}}, "Permission denied"},
		{&fs.PathError{Op: "write", Path: "/x/bgworker.pid", Err: syscall.ENOSPC}, "No space left on device"},
		{errors.Join(&fs.PathError{Op: "write", Path: "/x", Err: syscall.EROFS}, nil), "Read-only file system"},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), "Connection timed out"},
		{errors.New("something else"), "something else"},
	} {
		require.Equal(t, c.want, errnoText(c.err))
	}
	// A real read past its deadline.
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	require.NoError(t, a.SetReadDeadline(time.Now().Add(-time.Second)))
	_, err := a.Read(make([]byte, 1))
	require.Equal(t, "Connection timed out", errnoText(err))
}
