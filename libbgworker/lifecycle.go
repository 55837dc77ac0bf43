package libbgworker

// This file is the worker's life cycle as one table: the states a worker
// is in (the ones `bgworker status` reports), the events that move it,
// and for each state × event the action the supervisor takes and the
// next state. Everything that decides whether a worker starts, restarts,
// takes the host through a crash cycle or is unregistered is here: an
// event is first classified (classifyExit, classifyScan, settleEvent), then
// looked up in lifeCycle, as s6-supervise does. Postmaster goroutine only.
//
// The rules are PostgreSQL's (postmaster.c and bgworker.c of PostgreSQL
// 15 to 17; the 9.3 rules for workers without BGWORKER_SHMEM_ACCESS):
//   - exit 0 unregisters the worker (slot freed, waiter notified);
//   - exit 1 restarts it after bgw_restart_time, or unregisters it with
//     BGW_NEVER_RESTART or after a termination request;
//   - any other exit of a worker attached to shared memory, or an exit
//     that skipped the exit callbacks (the dead-man switch), is a crash:
//     every other child gets SIGQUIT and shared memory is rebuilt; then
//     never-restart workers (and those that exited 0 or were terminated)
//     are forgotten and the others start at once, whatever their interval;
//   - a worker without shared memory that crashes restarts only itself;
//   - a worker the host killed while stopping did not crash.

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// workerState is where a registered worker is in its life. The names are
// those `bgworker status` reports (control_protocol.go).
type workerState uint8

const (
	wsWaitingPhase   workerState = iota // not running; its start time has not come in this phase
	wsWaitingStart                      // due; queued behind others (or the fork server's queue is full)
	wsStarting                          // start request sent to the fork server, no pid yet
	wsRunning                           // forked; pid is set
	wsWaitingRestart                    // exited or failed to fork; starts again after its interval
	wsCrashed                           // not running while the host goes through a crash cycle
	wsStopped                           // will not run again: the host is stopping, or it was unregistered
	numWorkerStates
)

var workerStateNames = [numWorkerStates]string{
	wsWaitingPhase:   StateWaitingPhase,
	wsWaitingStart:   StateWaitingStart,
	wsStarting:       StateStarting,
	wsRunning:        StateRunning,
	wsWaitingRestart: StateWaitingRestart,
	wsCrashed:        StateCrashed,
	wsStopped:        StateStopped,
}

func (s workerState) String() string { return workerStateNames[s] }

// resting tells whether a worker in state s has no process and no start
// request: the states the host's own changes (crash cycle, shutdown,
// phase) move.
func (s workerState) resting() bool { return !s.hasProcess() }

// waiting tells whether a worker in state s may be started by the scan.
func (s workerState) waiting() bool {
	return s == wsWaitingPhase || s == wsWaitingStart || s == wsWaitingRestart
}

// hasProcess tells whether a worker in state s has a process or a start
// request out.
func (s workerState) hasProcess() bool { return s == wsStarting || s == wsRunning }

// workerEvent is what happens to a worker, once classified.
type workerEvent uint8

const (
	// The start scan (classifyScan) and phase changes (settle).
	evPhaseOpen   workerEvent = iota // the host's phase allows its start time
	evPhaseClosed                    // the host's phase does not allow its start time
	evStart                          // due: a start request is queued
	evGiveUp                         // not started again: terminated, or never-restart after a failed start

	// Fork-server replies.
	evForked     // the fork server reports its pid
	evForkFailed // the fork failed, or the fork server died before answering

	// Exits (classifyExit).
	evExitClean   // exit 0 with the exit callbacks run
	evExitRestart // exit 1 (or any exit of a worker without shared memory): restart after the interval
	evExitFinal   // as evExitRestart, but the worker is never-restart or was terminated
	evCrash       // crash of a worker attached to shared memory: the host starts a crash cycle
	evCrashHeld   // the same while the host is already tearing down: no new cycle

	// Requests and the host's changes.
	evTerminate       // TerminateBackgroundWorker or `bgworker terminate`
	evCrashCycle      // the host entered a crash cycle
	evShutdown        // the host is shutting down
	evForgetUnstarted // shutdown: an unstarted worker with a waiter (ForgetUnstartedBackgroundWorkers)
	evReinit          // the crash cycle rebuilt shared memory (ResetBackgroundWorkerCrashTimes)
	evReinitForget    // the same for a never-restart or terminated worker
	numWorkerEvents
)

