package tests

// End-to-end tests of the host: start, exits and restarts, the crash
// cycle, phases, shutdown modes, supervisor death, locking.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStartAndFastShutdown: workers start and log; SIGINT stops them with
// PostgreSQL's lines and leaves nothing behind.
func TestStartAndFastShutdown(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:1:p:run, b:s:1:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	pa, pb := h.workerPid("a", 1), h.workerPid("b", 1)
	// Workers run in the data directory, see it in DataDir, and are the
	// supervisor's own children.
	m := h.log.waitFor(t, `exitmatrix a started pid \d+ cwd (\S+) datadir (\S+) parent (\d+)`, 1, time.Second)
	require.Equal(t, dir, m[1])
	require.Equal(t, dir, m[2])
	require.Equal(t, fmt.Sprint(h.pid()), m[3])
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	log := h.log.all()
	require.Contains(t, log, "received fast shutdown request")
	require.Contains(t, log, fmt.Sprintf(`background worker "exitmatrix a" (PID %d) exited with exit code 1`, pa))
	require.Contains(t, log, fmt.Sprintf(`background worker "exitmatrix b" (PID %d) exited with exit code 1`, pb))
	require.Contains(t, log, "database system is shut down")
	h.requireClean(pa, pb)
}

// TestExitMatrix: every way a worker can end, with and without shared
// memory, and what the host does about it (docs/design.md §5.3).
func TestExitMatrix(t *testing.T) {
	type row struct {
		action, flags, restart string
		restarts               bool // the worker itself comes back
		crashCycle             bool // everybody is restarted with new shared memory
		logRe                  string
	}
	rows := []row{
		{"exit0", "s", "0", false, false, ""},
		{"return", "s", "0", false, false, ""},
		{"exit1", "s", "1", true, false, `exited with exit code 1`},
		{"exit1", "s", "never", false, false, `exited with exit code 1`},
		{"error", "s", "0", true, false, `ERROR:  exitmatrix \S+ raises an error`},
		{"fatal", "s", "0", true, false, `FATAL:  exitmatrix \S+ raises a fatal error`},
		{"exit2", "s", "0", true, true, `exited with exit code 2`},
		{"_exit0", "s", "0", false, true, `exited with exit code 0`},
		{"_exit1", "s", "0", true, true, `exited with exit code 1`},
		{"segv", "s", "0", true, true, `was terminated by signal 11: Segmentation fault`},
		{"abort", "s", "0", true, true, `was terminated by signal 6: Aborted`},
		{"kill", "s", "0", true, true, `was terminated by signal 9: Killed`},
		{"panic", "s", "0", true, true, `PANIC:  exitmatrix \S+ panics`},
		{"exit2", "s", "never", false, true, `exited with exit code 2`},
		{"exit2", "n", "0", true, false, `exited with exit code 2`},
		{"segv", "n", "0", true, false, `was terminated by signal 11`},
		{"_exit0", "n", "0", false, false, ""},
		{"exit1", "n", "never", false, false, `exited with exit code 1`},
	}
	for i, r := range rows {
		r := r
		name := fmt.Sprintf("%s_%s_%s", r.action, r.flags, r.restart)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			victim := fmt.Sprintf("v%d", i)
			spec := fmt.Sprintf("%s:%s:%s:r:%s, bystander:s:0:r:run", victim, r.flags, r.restart, r.action)
			dir := newDataDir(t, exitmatrixConf(t, spec))
			h := startHost(t, dir)
			h.waitReady()
			by1 := h.workerPid("bystander", 1)
			h.workerPid(victim, 1)
			h.trigger()
			if r.logRe != "" {
				h.log.waitFor(t, r.logRe, 1, 10*time.Second)
			}
			if r.crashCycle {
				h.log.waitFor(t, `terminating any other active server processes`, 1, 10*time.Second)
				h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 10*time.Second)
				by2 := h.workerPid("bystander", 2)
				require.NotEqual(t, by1, by2)
			}
			if r.restarts {
				h.workerPid(victim, 2)
			} else {
				// Give a wrong restart time to show itself.
				time.Sleep(1500 * time.Millisecond)
				require.Equal(t, 1, h.log.count(`exitmatrix `+victim+` started`), "worker restarted")
			}
			if !r.crashCycle {
				require.Zero(t, h.log.count(`terminating any other active server processes`))
				require.Equal(t, 1, h.log.count(`exitmatrix bystander started`))
			}
			h.signal(syscall.SIGINT)
			require.Equal(t, 0, h.waitExit(20*time.Second))
			h.requireClean(by1)
		})
	}
}

