package libbgworker

// This file is the fault-injection table (in the manner of SQLite's
// test VFS): the system calls the supervisor depends on go through the
// wrappers below, and a test build can make any of them fail with a chosen
// errno, so that every failure path has a test. In the normal build the
// table is empty and each wrapper is one map lookup away from the real
// call; only a binary built with the bgworker_faults tag fills it, from
// the BGWORKER_FAULTS environment variable (faults_enabled.go).
//
// Spec: "name=ERRNO[@FROM][xCOUNT],...", e.g. "shmget=ENOSPC" (every call
// fails), "clone=EAGAIN@3x2" (the 3rd and 4th clone fail). Names:
//
//	shmget      creating the shared memory segment (start, crash cycle)
//	shmat       attaching it
//	pipe        the postmaster-death pipe
//	lockfile    creating the lock file
//	lockwrite   rewriting the lock file (a phase, the segment id, the socket)
//	socket      the control socket (for the control area to route through)
//	forkserver  forking the fork server
//	clone       the fork server's clone of a worker or the startup child
//	            (counted per fork server, the startup child included)

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// faultPlan is one entry of the table.
type faultPlan struct {
	errno syscall.Errno
	from  int // first failing call, 1-based
	count int // how many fail; 0 = all from `from` on
	calls int // calls seen so far
}

// faultNames are the injection points the supervisor knows.
var faultNames = map[string]bool{"shmget": true, "shmat": true, "pipe": true, "lockfile": true,
	"lockwrite": true, "socket": true, "forkserver": true, "clone": true}

var (
	faultMu    sync.Mutex
	faultTable map[string]*faultPlan // nil: no faults (the normal build)
)

// parseFaults parses a BGWORKER_FAULTS spec.
func parseFaults(spec string) (map[string]*faultPlan, error) {
	table := map[string]*faultPlan{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, rest, ok := strings.Cut(item, "=")
		if !ok || !faultNames[name] {
			return nil, fmt.Errorf("invalid fault \"%s\": expected name=ERRNO[@FROM][xCOUNT] with a name among shmget, shmat, pipe, lockfile, lockwrite, socket, forkserver, clone", item)
		}
		plan := &faultPlan{from: 1}
		if i := strings.IndexByte(rest, 'x'); i >= 0 {
			n, err := strconv.Atoi(rest[i+1:])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("invalid fault \"%s\": bad count", item)
			}
			plan.count, rest = n, rest[:i]
		}
		if i := strings.IndexByte(rest, '@'); i >= 0 {
			n, err := strconv.Atoi(rest[i+1:])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("invalid fault \"%s\": bad call number", item)
			}
			plan.from, rest = n, rest[:i]
		}
		e := errnoByName(rest)
		if e == 0 {
			return nil, fmt.Errorf("invalid fault \"%s\": unknown errno \"%s\"", item, rest)
		}
		plan.errno = e
		table[name] = plan
	}
	return table, nil
}

// errnoByName maps "ENOSPC" to its value; 0 if unknown.
func errnoByName(name string) syscall.Errno {
	for e := syscall.Errno(1); e < 256; e++ {
		if unix.ErrnoName(e) == name {
			return e
		}
	}
	return 0
}

// setFaults installs a spec ("" clears the table).
func setFaults(spec string) error {
	table, err := parseFaults(spec)
	if err != nil {
		return err
	}
	faultMu.Lock()
	defer faultMu.Unlock()
	if len(table) == 0 {
		table = nil
	}
	faultTable = table
	return nil
}

// injectFault counts a call of the named point and returns the planned
// error, or nil to let the real call happen.
func injectFault(name string) error {
	faultMu.Lock()
	defer faultMu.Unlock()
	plan := faultTable[name]
	if plan == nil {
		return nil
	}
	plan.calls++
	if plan.calls < plan.from || (plan.count > 0 && plan.calls >= plan.from+plan.count) {
		return nil
	}
	return plan.errno
}

// sysShmGet is unix.SysvShmGet through the table.
func sysShmGet(key, size, flag int) (int, error) {
	if err := injectFault("shmget"); err != nil {
		return -1, err
	}
	return unix.SysvShmGet(key, size, flag)
}

// sysShmAttach is unix.SysvShmAttach through the table.
func sysShmAttach(id int, addr uintptr, flag int) ([]byte, error) {
	if err := injectFault("shmat"); err != nil {
		return nil, err
	}
	return unix.SysvShmAttach(id, addr, flag)
}

// sysPipe2 is unix.Pipe2 through the table.
func sysPipe2(fds []int, flags int) error {
	if err := injectFault("pipe"); err != nil {
		return err
	}
	return unix.Pipe2(fds, flags)
}

// openLockFile is os.OpenFile for the lock file through the table; the
// error is a *os.PathError as the real one would be.
func openLockFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	if err := injectFault("lockfile"); err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.OpenFile(path, flag, perm)
}

// lockWriteFault is the injection point of a lock file update: the
// update fails as its write would if it returns an error.
func lockWriteFault() error { return injectFault("lockwrite") }

// SocketFault is the injection point for the control socket: the control
// area calls it right before creating the socket and fails as socket(2)
// would if it returns an error.
func SocketFault() error { return injectFault("socket") }

// startForkServer is cshim.StartForkServer through the table; it also
// hands the clone plan to the C side, which the new fork server inherits.
// Postmaster goroutine only.
func startForkServer(deathRead int) (*cshim.ForkServer, error) {
	if err := injectFault("forkserver"); err != nil {
		return nil, fmt.Errorf("could not start the fork server: %w", err)
	}
	faultMu.Lock()
	clone := faultTable["clone"]
	faultMu.Unlock()
	if clone != nil {
		cshim.SetCloneFault(clone.errno, clone.from, clone.count)
	}
	return cshim.StartForkServer(deathRead)
}
