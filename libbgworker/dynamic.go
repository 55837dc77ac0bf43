package libbgworker

// This file holds the supervisor's side of dynamic background workers
// (docs/design.md §5.7): on PMSIGNAL_BACKGROUND_WORKER_CHANGE it scans the
// shared slot array for new registrations and termination requests, and it
// registers workers itself for `bgworker launch`. The slot array is written
// by workers, so every read is defensive (cshim.ReadSlot bounds strings;
// checkSlotValues checks every value) and a slot that does not make sense is
// ignored with "inconsistent background worker state"; it can never take the
// supervisor down. Postmaster goroutine only.

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// slotKey names one registration: a slot at one generation.
type slotKey struct {
	slot       int
	generation uint64
}

// workerInSlot returns the registered worker occupying slot i, if any.
func (p *postmaster) workerInSlot(i int) *worker {
	for _, w := range p.workers {
		if w.slot == i {
			return w
		}
	}
	return nil
}

// checkSlotValues validates what a worker wrote into a slot: values no
// registration through RegisterDynamicBackgroundWorker can have mean that
// the array was scribbled over. The registration rules are bgworker.c's
// (cshim.WorkerProblem); the rest are what that path always sets. It
// returns "" when the slot is sound.
func checkSlotValues(v cshim.SlotView) string {
	r := v.Worker
	if r.Name == "" {
		return "the worker has no name"
	}
	if r.Library == "" || r.Function == "" {
		return fmt.Sprintf("worker \"%s\" has no library or function name", r.Name)
	}
	if problem := cshim.WorkerProblem(r); problem != "" {
		return problem
	}
	switch {
	case cshim.UnknownWorkerFlags(r.Flags) != 0:
		return fmt.Sprintf("worker \"%s\" has flags 0x%x", r.Name, r.Flags)
	case r.NotifyPid < 0:
		return fmt.Sprintf("worker \"%s\" has notification PID %d", r.Name, r.NotifyPid)
	case v.Pid != -1 && v.Pid != 0 && !v.Terminate:
		return fmt.Sprintf("unregistered worker \"%s\" claims PID %d", r.Name, v.Pid)
	}
	return ""
}

// backgroundWorkerStateChange is BackgroundWorkerStateChange: adopt new
// registrations, act on termination requests.
func (p *postmaster) backgroundWorkerStateChange() {
	allowNew := p.state < pmStopBackends
	n := cshim.SlotCount()
	if p.badSlots == nil {
		p.badSlots = map[slotKey]bool{}
	}
	for i := 0; i < n; i++ {
		view, err := cshim.ReadSlot(i)
		if err != nil {
			msg := err.Error()
			if strings.HasPrefix(msg, "inconsistent background worker state") {
				// The array header itself is wrong: give up for this
				// signal, as PostgreSQL does.
				cshim.Log(cshim.LevelLog, msg, "", "")
				return
			}
			cshim.Log(cshim.LevelLog, "inconsistent background worker state",
				fmt.Sprintf("Slot %d was ignored: %s.", i, msg), "")
			continue
		}
		if !view.InUse {
			continue
		}
		if w := p.workerInSlot(i); w != nil {
			if w.dynamic && w.generation != view.Generation {
				// The slot was freed and claimed again before we saw the
				// old registration go: forget the stale record.
				p.removeWorker(w)
			} else {
				if view.Terminate && !w.terminate {
					p.terminateWorker(w)
				}
				continue
			}
		}
		if !cshim.SlotTakeStart(i) {
			continue // the fork server took it (a fast start): its reply adopts it
		}
		key := slotKey{i, view.Generation}
		if p.badSlots[key] {
			continue
		}
		if view.Worker.Name == "" {
			// PostgreSQL accepts a worker with only a type (test_shm_mq
			// registers so); its type then names it.
			view.Worker.Name = view.Worker.Type
		}
		if problem := checkSlotValues(view); problem != "" {
			p.badSlots[key] = true
			cshim.Log(cshim.LevelLog, "inconsistent background worker state",
				fmt.Sprintf("Slot %d (generation %d) was ignored: %s.", i, view.Generation, problem), "")
			continue
		}
		if !allowNew || view.Terminate {
			// Never started and never will be: release the slot at once
			// so that its waiter sees BGWH_STOPPED.
			cshim.SetSlotPid(i, 0)
			cshim.FreeSlot(i)
			cshim.WakeWaiter(view.Worker.NotifyPid)
			continue
		}
		reg := view.Worker
		// The notify PID must be one of our children. A worker whose fork
		// reply is still on its way (inFlight) may already register, so
		// its PID is kept then; the notify rule (cshim.WakeWaiter) signals
		// only our workers.
		if reg.NotifyPid != 0 && p.byPid[reg.NotifyPid] == nil && p.inFlight == 0 {
			cshim.Log(cshim.LevelDebug1, fmt.Sprintf("worker notification PID %d is not valid", reg.NotifyPid), "", "")
			reg.NotifyPid = 0
		}
		cshim.Log(cshim.LevelDebug1, fmt.Sprintf("registering background worker \"%s\"", reg.Name), "", "")
		w := &worker{reg: reg, slot: i, dynamic: true, generation: view.Generation}
		p.workers = append(p.workers, w)
		p.settle(w)
	}
}

