package tests

// The reliability suite (docs/reliability.md): injected system-call
// failures, fork failure, stale state from a dead host, workers that
// misbehave, signal storms and supervisor death. Each scenario ends with the
// host either running or gone with a clear FATAL, and nothing left behind.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestFaultInjectionAtStart: every system call the start depends on,
// failing, gives one FATAL naming it, exit code 1, and nothing left.
func TestFaultInjectionAtStart(t *testing.T) {
	bin := faultyHost(t)
	cases := []struct{ fault, want string }{
		{"shmget=ENOSPC", `FATAL:  could not create shared memory segment: No space left on device`},
		{"shmat=EINVAL", `FATAL:  could not attach shared memory segment \d+: Invalid argument`},
		{"pipe=EMFILE", `FATAL:  could not create pipe to monitor postmaster death: Too many open files`},
		{"lockfile=EACCES", `FATAL:  could not create lock file ".*bgworker.pid": [Pp]ermission denied`},
		{"forkserver=EAGAIN", `FATAL:  could not fork the fork server: .*Resource temporarily unavailable`},
		{"clone=EAGAIN", `LOG:  could not fork startup process: Resource temporarily unavailable`},
	}
	for _, c := range cases {
		c := c
		t.Run(c.fault, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			h := startHostEnv(t, dir, bin, []string{"BGWORKER_FAULTS=" + c.fault})
			require.Equal(t, 1, h.waitExit(20*time.Second), "exit code")
			require.Regexp(t, c.want, h.log.all())
			require.Zero(t, h.log.count(`exitmatrix a started`))
			h.requireClean()
		})
	}
}

// TestFaultsIgnoredByNormalBuild: the production binary has no fault
// table: BGWORKER_FAULTS does nothing there.
func TestFaultsIgnoredByNormalBuild(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHostEnv(t, dir, hostBin, []string{"BGWORKER_FAULTS=shmget=ENOSPC,clone=EAGAIN"})
	h.waitReady()
	h.workerPid("a", 1)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}

// TestFaultShmgetInCrashCycle: when the crash cycle cannot create the new
// segment, the host exits with the FATAL and every worker is gone.
func TestFaultShmgetInCrashCycle(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "by:s:0:r:run, c:s:0:r:segv"))
	h := startHostEnv(t, dir, faultyHost(t), []string{"BGWORKER_FAULTS=shmget=ENOSPC@2"})
	by := h.workerPid("by", 1)
	h.workerPid("c", 1)
	h.trigger()
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	require.Equal(t, 1, h.waitExit(20*time.Second))
	require.Regexp(t, `FATAL:  could not create shared memory segment: No space left on device`, h.log.all())
	h.requireClean(by)
}

// TestForkFailure: clone failing for three workers: each failure is
// logged as PostgreSQL does, the worker with a 1 s interval comes back
// after it, the never-restart one is dropped, the one with interval 0 is
// retried at once, and the host is fine.
func TestForkFailure(t *testing.T) {
	t.Parallel()
	// clone 1 is the startup child; 2, 3, 4 are the first batch of workers.
	dir := newDataDir(t, exitmatrixConf(t, "one:s:1:r:run, never:s:never:r:run, zero:n:0:r:run"))
	h := startHostEnv(t, dir, faultyHost(t), []string{"BGWORKER_FAULTS=clone=EAGAIN@2x3"})
	h.waitReady()
	h.log.waitFor(t, `LOG:  could not fork worker process: Resource temporarily unavailable`, 3, 10*time.Second)
	failedAt := time.Now()
	h.workerPid("zero", 1)
	h.workerPid("one", 1)
	require.GreaterOrEqual(t, time.Since(failedAt), 800*time.Millisecond, "restarted before its interval")
	time.Sleep(500 * time.Millisecond)
	require.Zero(t, h.log.count(`exitmatrix never started`), "never-restart worker retried")

	// The history keeps each failed start with its error, next to the
	// worker's later life; the never-restart worker, dropped, is gone
	// from status as in PostgreSQL.
	workers, err := statusWorkers(hostBin, dir)
	require.NoError(t, err)
	failed := map[string]int{}
	for _, w := range workers {
		require.NotNil(t, w.History, w.Name)
		for _, f := range w.History.Failures {
			require.Equal(t, "could not fork worker process: Resource temporarily unavailable", f.Error, w.Name)
			require.WithinDuration(t, failedAt, f.At, time.Minute, w.Name)
			failed[w.Name]++
		}
		require.Empty(t, w.History.Exits, "%s has not exited", w.Name)
	}
	require.Equal(t, map[string]int{"exitmatrix one": 1, "exitmatrix zero": 1}, failed)
	out, errs, code := ctl(t, "status", "-D", dir, "--history", "exitmatrix one")
	require.Equal(t, 0, code, errs)
	require.Regexp(t, regexp.MustCompile(`(?m)^\d+ +exitmatrix one +\d{4}-\d\d-\d\d [0-9:.]+ +- +could not fork worker process: Resource temporarily unavailable +- +-$`), out)
	require.NotContains(t, out, "exitmatrix zero")

	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}

