package libbgworker

// This file holds the postmaster-side handlers of control requests: they
// run on the postmaster goroutine (called from loop()), read and change
// postmaster state, and answer at once; nothing here blocks.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

// handleControl answers one request.
func (p *postmaster) handleControl(c *controlCall) {
	rep, err := p.controlOp(c.req)
	if err != nil {
		rep = ControlReply{Error: printable(err.Error())}
	} else {
		rep.OK = true
	}
	rep.Version = ControlVersion
	c.reply <- rep
}

// checkControlRequest applies the checks of a request that need no
// postmaster state: a known operation, its required arguments, a valid stop
// mode, a launch that passes the registration checks. controlOp runs it
// first, so a request it refuses changes nothing. Pure: FuzzControlRequest
// feeds it whatever decodeControlRequest accepts.
func checkControlRequest(req ControlRequest) error {
	switch req.Op {
	case OpStatus, OpReload, OpPromote:
		return nil
	case OpWorker:
		if req.Slot == nil {
			return fmt.Errorf("operation \"worker\" requires \"slot\"")
		}
		return nil
	case OpLaunch:
		if req.Launch == nil {
			return fmt.Errorf("operation \"launch\" requires \"launch\"")
		}
		reg, err := launchRegistration(req.Launch)
		if err != nil {
			return err
		}
		return validateLaunch(&reg)
	case OpTerminate:
		if req.Pid == 0 && req.Name == "" && req.Slot == nil {
			return fmt.Errorf("operation \"terminate\" requires \"pid\", \"name\" or \"slot\"")
		}
		return nil
	case OpStop:
		if _, ok := stopSignals[req.Mode]; !ok {
			return fmt.Errorf("invalid shutdown mode %q: use smart, fast or immediate", req.Mode)
		}
		return nil
	case "":
		return fmt.Errorf("malformed request: \"op\" is missing")
	}
	return fmt.Errorf("unknown operation %q", req.Op)
}

// stopSignals maps a stop request's mode to the signal it stands for.
var stopSignals = map[string]syscall.Signal{ModeSmart: unix.SIGTERM, ModeFast: unix.SIGINT,
	ModeImmediate: unix.SIGQUIT, "": unix.SIGINT}

func (p *postmaster) controlOp(req ControlRequest) (ControlReply, error) {
	if err := checkControlRequest(req); err != nil {
		return ControlReply{}, err
	}
	switch req.Op {
	case OpStatus:
		if req.Summary {
			return ControlReply{Host: p.hostStatus(), Counts: p.workerCounts()}, nil
		}
		return ControlReply{Host: p.hostStatus(), Workers: p.workerStatuses()}, nil
	case OpWorker:
		for _, w := range p.workers {
			if w.slot == *req.Slot && w.generation == req.Generation {
				return ControlReply{Workers: []WorkerStatus{p.workerStatus(w)}}, nil
			}
		}
		// Gone: report what is known of its end.
		ws := WorkerStatus{Slot: *req.Slot, Generation: req.Generation, State: StateStopped}
		if g, ok := p.gone[slotKey{*req.Slot, req.Generation}]; ok {
			ws = p.workerStatus(g)
		}
		return ControlReply{Workers: []WorkerStatus{ws}}, nil
	case OpLaunch:
		reg, err := launchRegistration(req.Launch)
		if err != nil {
			return ControlReply{}, err
		}
		w, err := p.launchWorker(reg)
		if err != nil {
			return ControlReply{}, err
		}
		return ControlReply{Workers: []WorkerStatus{p.workerStatus(w)}}, nil
	case OpTerminate:
		return p.controlTerminate(req)
	case OpStop:
		p.handleSignal(stopSignals[req.Mode])
		return ControlReply{}, nil
	case OpReload:
		p.handleSignal(unix.SIGHUP)
		return ControlReply{}, nil
	case OpPromote:
		if _, err := os.Stat(filepath.Join(p.dataDir, StandbySignal)); err != nil {
			return ControlReply{}, fmt.Errorf("cannot promote server; server is not in standby mode")
		}
		if err := os.WriteFile(filepath.Join(p.dataDir, PromoteSignal), nil, 0o600); err != nil {
			return ControlReply{}, fmt.Errorf("could not create promote signal file: %v", errnoText(err))
		}
		p.checkPromote()
		return ControlReply{}, nil
	}
	return ControlReply{}, fmt.Errorf("unknown operation %q", req.Op) // not reached: checked above
}

// controlTerminate stops workers for good: SIGTERM if they run, and they
// are not restarted; an unstarted one is forgotten at once.
func (p *postmaster) controlTerminate(req ControlRequest) (ControlReply, error) {
	var targets []*worker
	var what string
	switch {
	case req.Pid != 0:
		what = fmt.Sprintf("with PID %d", req.Pid)
		if w := p.byPid[req.Pid]; w != nil {
			targets = append(targets, w)
		}
	case req.Name != "":
		what = fmt.Sprintf("named \"%s\"", req.Name)
		for _, w := range p.workers {
			if w.reg.Name == req.Name {
				targets = append(targets, w)
			}
		}
	case req.Slot != nil:
		what = fmt.Sprintf("in slot %d", *req.Slot)
		if w := p.workerInSlot(*req.Slot); w != nil {
			targets = append(targets, w)
		}
	default:
		return ControlReply{}, fmt.Errorf("operation \"terminate\" requires \"pid\", \"name\" or \"slot\"")
	}
	if len(targets) == 0 {
		return ControlReply{}, fmt.Errorf("no background worker %s", what)
	}
	var out []WorkerStatus
	for _, w := range targets {
		ws := p.workerStatus(w)
		p.terminateWorker(w)
		if w.state.hasProcess() {
			ws.State = "terminating"
		} else {
			ws.State = w.state.String()
		}
		out = append(out, ws)
	}
	return ControlReply{Workers: out}, nil
}

