// events.go: reading the events file the bench module's workers append
// to ("EVENT IDX PID MICROSECONDS [VALUES...]", one write() per line), and
// what the driver reads from /proc (PSS, context switches, children).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// event is one line of the events file.
type event struct {
	name string
	idx  int
	pid  int
	us   int64   // CLOCK_REALTIME microseconds, taken by the worker
	vals []int64 // extra values
}

// eventLog tails one events file.
type eventLog struct {
	path    string
	f       *os.File
	buf     []byte
	offset  int64
	partial []byte
	events  []event
}

func newEventLog(path string) *eventLog { return &eventLog{path: path, buf: make([]byte, 1<<16)} }

// poll reads what was appended since the last call.
func (l *eventLog) poll() {
	if l.f == nil {
		f, err := os.Open(l.path)
		if err != nil {
			return
		}
		l.f = f
	}
	for {
		n, err := l.f.ReadAt(l.buf, l.offset)
		if n > 0 {
			l.offset += int64(n)
			l.partial = append(l.partial, l.buf[:n]...)
		}
		if err != nil || n == 0 {
			break
		}
	}
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		if ev, ok := parseEvent(string(l.partial[:i])); ok {
			l.events = append(l.events, ev)
		}
		l.partial = l.partial[i+1:]
	}
}

// close releases the file.
func (l *eventLog) close() {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

func parseEvent(line string) (event, bool) {
	f := strings.Fields(line)
	if len(f) < 4 {
		return event{}, false
	}
	var ev event
	var err error
	ev.name = f[0]
	if ev.idx, err = strconv.Atoi(f[1]); err != nil {
		return event{}, false
	}
	if ev.pid, err = strconv.Atoi(f[2]); err != nil {
		return event{}, false
	}
	if ev.us, err = strconv.ParseInt(f[3], 10, 64); err != nil {
		return event{}, false
	}
	for _, s := range f[4:] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			// Non-numeric extras (the action of a trigger) are kept as 0.
			v = 0
		}
		ev.vals = append(ev.vals, v)
	}
	return ev, true
}

// pollInterval is how often the driver looks at the events file. The
// figures come from the workers' own timestamps, so it only bounds how
// long the driver takes to notice; a short one would steal CPU from the
// hosts on a small machine.
const pollInterval = 2 * time.Millisecond

// waitFor polls until cond holds for the events so far, the host exits,
// or timeout passes. cond is given only the events it has not seen yet,
// so that waiting for thousands of workers stays linear.
func (r *running) waitFor(what string, timeout time.Duration, cond func([]event) bool) error {
	deadline := time.Now().Add(timeout)
	seen := 0
	check := func() bool {
		r.events.poll()
		evs := r.events.events
		ok := cond(evs[seen:])
		seen = len(evs)
		return ok
	}
	for {
		if check() {
			return nil
		}
		if r.hasExited() {
			if check() {
				return nil
			}
			return fmt.Errorf("host exited while waiting for %s; log:\n%s", what, r.logTail())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s; log:\n%s", timeout, what, r.logTail())
		}
		time.Sleep(pollInterval)
	}
}

// startedSince returns, for each worker index, the last "start" event at
// or after since (microseconds).
func startedSince(evs []event, since int64) map[int]event {
	m := map[int]event{}
	addStarts(m, evs, since)
	return m
}

func addStarts(m map[int]event, evs []event, since int64) {
	for _, e := range evs {
		if e.name == "start" && e.us >= since {
			m[e.idx] = e
		}
	}
}

// waitAllStarted waits until n workers have a start event at or after
// since, and returns the latest start time among them.
func (r *running) waitAllStarted(n int, since int64, timeout time.Duration) (int64, map[int]event, error) {
	m := map[int]event{}
	addStarts(m, r.events.events, since)
	err := r.waitFor(fmt.Sprintf("%d workers to start", n), timeout, func(evs []event) bool {
		addStarts(m, evs, since)
		return len(m) >= n
	})
	if err != nil {
		return 0, nil, err
	}
	var last int64
	for _, e := range m {
		last = max(last, e.us)
	}
	return last, m, nil
}

func usOf(t time.Time) int64 { return t.UnixMicro() }

// procKB reads a "Name:   N kB" field from a /proc file.
func procKB(path, field string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line[len(field)+1:])
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("%s: no %s", path, field)
}

type memKB struct{ pss, private, rss float64 }

// rollup reads Pss, Private_Clean + Private_Dirty and Rss of a process.
func rollup(pid int) (memKB, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return memKB{}, err
	}
	defer f.Close()
	var m memKB
	seen := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		switch k {
		case "Pss":
			m.pss, seen = n, seen+1
		case "Rss":
			m.rss, seen = n, seen+1
		case "Private_Clean", "Private_Dirty":
			m.private += n
			seen++
		}
	}
	if seen < 4 {
		return m, fmt.Errorf("pid %d: incomplete smaps_rollup", pid)
	}
	return m, nil
}

// ctxSwitches sums the context switches of every thread of pid.
func ctxSwitches(pid int) (int64, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("no threads for pid %d", pid)
	}
	var sum int64
	for _, t := range tasks {
		v, err1 := procKB(t, "voluntary_ctxt_switches")
		nv, err2 := procKB(t, "nonvoluntary_ctxt_switches")
		if err1 == nil && err2 == nil {
			sum += v + nv
		}
	}
	return sum, nil
}

// children lists the direct children of pid.
func children(pid int) []int {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// gone reports whether pid has exited (absent or a zombie).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}
