package libbgworker

// This file holds the System V shared memory segment's life: created
// IPC_PRIVATE with mode 0600 at start and after every crash, removed at
// exit and before a crash reinitialisation, and a stale segment left by a
// dead host handled at the next start. Supervisor, postmaster goroutine.

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// segment is one attached segment.
type segment struct {
	id   int
	data []byte
}

// createSegment creates and attaches a new private segment of size bytes.
func createSegment(size int) (*segment, error) {
	id, err := sysShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		return nil, &StartupError{
			Message: fmt.Sprintf("could not create shared memory segment: %v", errnoText(err)),
			Detail:  fmt.Sprintf("Failed system call was shmget(key=0, size=%d, 03600).", size),
			Hint:    shmgetHint(err),
		}
	}
	data, err := sysShmAttach(id, 0, 0)
	if err != nil {
		unix.SysvShmCtl(id, unix.IPC_RMID, nil)
		return nil, fatalf("could not attach shared memory segment %d: %v", id, errnoText(err))
	}
	return &segment{id: id, data: data}, nil
}

// shmgetHint is the HINT for a failed shmget, by errno, in the words of
// PostgreSQL's sysv_shmem.c (bgworker has no shared_buffers or
// max_connections to name: the segment's size follows from the modules'
// requests and max_worker_processes).
func shmgetHint(err error) string {
	switch {
	case errors.Is(err, unix.EINVAL):
		return "This error usually means that the request exceeded your kernel's SHMMAX parameter, " +
			"or possibly that it is less than your kernel's SHMMIN parameter."
	case errors.Is(err, unix.ENOMEM):
		return "This error usually means that the request exceeded your kernel's available memory or swap space, " +
			"or exceeded your kernel's SHMALL parameter. Reduce the memory modules request or max_worker_processes."
	case errors.Is(err, unix.ENOSPC):
		return "This error does *not* mean that you have run out of disk space. It occurs either if all available " +
			"shared memory IDs have been taken, in which case you need to raise the SHMMNI parameter in your kernel, " +
			"or because the system's overall limit for shared memory has been reached (SHMALL)."
	case errors.Is(err, unix.EACCES):
		return "The host is not allowed to create a shared memory segment: check the IPC namespace and the security policy (SELinux, seccomp) it runs under."
	}
	return "This error usually means that the request exceeded your kernel's SHMMAX or SHMALL parameter, or that the system ran out of memory or swap."
}

// destroy removes the dynamic shared memory segments it records, then
// detaches and removes the segment. Workers still attached keep it until
// they exit (the kernel removes it at the last detach).
func (s *segment) destroy() {
	if s == nil {
		return
	}
	cshim.GuardSegment(-1)
	if s.data != nil {
		cshim.DsmCleanupSegment(s.data)
		unix.SysvShmDetach(s.data)
		s.data = nil
	}
	unix.SysvShmCtl(s.id, unix.IPC_RMID, nil)
}

// segmentReleaseWait bounds how long a crash cycle waits for the old
// segment to go before it creates the new one (then it goes ahead, and a
// failure is reported with its errno's HINT).
const segmentReleaseWait = killStragglersAfter

// awaitSegmentReleased waits until the kernel has freed segment id, which
// destroy() marked for removal: it goes at its last detach, when the old
// fork server and its spare (killed by stopForkServer and here) have
// exited. PostgreSQL's crash cycle removes the old segment before it
// creates the new one; without the wait both would count against SHMMNI
// and SHMALL for a moment, and a host near those limits died in its first
// crash cycle. Spares and old fork servers that do not go within 100 ms
// (stopped ones, for instance) get SIGKILL; they are the host's own
// children (pids). Postmaster goroutine.
func awaitSegmentReleased(id int, pids []int) {
	if id < 0 {
		return
	}
	start := time.Now()
	killed := false
	for delay := 50 * time.Microsecond; ; {
		var desc unix.SysvShmDesc
		if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &desc); err != nil {
			return // EINVAL, EIDRM: gone
		}
		waited := time.Since(start)
		if waited >= segmentReleaseWait {
			cshim.Log(cshim.LevelLog, fmt.Sprintf("old shared memory segment %d is still attached by %d processes", id, desc.Nattch), "", "")
			return
		}
		if !killed && waited >= 100*time.Millisecond {
			for _, pid := range pids {
				unix.Kill(pid, unix.SIGKILL)
			}
			killed = true
		}
		time.Sleep(delay)
		if delay < 5*time.Millisecond {
			delay *= 2
		}
	}
}

// segmentIsOurs tells whether segment id carries bgworker's header, by
// attaching it read-only for a moment.
func segmentIsOurs(id int) bool {
	data, err := unix.SysvShmAttach(id, 0, unix.SHM_RDONLY)
	if err != nil {
		return false
	}
	defer unix.SysvShmDetach(data)
	return cshim.ShmemSegmentIsOurs(data)
}

// clearStaleSegment deals with the segment a stale lock file names: gone
// or not ours → nothing to do; ours and unattached → removed; ours and
// still attached by a surviving process → the start is refused.
func clearStaleSegment(dir string, id int) (removed bool, err error) {
	if id < 0 {
		return false, nil
	}
	var desc unix.SysvShmDesc
	if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &desc); err != nil {
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
			return false, nil
		}
		if errors.Is(err, unix.EACCES) {
			return false, nil // someone else's segment reusing the id
		}
		return false, fatalf("could not stat shared memory segment %d: %v", id, errnoText(err))
	}
	if !segmentIsOurs(id) {
		return false, nil
	}
	if desc.Nattch > 0 {
		return false, &StartupError{
			Message: fmt.Sprintf("pre-existing shared memory block (key %d, ID %d) is still in use", desc.Perm.Key, id),
			Hint:    fmt.Sprintf("Terminate any old server processes associated with data directory \"%s\".", dir),
		}
	}
	// The dynamic segments it records go first: nobody can use them now.
	if data, err := unix.SysvShmAttach(id, 0, unix.SHM_RDONLY); err == nil {
		cshim.DsmCleanupSegment(data)
		unix.SysvShmDetach(data)
	}
	if _, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil); err != nil && !errors.Is(err, unix.EINVAL) {
		return false, fatalf("could not remove stale shared memory segment %d: %v", id, errnoText(err))
	}
	return true, nil
}

// segmentHolders lists the children that may still hold the old segment
// during a crash cycle: fork servers and spares not reaped yet.
func (p *postmaster) segmentHolders() []int {
	var pids []int
	for pid := range p.oldFS {
		pids = append(pids, pid)
	}
	for pid := range p.spares {
		pids = append(pids, pid)
	}
	return pids
}
