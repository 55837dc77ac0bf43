package libbgworker

// This file tells other threads of the process what the supervisor running
// in it is doing, for an embedding program that starts the supervisor on
// one thread and waits on another until it is ready (bgworker_wait_ready
// in bgworker/host.h). The postmaster goroutine publishes; any goroutine
// may wait. No C is called here.

import (
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Results of WaitReady.
const (
	WaitReadyOK      = 0 // the supervisor is ready (or a standby)
	WaitReadyStopped = 1 // the start waited for ended first
	WaitReadyTimeout = 2 // the time ran out first
)

// runStatus is the state of the supervisor runs of this process.
var runStatus = struct {
	mu      sync.Mutex
	run     int           // runs started so far; the current or last one is number run
	active  bool          // run number run has not ended
	dir     string        // its data directory, as given to Run
	status  string        // its lock-file status ("starting", "standby", "ready", "stopping")
	changed chan struct{} // closed and replaced at every change
}{changed: make(chan struct{})}

// publishRun records a change of the current run's state and wakes the
// waiters. Postmaster goroutine only. begin starts a new run; end ends it.
func publishRun(dir, status string, begin, end bool) {
	runStatus.mu.Lock()
	defer runStatus.mu.Unlock()
	if begin {
		runStatus.run++
		runStatus.active = true
		runStatus.dir = dir
	}
	if end {
		runStatus.active = false
	}
	runStatus.status = status
	close(runStatus.changed)
	runStatus.changed = make(chan struct{})
}

// sameDir reports whether a and b name the same directory: the same file,
// or, when one does not exist, the same absolute path.
func sameDir(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// WaitReady waits until the supervisor this process runs on dataDir is
// ready to run workers: its status is "ready", or "standby" for a standby
// (the states in which pg_ctl's wait for a start ends). When no supervisor
// runs in this process at the call, it waits for the next one to start.
// It returns WaitReadyStopped when the run it waited for ends before that
// (a failed start), and WaitReadyTimeout when timeout passes first
// (negative: no limit). Any goroutine.
func WaitReady(dataDir string, timeout time.Duration) int {
	var expired <-chan time.Time
	if timeout >= 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expired = timer.C
	}
	runStatus.mu.Lock()
	awaited := runStatus.run // the current run, or the next one
	if !runStatus.active {
		awaited++
	}
	runStatus.mu.Unlock()
	for {
		runStatus.mu.Lock()
		run, active, dir, status, changed := runStatus.run, runStatus.active, runStatus.dir,
			runStatus.status, runStatus.changed
		runStatus.mu.Unlock()
		if run >= awaited && sameDir(dir, dataDir) {
			if active && (status == "ready" || status == "standby") {
				return WaitReadyOK
			}
			if !active {
				return WaitReadyStopped
			}
		}
		select {
		case <-changed:
		case <-expired:
			return WaitReadyTimeout
		}
	}
}
