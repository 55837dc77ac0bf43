// mq.go: the message-queue scenarios (group "mq"): shm_mq throughput and
// round trip between a caller and one dynamic worker, through the mqbench
// extension (bench/bgbench/mqbench.c), called with `bgworker call` and with
// psql under PostgreSQL 15. Also the setup both this group and the call
// overhead (call.go) share: the extension installed for each host, and
// both hosts running side by side.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// mqSetup is the two hosts with the mqbench extension installed, running.
type mqSetup struct {
	bgw    *bgwHost // a copy of the binary in its own install tree
	bgwRun *running
	pg     *pgHost // nil without -pg
	pgRun  *running
	hosts  []host
}

// mqSizes are the message sizes, with how many messages a stream call
// sends and how many rounds a round-trip call times (each call about
// 0.1–1 s under PostgreSQL on the reference machine).
var mqSizes = []struct {
	size          int
	label         string
	stream, round int
}{
	{64, "64 B", 1000000, 20000},
	{8192, "8 kB", 50000, 10000},
	{1 << 20, "1 MB", 300, 200},
}

const mqQueueSize = 16384

// newMqSetup installs the extension for each host and starts them.
//
// bgworker: an install tree of its own under work/mqtree, as `make install`
// lays one out (bin/bgworker, a copy of bin, so that $libdir and the
// extension directory are the tree's; include/; lib/bgworker/mqbench.so;
// share/extension/mqbench.control and mqbench--1.0.sql), where `bgworker
// call` finds the function as it finds any installed extension's.
//
// PostgreSQL 15 reads extension control files from its own share directory
// only (/usr/share/postgresql/15/extension), which the bench leaves alone:
// the library goes to the throwaway cluster's directory (already on its
// dynamic_library_path), and the script's CREATE FUNCTION statements run
// through psql with MODULE_PATHNAME replaced by the library's path, as
// CREATE EXTENSION would run them.
func newMqSetup(bin, work string, pg *pgHost) (*mqSetup, error) {
	src := filepath.Join("bench", "bgbench", "mqbench.c")
	tree := filepath.Join(work, "mqtree")
	for _, d := range []string{"bin", "lib/bgworker", "share/extension"} {
		if err := os.MkdirAll(filepath.Join(tree, d), 0o755); err != nil {
			return nil, err
		}
	}
	include, err := filepath.Abs("include")
	if err != nil {
		return nil, err
	}
	if err := os.Symlink(include, filepath.Join(tree, "include")); err != nil {
		return nil, err
	}
	treeBin := filepath.Join(tree, "bin", "bgworker")
	if err := copyFile(bin, treeBin); err != nil {
		return nil, err
	}
	if err := compileModule(src, filepath.Join(tree, "lib", "bgworker", "mqbench.so"), "include"); err != nil {
		return nil, err
	}
	for _, f := range []string{"mqbench.control", "mqbench--1.0.sql"} {
		b, err := os.ReadFile(filepath.Join("bench", "bgbench", f))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(tree, "share", "extension", f), b, 0o644); err != nil {
			return nil, err
		}
	}
	bgwModule := filepath.Join(work, "bgbench-bgworker.so")
	s := &mqSetup{}
	if s.bgw, err = newBgwHost(treeBin, tree, bgwModule); err != nil {
		return nil, err
	}
	// Nothing preloaded: the extension's library is loaded by the call,
	// as in a PostgreSQL backend.
	s.bgwRun, err = s.bgw.start(map[string]string{
		"shared_preload_libraries": "",
		"dynamic_library_path":     "$libdir",
		"max_worker_processes":     "8",
	})
	if err != nil {
		return nil, err
	}
	s.hosts = append(s.hosts, s.bgw)
	if err := s.waitReady(s.bgw); err != nil {
		s.stop()
		return nil, err
	}

	if pg != nil {
		s.pg = pg
		incdir, err := exec.Command("pg_config", "--includedir-server").Output()
		if err != nil {
			s.stop()
			return nil, fmt.Errorf("pg_config --includedir-server: %v", err)
		}
		lib := filepath.Join(pg.dir, "mqbench.so")
		if err := compileModule(src, lib, strings.TrimSpace(string(incdir))); err != nil {
			s.stop()
			return nil, err
		}
		if err := chownTo(pg.owner, lib); err != nil {
			s.stop()
			return nil, err
		}
		s.pgRun, err = pg.start(map[string]string{"shared_preload_libraries": "", "max_worker_processes": "8"})
		if err != nil {
			s.stop()
			return nil, err
		}
		s.hosts = append(s.hosts, pg)
		if err := s.waitReady(pg); err != nil {
			s.stop()
			return nil, err
		}
		script, err := os.ReadFile(filepath.Join("bench", "bgbench", "mqbench--1.0.sql"))
		if err != nil {
			s.stop()
			return nil, err
		}
		var sql []string
		for _, l := range strings.Split(string(script), "\n") {
			if !strings.HasPrefix(l, `\echo`) {
				sql = append(sql, strings.ReplaceAll(l, "MODULE_PATHNAME", strings.TrimSuffix(lib, ".so")))
			}
		}
		cmd := mqPsql(pg, "-v", "ON_ERROR_STOP=1", "-f", "-")
		cmd.Stdin = strings.NewReader(strings.Join(sql, "\n"))
		if out, err := cmd.CombinedOutput(); err != nil {
			s.stop()
			return nil, fmt.Errorf("psql -f mqbench--1.0.sql: %v: %s", err, out)
		}
	}
	return s, nil
}

