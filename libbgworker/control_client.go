package libbgworker

// This file is the control socket's client side, used by the CLI (another
// process than the host). It reaches the socket through
// /proc/self/fd/N/bgworker.sock, N being a descriptor opened on the data
// directory, so that a data directory of any length works despite the
// 108-byte sun_path limit. No C.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// ErrNoSocket means the host in the data directory has no control socket
// (it is not running, or too old); callers may fall back to signals.
var ErrNoSocket = errors.New("no control socket")

// ControlClient is one connection to a host's control socket.
type ControlClient struct {
	conn *net.UnixConn
	r    *bufio.Reader
}

// DialControl connects to the control socket of the host running in dir.
// Errors wrapping ErrNoSocket mean that no host listens there.
func DialControl(dir string) (*ControlClient, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("could not open data directory \"%s\": %v", abs, errnoText(err))
	}
	defer unix.Close(fd)
	path := fmt.Sprintf("/proc/self/fd/%d/%s", fd, ControlSocketName)
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ECONNREFUSED) {
			return nil, fmt.Errorf("%w in data directory \"%s\" (is the host running?)", ErrNoSocket, abs)
		}
		return nil, fmt.Errorf("could not connect to control socket \"%s\": %v", filepath.Join(abs, ControlSocketName), errnoText(err))
	}
	return &ControlClient{conn: conn, r: bufio.NewReaderSize(conn, 64<<10)}, nil
}

// Close ends the connection.
func (c *ControlClient) Close() error { return c.conn.Close() }

// Do sends one request and reads its reply. A reply with OK false is
// returned as an error carrying the host's message.
func (c *ControlClient) Do(req ControlRequest) (*ControlReply, error) {
	req.Version = ControlVersion
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if req.Op == OpCall {
		c.conn.SetDeadline(time.Time{}) // a call takes as long as it takes
	} else {
		c.conn.SetDeadline(time.Now().Add(ControlTimeout + 5*time.Second))
	}
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("could not send data to server: %s", errnoText(err))
	}
	var rep ControlReply
	var streamed []CallMessage
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("server closed the connection unexpectedly")
			}
			return nil, fmt.Errorf("could not receive data from server: %s", errnoText(err))
		}
		rep = ControlReply{}
		if err := json.Unmarshal(line, &rep); err != nil {
			return nil, fmt.Errorf("malformed reply from server: %s", clipReply(err.Error()))
		}
		// a call that streams its NOTICEs: they go back into the reply
		if req.Op != OpCall || rep.Notice == nil || rep.Call != nil || rep.Error != "" {
			break
		}
		streamed = append(streamed, *rep.Notice)
	}
	if len(streamed) > 0 && rep.Call != nil {
		rep.Call.Notices = append(streamed, rep.Call.Notices...)
	}
	if !rep.OK {
		return &rep, errors.New(rep.Error)
	}
	return &rep, nil
}

// ControlDo connects, sends one request and closes.
func ControlDo(dir string, req ControlRequest) (*ControlReply, error) {
	c, err := DialControl(dir)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Do(req)
}

// WaitLaunched polls a launched worker (slot, generation) until it runs or
// stops, up to timeout, and returns its last status.
func WaitLaunched(dir string, slot int, generation uint64, timeout time.Duration) (WorkerStatus, error) {
	c, err := DialControl(dir)
	if err != nil {
		return WorkerStatus{}, err
	}
	defer c.Close()
	deadline := time.Now().Add(timeout)
	for {
		rep, err := c.Do(ControlRequest{Op: OpWorker, Slot: &slot, Generation: generation})
		if err != nil {
			return WorkerStatus{}, err
		}
		if len(rep.Workers) != 1 {
			return WorkerStatus{}, fmt.Errorf("malformed reply from the host: %d workers", len(rep.Workers))
		}
		ws := rep.Workers[0]
		switch ws.State {
		case StateRunning, StateStopped, StateCrashed, StateWaitingRestart:
			return ws, nil
		}
		if time.Now().After(deadline) {
			return ws, fmt.Errorf("worker \"%s\" did not start within %v (state: %s)", ws.Name, timeout, ws.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// socketGone tells whether err means the control socket is not there, so
// that stop, reload and promote fall back to signals.
func socketGone(err error) bool { return errors.Is(err, ErrNoSocket) }

// StopHost asks the host in dir to shut down through the control socket,
// or with a signal when the socket is gone, and with wait waits for it to
// exit, up to timeout.
func StopHost(dir, mode string, wait bool, timeout time.Duration) error {
	if mode != ModeSmart && mode != ModeFast && mode != ModeImmediate {
		return fmt.Errorf("invalid shutdown mode \"%s\": use smart, fast or immediate", mode)
	}
	l, err := runningHost(dir)
	if err != nil {
		return err
	}
	if _, err := ControlDo(dir, ControlRequest{Op: OpStop, Mode: mode}); err != nil {
		if !socketGone(err) {
			return err
		}
		return Stop(dir, mode, wait, timeout)
	}
	if !wait {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for l.Alive() {
		if time.Now().After(deadline) {
			return fmt.Errorf("server (PID %d) does not shut down after %v", l.Pid, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// ReloadHost makes the host in dir re-read its configuration, through the
// socket or with SIGHUP.
func ReloadHost(dir string) error {
	if _, err := runningHost(dir); err != nil {
		return err
	}
	if _, err := ControlDo(dir, ControlRequest{Op: OpReload}); err != nil {
		if !socketGone(err) {
			return err
		}
		return Reload(dir)
	}
	return nil
}

// PromoteHost ends standby mode of the host in dir, through the socket or
// as pg_ctl promote does.
func PromoteHost(dir string) error {
	if _, err := runningHost(dir); err != nil {
		return err
	}
	if _, err := ControlDo(dir, ControlRequest{Op: OpPromote}); err != nil {
		if !socketGone(err) {
			return err
		}
		return Promote(dir)
	}
	return nil
}

// ControlJSON sends one request given as a JSON line of the control
// protocol (docs/control-protocol.md; the version field may be omitted)
// to the host running in dir and returns its reply as one JSON object
// without a newline. Every failure is a reply too: a request that does
// not parse or a host that cannot be reached gives {"version":1,"ok":false,
// "error":"..."} naming what is wrong. For embedders (bgworker_control in
// bgworker/host.h); safe to call from any thread.
func ControlJSON(dir string, request []byte) []byte {
	fail := ControlErrorJSON
	var probe struct {
		Version *int `json:"version"`
	}
	if json.Unmarshal(request, &probe) == nil && probe.Version == nil {
		// The version may be left out: this host's is meant.
		var m map[string]json.RawMessage
		if json.Unmarshal(request, &m) == nil && m != nil {
			m["version"] = json.RawMessage(fmt.Sprint(ControlVersion))
			request, _ = json.Marshal(m)
		}
	}
	req, err := decodeControlRequest(bytes.TrimSpace(request))
	if err != nil {
		return fail(err.Error())
	}
	rep, err := ControlDo(dir, req)
	if rep == nil {
		return fail(err.Error())
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return fail(fmt.Sprintf("could not encode the reply: %v", err))
	}
	return b
}

// ControlErrorJSON is a failed reply carrying msg, as ControlJSON returns.
func ControlErrorJSON(msg string) []byte {
	b, _ := json.Marshal(ControlReply{Version: ControlVersion, Error: msg})
	return b
}