// updateFastStart tells the fork server whether to start new dynamic
// registrations on its own (fast starts, forkserver.c): only while the
// host runs, is not stopping and is not in a crash cycle, so that every
// start the supervisor would refuse or hold is still its own decision.
// Turning them off is a barrier: until the fork server answers, a fast
// start's reply may be on its way, and childCount counts it. Called by
// step before and after it acts.
func (p *postmaster) updateFastStart() {
	want := p.state == pmRun && p.shutdown == noShutdown && !p.fatalError &&
		p.fs != nil && !p.fsReaderGone
	if want == p.fastOn || p.fs == nil || p.fsReaderGone {
		return
	}
	p.nextReq++
	id := p.nextReq
	if err := p.fs.SendFastStart(id, want); err != nil {
		cshim.Log(cshim.LevelLog, fmt.Sprintf("could not send a request to the fork server: %v", errnoText(err)), "", "")
		p.loseForkServer()
		return
	}
	p.fastOn = want
	if !want {
		p.fastOffReq = id
	}
}

// adoptFastStart registers the worker the fork server started on its own
// for the new registration in slot rep.Slot (a fast start), as the scan
// would have, in the state of a worker whose start request is out: the
// caller then handles rep as the reply to that request. It returns nil
// when the slot holds no registration the fork server could have started
// (the array was scribbled over): the process, if any, is told to stop.
func (p *postmaster) adoptFastStart(rep cshim.Reply) *worker {
	view, err := cshim.ReadSlot(rep.Slot)
	if err == nil && !view.InUse {
		err = errors.New("the slot is free")
	}
	if err == nil {
		if w := p.workerInSlot(rep.Slot); w != nil {
			if w.dynamic && w.generation != view.Generation {
				p.removeWorker(w) // its slot was freed and claimed again
			} else {
				err = fmt.Errorf("the slot holds worker \"%s\"", w.reg.Name)
			}
		}
	}
	if err != nil {
		cshim.Log(cshim.LevelLog, "inconsistent background worker state",
			fmt.Sprintf("A worker the fork server started in slot %d (PID %d) was stopped: %s.", rep.Slot, rep.Pid, err), "")
		if rep.Pid > 0 {
			unix.Kill(rep.Pid, unix.SIGTERM)
		}
		return nil
	}
	reg := view.Worker
	if reg.Name == "" {
		reg.Name = reg.Type
	}
	if reg.NotifyPid != 0 && p.byPid[reg.NotifyPid] == nil && p.inFlight == 0 {
		cshim.Log(cshim.LevelDebug1, fmt.Sprintf("worker notification PID %d is not valid", reg.NotifyPid), "", "")
		reg.NotifyPid = 0
	}
	cshim.Log(cshim.LevelDebug1, fmt.Sprintf("registering background worker \"%s\"", reg.Name), "", "")
	w := &worker{reg: reg, slot: rep.Slot, dynamic: true, generation: view.Generation,
		state: wsStarting, terminate: view.Terminate}
	p.workers = append(p.workers, w)
	p.nextReq++
	w.reqID = p.nextReq
	p.byReq[w.reqID] = w
	p.inFlight++
	p.opsRequested(w) // history.go
	cshim.Log(cshim.LevelDebug1, fmt.Sprintf("starting background worker process \"%s\"", reg.Name), "", "")
	return w
}

