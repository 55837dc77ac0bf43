package libbgworker

// This file records what happens to each worker for operators: the last
// exits (when, how, how long the process ran, whether the exit started a
// crash cycle) and failed starts of each worker, kept up to
// exit_history_size of each per worker, for `bgworker status --history`;
// and the running totals the metrics endpoint serves (starts, exits by
// reason, restarts, crash cycles, start latency). The hooks run on the
// postmaster goroutine, called from the event handlers; they only update
// Go memory.

import (
	"sort"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// ExitRecord is one exit of a worker's process.
type ExitRecord struct {
	At         time.Time `json:"at"`
	Pid        int       `json:"pid"`
	Exit       string    `json:"exit"`                  // as logged: "exited with exit code 1", "was terminated by signal 9: Killed"
	ExitCode   *int      `json:"exit_code,omitempty"`   // when it exited
	Signal     int       `json:"signal,omitempty"`      // when a signal ended it
	RanSeconds float64   `json:"ran_seconds"`           // from its start to this exit
	CrashCycle bool      `json:"crash_cycle,omitempty"` // this exit started a crash cycle
}

// StartFailure is one start of a worker that did not give a process.
type StartFailure struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"` // "could not fork worker process: Resource temporarily unavailable"
}

// WorkerHistory is a worker's recent past, newest last.
type WorkerHistory struct {
	Exits    []ExitRecord   `json:"exits"`
	Failures []StartFailure `json:"start_failures"`
}

// exit reasons of bgworker_worker_exits_total.
const (
	reasonExit0  = "exit_0"    // done: not restarted
	reasonExit1  = "exit_1"    // restarted after bgw_restart_time
	reasonCode   = "exit_code" // another exit code: a crash
	reasonSignal = "signal"    // ended by a signal
)

// workerTotals are one worker name's running totals (all workers of that
// bgw_name together, so that a dynamic worker's totals survive it).
type workerTotals struct {
	starts, restarts, failures uint64
	exits                      map[string]uint64 // by reason
}

// startBuckets are the start latency histogram's upper bounds, seconds:
// from a fraction of a millisecond (one clone from the fork server) to
// the tens of seconds a launch of thousands takes on a small machine.
var startBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// opsHistory is the loop's record; opsSnapshot copies what readers need.
type opsHistory struct {
	byWorker    map[*worker]*WorkerHistory
	totals      map[string]*workerTotals
	requested   map[*worker]time.Time // start request sent, not answered yet
	crashCycles uint64
	inCycle     bool     // p.fatalError as last seen
	latency     []uint64 // per bucket (not cumulative), len(startBuckets)+1
	latencySum  float64  // seconds
	latencyN    uint64   //
}

func newOpsHistory() opsHistory {
	return opsHistory{byWorker: map[*worker]*WorkerHistory{}, totals: map[string]*workerTotals{},
		requested: map[*worker]time.Time{}, latency: make([]uint64, len(startBuckets)+1)}
}

func (h *opsHistory) totalsOf(w *worker) *workerTotals {
	t := h.totals[w.reg.Name]
	if t == nil {
		t = &workerTotals{exits: map[string]uint64{}}
		h.totals[w.reg.Name] = t
	}
	return t
}

// historyOf returns w's history, creating it, and forgets the histories
// of workers that are gone once they outnumber the live ones.
func (p *postmaster) historyOf(w *worker) *WorkerHistory {
	h := &p.ops.hist
	wh := h.byWorker[w]
	if wh == nil {
		wh = &WorkerHistory{}
		h.byWorker[w] = wh
		if len(h.byWorker) > 2*len(p.workers)+256 {
			live := make(map[*worker]bool, len(p.workers))
			for _, x := range p.workers {
				live[x] = true
			}
			for x := range h.byWorker {
				if !live[x] && x != w {
					delete(h.byWorker, x)
				}
			}
		}
	}
	return wh
}

// historySize is the exit_history_size setting.
func historySize() int {
	return cshim.ConfigInt("exit_history_size")
}

