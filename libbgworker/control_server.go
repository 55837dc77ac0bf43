package libbgworker

// This file is the control socket's server side: a Unix socket in the data
// directory (mode 0600, peers checked with SO_PEERCRED), one goroutine
// accepting and one per connection reading bounded, line-delimited JSON
// requests. Those goroutines never touch postmaster state and never call
// C: each parsed request goes to the postmaster goroutine over p.control
// and the reply comes back on a channel. Errors are replies; a request
// line over MaxControlRequest gets an error reply and the connection is
// closed, since the stream cannot be resynchronised.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
)

// controlCall is one request on its way to the postmaster goroutine.
type controlCall struct {
	req   ControlRequest
	reply chan ControlReply // buffered (1): the postmaster never blocks
	// tick marks a wake-up from the operations helper (ops.go), never a
	// client's request; watchdog says it is the watchdog's.
	tick, watchdog bool
}

// controlServer is the listening socket and its goroutines.
type controlServer struct {
	ln    *net.UnixListener
	path  string // absolute path, for removal and the lock file
	calls chan<- *controlCall
	done  chan struct{} // closed when the server stops
	wg    sync.WaitGroup
	uid   int
	ident fileIdentity // the socket file bound, so that only it is removed
}

// startControl creates the socket and starts accepting. The supervisor's
// working directory is the data directory, so the socket is bound by its
// short relative name (sun_path holds only 108 bytes). A socket left by a
// previous host is removed: we hold the lock file, so it is stale.
// Anything else at that path is not ours to delete: the start fails,
// naming it.
func (p *postmaster) startControl() error {
	abs := filepath.Join(p.dataDir, ControlSocketName)
	if st, err := os.Lstat(ControlSocketName); err == nil {
		if st.Mode().Type() != os.ModeSocket {
			return &StartupError{
				Message: fmt.Sprintf("could not create control socket \"%s\": %s is in the way", abs, fileKind(st.Mode())),
				Hint:    "Move it away: the host creates its control socket at that path.",
			}
		}
		if err := os.Remove(ControlSocketName); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fatalf("could not remove stale control socket \"%s\": %v", abs, errnoText(err))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fatalf("could not stat control socket \"%s\": %v", abs, errnoText(err))
	}
	if err := SocketFault(); err != nil {
		return fatalf("could not create control socket \"%s\": %v", abs, errnoText(err))
	}
	addr := &net.UnixAddr{Name: ControlSocketName, Net: "unix"}
	ln, err := net.ListenUnix("unix", addr)
	if err != nil {
		return fatalf("could not create control socket \"%s\": %v", abs, errnoText(err))
	}
	ln.SetUnlinkOnClose(false) // removed by path in stop, whatever the cwd then
	if err := os.Chmod(ControlSocketName, 0o600); err != nil {
		ln.Close()
		os.Remove(ControlSocketName)
		return fatalf("could not set permissions of control socket \"%s\": %v", abs, errnoText(err))
	}
	calls := make(chan *controlCall)
	p.control = calls
	s := &controlServer{ln: ln, path: abs, calls: calls, done: make(chan struct{}), uid: os.Geteuid(),
		ident: identityOf(ControlSocketName)}
	p.ctl = s
	cshim.GuardSocket(abs)
	p.updateLock(func(l *LockInfo) { l.Socket = abs })
	s.wg.Add(1)
	go s.accept()
	return nil
}

// fileKind names what a file of this mode is, for messages.
func fileKind(m fs.FileMode) string {
	switch m.Type() {
	case 0:
		return "a regular file"
	case fs.ModeDir:
		return "a directory"
	case fs.ModeSymlink:
		return "a symbolic link"
	case fs.ModeNamedPipe:
		return "a named pipe"
	case fs.ModeDevice, fs.ModeDevice | fs.ModeCharDevice:
		return "a device"
	}
	return "a file that is not a socket"
}

// stopControl closes the socket, removes it, and waits for the connection
// goroutines; pending requests are answered with an error.
func (p *postmaster) stopControl() {
	s := p.ctl
	if s == nil {
		return
	}
	p.ctl = nil
	close(s.done)
	s.ln.Close()
	cshim.GuardSocket("")
	removeIfSame(s.path, s.ident) // never another host's socket (lockcheck.go)
	s.wg.Wait()
	if p.lock != nil {
		p.updateLock(func(l *LockInfo) { l.Socket = "" })
	}
}

