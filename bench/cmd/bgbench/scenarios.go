// scenarios.go: the measured scenarios. Each runs against one host and
// records samples into the results table; none of them judges a figure.
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// bench carries what every scenario needs.
type bench struct {
	reps int
	res  *results
}

func launchTimeout(n int) time.Duration {
	return 60*time.Second + time.Duration(n)*20*time.Millisecond
}

func fleet(n int) map[string]string {
	return map[string]string{
		"bgbench.mode":         "fleet",
		"bgbench.workers":      fmt.Sprint(n),
		"max_worker_processes": fmt.Sprint(max(n, 8)),
	}
}

// startFleet starts a fleet of n and waits until every worker runs; it
// returns the host and the time from start to the last worker's start.
func startFleet(h host, n int) (*running, float64, map[int]event, error) {
	r, err := h.start(fleet(n))
	if err != nil {
		return nil, 0, nil, err
	}
	last, m, err := r.waitAllStarted(n, 0, launchTimeout(n))
	if err != nil {
		r.stop()
		return nil, 0, nil, err
	}
	return r, float64(last-usOf(r.t0)) / 1000, m, nil
}

// launch: host start → all n workers running.
func (b *bench) launch(h host, n int) error {
	key := fmt.Sprintf("launch → all running, N = %d", n)
	for range b.reps {
		r, ms, _, err := startFleet(h, n)
		if err != nil {
			return err
		}
		b.res.add(key, h, ms)
		r.stop()
	}
	return nil
}

// trigger makes worker 0 of a fleet do action; it returns the worker's
// own time of the trigger.
func trigger(r *running, action string) (int64, error) {
	if err := os.WriteFile(r.events.path+".action", []byte(action+"\n"), 0o644); err != nil {
		return 0, err
	}
	r.events.poll()
	since := usOf(time.Now())
	cur := startedSince(r.events.events, 0)
	w, ok := cur[0]
	if !ok {
		return 0, fmt.Errorf("worker 0 has not started")
	}
	if err := syscall.Kill(w.pid, syscall.SIGHUP); err != nil {
		return 0, fmt.Errorf("kill -HUP %d: %w", w.pid, err)
	}
	var at int64
	err := r.waitFor("trigger "+action, 30*time.Second, func(evs []event) bool {
		for _, e := range evs {
			if e.name == "trigger" && e.us >= since {
				at = e.us
				return true
			}
		}
		return false
	})
	return at, err
}

// restart: exit code 1 with bgw_restart_time = 1 → the next start.
func (b *bench) restart(h host) error {
	r, _, _, err := startFleet(h, 1)
	if err != nil {
		return err
	}
	defer r.stop()
	for range b.reps {
		at, err := trigger(r, "exit1")
		if err != nil {
			return err
		}
		last, _, err := r.waitAllStarted(1, at, 30*time.Second)
		if err != nil {
			return err
		}
		b.res.add("exit 1, restart time 1 s → next start", h, float64(last-at)/1000)
	}
	return nil
}

var crashKinds = []string{"exit2", "segv", "abort", "_exit"}

// crash: worker 0 crashes → every worker running again.
func (b *bench) crash(h host, n int, label string) error {
	r, _, _, err := startFleet(h, n)
	if err != nil {
		return err
	}
	defer r.stop()
	for _, kind := range crashKinds {
		for range b.reps {
			at, err := trigger(r, kind)
			if err != nil {
				return err
			}
			last, _, err := r.waitAllStarted(n, at, launchTimeout(n))
			if err != nil {
				return err
			}
			b.res.addAs(fmt.Sprintf("crash (%s) → all running, N = %d", kind, n), h, label, float64(last-at)/1000)
		}
	}
	return nil
}

// shutdown: signal → host exit.
func (b *bench) shutdown(h host, mode string, sig syscall.Signal, n int) error {
	for range b.reps {
		r, _, _, err := startFleet(h, n)
		if err != nil {
			return err
		}
		t := time.Now()
		if err := r.signal(sig); err != nil {
			r.stop()
			return err
		}
		end, err := r.wait(60 * time.Second)
		if err != nil {
			r.stop()
			return err
		}
		b.res.add(fmt.Sprintf("%s shutdown → host exit, N = %d", mode, n), h, float64(end.Sub(t).Microseconds())/1000)
	}
	return nil
}

