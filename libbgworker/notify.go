package libbgworker

// This file holds the systemd notification protocol (sd_notify(3)) for a
// host run as a Type=notify service: datagrams of "NAME=value" lines to
// the socket NOTIFY_SOCKET names. The postmaster goroutine only queues
// messages (a mutex held for an append); one goroutine writes them, so
// the event loop never blocks on the socket, whatever systemd does. That
// goroutine never calls C, and so cannot log: a failed write is dropped,
// as sd_notify's callers do.

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ServiceEnv is what the service manager put in the environment of the
// bgworker binary, taken out of it before the Go runtime started (so that
// no child inherits it): cmd/bgworker fills Service. Empty fields: not
// run by a service manager. An embedding program's host leaves it empty.
type ServiceEnv struct {
	NotifySocket string // NOTIFY_SOCKET: a path, or "@name" for the abstract namespace
	WatchdogUsec string // WATCHDOG_USEC: the watchdog interval in microseconds
	WatchdogPid  string // WATCHDOG_PID: the pid the watchdog is for, if set
}

// Service is the service manager's environment of this process.
var Service ServiceEnv

// watchdogInterval is half of WATCHDOG_USEC (sd_watchdog_enabled's advice),
// or 0 when there is no watchdog for this process.
func (e ServiceEnv) watchdogInterval(pid int) time.Duration {
	usec, err := strconv.ParseUint(e.WatchdogUsec, 10, 64)
	if err != nil || usec == 0 {
		return 0
	}
	if e.WatchdogPid != "" && e.WatchdogPid != strconv.Itoa(pid) {
		return 0
	}
	return time.Duration(usec) * time.Microsecond / 2
}

// notifyQueueMax bounds the queue if the writer falls behind: the oldest
// STATUS= messages go first (each is superseded by the next).
const notifyQueueMax = 64

// notifier sends sd_notify messages from its own goroutine.
type notifier struct {
	conn  *net.UnixConn
	mu    sync.Mutex
	queue []string
	wake  chan struct{} // capacity 1: there is something in queue
	done  chan struct{} // closed by stop
	gone  chan struct{} // closed when the writer has returned
}

// newNotifier connects to the socket and starts the writer. Postmaster
// goroutine.
func newNotifier(addr string) (*notifier, error) {
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	n := &notifier{conn: conn, wake: make(chan struct{}, 1), done: make(chan struct{}), gone: make(chan struct{})}
	go n.write()
	return n, nil
}

// send queues one message ("READY=1", several lines for several
// variables). Never blocks beyond a short mutex. Postmaster goroutine.
func (n *notifier) send(msg string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	if len(n.queue) >= notifyQueueMax {
		for i, m := range n.queue {
			if len(m) >= 7 && m[:7] == "STATUS=" {
				n.queue = append(n.queue[:i], n.queue[i+1:]...)
				break
			}
		}
		if len(n.queue) >= notifyQueueMax {
			n.queue = n.queue[1:]
		}
	}
	n.queue = append(n.queue, msg)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// write is the writer goroutine: it sends what is queued, in order. No C.
func (n *notifier) write() {
	defer close(n.gone)
	for {
		select {
		case <-n.wake:
		case <-n.done:
			n.flush()
			return
		}
		n.flush()
	}
}

func (n *notifier) flush() {
	n.mu.Lock()
	msgs := n.queue
	n.queue = nil
	n.mu.Unlock()
	for _, m := range msgs {
		n.conn.SetWriteDeadline(time.Now().Add(time.Second))
		n.conn.Write([]byte(m))
	}
}

// stop sends what is queued (up to a second) and closes the socket.
// Postmaster goroutine, at exit.
func (n *notifier) stop() {
	if n == nil {
		return
	}
	close(n.done)
	select {
	case <-n.gone:
	case <-time.After(2 * time.Second):
	}
	n.conn.Close()
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, for RELOADING=1's
// MONOTONIC_USEC.
func monotonicUsec() string {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return fmt.Sprintf("%d", ts.Sec*1_000_000+ts.Nsec/1000)
}