// TestForkFailurePersistent: clone failing for good never hangs the host:
// it keeps retrying (at least 1 s apart; PostgreSQL retries at once), still reloads,
// and a fast stop ends it.
func TestForkFailurePersistent(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "zero:s:0:r:run, one:n:1:r:run"))
	h := startHostEnv(t, dir, faultyHost(t), []string{"BGWORKER_FAULTS=clone=EAGAIN@2"})
	h.waitReady()
	// each worker retries once a second after a failed fork
	h.log.waitFor(t, `could not fork worker process`, 6, 30*time.Second)
	h.signal(syscall.SIGHUP)
	h.log.waitFor(t, `received SIGHUP, reloading configuration files`, 1, 10*time.Second)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	recordFigure(t, "persistent_fork_failures", h.log.count(`could not fork worker process`))
	h.requireClean()
}

// writeLock writes a lock file naming pid (with start ticks procStart)
// and segment shmID, as a host that died would have left it.
func writeLock(t *testing.T, dir string, pid int, procStart uint64, shmID int) {
	t.Helper()
	content := fmt.Sprintf("%d\n%s\n%d\n%d\n%d\n\nready\n", pid, dir, time.Now().Unix(), procStart, shmID)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bgworker.pid"), []byte(content), 0o600))
}

// procStartOf is field 22 of /proc/PID/stat.
func procStartOf(t *testing.T, pid int) uint64 {
	f := procStat(pid)
	require.Greater(t, len(f), 19, "/proc/%d/stat", pid)
	v, err := strconv.ParseUint(f[19], 10, 64)
	require.NoError(t, err)
	return v
}

// TestStaleLockFile: a lock file left by a dead host, or naming a pid that
// now belongs to an unrelated process (pid 1, a sleep of ours: their start
// times differ from the recorded one), is reclaimed; one naming the live
// process it was written for is not.
func TestStaleLockFile(t *testing.T) {
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	sleeper := exec.Command("sleep", "60")
	require.NoError(t, sleeper.Start())
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	sp := sleeper.Process.Pid
	cases := []struct {
		name      string
		pid       int
		procStart uint64
		refused   bool
	}{
		{"dead pid", dead.Process.Pid, 12345, false},
		{"pid 1", 1, procStartOf(t, 1) + 1, false},
		{"reused pid", sp, procStartOf(t, sp) + 7, false},
		{"live owner", sp, procStartOf(t, sp), true},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			writeLock(t, dir, c.pid, c.procStart, -1)
			h := startHost(t, dir)
			if c.refused {
				require.Equal(t, 1, h.waitExit(10*time.Second))
				require.Contains(t, h.log.all(), fmt.Sprintf("Is another bgworker (PID %d) running", c.pid))
				return
			}
			h.waitReady()
			h.workerPid("a", 1)
			h.signal(syscall.SIGINT)
			require.Equal(t, 0, h.waitExit(20*time.Second))
			h.requireClean()
		})
	}
}

// TestStaleSegmentStillAttached: after the supervisor was SIGKILLed, a
// segment still attached by a surviving process (here the test itself)
// refuses the next start with PostgreSQL's hint; once it is detached the
// start succeeds and removes it.
func TestStaleSegmentStillAttached(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	pa := h.workerPid("a", 1)
	segs := segmentsOwnedBy(h.pid())
	require.Len(t, segs, 1)
	mem, err := unix.SysvShmAttach(segs[0], 0, unix.SHM_RDONLY)
	require.NoError(t, err)
	attached := true
	defer func() {
		if attached {
			unix.SysvShmDetach(mem)
		}
	}()
	h.signal(syscall.SIGKILL)
	h.waitExit(10 * time.Second)
	require.True(t, processGone(pa, 5*time.Second))

	h2 := startHost(t, dir)
	require.Equal(t, 1, h2.waitExit(10*time.Second))
	log := h2.log.all()
	require.Regexp(t, fmt.Sprintf(`FATAL:  pre-existing shared memory block \(key \d+, ID %d\) is still in use`, segs[0]), log)
	require.Contains(t, log, fmt.Sprintf(`HINT:  Terminate any old server processes associated with data directory "%s".`, dir))
	require.True(t, segmentExists(segs[0]))

	require.NoError(t, unix.SysvShmDetach(mem))
	attached = false
	h3 := startHost(t, dir)
	h3.waitReady()
	require.False(t, segmentExists(segs[0]), "stale segment not removed")
	h3.signal(syscall.SIGINT)
	require.Equal(t, 0, h3.waitExit(20*time.Second))
	h3.requireClean()
}