var workerEventNames = [numWorkerEvents]string{
	evPhaseOpen: "phase open", evPhaseClosed: "phase closed", evStart: "start", evGiveUp: "give up",
	evForked: "forked", evForkFailed: "fork failed",
	evExitClean: "exit 0", evExitRestart: "exit 1", evExitFinal: "exit 1 (final)",
	evCrash: "crash", evCrashHeld: "crash (host tearing down)",
	evTerminate: "terminate", evCrashCycle: "crash cycle", evShutdown: "shutdown",
	evForgetUnstarted: "shutdown (unstarted, with waiter)", evReinit: "reinitialize",
	evReinitForget: "reinitialize (final)",
}

func (e workerEvent) String() string { return workerEventNames[e] }

// workerAction is what the supervisor does on a transition. Each is one
// small method of postmaster (doAction).
type workerAction uint8

const (
	actNone           workerAction = iota
	actQueueStart                  // send a start request (clears the crash time)
	actRecordStart                 // record the pid, wake the waiter, signal it if the host stops
	actForkFailed                  // log nothing more; restart time counts from now (at least forkRetryDelay)
	actExitRestart                 // log the exit, remember its time, wake the waiter
	actExitUnregister              // log the exit, unregister
	actCrash                       // log the exit, start the crash cycle
	actCrashHeld                   // log the exit at DEBUG2: the host is already tearing down
	actUnregister                  // free the slot and wake the waiter (ForgetBackgroundWorker)
	actTerminateStart              // mark: SIGTERM it as soon as its pid is known
	actTerminateRun                // mark and SIGTERM it
	actResetCrash                  // crash time and waiter cleared: it starts at once after recovery
	numWorkerActions
)

var workerActionNames = [numWorkerActions]string{
	actNone: "-", actQueueStart: "queue start", actRecordStart: "record start",
	actForkFailed: "fork failed", actExitRestart: "note exit", actExitUnregister: "note exit, unregister",
	actCrash: "start crash cycle", actCrashHeld: "note exit (DEBUG2)", actUnregister: "unregister", actTerminateStart: "mark terminate",
	actTerminateRun: "SIGTERM", actResetCrash: "reset crash time",
}

func (a workerAction) String() string { return workerActionNames[a] }

// transition is one cell of the table.
type transition struct {
	valid bool
	act   workerAction
	next  workerState
}

func to(next workerState, act workerAction) transition {
	return transition{valid: true, act: act, next: next}
}

