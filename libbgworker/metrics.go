package libbgworker

// This file serves Prometheus metrics at http://metrics_listen_address/metrics
// (off when the setting is empty), with the Prometheus project's client
// library (github.com/prometheus/client_golang: the exposition format,
// content negotiation and the Go runtime and process collectors, rather
// than a hand-written format). The HTTP goroutines never touch postmaster
// state and never call C: they read the last snapshot the event loop
// published (ops.go, at most publishInterval old), so a scrape never makes
// the loop wait, and a slow scraper only holds its own goroutine.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bgworker/bgworker/cshim"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

// metricsSnapshot is the part of a snapshot the metrics serve; copied from
// the loop's record (history.go) at publication.
type metricsSnapshot struct {
	totals      map[string]workerTotals // by bgw_name
	crashCycles uint64
	latency     []uint64 // per bucket, not cumulative
	latencySum  float64
	latencyN    uint64
}

// snapshotMetrics copies the running totals. Postmaster goroutine.
func (p *postmaster) snapshotMetrics() metricsSnapshot {
	h := &p.ops.hist
	m := metricsSnapshot{totals: make(map[string]workerTotals, len(h.totals)), crashCycles: h.crashCycles,
		latency: append([]uint64(nil), h.latency...), latencySum: h.latencySum, latencyN: h.latencyN}
	for name, t := range h.totals {
		c := *t
		c.exits = make(map[string]uint64, len(t.exits))
		for r, n := range t.exits {
			c.exits[r] = n
		}
		m.totals[name] = c
	}
	return m
}

// metricsServer is the HTTP listener.
type metricsServer struct {
	srv *http.Server
	ln  net.Listener
}

// metricsAddress is the setting's address; a bare port means localhost.
func metricsAddress(v string) string {
	v = strings.TrimSpace(v)
	if v != "" && !strings.Contains(v, ":") {
		return "127.0.0.1:" + v
	}
	return v
}

// startMetrics binds metrics_listen_address and serves it. A bad address
// or a port in use stops the start, as a bad listen address stops
// PostgreSQL's. Postmaster goroutine.
func (p *postmaster) startMetrics() error {
	v, _ := cshim.GetConfigOption("metrics_listen_address")
	addr := metricsAddress(v)
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		return &StartupError{
			Message: fmt.Sprintf("could not listen on metrics address \"%s\": %s", addr, errnoText(err)),
			Hint:    "Is another process already listening there? Change metrics_listen_address, or set it to '' to serve no metrics.",
		}
	}
	o := p.ops
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&hostCollector{ops: o, startedAt: p.startedAt, version: buildinfo.VersionString()})
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4, Timeout: 10 * time.Second}))
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		s := o.snap.Load()
		if s != nil && (s.phase == pmRun.String() || s.phase == pmHotStandby.String()) && !s.crashCycle {
			fmt.Fprintf(w, "%s\n", s.phase)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		if s != nil {
			fmt.Fprintf(w, "%s\n", s.phase)
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: time.Minute, ErrorLog: nil}
	o.metrics = &metricsServer{srv: srv, ln: ln}
	go srv.Serve(ln)
	cshim.Log(cshim.LevelLog, fmt.Sprintf("serving metrics on http://%s/metrics", ln.Addr()), "", "")
	return nil
}

// stopMetrics closes the listener and the connections (a second at most).
func (m *metricsServer) stop() {
	if m == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if m.srv.Shutdown(ctx) != nil {
		m.srv.Close()
	}
}

// hostCollector turns the last snapshot into metrics. HTTP goroutines; no C.
type hostCollector struct {
	ops       *opsState
	startedAt time.Time
	version   string
}

var (
	descWorkers = prometheus.NewDesc("bgworker_workers",
		"Registered background workers by state.", []string{"state"}, nil)
	descStarts = prometheus.NewDesc("bgworker_worker_starts_total",
		"Processes started for the workers of this bgw_name.", []string{"worker"}, nil)
	descRestarts = prometheus.NewDesc("bgworker_worker_restarts_total",
		"Starts of the workers of this bgw_name after their first.", []string{"worker"}, nil)
	descExits = prometheus.NewDesc("bgworker_worker_exits_total",
		"Exits of the workers of this bgw_name by reason: exit_0 (done), exit_1 (restart after bgw_restart_time), exit_code (another code: a crash), signal.",
		[]string{"worker", "reason"}, nil)
	descFailures = prometheus.NewDesc("bgworker_worker_start_failures_total",
		"Starts of the workers of this bgw_name that could not fork.", []string{"worker"}, nil)
	descCycles = prometheus.NewDesc("bgworker_crash_cycles_total",
		"Crash cycles: a worker attached to shared memory crashed and every worker was stopped and started again.", nil, nil)
	descLatency = prometheus.NewDesc("bgworker_worker_start_seconds",
		"Time from a worker's start request to its process running.", nil, nil)
	descUptime = prometheus.NewDesc("bgworker_uptime_seconds",
		"Seconds since the host started.", nil, nil)
	descPhase = prometheus.NewDesc("bgworker_phase",
		"The host's phase: 1 for the current one.", []string{"phase"}, nil)
	descInfo = prometheus.NewDesc("bgworker_info",
		"The host's version.", []string{"version"}, nil)
	descSnapshotAge = prometheus.NewDesc("bgworker_snapshot_age_seconds",
		"Age of the event loop's snapshot these metrics come from.", nil, nil)
)

// Describe sends every descriptor.
func (c *hostCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descWorkers, descStarts, descRestarts, descExits, descFailures,
		descCycles, descLatency, descUptime, descPhase, descInfo, descSnapshotAge} {
		ch <- d
	}
}

// Collect builds the metrics of the last snapshot.
func (c *hostCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descInfo, prometheus.GaugeValue, 1, c.version)
	ch <- prometheus.MustNewConstMetric(descUptime, prometheus.GaugeValue, time.Since(c.startedAt).Seconds())
	s := c.ops.snap.Load()
	if s == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descSnapshotAge, prometheus.GaugeValue, time.Since(s.at).Seconds())
	for _, ph := range pmStateNames {
		v := 0.0
		if ph == s.phase {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(descPhase, prometheus.GaugeValue, v, ph)
	}
	for _, st := range []string{StateRunning, StateStarting, StateWaitingStart, StateWaitingPhase,
		StateWaitingRestart, StateCrashed, StateStopped} {
		ch <- prometheus.MustNewConstMetric(descWorkers, prometheus.GaugeValue, float64(s.counts[st]), st)
	}
	m := s.metrics
	for name, t := range m.totals {
		ch <- prometheus.MustNewConstMetric(descStarts, prometheus.CounterValue, float64(t.starts), name)
		ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(t.restarts), name)
		ch <- prometheus.MustNewConstMetric(descFailures, prometheus.CounterValue, float64(t.failures), name)
		for _, r := range []string{reasonExit0, reasonExit1, reasonCode, reasonSignal} {
			ch <- prometheus.MustNewConstMetric(descExits, prometheus.CounterValue, float64(t.exits[r]), name, r)
		}
	}
	ch <- prometheus.MustNewConstMetric(descCycles, prometheus.CounterValue, float64(m.crashCycles))
	buckets := make(map[float64]uint64, len(startBuckets))
	var cum uint64
	for i, ub := range startBuckets {
		cum += m.latency[i]
		buckets[ub] = cum
	}
	ch <- prometheus.MustNewConstHistogram(descLatency, m.latencyN, m.latencySum, buckets)
}
