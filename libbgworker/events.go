package libbgworker

// This file holds the postmaster's reactions to events: signals, fork
// server replies and child exits, and the actions the state machine takes
// (starting workers, the crash cycle, shutdown). Postmaster goroutine only.

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

func (p *postmaster) handleSignal(sig syscall.Signal) {
	switch sig {
	case unix.SIGCHLD:
		p.reapChildren()
	case unix.SIGTERM:
		if p.shutdown < smartShutdown {
			cshim.Log(cshim.LevelLog, "received smart shutdown request", "", "")
			p.shutdown = smartShutdown
		}
	case unix.SIGINT:
		if p.shutdown < fastShutdown {
			cshim.Log(cshim.LevelLog, "received fast shutdown request", "", "")
			if p.state == pmRun || p.state == pmHotStandby {
				cshim.Log(cshim.LevelLog, "aborting any active transactions", "", "")
			}
			p.shutdown = fastShutdown
			if p.state == pmWaitBackends && !p.fatalError {
				p.setState(pmStopBackends) // resend SIGTERM, e.g. to late starters
			}
		}
	case unix.SIGQUIT:
		if p.shutdown < immediateShutdown {
			cshim.Log(cshim.LevelLog, "received immediate shutdown request", "", "")
			p.shutdown = immediateShutdown
			p.signalChildren(unix.SIGQUIT, true)
			p.abortStart = time.Now()
			p.killedAll = false
			p.setState(pmWaitBackends)
		}
	case unix.SIGHUP:
		if p.shutdown <= smartShutdown {
			p.opsReloading() // ops.go
			cshim.Log(cshim.LevelLog, "received SIGHUP, reloading configuration files", "", "")
			cshim.ReloadConfig()
			p.sys.reconfigure()
			if p.fs != nil {
				p.fs.SendReload()
			}
			p.signalChildren(unix.SIGHUP, false)
			p.opsReloaded()
		}
	case unix.SIGUSR1:
		if cshim.CheckPostmasterSignal(cshim.PMSignalBackgroundWorkerChange) {
			p.backgroundWorkerStateChange()
		}
		p.checkPromote()
		p.checkLogrotate()
	}
}

// checkLogrotate acts on a log rotation request made as pg_ctl logrotate
// makes one: the file DIR/logrotate, then SIGUSR1.
func (p *postmaster) checkLogrotate() {
	path := filepath.Join(p.dataDir, LogrotateSignal)
	if _, err := os.Stat(path); err != nil {
		return
	}
	os.Remove(path)
	p.sys.rotate()
}

// checkPromote acts on `bgworker promote`: the CLI writes DIR/promote and
// sends SIGUSR1.
func (p *postmaster) checkPromote() {
	path := filepath.Join(p.dataDir, PromoteSignal)
	if _, err := os.Stat(path); err != nil {
		return
	}
	os.Remove(path)
	if p.shutdown != noShutdown || (p.state != pmRecovery && p.state != pmHotStandby && p.state != pmStartup) {
		return
	}
	cshim.Log(cshim.LevelLog, "received promote request", "", "")
	os.Remove(filepath.Join(p.dataDir, StandbySignal))
	if p.state == pmStartup {
		return // the startup child has not finished; it will see no standby.signal
	}
	p.enterRun()
}

func (p *postmaster) enterRun() {
	p.setState(pmRun)
	cshim.Log(cshim.LevelLog, "database system is ready to accept connections", "", "")
}