// sigkill: the host killed with SIGKILL → every child gone.
func (b *bench) sigkill(h host, n int) error {
	defer h.cleanup()
	for range b.reps {
		r, _, _, err := startFleet(h, n)
		if err != nil {
			return err
		}
		pids := children(r.pid())
		t := time.Now()
		if err := r.signal(syscall.SIGKILL); err != nil {
			r.stop()
			return err
		}
		deadline := t.Add(30 * time.Second)
		for len(pids) > 0 && time.Now().Before(deadline) {
			pids = slices.DeleteFunc(pids, gone)
			if len(pids) > 0 {
				time.Sleep(100 * time.Microsecond)
			}
		}
		if len(pids) > 0 {
			return fmt.Errorf("%d children still alive 30 s after SIGKILL: %v", len(pids), pids)
		}
		b.res.add(fmt.Sprintf("host SIGKILL → all children gone, N = %d", n), h, float64(time.Since(t).Microseconds())/1000)
		<-r.exited
		h.cleanup()
	}
	return nil
}

// pingpong: latch round trips between two workers.
func (b *bench) pingpong(h host) error {
	for range b.reps {
		r, err := h.start(map[string]string{"bgbench.mode": "pingpong", "bgbench.rounds": "100000", "max_worker_processes": "8"})
		if err != nil {
			return err
		}
		var res event
		err = r.waitFor("the ping-pong result", 300*time.Second, func(evs []event) bool {
			for _, e := range evs {
				if e.name == "pingpong" && len(e.vals) == 3 {
					res = e
					return true
				}
			}
			return false
		})
		r.stop()
		if err != nil {
			return err
		}
		b.res.add("latch ping-pong, mean round trip", h, float64(res.vals[0])/1000)
		b.res.add("latch ping-pong, p50 round trip", h, float64(res.vals[1])/1000)
		b.res.add("latch ping-pong, p99 round trip", h, float64(res.vals[2])/1000)
	}
	return nil
}

// dynamic: a launcher registers, waits for, terminates and waits out
// dynamic workers one at a time; medians over the rounds of one run.
func (b *bench) dynamic(h host) error {
	const rounds, warmup = 200, 10
	for range b.reps {
		r, err := h.start(map[string]string{"bgbench.mode": "dynamic", "bgbench.rounds": fmt.Sprint(rounds), "max_worker_processes": "8"})
		if err != nil {
			return err
		}
		var failed *event
		err = r.waitFor("the dynamic rounds", 300*time.Second, func(evs []event) bool {
			for i, e := range evs {
				if e.name == "dynfail" {
					failed = &evs[i]
					return true
				}
				if e.name == "dyndone" {
					return true
				}
			}
			return false
		})
		r.stop()
		if err != nil {
			return err
		}
		if failed != nil {
			return fmt.Errorf("dynamic worker %d failed (%v); log:\n%s", failed.idx, failed.vals, r.logTail())
		}
		runs := map[int]int64{}
		for _, e := range r.events.events {
			if e.name == "dynrun" {
				runs[e.idx] = e.us
			}
		}
		var started, ran, stopped []float64
		for _, e := range r.events.events {
			if e.name != "dyn" || e.idx < warmup || len(e.vals) != 4 {
				continue
			}
			reg, st, term, stop := e.vals[0], e.vals[1], e.vals[2], e.vals[3]
			started = append(started, float64(st-reg)/1000)
			stopped = append(stopped, float64(stop-term)/1000)
			if us, ok := runs[e.idx]; ok {
				ran = append(ran, float64(us-reg)/1000)
			}
		}
		b.res.add("dynamic: register → started", h, median(started))
		b.res.add("dynamic: register → its code runs", h, median(ran))
		b.res.add("dynamic: terminate → stopped", h, median(stopped))
	}
	return nil
}

