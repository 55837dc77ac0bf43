// database.go: the database-connection scenario (-only database). The
// module bench/bgbench/spibench.c runs one-statement transactions through
// SPI (the worker_spi pattern) inside PostgreSQL 15 (in-server SPI) and
// under bgworker connected with libpq to the same PostgreSQL 15 server,
// one side after the other, with the same server settings. The driver
// reads the workers' own CLOCK_MONOTONIC figures from the events file and
// /proc/PID/smaps_rollup for memory.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// dbWindow is how long every worker runs timed transactions.
	dbWindow = 4 * time.Second
	// dbPort only names the socket file: the server listens on no TCP port.
	dbPort = 5432
)

// dbSyncCommits are the settings of synchronous_commit measured; fsync is
// on in both. "off" first: a commit that waits for no disk flush shows the
// cost of the connection most plainly.
var dbSyncCommits = []string{"off", "on"}

// dbServer is the PostgreSQL 15 cluster both sides use: the in-server
// workers run in it, bgworker's workers connect to it.
type dbServer struct {
	bindir     string
	dir        string // socket directory, module, logs, events
	dataDir    string
	owner      *user.User
	syncCommit string
	runs       int
}

func newDBServer(work, module string) (*dbServer, error) {
	bindir, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return nil, fmt.Errorf("pg_config --bindir: %w (install postgresql-15 and postgresql-server-dev-15)", err)
	}
	owner, err := ensureUser(pgUser)
	if err != nil {
		return nil, err
	}
	s := &dbServer{bindir: strings.TrimSpace(string(bindir)), dir: filepath.Join(work, "db-pg"), owner: owner, syncCommit: "off"}
	s.dataDir = filepath.Join(s.dir, "data")
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(module, filepath.Join(s.dir, "spibench.so")); err != nil {
		return nil, err
	}
	if err := chownTo(owner, s.dir); err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(s.bindir, "initdb"), "-D", s.dataDir, "-A", "trust", "--no-sync")
	cmd.SysProcAttr = s.creds()
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	return s, nil
}

func (s *dbServer) creds() *syscall.SysProcAttr {
	uid, _ := strconv.Atoi(s.owner.Uid)
	gid, _ := strconv.Atoi(s.owner.Gid)
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
}

// settingsLine states the server settings of the runs.
func (s *dbServer) settingsLine() string {
	return fmt.Sprintf("fsync = on, synchronous_commit = %s", s.syncCommit)
}

// start runs the server with spibench preloaded and n in-server workers
// (0: none, the server bgworker's workers connect to), plus the
// unconnected worker when idle is set.
func (s *dbServer) start(n int, idle bool) (*running, error) {
	s.runs++
	ev := filepath.Join(s.dir, fmt.Sprintf("events-%d", s.runs))
	settings := map[string]string{
		"shared_preload_libraries": "spibench",
		"dynamic_library_path":     s.dir + ":$libdir",
		"spibench.events":          ev,
		"spibench.workers":         strconv.Itoa(n),
		"spibench.idle_worker":     strconv.FormatBool(idle),
		"spibench.user":            pgUser,
		"spibench.database":        "postgres",
		"listen_addresses":         "",
		"unix_socket_directories":  s.dir,
		"port":                     strconv.Itoa(dbPort),
		"max_connections":          "20",
		"max_worker_processes":     strconv.Itoa(n + 4),
		"fsync":                    "on",
		"synchronous_commit":       s.syncCommit,
	}
	cmd := exec.Command(filepath.Join(s.bindir, "postgres"), append([]string{"-D", s.dataDir}, settingArgs(settings)...)...)
	cmd.SysProcAttr = s.creds()
	cmd.Dir = s.dir
	return launch(cmd, filepath.Join(s.dir, fmt.Sprintf("log-%d", s.runs)), ev, s.owner)
}