// TestRestartInterval: exit 1 with bgw_restart_time = 1 comes back after
// about a second, not at once.
func TestRestartInterval(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "r:s:1:r:exit1"))
	h := startHost(t, dir)
	h.workerPid("r", 1)
	h.trigger()
	h.log.waitFor(t, `exited with exit code 1`, 1, 10*time.Second)
	exitAt := time.Now()
	h.workerPid("r", 2)
	require.GreaterOrEqual(t, time.Since(exitAt), 800*time.Millisecond, "restarted before its interval")
	h.signal(syscall.SIGTERM)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}

// TestCrashCycle100: one crash among 100 workers takes them all down and
// brings them all back with fresh shared memory.
func TestCrashCycle100(t *testing.T) {
	t.Parallel()
	var spec []string
	for i := 0; i < 99; i++ {
		spec = append(spec, fmt.Sprintf("w%d:s:5:r:run", i))
	}
	spec = append(spec, "crasher:s:0:r:segv")
	dir := newDataDir(t, exitmatrixConf(t, strings.Join(spec, ","), "max_worker_processes = 128"))
	h := startHost(t, dir)
	h.waitReady()
	first := map[int]bool{}
	for i := 0; i < 99; i++ {
		first[h.workerPid(fmt.Sprintf("w%d", i), 1)] = true
	}
	h.trigger()
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	for i := 0; i < 99; i++ {
		pid := h.workerPid(fmt.Sprintf("w%d", i), 2)
		require.False(t, first[pid])
	}
	for pid := range first {
		require.True(t, processGone(pid, 5*time.Second))
	}
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.requireClean()
}

// TestRestartAfterCrashOff: with restart_after_crash off, a crash ends
// the host with exit code 1.
func TestRestartAfterCrashOff(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "c:s:0:r:exit2, by:s:0:r:run", "restart_after_crash = off"))
	h := startHost(t, dir)
	by := h.workerPid("by", 1)
	h.trigger()
	h.log.waitFor(t, `shutting down because restart_after_crash is off`, 1, 20*time.Second)
	require.Equal(t, 1, h.waitExit(20*time.Second))
	h.log.waitFor(t, `database system is shut down`, 1, 5*time.Second)
	h.requireClean(by)
}

// TestStartPhasesAndPromote: a standby runs PostmasterStart and
// ConsistentState workers, RecoveryFinished ones only after promote.
func TestStartPhasesAndPromote(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "p:s:0:p:run, c:s:0:c:run, r:s:0:r:run"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "standby.signal"), nil, 0o600))
	h := startHost(t, dir)
	h.log.waitFor(t, `database system is ready to accept read-only connections`, 1, 20*time.Second)
	h.workerPid("p", 1)
	h.workerPid("c", 1)
	time.Sleep(500 * time.Millisecond)
	require.Zero(t, h.log.count(`exitmatrix r started`), "RecoveryFinished worker ran on a standby")
	out, err := cliCommand(hostBin, "promote", "-D", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	h.log.waitFor(t, `received promote request`, 1, 10*time.Second)
	h.log.waitFor(t, `database system is ready to accept connections`, 1, 10*time.Second)
	h.workerPid("r", 1)
	_, err = os.Stat(filepath.Join(dir, "standby.signal"))
	require.True(t, os.IsNotExist(err))
	out, err = cliCommand(hostBin, "stop", "-D", dir, "-m", "smart").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, 0, h.waitExit(5*time.Second))
	h.requireClean()
}

// TestHotStandbyOff: without hot_standby, a standby runs only
// PostmasterStart workers.
func TestHotStandbyOff(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "p:s:0:p:run, c:s:0:c:run", "hot_standby = off"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "standby.signal"), nil, 0o600))
	h := startHost(t, dir)
	h.workerPid("p", 1)
	time.Sleep(700 * time.Millisecond)
	require.Zero(t, h.log.count(`exitmatrix c started`))
	require.Zero(t, h.log.count(`ready to accept`))
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}