// handleReplies records the pids the fork server reports.
func (p *postmaster) handleReplies(r forkReplies) {
	if r.gen != p.fsGen {
		// From a fork server that was replaced: its workers are gone, but a
		// spare it announced is our child and must be known to be reaped.
		for _, rep := range r.replies {
			if rep.Spare && rep.Pid > 0 {
				p.spares[rep.Pid] = r.gen
			}
		}
		if r.err != nil {
			if fs := p.oldConns[r.gen]; fs != nil {
				fs.Close()
				delete(p.oldConns, r.gen)
			}
		}
		p.reapStray()
		return
	}
	if r.err != nil {
		// The fork server's socket closed (it exited) or broke: requests
		// it did not answer are lost. It is no use any more; its exit,
		// when it is reaped, starts the crash cycle that replaces it.
		p.fsReaderGone = true
		p.failInFlight()
		p.loseForkServer()
		p.reapStray()
		return
	}
	for _, rep := range r.replies {
		if rep.FastStart {
			if rep.ID == p.fastOffReq {
				p.fastOffReq = 0
			}
			continue
		}
		if rep.Fast {
			w := p.adoptFastStart(rep) // dynamic.go
			if w == nil {
				continue
			}
			rep.ID = w.reqID // from here on, as the reply to a request of ours
		}
		if rep.Spare {
			// Exits held for earlier spares are of spares never used: the
			// reply that hands a spare a worker precedes the next spare.
			clear(p.spareExits)
			if rep.Pid > 0 {
				p.spares[rep.Pid] = r.gen
			}
			continue
		}
		if rep.ID == p.startupReq && p.startupSent {
			p.startupReq = 0
			if rep.Pid <= 0 {
				cshim.Log(cshim.LevelLog, fmt.Sprintf("could not fork startup process: %v", errnoText(rep.Errno)), "", "")
				p.abortStartup()
				continue
			}
			p.startupPid = rep.Pid
			if p.state >= pmStopBackends {
				p.signalPid(rep.Pid, p.stopSignal(), true)
			}
			continue
		}
		w, ok := p.byReq[rep.ID]
		if !ok {
			continue
		}
		delete(p.byReq, rep.ID)
		p.inFlight--
		if rep.Pid <= 0 {
			cshim.Log(cshim.LevelLog, fmt.Sprintf("could not fork worker process: %v", errnoText(rep.Errno)), "", "")
			p.opsStartFailed(w, rep.Errno) // history.go
			p.fire(w, evForkFailed, eventData{})
			continue
		}
		delete(p.spares, rep.Pid) // a spare became this worker
		p.fire(w, evForked, eventData{pid: rep.Pid, notified: rep.Notified})
		if ws, ok := p.spareExits[rep.Pid]; ok {
			// The spare ran this worker and exited before the reply.
			delete(p.spareExits, rep.Pid)
			p.childExited(rep.Pid, ws)
		}
	}
	p.reapStray()
}

// reapStray reaps again when a SIGCHLD met a zombie we did not know yet
// (its fork reply or spare announcement was still in flight): it may be
// ours now.
func (p *postmaster) reapStray() {
	if p.strayZombie {
		p.strayZombie = false
		p.reapChildren()
	}
}

// failInFlight treats every unanswered start request as a fork failure:
// the fork server is lost. A lost request for the startup child is
// dropped: the crash cycle that replaces the fork server asks again.
func (p *postmaster) failInFlight() {
	for id, w := range p.byReq {
		delete(p.byReq, id)
		p.fire(w, evForkFailed, eventData{})
	}
	p.inFlight = 0
	p.startupReq = 0
	p.fastOn, p.fastOffReq = false, 0
}

// stopSignal is what a child that appears during shutdown or a crash gets.
func (p *postmaster) stopSignal() unix.Signal {
	if p.fatalError || p.shutdown == immediateShutdown {
		return unix.SIGQUIT
	}
	return unix.SIGTERM
}

// notify wakes a worker's bgw_notify_pid, as PostgreSQL does on its
// start and exit (the notify rule: cshim.WakeWaiter).
func (p *postmaster) notify(w *worker) {
	if w.reg.NotifyPid > 0 { // most workers have none: no cgo call
		cshim.WakeWaiter(w.reg.NotifyPid)
	}
}

// sendStartup asks the fork server for the startup child, which runs the
// modules' recovery hook.
func (p *postmaster) sendStartup() {
	p.nextReq++
	p.startupReq = p.nextReq
	p.startupSent = true
	_, err := os.Stat(filepath.Join(p.dataDir, StandbySignal))
	if err := p.fs.SendStartupStandby(p.startupReq, err == nil); err != nil {
		cshim.Log(cshim.LevelLog, fmt.Sprintf("could not send start-up request to the fork server: %v", errnoText(err)), "", "")
		p.startupReq = 0
		p.loseForkServer()
	}
}

// loseForkServer makes sure a fork server that failed a request is gone:
// its exit, when reaped, drops what it did not answer and starts the
// crash cycle that makes a new one (forkServerExited).
func (p *postmaster) loseForkServer() {
	if p.fs != nil {
		unix.Kill(p.fs.Pid(), unix.SIGKILL)
	}
}