// psql runs sql in database postgres as the cluster's superuser.
func (s *dbServer) psql(sql string) (string, error) {
	cmd := exec.Command(filepath.Join(s.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", s.dir, "-p", strconv.Itoa(dbPort), "-U", pgUser, "-d", "postgres", "-c", sql)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", sql, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// waitReady waits until the server r accepts connections.
func (s *dbServer) waitReady(r *running) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := s.psql("SELECT 1")
		if err == nil {
			return nil
		}
		if r.hasExited() || time.Now().After(deadline) {
			return fmt.Errorf("server not ready: %v; log:\n%s", err, r.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *dbServer) cleanup() {
	removeStaleSegment(filepath.Join(s.dataDir, "postmaster.pid"), 7, 2)
}

// dbClient is the bgworker host whose workers connect to the dbServer.
type dbClient struct {
	bin     string
	dir     string
	dataDir string
	runs    int
}

func newDBClient(bin, work, module string) (*dbClient, error) {
	c := &dbClient{bin: bin, dir: filepath.Join(work, "db-bgw")}
	c.dataDir = filepath.Join(c.dir, "data")
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(module, filepath.Join(c.dir, "spibench.so")); err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "init", "-D", c.dataDir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("bgworker init: %v: %s", err, out)
	}
	return c, nil
}

// start runs bgworker with n connected workers and the unconnected one,
// pointed at s.
func (c *dbClient) start(n int, s *dbServer) (*running, error) {
	c.runs++
	ev := filepath.Join(c.dir, fmt.Sprintf("events-%d", c.runs))
	settings := map[string]string{
		"shared_preload_libraries": "spibench",
		"dynamic_library_path":     c.dir,
		"spibench.events":          ev,
		"spibench.workers":         strconv.Itoa(n),
		"spibench.idle_worker":     "true",
		"spibench.user":            pgUser,
		"spibench.database":        "postgres",
		"database_conninfo":        fmt.Sprintf("host=%s port=%d", s.dir, dbPort),
		"max_worker_processes":     strconv.Itoa(max(n+1, 8)),
	}
	args := append([]string{"start", "-D", c.dataDir}, settingArgs(settings)...)
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	return launch(exec.Command(c.bin, args...), filepath.Join(c.dir, fmt.Sprintf("log-%d", c.runs)), ev, nil)
}

func (c *dbClient) cleanup() {
	removeStaleSegment(filepath.Join(c.dataDir, "bgworker.pid"), 5, 1)
}

// dbRun is what one run of n workers on one side measured.
type dbRun struct {
	setupMs []float64 // per worker
	p50us   []float64 // per worker
	p99us   []float64
	perSec  float64 // transactions/s, all workers, in the common window
	pids    map[int]int
	idlePid int
	// CPU time per timed transaction (/proc/PID/schedstat over the
	// window): the workers', and the server backends' serving them
	// (bgworker side; 0 under PostgreSQL, where the worker is the backend).
	cpuWorkerUs, cpuBackendUs float64
}

func monoNs() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// measureSPI waits until the n workers of r are connected and warmed up
// (and the unconnected worker runs),
// gives them one common window, and collects their figures. r keeps
// running (its workers idle, connected) for the memory readings.
// backends, when not nil, gives the pids of the server backends serving
// the workers.
func measureSPI(r *running, n int, backends func() ([]int, error)) (*dbRun, error) {
	run := &dbRun{pids: map[int]int{}}
	ready := map[int]bool{}
	setup := map[int]float64{}
	err := r.waitFor(fmt.Sprintf("%d workers connected and warmed up", n), 120*time.Second, func(evs []event) bool {
		for _, e := range evs {
			switch e.name {
			case "connected":
				if len(e.vals) == 1 {
					setup[e.idx] = float64(e.vals[0]) / 1e6
				}
			case "ready":
				ready[e.idx] = true
				run.pids[e.idx] = e.pid
			case "start":
				run.idlePid = e.pid
			}
		}
		return len(ready) >= n && run.idlePid != 0
	})
	if err != nil {
		return nil, err
	}
	var workerPids, backendPids []int
	for _, p := range run.pids {
		workerPids = append(workerPids, p)
	}
	if backends != nil {
		var err error
		if backendPids, err = backends(); err != nil {
			return nil, err
		}
	}
	cpuW0, cpuB0 := cpuNs(workerPids), cpuNs(backendPids)
	t0 := monoNs() + int64(300*time.Millisecond)
	t1 := t0 + int64(dbWindow)
	if err := os.WriteFile(r.events.path+".go", []byte(fmt.Sprintf("%d %d\n", t0, t1)), 0o644); err != nil {
		return nil, err
	}
	var done, timed int64
	got := 0
	err = r.waitFor("the transaction figures", dbWindow+120*time.Second, func(evs []event) bool {
		for _, e := range evs {
			if e.name == "spi" && len(e.vals) == 5 {
				done += e.vals[0]
				timed += e.vals[3]
				run.p50us = append(run.p50us, float64(e.vals[1])/1000)
				run.p99us = append(run.p99us, float64(e.vals[2])/1000)
				got++
			}
		}
		return got >= n
	})
	if err != nil {
		return nil, err
	}
	for _, v := range setup {
		run.setupMs = append(run.setupMs, v)
	}
	run.perSec = float64(done) / dbWindow.Seconds()
	if timed > 0 {
		run.cpuWorkerUs = float64(cpuNs(workerPids)-cpuW0) / float64(timed) / 1000
		run.cpuBackendUs = float64(cpuNs(backendPids)-cpuB0) / float64(timed) / 1000
	}
	return run, nil
}

// cpuNs is the CPU time the processes have used, from the first field of
// /proc/PID/schedstat (nanoseconds).
func cpuNs(pids []int) int64 {
	var sum int64
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", p))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			v, _ := strconv.ParseInt(f[0], 10, 64)
			sum += v
		}
	}
	return sum
}

// database: the scenario, both sides, for each synchronous_commit setting.
func (b *bench) database(bin, work string) error {
	src := filepath.Join("bench", "bgbench", "spibench.c")
	incdir, err := exec.Command("pg_config", "--includedir-server").Output()
	if err != nil {
		return fmt.Errorf("pg_config --includedir-server: %v (install postgresql-server-dev-15)", err)
	}
	bgwModule := filepath.Join(work, "spibench-bgworker.so")
	pgModule := filepath.Join(work, "spibench-pg.so")
	if err := compileModule(src, bgwModule, "include"); err != nil {
		return err
	}
	if err := compileModule(src, pgModule, strings.TrimSpace(string(incdir))); err != nil {
		return err
	}
	srv, err := newDBServer(work, pgModule)
	if err != nil {
		return err
	}
	defer srv.cleanup()
	cli, err := newDBClient(bin, work, bgwModule)
	if err != nil {
		return err
	}
	defer cli.cleanup()

	// The table: one row per worker.
	r, err := srv.start(0, false)
	if err != nil {
		return err
	}
	err = srv.waitReady(r)
	if err == nil {
		_, err = srv.psql("CREATE TABLE spibench (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0);" +
			" INSERT INTO spibench (id) SELECT generate_series(0, 15)")
	}
	r.stop()
	if err != nil {
		return err
	}

	// The rows in reading order: each setting's latency, throughput,
	// set-up and CPU, then memory.
	for _, sc := range dbSyncCommits {
		srv.syncCommit = sc
		prefix := fmt.Sprintf("database, %s: ", srv.settingsLine())
		for _, k := range []string{"1 worker, transaction latency p50", "1 worker, transaction latency p99",
			"1 worker, transactions/s", "8 workers, transaction latency p50 (median of the workers')",
			"8 workers, transaction latency p99 (median of the workers')", "8 workers, transactions/s in all",
			"connection set-up, 1 worker", "connection set-up, 8 workers (median)"} {
			b.res.row(prefix + k)
		}
		for _, w := range []string{"1 worker", "8 workers"} {
			for _, k := range []string{"worker", "server backend", "worker and server backend"} {
				b.res.row(prefix + w + ", CPU per transaction, " + k)
			}
		}
	}
	for _, k := range dbMemoryRows {
		b.res.row("database: " + k)
	}

	for _, sc := range dbSyncCommits {
		srv.syncCommit = sc
		for rep := range b.reps {
			for _, n := range []int{1, 8} {
				sides := []string{colPg, colBgw}
				if rep%2 == 1 {
					sides = []string{colBgw, colPg}
				}
				for _, side := range sides {
					fmt.Fprintf(os.Stderr, "\n  %s, %s, %d worker(s), load average %s ", side, srv.settingsLine(), n, loadAvgNow())
					if err := b.databaseRun(srv, cli, side, n, sc == dbSyncCommits[0]); err != nil {
						return fmt.Errorf("%s, %d workers, %s: %w", side, n, srv.settingsLine(), err)
					}
				}
			}
		}
	}
	fmt.Fprintf(os.Stderr, "\n%-10s %-40s ", "", "")
	return nil
}

// databaseRun runs one side with n workers and records its figures;
// memory is read in the runs of one worker with the first setting.
func (b *bench) databaseRun(srv *dbServer, cli *dbClient, side string, n int, withMemory bool) error {
	var run *dbRun
	var mem map[string]float64
	prefix := fmt.Sprintf("database, %s: ", srv.settingsLine())
	if side == colPg {
		r, err := srv.start(n, true)
		if err != nil {
			return err
		}
		defer r.stop()
		if run, err = measureSPI(r, n, nil); err != nil {
			return err
		}
		if n == 1 && withMemory {
			if mem, err = dbMemory(run, 0); err != nil {
				return err
			}
		}
	} else {
		rs, err := srv.start(0, false)
		if err != nil {
			return err
		}
		defer rs.stop()
		if err := srv.waitReady(rs); err != nil {
			return err
		}
		r, err := cli.start(n, srv)
		if err != nil {
			return err
		}
		defer r.stop()
		backends := func() ([]int, error) {
			out, err := srv.psql("SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'spibench %'")
			if err != nil {
				return nil, err
			}
			var pids []int
			for _, l := range strings.Fields(out) {
				if p, err := strconv.Atoi(l); err == nil {
					pids = append(pids, p)
				}
			}
			if len(pids) != n {
				return nil, fmt.Errorf("%d server backends for %d workers", len(pids), n)
			}
			return pids, nil
		}
		if run, err = measureSPI(r, n, backends); err != nil {
			return err
		}
		if n == 1 && withMemory {
			out, err := srv.psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'spibench 0'")
			if err != nil {
				return err
			}
			backend, err := strconv.Atoi(out)
			if err != nil {
				return fmt.Errorf("the server backend of worker 0: %q", out)
			}
			if mem, err = dbMemory(run, backend); err != nil {
				return err
			}
		}
	}
	if n == 1 {
		b.res.addCol(prefix+"1 worker, transaction latency p50", side, run.p50us[0])
		b.res.addCol(prefix+"1 worker, transaction latency p99", side, run.p99us[0])
		b.res.addCol(prefix+"1 worker, transactions/s", side, run.perSec)
		b.res.addCol(prefix+"connection set-up, 1 worker", side, run.setupMs[0])
	} else {
		b.res.addCol(prefix+fmt.Sprintf("%d workers, transactions/s in all", n), side, run.perSec)
		b.res.addCol(prefix+fmt.Sprintf("%d workers, transaction latency p50 (median of the workers')", n), side, median(run.p50us))
		b.res.addCol(prefix+fmt.Sprintf("%d workers, transaction latency p99 (median of the workers')", n), side, median(run.p99us))
		b.res.addCol(prefix+fmt.Sprintf("connection set-up, %d workers (median)", n), side, median(run.setupMs))
	}
	w := fmt.Sprintf("%d workers", n)
	if n == 1 {
		w = "1 worker"
	}
	b.res.addCol(prefix+w+", CPU per transaction, worker", side, run.cpuWorkerUs)
	if side == colBgw {
		b.res.addCol(prefix+w+", CPU per transaction, server backend", side, run.cpuBackendUs)
	}
	b.res.addCol(prefix+w+", CPU per transaction, worker and server backend", side, run.cpuWorkerUs+run.cpuBackendUs)
	for k, v := range mem {
		b.res.addCol("database: "+k, side, v)
	}
	fmt.Fprintf(os.Stderr, "%.0f tx/s", run.perSec)
	return nil
}

// dbMemory reads the PSS of connected worker 0, of the unconnected
// worker and, when backend is not 0, of the server backend serving
// worker 0, after a short settling time.
func dbMemory(run *dbRun, backend int) (map[string]float64, error) {
	time.Sleep(300 * time.Millisecond)
	conn, err := rollup(run.pids[0])
	if err != nil {
		return nil, err
	}
	idle, err := rollup(run.idlePid)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{dbMemoryRows[0]: idle.pss, dbMemoryRows[1]: conn.pss, dbMemoryRows[3]: conn.pss}
	if backend != 0 {
		be, err := rollup(backend)
		if err != nil {
			return nil, err
		}
		m[dbMemoryRows[2]] = be.pss
		m[dbMemoryRows[3]] = conn.pss + be.pss
	}
	return m, nil
}

// dbMemoryRows are the memory rows, in reading order.
var dbMemoryRows = []string{
	"PSS of an unconnected worker",
	"PSS of a connected worker (PostgreSQL: the in-server worker, a backend)",
	"PSS of the server backend serving a connected worker",
	"PSS of a connected worker and its server backend",
}

// dbUnit is the unit of a database row, "" for another scenario's.
func dbUnit(key string) string {
	switch {
	case !strings.HasPrefix(key, "database"):
		return ""
	case strings.Contains(key, "PSS"):
		return "kB"
	case strings.Contains(key, "latency"), strings.Contains(key, "CPU per"):
		return "µs"
	case strings.Contains(key, "transactions/s"):
		return "tx/s"
	}
	return "ms"
}

// dbTarget is the target of a database row, "" for another scenario's.
func dbTarget(key string) string {
	switch {
	case !strings.HasPrefix(key, "database"):
		return ""
	case strings.HasSuffix(key, ": 1 worker, transaction latency p50"):
		return "≤ 1.5"
	case strings.HasSuffix(key, " workers, transactions/s in all"):
		return "≥ 0.7"
	}
	return "report"
}