// TestSupervisorKilledRepeatedly: SIGKILL of the supervisor with 100
// workers running, several times on the same directory (100 times with
// BGW_RELIABILITY_LONG): every worker gone each time, the next start
// succeeds, no stale segment. Reports the worst kill-to-gone time.
func TestSupervisorKilledRepeatedly(t *testing.T) {
	t.Parallel()
	rounds := 3
	if longRun() {
		rounds = 100
	}
	var spec []string
	for i := 0; i < 99; i++ {
		spec = append(spec, fmt.Sprintf("w%d:s:0:r:run", i))
	}
	spec = append(spec, "nosh:n:0:r:run")
	dir := newDataDir(t, exitmatrixConf(t, strings.Join(spec, ","), "max_worker_processes = 128"))
	rx := regexp.MustCompile(`exitmatrix \S+ started pid (\d+)`)
	var worst, total time.Duration
	var oldSegs []int
	for round := 0; round < rounds; round++ {
		h := startHost(t, dir)
		h.waitReady()
		h.log.waitFor(t, `exitmatrix \S+ started pid`, 100, 30*time.Second)
		for _, id := range oldSegs {
			require.False(t, segmentExists(id), "round %d: stale segment %d not removed", round, id)
		}
		var pids []int
		for _, l := range strings.Split(h.log.all(), "\n") {
			if m := rx.FindStringSubmatch(l); m != nil {
				pid, _ := strconv.Atoi(m[1])
				pids = append(pids, pid)
			}
		}
		require.Len(t, pids, 100)
		oldSegs = segmentsOwnedBy(h.pid())
		killed := time.Now()
		h.signal(syscall.SIGKILL)
		for _, pid := range pids {
			require.True(t, processGone(pid, 10*time.Second), "round %d: worker %d survived its supervisor", round, pid)
		}
		took := time.Since(killed)
		total += took
		if took > worst {
			worst = took
		}
		h.waitExit(10 * time.Second)
	}
	h := startHost(t, dir)
	h.waitReady()
	for _, id := range oldSegs {
		require.False(t, segmentExists(id), "stale segment %d not removed", id)
	}
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.requireClean()
	recordFigure(t, "supervisor_kill", map[string]any{"rounds": rounds, "workers": 100,
		"worst_ms": float64(worst.Microseconds()) / 1000, "mean_ms": float64(total.Microseconds()) / 1000 / float64(rounds)})
}

// TestMisbehaveCrashHoldingLockAndChildren: a worker that forked a child
// of its own takes it along in a crash cycle and at shutdown (process
// groups); a worker that crashes holding an LWLock leaves it free in the
// new shared memory.
func TestMisbehaveCrashHoldingLockAndChildren(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, misbehaveConf(t, "fc:s:0:forkchild, fn:n:0:forkchild, lw:s:0:lwlock"))
	h := startHost(t, dir)
	h.waitReady()
	c1 := h.misbehaveChildPid("fc", 1)
	n1 := h.misbehaveChildPid("fn", 1)
	h.log.waitFor(t, `misbehave lw holds the lock`, 1, 20*time.Second)
	h.goMisbehave()
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	require.True(t, processGone(c1, 5*time.Second), "a worker's child survived the crash cycle")
	h.log.waitFor(t, `misbehave lw finds the lock free`, 1, 20*time.Second)
	require.Zero(t, h.log.count(`finds the lock busy`))
	c2 := h.misbehaveChildPid("fc", 2)
	n2 := h.misbehaveChildPid("fn", 2)
	require.NotEqual(t, c1, c2)
	require.True(t, processGone(n1, 5*time.Second))
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean(c2, n2)
}

