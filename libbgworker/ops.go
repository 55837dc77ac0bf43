package libbgworker

// This file connects the postmaster's event loop to what operators watch
// from outside: the service manager's notifications (notify.go) and the
// snapshots the metrics endpoint serves (metrics.go). The loop calls the
// hooks here (opsState on a phase change, opsAfterStep after each pass,
// opsReloading/opsReloaded around a reload); they only queue messages and
// publish snapshots, never wait. A helper goroutine wakes the loop through
// the control channel when a throttled snapshot is due or the watchdog
// wants its ping: the ping is sent only once the loop has answered, so a
// hung loop stops the pings and systemd's watchdog acts.

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgworker/bgworker/cshim"
)

// publishInterval bounds how often the loop builds a snapshot (an O(workers)
// walk): at most this often, and once more after the last change.
const publishInterval = 500 * time.Millisecond

// opsFingerprint is what the loop compares, cheaply, to know whether a
// new snapshot may differ from the last one.
type opsFingerprint struct {
	state           pmState
	shutdown        int
	fatal           bool
	running, known  int
	inFlight        int
	nextReq         uint32
	exits, failures uint64
}

// opsState is the postmaster's part for operations.
type opsState struct {
	notify      *notifier     // nil without NOTIFY_SOCKET
	watchdog    time.Duration // ping interval, 0 for none
	stopping    bool          // STOPPING=1 sent
	lastStatus  string        // last STATUS= sent
	lastPublish time.Time
	fp          opsFingerprint
	exits       uint64         // worker exits seen (history.go)
	failures    uint64         // failed starts seen (history.go)
	hist        opsHistory     // history.go
	metrics     *metricsServer // metrics.go; nil when not serving

	snap atomic.Pointer[opsSnapshot] // the last snapshot, for the metrics goroutines

	wantTick chan struct{} // capacity 1: ask the helper for a tick after publishInterval
	done     chan struct{}
	wg       sync.WaitGroup
}

// opsSnapshot is what the loop publishes for readers on other goroutines;
// it is never changed once published.
type opsSnapshot struct {
	at         time.Time
	phase      string
	crashCycle bool
	counts     map[string]int // workers per reported state
	metrics    metricsSnapshot
}

// startOps sets up notifications, the metrics endpoint and the helper
// goroutine. Postmaster goroutine, after the control socket exists (the
// helper uses its channel). An error stops the start.
func (p *postmaster) startOps() error {
	o := &opsState{wantTick: make(chan struct{}, 1), done: make(chan struct{}), hist: newOpsHistory()}
	p.ops = o
	p.publish()
	if err := p.startMetrics(); err != nil {
		return err
	}
	if Service.NotifySocket != "" && !EmbeddedHost {
		n, err := newNotifier(Service.NotifySocket)
		if err != nil {
			cshim.Log(cshim.LevelWarning, fmt.Sprintf("could not connect to the service manager's socket \"%s\": %s",
				Service.NotifySocket, errnoText(err)), "", "")
		} else {
			o.notify = n
			o.watchdog = Service.watchdogInterval(os.Getpid())
		}
	}
	o.wg.Add(1)
	go o.run(p.control)
	return nil
}

// stopOps flushes the notifications and stops the helper. Postmaster
// goroutine, when the host ends (after the loop).
func (p *postmaster) stopOps() {
	o := p.ops
	if o == nil {
		return
	}
	p.ops = nil
	if !o.stopping {
		o.notify.send("STOPPING=1")
	}
	close(o.done)
	o.wg.Wait()
	o.notify.stop()
	o.metrics.stop()
}

// run is the helper goroutine: it turns tick requests and the watchdog's
// interval into calls the loop answers. No C.
func (o *opsState) run(calls chan<- *controlCall) {
	defer o.wg.Done()
	var wd <-chan time.Time
	if o.watchdog > 0 {
		t := time.NewTicker(o.watchdog)
		defer t.Stop()
		wd = t.C
	}
	var due <-chan time.Time
	for {
		select {
		case <-o.done:
			return
		case <-o.wantTick:
			if due == nil {
				due = time.After(publishInterval)
			}
		case <-due:
			due = nil
			o.call(calls, false)
		case <-wd:
			o.call(calls, true)
		}
	}
}

