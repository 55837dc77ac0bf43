// Command bgbench runs bgworker's benchmarks, and with -pg the same
// scenarios under PostgreSQL 15 in the same run, and prints medians with
// min and max over the repetitions and the ratio bgworker / PostgreSQL.
// It builds the bench module (bench/bgbench/bgbench.c) against include/ and
// against PostgreSQL's server headers. It reports figures; it never fails
// because a figure is slow. Run it from the repository root (make bench,
// make bench-pg).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/bgworker", "the bgworker binary")
	withPg := flag.Bool("pg", false, "run the scenarios under PostgreSQL 15 as well")
	reps := flag.Int("reps", 3, "repetitions of each scenario")
	docs := flag.String("docs", "", "directory to write benchmarks.md and benchmarks.json to")
	idle := flag.Duration("idle", 60*time.Second, "total idle observation time (split into -reps windows); 0 skips it")
	churn := flag.Duration("churn", 10*time.Minute, "how long the churn scenario keeps the supervisor's heap churning; 0 skips it")
	only := flag.String("only", "", "run only the scenario groups matching this regular expression "+
		"(launch, launch5000, status, logflood, metrics, restart, crash, pingpong, dynamic, mq, call, memory, database, churn, idle, shutdown, sigkill)")
	keep := flag.Bool("keep", false, "keep the work directory (logs, events)")
	render := flag.String("render", "", "only rewrite benchmarks.md in -docs from this benchmarks.json (after editing bench/notes.md)")
	flag.Parse()

	if *render != "" {
		if err := rerender(*render, *docs); err != nil {
			fmt.Fprintf(os.Stderr, "bgbench: %v\n", err)
			os.Exit(1)
		}
		return
	}

	// Interrupted: stop the hosts we started, then exit (the work
	// directory stays behind).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "bgbench: %v: stopping the hosts\n", sig)
		live.stopAll()
		os.Exit(1)
	}()

	if err := run(*bin, *withPg, *reps, *docs, *idle, *churn, *only, *keep); err != nil {
		fmt.Fprintf(os.Stderr, "bgbench: %v\n", err)
		os.Exit(1)
	}
}

