package libbgworker

// FuzzControlRequest: what the control socket's server does with client
// bytes (docs/control-protocol.md). Each input is checked twice:
//
//   - as one request line: decodeControlRequest and checkControlRequest,
//     the pure part of handle() and controlOp(), must accept it as a valid
//     request or refuse it with a well-formed error naming the problem;
//   - as a whole connection: the real serve() reads the input from a
//     socket pair, with a stand-in for the postmaster goroutine, and must
//     answer every non-blank line exactly once, in order, as the line
//     model says, close after an oversized line, and never hang.
//
// readLine, serve()'s framing, is also run with a tiny limit so that the
// oversized path is reached by short inputs.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// controlErrorRe lists the ways an error reply may start: each names what
// is wrong with the request.
var controlErrorRe = regexp.MustCompile(`^(malformed request: .+` +
	`|unsupported protocol version -?\d+ \(this host speaks version \d+\)` +
	`|unknown operation ".*"` +
	`|operation "(worker|launch|terminate)" requires .+` +
	`|invalid shutdown mode ".*": use smart, fast or immediate` +
	`|unknown worker flag ".*": use shmem or database` +
	`|unknown start time ".*": use postmaster-start, consistent or recovery-finished` +
	`|extra is \d+ bytes; at most \d+ fit` +
	`|launch field "(name|type|library|function)" contains the control character .+` +
	`|a library and a function name are required` +
	`|background worker ".*": .+` +
	`|request too large: a request is one line of at most \d+ bytes)$`)

// checkErrorReply fails unless rep is a well-formed error reply.
func checkErrorReply(t *testing.T, rep ControlReply, input []byte) {
	t.Helper()
	if rep.Version != ControlVersion || rep.OK || rep.Error == "" {
		t.Fatalf("malformed error reply %+v for %q", rep, input)
	}
	if !utf8.ValidString(rep.Error) || strings.ContainsFunc(rep.Error, unicode.IsControl) {
		t.Fatalf("error reply is not printable text: %q (input %q)", rep.Error, input)
	}
	if !controlErrorRe.MatchString(rep.Error) {
		t.Fatalf("error reply %q does not say what is wrong (input %q)", rep.Error, input)
	}
	b, err := json.Marshal(rep)
	if err != nil || bytes.ContainsAny(b, "\r\n") {
		t.Fatalf("reply does not encode as one line: %q, %v", b, err)
	}
}

// modelReply is what the server answers to one non-blank line (trimmed, no
// newline), given a postmaster that accepts every request passing the
// state-free checks.
func modelReply(line []byte) ControlReply {
	req, err := decodeControlRequest(line)
	if err == nil {
		err = checkControlRequest(req)
	}
	if err != nil {
		return ControlReply{Version: ControlVersion, Error: printable(err.Error())}
	}
	return ControlReply{Version: ControlVersion, OK: true}
}

// modelConnection is the list of replies serve() owes to a connection that
// sends data and then closes its sending side.
func modelConnection(data []byte, limit int) []ControlReply {
	var out []ControlReply
	for len(data) > 0 {
		line, rest, found := bytes.Cut(data, []byte{'\n'})
		n := len(line)
		if found {
			n++ // the newline counts
		}
		if n > limit {
			return append(out, ControlReply{Version: ControlVersion,
				Error: fmt.Sprintf("request too large: a request is one line of at most %d bytes", limit)})
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			out = append(out, modelReply(t))
		}
		data = rest
	}
	return out
}

