package tests

// The storm (make soak): 200 workers crash-loop (misbehave's chaos: each
// lives 5-100 ms, then exit 1, exit 2 or SIGSEGV; one attached to shared
// memory, so crash cycles keep coming) while the test SIGKILLs, or
// SIGSTOPs and later SIGCONTs, at random the supervisor, the fork server,
// the spare and workers, and asks for the status all along. A killed
// supervisor is started again. Each incarnation of the supervisor is
// checked once it is gone: none of its processes may outlive it (orphans)
// and no segment it created may remain (leaked segments). Runs only when
// BGW_STORM=<duration> is set; prints crash cycles, kills, stops, orphans,
// leaked segments, the longest status answer, and the host deaths the
// storm did not cause (with their last log lines).

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

// stormProc is a process of one supervisor incarnation, named for good by
// its start time.
type stormProc struct {
	pid   int
	start string
	title string
}

func (p stormProc) alive() bool {
	f := procStat(p.pid)
	return len(f) > 19 && f[19] == p.start && f[0] != "Z"
}

func TestSoakStorm(t *testing.T) {
	spec := os.Getenv("BGW_STORM")
	if spec == "" {
		t.Skip("set BGW_STORM=<duration> (make soak)")
	}
	duration, err := time.ParseDuration(spec)
	require.NoError(t, err)
	var workers []string
	for i := 0; i < 199; i++ {
		workers = append(workers, fmt.Sprintf("c%d:n:0:chaos", i))
	}
	workers = append(workers, "crasher:s:0:chaos")
	dir := newDataDir(t, misbehaveConf(t, strings.Join(workers, ","), "max_worker_processes = 256"))

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	var (
		kills, stops, supervisorKills, incarnations int
		crashCycles, orphans, leaked, unexpected    int
		longestStatus, longestStatusStopped         time.Duration
		statusAsked, statusFailed                   int
		mu                                          sync.Mutex // the status figures
		supStopped                                  atomic.Bool
		supStops                                    atomic.Int64
		deaths                                      []string
		pendingSegs                                 []int // supervisors whose segments the next start must remove
	)
	kind := map[string]int{}

	for start := time.Now(); time.Since(start) < duration; {
		h := startHost(t, dir)
		incarnations++
		sup := h.pid()
		if !stormReady(h) {
			// It died starting (a fork server killed at the wrong moment
			// before, for instance): a death the storm did not cause.
			unexpected++
			deaths = append(deaths, fmt.Sprintf("supervisor %d died starting (%v): %s", sup, h.cmd.ProcessState, lastLines(h.log.all(), 3)))
			for _, stray := range h.strays {
				var pid int
				if _, err := fmt.Sscan(stray, &pid); err == nil {
					orphans++
					t.Logf("orphan of supervisor %d (holding its stderr): %s", sup, stray)
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			h.strays = nil
			crashCycles += h.log.count(`all server processes terminated; reinitializing`)
			pendingSegs = append(pendingSegs, sup)
			continue
		}
		h.goMisbehave()
		seen := map[int]stormProc{}
		stopped := map[int]time.Time{} // pid -> when to SIGCONT
		killedByUs := false
		// record notes the supervisor's children (one walk of /proc) and
		// returns them by title.
		record := func() map[int]string {
			kids := map[int]string{}
			for _, c := range taskChildren(sup) {
				p, ok := seen[c]
				if !ok {
					f := procStat(c)
					if len(f) <= 19 {
						continue
					}
					cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
					p = stormProc{pid: c, start: f[19], title: strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))}
					seen[c] = p
				}
				kids[c] = p.title
			}
			return kids
		}
		exited := func() bool {
			select {
			case <-h.exited:
				return true
			default:
				return false
			}
		}
		// The status, asked all along from another goroutine so that a
		// slow answer does not slow the storm; an answer that overlapped a
		// SIGSTOP of the supervisor is counted apart.
		statusDone := make(chan struct{})
		statusStop := make(chan struct{})
		go func() {
			defer close(statusDone)
			for {
				select {
				case <-statusStop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				stopsBefore := supStops.Load()
				t0 := time.Now()
				_, err := libbgworker.ControlDo(dir, libbgworker.ControlRequest{Op: libbgworker.OpStatus, Summary: true})
				d := time.Since(t0)
				mu.Lock()
				statusAsked++
				switch {
				case err != nil:
					statusFailed++
					if statusFailed <= 3 {
						t.Logf("status failed: %v", err)
					}
				case supStops.Load() != stopsBefore || supStopped.Load():
					if d > longestStatusStopped {
						longestStatusStopped = d
					}
				case d > longestStatus:
					longestStatus = d
				}
				mu.Unlock()
			}
		}()
		// The storm stops as soon as the supervisor is gone, so that what
		// it stopped is continued before anything is checked (a stopped
		// process cannot notice that its supervisor died).
		supGone := func() bool {
			f := procStat(sup)
			return f == nil || f[0] == "Z"
		}
		for time.Since(start) < duration && !exited() && !supGone() {
			time.Sleep(time.Duration(5+rng.Intn(20)) * time.Millisecond)
			kids := record()
			byTitle := func(prefix string) []int {
				var out []int
				for pid, title := range kids {
					if strings.HasPrefix(title, prefix) {
						out = append(out, pid)
					}
				}
				return out
			}
			pick := func(prefix string) int {
				if c := byTitle(prefix); len(c) > 0 {
					return c[rng.Intn(len(c))]
				}
				return 0
			}
			now := time.Now()
			for pid, at := range stopped {
				if now.After(at) {
					syscall.Kill(pid, syscall.SIGCONT)
					delete(stopped, pid)
					if pid == sup {
						supStopped.Store(false)
					}
				}
			}
			// Pick a victim.
			var target int
			var what string
			switch r := rng.Intn(100); {
			case r < 1:
				target, what = sup, "supervisor"
			case r < 13:
				target, what = pick("bgworker: fork server"), "fork server"
			case r < 25:
				target, what = pick("bgworker: spare"), "spare"
			default:
				target, what = pick("bgworker: misbehave"), "worker"
			}
			if target == 0 {
				continue
			}
			if rng.Intn(10) < 6 {
				syscall.Kill(target, syscall.SIGKILL)
				kills++
				kind["SIGKILL "+what]++
				if target == sup {
					killedByUs = true
					supervisorKills++
					break // SIGCONT what is stopped at once, below
				}
			} else if _, ok := stopped[target]; !ok {
				if target == sup {
					supStopped.Store(true)
					supStops.Add(1)
				}
				syscall.Kill(target, syscall.SIGSTOP)
				stopped[target] = now.Add(time.Duration(50+rng.Intn(250)) * time.Millisecond)
				stops++
				kind["SIGSTOP "+what]++
			}
		}
		close(statusStop)
		<-statusDone
		for pid := range stopped {
			syscall.Kill(pid, syscall.SIGCONT)
		}
		supStopped.Store(false)
		if !exited() && !supGone() {
			// The end of the storm: a fast stop.
			syscall.Kill(sup, syscall.SIGINT)
			select {
			case <-h.exited:
			case <-time.After(60 * time.Second):
				deaths = append(deaths, fmt.Sprintf("supervisor %d: fast stop did not end within 60 s", sup))
				syscall.Kill(sup, syscall.SIGKILL)
				<-h.exited
			}
		} else if <-h.exited; !killedByUs {
			unexpected++
			lines := strings.Split(h.log.all(), "\n")
			var tail []string
			for _, l := range lines {
				if strings.Contains(l, "FATAL") || strings.Contains(l, "PANIC") || strings.Contains(l, "panic") ||
					strings.HasPrefix(l, "goroutine ") || strings.Contains(l, "aborting") {
					tail = append(tail, l)
				}
			}
			if len(tail) > 6 {
				tail = tail[:6]
			}
			deaths = append(deaths, fmt.Sprintf("supervisor %d (%v): %s", sup, h.cmd.ProcessState, strings.Join(tail, " | ")))
		}
		crashCycles += h.log.count(`all server processes terminated; reinitializing`)

		// Nothing of this incarnation may outlive it.
		deadline := time.Now().Add(10 * time.Second)
		var left []stormProc
		for {
			left = left[:0]
			for _, p := range seen {
				if p.alive() {
					left = append(left, p)
				}
			}
			if len(left) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, p := range left {
			orphans++
			t.Logf("orphan of supervisor %d: %d %q", sup, p.pid, p.title)
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
		// Processes the samples above never saw (a fork server that lived
		// between two of them) still hold the host's stderr: the harness
		// names them once the host is gone (h.strays).
		<-h.exited
		for _, stray := range h.strays {
			var pid int
			if _, err := fmt.Sscan(stray, &pid); err == nil && !containsProc(left, pid) {
				orphans++
				t.Logf("orphan of supervisor %d (holding its stderr): %s", sup, stray)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		h.strays = nil
		// A supervisor that did not exit on its own terms leaves its
		// segment for the next start to remove, as PostgreSQL's does:
		// checked once the next incarnation is up.
		checkSegments := func(sup int) {
			for _, id := range segmentsOwnedBy(sup) {
				leaked++
				t.Logf("segment %d of supervisor %d left behind", id, sup)
				unix.SysvShmCtl(id, unix.IPC_RMID, nil)
			}
		}
		for _, old := range pendingSegs {
			checkSegments(old)
		}
		pendingSegs = pendingSegs[:0]
		if h.cmd.ProcessState != nil && h.cmd.ProcessState.Exited() {
			checkSegments(sup)
		} else {
			pendingSegs = append(pendingSegs, sup)
		}
	}
	if len(pendingSegs) > 0 {
		// The last supervisor was killed: one more start removes what it left.
		h := startHost(t, dir)
		if stormReady(h) {
			h.signal(syscall.SIGINT)
			h.waitExit(60 * time.Second)
		}
		for _, sup := range pendingSegs {
			for _, id := range segmentsOwnedBy(sup) {
				leaked++
				t.Logf("segment %d of supervisor %d left behind", id, sup)
				unix.SysvShmCtl(id, unix.IPC_RMID, nil)
			}
		}
	}

	var kinds []string
	for k, n := range kind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	summary := fmt.Sprintf("STORM %v: supervisor incarnations %d, crash cycles %d, kills %d (supervisor %d), stops %d, orphans %d, leaked segments %d, "+
		"longest status answer %v (%v over a SIGSTOP of the supervisor; %d asked, %d failed), host deaths not caused by the storm %d\n  %s",
		duration, incarnations, crashCycles, kills, supervisorKills, stops, orphans, leaked,
		longestStatus.Round(time.Millisecond), longestStatusStopped.Round(time.Millisecond), statusAsked, statusFailed,
		unexpected, strings.Join(kinds, ", "))
	fmt.Println(summary)
	for _, d := range deaths {
		fmt.Println("  death:", d)
	}
	recordFigure(t, "storm", map[string]any{"duration": duration.String(), "incarnations": incarnations,
		"crash_cycles": crashCycles, "kills": kills, "stops": stops, "orphans": orphans, "leaked_segments": leaked,
		"longest_status_ms": strconv.FormatInt(longestStatus.Milliseconds(), 10), "unexpected_deaths": unexpected})
	require.Zero(t, orphans, "processes outlived their supervisor")
	require.Zero(t, leaked, "segments outlived their supervisor")
}

// taskChildren lists pid's children from /proc/PID/task/*/children (one
// read per thread, instead of a walk of all of /proc); falls back to the
// walk where the kernel has no such file.
func taskChildren(pid int) []int {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil
	}
	var out []int
	found := false
	for _, task := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		if err != nil {
			continue
		}
		found = true
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	if !found {
		for c := range childrenOf(pid) {
			out = append(out, c)
		}
	}
	return out
}

// stormReady waits until h is ready (true) or has exited (false).
func stormReady(h *host) bool {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if h.log.count(`database system is ready to accept connections`) > 0 {
			return true
		}
		select {
		case <-h.exited:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	h.t.Fatalf("host %d neither ready nor gone after 60 s; log:\n%s", h.pid(), h.log.all())
	return false
}

// lastLines returns the last n lines of log joined by " | ".
func lastLines(log string, n int) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func containsProc(ps []stormProc, pid int) bool {
	for _, p := range ps {
		if p.pid == pid {
			return true
		}
	}
	return false
}
