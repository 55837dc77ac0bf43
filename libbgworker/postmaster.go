package libbgworker

// This file is the postmaster: start-up, the event loop and the state
// machine (phases, starts, exits, the crash cycle, shutdown, reload,
// promote). Everything here runs on the postmaster goroutine, locked to
// its OS thread; the only other goroutines are the signal and fork-server
// reply forwarders, which never call C.

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

// pmState is the postmaster's phase, named after PostgreSQL's pmState.
type pmState int

const (
	pmInit         pmState = iota // before the startup child runs
	pmStartup                     // startup child (recovery hook) running
	pmRecovery                    // standby with hot_standby off
	pmHotStandby                  // standby: consistent state reached
	pmRun                         // normal running
	pmStopBackends                // shutdown: about to signal workers
	pmWaitBackends                // waiting for children to exit
	pmNoChildren                  // everything is gone
)

var pmStateNames = [...]string{"init", "startup", "recovery", "hot standby", "running",
	"stopping", "waiting for workers", "stopped"}

func (s pmState) String() string { return pmStateNames[s] }

// Shutdown levels, in increasing order (PostgreSQL's Shutdown variable).
const (
	noShutdown = iota
	smartShutdown
	fastShutdown
	immediateShutdown
)

// Timing constants.
const (
	// killStragglersAfter is SIGKILL_CHILDREN_AFTER_SECS: how long children
	// get to obey SIGQUIT (crash, immediate stop) or SIGTERM (smart and fast
	// stop) before the supervisor SIGKILLs them; the default of the
	// sigkill_timeout setting (settings.go).
	killStragglersAfter = 5 * time.Second
)

// postmaster is the supervisor's whole state.
type postmaster struct {
	opts    Options
	dataDir string
	lock    *lockFile
	seg     *segment
	segSize int

	deathRead, deathWrite int // the postmaster-death pipe

	fs       *cshim.ForkServer         // current fork server
	fsGen    int                       // generation of fs, to tell stale replies apart
	oldFS    map[int]bool              // pids of replaced fork servers not reaped yet
	oldConns map[int]*cshim.ForkServer // generation -> replaced fork server whose socket is still read

	// Spare children (forkserver.c): announced by the fork server before a
	// reply hands one to a worker. spares maps each unreaped spare to the
	// fork-server generation that made it; spareExits holds the exit of a
	// current spare reaped before any reply named it (a reply may still
	// hand it a worker that already ran and exited).
	spares       map[int]int
	spareExits   map[int]unix.WaitStatus
	fsReaderGone bool      // the current fork server's reader reported EOF
	fsRetryAt    time.Time // when to try again to make a fork server; zero if not failing
	fsFailures   int       // failed attempts in a row to make a fork server
	replies      chan forkReplies
	signals      chan os.Signal // SIGTERM, SIGINT, SIGQUIT (start: one channel per kind)
	sigChld      chan os.Signal
	sigHup       chan os.Signal
	sigUsr1      chan os.Signal
	inFlight     int

	// Fast starts (dynamic.go, updateFastStart): whether the current fork
	// server was told to start new dynamic registrations on its own, and
	// the id of the last "off" it has not answered yet (0 if none): its
	// answer comes after the reply of every fast start it made, so until
	// then a worker may exist that the supervisor does not know.
	fastOn     bool
	fastOffReq uint32

	// strayZombie is set when the reaper met an exited child it does not
	// know yet (its fork reply still in flight, or an embedding program's
	// own child); the next reply batch reaps again. Without it every reply
	// batch would walk all children (waitid), making a launch O(N²).
	strayZombie bool
	// nextRestart is the earliest restart deadline the last
	// maybeStartWorkers scan saw; zero if none.
	nextRestart time.Time

	state      pmState
	shutdown   int
	fatalError bool      // a crash cycle is in progress
	abortStart time.Time // when SIGQUIT/SIGTERM went out; zero if none pending
	killedAll  bool      // SIGKILL already sent for this abort

	startupPid   int    // startup child, 0 if none
	startupReq   uint32 // outstanding startup request
	startupSent  bool   //
	nextReq      uint32
	workers      []*worker            // in slot order
	walking      int                  // > 0 while walkWorkers runs: unregistered workers are dropped after it
	dropPending  bool                 // a walk unregistered a worker
	batch        []cshim.StartRequest // start requests of the current scan (maybeStartWorkers)
	byPid        map[int]*worker
	byReq        map[uint32]*worker
	exitCode     int
	startedAt    time.Time
	shmemStarted bool

	// Dynamic workers and the control socket (dynamic.go, control_*.go).
	badSlots map[slotKey]bool    // inconsistent slots already reported
	gone     map[slotKey]*worker // dynamic workers unregistered lately (lifecycle.go)
	control  chan *controlCall   // requests from the control socket
	ctl      *controlServer      // the control socket, nil if none
	sys      *syslogger          // the logging collector, nil if off (syslogger.go)
	ops      *opsState           // ops.go: service notifications, snapshots for metrics
}

