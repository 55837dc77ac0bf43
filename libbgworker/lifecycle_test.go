package libbgworker

// The worker's life-cycle table (lifecycle.go) walked against PostgreSQL's
// rules, without a process: every way a worker can end, with and without
// shared memory, restartable or not, in every condition of the host, is
// followed through the table to its outcome; then every cell of the table
// must have been used. The same rules are checked end to end by
// tests/reliability_matrix_test.go.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// lifeSim follows one worker through the table. It models what the
// actions change of the facts the classifiers read; nothing else.
type lifeSim struct {
	t            *testing.T
	visited      map[[2]int]bool
	state        workerState
	host         hostFacts
	shmem        bool
	neverRestart bool
	terminate    bool
	crashed      bool // crashedAt set
	acts         []workerAction
}

func newSim(t *testing.T, visited map[[2]int]bool, shmem, neverRestart bool) *lifeSim {
	s := &lifeSim{t: t, visited: visited, shmem: shmem, neverRestart: neverRestart,
		host: hostFacts{eligible: true}}
	s.settle()
	return s
}

func (s *lifeSim) fire(ev workerEvent) {
	tr := lifeCycle[s.state][ev]
	require.True(s.t, tr.valid, "event %q in state %q has no cell", ev, s.state)
	s.visited[[2]int{int(s.state), int(ev)}] = true
	s.acts = append(s.acts, tr.act)
	switch tr.act {
	case actQueueStart, actResetCrash:
		s.crashed = false
	case actForkFailed, actExitRestart, actCrash, actCrashHeld:
		s.crashed = true
	case actTerminateStart, actTerminateRun:
		s.terminate = true
	}
	s.state = tr.next
	if !s.gone() {
		s.settle()
	}
}

func (s *lifeSim) settle() {
	if ev, ok := settleEvent(s.state, s.host); ok {
		s.fire(ev)
	}
}

// gone: the worker was unregistered (its slot freed).
func (s *lifeSim) gone() bool { return s.did(actUnregister) || s.did(actExitUnregister) }

func (s *lifeSim) did(a workerAction) bool {
	for _, x := range s.acts {
		if x == a {
			return true
		}
	}
	return false
}

// scan is one pass of maybe_start_bgworkers with the restart interval
// over (due) or not; it returns whether a start was requested.
func (s *lifeSim) scan(due bool) bool {
	if !s.state.waiting() {
		return false
	}
	ev, ok := classifyScan(scanFacts{terminate: s.terminate, eligible: s.host.eligible, crashed: s.crashed,
		neverRestart: s.neverRestart, due: due})
	if ok {
		s.fire(ev)
	}
	return s.state == wsStarting
}

func (s *lifeSim) start() {
	require.True(s.t, s.scan(false), "a waiting worker starts (state %q)", s.state)
	s.fire(evForked)
	require.Equal(s.t, wsRunning, s.state)
}

func (s *lifeSim) exit(code int, procActive, tearDown bool) {
	ev := classifyExit(exitFacts{code: code, shmem: s.shmem, procActive: s.shmem && procActive,
		final: s.terminate || s.neverRestart, tearDown: tearDown})
	if exitMakesFinal(code) {
		s.terminate = true
	}
	s.fire(ev)
}

// crashCycleEnds is the rest of a crash cycle once every child is gone:
// reinitialisation, then recovery (the phase opens again).
func (s *lifeSim) crashCycleEnds() {
	if s.gone() {
		return
	}
	s.host.crashCycle = true
	s.settle()
	if s.terminate || s.neverRestart {
		s.fire(evReinitForget)
	} else {
		s.fire(evReinit)
	}
	if s.gone() {
		return
	}
	require.Equal(s.t, wsCrashed, s.state, "crashed until recovery")
	s.host.crashCycle = false
	s.settle()
}

// pgExit is one way a worker ends, as misbehave.c does it.
type pgExit struct {
	name       string
	code       int  // -1: a signal
	procActive bool // skipped the exit callbacks (_exit)
}

