package tests

// The suite's watchdog. A test that hangs would otherwise run into go
// test's -timeout, whose panic prints every goroutine's stack: on a CI log
// that shows only its tail, the name of the hung test is lost above
// thousands of lines. The watchdog fires first, prints (last, so a tail
// shows it) which tests are still running, where they are blocked and the
// end of each live host's log, kills those hosts, removes the segments they
// made, and exits with status 2.

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// liveHosts are the hosts started by the harness that have not exited.
var (
	liveMu    sync.Mutex
	liveHosts = map[*host]bool{}
)

func registerHost(h *host) {
	liveMu.Lock()
	liveHosts[h] = true
	liveMu.Unlock()
}

func unregisterHost(h *host) {
	liveMu.Lock()
	delete(liveHosts, h)
	liveMu.Unlock()
}

// startWatchdog arms the watchdog to fire some time before go test's own
// -timeout (90 s before it, or at 90 % of a shorter one). Runs in
// TestMain's goroutine; the watchdog itself runs in a timer goroutine.
func startWatchdog() {
	if !flag.Parsed() {
		flag.Parse()
	}
	f := flag.Lookup("test.timeout")
	if f == nil {
		return
	}
	d, err := time.ParseDuration(f.Value.String())
	if err != nil || d <= 0 {
		return
	}
	fire := d - 90*time.Second
	if d < 15*time.Minute {
		fire = d * 9 / 10
	}
	time.AfterFunc(fire, func() { watchdogFire(fire) })
}

var testFrame = regexp.MustCompile(`github\.com/bgworker/bgworker/tests\.(Test\w+)`)

// watchdogFire reports and ends a hung run.
func watchdogFire(after time.Duration) {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var b strings.Builder
	running := map[string]bool{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		m := testFrame.FindStringSubmatch(g)
		if m == nil || m[1] == "TestMain" || !strings.Contains(g, "testing.tRunner(") {
			continue
		}
		running[m[1]] = true
		lines := strings.Split(g, "\n")
		if len(lines) > 24 {
			lines = append(lines[:24], "\t…")
		}
		fmt.Fprintf(&b, "--- goroutine of %s:\n%s\n", m[1], strings.Join(lines, "\n"))
	}
	liveMu.Lock()
	hosts := make([]*host, 0, len(liveHosts))
	for h := range liveHosts {
		hosts = append(hosts, h)
	}
	liveMu.Unlock()
	for _, h := range hosts {
		lines := strings.Split(h.log.all(), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(&b, "--- host pid %d of %s (data directory %s), last log lines:\n%s\n",
			h.pid(), h.t.Name(), h.dir, strings.Join(lines, "\n"))
	}
	for _, h := range hosts {
		pid := h.pid()
		segs := segmentsOwnedBy(pid)
		syscall.Kill(pid, syscall.SIGKILL)
		processGone(pid, 5*time.Second)
		for _, id := range segs {
			unix.SysvShmCtl(id, unix.IPC_RMID, nil)
		}
	}
	names := make([]string, 0, len(running))
	for n := range running {
		names = append(names, n)
	}
	fmt.Fprintf(&b, "FAIL: watchdog: after %v these tests are still running: %s\n", after.Round(time.Second), strings.Join(names, ", "))
	os.Stderr.WriteString(b.String())
	os.Exit(2)
}