type forkReplies struct {
	gen     int
	replies []cshim.Reply
	err     error
}

// hostStarts counts the supervisor starts in this process that got as far
// as reading the configuration (an embedder may start it again after it
// stopped). Postmaster goroutine only.
var hostStarts int

// Run runs the supervisor in the foreground until it shuts down and
// returns the process exit status (0 after a clean shutdown, 1 after a
// start-up failure or a crash with restart_after_crash off). It locks the
// calling goroutine to its OS thread for good: that thread becomes the
// postmaster thread, the parent of every worker.
func Run(opts Options) int {
	runtime.LockOSThread() // never unlocked: docs/design.md §6.7
	// First, before any C code of ours or a module's maps memory: what
	// exists now that the loader did not map is the Go runtime's, and no
	// fork needs it (cshim/forkserver/forkimage.c).
	cshim.ExcludeRuntimeMappingsFromForks()
	defer restoreProcessContext(saveProcessContext())
	defer cshim.GuardDisarm() // after cleanup: an embedding program may call exit() later
	p := &postmaster{opts: opts, byPid: map[int]*worker{}, byReq: map[uint32]*worker{},
		oldFS: map[int]bool{}, oldConns: map[int]*cshim.ForkServer{},
		spares: map[int]int{}, spareExits: map[int]unix.WaitStatus{}, deathRead: -1, deathWrite: -1, exitCode: 0}
	publishRun(opts.DataDir, "starting", true, false) // ready.go
	defer publishRun(opts.DataDir, "", false, true)
	if err := p.start(); err != nil {
		p.reportStartupError(err)
		p.stopOps()
		p.stopControl()
		p.cleanup()
		p.sys.stop()
		return 1
	}
	p.loop()
	p.stopOps()     // ops.go
	p.stopControl() // control_server.go: before the lock file goes
	p.cleanup()
	p.sys.stop() // syslogger.go: last, so that it writes the last lines
	return p.exitCode
}

// reportStartupError logs a start-up failure as one FATAL record.
func (p *postmaster) reportStartupError(err error) {
	var se *StartupError
	if errors.As(err, &se) {
		cshim.Log(cshim.LevelFatal, se.Message, se.Detail, se.Hint)
		return
	}
	cshim.Log(cshim.LevelFatal, err.Error(), "", "")
}