func run(bin string, withPg bool, reps int, docs string, idle, churn time.Duration, only string, keep bool) error {
	if reps < 1 {
		return fmt.Errorf("invalid -reps %d: must be at least 1", reps)
	}
	onlyRx, err := regexp.Compile("^(" + only + ")$")
	if err != nil {
		return fmt.Errorf("invalid -only %q: %v", only, err)
	}
	want := func(group string) bool { return only == "" || onlyRx.MatchString(group) }
	bin, err = filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("bgworker binary %s: %v (run make first)", bin, err)
	}

	work, err := os.MkdirTemp("", "bgbench-")
	if err != nil {
		return err
	}
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(os.Stderr, "work directory: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	src := filepath.Join("bench", "bgbench", "bgbench.c")
	bgwModule := filepath.Join(work, "bgbench-bgworker.so")
	if err := compileModule(src, bgwModule, "include"); err != nil {
		return err
	}
	goIdle := filepath.Join(work, "goidle")
	if out, err := exec.Command("go", "build", "-tags", "netgo,osusergo", "-o", goIdle, "./bench/cmd/goidle").CombinedOutput(); err != nil {
		return fmt.Errorf("building goidle: %v: %s", err, out)
	}

	bgw, err := newBgwHost(bin, work, bgwModule)
	if err != nil {
		return err
	}
	defer bgw.cleanup()
	hosts := []host{bgw}
	var pg *pgHost
	if withPg {
		incdir, err := exec.Command("pg_config", "--includedir-server").Output()
		if err != nil {
			return fmt.Errorf("pg_config --includedir-server: %v (install postgresql-server-dev-15)", err)
		}
		pgModule := filepath.Join(work, "bgbench-pg.so")
		if err := compileModule(src, pgModule, strings.TrimSpace(string(incdir))); err != nil {
			return err
		}
		if pg, err = newPgHost(work, pgModule); err != nil {
			return err
		}
		defer pg.cleanup()
		hosts = append(hosts, pg)
	}

	machine := machineLine()
	startLoad := loadAvgNow()
	loadAvg := func() string { return startLoad }
	fmt.Printf("machine: %s, load average %s\n", machine, startLoad)
	b := &bench{reps: reps, res: newResults()}
	step := func(group, key string, h host, f func() error) {
		if !want(group) {
			return
		}
		t := time.Now()
		fmt.Fprintf(os.Stderr, "%-10s %-40s ", h.name(), key)
		if err := f(); err != nil {
			fmt.Fprintf(os.Stderr, "FAILED: %v\n", err)
			b.res.fail(key, h, err)
			return
		}
		fmt.Fprintf(os.Stderr, "%.1f s\n", time.Since(t).Seconds())
	}

	for _, n := range []int{1, 10, 100, 500} {
		for _, h := range hosts {
			step("launch", fmt.Sprintf("launch → all running, N = %d", n), h, func() error { return b.launch(h, n) })
		}
	}
	step("launch5000", "launch → all running, N = 5000", bgw, func() error { return b.launch(bgw, 5000) })
	step("status", "`bgworker status` while 5000 workers start", bgw, func() error { return b.statusLatency(bgw, false) })
	step("status", "`bgworker status` while 5000 start, collector on", bgw, func() error { return b.statusLatency(bgw, true) })
	step("logflood", "log flood, fast log disk", bgw, func() error { return b.logFlood(bgw, false) })
	step("logflood", "log flood, slow log disk", bgw, func() error { return b.logFlood(bgw, true) })
	step("metrics", "supervisor CPU, /metrics scraped every second", bgw, func() error { return b.metricsCPU(bgw, 1000) })
	for _, h := range hosts {
		step("restart", "exit 1, restart time 1 s → next start", h, func() error { return b.restart(h) })
	}
	for _, n := range []int{10, 100} {
		for _, h := range hosts {
			step("crash", fmt.Sprintf("crash → all running, N = %d", n), h, func() error { return b.crash(h, n, "") })
		}
		if pg != nil {
			pg.fsync = false
			step("crash", fmt.Sprintf("crash → all running, N = %d (fsync=off)", n), pg, func() error { return b.crash(pg, n, colPgNoSyn) })
			pg.fsync = true
		}
	}
	for _, h := range hosts {
		step("pingpong", "latch ping-pong", h, func() error { return b.pingpong(h) })
	}
	for _, h := range hosts {
		step("dynamic", "dynamic workers", h, func() error { return b.dynamic(h) })
	}
	if want("mq") || want("call") {
		if err := mqScenarios(b, step, bin, work, pg); err != nil {
			return err
		}
	}
	for _, h := range hosts {
		step("memory", "memory, N = 100", h, func() error { return b.memory(h) })
	}
	step("database", "database connections, SPI transactions (both hosts)", bgw, func() error {
		return b.database(bin, work)
	})
	if churn > 0 {
		step("churn", fmt.Sprintf("churn N = %d, %s (bgworker only)", churnWorkers, fmtDuration(churn)), bgw, func() error {
			return b.churn(bgw, churn)
		})
	}
	if idle > 0 {
		step("idle", "idle wake-ups (all hosts at once)", bgw, func() error {
			return b.idle(hosts, goIdle, idle/time.Duration(reps))
		})
	}
	modes := []struct {
		name string
		sig  syscall.Signal
	}{{"smart", syscall.SIGTERM}, {"fast", syscall.SIGINT}, {"immediate", syscall.SIGQUIT}}
	for _, n := range []int{10, 100} {
		for _, m := range modes {
			for _, h := range hosts {
				step("shutdown", fmt.Sprintf("%s shutdown → host exit, N = %d", m.name, n), h, func() error { return b.shutdown(h, m.name, m.sig, n) })
			}
		}
	}
	for _, n := range []int{10, 100} {
		for _, h := range hosts {
			step("sigkill", fmt.Sprintf("host SIGKILL → all children gone, N = %d", n), h, func() error { return b.sigkill(h, n) })
		}
	}

	machine += ", load average " + loadAvg() + " at the start, " + loadAvgNow() + " at the end"
	b.res.finish()
	fmt.Println()
	b.res.text(os.Stdout)
	if docs != "" {
		if err := writeDocs(docs, b.res, machine, reps, withPg); err != nil {
			return err
		}
		fmt.Printf("\nwrote %s and %s\n", filepath.Join(docs, "benchmarks.md"), filepath.Join(docs, "benchmarks.json"))
	}
	return nil
}

