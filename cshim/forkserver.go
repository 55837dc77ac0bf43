package cshim

// This file holds the supervisor's side of the fork server (forkserver.c):
// starting it, and the request/reply protocol of fork_int.h over its
// SOCK_SEQPACKET socket. Only StartForkServer calls C (and forks); the
// messages are encoded and decoded in Go, so ReadReplies may run on a
// reader goroutine while the postmaster goroutine sends.

/*
#include "fork_int.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// StartRequest asks the fork server for one worker (or, with Startup, the
// startup child; Slot and Worker are then unused).
type StartRequest struct {
	ID      uint32 // echoed in the Reply
	Slot    int    // the worker's slot (and proc slot)
	Worker  Worker // the registration the child runs
	Startup bool   // start the startup child instead
	Standby bool   // Startup only: the recovery hook sees standby = true
}

// Reply is the fork server's answer to one start request, or (Spare set)
// its announcement of a spare child: a process that is already a child of
// the supervisor and that a later reply hands to a worker.
type Reply struct {
	Spare bool          // a spare announcement: only Pid is set
	ID    uint32        // the request's ID
	Slot  int           // the request's slot; -1 for the startup child
	Pid   int           // the new child (a child of the supervisor); 0 on failure
	Errno syscall.Errno // why the fork failed; 0 on success
	// Notified: the fork server already published the pid in the slot and
	// woke the worker's bgw_notify_pid (the supervisor must not again).
	Notified bool
	// Fast: the fork server started (or failed to start) the new
	// registration in Slot on its own, a fast start (ID is 0).
	Fast bool
	// FastStart: the answer to SendFastStart with this ID.
	FastStart bool
}

// ForkServer is a running fork server.
type ForkServer struct {
	pid  int
	fd   int
	file *os.File        // the socket, in Go's poller (Close wakes readers)
	raw  syscall.RawConn // for batched non-blocking reads
	room int             // requests the socket buffer holds: see QueueRoom
}

// Socket buffer for start requests. Each request (about 1.5 kB) is charged
// about 3 kB of send buffer in the kernel; the default buffer (212992
// bytes) holds some 70. A deeper queue keeps the fork server busy while
// the supervisor waits for a CPU behind thousands of new workers
// (measured at 5000: the fork server slept 2.9 s of a 3.5 s launch waiting
// for requests with 64 in flight). The kernel caps the size at
// net.core.wmem_max; QueueRoom follows what it granted.
const (
	wantSendBuffer  = 1 << 20
	requestCharge   = 3 << 10
	minQueueRoom    = 16
	maxQueueRoom    = 512
	queueRoomMargin = 4 // requests kept free: a RELOAD or EXIT must never block
)

var (
	requestSize = int(unsafe.Sizeof(C.BgwForkRequest{}))
	replySize   = int(unsafe.Sizeof(C.BgwForkReply{}))
)

// ExcludeRuntimeMappingsFromForks marks the Go runtime's own mappings
// (those made since the host binary's constructor recorded the loader's)
// so that no fork of the supervisor copies them: the fork server's image,
// which every worker start copies, keeps only what C code can use
// (forkimage.c). Postmaster goroutine, when the host starts, before the
// configuration is read and any module loaded; a no-op in an embedding
// program. Returns how many were marked.
func ExcludeRuntimeMappingsFromForks() int {
	return int(C.bgw_exclude_runtime_mappings_from_forks())
}

// StartForkServer forks the fork server. Postmaster goroutine only, after
// modules were loaded and shared memory initialised, with no other thread
// inside C. deathRead is the read end of the death pipe; the fork server
// exits when it reads EOF there, or when its socket is closed.
func StartForkServer(deathRead int) (*ForkServer, error) {
	if int(C.bgw_fork_request_size) != requestSize || int(C.bgw_fork_reply_size) != replySize {
		return nil, errors.New("fork server protocol size mismatch between Go and C")
	}
	var sock C.int
	excludeGoMemory()
	pid, err := C.bgw_forkserver_start(C.int(deathRead), &sock)
	if pid < 0 {
		return nil, fmt.Errorf("could not start the fork server: %w", err)
	}
	fs := &ForkServer{pid: int(pid), fd: int(sock)}
	if err := unix.SetNonblock(fs.fd, true); err != nil {
		unix.Close(fs.fd)
		unix.Kill(fs.pid, unix.SIGKILL)
		return nil, fmt.Errorf("could not set up the fork server socket: %w", err)
	}
	fs.room = minQueueRoom
	_ = unix.SetsockoptInt(fs.fd, unix.SOL_SOCKET, unix.SO_SNDBUF, wantSendBuffer)
	if got, err := unix.GetsockoptInt(fs.fd, unix.SOL_SOCKET, unix.SO_SNDBUF); err == nil {
		fs.room = min(max(got/requestCharge-queueRoomMargin, minQueueRoom), maxQueueRoom)
	}
	fs.file = os.NewFile(uintptr(fs.fd), "forkserver")
	fs.raw, err = fs.file.SyscallConn()
	if err != nil {
		fs.file.Close()
		unix.Kill(fs.pid, unix.SIGKILL)
		return nil, fmt.Errorf("could not set up the fork server socket: %w", err)
	}
	return fs, nil
}

// QueueRoom is how many start requests may be outstanding at the fork
// server without a send ever blocking on a full socket buffer.
func (fs *ForkServer) QueueRoom() int { return fs.room }

// Pid is the fork server's process id (a child of the supervisor).
func (fs *ForkServer) Pid() int { return fs.pid }

// Fd is the supervisor's end of the socket.
func (fs *ForkServer) Fd() int { return fs.fd }

// Close closes the supervisor's end; the fork server then exits. A
// concurrent ReadReplies returns an error.
func (fs *ForkServer) Close() error { return fs.file.Close() }

// send writes one request message.
func (fs *ForkServer) send(req *C.BgwForkRequest) error {
	req.magic = C.BGW_FORKSERVER_MAGIC
	req.version = C.BGW_FORKSERVER_VERSION
	b := unsafe.Slice((*byte)(unsafe.Pointer(req)), requestSize)
	_, err := fs.file.Write(b)
	return err
}

// SendStart sends one request per element, without waiting for replies.
func (fs *ForkServer) SendStart(reqs []StartRequest) error {
	for i := range reqs {
		r := &reqs[i]
		var req C.BgwForkRequest
		req.id = C.uint32(r.ID)
		if r.Startup {
			req.kind = C.BGW_FORK_START_STARTUP
			req.slot = -1
			if r.Standby {
				req.flags = C.BGW_FORK_FLAG_STANDBY
			}
		} else {
			req.kind = C.BGW_FORK_START_WORKER
			req.slot = C.int32(r.Slot)
			r.Worker.toC(&req.worker)
		}
		if err := fs.send(&req); err != nil {
			return err
		}
	}
	return nil
}

// SendStartupStandby asks for the startup child, telling the recovery hook
// whether the data directory is a standby.
func (fs *ForkServer) SendStartupStandby(id uint32, standby bool) error {
	return fs.SendStart([]StartRequest{{ID: id, Startup: true, Standby: standby}})
}

// SendReload makes the fork server run ProcessConfigFile(PGC_SIGHUP), so
// that workers it starts afterwards see the new values. No reply.
func (fs *ForkServer) SendReload() error {
	var req C.BgwForkRequest
	req.kind = C.BGW_FORK_RELOAD
	req.slot = -1
	return fs.send(&req)
}

// SendFastStart turns the fork server's fast starts of new dynamic
// registrations on or off (forkserver.c, fast_start_scan). Its reply
// (FastStart, with id) comes after the replies of every fast start made
// before the fork server turned them off.
func (fs *ForkServer) SendFastStart(id uint32, on bool) error {
	var req C.BgwForkRequest
	req.kind = C.BGW_FORK_FAST_START
	req.id = C.uint32(id)
	req.slot = -1
	if on {
		req.flags = C.BGW_FORK_FLAG_FAST_ON
	}
	return fs.send(&req)
}

// SendExit asks the fork server to exit. No reply.
func (fs *ForkServer) SendExit() error {
	var req C.BgwForkRequest
	req.kind = C.BGW_FORK_EXIT
	req.slot = -1
	return fs.send(&req)
}

// ReadReplies blocks until at least one reply is available, then returns
// every reply available (up to len(buf)). io.EOF means the fork server
// exited or closed its socket; replies read before that are still
// returned in buf[:n]. Safe on a goroutine of its own (no C).
func (fs *ForkServer) ReadReplies(buf []Reply) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	n := 0
	var rerr error
	msg := make([]byte, replySize+16)
	err := fs.raw.Read(func(fd uintptr) bool {
		for n < len(buf) {
			m, _, e := unix.Recvfrom(int(fd), msg, unix.MSG_DONTWAIT)
			switch {
			case e == unix.EINTR:
				continue
			case e == unix.EAGAIN:
				return n > 0
			case e != nil:
				rerr = e
				return true
			case m == 0:
				rerr = io.EOF
				return true
			case m != replySize:
				rerr = fmt.Errorf("fork server sent a message of %d bytes, expected %d", m, replySize)
				return true
			}
			var rep C.BgwForkReply
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&rep)), replySize), msg[:m])
			if rep.magic != C.BGW_FORKSERVER_MAGIC {
				rerr = errors.New("fork server sent a message with a bad magic number")
				return true
			}
			buf[n] = Reply{
				Spare: rep.kind == C.BGW_FORK_SPARE,
				ID:    uint32(rep.id),
				Slot:  int(rep.slot),
				Pid:   int(rep.pid),
				Errno: syscall.Errno(rep.err),

				Notified:  rep.flags&C.BGW_FORK_REPLY_NOTIFIED != 0,
				Fast:      rep.flags&C.BGW_FORK_REPLY_FAST != 0,
				FastStart: rep.kind == C.BGW_FORK_FAST_START,
			}
			n++
		}
		return true
	})
	if rerr == nil && err != nil {
		rerr = err
	}
	return n, rerr
}