func (s *controlServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and the like: do not spin
			continue
		}
		s.wg.Add(1)
		go s.serve(c)
	}
}

// peerUID reads the connecting process's uid (SO_PEERCRED).
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if cerr != nil {
		return -1, cerr
	}
	return int(cred.Uid), nil
}

// serve handles one connection: any number of requests, one per line.
func (s *controlServer) serve(c *net.UnixConn) {
	defer s.wg.Done()
	defer c.Close()
	// Close the connection when the server stops, so reads return.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-s.done:
			// Let a reply being written finish; stop waiting for requests.
			c.SetReadDeadline(time.Now())
		case <-stop:
		}
	}()
	w := bufio.NewWriter(c)
	send := func(r ControlReply) bool {
		r.Version = ControlVersion
		c.SetWriteDeadline(time.Now().Add(ControlTimeout))
		b, _ := json.Marshal(r)
		w.Write(b)
		w.WriteByte('\n')
		return w.Flush() == nil
	}
	uid, err := peerUID(c)
	if err != nil || uid != s.uid {
		msg := fmt.Sprintf("permission denied: peer uid %d is not the host's uid %d", uid, s.uid)
		if err != nil {
			msg = fmt.Sprintf("could not identify the peer: %v", errnoText(err))
		}
		send(ControlReply{Error: msg})
		return
	}
	r := bufio.NewReaderSize(c, 4096)
	for {
		c.SetReadDeadline(time.Now().Add(ControlTimeout))
		line, tooLong, err := readLine(r, MaxCallRequest)
		raw := len(line) // as readLine counts: the newline included
		if err == nil {
			raw++
		}
		if !tooLong && raw > MaxControlRequest {
			// only a call may carry a long line (its arguments)
			if req, derr := decodeControlRequest(bytes.TrimSpace(line)); derr != nil || req.Op != OpCall {
				tooLong = true
			}
		}
		if tooLong {
			send(ControlReply{Error: fmt.Sprintf("request too large: a request is one line of at most %d bytes", MaxControlRequest)})
			return
		}
		if err != nil && len(line) == 0 {
			return // EOF, timeout or closed
		}
		line = bytes.TrimSpace(line)
		if req, derr := decodeControlRequest(line); derr == nil && req.Op == OpCall {
			// A call owns its connection until it is over (session.go).
			s.serveCall(c, r, send, req)
			return
		}
		if len(line) > 0 {
			if !send(s.handle(line)) {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// readLine reads up to and without the next newline, at most limit bytes.
// tooLong reports a line longer than that (the rest is not consumed).
func readLine(r *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	for {
		frag, e := r.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > limit {
			return nil, true, nil
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e == nil {
			line = line[:len(line)-1]
		}
		return line, false, e
	}
}

// decodeControlRequest parses one request line (without its newline):
// exactly one JSON object of known fields, in this protocol version. The
// error is the text of the reply. Pure: FuzzControlRequest feeds it
// arbitrary bytes.
func decodeControlRequest(line []byte) (ControlRequest, error) {
	var req ControlRequest
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, fmt.Errorf("malformed request: %s", clipReply(printable(err.Error())))
	}
	if dec.More() {
		return req, errors.New("malformed request: more than one JSON value on the line")
	}
	if err := checkDuplicateKeys(line); err != nil {
		return req, err
	}
	if req.Version != ControlVersion {
		return req, fmt.Errorf("unsupported protocol version %d (this host speaks version %d)", req.Version, ControlVersion)
	}
	return req, nil
}

// printable makes an error text safe to print on one line: control
// characters (a JSON key or value may carry any) are escaped as Go does.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// handle parses one request and has the postmaster goroutine answer it.
func (s *controlServer) handle(line []byte) ControlReply {
	req, err := decodeControlRequest(line)
	if err != nil {
		return ControlReply{Error: clipReply(err.Error())}
	}
	call := &controlCall{req: req, reply: make(chan ControlReply, 1)}
	timer := time.NewTimer(ControlTimeout)
	defer timer.Stop()
	select {
	case s.calls <- call:
	case <-s.done:
		return ControlReply{Error: "the host is shutting down"}
	case <-timer.C:
		return ControlReply{Error: "the host did not take the request in time"}
	}
	// The postmaster answers every call it took, at once.
	return <-call.reply
}
