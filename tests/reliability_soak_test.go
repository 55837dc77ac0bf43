package tests

// The soak (make soak): a host whose workers end at random (exit 1, exit
// 2, SIGSEGV) every few milliseconds, one of them attached to shared
// memory so that crash cycles keep happening, while the test sends
// reloads. Invariants are checked continuously: no zombie child left
// unreaped, no fd leaked by the supervisor, at most the current segment
// (plus the one being torn down), memory flat. Runs only when
// BGW_SOAK=<duration> is set; reports events per second.

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestSoak(t *testing.T) {
	spec := os.Getenv("BGW_SOAK")
	if spec == "" {
		t.Skip("set BGW_SOAK=<duration> (make soak)")
	}
	duration, err := time.ParseDuration(spec)
	require.NoError(t, err)
	var workers []string
	for i := 0; i < 30; i++ {
		workers = append(workers, fmt.Sprintf("n%d:n:%d:chaos", i, i%2))
	}
	for i := 0; i < 10; i++ {
		workers = append(workers, fmt.Sprintf("s%d:s:0:run", i))
	}
	workers = append(workers, "crasher:s:1:chaos")
	dir := newDataDir(t, misbehaveConf(t, strings.Join(workers, ","), "max_worker_processes = 64"))
	h := startHost(t, dir)
	h.waitReady()
	pid := h.pid()
	time.Sleep(2 * time.Second) // warm up before the baselines
	baseFDs, baseRSS := fdCount(pid), rssKB(pid)
	maxFDs, maxRSS, maxSegs, checks := baseFDs, baseRSS, 0, 0
	lingering := map[int]int{} // zombie pid -> consecutive checks seen
	var zombieViolations, fdViolations, segViolations, reloads int
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < duration {
		<-tick.C
		require.NoError(t, unix.Kill(pid, syscall.SIGHUP), "the host died")
		reloads++
		if reloads%4 != 0 {
			continue
		}
		checks++
		seen := map[int]bool{}
		for child, state := range childrenOf(pid) {
			if state == 'Z' {
				seen[child] = true
				lingering[child]++
				// A zombie is normal between SIGCHLD and the reap; one that
				// outlives a second (20 checks) was forgotten.
				if lingering[child] == 20 {
					zombieViolations++
				}
			}
		}
		for z := range lingering {
			if !seen[z] {
				delete(lingering, z)
			}
		}
		if n := fdCount(pid); n > maxFDs {
			maxFDs = n
		}
		if maxFDs > baseFDs+16 {
			fdViolations++
		}
		if n := len(segmentsOwnedBy(pid)); n > maxSegs {
			maxSegs = n
			if n > 2 {
				segViolations++
			}
		}
		if r := rssKB(pid); r > maxRSS {
			maxRSS = r
		}
	}
	elapsed := time.Since(start)
	endRSS := rssKB(pid)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.requireClean()
	exits := h.log.count(`background worker ".*" \(PID \d+\) (exited|was terminated)`)
	starts := h.log.count(`misbehave \S+ started pid`)
	cycles := h.log.count(`all server processes terminated; reinitializing`)
	events := exits + starts + reloads
	fig := map[string]any{
		"seconds": elapsed.Seconds(), "events": events, "events_per_s": float64(events) / elapsed.Seconds(),
		"worker_exits": exits, "worker_starts": starts, "crash_cycles": cycles, "reloads": reloads,
		"checks": checks, "zombie_violations": zombieViolations, "fd_violations": fdViolations,
		"segment_violations": segViolations, "fds_base": baseFDs, "fds_max": maxFDs,
		"rss_kb_base": baseRSS, "rss_kb_max": maxRSS, "rss_kb_end": endRSS, "segments_max": maxSegs,
	}
	recordFigure(t, "soak", fig)
	t.Logf("soak: %v", fig)
	require.Zero(t, zombieViolations, "zombies left unreaped")
	require.Zero(t, fdViolations, "supervisor fds grew from %d to %d", baseFDs, maxFDs)
	require.Zero(t, segViolations, "segments leaked")
	require.Less(t, endRSS, 2*baseRSS+32*1024, "supervisor memory grew from %d kB to %d kB", baseRSS, endRSS)
}
