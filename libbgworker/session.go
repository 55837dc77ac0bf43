package libbgworker

// This file holds the supervisor's side of sessions: the "call" operation
// of the control socket (`bgworker call`, bgworker_control). A call is
// resolved against the installed extensions (extension.go), then a session
// process is started in a worker slot (library "postgres", function
// "bgw_session_main", its socket's name in bgw_extra), connects back to a
// socket made for this call, gets the call, and sends its NOTICEs, result
// rows and ERROR, which become the call's reply (NOTICEs go ahead of it,
// one line each, when the call asks to stream them). A call that asks to
// keep its session leaves the connection open: the caller's next calls run
// in the same session, until the caller closes the connection. While a
// call runs, a {"op":"cancel"} line from the caller sends the session
// SIGINT (query cancel), and a caller that goes away gets it SIGTERM.
//
// The connection goroutine does the file reading and the relaying; only
// the session's registration runs on the postmaster goroutine (through the
// calls channel, as every control request). No C.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/cshim"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

// Operations of a call.
const (
	OpCall   = "call"   // run a module's SQL-callable function in a session
	OpCancel = "cancel" // while a call runs: cancel it (as a query cancel)

	// opSessionStart registers a session; internal to the supervisor.
	opSessionStart = "session-start"
)

// Where a session runs (see cshim/tcop/session.c).
const (
	sessionLibrary  = "postgres"
	sessionFunction = "bgw_session_main"
	sessionType     = "session"
)

// sessionStartTimeout bounds how long a call waits for its session to
// connect before it gives up (a fork server that cannot fork, a host
// restarting after a crash).
const sessionStartTimeout = 60 * time.Second

// CallSpec is what a call names.
type CallSpec struct {
	Function  string    `json:"function"`
	Extension string    `json:"extension,omitempty"`
	Args      []*string `json:"args,omitempty"` // text literals; null = SQL NULL
	// Stream sends each NOTICE, INFO and WARNING as its own reply line
	// ({"notice":{...}}) when the session raises it, ahead of the reply.
	Stream bool `json:"stream,omitempty"`
	// Keep keeps the session after the reply: the connection then takes
	// further calls, run in the same session, until the caller closes it.
	Keep bool `json:"keep,omitempty"`
}

// CallResult is what a call produced.
type CallResult struct {
	Returns string        `json:"returns"`           // declared result: "void", "int4", "record", ...
	SetOf   bool          `json:"setof,omitempty"`   // one row per element of Rows
	Rows    []*string     `json:"rows,omitempty"`    // text form; null = SQL NULL
	Notices []CallMessage `json:"notices,omitempty"` // NOTICE, INFO, WARNING, in order
	Error   *CallMessage  `json:"error_report,omitempty"`
	Notes   []string      `json:"notes,omitempty"` // script statements skipped
}

// sessionSeq numbers the sockets of the calls this host made.
var sessionSeq atomic.Uint64

// isSession tells a session's registration from a worker's.
func isSession(r cshim.Worker) bool {
	return r.Library == sessionLibrary && r.Function == sessionFunction
}

// startSession registers a session for socket, on the postmaster
// goroutine. The session counts against max_connections and needs a free
// worker slot.
func (p *postmaster) startSession(socket, function string) (ControlReply, error) {
	n := 0
	for _, w := range p.workers {
		if isSession(w.reg) {
			n++
		}
	}
	if max := cshim.ConfigInt("max_connections"); n >= max {
		return ControlReply{}, &CallMessage{Severity: "FATAL", SQLState: "53300",
			Message: "sorry, too many clients already",
			Detail:  fmt.Sprintf("max_connections is %d.", max)}
	}
	name := "session: " + function
	if len(name) > 95 {
		name = name[:95]
	}
	reg := cshim.Worker{Name: name, Type: sessionType, Flags: bgworkerShmemAccess,
		StartTime: startPostmasterStart, RestartTime: bgwNeverRestart,
		Library: sessionLibrary, Function: sessionFunction}
	copy(reg.Extra[:len(reg.Extra)-1], socket)
	// validateLaunch fills defaults and checks; sessions are launched
	// like any dynamic worker but never restarted.
	w, err := p.launchWorker(reg)
	if err != nil {
		return ControlReply{}, &CallMessage{Severity: "FATAL", SQLState: "53300", Message: err.Error()}
	}
	return ControlReply{Workers: []WorkerStatus{p.workerStatus(w)}}, nil
}