// opsRequested notes that a start request for w went to the fork server.
func (p *postmaster) opsRequested(w *worker) {
	if p.ops != nil {
		p.ops.hist.requested[w] = time.Now()
	}
}

// opsStarted notes that w's process runs: a start, a restart after the
// first, and the time since the request.
func (p *postmaster) opsStarted(w *worker) {
	o := p.ops
	if o == nil {
		return
	}
	t := o.hist.totalsOf(w)
	t.starts++
	if w.starts > 1 {
		t.restarts++
	}
	if at, ok := o.hist.requested[w]; ok {
		delete(o.hist.requested, w)
		d := time.Since(at).Seconds()
		i := sort.SearchFloat64s(startBuckets, d)
		o.hist.latency[i]++
		o.hist.latencySum += d
		o.hist.latencyN++
	}
}

// opsStartFailed notes a start that gave no process.
func (p *postmaster) opsStartFailed(w *worker, errno unix.Errno) {
	o := p.ops
	if o == nil {
		return
	}
	delete(o.hist.requested, w)
	o.failures++
	o.hist.totalsOf(w).failures++
	n := historySize()
	if n <= 0 {
		return
	}
	wh := p.historyOf(w)
	wh.Failures = append(wh.Failures, StartFailure{At: time.Now(),
		Error: "could not fork worker process: " + errnoText(errno)})
	if len(wh.Failures) > n {
		wh.Failures = append([]StartFailure(nil), wh.Failures[len(wh.Failures)-n:]...)
	}
}

// opsExited records the exit of w's process pid. It is deferred by
// childExited with wasInCycle = p.fatalError before the exit was judged,
// so that an exit that set it is known to have started the crash cycle.
func (p *postmaster) opsExited(w *worker, pid int, ws unix.WaitStatus, startedAt time.Time, wasInCycle bool) {
	o := p.ops
	if o == nil {
		return
	}
	o.exits++
	rec := ExitRecord{At: time.Now(), Pid: pid, Exit: describeExit(ws), CrashCycle: !wasInCycle && p.fatalError}
	if !startedAt.IsZero() {
		rec.RanSeconds = rec.At.Sub(startedAt).Seconds()
	}
	reason := reasonSignal
	if ws.Exited() {
		code := ws.ExitStatus()
		rec.ExitCode = &code
		switch code {
		case 0:
			reason = reasonExit0
		case 1:
			reason = reasonExit1
		default:
			reason = reasonCode
		}
	} else if ws.Signaled() {
		rec.Signal = int(ws.Signal())
	}
	o.hist.totalsOf(w).exits[reason]++
	n := historySize()
	if n <= 0 {
		return
	}
	wh := p.historyOf(w)
	wh.Exits = append(wh.Exits, rec)
	if len(wh.Exits) > n {
		wh.Exits = append([]ExitRecord(nil), wh.Exits[len(wh.Exits)-n:]...)
	}
}

// opsWatchCycles counts crash cycles: a pass of the loop that finds
// p.fatalError newly set. Called after each pass.
func (p *postmaster) opsWatchCycles() {
	h := &p.ops.hist
	if p.fatalError && !h.inCycle {
		h.crashCycles++
	}
	h.inCycle = p.fatalError
}

// workerHistory is a copy of w's history for a status reply.
func (p *postmaster) workerHistory(w *worker) *WorkerHistory {
	out := &WorkerHistory{Exits: []ExitRecord{}, Failures: []StartFailure{}}
	if p.ops == nil {
		return out
	}
	if wh := p.ops.hist.byWorker[w]; wh != nil {
		out.Exits = append(out.Exits, wh.Exits...)
		out.Failures = append(out.Failures, wh.Failures...)
	}
	return out
}

// workerStatusesWithHistory is workerStatuses with each worker's history.
func (p *postmaster) workerStatusesWithHistory() []WorkerStatus {
	out := make([]WorkerStatus, 0, len(p.workers))
	for _, w := range p.workers {
		ws := p.workerStatus(w)
		ws.History = p.workerHistory(w)
		out = append(out, ws)
	}
	return out
}