// start does everything up to the first worker start: checks, lock file,
// configuration, modules, shared memory, the fork server.
func (p *postmaster) start() error {
	// Take the signals first (reliability fix): a stop request that
	// arrives while modules load must be queued for the loop, not kill the
	// host with the default action and leave its lock file behind.
	//
	// One channel per kind of signal: os/signal drops a signal whose
	// channel is full, so with one shared channel a storm of SIGHUPs (or
	// SIGUSR1s from a module) could drop a SIGINT or a SIGCHLD. Each of
	// these handlers looks at the whole state, so a signal that arrives
	// while the same one is still queued may coalesce with it, as pending
	// Unix signals do.
	p.signals = make(chan os.Signal, 4) // stop requests: SIGTERM, SIGINT, SIGQUIT
	p.sigChld = make(chan os.Signal, 1)
	p.sigHup = make(chan os.Signal, 1)
	p.sigUsr1 = make(chan os.Signal, 1)
	signal.Notify(p.signals, unix.SIGTERM, unix.SIGINT, unix.SIGQUIT)
	signal.Notify(p.sigChld, unix.SIGCHLD)
	signal.Notify(p.sigHup, unix.SIGHUP)
	signal.Notify(p.sigUsr1, unix.SIGUSR1)
	signal.Ignore(unix.SIGPIPE)
	if SignalsTaken != nil {
		SignalsTaken() // what arrived since the process began (options.go)
	}

	prog := p.opts.Program
	if prog == "" {
		prog = "bgworker"
	}
	if os.Geteuid() == 0 && !p.opts.AllowRoot {
		return &StartupError{
			Message: "\"root\" execution of bgworker is not permitted",
			Hint:    "The host runs module code with its own privileges; start it as an unprivileged user, or pass --allow-root to accept that risk knowingly.",
		}
	}
	dir, perm, err := checkDataDir(p.opts.DataDir)
	if err != nil {
		return err
	}
	p.dataDir = dir
	if err := os.Chdir(dir); err != nil {
		return fatalf("could not change directory to \"%s\": %v", dir, errnoText(err))
	}
	// PostgreSQL's file creation mask, before any module code runs: what
	// _PG_init, the supervisor and every worker create is not readable by
	// others (nor by the group unless the data directory is).
	unix.Umask(createMask(perm))
	cshim.InitSupervisor(dir, buildinfo.PkgLibDir(), int(perm))

	lock, stale, err := createLockFile(dir)
	if err != nil {
		return err
	}
	p.lock = lock
	cshim.GuardArm(lock.path) // module code that ends the process cleans up (modguard.c)
	if stale != nil {
		if _, err := clearStaleSegment(dir, stale.ShmID); err != nil {
			// Reliability fix: the old lock file is the only record of
			// that segment (IPC_PRIVATE); put it back so that the next
			// start checks the segment again instead of leaking it.
			p.lock.restore(stale)
			p.lock = nil
			return err
		}
		if stale.Socket != "" {
			os.Remove(stale.Socket)
		}
	}

	if hostStarts > 0 {
		// An embedder's second start: the modules of the first stay
		// loaded, their parameters defined (loader.go).
		cshim.ResetConfigForRestart()
	}
	hostStarts++
	if err := cshim.LoadConfig(filepath.Join(dir, ConfigFileName), p.opts.Settings); err != nil {
		return &StartupError{Message: err.Error()}
	}
	p.startedAt = time.Now()
	// The logging collector, before module code runs and before the fork
	// server exists, so that both write to it.
	if p.sys, err = startSyslogger(dir); err != nil {
		return err
	}
	if p.sys == nil {
		removeCurrentLogfiles(dir)
	}
	p.recordOpts() // settings.go: bgworker.opts, for restart

	spl, _ := cshim.GetConfigOption("shared_preload_libraries")
	libs, err := loadPreloadLibraries(spl)
	if err != nil {
		return err
	}
	// After the modules' _PG_init, as PostgreSQL logs its own "starting"
	// line: an emit_log_hook a module installed there sees it.
	cshim.Log(cshim.LevelLog, fmt.Sprintf("starting %s", buildinfo.VersionString()), "", "")
	for _, lib := range libs {
		for _, reg := range lib.workers {
			p.workers = append(p.workers, &worker{reg: reg})
		}
	}
	if cerr := cshim.RunShmemRequestHook(); cerr != nil {
		return &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
	}
	p.segSize = cshim.ShmemSize() + int(cshim.PMSignalShmemSize())

	var fds [2]int
	if err := sysPipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return fatalf("could not create pipe to monitor postmaster death: %v", errnoText(err))
	}
	p.deathRead, p.deathWrite = fds[0], fds[1]

	p.replies = make(chan forkReplies, 16)

	if err := p.initSharedMemory(); err != nil {
		return err
	}
	fs, err := startForkServer(p.deathRead)
	if err != nil {
		return fatalf("could not fork the fork server: %s", forkServerErrText(err))
	}
	p.adoptForkServer(fs)
	// The control socket (control_server.go); requests are served by loop().
	if err := p.startControl(); err != nil {
		return err
	}
	if err := p.startOps(); err != nil { // ops.go
		return err
	}
	p.setState(pmStartup)
	return nil
}