// TestMisbehaveChildrenKeepingHandlers: children that kept their worker's
// handlers (SIGTERM only sets a flag in them) are gone after a fast
// shutdown, and the children of a worker that crashed are gone after the
// crash cycle, though nothing but the worker's exit told them to go
// (PostgreSQL leaves both running, attached to the old segment).
func TestMisbehaveChildrenKeepingHandlers(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, misbehaveConf(t, "ks:s:0:forkkeep, kn:n:0:forkkeep, kc:s:0:forkcrash"))
	h := startHost(t, dir)
	h.waitReady()
	// All three must have forked their children before the crash: under
	// load a worker still starting when kc crashes logs its first child
	// only after the cycle, and the second count below never comes.
	h.misbehaveChildPid("ks", 1)
	h.misbehaveChildPid("kn", 1)
	crashChild := h.misbehaveChildPid("kc", 1)
	h.goMisbehave()
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	require.True(t, processGone(crashChild, 5*time.Second), "the crashed worker's child survived the crash cycle")
	kids := []int{h.misbehaveChildPid("ks", 2), h.misbehaveChildPid("kn", 2), h.misbehaveChildPid("kc", 2)}
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean(kids...)
}

// TestMisbehaveSlotGarbage: a worker scribbling over the slot array (its
// header, or every free slot) cannot take the supervisor down: it logs
// "inconsistent background worker state", starts nothing from the
// garbage, and goes on.
func TestMisbehaveSlotGarbage(t *testing.T) {
	for _, action := range []string{"scribbleheader", "scribbleslots"} {
		action := action
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, misbehaveConf(t, "sc:s:0:"+action+", by:s:0:run"))
			h := startHost(t, dir)
			h.waitReady()
			by := h.misbehavePid("by", 1)
			h.misbehavePid("sc", 1)
			h.goMisbehave()
			h.log.waitFor(t, `misbehave sc scribbled`, 1, 20*time.Second)
			h.log.waitFor(t, `LOG:  inconsistent background worker state`, 1, 20*time.Second)
			// The host still serves signals and runs its workers.
			h.signal(syscall.SIGHUP)
			h.log.waitFor(t, `received SIGHUP`, 1, 10*time.Second)
			require.Equal(t, 1, h.log.count(`misbehave by started`))
			require.Zero(t, h.log.count(`terminating any other active server processes`))
			for _, l := range strings.Split(h.log.all(), "\n") {
				if strings.Contains(l, "background worker") && strings.Contains(l, "exited") {
					require.Regexp(t, `"misbehave (by|sc)"`, l, "a worker from the garbage ran")
				}
			}
			h.signal(syscall.SIGINT)
			require.Equal(t, 0, h.waitExit(20*time.Second))
			h.requireClean(by)
		})
	}
}

// TestStoppedWorkerInCrashCycle: a worker stopped with SIGSTOP cannot
// obey SIGQUIT; SIGKILL after 5 s ends it and the cycle completes. With
// SIGINT arriving during that cycle, the host shuts down instead.
func TestStoppedWorkerInCrashCycle(t *testing.T) {
	for _, interrupt := range []bool{false, true} {
		interrupt := interrupt
		t.Run(fmt.Sprintf("sigint=%v", interrupt), func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, exitmatrixConf(t, "st:s:0:r:run, c:s:0:r:segv"))
			h := startHost(t, dir)
			h.waitReady()
			st := h.workerPid("st", 1)
			h.workerPid("c", 1)
			require.NoError(t, unix.Kill(st, unix.SIGSTOP))
			h.trigger()
			h.log.waitFor(t, `terminating any other active server processes`, 1, 20*time.Second)
			if interrupt {
				h.signal(syscall.SIGINT)
				h.log.waitFor(t, `received fast shutdown request`, 1, 10*time.Second)
			}
			h.log.waitFor(t, `issuing SIGKILL to recalcitrant children`, 1, 20*time.Second)
			require.True(t, processGone(st, 5*time.Second))
			if interrupt {
				require.Equal(t, 0, h.waitExit(20*time.Second))
				require.Zero(t, h.log.count(`reinitializing`))
				require.Equal(t, 1, h.log.count(`exitmatrix st started`))
				h.requireClean()
				return
			}
			h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
			h.workerPid("st", 2)
			h.signal(syscall.SIGINT)
			require.Equal(t, 0, h.waitExit(20*time.Second))
			h.requireClean()
		})
	}
}