// checkValidRequest fails unless a request the checks accepted really is
// complete for its operation.
func checkValidRequest(t *testing.T, req ControlRequest, input []byte) {
	t.Helper()
	if req.Version != ControlVersion {
		t.Fatalf("accepted version %d (input %q)", req.Version, input)
	}
	switch req.Op {
	case OpStatus, OpReload, OpPromote:
	case OpWorker:
		if req.Slot == nil {
			t.Fatalf("accepted worker without slot (input %q)", input)
		}
	case OpTerminate:
		if req.Pid == 0 && req.Name == "" && req.Slot == nil {
			t.Fatalf("accepted terminate without a target (input %q)", input)
		}
	case OpStop:
		if _, ok := stopSignals[req.Mode]; !ok {
			t.Fatalf("accepted stop mode %q (input %q)", req.Mode, input)
		}
	case OpLaunch:
		reg, err := launchRegistration(req.Launch)
		if err != nil {
			t.Fatalf("accepted launch that launchRegistration refuses: %v (input %q)", err, input)
		}
		if err := validateLaunch(&reg); err != nil {
			t.Fatalf("accepted launch that validateLaunch refuses: %v", err)
		}
		for _, s := range []string{reg.Name, reg.Type, reg.Library, reg.Function} {
			if strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("accepted launch with control characters: %+v (input %q)", reg, input)
			}
		}
		if reg.Name == "" || reg.Library == "" || reg.Function == "" {
			t.Fatalf("accepted launch with empty names: %+v (input %q)", reg, input)
		}
	default:
		t.Fatalf("accepted unknown operation %q (input %q)", req.Op, input)
	}
}

// serveOnce runs serve() on one end of a socket pair, sends data from the
// other end, closes it for writing and collects the replies until serve()
// closes the connection.
func serveOnce(t *testing.T, data []byte) []ControlReply {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "socketpair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	srv, cli := conn(fds[0]), conn(fds[1])
	defer cli.Close()

	// The postmaster goroutine's stand-in answers what passes the checks.
	calls := make(chan *controlCall)
	s := &controlServer{calls: calls, done: make(chan struct{}), uid: os.Geteuid()}
	pmDone := make(chan struct{})
	go func() {
		defer close(pmDone)
		for c := range calls {
			rep := ControlReply{Version: ControlVersion, OK: true}
			if err := checkControlRequest(c.req); err != nil {
				rep = ControlReply{Version: ControlVersion, Error: printable(err.Error())}
			}
			c.reply <- rep
		}
	}()
	s.wg.Add(1)
	go s.serve(srv)

	writeErr := make(chan error, 1)
	go func() {
		_, err := cli.Write(data)
		if err == nil {
			err = cli.CloseWrite()
		}
		writeErr <- err
	}()

	deadline := time.Now().Add(20 * time.Second)
	cli.SetReadDeadline(deadline)
	var replies []ControlReply
	r := bufio.NewReader(cli)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				t.Fatalf("reply without newline: %q", line)
			}
			var rep ControlReply
			if jerr := json.Unmarshal(line, &rep); jerr != nil {
				t.Fatalf("reply is not JSON: %q: %v", line, jerr)
			}
			replies = append(replies, rep)
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("serve hung on %q (replies so far: %d)", data, len(replies))
			}
			if err != io.EOF && !errors.Is(err, unix.ECONNRESET) {
				t.Fatalf("reading replies: %v", err)
			}
			break
		}
	}
	s.wg.Wait()
	close(calls)
	<-pmDone
	// serve() may close after an oversized line before the client sent
	// everything: a failed write is fine then.
	select {
	case <-writeErr:
	case <-time.After(time.Until(deadline)):
		t.Fatalf("client write hung")
	}
	return replies
}