// stop ends both hosts.
func (s *mqSetup) stop() {
	if s.bgwRun != nil {
		s.bgwRun.stop()
	}
	if s.pgRun != nil {
		s.pgRun.stop()
	}
}

// mqPsql is psql on the throwaway cluster's socket, as its owner, without
// ~/.psqlrc, unaligned output without a header.
func mqPsql(h *pgHost, args ...string) *exec.Cmd {
	return exec.Command(filepath.Join(h.bin, "psql"),
		append([]string{"-X", "-q", "-A", "-t", "-h", h.dir, "-U", h.owner.Username, "-d", "postgres"}, args...)...)
}

// mqCallCmd is the command that calls fn(args) on h: `bgworker call` or
// `psql -c 'SELECT fn(args)'`, a new process each time.
func (s *mqSetup) mqCallCmd(h host, fn string, args ...int) *exec.Cmd {
	var strs []string
	for _, a := range args {
		strs = append(strs, strconv.Itoa(a))
	}
	if h == host(s.bgw) {
		return exec.Command(s.bgw.bin, append([]string{"call", "-D", s.bgw.dataDir, fn}, strs...)...)
	}
	return mqPsql(s.pg, "-c", fmt.Sprintf("SELECT %s(%s)", fn, strings.Join(strs, ", ")))
}