// lifeCycle is the table. A cell left empty is an event that cannot
// happen in that state (the unit test walks every rule and fails on an
// empty cell); fire logs it and changes nothing.
//
// After every transition, settle applies the host's current condition to
// a worker without a process: an exit during a crash cycle ends in
// "crashed", one during a shutdown in "stopped" (each its own cell).
var lifeCycle = func() (t [numWorkerStates][numWorkerEvents]transition) {
	for _, s := range []workerState{wsWaitingPhase, wsWaitingStart, wsWaitingRestart} {
		t[s][evStart] = to(wsStarting, actQueueStart)
		t[s][evTerminate] = to(wsStopped, actUnregister)
		t[s][evCrashCycle] = to(wsCrashed, actNone)
		t[s][evShutdown] = to(wsStopped, actNone)
	}
	t[wsWaitingPhase][evPhaseOpen] = to(wsWaitingStart, actNone)
	t[wsWaitingPhase][evPhaseClosed] = to(wsWaitingPhase, actNone)
	t[wsWaitingStart][evPhaseClosed] = to(wsWaitingPhase, actNone)
	// The restart interval runs whatever the phase. Only a failed start
	// leaves a never-restart or terminated worker here: it is dropped.
	t[wsWaitingRestart][evPhaseClosed] = to(wsWaitingRestart, actNone)
	t[wsWaitingRestart][evGiveUp] = to(wsStopped, actUnregister)

	t[wsStarting][evForked] = to(wsRunning, actRecordStart)
	t[wsStarting][evForkFailed] = to(wsWaitingRestart, actForkFailed)
	t[wsStarting][evTerminate] = to(wsStarting, actTerminateStart)

	t[wsRunning][evExitClean] = to(wsStopped, actExitUnregister)
	t[wsRunning][evExitRestart] = to(wsWaitingRestart, actExitRestart)
	t[wsRunning][evExitFinal] = to(wsStopped, actExitUnregister)
	t[wsRunning][evCrash] = to(wsCrashed, actCrash)
	t[wsRunning][evCrashHeld] = to(wsCrashed, actCrashHeld)
	t[wsRunning][evTerminate] = to(wsRunning, actTerminateRun)

	// Crashed: every worker rests here when the cycle rebuilds shared
	// memory; recovery over, it starts at once (evReinit cleared its
	// crash time). A shutdown during the cycle leaves it crashed.
	t[wsCrashed][evReinit] = to(wsCrashed, actResetCrash)
	t[wsCrashed][evReinitForget] = to(wsStopped, actUnregister)
	t[wsCrashed][evPhaseOpen] = to(wsWaitingStart, actNone)
	t[wsCrashed][evPhaseClosed] = to(wsWaitingPhase, actNone)
	t[wsCrashed][evTerminate] = to(wsStopped, actUnregister)
	t[wsCrashed][evForgetUnstarted] = to(wsStopped, actUnregister)

	// Stopped while the host stops (the record is kept until the end).
	t[wsStopped][evTerminate] = to(wsStopped, actUnregister)
	t[wsStopped][evForgetUnstarted] = to(wsStopped, actUnregister)
	t[wsStopped][evCrashCycle] = to(wsCrashed, actNone)
	return t
}()

// exitFacts is what classifyExit needs to know of one exit; pure data, so
// that the unit test can walk every case without a process.
type exitFacts struct {
	code       int  // exit code, -1 if killed by a signal
	shmem      bool // BGWORKER_SHMEM_ACCESS
	procActive bool // the worker left without running its exit callbacks (dead-man switch)
	final      bool // never-restart, or terminated: unregistered instead of restarted
	tearDown   bool // the host is already in a crash cycle, an immediate stop, or killed it for not stopping
}

// classifyExit turns an exit into its event.
func classifyExit(f exitFacts) workerEvent {
	// The dead-man switch: an attached worker that skipped its exit
	// callbacks crashed, whatever its code.
	crashed := f.shmem && (f.code != 0 && f.code != 1 || f.procActive)
	switch {
	case crashed && f.tearDown:
		return evCrashHeld
	case crashed:
		return evCrash
	case f.code == 0:
		return evExitClean
	case f.final:
		return evExitFinal
	}
	return evExitRestart // exit 1, or a worker without shared memory that crashed (9.3)
}

// scanFacts is what classifyScan needs to know of one resting worker.
type scanFacts struct {
	terminate    bool // terminated (or exited 0) while starting
	eligible     bool // its start time allows a start in the host's phase
	crashed      bool // its crash time is set (it exited or failed to fork)
	neverRestart bool // BGW_NEVER_RESTART
	due          bool // its restart interval is over
}

// classifyScan is maybe_start_bgworkers' decision for one resting worker;
// ok false: nothing to do yet (its restart time has not come).
func classifyScan(f scanFacts) (ev workerEvent, ok bool) {
	switch {
	case f.terminate:
		return evGiveUp, true
	case !f.eligible:
		return evPhaseClosed, true
	case f.crashed && f.neverRestart:
		return evGiveUp, true
	case f.crashed && !f.due:
		return 0, false
	}
	return evStart, true
}

// hostFacts is the host's condition as a resting worker sees it.
type hostFacts struct {
	crashCycle bool // a crash cycle runs (FatalError)
	stopping   bool // a shutdown was asked for, or the phase is past running
	eligible   bool // the phase allows the worker's start time
}