// killForkServers SIGKILLs the fork server, the replaced ones not reaped
// yet and every spare child: the stragglers of a stop or crash cycle that
// signalChildren does not reach.
func (p *postmaster) killForkServers() {
	if p.fs != nil {
		unix.Kill(p.fs.Pid(), unix.SIGKILL)
	}
	for pid := range p.oldFS {
		unix.Kill(pid, unix.SIGKILL)
	}
	for pid := range p.spares {
		unix.Kill(pid, unix.SIGKILL)
	}
}

// abortStartup ends the host after the startup child failed, as PostgreSQL
// does ("aborting startup due to startup process failure").
func (p *postmaster) abortStartup() {
	cshim.Log(cshim.LevelLog, "aborting startup due to startup process failure", "", "")
	p.exitCode = 1
	if p.shutdown < fastShutdown {
		p.shutdown = fastShutdown
	}
}

// maybeStartWorkers starts every worker that is due, within the in-flight
// limit (maybe_start_bgworkers), and records the earliest restart deadline
// not yet due in p.nextRestart. The limit is what the fork server's socket
// buffer holds (ForkServer.QueueRoom), so a send never blocks the loop and
// thousands of pending workers never keep it busy: with the queue full it
// returns at once, and each batch of replies runs it again.
func (p *postmaster) maybeStartWorkers() {
	p.nextRestart = time.Time{}
	if p.fatalError || p.shutdown > noShutdown || p.state >= pmStopBackends || p.fs == nil {
		return
	}
	maxInFlight := p.fs.QueueRoom()
	if p.inFlight >= maxInFlight {
		return
	}
	now := time.Now()
	p.batch = p.batch[:0]
	p.walking++
	for _, w := range p.workers {
		if p.inFlight+len(p.batch) >= maxInFlight {
			break // full: the rest waits for the replies (which run this again)
		}
		if w.forgotten || !w.state.waiting() {
			continue
		}
		ev, ok := classifyScan(scanFacts{terminate: w.terminate, eligible: eligible(w.reg.StartTime, p.state),
			crashed: !w.crashedAt.IsZero(), neverRestart: w.neverRestart(), due: !now.Before(w.restartDue())})
		if !ok {
			if due := w.restartDue(); p.nextRestart.IsZero() || due.Before(p.nextRestart) {
				p.nextRestart = due
			}
			continue
		}
		p.fire(w, ev, eventData{})
	}
	p.walking--
	if p.dropPending {
		p.dropForgotten()
	}
	batch := p.batch
	if len(batch) == 0 {
		return
	}
	if cshim.LogLevelEnabled(cshim.LevelDebug1) {
		for _, r := range batch {
			cshim.Log(cshim.LevelDebug1, fmt.Sprintf("starting background worker process \"%s\"", r.Worker.Name), "", "")
		}
	}
	p.inFlight += len(batch)
	if err := p.fs.SendStart(batch); err != nil {
		cshim.Log(cshim.LevelLog, fmt.Sprintf("could not send start requests to the fork server: %v", errnoText(err)), "", "")
		p.loseForkServer()
	}
}

// removeWorker drops w from p.workers.
func (p *postmaster) removeWorker(w *worker) {
	for i, x := range p.workers {
		if x == w {
			p.workers = append(p.workers[:i], p.workers[i+1:]...)
			return
		}
	}
}

// reapChildren reaps every exited child of ours. It peeks with WNOWAIT so
// that a child we do not know (an embedding program's own) is never reaped
// by mistake; when the first zombie is not ours, it falls back to asking
// for each known pid.
func (p *postmaster) reapChildren() {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err != nil {
			return // ECHILD: no children at all
		}
		pid := siginfoPid(&info)
		if pid == 0 {
			return // children exist, none has exited
		}
		if !p.isOurs(pid) {
			p.strayZombie = true
			p.reapKnown()
			return
		}
		p.killOrphanedGroup(pid, &info)
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if err != nil || got != pid {
			return
		}
		p.childExited(pid, ws)
	}
}

// killOrphanedGroup SIGKILLs what is left of the process group of child
// pid (a worker or the startup child; each leads its own session) when
// its exit, seen by waitid with WNOWAIT in info, starts a crash cycle or
// happens during one or during a shutdown. Processes a worker forked stay
// in its group and may hold the old shared memory: PostgreSQL only signals
// the group while the leader lives, so a child that caught that signal
// before it could act on it, or the children of the worker that crashed,
// outlived everything and kept the segment attached. Called before the
// zombie is reaped, so the group id cannot belong to a new process yet.
// Supervisor event loop.
func (p *postmaster) killOrphanedGroup(pid int, info *unix.Siginfo) {
	w := p.byPid[pid]
	if w == nil && pid != p.startupPid {
		return
	}
	tearingDown := p.fatalError || p.shutdown != noShutdown
	if !tearingDown && (w == nil || p.exitEvent(w, siginfoStatus(info)) != evCrash) {
		return // the startup child's exit is judged by startupExited
	}
	unix.Kill(-pid, unix.SIGKILL)
}

