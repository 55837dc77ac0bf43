// churn.go: memory of a bgworker host whose supervisor churns its Go heap
// for a long time (a target of docs/design.md §8: "PSS per worker after 10
// minutes of the supervisor churning its heap (status requests, restarts) —
// stays flat").
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	churnWorkers    = 100  // the fleet
	churnRestarting = 10   // workers 0..9 exit 1 and restart, again and again
	churnRunMs      = 1000 // how long each of them runs before exiting
	churnWarmup     = 30 * time.Second
	churnMinAge     = 300 * 1000 // µs: a restarted worker younger than this is not sampled
)

// churnSample is one reading of the host's memory, in kB.
type churnSample struct {
	Seconds float64 `json:"seconds"` // since the first sample
	LoadAvg string  `json:"load_average"`

	WorkerPss     float64 `json:"worker_pss_median_kb"`
	WorkerPrivate float64 `json:"worker_private_median_kb"`
	WorkerRss     float64 `json:"worker_rss_median_kb"`
	Workers       int     `json:"workers_sampled"`

	RestartedPss     float64 `json:"restarted_worker_pss_median_kb"`
	RestartedPrivate float64 `json:"restarted_worker_private_median_kb"`
	RestartedRss     float64 `json:"restarted_worker_rss_median_kb"`
	Restarted        int     `json:"restarted_workers_sampled"`

	SupervisorPss     int64 `json:"supervisor_pss_kb"`
	SupervisorPrivate int64 `json:"supervisor_private_kb"`
	SupervisorRss     int64 `json:"supervisor_rss_kb"`
	ForkServerPss     int64 `json:"fork_server_pss_kb"`
	ForkServerPrivate int64 `json:"fork_server_private_kb"`
	ForkServerRss     int64 `json:"fork_server_rss_kb"`

	// From the supervisor's GODEBUG=gctrace=1 lines: the last GC so far.
	GCs          int `json:"go_gcs"`
	GoHeapLiveMB int `json:"go_heap_live_mb"`
	GoHeapGoalMB int `json:"go_heap_goal_mb"`

	StatusRequests int `json:"status_requests"`
	StatusErrors   int `json:"status_errors"`
	Restarts       int `json:"restarts"`
}

// mappingDelta is how one mapping (by name) of a process changed between
// the first and the last sample.
type mappingDelta struct {
	Process     string `json:"process"`
	Mapping     string `json:"mapping"`
	PssStart    int64  `json:"pss_start_kb"`
	PssEnd      int64  `json:"pss_end_kb"`
	PrivateDiff int64  `json:"private_growth_kb"`
}

// churnReport goes into benchmarks.json.
type churnReport struct {
	Duration     string         `json:"duration"`
	Workers      int            `json:"workers"`
	Restarting   int            `json:"restarting_workers"`
	RunMs        int            `json:"restarting_worker_run_ms"`
	RestartSecs  int            `json:"restart_time_s"`
	Samples      []churnSample  `json:"samples"`
	Mappings     []mappingDelta `json:"mapping_changes,omitempty"`
	StatusFailed string         `json:"first_status_error,omitempty"`
}

// statusLoop runs `bgworker status` and `bgworker status --json` one after
// the other until stop is closed.
type statusLoop struct {
	mu       sync.Mutex
	n, errs  int
	firstErr string
	stop     chan struct{}
	done     chan struct{}
}

func startStatusLoop(bin, dataDir string) *statusLoop {
	l := &statusLoop{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for i := 0; ; i++ {
			select {
			case <-l.stop:
				return
			default:
			}
			args := []string{"status", "-D", dataDir}
			if i%2 == 1 {
				args = append(args, "--json")
			}
			out, err := exec.Command(bin, args...).CombinedOutput()
			l.mu.Lock()
			l.n++
			if err != nil {
				l.errs++
				if l.firstErr == "" {
					l.firstErr = fmt.Sprintf("%v: %s", err, firstLine(string(out)))
				}
			}
			l.mu.Unlock()
		}
	}()
	return l
}

// counts returns the requests so far, the failed ones and the first
// failure.
func (l *statusLoop) counts() (int, int, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n, l.errs, l.firstErr
}