// launchRegistration turns a LaunchSpec into a registration.
func launchRegistration(s *LaunchSpec) (cshim.Worker, error) {
	w := cshim.Worker{Name: s.Name, Type: s.Type, Library: s.Library, Function: s.Function,
		MainArg: uint64(s.Arg), RestartTime: bgwNeverRestart, StartTime: startRecoveryFinished}
	// The strings become C strings in the slot: a NUL would cut them short
	// (a library name "x\x00/../y" registering as "x"), and control
	// characters have no place in names that end up in log lines.
	for _, f := range []struct{ field, value string }{{"name", s.Name}, {"type", s.Type},
		{"library", s.Library}, {"function", s.Function}} {
		if i := strings.IndexFunc(f.value, unicode.IsControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(f.value[i:])
			return w, fmt.Errorf("launch field \"%s\" contains the control character %s", f.field,
				strconv.QuoteRune(r))
		}
	}
	if s.RestartTime != nil {
		w.RestartTime = *s.RestartTime
	}
	for _, f := range s.Flags {
		switch strings.TrimSpace(f) {
		case "shmem", "shmem_access":
			w.Flags |= bgworkerShmemAccess
		case "database", "database_connection":
			w.Flags |= bgworkerDatabaseConnection
		case "":
		default:
			return w, fmt.Errorf("unknown worker flag %q: use shmem or database", f)
		}
	}
	switch s.StartTime {
	case "postmaster-start", "postmaster":
		w.StartTime = startPostmasterStart
	case "consistent", "consistent-state":
		w.StartTime = startConsistentState
	case "", "recovery-finished":
		w.StartTime = startRecoveryFinished
	default:
		return w, fmt.Errorf("unknown start time %q: use postmaster-start, consistent or recovery-finished", s.StartTime)
	}
	if len(s.Extra) >= len(w.Extra) {
		return w, fmt.Errorf("extra is %d bytes; at most %d fit", len(s.Extra), len(w.Extra)-1)
	}
	copy(w.Extra[:], s.Extra)
	return w, nil
}

// hostStatus describes the supervisor.
func (p *postmaster) hostStatus() *HostStatus {
	h := &HostStatus{Pid: os.Getpid(), Version: buildinfo.VersionString(), Phase: p.state.String(),
		StartedAt: p.startedAt, UptimeSecs: time.Since(p.startedAt).Seconds(), DataDir: p.dataDir,
		SharedMem: p.segSize, CrashCycle: p.fatalError}
	if p.ctl != nil {
		h.Socket = p.ctl.path
	}
	switch p.shutdown {
	case smartShutdown:
		h.ShutdownReq = ModeSmart
	case fastShutdown:
		h.ShutdownReq = ModeFast
	case immediateShutdown:
		h.ShutdownReq = ModeImmediate
	}
	n := cshim.SlotCount()
	h.SlotsTotal = n
	for i := 0; i < n; i++ {
		if v, err := cshim.ReadSlot(i); err == nil && v.InUse {
			h.SlotsUsed++
		}
	}
	return h
}

func (p *postmaster) workerStatuses() []WorkerStatus {
	out := make([]WorkerStatus, 0, len(p.workers))
	for _, w := range p.workers {
		out = append(out, p.workerStatus(w))
	}
	return out
}

var startTimeNames = [...]string{"postmaster-start", "consistent", "recovery-finished"}

// workerStatus describes one worker as the status table shows it.
func (p *postmaster) workerStatus(w *worker) WorkerStatus {
	ws := WorkerStatus{Slot: w.slot, Generation: w.generation, Name: w.reg.Name, Type: w.typeName(),
		Dynamic: w.dynamic, Library: w.reg.Library, Function: w.reg.Function, Restarts: w.restarts,
		LastExit: w.lastExit, Pid: w.pid, RestartTime: "never", Flags: []string{}}
	if w.reg.Flags&bgworkerShmemAccess != 0 {
		ws.Flags = append(ws.Flags, "shmem")
	}
	if w.reg.Flags&bgworkerDatabaseConnection != 0 {
		ws.Flags = append(ws.Flags, "database")
	}
	if w.reg.Flags&bgworkerClassParallel != 0 {
		ws.Flags = append(ws.Flags, "parallel")
	}
	if st := w.reg.StartTime; st >= 0 && st < len(startTimeNames) {
		ws.StartTime = startTimeNames[st]
	}
	if !w.neverRestart() {
		ws.RestartTime = fmt.Sprintf("%ds", w.reg.RestartTime)
	}
	if !w.startedAt.IsZero() {
		t := w.startedAt
		ws.StartedAt = &t
	}
	if !w.lastAt.IsZero() {
		t := w.lastAt
		ws.LastExitAt = &t
	}
	ws.State = w.state.String()
	switch ws.State {
	case StateRunning:
		if w.shmem() {
			if act, _, we, ok := cshim.ProcStatus(w.slot); ok {
				ws.Activity = act
				ws.WaitEvent = cshim.WaitEventName(we)
				ws.WaitType = cshim.WaitEventType(we)
			}
		}
	case StateWaitingRestart:
		t := w.restartDue()
		ws.RestartAt = &t
	}
	return ws
}

// workerCounts is how many workers are in each state (a status request
// with "summary").
func (p *postmaster) workerCounts() map[string]int {
	counts := map[string]int{}
	for _, w := range p.workers {
		counts[w.state.String()]++
	}
	return counts
}