// siginfoStatus turns si_code and si_status of a waitid siginfo into the
// wait status wait4 would report for the same exit.
func siginfoStatus(info *unix.Siginfo) unix.WaitStatus {
	const (
		cldExited = 1 // CLD_EXITED
		cldDumped = 3 // CLD_DUMPED; CLD_KILLED (2) is a signal without core
	)
	siCode := *(*int32)(unsafe.Add(unsafe.Pointer(info), 8))
	status := uint32(*(*int32)(unsafe.Add(unsafe.Pointer(info), 24)))
	switch siCode {
	case cldExited:
		return unix.WaitStatus(status&0xff) << 8
	case cldDumped:
		return unix.WaitStatus(status&0x7f | 0x80)
	}
	return unix.WaitStatus(status & 0x7f)
}

// siginfoPid extracts si_pid from a siginfo_t filled by waitid.
func siginfoPid(info *unix.Siginfo) int {
	// si_pid follows si_signo, si_errno, si_code and padding: offset 16 on
	// 64-bit Linux.
	return int(*(*int32)(unsafe.Add(unsafe.Pointer(info), 16)))
}

func (p *postmaster) isOurs(pid int) bool {
	if _, ok := p.byPid[pid]; ok {
		return true
	}
	if pid == p.startupPid || p.oldFS[pid] || (p.fs != nil && pid == p.fs.Pid()) {
		return true
	}
	if _, ok := p.spares[pid]; ok {
		return true
	}
	return false
}

// reapKnown asks wait4 for each known pid; slow path, see reapChildren.
func (p *postmaster) reapKnown() {
	pids := []int{}
	for pid := range p.byPid {
		pids = append(pids, pid)
	}
	for pid := range p.oldFS {
		pids = append(pids, pid)
	}
	for pid := range p.spares {
		pids = append(pids, pid)
	}
	if p.startupPid != 0 {
		pids = append(pids, p.startupPid)
	}
	if p.fs != nil {
		pids = append(pids, p.fs.Pid())
	}
	for _, pid := range pids {
		var info unix.Siginfo
		if unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil) != nil || siginfoPid(&info) != pid {
			continue
		}
		p.killOrphanedGroup(pid, &info)
		var ws unix.WaitStatus
		if got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil); err == nil && got == pid {
			p.childExited(pid, ws)
		}
	}
}

// childExited classifies one exit (docs/design.md §5.3).
func (p *postmaster) childExited(pid int, ws unix.WaitStatus) {
	if p.oldFS[pid] {
		delete(p.oldFS, pid)
		return
	}
	if gen, ok := p.spares[pid]; ok {
		delete(p.spares, pid)
		if gen == p.fsGen {
			p.spareExits[pid] = ws // a reply in flight may still name it
		}
		return
	}
	if p.fs != nil && pid == p.fs.Pid() {
		p.forkServerExited(pid, ws)
		return
	}
	if pid == p.startupPid {
		p.startupPid = 0
		p.startupExited(pid, ws)
		return
	}
	if w := p.byPid[pid]; w != nil {
		p.fire(w, p.exitEvent(w, ws), eventData{pid: pid, status: ws})
	}
}

// exitEvent classifies an exit of w (lifecycle.go).
func (p *postmaster) exitEvent(w *worker, ws unix.WaitStatus) workerEvent {
	return classifyExit(exitFacts{code: exitCode(ws), shmem: w.shmem(),
		procActive: w.shmem() && cshim.ProcWasActive(w.slot), final: w.final(), tearDown: p.tearingDown()})
}

// tearingDown tells whether a crash now would start no crash cycle: one
// runs already, or an immediate stop, or the host killed its children
// for not stopping in time.
func (p *postmaster) tearingDown() bool {
	return p.fatalError || p.shutdown == immediateShutdown || (p.shutdown > noShutdown && p.killedAll)
}