func (l *statusLoop) end() {
	close(l.stop)
	<-l.done
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// churn: a fleet of 100, 10 of which exit 1 every second and restart after
// 1 s, while the driver keeps `bgworker status` (text and JSON) running
// back to back; memory sampled after a warm-up, every minute, and at the
// end of d.
func (b *bench) churn(h *bgwHost, d time.Duration) error {
	settings := fleet(churnWorkers)
	settings["bgbench.exit1_workers"] = strconv.Itoa(churnRestarting)
	settings["bgbench.exit1_after_ms"] = strconv.Itoa(churnRunMs)
	settings["bgbench.restart_time"] = "1"
	// gctrace: the supervisor logs its Go heap after every GC.
	h.env = []string{"GODEBUG=gctrace=1"}
	r, err := h.start(settings)
	h.env = nil
	if err != nil {
		return err
	}
	defer r.stop()
	if _, _, err := r.waitAllStarted(churnWorkers, 0, launchTimeout(churnWorkers)); err != nil {
		return err
	}
	loop := startStatusLoop(h.bin, h.dataDir)
	defer loop.end()

	fmt.Fprintf(os.Stderr, "\n  warm-up %s, then %s", churnWarmup, d)
	time.Sleep(churnWarmup)
	t0 := time.Now()
	rep := &churnReport{Duration: d.String(), Workers: churnWorkers, Restarting: churnRestarting,
		RunMs: churnRunMs, RestartSecs: 1}
	var startMaps, endMaps map[string]map[string]smapsTotals
	take := func() (churnSample, map[string]map[string]smapsTotals, error) {
		if r.hasExited() {
			return churnSample{}, nil, fmt.Errorf("host exited; log:\n%s", r.logTail())
		}
		s, maps, err := churnSampleNow(r, t0)
		if err != nil {
			return s, nil, err
		}
		s.StatusRequests, s.StatusErrors, rep.StatusFailed = loop.counts()
		rep.Samples = append(rep.Samples, s)
		fmt.Fprintf(os.Stderr, "\n  %4.0f s: worker PSS %.0f kB, restarted worker PSS %.0f kB, supervisor PSS %d kB, fork server PSS %d kB, Go heap %d MB, %d status requests, %d restarts, load %s",
			s.Seconds, s.WorkerPss, s.RestartedPss, s.SupervisorPss, s.ForkServerPss, s.GoHeapLiveMB, s.StatusRequests, s.Restarts, s.LoadAvg)
		return s, maps, nil
	}
	first, startMaps, err := take()
	if err != nil {
		return err
	}
	for next := time.Minute; next < d; next += time.Minute {
		time.Sleep(time.Until(t0.Add(next)))
		if _, _, err := take(); err != nil {
			return err
		}
	}
	time.Sleep(time.Until(t0.Add(d)))
	last, endMaps, err := take()
	if err != nil {
		return err
	}
	rep.Mappings = mappingChanges(startMaps, endMaps)
	for i, m := range rep.Mappings {
		if i == 10 {
			break
		}
		fmt.Fprintf(os.Stderr, "\n  %s %s: PSS %d → %d kB, private %+d kB", m.Process, m.Mapping,
			m.PssStart, m.PssEnd, m.PrivateDiff)
	}
	fmt.Fprintf(os.Stderr, "\n  ")
	b.res.churn = rep

	p := fmt.Sprintf("churn N = %d, %s: ", churnWorkers, fmtDuration(d))
	rows := []struct {
		what       string
		start, end float64
	}{
		{"PSS per worker", first.WorkerPss, last.WorkerPss},
		{"private per worker", first.WorkerPrivate, last.WorkerPrivate},
		{"PSS per restarted worker", first.RestartedPss, last.RestartedPss},
		{"supervisor PSS", float64(first.SupervisorPss), float64(last.SupervisorPss)},
		{"fork server PSS", float64(first.ForkServerPss), float64(last.ForkServerPss)},
	}
	for _, x := range rows {
		b.res.add(p+x.what+", start", h, x.start)
		b.res.add(p+x.what+", end", h, x.end)
		b.res.add(p+x.what+", growth", h, x.end-x.start)
	}
	return nil
}

// fmtDuration is "10 min" for whole minutes, else Go's form.
func fmtDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.String()
}

// churnSampleNow reads the memory of every worker, the supervisor and the
// fork server, and the supervisor's last gctrace line.
func churnSampleNow(r *running, t0 time.Time) (churnSample, map[string]map[string]smapsTotals, error) {
	s := churnSample{Seconds: time.Since(t0).Seconds(), LoadAvg: loadAvgNow()}
	r.events.poll()
	starts := 0
	for _, e := range r.events.events {
		if e.name == "start" {
			starts++
		}
	}
	s.Restarts = starts - churnWorkers
	latest := startedSince(r.events.events, 0)
	workers := map[int]bool{}
	var pss, priv, rss []float64
	for idx, e := range latest {
		workers[e.pid] = true
		if idx < churnRestarting {
			continue
		}
		if m, err := rollup(e.pid); err == nil && !gone(e.pid) {
			pss, priv, rss = append(pss, m.pss), append(priv, m.private), append(rss, m.rss)
		}
	}
	rpss, rpriv, rrss := sampleRestarted(r)
	// Per worker: every worker sampled; the restarted ones also apart.
	s.WorkerPss, s.WorkerPrivate, s.WorkerRss = median(append(pss, rpss...)),
		median(append(priv, rpriv...)), median(append(rss, rrss...))
	s.Workers = len(pss) + len(rpss)
	s.RestartedPss, s.RestartedPrivate, s.RestartedRss = median(rpss), median(rpriv), median(rrss)
	s.Restarted = len(rpss)

	maps := map[string]map[string]smapsTotals{}
	sup, err := rollup(r.pid())
	if err != nil {
		return s, nil, err
	}
	s.SupervisorPss, s.SupervisorPrivate, s.SupervisorRss = int64(sup.pss), int64(sup.private), int64(sup.rss)
	maps["supervisor"], _ = smapsByMapping(r.pid())
	if fs := forkServer(r.pid(), workers); fs > 0 {
		if m, err := rollup(fs); err == nil {
			s.ForkServerPss, s.ForkServerPrivate, s.ForkServerRss = int64(m.pss), int64(m.private), int64(m.rss)
		}
		maps["fork server"], _ = smapsByMapping(fs)
	}
	s.GCs, s.GoHeapLiveMB, s.GoHeapGoalMB = lastGCTrace(r.logPath)
	return s, maps, nil
}