// memory: PSS of workers and of the host at N = 100.
func (b *bench) memory(h host) error {
	const n = 100
	for range b.reps {
		r, _, m, err := startFleet(h, n)
		if err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
		workers := map[int]bool{}
		var pss, priv []float64
		for _, e := range m {
			workers[e.pid] = true
			if mem, err := rollup(e.pid); err == nil {
				pss = append(pss, mem.pss)
				priv = append(priv, mem.private)
			}
		}
		sup, err := rollup(r.pid())
		if err != nil {
			r.stop()
			return err
		}
		var others float64
		for _, c := range children(r.pid()) {
			if !workers[c] {
				if mem, err := rollup(c); err == nil {
					others += mem.pss
				}
			}
		}
		r.stop()
		b.res.add("memory N = 100: PSS per worker", h, median(pss))
		b.res.add("memory N = 100: private per worker", h, median(priv))
		b.res.add("memory N = 100: supervisor PSS", h, sup.pss)
		b.res.add("memory N = 100: other host processes, PSS total", h, others)
	}
	return nil
}

// statusLatency: `bgworker status` while 5000 workers wait to start, and
// once they all run.
func (b *bench) statusLatency(h *bgwHost, collector bool) error {
	const n = 5000
	settings := fleet(n)
	suffix := ""
	if collector {
		// Every record of the launch through the logging collector's
		// pipes and files (stderr, csvlog and jsonlog).
		settings["logging_collector"] = "on"
		settings["log_destination"] = "stderr,csvlog,jsonlog"
		suffix = ", logging collector on"
	}
	r, err := h.start(settings)
	if err != nil {
		return err
	}
	defer r.stop()
	runWith := func(extra ...string) (float64, error) {
		t := time.Now()
		out, err := exec.Command(h.bin, append([]string{"status", "-D", h.dataDir}, extra...)...).CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("bgworker status: %v: %s", err, out)
		}
		return float64(time.Since(t).Microseconds()) / 1000, nil
	}
	run := func() (float64, error) { return runWith() }
	// The lock file appears once the host has loaded its modules; until
	// then status rightly says that no server runs.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := run(); err == nil {
			break
		} else if time.Now().After(deadline) || r.hasExited() {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	// The full table and --summary (the host's counts only), in turn.
	var during, duringSummary []float64
	for len(during) < 200 {
		r.events.poll()
		if len(startedSince(r.events.events, 0)) >= n {
			break
		}
		ms, err := run()
		if err != nil {
			return err
		}
		during = append(during, ms)
		if ms, err = runWith("--summary"); err != nil {
			return err
		}
		duringSummary = append(duringSummary, ms)
	}
	for _, ms := range during {
		b.res.add("`bgworker status` while 5000 workers start"+suffix, h, ms)
	}
	for _, ms := range duringSummary {
		b.res.add("`bgworker status --summary` while 5000 workers start"+suffix, h, ms)
	}
	if _, _, err := r.waitAllStarted(n, 0, launchTimeout(n)); err != nil {
		return err
	}
	for range b.reps {
		ms, err := run()
		if err != nil {
			return err
		}
		b.res.add("`bgworker status` with 5000 workers running"+suffix, h, ms)
		if ms, err = runWith("--summary"); err != nil {
			return err
		}
		b.res.add("`bgworker status --summary` with 5000 workers running"+suffix, h, ms)
	}
	return nil
}

// idle: context switches of each host's supervisor (all threads) with 10
// idle workers, next to an idle Go program, over windows of idle/reps.
func (b *bench) idle(hosts []host, goIdle string, window time.Duration) error {
	type watched struct {
		label string
		h     host
		pid   int
	}
	var ws []watched
	var runs []*running
	defer func() {
		for _, r := range runs {
			r.stop()
		}
	}()
	for _, h := range hosts {
		r, _, _, err := startFleet(h, 10)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		ws = append(ws, watched{"supervisor wake-ups per minute, idle, N = 10", h, r.pid()})
		if _, ok := h.(*bgwHost); ok {
			// by its title: the host's other children are the workers and
			// the spare worker, which the fork server replaces when it
			// likes
			for _, c := range children(r.pid()) {
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
				if strings.HasPrefix(string(cmdline), "bgworker: fork server") {
					ws = append(ws, watched{"fork server wake-ups per minute, idle", h, c})
				}
			}
		}
	}
	g := exec.Command(goIdle)
	if err := g.Start(); err != nil {
		return err
	}
	defer func() { _ = g.Process.Kill(); _ = g.Wait() }()
	time.Sleep(3 * time.Second)
	prev := make([]int64, len(ws))
	gprev, _ := ctxSwitches(g.Process.Pid)
	for i, w := range ws {
		prev[i], _ = ctxSwitches(w.pid)
	}
	for range b.reps {
		time.Sleep(window)
		scale := float64(time.Minute) / float64(window)
		for i, w := range ws {
			c, err := ctxSwitches(w.pid)
			if err != nil {
				return fmt.Errorf("%s: %w (the process is gone)", w.label, err)
			}
			b.res.add(w.label, w.h, float64(c-prev[i])*scale)
			prev[i] = c
		}
		c, _ := ctxSwitches(g.Process.Pid)
		b.res.addRef("supervisor wake-ups per minute, idle, N = 10", float64(c-gprev)*scale)
		gprev = c
	}
	return nil
}