var pgExits = []pgExit{
	{"exit0", 0, false}, {"exit1", 1, false}, {"exit2", 2, false}, {"_exit0", 0, true},
	{"_exit1", 1, true}, {"segv", -1, true}, {"kill", -1, true}, {"error", 1, false},
	{"fatal", 1, false}, {"panic", 2, false}, {"return", 0, false},
}

// pgOutcome is PostgreSQL's rule for one exit (postmaster.c's
// CleanupBackgroundWorker and HandleChildCrash, bgworker.c's
// ResetBackgroundWorkerCrashTimes; without shared memory, 9.3's rule:
// only the worker itself restarts).
func pgOutcome(e pgExit, shmem, neverRestart bool) string {
	crash := shmem && (e.code != 0 && e.code != 1 || e.procActive)
	switch {
	case crash && (e.code == 0 || neverRestart):
		return "crash cycle; unregistered"
	case crash:
		return "crash cycle; restarted at once"
	case e.code == 0:
		return "unregistered"
	case neverRestart:
		return "unregistered"
	}
	return "restarted after its interval"
}

// simOutcome follows one exit through the table.
func simOutcome(t *testing.T, visited map[[2]int]bool, e pgExit, shmem, neverRestart bool) string {
	s := newSim(t, visited, shmem, neverRestart)
	s.start()
	s.exit(e.code, e.procActive, false)
	prefix := ""
	if s.did(actCrash) {
		prefix = "crash cycle; "
		s.crashCycleEnds()
		if s.gone() {
			return prefix + "unregistered"
		}
		if s.scan(false) {
			return prefix + "restarted at once"
		}
		return prefix + fmt.Sprintf("left %q", s.state)
	}
	if s.gone() {
		return "unregistered"
	}
	require.Equal(t, wsWaitingRestart, s.state)
	require.False(t, s.scan(false), "not before its interval")
	if s.scan(true) {
		return "restarted after its interval"
	}
	return fmt.Sprintf("left %q", s.state)
}