// callSession is the session of a call connection: started by its first
// call, used by the next ones when the caller keeps it. Only the
// connection's goroutine changes conn; the caller's reader signals the
// session through signal.
type callSession struct {
	mu      sync.Mutex
	conn    *net.UnixConn // nil: none (yet, or any more)
	br      *bufio.Reader
	pid     int
	running bool // a call is in progress: pid may be signalled
	lost    bool // the session ended (FATAL, crash): the connection ends too
}

// signal sends sig to the session if a call is in progress. The pid is
// safe to signal then: the session has not sent the end of its call, so
// it has not exited and been reaped.
func (cs *callSession) signal(sig unix.Signal) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.running && cs.pid > 0 {
		unix.Kill(cs.pid, sig)
	}
}

func (cs *callSession) setRunning(on bool) {
	cs.mu.Lock()
	cs.running = on
	cs.mu.Unlock()
}

// close ends the connection to the session, which then exits.
func (cs *callSession) close() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.conn != nil {
		cs.conn.Close()
		cs.conn = nil
	}
	cs.running = false
}

// callerLine is a request line from the caller while it owns a session:
// a request, or the reason it is not one (end set: the line was too long,
// the connection cannot go on).
type callerLine struct {
	req ControlRequest
	err error
	end bool
}

// serveCall runs the calls of a control connection and answers each. It
// returns when the connection is over: after the first call unless that
// call keeps its session, else when the caller closes the connection or
// the session ends; the connection is then closed.
func (s *controlServer) serveCall(c *net.UnixConn, r *bufio.Reader, send func(ControlReply) bool, req ControlRequest) {
	cs := &callSession{}
	defer cs.close()
	lines := make(chan callerLine, 16)
	done := make(chan struct{})
	defer close(done)
	go readCaller(c, r, cs, lines, done)

	keep := req.Call != nil && req.Call.Keep
	for {
		res, err := s.runCall(cs, req.Call, send)
		if !send(callReply(res, err)) || !keep || cs.lost {
			return
		}
		// the session waits for the caller's next call
		next, ok := nextCall(lines, send)
		if !ok {
			return
		}
		req = next
	}
}

// nextCall waits for the caller's next call on a connection that keeps a
// session, answering other lines with an error. False: the caller is gone
// or the connection cannot go on.
func nextCall(lines <-chan callerLine, send func(ControlReply) bool) (ControlRequest, bool) {
	for l := range lines {
		switch {
		case l.err != nil:
			if !send(ControlReply{Error: l.err.Error()}) || l.end {
				return ControlRequest{}, false
			}
		case l.req.Op == OpCall:
			return l.req, true
		default:
			if !send(ControlReply{Error: fmt.Sprintf("operation \"%s\" is not allowed on a connection that keeps a session: only \"call\"", l.req.Op)}) {
				return ControlRequest{}, false
			}
		}
	}
	return ControlRequest{}, false
}

// callReply is the reply to one call.
func callReply(res *CallResult, err error) ControlReply {
	rep := ControlReply{Call: res}
	if err != nil {
		var m *CallMessage
		if errors.As(err, &m) {
			if res == nil {
				rep.Call = &CallResult{}
			}
			rep.Call.Error = m
			rep.Error = m.Message
		} else {
			rep.Error = printable(err.Error())
		}
	} else {
		rep.OK = true
	}
	return rep
}

// readCaller reads the caller's lines while it owns a session: a cancel
// request sends the session SIGINT; other requests go to serveCall; the
// caller going away sends the session SIGTERM if a call runs (between
// calls, serveCall closing the session's connection ends it).
func readCaller(c *net.UnixConn, r *bufio.Reader, cs *callSession, lines chan<- callerLine, done <-chan struct{}) {
	defer close(lines)
	c.SetReadDeadline(time.Time{})
	for {
		line, tooLong, err := readLine(r, MaxCallRequest)
		if tooLong {
			cs.signal(unix.SIGTERM)
			select {
			case lines <- callerLine{err: fmt.Errorf("request too large: a request is one line of at most %d bytes", MaxCallRequest), end: true}:
			case <-done:
			}
			return
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			req, derr := decodeControlRequest(line)
			if derr == nil && req.Op == OpCancel {
				cs.signal(unix.SIGINT)
			} else {
				select {
				case lines <- callerLine{req: req, err: derr}:
				case <-done:
					return
				}
			}
		}
		if err != nil {
			cs.signal(unix.SIGTERM)
			return
		}
	}
}