// settleEvent is the event the host's condition means for a worker in
// state s, if the table says it changes s: in a crash cycle it is
// crashed, in a shutdown stopped, else waiting for its phase or to start
// (a worker waiting to restart keeps waiting). Pure.
func settleEvent(s workerState, h hostFacts) (workerEvent, bool) {
	if !s.resting() {
		return 0, false
	}
	var ev workerEvent
	switch {
	case h.crashCycle:
		ev = evCrashCycle
	case h.stopping:
		ev = evShutdown
	case h.eligible:
		ev = evPhaseOpen
	default:
		ev = evPhaseClosed
	}
	if t := lifeCycle[s][ev]; !t.valid || t.next == s {
		return 0, false // nothing changes: a stopped worker stays stopped after the stop
	}
	return ev, true
}

// exitMakesFinal is PostgreSQL's rule that an exit with code 0 marks the
// worker for unregistration (rw_terminate), even when the exit turns out
// to be a crash (the dead-man switch): it is not started again after the
// crash cycle.
func exitMakesFinal(code int) bool { return code == 0 }

// final tells whether w is unregistered when it stops instead of being
// restarted (PostgreSQL's rw_terminate, or BGW_NEVER_RESTART).
func (w *worker) final() bool { return w.terminate || w.neverRestart() }

// eventData carries what an action needs of the event.
type eventData struct {
	pid      int             // evForked, exits: the process
	status   unix.WaitStatus // exits
	notified bool            // evForked: the fork server already woke the waiter
}

// fire runs the transition of w for ev: the action, then the next state;
// then, if w rests, the host's condition (settle). A worker that ends
// unregistered is dropped from p.workers (at once, or by the walk that
// fired it: see walkWorkers).
func (p *postmaster) fire(w *worker, ev workerEvent, d eventData) {
	t := lifeCycle[w.state][ev]
	if !t.valid {
		cshim.Log(cshim.LevelLog, fmt.Sprintf("background worker \"%s\": event \"%s\" ignored in state \"%s\"",
			w.reg.Name, ev, w.state), "", "")
		return
	}
	p.doAction(t.act, w, d)
	w.state = t.next
	if w.forgotten {
		if p.walking == 0 {
			p.removeWorker(w)
		} else {
			p.dropPending = true
		}
		return
	}
	p.settle(w)
}

// settle moves a resting worker to the state the host's condition gives
// it (settleEvent).
func (p *postmaster) settle(w *worker) {
	h := hostFacts{crashCycle: p.fatalError, stopping: p.shutdown > noShutdown || p.state >= pmStopBackends,
		eligible: eligible(w.reg.StartTime, p.state)}
	if ev, ok := settleEvent(w.state, h); ok {
		p.fire(w, ev, eventData{})
	}
}

// walkWorkers fires each(w) for every worker, then drops the ones that
// were unregistered in one pass (a removal per worker would make a crash
// cycle with thousands of never-restart workers quadratic).
func (p *postmaster) walkWorkers(each func(w *worker)) {
	p.walking++
	for _, w := range p.workers {
		if !w.forgotten {
			each(w)
		}
	}
	p.walking--
	if p.walking == 0 && p.dropPending {
		p.dropForgotten()
	}
}

// dropForgotten removes unregistered workers from p.workers.
func (p *postmaster) dropForgotten() {
	p.dropPending = false
	kept := p.workers[:0]
	for _, w := range p.workers {
		if !w.forgotten {
			kept = append(kept, w)
		}
	}
	clear(p.workers[len(kept):])
	p.workers = kept
}

// settleAll applies the host's condition to every resting worker: called
// when the host's phase changes, a crash cycle starts or a shutdown.
func (p *postmaster) settleAll() {
	p.walkWorkers(func(w *worker) { p.settle(w) })
}

// doAction runs one action of the table.
func (p *postmaster) doAction(a workerAction, w *worker, d eventData) {
	switch a {
	case actNone:
	case actQueueStart:
		p.queueStart(w)
	case actRecordStart:
		p.recordStart(w, d)
	case actForkFailed:
		w.reqID = 0
		w.crashedAt = time.Now()
		w.forkFailed = true
	case actExitRestart:
		p.noteExit(w, d, a)
		w.crashedAt = w.lastAt
		p.notify(w)
	case actExitUnregister:
		p.noteExit(w, d, a)
		p.unregister(w)
	case actCrash, actCrashHeld:
		p.noteExit(w, d, a)
		w.crashedAt = w.lastAt
	case actUnregister:
		p.unregister(w)
	case actTerminateStart:
		w.terminate = true
	case actTerminateRun:
		w.terminate = true
		unix.Kill(w.pid, unix.SIGTERM)
	case actResetCrash:
		w.crashedAt = time.Time{}
		w.forkFailed = false
		w.reg.NotifyPid = 0
	}
}