// initSharedMemory creates the segment, lays out the runtime's structures,
// fills the worker slots from p.workers (renumbering them) and runs
// shmem_startup_hook. Used at start and by the crash cycle, each time
// followed by a new fork server, which holds that image.
func (p *postmaster) initSharedMemory() error {
	seg, err := createSegment(p.segSize)
	if err != nil {
		return err
	}
	if err := p.recordSegment(seg); err != nil { // lockcheck.go
		return err
	}
	p.seg = seg
	cshim.ShmemInit(seg.data)
	cshim.PMSignalShmemInit()
	regs := make([]cshim.Worker, len(p.workers))
	for i, w := range p.workers {
		w.slot = i
		w.generation = 0 // a new array starts every slot at generation 0
		regs[i] = w.reg
	}
	if cerr := cshim.InitWorkerSlots(regs); cerr != nil {
		return &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
	}
	if cerr := cshim.RunShmemStartupHook(); cerr != nil {
		return &StartupError{Message: cerr.Message, Detail: cerr.Detail, Hint: cerr.Hint}
	}
	p.shmemStarted = true
	return nil
}

// adoptForkServer makes fs the current fork server and starts reading its
// replies.
func (p *postmaster) adoptForkServer(fs *cshim.ForkServer) {
	p.fs = fs
	p.fsGen++
	p.fastOn, p.fastOffReq = false, 0
	p.fsReaderGone = false
	p.fsRetryAt = time.Time{}
	p.fsFailures = 0
	go readReplies(fs, p.fsGen, p.replies)
}

// Back-off between attempts to make a fork server after a crash cycle
// (a failed fork at start is FATAL instead): short at first, as a
// transient EAGAIN clears quickly, and bounded so that the host notices a
// cure within seconds without filling the log.
const (
	forkServerRetryMin = 100 * time.Millisecond
	forkServerRetryMax = 10 * time.Second
)

// restartForkServer makes a new fork server for the crash cycle's new
// shared memory. On failure it logs and schedules the next attempt
// (p.fsRetryAt, doubling up to forkServerRetryMax); step retries then.
func (p *postmaster) restartForkServer() {
	fs, err := startForkServer(p.deathRead)
	if err == nil {
		p.adoptForkServer(fs)
		return
	}
	delay := forkServerRetryMin << min(p.fsFailures, 16)
	delay = min(delay, forkServerRetryMax)
	p.fsFailures++
	p.fsRetryAt = time.Now().Add(delay)
	cshim.Log(cshim.LevelLog, fmt.Sprintf("could not fork the fork server: %s", forkServerErrText(err)),
		fmt.Sprintf("Attempt %d failed; retrying in %d ms.", p.fsFailures, delay.Milliseconds()), "")
}

// forkServerErrText is %m for a failure to start the fork server: the
// errno's text when there is one (not the wrapping Go error's).
func forkServerErrText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) && errno != 0 {
		return strerror(errno)
	}
	return errnoText(err)
}

// readReplies forwards fork-server replies to the postmaster goroutine
// until the socket closes. Runs on its own goroutine; never calls C.
func readReplies(fs *cshim.ForkServer, gen int, out chan<- forkReplies) {
	buf := make([]cshim.Reply, 128)
	for {
		n, err := fs.ReadReplies(buf)
		if n > 0 {
			cp := make([]cshim.Reply, n)
			copy(cp, buf[:n])
			out <- forkReplies{gen: gen, replies: cp}
		}
		if err != nil {
			out <- forkReplies{gen: gen, err: err}
			return
		}
	}
}

// setState moves the host to phase s, and every resting worker with it
// (lifecycle.go: settle).
func (p *postmaster) setState(s pmState) {
	p.state = s
	defer p.settleAll()
	status := ""
	switch s {
	case pmStartup:
		status = "starting"
	case pmRecovery, pmHotStandby:
		status = "standby"
	case pmRun:
		status = "ready"
	case pmStopBackends, pmWaitBackends, pmNoChildren:
		status = "stopping"
	}
	if status != "" && p.lock != nil && p.lock.info.Status != status {
		p.updateLock(func(l *LockInfo) { l.Status = status })
		publishRun(p.opts.DataDir, status, false, false)
	}
	p.opsState(s) // ops.go: READY=1, STOPPING=1
}