// runCall resolves one call, starts the connection's session if it has
// none, and relays the call. NOTICEs go to send as they come when the
// call streams them.
func (s *controlServer) runCall(cs *callSession, spec *CallSpec, send func(ControlReply) bool) (*CallResult, error) {
	if spec == nil || spec.Function == "" {
		return nil, errors.New("operation \"call\" requires \"call\" with a \"function\"")
	}
	fn, notes, err := resolveCall(buildinfo.Current().ShareDir, spec)
	if err != nil {
		return &CallResult{Notes: notes}, err
	}
	res := &CallResult{Returns: fn.returns, SetOf: fn.retset, Notes: notes}
	payload, err := callPayload(fn, spec.Args)
	if err != nil {
		return res, err
	}
	if cs.conn == nil {
		if err := s.startCallSession(cs, fn.name); err != nil {
			cs.lost = true
			return res, err
		}
	}
	cs.setRunning(true)
	defer cs.setRunning(false)
	if err := writeFrame(cs.conn, 'C', payload); err != nil {
		cs.lost = true
		cs.close()
		return res, &CallMessage{Severity: "FATAL", SQLState: "08006",
			Message: "server closed the connection unexpectedly",
			Detail:  fmt.Sprintf("Sending the call to the session failed: %v.", errnoText(err))}
	}
	var notice func(CallMessage)
	if spec.Stream {
		notice = func(m CallMessage) { send(ControlReply{Notice: &m}) }
	}
	err = relaySession(cs.br, res, notice)
	var m *CallMessage
	if err != nil && (!errors.As(err, &m) || m.Severity != "ERROR") {
		cs.lost = true // FATAL or lost: the session is gone
		cs.close()
	}
	return res, err
}

// startCallSession starts a session for cs; function names it in status.
func (s *controlServer) startCallSession(cs *callSession, function string) error {
	// The session's socket: in the data directory (our working
	// directory), by a relative name that fits bgw_extra.
	sock := fmt.Sprintf("bgworker.session.%d.%d", os.Getpid(), sessionSeq.Add(1))
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		return fmt.Errorf("could not create session socket \"%s\": %v", sock, errnoText(err))
	}
	defer ln.Close()
	os.Chmod(sock, 0o600)

	start, err := s.request(ControlRequest{Op: opSessionStart, Name: sock, sessionFunction: function})
	if err != nil {
		return err
	}
	ws := start.Workers[0]
	conn, pid, err := s.acceptSession(ln, ws.Slot, ws.Generation)
	if err != nil {
		return err
	}
	os.Remove(sock)
	cs.mu.Lock()
	cs.conn, cs.pid, cs.br = conn, pid, bufio.NewReaderSize(conn, 64<<10)
	cs.mu.Unlock()
	return nil
}

// request hands an internal request to the postmaster goroutine.
func (s *controlServer) request(req ControlRequest) (ControlReply, error) {
	req.Version = ControlVersion
	call := &controlCall{req: req, reply: make(chan ControlReply, 1)}
	select {
	case s.calls <- call:
	case <-s.done:
		return ControlReply{}, &CallMessage{Severity: "FATAL", SQLState: "57P01", Message: "the host is shutting down"}
	}
	rep := <-call.reply
	if !rep.OK {
		if rep.callErr != nil {
			return rep, rep.callErr
		}
		return rep, errors.New(rep.Error)
	}
	return rep, nil
}

// acceptSession waits for the session in (slot, generation) to connect,
// and gives up if it stops first. It returns the connection and the
// session's pid (from SO_PEERCRED).
func (s *controlServer) acceptSession(ln *net.UnixListener, slot int, gen uint64) (*net.UnixConn, int, error) {
	deadline := time.Now().Add(sessionStartTimeout)
	for time.Now().Before(deadline) {
		ln.SetDeadline(time.Now().Add(200 * time.Millisecond))
		conn, err := ln.AcceptUnix()
		if err == nil {
			cred, cerr := peerCred(conn)
			if cerr != nil || int(cred.Uid) != s.uid {
				conn.Close()
				continue
			}
			return conn, int(cred.Pid), nil
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return nil, 0, fmt.Errorf("could not accept the session's connection: %v", errnoText(err))
		}
		sl := slot
		rep, err := s.request(ControlRequest{Op: OpWorker, Slot: &sl, Generation: gen})
		if err != nil {
			return nil, 0, err
		}
		if len(rep.Workers) == 1 && (rep.Workers[0].State == StateStopped || rep.Workers[0].State == StateCrashed) {
			return nil, 0, &CallMessage{Severity: "FATAL", SQLState: "08006",
				Message: "the session ended before it took the call",
				Hint:    "See the server log."}
		}
	}
	return nil, 0, &CallMessage{Severity: "FATAL", SQLState: "08006",
		Message: "timeout expired while waiting for the session to start"}
}