// queueStart adds w's start request to the batch maybeStartWorkers sends.
func (p *postmaster) queueStart(w *worker) {
	p.nextReq++
	w.reqID = p.nextReq
	w.crashedAt = time.Time{}
	cshim.ProcClearActive(w.slot)
	p.byReq[w.reqID] = w
	p.batch = append(p.batch, cshim.StartRequest{ID: w.reqID, Slot: w.slot, Worker: w.reg})
}

// recordStart records the process the fork server made for w.
func (p *postmaster) recordStart(w *worker, d eventData) {
	w.reqID = 0
	w.forkFailed = false
	w.pid = d.pid
	w.startedAt = time.Now()
	if w.starts > 0 {
		w.restarts++
	}
	w.starts++
	p.byPid[d.pid] = w
	cshim.SetSlotPid(w.slot, d.pid)
	if !d.notified {
		p.notify(w)
	}
	if p.state >= pmStopBackends {
		// Started while the host was going down or crashing.
		p.signalPid(w.pid, p.stopSignal(), true)
	} else if w.terminate {
		unix.Kill(w.pid, unix.SIGTERM)
	}
}

// noteExit records an exit of w and logs it as action a says: a clean
// exit at DEBUG1, a crash by starting the crash cycle, a crash while the
// host tears down at DEBUG2, anything else at LOG. Exit 0 marks the
// worker for unregistration whatever follows (PostgreSQL sets
// rw_terminate before it looks at the crash).
func (p *postmaster) noteExit(w *worker, d eventData, a workerAction) {
	delete(p.byPid, d.pid)
	p.clearNotifyPid(d.pid) // dynamic.go: a dead waiter is never signalled again
	w.pid = 0
	w.lastExit = describeExit(d.status)
	w.lastAt = time.Now()
	if exitMakesFinal(exitCode(d.status)) {
		w.terminate = true
	}
	exitLine := fmt.Sprintf("background worker \"%s\" (PID %d) %s", w.typeName(), d.pid, w.lastExit)
	switch {
	case a == actCrash:
		p.startCrashCycle(exitLine)
	case a == actCrashHeld:
		cshim.Log(cshim.LevelDebug2, exitLine, "", "")
	case exitCode(d.status) == 0:
		cshim.Log(cshim.LevelDebug1, exitLine, "", "")
	default:
		cshim.Log(cshim.LevelLog, exitLine, "", "")
	}
	cshim.SetSlotPid(w.slot, 0)
}

// unregister forgets w for good and frees its slot
// (ForgetBackgroundWorker), then wakes its waiter: the slot is free
// before the waiter hears of it, as in PostgreSQL's
// CleanupBackgroundWorker. The record of a dynamic worker is kept a while
// for `bgworker launch --wait` (p.gone).
func (p *postmaster) unregister(w *worker) {
	cshim.Log(cshim.LevelDebug1, fmt.Sprintf("unregistering background worker \"%s\"", w.reg.Name), "", "")
	w.forgotten = true
	p.rememberGone(w)
	cshim.FreeSlot(w.slot)
	p.notify(w)
}

// maxGone bounds the record of dynamic workers that went away.
const maxGone = 256

// rememberGone keeps the record of a dynamic worker that is unregistered,
// so that `bgworker launch --wait` can tell why it stopped.
func (p *postmaster) rememberGone(w *worker) {
	if !w.dynamic {
		return
	}
	if p.gone == nil {
		p.gone = map[slotKey]*worker{}
	}
	if len(p.gone) >= maxGone {
		for k := range p.gone {
			delete(p.gone, k)
			break
		}
	}
	p.gone[slotKey{w.slot, w.generation}] = w
}