// loop is the server loop: wait for a signal, a fork-server reply or the
// next deadline, act, and run the state machine. It never polls: with
// nothing due it sleeps until an event.
func (p *postmaster) loop() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	recheck := time.NewTicker(lockRecheckInterval) // lockcheck.go
	defer recheck.Stop()
	p.step()
	for p.state != pmNoChildren {
		var timeout <-chan time.Time
		if d, ok := p.nextDeadline(); ok {
			wait := time.Until(d)
			if wait < 0 {
				wait = 0
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(wait)
			timeout = timer.C
		}
		select {
		case sig := <-p.signals:
			p.handleSignal(sig.(syscall.Signal))
		case sig := <-p.sigChld:
			p.handleSignal(sig.(syscall.Signal))
		case sig := <-p.sigUsr1:
			p.handleSignal(sig.(syscall.Signal))
		case sig := <-p.sigHup:
			p.handleSignal(sig.(syscall.Signal))
		case r := <-p.replies:
			p.handleReplies(r)
		case c := <-p.control: // control socket request (control_handlers.go)
			p.handleControl(c)
		case <-timeout:
		case <-recheck.C:
			p.recheckDataDir()
		}
		// Take whatever else is already queued before acting, so a burst of
		// SIGCHLDs or replies costs one pass of the state machine.
		for drained := false; !drained; {
			select {
			case sig := <-p.signals:
				p.handleSignal(sig.(syscall.Signal))
			case sig := <-p.sigChld:
				p.handleSignal(sig.(syscall.Signal))
			case sig := <-p.sigUsr1:
				p.handleSignal(sig.(syscall.Signal))
			case sig := <-p.sigHup:
				p.handleSignal(sig.(syscall.Signal))
			case r := <-p.replies:
				p.handleReplies(r)
			case c := <-p.control:
				p.handleControl(c)
			default:
				drained = true
			}
		}
		p.step()
		p.opsAfterStep() // ops.go
	}
}

// nextDeadline is the earliest time something is due: a worker's restart
// (as found by the last maybeStartWorkers scan, which runs after every
// event) or the SIGKILL of stragglers.
func (p *postmaster) nextDeadline() (time.Time, bool) {
	var best time.Time
	found := false
	consider := func(t time.Time) {
		if !found || t.Before(best) {
			best, found = t, true
		}
	}
	if !p.abortStart.IsZero() && !p.killedAll {
		consider(p.abortStart.Add(sigkillTimeout()))
	}
	if p.shutdown == noShutdown && !p.fatalError && !p.nextRestart.IsZero() {
		consider(p.nextRestart)
	}
	if p.shutdown == noShutdown && p.fs == nil && !p.fsRetryAt.IsZero() {
		consider(p.fsRetryAt)
	}
	return best, found
}

// step runs the state machine once: start what is due, advance shutdown
// and crash phases, kill stragglers.
func (p *postmaster) step() {
	if !p.abortStart.IsZero() && !p.killedAll && time.Since(p.abortStart) >= sigkillTimeout() {
		cshim.Log(cshim.LevelLog, "issuing SIGKILL to recalcitrant children", "", "")
		p.signalChildren(unix.SIGKILL, true)
		// The fork server and its spare too: a stopped fork server would
		// hold its start requests (counted as children) for ever. Its
		// death drops them (forkServerExited).
		p.killForkServers()
		p.killedAll = true
	}
	if p.fs == nil && !p.fsRetryAt.IsZero() && p.shutdown == noShutdown && !time.Now().Before(p.fsRetryAt) {
		p.restartForkServer()
	}
	if p.state == pmStartup && !p.startupSent && p.fs != nil {
		p.sendStartup()
	}
	p.updateFastStart() // dynamic.go: off before anything waits for the children
	if p.shutdown > noShutdown && p.state < pmStopBackends {
		p.setState(pmStopBackends)
	}
	if p.state == pmStopBackends {
		p.stopBackends()
	}
	if p.state == pmWaitBackends && p.childCount() == 0 {
		if p.fatalError && p.shutdown == noShutdown {
			p.reinitialize()
			if p.state == pmNoChildren {
				return
			}
		} else {
			p.finishShutdown()
			return
		}
	}
	p.maybeStartWorkers()
	p.updateFastStart()
}

// childCount counts the processes the supervisor must see exit before it
// can reinitialise or exit: workers (running or being forked) and the
// startup child. The fork server is not counted: it is stopped after.
func (p *postmaster) childCount() int {
	n := len(p.byPid) + p.inFlight
	if p.startupPid != 0 || (p.startupSent && p.startupReq != 0) {
		n++
	}
	if p.fastOffReq != 0 {
		n++ // a fast start's reply may still be on its way
	}
	return n
}
