package tests

// The metrics endpoint and the workers' history (docs/operations.md):
// /metrics fetched over HTTP and parsed with the Prometheus text parser,
// after starts, a restart and a crash cycle; /ready; `status --history`
// and its JSON.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// scrape fetches and parses url's metrics.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// metricValue is the value of the sample of family name whose labels
// include labels (name=value pairs); -1 if there is none.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

func TestMetricsAndHistory(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:1:r:exit1,b:n:0:r:run,c:s:0:r:segv",
		"metrics_listen_address = '127.0.0.1:0'"))
	h := startHost(t, dir)
	m := h.log.waitFor(t, `LOG:  serving metrics on (http://127\.0\.0\.1:\d+/metrics)`, 1, 20*time.Second)
	url := m[1]
	h.waitReady()
	for _, w := range []string{"a", "b", "c"} {
		h.workerPid(w, 1)
	}
	h.trigger()
	// a exits with code 1 and comes back after 1 s; c crashes, which makes
	// a crash cycle (every worker started again).
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	h.workerPid("c", 2)
	h.workerPid("b", 2)

	var fams map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		fams = scrape(t, url)
		return metricValue(fams, "bgworker_workers", "state", "running") == 3 &&
			metricValue(fams, "bgworker_crash_cycles_total") == 1 &&
			metricValue(fams, "bgworker_worker_starts_total", "worker", "exitmatrix c") == 2
	}, 20*time.Second, 50*time.Millisecond, "metrics never showed 3 running workers after one crash cycle")
	require.Equal(t, 1.0, metricValue(fams, "bgworker_worker_exits_total", "worker", "exitmatrix c", "reason", "signal"))
	require.Equal(t, 1.0, metricValue(fams, "bgworker_worker_restarts_total", "worker", "exitmatrix c"))
	require.Equal(t, 0.0, metricValue(fams, "bgworker_worker_exits_total", "worker", "exitmatrix c", "reason", "exit_code"))
	require.Equal(t, 0.0, metricValue(fams, "bgworker_worker_start_failures_total", "worker", "exitmatrix b"))
	require.GreaterOrEqual(t, metricValue(fams, "bgworker_worker_start_seconds"), 6.0)
	require.Equal(t, 1.0, metricValue(fams, "bgworker_phase", "phase", "running"))
	require.Equal(t, 0.0, metricValue(fams, "bgworker_phase", "phase", "startup"))
	require.Greater(t, metricValue(fams, "bgworker_uptime_seconds"), 0.0)
	require.Equal(t, 0.0, metricValue(fams, "bgworker_workers", "state", "crashed"))
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total",
		"process_resident_memory_bytes", "bgworker_info"} {
		require.Contains(t, fams, name)
	}
	require.Equal(t, dto.MetricType_HISTOGRAM, fams["bgworker_worker_start_seconds"].GetType())

	resp, err := http.Get(strings.TrimSuffix(url, "/metrics") + "/ready")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// The history: c's crash started the cycle; the others were stopped by it.
	out, errs, code := ctl(t, "status", "-D", dir, "--history", "exitmatrix c")
	require.Equal(t, 0, code, errs)
	require.Regexp(t, regexp.MustCompile(`(?m)^\d+ +exitmatrix c +\d{4}-\d\d-\d\d [0-9:.]+ +\d+ +was terminated by signal 11: Segmentation fault +\d+ms|[0-9.]+s +started one$`), out)
	require.NotContains(t, out, "exitmatrix a")
	out, _, code = ctl(t, "status", "-D", dir, "--history")
	require.Equal(t, 0, code)
	require.Contains(t, out, "exitmatrix a")
	_, errs, code = ctl(t, "status", "-D", dir, "--history", "nobody")
	require.Equal(t, 1, code)
	require.Contains(t, errs, `no background worker named "nobody"`)

	workers, err := statusWorkers(hostBin, dir)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, w := range workers {
		require.NotNil(t, w.History, w.Name)
		for _, e := range w.History.Exits {
			seen[fmt.Sprintf("%s %s %v", w.Name, e.Exit, e.CrashCycle)] = true
			require.Greater(t, e.RanSeconds, 0.0)
			require.Positive(t, e.Pid)
		}
	}
	require.True(t, seen["exitmatrix c was terminated by signal 11: Segmentation fault true"], "%v", seen)
	// b got SIGQUIT from the cycle: quickdie's exit code 2, which did not start one.
	require.True(t, seen["exitmatrix b exited with exit code 2 false"], "%v", seen)
	stopHost(t, h)
}