func peerCred(c *net.UnixConn) (*unix.Ucred, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, err
	}
	return cred, cerr
}

// relaySession reads the session's messages until the call is over.
// NOTICEs go to notice if it is not nil, else into res.
func relaySession(br *bufio.Reader, res *CallResult, notice func(CallMessage)) error {
	var callErr *CallMessage
	for {
		typ, payload, err := readFrame(br)
		if err != nil {
			if callErr != nil {
				return callErr
			}
			return &CallMessage{Severity: "FATAL", SQLState: "08006",
				Message: "server closed the connection unexpectedly",
				Detail:  "The session terminated abnormally before or while processing the request.",
				Hint:    "See the server log."}
		}
		fields := strings.Split(strings.TrimSuffix(string(payload), "\x00"), "\x00")
		switch typ {
		case 'N', 'E':
			for len(fields) < 6 {
				fields = append(fields, "")
			}
			m := CallMessage{Severity: fields[0], SQLState: fields[1], Message: fields[2],
				Detail: fields[3], Hint: fields[4], Context: fields[5]}
			switch {
			case typ == 'E':
				callErr = &m
			case notice != nil:
				notice(m)
			default:
				res.Notices = append(res.Notices, m)
			}
		case 'D':
			if len(payload) > 0 && payload[0] == 'v' {
				v := string(bytes.TrimSuffix(payload[1:], []byte{0}))
				res.Rows = append(res.Rows, &v)
			} else {
				res.Rows = append(res.Rows, nil)
			}
		case 'Z':
			if callErr != nil {
				return callErr
			}
			return nil
		}
	}
}

func writeFrame(w io.Writer, typ byte, payload []byte) error {
	hdr := make([]byte, 5, 5+len(payload))
	hdr[0] = typ
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(payload)))
	_, err := w.Write(append(hdr, payload...))
	return err
}

// maxFrame bounds one message from a session (a result row).
const maxFrame = 1 << 30

func readFrame(r *bufio.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("message of %d bytes from the session", n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	return hdr[0], payload, nil
}

// resolveCall finds the function a call names and checks that its
// arguments can be passed.
func resolveCall(sharedir string, spec *CallSpec) (*sqlFunction, []string, error) {
	name := spec.Function
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		name = name[dot+1:]
	}
	unquoted := strings.Trim(name, `"`)
	if unquoted == name {
		name = strings.ToLower(name)
	} else {
		name = unquoted
	}
	fns, notes, err := findFunction(sharedir, spec.Extension, name)
	if err != nil {
		return nil, notes, err
	}
	var fits []*sqlFunction
	for _, f := range fns {
		in := f.inArgs()
		required := 0
		for i, a := range in {
			if !a.hasDefault {
				required = i + 1
			}
		}
		if len(spec.Args) <= len(in) && len(spec.Args) >= required {
			fits = append(fits, f)
		}
	}
	sig := name + "(" + strings.TrimSuffix(strings.Repeat("unknown, ", len(spec.Args)), ", ") + ")"
	switch {
	case len(fits) == 0:
		hint := "No function matches the given name and argument types. You might need to add explicit type casts."
		if len(fns) == 0 && spec.Extension == "" {
			hint = "No installed extension declares a C function of that name."
		}
		return nil, notes, callError("42883", "", hint, "function %s does not exist", sig)
	case len(fits) > 1:
		return nil, notes, callError("42725", "",
			"Could not choose a best candidate function. You might need to add explicit type casts.",
			"function %s is not unique", sig)
	}
	f := fits[0]
	for _, a := range f.inArgs() {
		if !knownType(a.typ) || a.typ == "record" || a.typ == "void" {
			return nil, notes, callError("0A000", "", "bgworker call passes boolean, integer, floating-point, oid, text, varchar, name, bytea and cstring values, and one-dimensional arrays of them.",
				"cannot pass an argument of type %s", sqlTypeName(a.typ))
		}
	}
	if !knownType(f.returns) {
		return nil, notes, callError("0A000", "", "", "cannot display a result of type %s", sqlTypeName(f.returns))
	}
	for _, col := range f.columns {
		if !knownType(col.typ) || col.typ == "record" || col.typ == "void" {
			return nil, notes, callError("0A000", "", "", "cannot display a result column of type %s", sqlTypeName(col.typ))
		}
	}
	return f, notes, nil
}