// TestShutdownModes: each mode, by CLI and by signal, ends the host and
// every worker.
func TestShutdownModes(t *testing.T) {
	cases := []struct {
		name   string
		stop   func(h *host)
		logRe  string
		exitRe string
	}{
		{"smart-cli", func(h *host) { cliStop(h, "smart") }, "received smart shutdown request", `exited with exit code 1`},
		{"fast-cli", func(h *host) { cliStop(h, "fast") }, "received fast shutdown request", `exited with exit code 1`},
		{"immediate-cli", func(h *host) { cliStop(h, "immediate") }, "received immediate shutdown request", ""},
		{"smart-signal", func(h *host) { h.signal(syscall.SIGTERM) }, "received smart shutdown request", `exited with exit code 1`},
		{"immediate-signal", func(h *host) { h.signal(syscall.SIGQUIT) }, "received immediate shutdown request", ""},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:p:run, b:n:0:r:run"))
			h := startHost(t, dir)
			h.waitReady()
			pa, pb := h.workerPid("a", 1), h.workerPid("b", 1)
			c.stop(h)
			require.Equal(t, 0, h.waitExit(20*time.Second))
			require.Contains(t, h.log.all(), c.logRe)
			if c.exitRe != "" {
				require.Contains(t, h.log.all(), fmt.Sprintf(`(PID %d) exited with exit code 1`, pa))
			}
			h.requireClean(pa, pb)
		})
	}
}

func cliStop(h *host, mode string) {
	out, err := cliCommand(hostBin, "stop", "-D", h.dir, "-m", mode).CombinedOutput()
	require.NoError(h.t, err, "%s", out)
	require.Contains(h.t, string(out), "server stopped")
}

// TestStopKillsWorkersIgnoringSIGTERM: a worker that ignores SIGTERM does
// not hold up a fast stop for ever. Its SIGKILL is the host's doing, not a
// crash: no exit line at LOG, no crash cycle (as after PostgreSQL's
// immediate shutdown). With log_min_messages = debug1 the host also logs
// PostgreSQL's debug lines for the library and the start.
func TestStopKillsWorkersIgnoringSIGTERM(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "stubborn:s:0:r:ignoreterm", "log_min_messages = debug1"))
	h := startHost(t, dir)
	pid := h.workerPid("stubborn", 1)
	h.signal(syscall.SIGINT)
	h.log.waitFor(t, `issuing SIGKILL to recalcitrant children`, 1, 15*time.Second)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean(pid)
	log := h.log.all()
	require.Contains(t, log, `DEBUG:  loaded library "exitmatrix"`)
	require.Contains(t, log, `DEBUG:  starting background worker process "exitmatrix stubborn"`)
	require.NotContains(t, log, "terminated by signal 9")
	require.NotContains(t, log, "terminating any other active server processes")
	require.Contains(t, log, "database system is shut down")
}

// TestSupervisorKilled: SIGKILL of the supervisor takes every worker with
// it, and the next start on the same directory works and removes the old
// segment.
func TestSupervisorKilled(t *testing.T) {
	t.Parallel()
	var spec []string
	for i := 0; i < 10; i++ {
		spec = append(spec, fmt.Sprintf("k%d:s:0:r:run", i))
	}
	spec = append(spec, "nosh:n:0:r:run")
	dir := newDataDir(t, exitmatrixConf(t, strings.Join(spec, ","), "max_worker_processes = 16"))
	h := startHost(t, dir)
	h.waitReady()
	var pids []int
	for i := 0; i < 10; i++ {
		pids = append(pids, h.workerPid(fmt.Sprintf("k%d", i), 1))
	}
	pids = append(pids, h.workerPid("nosh", 1))
	oldSegs := segmentsOwnedBy(h.pid())
	require.NotEmpty(t, oldSegs)
	h.signal(syscall.SIGKILL)
	h.waitExit(10 * time.Second)
	for _, pid := range pids {
		require.True(t, processGone(pid, 5*time.Second), "worker %d survived its supervisor", pid)
	}
	h2 := startHost(t, dir)
	h2.waitReady()
	h2.workerPid("k0", 1)
	for _, id := range oldSegs {
		require.False(t, segmentExists(id), "stale segment %d not removed", id)
	}
	h2.signal(syscall.SIGINT)
	require.Equal(t, 0, h2.waitExit(20*time.Second))
	h2.requireClean()
}

// TestSecondHostRefused: a live host's data directory cannot be started
// twice.
func TestSecondHostRefused(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	h2 := startHost(t, dir)
	require.Equal(t, 1, h2.waitExit(10*time.Second))
	require.Contains(t, h2.log.all(), `FATAL:  lock file "`+dir+`/bgworker.pid" already exists`)
	require.Contains(t, h2.log.all(), fmt.Sprintf("Is another bgworker (PID %d) running", h.pid()))
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}

// TestReloadForwardsSIGHUP: SIGHUP reloads the host and reaches workers.
func TestReloadForwardsSIGHUP(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	h.workerPid("a", 1)
	out, err := cliCommand(hostBin, "reload", "-D", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	h.log.waitFor(t, `received SIGHUP, reloading configuration files`, 1, 10*time.Second)
	h.log.waitFor(t, `exitmatrix a reloaded`, 1, 10*time.Second)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}