// compileModule builds the bench module with the flags a module author
// uses, against the given include directory.
func compileModule(src, out, include string) error {
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	args := []string{"-std=gnu11", "-O2", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror",
		"-Wno-unused-parameter", "-Wno-missing-field-initializers", "-I", include, "-o", out, src}
	if b, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("compiling %s against %s: %v: %s", src, include, err, b)
	}
	return nil
}

// machineLine is "CPU model, N cores, kernel, memory".
func machineLine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if i := strings.IndexByte(l, ':'); i >= 0 {
					model = strings.TrimSpace(l[i+1:])
				}
				break
			}
		}
	}
	var uts syscall.Utsname
	kernel := "unknown kernel"
	if syscall.Uname(&uts) == nil {
		var buf []byte
		for _, c := range uts.Release {
			if c == 0 {
				break
			}
			buf = append(buf, byte(c))
		}
		kernel = "Linux " + string(buf)
	}
	mem := ""
	if kb, err := procKB("/proc/meminfo", "MemTotal"); err == nil {
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/1024/1024)
	}
	pgv := ""
	if out, err := exec.Command("pg_config", "--version").Output(); err == nil {
		pgv = ", " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s, %d cores%s, %s, %s%s", model, runtime.NumCPU(), mem, kernel, runtime.Version(), pgv)
}

// rerender rewrites benchmarks.md in dir from a benchmarks.json.
func rerender(jsonPath, dir string) error {
	if dir == "" {
		return fmt.Errorf("-render needs -docs")
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		return err
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("%s: %v", jsonPath, err)
	}
	res := newResults()
	withPg := false
	for _, x := range rep.Rows {
		res.index[x.Scenario] = x
		res.rows = append(res.rows, x)
		_, ok := x.Columns[colPg]
		withPg = withPg || ok
	}
	return writeMarkdown(dir, res, rep.Machine, rep.Date, rep.Repetitions, withPg)
}

func writeDocs(dir string, res *results, machine string, reps int, withPg bool) error {
	date := time.Now().UTC().Format("2006-01-02 15:04 UTC")
	var js bytes.Buffer
	if err := res.json(&js, machine, date, reps); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.json"), js.Bytes(), 0o644); err != nil {
		return err
	}
	return writeMarkdown(dir, res, machine, date, reps, withPg)
}

func writeMarkdown(dir string, res *results, machine, date string, reps int, withPg bool) error {
	var md bytes.Buffer
	fmt.Fprintf(&md, "# Benchmarks\n\n")
	fmt.Fprintf(&md, "Generated by `make bench-pg` (bench/cmd/bgbench) on %s. Do not edit the table by hand;\n", date)
	fmt.Fprintf(&md, "the notes below it are kept in `bench/notes.md` and copied in.\n\n")
	fmt.Fprintf(&md, "Machine: %s.\n\n", machine)
	fmt.Fprintf(&md, "Each cell is the median (min–max) over %d repetitions; the ratio is bgworker / PostgreSQL ", reps)
	fmt.Fprintf(&md, "15 from the same run; the target is the project's, from docs/design.md §8. ")
	if !withPg {
		fmt.Fprintf(&md, "This run did not include PostgreSQL. ")
	}
	fmt.Fprintf(&md, "Figures, never assertions.\n\n")
	res.markdown(&md)
	if notes, err := os.ReadFile(filepath.Join("bench", "notes.md")); err == nil {
		md.WriteString("\n")
		md.Write(notes)
	}
	return os.WriteFile(filepath.Join(dir, "benchmarks.md"), md.Bytes(), 0o644)
}

// loadAvgNow is the 1-minute load average: the machine is shared, and a
// loaded machine stretches every figure.
func loadAvgNow() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}