// callPayload is the 'C' message for f with the caller's arguments,
// missing ones taken from their DEFAULTs.
func callPayload(f *sqlFunction, args []*string) ([]byte, error) {
	var b bytes.Buffer
	put := func(s string) { b.WriteString(s); b.WriteByte(0) }
	in := f.inArgs()
	put(f.library)
	put(f.symbol)
	put(f.name)
	put(strconv.Itoa(len(in)))
	put(map[bool]string{true: "1", false: "0"}[f.strict])
	put(map[bool]string{true: "1", false: "0"}[f.retset])
	put(f.returns)
	if f.returns == "record" {
		put(strconv.Itoa(len(f.columns)))
		for i, col := range f.columns {
			name := col.name
			if name == "" {
				name = fmt.Sprintf("column%d", i+1)
			}
			put(name)
			put(col.typ)
		}
	}
	for i, a := range in {
		var v *string
		if i < len(args) {
			v = args[i]
		} else {
			dv, ok := evalDefault(a.def)
			if !ok {
				return nil, callError("0A000", "", "Pass the argument explicitly.",
					"cannot evaluate the default of argument %d of %s: %s", i+1, f.name, a.def)
			}
			v = dv
		}
		if strings.ContainsRune(a.typ, 0) || (v != nil && strings.ContainsRune(*v, 0)) {
			return nil, callError("22021", "", "", "invalid byte sequence for encoding \"UTF8\": 0x00")
		}
		put(a.typ)
		if v == nil {
			put("n")
		} else {
			put("v" + *v)
		}
	}
	return b.Bytes(), nil
}

// CallFunction runs a call through the control socket of the host in dir
// and returns its reply (the result, or the ERROR in rep.Call.Error). A
// value on cancel asks the host to cancel the call, as a query cancel
// does. For the CLI; any goroutine.
func CallFunction(dir string, spec CallSpec, cancel <-chan struct{}) (*ControlReply, error) {
	cc, err := DialCall(dir)
	if err != nil {
		return nil, err
	}
	defer cc.Close()
	return cc.Call(spec, cancel, nil)
}

// CallClient is a control connection that runs calls one after another.
// With spec.Keep they all run in one session, as the statements of one
// psql connection run in one backend.
type CallClient struct {
	c *ControlClient
}

// DialCall connects to the control socket of the host in dir.
func DialCall(dir string) (*CallClient, error) {
	c, err := DialControl(dir)
	if err != nil {
		return nil, err
	}
	c.conn.SetDeadline(time.Time{}) // a call takes as long as it takes
	return &CallClient{c: c}, nil
}

// Close ends the connection, and with it a kept session.
func (cc *CallClient) Close() error { return cc.c.Close() }

// Call runs one call and returns its reply. A value on cancel asks the
// host to cancel it. A non-nil notice gets each NOTICE, INFO and WARNING
// when the session raises it (the call then streams them); else they come
// in the reply. One call at a time per client.
func (cc *CallClient) Call(spec CallSpec, cancel <-chan struct{}, notice func(CallMessage)) (*ControlReply, error) {
	spec.Stream = notice != nil
	b, _ := json.Marshal(ControlRequest{Version: ControlVersion, Op: OpCall, Call: &spec})
	if _, err := cc.c.conn.Write(append(b, '\n')); err != nil {
		return nil, &CallMessage{Severity: "FATAL", SQLState: "08006",
			Message: "server closed the connection unexpectedly",
			Detail:  fmt.Sprintf("Sending the call failed: %v.", errnoText(err))}
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		line, _ := json.Marshal(ControlRequest{Version: ControlVersion, Op: OpCancel})
		for {
			select {
			case <-stop:
				return
			case <-cancel:
				cc.c.conn.Write(append(line, '\n'))
			}
		}
	}()
	for {
		line, err := cc.c.r.ReadBytes('\n')
		if err != nil {
			return nil, &CallMessage{Severity: "FATAL", SQLState: "08006",
				Message: "server closed the connection unexpectedly",
				Detail:  fmt.Sprintf("Reading the reply failed: %v.", err)}
		}
		var rep ControlReply
		if err := json.Unmarshal(line, &rep); err != nil {
			return nil, fmt.Errorf("malformed reply from the host: %v", err)
		}
		if rep.Notice != nil && rep.Call == nil && rep.Error == "" {
			if notice != nil {
				notice(*rep.Notice)
			}
			continue
		}
		return &rep, nil
	}
}
