package libbgworker

// This file keeps the host honest about its data directory, as
// PostgreSQL's postmaster does: it rechecks its lock file and control
// socket once a minute and shuts down at once when either is gone or is
// another host's (the data directory removed, or made anew at the same
// path and taken by a new host); it never removes a lock file or socket
// that is not its own; and a lock file update that fails is logged, and
// either retried at the next recheck or, for a new segment's id, ends the
// host (initSharedMemory), so that no segment exists that a later start
// cannot find. Supervisor, postmaster goroutine.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// lockRecheckInterval is how often the lock file and socket are checked:
// PostgreSQL's postmaster does it once a minute (ServerLoop). A binary
// built with the bgworker_faults tag takes another interval from
// BGWORKER_LOCK_RECHECK (lockcheck_faults.go), so that tests need not wait
// a minute.
var lockRecheckInterval = time.Minute

// fileIdentity names one file for good: a file made anew at the same
// path has another inode.
type fileIdentity struct {
	dev, ino uint64
	ok       bool
}

// identityOf returns the identity of the file at path (not following a
// final symbolic link); ok is false if it cannot be had.
func identityOf(path string) fileIdentity {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return fileIdentity{}
	}
	return fileIdentity{dev: uint64(st.Dev), ino: st.Ino, ok: true}
}

// removeIfSame removes path only if it is still the file id names.
func removeIfSame(path string, id fileIdentity) {
	if !id.ok || identityOf(path) != id {
		return
	}
	os.Remove(path)
}

// updateLock rewrites the lock file (lockFile.update) and logs a failure:
// the file is retried at the next recheck, or found gone or foreign
// there, which ends the host.
func (p *postmaster) updateLock(mutate func(*LockInfo)) error {
	if p.lock == nil {
		return nil
	}
	err := p.lock.update(mutate)
	if err != nil && !p.lock.lost {
		cshim.Log(cshim.LevelLog, err.Error(), "", "")
	}
	return err
}

// recordSegment writes the new segment's id into the lock file. If that
// fails the segment is removed at once and the error returned: a host
// killed later would leave a segment that no lock file names, which the
// next start could not find (IPC_PRIVATE segments have no key).
func (p *postmaster) recordSegment(seg *segment) error {
	err := p.updateLock(func(l *LockInfo) { l.ShmID = seg.id })
	if err == nil {
		cshim.GuardSegment(seg.id)
		return nil
	}
	seg.destroy()
	return &StartupError{
		Message: err.Error(),
		Detail:  fmt.Sprintf("The new shared memory segment (ID %d) was removed, since a later start could not have found it.", seg.id),
		Hint:    "Make the data directory writable, and make room on its file system.",
	}
}

// recheckDataDir is the periodic check: the lock file still names this
// host, and the control socket is still the one it bound. If not, the
// host logs why and performs an immediate shutdown, as PostgreSQL does;
// what it finds is not its own and is left alone. A lock file update that
// failed before is written again.
func (p *postmaster) recheckDataDir() {
	if p.lock == nil || p.lock.lost || p.shutdown >= immediateShutdown {
		return
	}
	problem := p.lock.check()
	p.lock.lost = problem != ""
	if problem == "" && p.ctl != nil && p.ctl.ident.ok && identityOf(p.ctl.path) != p.ctl.ident {
		if _, err := os.Lstat(p.ctl.path); errors.Is(err, fs.ErrNotExist) {
			problem = fmt.Sprintf("control socket \"%s\" was removed", p.ctl.path)
		} else {
			problem = fmt.Sprintf("control socket \"%s\" was replaced by another file", p.ctl.path)
		}
	}
	if problem != "" {
		cshim.Log(cshim.LevelLog, problem, "", "")
		cshim.Log(cshim.LevelLog, "performing immediate shutdown because data directory lock file is invalid", "", "")
		p.handleSignal(unix.SIGQUIT)
		return
	}
	if p.lock.dirty {
		p.updateLock(func(*LockInfo) {})
	}
}
