// call.go: a call's overhead (group "call"): the wall time of `bgworker
// call -D DIR mqbench_noop` against `psql -c 'SELECT mqbench_noop()'` on
// PostgreSQL 15, a new process each time, the two hosts in turn call by
// call; the start of each client alone (`--version`); and the host's part
// alone: the same call made by this driver over the host's own socket
// (bgworker's control socket, PostgreSQL's protocol), from connect to the
// result.
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// callRounds is the number of timed calls per host and repetition.
const callRounds = 200

// callOverhead times callRounds calls per host per repetition, after 10
// untimed ones, and as many `--version` runs of each client.
func (b *bench) callOverhead(s *mqSetup) error {
	const warmup = 10
	wall := func(cmd *exec.Cmd) (float64, error) {
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("%v: %v: %s", cmd.Args, err, out)
		}
		return float64(time.Since(t).Microseconds()) / 1000, nil
	}
	version := func(h host) *exec.Cmd {
		if h == host(s.bgw) {
			return exec.Command(s.bgw.bin, "--version")
		}
		return exec.Command(filepath.Join(s.pg.bin, "psql"), "--version")
	}
	direct := func(h host) (float64, error) {
		t := time.Now()
		var err error
		if h == host(s.bgw) {
			err = bgwSocketCall(s.bgw.dataDir, "mqbench_noop")
		} else {
			err = pgSocketCall(s.pg.dir, s.pg.owner.Username, "SELECT mqbench_noop()")
		}
		return float64(time.Since(t).Microseconds()) / 1000, err
	}
	// Each measurement starts once both hosts are back to their idle set of
	// processes: otherwise it pays for the previous one's teardown (a
	// backend's or a session's exit, the fork server's new spare child).
	runs := map[host]*running{s.bgw: s.bgwRun}
	if s.pg != nil {
		runs[s.pg] = s.pgRun
	}
	time.Sleep(200 * time.Millisecond)
	idle := map[host]int{}
	for h, r := range runs {
		idle[h] = len(liveDescendants(r.pid()))
	}
	settle := func() {
		deadline := time.Now().Add(time.Second)
		for h, r := range runs {
			for len(liveDescendants(r.pid())) > idle[h] && time.Now().Before(deadline) {
				time.Sleep(200 * time.Microsecond)
			}
		}
	}
	for range b.reps {
		calls := map[host][]float64{}
		starts := map[host][]float64{}
		hostOnly := map[host][]float64{}
		for i := range warmup + callRounds {
			for _, h := range s.hosts {
				settle()
				ms, err := wall(s.mqCallCmd(h, "mqbench_noop"))
				if err != nil {
					return err
				}
				if i >= warmup {
					calls[h] = append(calls[h], ms)
				}
				settle()
				if ms, err = wall(version(h)); err != nil {
					return err
				}
				if i >= warmup {
					starts[h] = append(starts[h], ms)
				}
				settle()
				if ms, err = direct(h); err != nil {
					return fmt.Errorf("%s over its socket: %w", h.name(), err)
				}
				if i >= warmup {
					hostOnly[h] = append(hostOnly[h], ms)
				}
			}
		}
		for _, h := range s.hosts {
			b.res.add("call of a function that returns at once, new client process: median", h, median(calls[h]))
			b.res.add("call of a function that returns at once, new client process: p99", h, callP99(calls[h]))
			b.res.add("process start of the client alone (`--version`): median", h, median(starts[h]))
			b.res.add("call of a function that returns at once, the host's part (socket, connect → result): median", h, median(hostOnly[h]))
			b.res.add("call of a function that returns at once, the host's part (socket, connect → result): p99", h, callP99(hostOnly[h]))
		}
	}
	return nil
}

// bgwSocketCall makes one call over bgworker's control socket, as `bgworker
// call` does after its start: connect, one request line, one reply line.
func bgwSocketCall(dataDir, fn string) error {
	c, err := net.Dial("unix", filepath.Join(dataDir, "bgworker.sock"))
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := fmt.Fprintf(c, `{"version":1,"op":"call","call":{"function":%q}}`+"\n", fn); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.Contains(line, `"ok":true`) {
		return fmt.Errorf("reply %s", strings.TrimSpace(line))
	}
	return nil
}

// pgSocketCall makes one call over PostgreSQL's protocol (version 3, trust
// authentication), as psql does after its start: connect, start-up, one
// simple query, terminate.
func pgSocketCall(socketDir, user, query string) error {
	c, err := net.Dial("unix", filepath.Join(socketDir, ".s.PGSQL.5432"))
	if err != nil {
		return err
	}
	defer c.Close()
	var startup []byte
	startup = binary.BigEndian.AppendUint32(startup, 0)
	startup = binary.BigEndian.AppendUint32(startup, 3<<16)
	for _, kv := range []string{"user", user, "database", "postgres"} {
		startup = append(append(startup, kv...), 0)
	}
	startup = append(startup, 0)
	binary.BigEndian.PutUint32(startup, uint32(len(startup)))
	if _, err := c.Write(startup); err != nil {
		return err
	}
	r := bufio.NewReader(c)
	// readUntilReady reads messages up to ReadyForQuery; an ErrorResponse
	// is an error.
	readUntilReady := func() error {
		for {
			var hdr [5]byte
			if _, err := io.ReadFull(r, hdr[:]); err != nil {
				return err
			}
			body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
			if _, err := io.ReadFull(r, body); err != nil {
				return err
			}
			switch hdr[0] {
			case 'E':
				return fmt.Errorf("error response %q", body)
			case 'R':
				if binary.BigEndian.Uint32(body) != 0 {
					return fmt.Errorf("the server asks for authentication method %d", binary.BigEndian.Uint32(body))
				}
			case 'Z':
				return nil
			}
		}
	}
	if err := readUntilReady(); err != nil {
		return err
	}
	q := []byte{'Q', 0, 0, 0, 0}
	q = append(append(q, query...), 0)
	binary.BigEndian.PutUint32(q[1:], uint32(len(q)-1))
	if _, err := c.Write(q); err != nil {
		return err
	}
	if err := readUntilReady(); err != nil {
		return err
	}
	_, err = c.Write([]byte{'X', 0, 0, 0, 4})
	return err
}

// liveDescendants lists pid's descendants that have not exited.
func liveDescendants(pid int) []int {
	var out []int
	for _, c := range children(pid) {
		if !gone(c) {
			out = append(out, c)
			out = append(out, liveDescendants(c)...)
		}
	}
	return out
}

// callP99 is the 99th percentile (nearest rank) of v.
func callP99(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)*99/100, len(s)-1)]
}