// sampleRestarted reads the memory of the restarting workers that have
// run for at least churnMinAge. They tend to run in step (they exit and
// restart together), so it tries for up to 5 s to catch at least half of
// them running, and returns the largest set it saw.
func sampleRestarted(r *running) (pss, priv, rss []float64) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.events.poll()
		now := usOf(time.Now())
		var p, q, s []float64
		for idx, e := range startedSince(r.events.events, 0) {
			if idx >= churnRestarting || now-e.us < churnMinAge {
				continue
			}
			if m, err := rollup(e.pid); err == nil && !gone(e.pid) {
				p, q, s = append(p, m.pss), append(q, m.private), append(s, m.rss)
			}
		}
		if len(p) > len(pss) {
			pss, priv, rss = p, q, s
		}
		if len(pss) >= (churnRestarting+1)/2 || time.Now().After(deadline) {
			return pss, priv, rss
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// forkServer finds the supervisor's child whose process title says fork
// server (workers are the supervisor's children too). A worker cloned a
// moment ago still has the fork server's title, so the oldest one wins.
func forkServer(sup int, workers map[int]bool) int {
	best, bestStart := 0, int64(-1)
	for _, c := range children(sup) {
		if workers[c] {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
		if err != nil || !strings.Contains(string(b), "fork server") {
			continue
		}
		if st := procStartTicks(c); st >= 0 && (bestStart < 0 || st < bestStart) {
			best, bestStart = c, st
		}
	}
	return best
}

// procStartTicks is field 22 of /proc/PID/stat (start time after boot, in
// clock ticks), or -1.
func procStartTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so field 22 is f[19].
	if len(f) < 20 {
		return -1
	}
	v, err := strconv.ParseInt(f[19], 10, 64)
	if err != nil {
		return -1
	}
	return v
}

type smapsTotals struct{ pss, private int64 }

// smapsByMapping sums Pss and Private_* of /proc/PID/smaps by mapping
// name ("[heap]", a file path, or "[anon]" for unnamed mappings).
func smapsByMapping(pid int) (map[string]smapsTotals, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]smapsTotals{}
	name := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") {
			// A mapping header: "start-end perms offset dev inode [name]".
			name = "[anon]"
			if len(fields) >= 6 {
				// A binary rebuilt meanwhile shows as "PATH (deleted)".
				name = strings.TrimSuffix(strings.Join(fields[5:], " "), " (deleted)")
			}
			continue
		}
		if len(fields) < 2 {
			continue
		}
		n, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			continue
		}
		t := out[name]
		switch fields[0] {
		case "Pss:":
			t.pss += n
		case "Private_Clean:", "Private_Dirty:":
			t.private += n
		default:
			continue
		}
		out[name] = t
	}
	return out, sc.Err()
}

// mappingChanges lists the mappings whose Pss or private size changed by
// 64 kB or more between two snapshots, largest change first.
func mappingChanges(start, end map[string]map[string]smapsTotals) []mappingDelta {
	var out []mappingDelta
	for proc, e := range end {
		s := start[proc]
		names := map[string]bool{}
		for n := range e {
			names[n] = true
		}
		for n := range s {
			names[n] = true
		}
		for n := range names {
			a, z := s[n], e[n]
			if abs64(z.pss-a.pss) >= 64 || abs64(z.private-a.private) >= 64 {
				out = append(out, mappingDelta{Process: proc, Mapping: filepath.Clean(n), PssStart: a.pss,
					PssEnd: z.pss, PrivateDiff: z.private - a.private})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return abs64(out[i].PssEnd-out[i].PssStart) > abs64(out[j].PssEnd-out[j].PssStart)
	})
	return out
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// gctraceRx matches the heap part of a GODEBUG=gctrace=1 line:
// "gc 12 @3.4s 0%: ... 4->4->2 MB, 5 MB goal, ...".
var gctraceRx = regexp.MustCompile(`^gc (\d+) @.* (\d+)->(\d+)->(\d+) MB, (\d+) MB goal`)

// lastGCTrace returns the number, live heap and goal of the last GC the
// supervisor logged (zeros if none).
func lastGCTrace(logPath string) (gcs, liveMB, goalMB int) {
	f, err := os.Open(logPath)
	if err != nil {
		return 0, 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := gctraceRx.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		gcs, _ = strconv.Atoi(m[1])
		liveMB, _ = strconv.Atoi(m[4])
		goalMB, _ = strconv.Atoi(m[5])
	}
	return gcs, liveMB, goalMB
}
