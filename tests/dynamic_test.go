package tests

// End-to-end tests of dynamic background workers (docs/design.md §5.7),
// driven by tests/modules/launcher.c: registration, waiting, termination,
// slot exhaustion, sanity checks, shutdown, supervisor death, crash cycles,
// libraries loaded late, and a worker that scribbles over the slot array.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

// launcherConf is a configuration preloading the launcher module.
func launcherConf(t *testing.T, mode string, extra ...string) string {
	so := compileModule(t, "launcher", "launcher")
	conf := fmt.Sprintf("shared_preload_libraries = 'launcher'\ndynamic_library_path = '%s'\nlauncher.mode = '%s'\n",
		filepath.Dir(so), mode)
	return conf + strings.Join(extra, "\n")
}

// stopClean stops the host fast and checks that nothing is left.
func (h *host) stopClean() {
	h.t.Helper()
	h.signal(syscall.SIGINT)
	require.Equal(h.t, 0, h.waitExit(30*time.Second))
	h.requireClean()
}

// TestDynamicLoop200: start, wait for, terminate and wait for 200 workers
// in a row, with no SIGUSR1 handler in the launcher; then a stale handle
// reads STOPPED and cannot terminate the slot's next occupant.
func TestDynamicLoop200(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "loop", "launcher.count = 200"))
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `launcher 0 loop done 200`, 1, 120*time.Second)
	h.log.waitFor(t, `launcher 0 stale ok`, 1, 20*time.Second)
	require.Zero(t, h.log.count(`FAIL`), h.log.all())
	h.stopClean()
}

// TestDynamicConcurrent: several launchers register at once; the slot
// hand-off never gives two of them the same slot.
func TestDynamicConcurrent(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "loop", "launcher.count = 40", "launcher.launchers = 6",
		"max_worker_processes = 16"))
	h := startHost(t, dir)
	h.waitReady()
	deadline := time.Now().Add(60 * time.Second)
	for h.log.count(`launcher \d stale ok`) < 6 {
		if time.Now().After(deadline) {
			rep := controlStatus(t, dir)
			for _, w := range rep.Workers {
				wchan, _ := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", w.Pid))
				stack, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stack", w.Pid))
				t.Logf("%+v wchan %s\n%s", w, wchan, stack)
				if w.WaitEvent == "" && os.Getenv("BGW_GDB") != "" {
					bt, _ := exec.Command("gdb", "-p", fmt.Sprint(w.Pid), "-batch", "-ex", "bt").CombinedOutput()
					t.Logf("GDB %s", bt)
				}
			}
			t.Fatalf("launchers did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.Zero(t, h.log.count(`FAIL`), h.log.all())
	h.stopClean()
}

// TestDynamicStartWithSupervisorStopped: while the host runs, the fork
// server starts a new registration on its own (a fast start): a launcher
// gets its child started while the supervisor is stopped (SIGSTOP), and
// the supervisor, once continued, adopts the child from the fork server's
// reply, so that terminating it and waiting for its end work as ever.
func TestDynamicStartWithSupervisorStopped(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "stopped"))
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `launcher 0 stopped waiting`, 1, 20*time.Second)
	h.signal(syscall.SIGSTOP)
	stopped := true
	defer func() {
		if stopped {
			h.signal(syscall.SIGCONT)
		}
	}()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "launcher_go"), nil, 0o600))
	var started []byte
	require.Eventually(t, func() bool {
		var err error
		started, err = os.ReadFile(filepath.Join(dir, "launcher_started"))
		return err == nil
	}, 20*time.Second, 10*time.Millisecond, "the child did not start while the supervisor was stopped")
	h.signal(syscall.SIGCONT)
	stopped = false
	pid := strings.TrimSpace(string(started))
	h.log.waitFor(t, `launcher 0 stopped ok `+pid, 1, 20*time.Second)
	h.log.waitFor(t, `launcher child child stopped started pid `+pid, 1, 20*time.Second)
	require.Zero(t, h.log.count(`FAIL`), h.log.all())
	h.stopClean()
}

// TestDynamicNoFreeSlot: registration returns false once every slot is
// taken; the slots come back once the workers are gone.
func TestDynamicNoFreeSlot(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "nofree", "max_worker_processes = 6"))
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `launcher 0 nofree registered 5`, 1, 20*time.Second)
	h.log.waitFor(t, `launcher 0 nofree done`, 1, 20*time.Second)
	require.Zero(t, h.log.count(`FAIL`), h.log.all())
	h.stopClean()
}

// TestDynamicSanityChecks: a registration that fails the checks raises
// ERROR in the registering worker.
func TestDynamicSanityChecks(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "sanity"))
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `launcher 0 sanity done`, 1, 20*time.Second)
	log := h.log.all()
	require.Contains(t, log, `sanity caught: background worker "bad restart": invalid restart interval`)
	require.Contains(t, log, `sanity caught: background worker "bad parallel": parallel workers may not be configured for restart`)
	require.Contains(t, log, `sanity caught: background worker "bad database": must attach to shared memory in order to request a database connection`)
	require.Zero(t, h.log.count(`sanity no error`))
	h.stopClean()
}