func TestLifeCycleTable(t *testing.T) {
	visited := map[[2]int]bool{}

	t.Run("exit matrix", func(t *testing.T) {
		for _, e := range pgExits {
			for _, shmem := range []bool{true, false} {
				for _, never := range []bool{false, true} {
					want := pgOutcome(e, shmem, never)
					got := simOutcome(t, visited, e, shmem, never)
					require.Equal(t, want, got, "%s shmem=%v never-restart=%v", e.name, shmem, never)
				}
			}
		}
	})

	t.Run("bystanders of a crash cycle", func(t *testing.T) {
		// Running: SIGQUIT makes it exit 2 (a crash while one runs: no new
		// cycle, logged at DEBUG2); then it starts at once after recovery,
		// or is forgotten with BGW_NEVER_RESTART.
		for _, never := range []bool{false, true} {
			s := newSim(t, visited, true, never)
			s.start()
			s.host.crashCycle = true
			s.exit(2, true, true)
			require.True(t, s.did(actCrashHeld))
			require.False(t, s.did(actCrash), "no second cycle")
			require.Equal(t, wsCrashed, s.state)
			s.crashCycleEnds()
			require.Equal(t, never, s.gone())
			if !never {
				require.True(t, s.scan(false), "starts at once")
			}
		}
		// Waiting to restart (a long interval): crashed, then at once.
		s := newSim(t, visited, true, false)
		s.start()
		s.exit(1, false, false)
		require.Equal(t, wsWaitingRestart, s.state)
		s.crashCycleEnds()
		require.True(t, s.scan(false), "the crash cycle cancels the interval")
		// A worker without shared memory exiting 1 during the cycle.
		s = newSim(t, visited, false, false)
		s.start()
		s.host.crashCycle = true
		s.exit(1, false, true)
		require.Equal(t, wsCrashed, s.state)
		require.True(t, s.did(actExitRestart), "its waiter is told")
		// Waiting for its phase, or to start, when the cycle begins.
		for _, eligible := range []bool{false, true} {
			s = newSim(t, visited, true, false)
			s.host.eligible = eligible
			s.settle()
			s.crashCycleEnds()
			require.Equal(t, eligible, s.state == wsWaitingStart)
		}
		// Exit 0 during a cycle: unregistered as always.
		s = newSim(t, visited, true, false)
		s.start()
		s.host.crashCycle = true
		s.exit(0, false, true)
		require.True(t, s.gone())
	})

	t.Run("stopped by the host is not a crash", func(t *testing.T) {
		for _, e := range pgExits {
			s := newSim(t, visited, true, false)
			s.start()
			s.host.stopping = true
			s.exit(e.code, e.procActive, true) // SIGKILL after the stop timeout, or immediate stop
			require.False(t, s.did(actCrash), e.name)
			require.NotContains(t, []workerState{wsWaitingRestart, wsStarting, wsRunning}, s.state, e.name)
		}
	})

	t.Run("phases", func(t *testing.T) {
		// Not eligible yet: waits for its phase, in the scan too; its
		// phase comes, and it starts.
		s := newSim(t, visited, true, false)
		s.host.eligible = false
		s.settle()
		require.Equal(t, wsWaitingPhase, s.state)
		require.False(t, s.scan(false))
		require.Equal(t, wsWaitingPhase, s.state)
		s.host.eligible = true
		s.settle()
		require.Equal(t, wsWaitingStart, s.state)
		// A worker waiting to start when the scan finds its phase gone.
		s.host.eligible = false
		require.False(t, s.scan(false))
		require.Equal(t, wsWaitingPhase, s.state)
		// Waiting to restart keeps its interval whatever the phase.
		s = newSim(t, visited, true, false)
		s.start()
		s.exit(1, false, false)
		s.host.eligible = false
		require.False(t, s.scan(true))
		require.Equal(t, wsWaitingRestart, s.state)
		// Recovery over in a phase that does not allow it yet.
		s = newSim(t, visited, true, false)
		s.host.crashCycle = true
		s.settle()
		s.fire(evReinit)
		s.host = hostFacts{}
		s.settle()
		require.Equal(t, wsWaitingPhase, s.state)
		// The scan sees the phase open before the phase change settled it.
		s = newSim(t, visited, true, false)
		s.host.eligible = false
		s.settle()
		s.host.eligible = true
		require.True(t, s.scan(false))
	})

	t.Run("fork failures", func(t *testing.T) {
		for _, never := range []bool{false, true} {
			s := newSim(t, visited, true, never)
			require.True(t, s.scan(false))
			s.fire(evForkFailed)
			require.Equal(t, wsWaitingRestart, s.state)
			if never {
				s.scan(false)
				require.True(t, s.gone(), "a never-restart worker is dropped at the next pass")
			} else {
				require.False(t, s.scan(false))
				require.True(t, s.scan(true))
			}
		}
		// The fork server died with the request out, during a crash
		// cycle or a shutdown.
		for _, h := range []hostFacts{{crashCycle: true}, {stopping: true}} {
			s := newSim(t, visited, true, false)
			require.True(t, s.scan(false))
			s.host = h
			s.fire(evForkFailed)
			require.Contains(t, []workerState{wsCrashed, wsStopped}, s.state)
		}
	})

	t.Run("terminate", func(t *testing.T) {
		// Not started: unregistered at once, from every resting state.
		for _, prep := range []func(s *lifeSim){
			func(s *lifeSim) {},
			func(s *lifeSim) { s.host.eligible = false; s.settle() },
			func(s *lifeSim) { s.start(); s.exit(1, false, false) },
			func(s *lifeSim) { s.host.crashCycle = true; s.settle() },
			func(s *lifeSim) { s.host.stopping = true; s.settle() },
		} {
			s := newSim(t, visited, true, false)
			prep(s)
			s.fire(evTerminate)
			require.True(t, s.gone(), "from %q", s.state)
		}
		// Starting: SIGTERM once it runs; its exit 1 unregisters it.
		s := newSim(t, visited, true, false)
		require.True(t, s.scan(false))
		s.fire(evTerminate)
		s.fire(evForked)
		s.exit(1, false, false)
		require.True(t, s.gone())
		// A fork that failed after the request: dropped at the next pass.
		s = newSim(t, visited, true, false)
		require.True(t, s.scan(false))
		s.fire(evTerminate)
		s.fire(evForkFailed)
		s.scan(false)
		require.True(t, s.gone())
		// Running: SIGTERM; a restartable worker is not restarted.
		s = newSim(t, visited, true, false)
		s.start()
		s.fire(evTerminate)
		require.True(t, s.did(actTerminateRun))
		s.exit(1, false, false)
		require.True(t, s.gone())
	})

	t.Run("shutdown", func(t *testing.T) {
		// ForgetUnstartedBackgroundWorkers: an unstarted worker with a
		// waiter is unregistered; one without stays, stopped.
		for _, prep := range []func(s *lifeSim){
			func(s *lifeSim) {},
			func(s *lifeSim) { s.host.eligible = false; s.settle() },
			func(s *lifeSim) { s.start(); s.exit(1, false, false) },
		} {
			s := newSim(t, visited, true, false)
			prep(s)
			s.host.stopping = true
			s.settle()
			require.Equal(t, wsStopped, s.state)
			s.fire(evForgetUnstarted)
			require.True(t, s.gone())
		}
		// Exits while the host stops: stopped, never restarted.
		s := newSim(t, visited, true, false)
		s.start()
		s.host.stopping = true
		s.exit(1, false, false)
		require.Equal(t, wsStopped, s.state)
		require.False(t, s.scan(true))
		// A crash during a shutdown starts a cycle (which ends the host).
		s = newSim(t, visited, true, false)
		s.start()
		s.host.stopping = true
		s.exit(-1, true, false)
		require.True(t, s.did(actCrash))
		// A stopped worker when that cycle starts, and the shutdown
		// reaching a crashed worker, or one with a waiter.
		s = newSim(t, visited, true, false)
		s.host.stopping = true
		s.settle()
		s.host.crashCycle = true
		s.settle()
		require.Equal(t, wsCrashed, s.state)
		s.fire(evForgetUnstarted)
		require.True(t, s.gone())
		// Registered during the cycle, terminated before it ends.
		s = newSim(t, visited, true, false)
		s.host.crashCycle = true
		s.settle()
		s.fire(evTerminate)
		require.True(t, s.gone())
		// A stopped worker terminated before the host exits.
		s = newSim(t, visited, true, false)
		s.host.stopping = true
		s.settle()
		s.fire(evTerminate)
		require.True(t, s.gone())
	})

	t.Run("every cell used", func(t *testing.T) {
		var unused []string
		for st := workerState(0); st < numWorkerStates; st++ {
			for ev := workerEvent(0); ev < numWorkerEvents; ev++ {
				if lifeCycle[st][ev].valid && !visited[[2]int{int(st), int(ev)}] {
					unused = append(unused, fmt.Sprintf("%s × %s", st, ev))
				}
			}
		}
		require.Empty(t, unused, "cells no rule reaches:\n%s", strings.Join(unused, "\n"))
	})
}

// TestLifeCycleNames: every state has the name status reports, every
// event and action a name for the log.
func TestLifeCycleNames(t *testing.T) {
	for st := workerState(0); st < numWorkerStates; st++ {
		require.NotEmpty(t, st.String())
	}
	for ev := workerEvent(0); ev < numWorkerEvents; ev++ {
		require.NotEmpty(t, ev.String())
	}
	for a := workerAction(0); a < numWorkerActions; a++ {
		require.NotEmpty(t, a.String())
	}
}