// startCrashCycle starts a crash cycle (HandleChildCrash): the crash is
// logged, every other child gets SIGQUIT, and when all are gone shared
// memory is rebuilt (reinitialize). A crash while the host already tears
// down starts none: lifecycle.go (evCrashHeld) and forkServerExited
// decide that.
func (p *postmaster) startCrashCycle(exitLine string) {
	cshim.Log(cshim.LevelLog, exitLine, "", "")
	cshim.Log(cshim.LevelLog, "terminating any other active server processes", "", "")
	p.fatalError = true
	p.signalChildren(unix.SIGQUIT, true)
	p.abortStart = time.Now()
	p.killedAll = false
	p.setState(pmWaitBackends)
}

func (p *postmaster) startupExited(pid int, ws unix.WaitStatus) {
	if ws.Exited() && ws.ExitStatus() == 0 && !p.fatalError && p.shutdown == noShutdown {
		p.enterConsistentOrRun()
		return
	}
	if ws.Exited() && ws.ExitStatus() == 0 && p.fatalError && p.shutdown == noShutdown && p.state == pmStartup {
		// Recovery after a crash finished.
		p.fatalError = false
		p.abortStart = time.Time{}
		p.enterConsistentOrRun()
		return
	}
	if p.shutdown > noShutdown || (p.fatalError && p.state == pmWaitBackends) {
		return // we asked it to stop
	}
	cshim.Log(cshim.LevelLog, fmt.Sprintf("startup process (PID %d) %s", pid, describeExit(ws)), "", "")
	p.abortStartup()
}

// enterConsistentOrRun is what happens when the startup child finished:
// a standby (standby.signal present) reaches the consistent state, a
// primary goes to running.
func (p *postmaster) enterConsistentOrRun() {
	if _, err := os.Stat(filepath.Join(p.dataDir, StandbySignal)); err == nil {
		if cshim.ConfigBool("hot_standby") {
			p.setState(pmHotStandby)
			cshim.Log(cshim.LevelLog, "database system is ready to accept read-only connections", "", "")
		} else {
			p.setState(pmRecovery)
		}
		return
	}
	p.enterRun()
}

// forkServerExited handles the death of the fork server we did not stop.
// Without it no worker can start, and its image is suspect: its requests
// are lost, and a crash cycle makes a new one. That holds every time,
// also while the host recovers from an earlier cycle (the startup child
// may be running then): only a cycle still waiting for its children, or a
// shutdown, needs no new one.
func (p *postmaster) forkServerExited(pid int, ws unix.WaitStatus) {
	p.failInFlight()
	p.retireForkServer()
	exitLine := fmt.Sprintf("fork server (PID %d) %s", pid, describeExit(ws))
	if p.shutdown > noShutdown || p.fatalError && p.state == pmWaitBackends {
		cshim.Log(cshim.LevelDebug2, exitLine, "", "")
		return
	}
	p.startCrashCycle(exitLine)
}

// stopBackends is PM_STOP_BACKENDS: forget unstarted workers that have a
// waiter, SIGTERM every worker and the startup child, then wait.
func (p *postmaster) stopBackends() {
	p.walkWorkers(func(w *worker) {
		if !w.state.hasProcess() && w.reg.NotifyPid != 0 {
			p.fire(w, evForgetUnstarted, eventData{})
		}
	})
	p.signalChildren(unix.SIGTERM, true)
	if p.abortStart.IsZero() {
		// Not PostgreSQL: a fast or smart stop that a worker ignores would
		// wait for ever there; here it ends with SIGKILL after the same 5 s.
		p.abortStart = time.Now()
		p.killedAll = false
	}
	p.setState(pmWaitBackends)
}

// signalChildren sends sig to every worker and the startup child; with
// group set, also to their process groups (each child is a session leader,
// so its own children get it too).
func (p *postmaster) signalChildren(sig unix.Signal, group bool) {
	for pid := range p.byPid {
		p.signalPid(pid, sig, group)
	}
	if p.startupPid != 0 {
		p.signalPid(p.startupPid, sig, group)
	}
}

func (p *postmaster) signalPid(pid int, sig unix.Signal, group bool) {
	unix.Kill(pid, sig)
	if group {
		unix.Kill(-pid, sig)
	}
}