// logFlood: with the logging collector on, a worker logs 30 MB/s while
// the log "disk" is slow (the log file is a FIFO this driver reads at
// 4 MB/s) or fast (read as fast as it comes). Reported: the answer time
// of `bgworker status` and the start → start interval of a worker that
// exits 1 after 100 ms with a restart time of 1 s (1100 ms when the
// supervisor keeps its pace), over a 10 s window.
func (b *bench) logFlood(h *bgwHost, slow bool) error {
	label := "fast log disk"
	if slow {
		label = "slow log disk (4 MB/s)"
	}
	logDir := filepath.Join(h.dir, "floodlog")
	os.RemoveAll(logDir)
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return err
	}
	fifo := filepath.Join(logDir, "flood.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return err
	}
	stopRead := make(chan struct{})
	readDone := make(chan int64, 1)
	var read atomic.Int64
	go func() {
		var total int64
		defer func() { readDone <- total }()
		f, err := os.Open(fifo) // blocks until the collector opens it
		if err != nil {
			return
		}
		defer f.Close()
		buf := make([]byte, 64<<10)
		const rate = 4 << 20 // bytes per second when slow
		start := time.Now()
		for {
			select {
			case <-stopRead:
				io.Copy(io.Discard, f) // drain, so the host can stop
				return
			default:
			}
			n, err := f.Read(buf)
			total += int64(n)
			read.Store(total)
			if err != nil {
				return
			}
			if slow {
				if ahead := time.Duration(float64(total)/rate*float64(time.Second)) - time.Since(start); ahead > 0 {
					time.Sleep(ahead)
				}
			}
		}
	}()
	settings := fleet(3)
	settings["bgbench.exit1_workers"] = "1"
	settings["bgbench.exit1_after_ms"] = "100"
	settings["bgbench.chatter_kb_per_sec"] = "30000"
	settings["logging_collector"] = "on"
	settings["log_directory"] = logDir
	settings["log_filename"] = "flood.log"
	r, err := h.start(settings)
	if err != nil {
		close(stopRead)
		return err
	}
	defer func() {
		close(stopRead)
		r.stop()
		<-readDone
	}()
	if _, _, err := r.waitAllStarted(3, 0, 30*time.Second); err != nil {
		return err
	}
	t0 := usOf(time.Now())
	read0 := read.Load()
	end := time.Now().Add(10 * time.Second)
	for time.Now().Before(end) {
		t := time.Now()
		out, err := exec.Command(h.bin, "status", "-D", h.dataDir, "--summary").CombinedOutput()
		if err != nil {
			return fmt.Errorf("bgworker status: %v: %s", err, out)
		}
		b.res.add(fmt.Sprintf("`bgworker status --summary` while a worker logs 30 MB/s, %s", label), h,
			float64(time.Since(t).Microseconds())/1000)
		time.Sleep(100 * time.Millisecond)
	}
	secs := float64(usOf(time.Now())-t0) / 1e6
	b.res.add(fmt.Sprintf("log flood, %s: log written, MB/s", label), h, float64(read.Load()-read0)/secs/1e6)
	r.events.poll()
	var starts []int64
	for _, e := range r.events.events {
		if e.name == "start" && e.idx == 0 && e.us >= t0 {
			starts = append(starts, e.us)
		}
	}
	if len(starts) < 2 {
		return fmt.Errorf("worker 0 restarted %d times in 10 s", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		b.res.add(fmt.Sprintf("log flood, %s: exit 1 after 100 ms, restart time 1 s: start → start", label), h,
			float64(starts[i]-starts[i-1])/1000)
	}
	return nil
}
