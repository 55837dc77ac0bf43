package libbgworker

// This file holds the supervisor's record of each registered worker (the
// postmaster's RegisteredBgWorker) and the rules that depend only on it:
// which phase it may start in, how an exit is classified, how it is named
// in logs. Postmaster goroutine only.

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// worker is one registered background worker.
type worker struct {
	reg        cshim.Worker // the registration, as copied at registration time
	slot       int          // index in the shared slot array
	dynamic    bool         // registered by RegisterDynamicBackgroundWorker
	generation uint64       // the slot's generation when it was registered
	state      workerState  // where it is in its life cycle (lifecycle.go)
	pid        int          // running pid, 0 when not running
	reqID      uint32       // outstanding fork-server request while starting
	crashedAt  time.Time    // last exit that asks for a restart delay; zero if none
	forkFailed bool         // the last start failed to fork (crashedAt is when)
	terminate  bool         // to be unregistered instead of restarted (PostgreSQL's rw_terminate)
	forgotten  bool         // unregistered: its slot is free; dropped from p.workers
	startedAt  time.Time    // when the current or last process started
	restarts   int          // starts after the first one
	starts     int          // starts so far
	lastExit   string       // last exit, as logged ("exit code 1", "signal 11: ...")
	lastAt     time.Time    // when it exited
}

// typeName is the name PostgreSQL uses for a worker in log lines: bgw_type.
func (w *worker) typeName() string {
	if w.reg.Type != "" {
		return w.reg.Type
	}
	return w.reg.Name
}

// forkRetryDelay is the least time between two fork attempts of one worker
// after a failed fork. Not PostgreSQL, which retries a bgw_restart_time 0
// worker at once, filling the log with "could not fork worker process"
// as fast as it can while the process limit lasts.
const forkRetryDelay = time.Second

// restartDue is when a worker that exited (crashedAt set) may start again.
func (w *worker) restartDue() time.Time {
	delay := time.Duration(w.reg.RestartTime) * time.Second
	if w.forkFailed && delay < forkRetryDelay {
		delay = forkRetryDelay
	}
	return w.crashedAt.Add(delay)
}

func (w *worker) neverRestart() bool { return w.reg.RestartTime == bgwNeverRestart }
func (w *worker) shmem() bool        { return w.reg.Flags&bgworkerShmemAccess != 0 }

// exitCode is the exit code in ws, or -1 if the process was killed by a
// signal.
func exitCode(ws unix.WaitStatus) int {
	if ws.Exited() {
		return ws.ExitStatus()
	}
	return -1
}

// Constants of postmaster/bgworker.h, as the C header defines them
// (cshim takes them from it).
const (
	bgworkerShmemAccess        = cshim.WorkerShmemAccess
	bgworkerDatabaseConnection = cshim.WorkerDatabaseConnection
	bgworkerClassParallel      = cshim.WorkerClassParallel
	bgwNeverRestart            = cshim.NeverRestart

	startPostmasterStart  = cshim.StartPostmasterStart
	startConsistentState  = cshim.StartConsistentState
	startRecoveryFinished = cshim.StartRecoveryFinished
)

// eligible tells whether a worker with this start time may start in state
// s (reference §3.1).
func eligible(startTime int, s pmState) bool {
	switch s {
	case pmStartup, pmRecovery:
		return startTime == startPostmasterStart
	case pmHotStandby:
		return startTime == startPostmasterStart || startTime == startConsistentState
	case pmRun:
		return true
	}
	return false
}

// describeExit renders a wait status as PostgreSQL's LogChildExit does,
// after `background worker "x" (PID n) `.
func describeExit(ws unix.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exited with exit code %d", ws.ExitStatus())
	case ws.Signaled():
		return fmt.Sprintf("was terminated by signal %d: %s", int(ws.Signal()), signalDescription(ws.Signal()))
	}
	return fmt.Sprintf("exited with unrecognized status %d", uint32(ws))
}

// signalDescription is strsignal(3)'s text, which PostgreSQL prints.
func signalDescription(sig unix.Signal) string {
	names := map[unix.Signal]string{
		unix.SIGHUP: "Hangup", unix.SIGINT: "Interrupt", unix.SIGQUIT: "Quit",
		unix.SIGILL: "Illegal instruction", unix.SIGTRAP: "Trace/breakpoint trap",
		unix.SIGABRT: "Aborted", unix.SIGBUS: "Bus error", unix.SIGFPE: "Floating point exception",
		unix.SIGKILL: "Killed", unix.SIGUSR1: "User defined signal 1",
		unix.SIGSEGV: "Segmentation fault", unix.SIGUSR2: "User defined signal 2",
		unix.SIGPIPE: "Broken pipe", unix.SIGALRM: "Alarm clock", unix.SIGTERM: "Terminated",
		unix.SIGSTKFLT: "Stack fault", unix.SIGXCPU: "CPU time limit exceeded",
		unix.SIGXFSZ: "File size limit exceeded", unix.SIGVTALRM: "Virtual timer expired",
		unix.SIGPROF: "Profiling timer expired", unix.SIGSYS: "Bad system call",
		unix.SIGPWR: "Power failure", unix.SIGURG: "Urgent I/O condition",
	}
	if s, ok := names[sig]; ok {
		return s
	}
	return fmt.Sprintf("Unknown signal %d", int(sig))
}