// terminateWorker acts on a termination request for w (lifecycle.go):
// SIGTERM if it runs, at its start if it is starting; if it has no
// process, it is unregistered now.
func (p *postmaster) terminateWorker(w *worker) {
	p.fire(w, evTerminate, eventData{})
}

// clearNotifyPid forgets pid as a notification target once that process
// exited, so that a later process with the same pid is never signalled
// (docs/design.md §5.7, item 4).
func (p *postmaster) clearNotifyPid(pid int) {
	for _, w := range p.workers {
		if w.reg.NotifyPid == pid {
			w.reg.NotifyPid = 0
		}
	}
}

// validateLaunch checks a worker asked for by `bgworker launch` and
// fills the defaults: what a control request must hold (a library and a
// function, names that fit their fields, no parallel worker), then the
// registration rules of RegisterDynamicBackgroundWorker (bgworker.c,
// through cshim.WorkerProblem), with PostgreSQL's messages.
func validateLaunch(w *cshim.Worker) error {
	if w.Library == "" || w.Function == "" {
		return fmt.Errorf("a library and a function name are required")
	}
	if w.Name == "" {
		w.Name = w.Function
	}
	if len(w.Name) >= cshim.WorkerNameLen || len(w.Type) >= cshim.WorkerNameLen || len(w.Function) >= cshim.WorkerNameLen {
		return fmt.Errorf("background worker \"%s\": name, type and function name must be shorter than %d bytes", clipEcho(w.Name), cshim.WorkerNameLen)
	}
	if len(w.Library) >= cshim.WorkerLibraryLen {
		return fmt.Errorf("background worker \"%s\": library name must be shorter than %d bytes", clipEcho(w.Name), cshim.WorkerLibraryLen)
	}
	if u := cshim.UnknownWorkerFlags(w.Flags); u != 0 {
		return fmt.Errorf("background worker \"%s\": unknown flags 0x%x", w.Name, u)
	}
	if w.Flags&bgworkerClassParallel != 0 {
		return fmt.Errorf("background worker \"%s\": parallel workers cannot be launched from outside", w.Name)
	}
	if problem := cshim.WorkerProblem(*w); problem != "" {
		return errors.New(problem)
	}
	w.NotifyPid = 0
	return nil
}

// launchWorker registers a dynamic worker on behalf of a control client:
// it claims a slot without BackgroundWorkerLock and adopts the worker at
// once. It returns the worker's record.
func (p *postmaster) launchWorker(reg cshim.Worker) (*worker, error) {
	if err := validateLaunch(&reg); err != nil {
		return nil, err
	}
	if p.state >= pmStopBackends || p.shutdown > noShutdown {
		return nil, fmt.Errorf("cannot launch background worker \"%s\": the host is shutting down", reg.Name)
	}
	if p.fatalError {
		return nil, fmt.Errorf("cannot launch background worker \"%s\": the host is recovering from a crash", reg.Name)
	}
	// The worker applies the same rule when it loads the library; checked
	// here as well so that the client hears why at once.
	if err := checkLaunchLibrary(reg.Library); err != nil {
		return nil, err
	}
	slot, gen, ok := cshim.ClaimSlot(reg)
	if !ok {
		return nil, fmt.Errorf("no free background worker slot for \"%s\" (max_worker_processes is %d)", reg.Name, cshim.SlotCount())
	}
	view, err := cshim.ReadSlot(slot)
	if err == nil && view.InUse && view.Generation == gen {
		reg = view.Worker
	}
	cshim.Log(cshim.LevelDebug1, fmt.Sprintf("registering background worker \"%s\"", reg.Name), "", "")
	w := &worker{reg: reg, slot: slot, dynamic: true, generation: gen}
	p.workers = append(p.workers, w)
	p.settle(w)
	return w, nil
}

// checkLaunchLibrary applies the trust rule of every module load
// (cshim/fmgr/libtrust.c) to the library of a worker asked for by
// `bgworker launch`: the error (one line, as every control reply) names
// the file and the reason.
func checkLaunchLibrary(name string) error {
	if name == coreLibraryName {
		return nil
	}
	if _, cerr := cshim.ResolveLibrary(name); cerr != nil {
		return errors.New(cerr.Message)
	}
	return nil
}

// coreLibraryName is the library name of functions built into the host
// (child.c looks them up without loading anything).
const coreLibraryName = "postgres"