// TestDynamicTerminateBeforeStart: on a hot standby a RecoveryFinished
// worker cannot start; terminating it frees the slot, the waiter sees
// STOPPED, and the worker never runs, not even after promotion.
func TestDynamicTerminateBeforeStart(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "termbefore"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "standby.signal"), nil, 0o600))
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `launcher 0 termbefore before NOT_YET_STARTED`, 1, 20*time.Second)
	h.log.waitFor(t, `launcher 0 termbefore after STOPPED`, 1, 20*time.Second)
	out, err := runCLI("promote", "-D", dir)
	require.NoError(t, err, out)
	h.waitForLine(`database system is ready to accept connections`)
	time.Sleep(300 * time.Millisecond) // nothing should appear; not a timing assertion
	require.Zero(t, h.log.count(`launcher child child never started`))
	h.stopClean()
}

// waitForLine waits for one line matching re.
func (h *host) waitForLine(re string) []string {
	h.t.Helper()
	return h.log.waitFor(h.t, re, 1, 20*time.Second)
}

// TestDynamicShutdownRefusesNewWorkers: during a shutdown a new
// registration is released at once and its waiter sees STOPPED.
func TestDynamicShutdownRefusesNewWorkers(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "shutdown"))
	h := startHost(t, dir)
	h.waitReady()
	h.waitForLine(`launcher 0 shutdown ready`)
	h.signal(syscall.SIGTERM)
	h.waitForLine(`launcher 0 shutdown (status \w+|register refused)`)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	require.Contains(t, h.log.all(), `launcher 0 shutdown status STOPPED`)
	require.Zero(t, h.log.count(`launcher child child during shutdown started`))
	h.requireClean()
}

// TestDynamicPostmasterDeath: a waiter learns that the supervisor died.
func TestDynamicPostmasterDeath(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "pmdeath"))
	h := startHost(t, dir)
	h.waitReady()
	h.waitForLine(`launcher 0 pmdeath waiting`)
	segs := segmentsOwnedBy(h.pid())
	h.signal(syscall.SIGKILL)
	h.waitForLine(`launcher 0 pmdeath status POSTMASTER_DIED`)
	h.waitExit(20 * time.Second)
	// The next start removes the old segment; then stop it cleanly.
	appendConf(t, dir, "launcher.mode = 'idle'")
	h2 := startHost(t, dir)
	h2.waitReady()
	for _, id := range segs {
		require.False(t, segmentExists(id), "stale segment %d not removed", id)
	}
	h2.stopClean()
}

// TestDynamicLateLibrary: a dynamic worker's library that was not
// preloaded is loaded in the worker, _PG_init running there with
// process_shared_preload_libraries_in_progress false.
func TestDynamicLateLibrary(t *testing.T) {
	t.Parallel()
	compileModule(t, "launcher", "launcher_late")
	dir := newDataDir(t, launcherConf(t, "late", "launcher.late_library = 'launcher_late'"))
	h := startHost(t, dir)
	h.waitReady()
	// The child exits at once: the launcher may see it already gone, which
	// PostgreSQL reports as BGWH_STOPPED too.
	h.waitForLine(`launcher 0 late startup (STARTED|STOPPED)`)
	h.waitForLine(`launcher 0 late shutdown STOPPED`)
	m := h.waitForLine(`launcher child child late started pid (\d+) preload 0`)
	require.Contains(t, h.log.all(), fmt.Sprintf("launcher _PG_init in pid %s preload 0", m[1]))
	h.stopClean()
}

// TestDynamicCrashCycle: a crash rebuilds the slot array; a restartable
// dynamic worker comes back, a never-restart one is forgotten.
func TestDynamicCrashCycle(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "crash"))
	h := startHost(t, dir)
	h.waitReady()
	h.waitForLine(`launcher 0 crashing`)
	h.waitForLine(`all server processes terminated; reinitializing`)
	h.waitForLine(`launcher 0 restarted after the crash`)
	// The keeper comes back (a child killed by the crash may not have
	// logged its first start); the ephemeral one does not.
	var rep *libbgworker.ControlReply
	require.Eventually(t, func() bool {
		rep = controlStatus(t, dir)
		for _, w := range rep.Workers {
			if w.Name == "child keeper" && w.State == "running" && w.Restarts >= 1 {
				return true
			}
		}
		return false
	}, 20*time.Second, 10*time.Millisecond)
	for _, w := range rep.Workers {
		require.NotEqual(t, "child ephemeral", w.Name)
	}
	require.Equal(t, 2, rep.Host.SlotsUsed)
	h.stopClean()
}

// TestDynamicScribbledSlots: a worker that writes garbage into the slot
// array gets those slots ignored with "inconsistent background worker
// state"; the supervisor carries on.
func TestDynamicScribbledSlots(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "scribble", "max_worker_processes = 8"))
	h := startHost(t, dir)
	h.waitReady()
	h.waitForLine(`launcher 0 scribbled`)
	log := h.log.all()
	require.Contains(t, log, `inconsistent background worker state (max_worker_processes=8, total_slots=1008)`)
	require.GreaterOrEqual(t, h.log.count(`LOG:  inconsistent background worker state$`), 3, log)
	require.Contains(t, log, `invalid start time 99`)
	require.Contains(t, log, `claims PID 1`)
	require.Zero(t, h.log.count(`launcher child (impossible|impostor) started`))
	// Still serving: status answers, a new worker can be launched.
	rep := controlStatus(t, dir)
	require.Equal(t, "running", rep.Host.Phase)
	h.stopClean()
}