// call hands the loop one tick and waits until it was taken (or the host
// ends).
func (o *opsState) call(calls chan<- *controlCall, watchdog bool) {
	c := &controlCall{tick: true, watchdog: watchdog, reply: make(chan ControlReply, 1)}
	select {
	case calls <- c:
	case <-o.done:
	}
}

// opsTick answers the helper: the watchdog's ping (the loop is alive) and
// a snapshot that was held back. Postmaster goroutine.
func (p *postmaster) opsTick(c *controlCall) {
	c.reply <- ControlReply{OK: true}
	o := p.ops
	if o == nil {
		return
	}
	if c.watchdog {
		o.notify.send("WATCHDOG=1")
	}
	if p.opsFingerprint() != o.fp {
		p.publish()
	}
}

func (p *postmaster) opsFingerprint() opsFingerprint {
	return opsFingerprint{state: p.state, shutdown: p.shutdown, fatal: p.fatalError, running: len(p.byPid),
		known: len(p.workers), inFlight: p.inFlight, nextReq: p.nextReq, exits: p.ops.exits, failures: p.ops.failures}
}

// opsAfterStep publishes a snapshot after a pass of the loop that changed
// something, at most every publishInterval (then once more after it).
func (p *postmaster) opsAfterStep() {
	o := p.ops
	if o == nil {
		return
	}
	p.opsWatchCycles() // history.go
	if p.opsFingerprint() == o.fp {
		return
	}
	if time.Since(o.lastPublish) < publishInterval {
		select {
		case o.wantTick <- struct{}{}:
		default:
		}
		return
	}
	p.publish()
}

// publish builds a snapshot, stores it for the metrics and sends the
// service manager a new STATUS= if it changed. Postmaster goroutine.
func (p *postmaster) publish() {
	o := p.ops
	o.fp = p.opsFingerprint()
	o.lastPublish = time.Now()
	s := &opsSnapshot{at: o.lastPublish, phase: p.state.String(), crashCycle: p.fatalError,
		counts: p.workerCounts(), metrics: p.snapshotMetrics()}
	o.snap.Store(s)
	if o.notify != nil {
		if st := statusLine(s); st != o.lastStatus {
			o.lastStatus = st
			o.notify.send("STATUS=" + st)
		}
	}
}

// statusLine is the service manager's one-line status: the phase and how
// many workers are in each state.
func statusLine(s *opsSnapshot) string {
	var parts []string
	for _, st := range []string{StateRunning, StateStarting, StateWaitingStart, StateWaitingPhase,
		StateWaitingRestart, StateCrashed, StateStopped} {
		if n := s.counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if len(parts) == 0 {
		return s.phase + "; no workers"
	}
	return s.phase + "; workers: " + strings.Join(parts, ", ")
}

// opsState is called by setState: READY=1 when the host is ready (or a
// standby has reached its consistent state), STOPPING=1 once when it shuts
// down. Postmaster goroutine.
func (p *postmaster) opsState(s pmState) {
	o := p.ops
	if o == nil {
		return
	}
	switch {
	case s == pmRun || s == pmHotStandby || s == pmRecovery:
		p.publish()
		o.notify.send("READY=1\nSTATUS=" + o.lastStatus)
	case s >= pmStopBackends && (p.shutdown > noShutdown || s == pmNoChildren) && !o.stopping:
		o.stopping = true
		p.publish()
		o.notify.send("STOPPING=1\nSTATUS=" + o.lastStatus)
	}
}

// opsReloading and opsReloaded bracket a reload (systemd's
// Type=notify-reload protocol: RELOADING=1 with the monotonic time, then
// READY=1 when the new configuration is in effect).
func (p *postmaster) opsReloading() {
	if o := p.ops; o != nil {
		o.notify.send("RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec())
	}
}

func (p *postmaster) opsReloaded() {
	if o := p.ops; o != nil {
		o.notify.send("READY=1")
	}
}
