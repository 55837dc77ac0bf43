package libbgworker

// This file holds the supervisor's side of dynamic background workers
// (reference §7): on PMSIGNAL_BACKGROUND_WORKER_CHANGE it scans the shared
// slot array for new registrations and termination requests. The slot
// array is written by workers, so every read is defensive (cshim.ReadSlot
// bounds strings and checks values) and a slot that does not make sense is
// ignored with a LOG line; it can never take the supervisor down.
// Postmaster goroutine only.

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// workerInSlot returns the registered worker occupying slot i, if any.
func (p *postmaster) workerInSlot(i int) *worker {
	for _, w := range p.workers {
		if w.slot == i {
			return w
		}
	}
	return nil
}

// backgroundWorkerStateChange is BackgroundWorkerStateChange: adopt new
// registrations, act on termination requests.
func (p *postmaster) backgroundWorkerStateChange() {
	allowNew := p.state < pmStopBackends
	n := cshim.SlotCount()
	for i := 0; i < n; i++ {
		view, err := cshim.ReadSlot(i)
		if err != nil {
			cshim.Log(cshim.LevelLog, "inconsistent background worker state",
				fmt.Sprintf("Slot %d was ignored: %v.", i, err), "")
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
		if reg.NotifyPid != 0 && p.byPid[reg.NotifyPid] == nil {
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
func (p *postmaster) wakeWaiter(pid int) {
	unix.Kill(pid, unix.SIGUSR1)
	if w := p.byPid[pid]; w != nil && w.shmem() {
		cshim.SetWorkerLatch(w.slot)
	}
}
