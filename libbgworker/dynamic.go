package libbgworker

// This file holds the supervisor's side of dynamic background workers
// (reference §7): on PMSIGNAL_BACKGROUND_WORKER_CHANGE it scans the shared
// slot array for new registrations and termination requests, and it
// registers workers itself for `bgworker launch`. The slot array is
// written by workers, so every read is defensive (cshim.ReadSlot bounds
// strings; checkSlotValues checks every value) and a slot that does not
// make sense is ignored with "inconsistent background worker state"; it
// can never take the supervisor down. Postmaster goroutine only.

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// Limits a registration must respect (bgworker.c's sanity checks).
const (
	bgworkerDatabaseConnection = 0x0002
	bgworkerClassParallel      = 0x0010
	knownWorkerFlags           = bgworkerShmemAccess | bgworkerDatabaseConnection | bgworkerClassParallel
	maxRestartTime             = 86400000
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
// the array was scribbled over. It returns "" when the slot is sound.
func checkSlotValues(v cshim.SlotView) string {
	r := v.Worker
	switch {
	case r.Name == "":
		return "the worker has no name"
	case r.Library == "" || r.Function == "":
		return fmt.Sprintf("worker \"%s\" has no library or function name", r.Name)
	case r.StartTime < startPostmasterStart || r.StartTime > startRecoveryFinished:
		return fmt.Sprintf("worker \"%s\" has start time %d", r.Name, r.StartTime)
	case r.RestartTime < bgwNeverRestart || r.RestartTime > maxRestartTime:
		return fmt.Sprintf("worker \"%s\" has restart interval %d", r.Name, r.RestartTime)
	case r.Flags&^knownWorkerFlags != 0:
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
			if view.Worker.NotifyPid > 0 {
				p.wakeWaiter(view.Worker.NotifyPid)
			}
			continue
		}
		reg := view.Worker
		// The notify PID must be one of our children. A worker whose fork
		// reply is still on its way (inFlight) may already register, so
		// its PID is kept then; wakeWaiter signals only known children.
		if reg.NotifyPid != 0 && p.byPid[reg.NotifyPid] == nil && p.inFlight == 0 {
			cshim.Log(cshim.LevelDebug1, fmt.Sprintf("worker notification PID %d is not valid", reg.NotifyPid), "", "")
			reg.NotifyPid = 0
		}
		cshim.Log(cshim.LevelDebug1, fmt.Sprintf("registering background worker \"%s\"", reg.Name), "", "")
		p.workers = append(p.workers, &worker{reg: reg, slot: i, dynamic: true,
			generation: view.Generation})
	}
}

// terminateWorker acts on a termination request for w: SIGTERM if it
// runs; if it never started, it is forgotten now.
func (p *postmaster) terminateWorker(w *worker) {
	w.terminate = true
	switch w.state {
	case wsRunning:
		unix.Kill(w.pid, unix.SIGTERM)
	case wsWaiting:
		cshim.SetSlotPid(w.slot, 0)
		p.forget(w)
		p.removeWorker(w)
	}
	// wsStarting: the reply will find terminate set and SIGTERM it.
}

// wakeWaiter tells a process waiting on a worker's state (bgw_notify_pid)
// that it changed. PostgreSQL sends SIGUSR1, which wakes a waiter only if
// it installed a handler that sets its latch; the supervisor also sets the
// waiter's latch directly when the waiter is one of its workers, so
// WaitForBackgroundWorkerStartup/Shutdown wake whatever handlers they have.
//
// Only a process the supervisor knows as its worker is signalled: a
// notify PID kept while its fork reply was in flight may turn out to be
// no child of ours.
func (p *postmaster) wakeWaiter(pid int) {
	w := p.byPid[pid]
	if w == nil {
		return
	}
	unix.Kill(pid, unix.SIGUSR1)
	if w.shmem() {
		cshim.SetWorkerLatch(w.slot)
	}
}

// clearNotifyPid forgets pid as a notification target once that process
// exited, so that a later process with the same pid is never signalled
// (reference §7.4).
func (p *postmaster) clearNotifyPid(pid int) {
	for _, w := range p.workers {
		if w.reg.NotifyPid == pid {
			w.reg.NotifyPid = 0
		}
	}
}

// validateLaunch applies the registration checks of
// RegisterDynamicBackgroundWorker to a worker asked for by `bgworker
// launch`, and fills the defaults. Messages as bgworker.c's.
func validateLaunch(w *cshim.Worker) error {
	if w.Library == "" || w.Function == "" {
		return fmt.Errorf("a library and a function name are required")
	}
	if w.Name == "" {
		w.Name = w.Function
	}
	if len(w.Name) >= 96 || len(w.Type) >= 96 || len(w.Function) >= 96 {
		return fmt.Errorf("background worker \"%s\": name, type and function name must be shorter than 96 bytes", w.Name)
	}
	if len(w.Library) >= 1024 {
		return fmt.Errorf("background worker \"%s\": library name must be shorter than 1024 bytes", w.Name)
	}
	if w.Flags&^knownWorkerFlags != 0 {
		return fmt.Errorf("background worker \"%s\": unknown flags 0x%x", w.Name, w.Flags&^knownWorkerFlags)
	}
	if w.Flags&bgworkerClassParallel != 0 {
		return fmt.Errorf("background worker \"%s\": parallel workers cannot be launched from outside", w.Name)
	}
	if w.Flags&bgworkerDatabaseConnection != 0 {
		if w.Flags&bgworkerShmemAccess == 0 {
			return fmt.Errorf("background worker \"%s\": must attach to shared memory in order to request a database connection", w.Name)
		}
		if w.StartTime == startPostmasterStart {
			return fmt.Errorf("background worker \"%s\": cannot request database access if starting at postmaster start", w.Name)
		}
	}
	if w.StartTime < startPostmasterStart || w.StartTime > startRecoveryFinished {
		return fmt.Errorf("background worker \"%s\": invalid start time %d", w.Name, w.StartTime)
	}
	if w.RestartTime < bgwNeverRestart || w.RestartTime > maxRestartTime {
		return fmt.Errorf("background worker \"%s\": invalid restart interval", w.Name)
	}
	if w.Type == "" {
		w.Type = w.Name
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
	return w, nil
}
