package libbgworker

// This file holds the System V shared memory segment's life: created
// IPC_PRIVATE with mode 0600 at start and after every crash, removed at
// exit and before a crash reinitialisation, and a stale segment left by a
// dead host handled at the next start. Supervisor, postmaster goroutine.

import (
	"errors"
	"fmt"

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
			Hint:    "This error usually means that the request exceeded your kernel's SHMMAX or SHMALL parameter, or that the system ran out of memory or swap.",
		}
	}
	data, err := sysShmAttach(id, 0, 0)
	if err != nil {
		unix.SysvShmCtl(id, unix.IPC_RMID, nil)
		return nil, fatalf("could not attach shared memory segment %d: %v", id, errnoText(err))
	}
	return &segment{id: id, data: data}, nil
}

// destroy removes the dynamic shared memory segments it records, then
// detaches and removes the segment. Workers still attached keep it until
// they exit (the kernel removes it at the last detach).
func (s *segment) destroy() {
	if s == nil {
		return
	}
	if s.data != nil {
		cshim.DsmCleanupSegment(s.data)
		unix.SysvShmDetach(s.data)
		s.data = nil
	}
	unix.SysvShmCtl(s.id, unix.IPC_RMID, nil)
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