// reinitialize is the end of a crash cycle: every child is gone.
func (p *postmaster) reinitialize() {
	if !cshim.ConfigBool("restart_after_crash") {
		cshim.Log(cshim.LevelLog, "shutting down because restart_after_crash is off", "", "")
		p.exitCode = 1
		p.finishShutdown()
		return
	}
	cshim.Log(cshim.LevelLog, "all server processes terminated; reinitializing", "", "")
	// ResetBackgroundWorkerCrashTimes: never-restart workers are forgotten,
	// the others restart at once after recovery.
	p.walkWorkers(func(w *worker) {
		if w.final() {
			p.fire(w, evReinitForget, eventData{})
		} else {
			p.fire(w, evReinit, eventData{})
		}
	})
	p.stopForkServer()
	oldSeg := p.seg.id
	p.seg.destroy()
	p.seg = nil
	cshim.ShmemForget()
	awaitSegmentReleased(oldSeg, p.segmentHolders()) // shmseg.go
	p.abortStart = time.Time{}
	p.killedAll = false
	if err := p.initSharedMemory(); err != nil {
		p.reportStartupError(err)
		p.exitCode = 1
		p.finishShutdown()
		return
	}
	p.restartForkServer() // on failure, step tries again (bounded back-off)
	p.startupSent = false
	p.startupReq = 0
	p.setState(pmStartup) // fatalError stays set until the startup child succeeds
}

// stopForkServer asks the fork server to exit and remembers its pid so
// the reaper recognises it.
func (p *postmaster) stopForkServer() {
	if p.fs == nil {
		return
	}
	pid := p.fs.Pid()
	p.fs.SendExit()
	unix.Kill(pid, unix.SIGKILL)
	p.retireForkServer()
	p.oldFS[pid] = true
}

// retireForkServer makes the current fork server an old one: its replies
// are stale from now on. Its socket stays open until its reader reaches
// EOF, so that a spare announcement still queued there is read
// (handleReplies closes it then).
func (p *postmaster) retireForkServer() {
	if p.fsReaderGone {
		p.fs.Close()
	} else {
		p.oldConns[p.fsGen] = p.fs
	}
	p.fs = nil
	p.fsGen++
	clear(p.spareExits)
}

// reapOldForkServers waits for the replaced fork servers and for every
// spare child (which end with their fork server) so that no zombie
// outlives the supervisor: it reads what the old sockets still hold (up
// to a second), then kills and waits for the spares it knows.
func (p *postmaster) reapOldForkServers() {
	deadline := time.After(time.Second)
	for len(p.oldConns) > 0 {
		select {
		case r := <-p.replies:
			p.handleReplies(r)
		case <-deadline:
			for gen, fs := range p.oldConns {
				fs.Close()
				delete(p.oldConns, gen)
			}
		}
	}
	for pid := range p.oldFS {
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, 0, nil)
		delete(p.oldFS, pid)
	}
	for pid := range p.spares {
		unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, 0, nil)
		delete(p.spares, pid)
	}
	clear(p.spareExits)
}

// finishShutdown ends the host once every worker is gone.
func (p *postmaster) finishShutdown() {
	p.stopForkServer()
	p.reapOldForkServers()
	p.setState(pmNoChildren)
}

// cleanup releases what the supervisor holds: fork server, segment, lock
// file, death pipe. Safe to call after a partial start.
func (p *postmaster) cleanup() {
	if p.fs != nil || len(p.oldFS) > 0 || len(p.spares) > 0 {
		p.stopForkServer()
		p.reapOldForkServers()
	}
	if p.seg != nil {
		p.seg.destroy()
		p.seg = nil
		cshim.ShmemForget()
	}
	if p.deathWrite >= 0 {
		unix.Close(p.deathWrite)
		p.deathWrite = -1
	}
	if p.lock != nil {
		p.lock.remove()
		// As PostgreSQL's postmaster, whatever ends it once its
		// configuration was read: a shutdown, a crash with
		// restart_after_crash off, a start-up failure such as a module
		// that does not load.
		if !p.startedAt.IsZero() {
			cshim.Log(cshim.LevelLog, "database system is shut down", "", "")
		}
	}
	// An embedder gets its signal dispositions back. The binary keeps its
	// handlers until it exits: restoring SIGHUP's default action here
	// would let a reload request that arrives during the exit kill the
	// process by a signal after a clean shutdown.
	if EmbeddedHost {
		for _, c := range []chan os.Signal{p.signals, p.sigChld, p.sigHup, p.sigUsr1} {
			if c != nil {
				signal.Stop(c)
			}
		}
	}
}