// TestSIGHUPStorm: 10 000 SIGHUPs as fast as they can be sent: the host
// stays alive, reloads (coalescing what arrives together), and the last
// configuration is applied.
func TestSIGHUPStorm(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run, b:n:0:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	h.workerPid("a", 1)
	h.workerPid("b", 1)
	start := time.Now()
	for i := 0; i < 10000; i++ {
		require.NoError(t, unix.Kill(h.pid(), unix.SIGHUP))
	}
	sent := time.Since(start)
	appendConf(t, dir, "log_line_prefix = 'after-storm %p '")
	require.NoError(t, unix.Kill(h.pid(), unix.SIGHUP))
	// The last reload may be one the storm already started (signals that
	// arrive together are coalesced): its "received SIGHUP" line then has
	// the old prefix, and the first line with the new one is the change.
	h.log.waitFor(t, `^after-storm \d+ LOG:  `, 1, 60*time.Second)
	require.NoError(t, unix.Kill(h.pid(), 0), "host died in the storm")
	reloads := h.log.count(`received SIGHUP, reloading configuration files`)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	require.Equal(t, 1, h.log.count(`exitmatrix a started`))
	h.requireClean()
	recordFigure(t, "sighup_storm", map[string]any{"signals": 10001, "send_ms": sent.Milliseconds(), "reloads": reloads})
}

// TestStopDuringSIGHUPStorm: a fast stop sent while SIGHUPs keep coming
// is not lost (os/signal drops a signal whose channel is full, so the
// stop requests must not share a channel with the storm).
func TestStopDuringSIGHUPStorm(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	h.workerPid("a", 1)
	done := make(chan struct{})
	stormed := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if unix.Kill(h.pid(), unix.SIGHUP) != nil {
				if i <= 2000 {
					close(stormed) // the host died: fail below, not hang
				}
				return
			}
			if i == 2000 {
				close(stormed)
			}
		}
	}()
	defer close(done)
	<-stormed
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second), "the fast stop was lost in the storm")
	require.Contains(t, h.log.all(), "received fast shutdown request")
	h.requireClean()
}

// TestSIGTERMDuringStartup: a smart stop that arrives while 100 workers
// are being started ends the host cleanly.
func TestSIGTERMDuringStartup(t *testing.T) {
	t.Parallel()
	var spec []string
	for i := 0; i < 100; i++ {
		spec = append(spec, fmt.Sprintf("w%d:s:0:p:run", i))
	}
	dir := newDataDir(t, exitmatrixConf(t, strings.Join(spec, ","), "max_worker_processes = 128"))
	h := startHost(t, dir)
	h.log.waitFor(t, `starting bgworker`, 1, 10*time.Second)
	h.signal(syscall.SIGTERM)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	require.Contains(t, h.log.all(), "received smart shutdown request")
	h.requireClean()
	for pid := range childrenOf(h.pid()) {
		require.True(t, processGone(pid, 5*time.Second))
	}
}

// TestPromoteDuringShutdown: a promote request during a smart shutdown is
// ignored; the shutdown completes.
func TestPromoteDuringShutdown(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "st:s:0:p:ignoreterm"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "standby.signal"), nil, 0o600))
	h := startHost(t, dir)
	h.log.waitFor(t, `ready to accept read-only connections`, 1, 20*time.Second)
	pid := h.workerPid("st", 1)
	h.signal(syscall.SIGTERM)
	h.log.waitFor(t, `received smart shutdown request`, 1, 10*time.Second)
	out, err := cliCommand(hostBin, "promote", "-D", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	require.Zero(t, h.log.count(`received promote request`))
	require.Zero(t, h.log.count(`ready to accept connections`))
	h.requireClean(pid)
}

// TestPrivateFiles: the lock file, the segment and the control socket (if
// any) are 0600.
func TestPrivateFiles(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHost(t, dir)
	h.waitReady()
	h.workerPid("a", 1)
	st, err := os.Stat(filepath.Join(dir, "bgworker.pid"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "lock file mode")
	segs := segmentsOwnedBy(h.pid())
	require.Len(t, segs, 1)
	var desc unix.SysvShmDesc
	_, err = unix.SysvShmCtl(segs[0], unix.IPC_STAT, &desc)
	require.NoError(t, err)
	require.Equal(t, uint32(0o600), uint32(desc.Perm.Mode&0o777), "segment mode")
	lines := strings.Split(readFile(t, filepath.Join(dir, "bgworker.pid")), "\n")
	if len(lines) > 5 && lines[5] != "" {
		st, err := os.Stat(lines[5])
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "control socket mode")
	}
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}

func readFile(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
