// metrics.go: the supervisor's CPU time while Prometheus scrapes its
// /metrics endpoint every second (metrics_listen_address), against the
// same host left alone, and what one scrape costs. bgworker only:
// PostgreSQL has no metrics endpoint of its own.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// metricsWindow is one measured window; the scenario alternates a window
// without scrapes and one with a scrape a second, reps times.
const metricsWindow = 15 * time.Second

// cpuTicks is utime + stime of every thread of pid, in clock ticks
// (fields 14 and 15 of /proc/PID/stat count the whole process).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command field", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime or stime", pid)
	}
	return u + st, nil
}

// clockTicks is sysconf(_SC_CLK_TCK), 100 on every Linux this runs on.
const clockTicks = 100

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// metricsCPU: a fleet of n workers, of which 10 exit with code 1 every
// second and restart (so that the counters and the start-latency
// histogram move between scrapes), with the endpoint on. The supervisor's
// CPU is read from /proc over windows with no scrape and with a scrape
// every second, in turn; each scrape's wall time and size are recorded.
func (b *bench) metricsCPU(h *bgwHost, n int) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	settings := fleet(n)
	settings["metrics_listen_address"] = fmt.Sprintf("127.0.0.1:%d", port)
	settings["bgbench.exit1_workers"] = "10"
	settings["bgbench.exit1_after_ms"] = "1000"
	r, err := h.start(settings)
	if err != nil {
		return err
	}
	defer r.stop()
	if _, _, err := r.waitAllStarted(n, 0, launchTimeout(n)); err != nil {
		return err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	client := &http.Client{Timeout: 10 * time.Second}
	scrape := func() (float64, int, error) {
		t := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			return 0, 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return float64(time.Since(t).Microseconds()) / 1000, len(body), nil
	}
	// One scrape first: the registry's first collection allocates what
	// later ones reuse.
	if _, _, err := scrape(); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	pid := r.pid()
	window := func(scraped bool) (float64, error) {
		t0 := time.Now()
		c0, err := cpuTicks(pid)
		if err != nil {
			return 0, err
		}
		for next := t0.Add(time.Second); time.Since(t0) < metricsWindow; next = next.Add(time.Second) {
			time.Sleep(time.Until(next))
			if !scraped {
				continue
			}
			ms, size, err := scrape()
			if err != nil {
				return 0, err
			}
			b.res.add(fmt.Sprintf("metrics, N = %d: one scrape of /metrics", n), h, ms)
			b.res.add(fmt.Sprintf("metrics, N = %d: size of one scrape", n), h, float64(size)/1024)
		}
		c1, err := cpuTicks(pid)
		if err != nil {
			return 0, err
		}
		secs := time.Since(t0).Seconds()
		// CPU milliseconds per minute of wall time.
		return float64(c1-c0) * 1000 / clockTicks * 60 / secs, nil
	}
	for range b.reps {
		quiet, err := window(false)
		if err != nil {
			return err
		}
		b.res.add(fmt.Sprintf("metrics, N = %d: supervisor CPU, not scraped", n), h, quiet)
		busy, err := window(true)
		if err != nil {
			return err
		}
		b.res.add(fmt.Sprintf("metrics, N = %d: supervisor CPU, scraped every second", n), h, busy)
	}
	return nil
}