// mqCall runs fn on h and returns its result's fields.
func (s *mqSetup) mqCall(h host, fn string, args ...int) ([]int64, error) {
	cmd := s.mqCallCmd(h, fn, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
	}
	var vals []int64
	for _, f := range strings.Fields(string(out)) {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: unexpected result %q", strings.Join(cmd.Args, " "), out)
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// waitReady waits until h answers a call.
func (s *mqSetup) waitReady(h host) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		var cmd *exec.Cmd
		if h == host(s.bgw) {
			cmd = s.mqCallCmd(h, "mqbench_noop")
		} else {
			cmd = mqPsql(s.pg, "-c", "SELECT 1")
		}
		out, err := cmd.CombinedOutput()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within 60 s: %v: %s", h.name(), err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mqStream: n messages of size bytes one way; MB/s and messages/s over the
// caller's clock, from the first send to the worker's count received.
func (b *bench) mqStream(s *mqSetup, h host, size int, label string, n int) error {
	for range b.reps {
		v, err := s.mqCall(h, "mqbench_stream", size, n, mqQueueSize)
		if err != nil {
			return err
		}
		if len(v) != 5 || v[2] <= 0 {
			return fmt.Errorf("mqbench_stream: unexpected result %v", v)
		}
		secs := float64(v[2]) / 1e9
		mb := float64(v[1]) / 1e6
		b.res.add(fmt.Sprintf("shm_mq stream, %s messages: throughput", label), h, mb/secs)
		b.res.add(fmt.Sprintf("shm_mq stream, %s messages: messages per second", label), h, float64(v[0])/secs)
		b.res.add(fmt.Sprintf("shm_mq stream, %s messages: CPU per MB, both processes", label), h, float64(v[3])/mb)
		b.res.add(fmt.Sprintf("shm_mq stream, %s messages: sleeps per MB, both processes", label), h, float64(v[4])/mb)
	}
	return nil
}

// mqRoundTrip: send one message, wait for its echo; median and p99 over
// the rounds of one call.
func (b *bench) mqRoundTrip(s *mqSetup, h host, size int, label string, rounds int) error {
	for range b.reps {
		v, err := s.mqCall(h, "mqbench_roundtrip", size, rounds, 10, mqQueueSize)
		if err != nil {
			return err
		}
		if len(v) != 4 {
			return fmt.Errorf("mqbench_roundtrip: unexpected result %v", v)
		}
		b.res.add(fmt.Sprintf("shm_mq round trip, %s: p50", label), h, float64(v[1])/1000)
		b.res.add(fmt.Sprintf("shm_mq round trip, %s: p99", label), h, float64(v[2])/1000)
	}
	return nil
}

// mqUnit and mqTarget give the unit and the target of this file's rows
// and of call.go's (results.go asks them first).
func mqUnit(key string) (string, bool) {
	switch {
	case strings.HasPrefix(key, "shm_mq stream") && strings.HasSuffix(key, "throughput"):
		return "MB/s", true
	case strings.HasPrefix(key, "shm_mq stream") && strings.Contains(key, "CPU per MB"):
		return "µs", true
	case strings.HasPrefix(key, "shm_mq stream") && strings.Contains(key, "sleeps per MB"):
		return "", true
	case strings.HasPrefix(key, "shm_mq stream"):
		return "/s", true
	case strings.HasPrefix(key, "shm_mq round trip"):
		return "µs", true
	case strings.HasPrefix(key, "call of a function"), strings.HasPrefix(key, "process start"):
		return "ms", true
	}
	return "", false
}

func mqTarget(key string) (string, bool) {
	switch {
	case strings.HasPrefix(key, "shm_mq stream") && (strings.HasSuffix(key, "throughput") || strings.HasSuffix(key, "per second")):
		return "≥ 1", true
	case strings.HasPrefix(key, "shm_mq stream"), strings.HasPrefix(key, "shm_mq round trip"), strings.HasPrefix(key, "call of a function"),
		strings.HasPrefix(key, "process start"):
		return "report", true
	}
	return "", false
}

// mqScenarios runs the groups "mq" and "call" that -only selects, with
// both hosts up for the whole of them; the hosts take turns, size by size.
func mqScenarios(b *bench, step func(group, key string, h host, f func() error), bin, work string, pg *pgHost) error {
	s, err := newMqSetup(bin, work, pg)
	if err != nil {
		return err
	}
	defer s.stop()
	for _, sz := range mqSizes {
		for _, h := range s.hosts {
			step("mq", fmt.Sprintf("shm_mq stream, %s × %d", sz.label, sz.stream), h, func() error {
				return b.mqStream(s, h, sz.size, sz.label, sz.stream)
			})
		}
	}
	for _, sz := range mqSizes {
		for _, h := range s.hosts {
			step("mq", fmt.Sprintf("shm_mq round trip, %s × %d", sz.label, sz.round), h, func() error {
				return b.mqRoundTrip(s, h, sz.size, sz.label, sz.round)
			})
		}
	}
	step("call", fmt.Sprintf("call overhead, %d calls per host", callRounds), s.bgw, func() error {
		return b.callOverhead(s)
	})
	return nil
}
