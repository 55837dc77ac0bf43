package tests

// Faults of the fork server: its death (once, and again and again while
// the crash cycles it causes run), and a fork server that is stopped
// (SIGSTOP) with a start request waiting when the host is asked to stop.

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

// TestForkServerKilledRepeatedly: every death of the fork server is a
// crash cycle that the host survives, including the death of the fork
// server a crash cycle has just made (before, during and after the
// startup child); after each cycle the workers start at once, as after
// every crash cycle, although their restart interval is 60 s. Fails on
// the code before the fix: a nil fork server panicked in sendStartup, or
// the host ended with "could not send start-up request to the fork
// server: Broken pipe".
func TestForkServerKilledRepeatedly(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:60:r:run, b:n:60:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	h.workerPid("a", 1)
	h.workerPid("b", 1)

	const rounds = 4
	starts := 1
	for i := 1; i <= rounds; i++ {
		old := forkServerPid(t, h)
		require.NoError(t, unix.Kill(old, unix.SIGKILL))
		// The cycle's new fork server dies as soon as it is there (the
		// first rounds), or once the startup child was asked for.
		var fresh int
		require.Eventually(t, func() bool {
			fresh = childWithTitle(h.pid(), "bgworker: fork server")
			return fresh != 0 && fresh != old
		}, 20*time.Second, time.Millisecond, "round %d: no new fork server", i)
		if i%2 == 0 {
			time.Sleep(time.Duration(i) * 5 * time.Millisecond)
		}
		// A child the fork server just cloned carries its title for a
		// moment, and may be gone already: not an error.
		_ = unix.Kill(fresh, unix.SIGKILL)
		// The host lives on and its workers come back without waiting
		// their 60 s.
		starts++
		h.workerPid("a", starts)
		h.workerPid("b", starts)
		require.NoError(t, unix.Kill(h.pid(), 0), "round %d: the host is gone", i)
	}
	require.NotContains(t, h.log.all(), "panic")
	require.Zero(t, h.log.count(`aborting startup due to startup process failure`))
	require.GreaterOrEqual(t, h.log.count(`LOG:  fork server \(PID \d+\) was terminated by signal 9`), rounds+1)
	require.GreaterOrEqual(t, h.log.count(`all server processes terminated; reinitializing`), rounds+1)

	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}

// TestForkServerStoppedAtShutdown: with the fork server stopped (SIGSTOP)
// and a dynamic launch waiting for it, every stop mode ends: after the
// stop timeout the fork server and its spare are SIGKILLed with the other
// stragglers, and the start request that cannot be served is dropped.
// Fails on the code before the fix (the host waited for ever).
func TestForkServerStoppedAtShutdown(t *testing.T) {
	for _, mode := range []string{"smart", "fast", "immediate"} {
		mode := mode
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			h := startHost(t, dir)
			h.waitReady()
			h.workerPid("a", 1)
			fs := forkServerPid(t, h)
			var spare int
			require.Eventually(t, func() bool {
				spare = childWithTitle(h.pid(), "bgworker: spare worker")
				return spare != 0
			}, 10*time.Second, 5*time.Millisecond, "no spare child")
			require.NoError(t, unix.Kill(fs, unix.SIGSTOP))
			defer unix.Kill(fs, unix.SIGCONT)

			_, err := libbgworker.ControlDo(dir, libbgworker.ControlRequest{Op: libbgworker.OpLaunch,
				Launch: &libbgworker.LaunchSpec{Library: "exitmatrix", Function: "exitmatrix_main",
					Name: "exitmatrix late", Extra: "run"}})
			require.NoError(t, err)

			start := time.Now()
			_, err = libbgworker.ControlDo(dir, libbgworker.ControlRequest{Op: libbgworker.OpStop, Mode: mode})
			require.NoError(t, err)
			require.Equal(t, 0, h.waitExit(30*time.Second), "stop -m %s", mode)
			t.Logf("stop -m %s took %v", mode, time.Since(start))
			require.True(t, processGone(fs, 5*time.Second), "fork server %d left", fs)
			require.True(t, processGone(spare, 5*time.Second), "spare %d left", spare)
			require.Contains(t, h.log.all(), "issuing SIGKILL to recalcitrant children")
			h.requireClean()
			_, err = os.Stat(filepath.Join(dir, "bgworker.sock"))
			require.True(t, os.IsNotExist(err), fmt.Sprint(err))
		})
	}
}

// TestForkServerNotRemade: after the fork server's death, making the new
// one fails 3 times (fault injection): each failure is logged, the host
// tries again after a growing delay, and once a fork server is made the
// workers start. Fails on the code before the fix (the host ended with
// FATAL "could not fork the fork server").
func TestForkServerNotRemade(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:60:r:run"))
	h := startHostEnv(t, dir, faultyHost(t), []string{"BGWORKER_FAULTS=forkserver=EAGAIN@2x3"})
	h.waitReady()
	h.workerPid("a", 1)
	require.NoError(t, unix.Kill(forkServerPid(t, h), unix.SIGKILL))
	h.log.waitFor(t, `LOG:  could not fork the fork server: Resource temporarily unavailable`, 3, 20*time.Second)
	h.workerPid("a", 2)
	require.Equal(t, 3, h.log.count(`could not fork the fork server`))
	require.Equal(t, 1, h.log.count(`DETAIL:  Attempt 3 failed; retrying in 400 ms\.`))
	require.Zero(t, h.log.count(`FATAL`))
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}