func FuzzControlRequest(f *testing.F) {
	seeds := []string{
		`{"version":1,"op":"status"}`,
		`{"version":1,"op":"worker","slot":3,"generation":7}`,
		`{"version":1,"op":"launch","launch":{"library":"launcher","function":"launcher_child","name":"one","extra":"wait","restart_time":5,"flags":["shmem"],"start_time":"consistent"}}`,
		`{"version":1,"op":"launch","launch":{"library":"l","function":"f","flags":["database"],"start_time":"postmaster-start"}}`,
		`{"version":1,"op":"launch","launch":{"library":"l","function":"f","restart_time":-7}}`,
		`{"version":1,"op":"launch","launch":{"library":"l\u0000/../x","function":"f"}}`,
		`{"version":1,"op":"launch","launch":{"library":"l","function":"f","name":"a\nb"}}`,
		`{"version":1,"op":"launch","launch":{"library":"l","function":"f","extra":"` + strings.Repeat("e", 200) + `"}}`,
		`{"version":1,"op":"launch"}`,
		`{"version":1,"op":"terminate","pid":4242}`,
		`{"version":1,"op":"terminate","name":"one"}`,
		`{"version":1,"op":"terminate","slot":0}`,
		`{"version":1,"op":"terminate"}`,
		`{"version":1,"op":"stop","mode":"immediate"}`,
		`{"version":1,"op":"stop","mode":"gently"}`,
		`{"version":1,"op":"reload"}`,
		`{"version":1,"op":"promote"}`,
		`{"version":1,"op":"explode"}`,
		`{"version":1}`,
		`{"version":99,"op":"status"}`,
		`{"op":"status"}`,
		`{"version":1,"op":"status","bogus":true}`,
		`{"version":1,"op":"status","a\u0001b":1}`,
		`{"version":1,"op":"status"} {"x":1}`,
		`{"version":1,"op":"worker","slot":"zero"}`,
		`{"version":1,"op":"worker","slot":99999999999999999999}`,
		`{"version":"1","op":"status"}`,
		`[1,2,3]`, `null`, `"status"`, `{`, `}`, ``, "\n\n  \n",
		"this is not json",
		"{\"version\":1,\"op\":\"status\"}\n{\"version\":1,\"op\":\"reload\"}\nnot json\n\n{\"version\":1,\"op\":\"stop\",\"mode\":\"fast\"}",
		"{\"version\":1,\"op\":\"status\"}\r\n",
		"\xff\xfe{\"version\":1}",
		strings.Repeat("[", 20000),
		strings.Repeat("x", MaxControlRequest+10) + "\n{\"version\":1,\"op\":\"status\"}\n",
		strings.Repeat(" ", MaxControlRequest-1) + "\n",
		strings.Repeat(" ", MaxControlRequest) + "\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// One line, as handle() and controlOp() see it.
		line := bytes.TrimSpace(data)
		if len(line) > 0 && bytes.IndexByte(line, '\n') < 0 {
			req, err := decodeControlRequest(line)
			if err == nil {
				err = checkControlRequest(req)
				if err == nil {
					checkValidRequest(t, req, line)
				}
			}
			if err != nil {
				checkErrorReply(t, ControlReply{Version: ControlVersion, Error: printable(err.Error())}, line)
			}
		}

		// The framing with a small limit.
		const limit = 64
		r := bufio.NewReaderSize(bytes.NewReader(data), 16)
		rest := data
		for {
			got, tooLong, err := readLine(r, limit)
			want, after, found := bytes.Cut(rest, []byte{'\n'})
			n := len(want)
			if found {
				n++
			}
			if n > limit {
				if !tooLong {
					t.Fatalf("readLine took a %d-byte line with limit %d", n, limit)
				}
				break
			}
			if tooLong || !bytes.Equal(got, want) {
				t.Fatalf("readLine returned %q (too long %v), want %q", got, tooLong, want)
			}
			if err != nil {
				if found || err != io.EOF {
					t.Fatalf("readLine error %v with %q left", err, rest)
				}
				break
			}
			rest = after
		}

		// The whole connection through serve().
		want := modelConnection(data, MaxControlRequest)
		got := serveOnce(t, data)
		if len(got) != len(want) {
			t.Fatalf("%d replies, want %d, for %q:\ngot  %+v\nwant %+v", len(got), len(want), data, got, want)
		}
		for i := range got {
			if got[i].OK != want[i].OK || got[i].Error != want[i].Error || got[i].Version != ControlVersion {
				t.Fatalf("reply %d is %+v, want %+v (input %q)", i, got[i], want[i], data)
			}
			if !got[i].OK {
				checkErrorReply(t, got[i], data)
			}
		}
	})
}
