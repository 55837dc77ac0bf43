package tests

// The full exit matrix (docs/reliability.md), static half: every way a
// worker can end × {with, without BGWORKER_SHMEM_ACCESS} × {restart 0, 1 s,
// never}, each cell checked against the outcome PostgreSQL gives
// (docs/design.md §5.3; the 9.3 outcome for workers without shared memory)
// and printed as a table. Cells that cannot disturb each other share a host:
// all the no-shared-memory cells in one, the non-crashing shared-memory
// cells in another, and each crashing shared-memory cell gets its own.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var matrixActions = []string{"exit0", "exit1", "exit2", "_exit0", "_exit1", "segv", "kill",
	"abort", "error", "fatal", "panic", "return"}
var matrixRestarts = []string{"0", "1", "never"}

// matrixCell is one row of the printed matrix.
type matrixCell struct {
	Action, Shmem, Kind, Restart string
	Expected, Observed           string
	DelayMs                      int64 // exit line to the next start; -1 if none
}

// expectedOutcome is PostgreSQL's rule for one cell.
func expectedOutcome(action string, shmem bool, restart string) (crash, restarts bool, after string) {
	clean := action == "exit0" || action == "return"
	one := action == "exit1" || action == "error" || action == "fatal"
	switch {
	case clean:
		return false, false, ""
	case shmem && action == "_exit0":
		return true, false, "" // crash (skipped proc_exit), then forgotten like exit 0
	case one && restart != "never":
		return false, true, restart
	case one:
		return false, false, ""
	case !shmem && action == "_exit0":
		return false, false, ""
	case !shmem && action == "_exit1":
		return false, restart != "never", restart
	case !shmem:
		return false, restart != "never", restart // 9.3: only itself restarts
	case restart == "never":
		return true, false, ""
	default:
		return true, true, "0" // restarted right after the reinitialisation
	}
}

func describeOutcome(crash, restarts bool, after string) string {
	s := ""
	if crash {
		s = "crash cycle; "
	}
	switch {
	case !restarts:
		s += "not restarted"
	case after == "1":
		s += "restarted after 1 s"
	default:
		s += "restarted at once"
	}
	return s
}

var logTimeRe = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})`)

// lineTime parses the timestamp PostgreSQL's %m puts first on a line.
func lineTime(line string) (time.Time, bool) {
	m := logTimeRe.FindStringSubmatch(line)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02 15:04:05.000", m[1])
	return t, err == nil
}

// nthLine returns the n-th log line matching re, or "".
func nthLine(log, re string, n int) string {
	rx := regexp.MustCompile(re)
	seen := 0
	for _, l := range strings.Split(log, "\n") {
		if rx.MatchString(l) {
			seen++
			if seen == n {
				return l
			}
		}
	}
	return ""
}

func TestExitMatrixFull(t *testing.T) {
	type group struct {
		name  string
		cells []matrixCell
		crash bool
	}
	var groups []group
	nosh := group{name: "noshmem"}
	shClean := group{name: "shmem-nocrash"}
	for _, a := range matrixActions {
		for _, r := range matrixRestarts {
			c := matrixCell{Action: a, Kind: "static", Restart: r}
			c.Shmem = "no"
			nosh.cells = append(nosh.cells, c)
			c.Shmem = "yes"
			if crash, _, _ := expectedOutcome(a, true, r); crash {
				groups = append(groups, group{name: "shmem-" + a + "-" + r, cells: []matrixCell{c}, crash: true})
			} else {
				shClean.cells = append(shClean.cells, c)
			}
		}
	}
	groups = append(groups, nosh, shClean)

	var mu sync.Mutex
	var rows []matrixCell
	t.Run("cells", func(t *testing.T) {
		for _, g := range groups {
			g := g
			t.Run(g.name, func(t *testing.T) {
				t.Parallel()
				name := func(c matrixCell) string {
					return fmt.Sprintf("%s-%s-%s", c.Shmem, strings.ReplaceAll(c.Action, "_", "u"), c.Restart)
				}
				var spec []string
				for _, c := range g.cells {
					flags := "n"
					if c.Shmem == "yes" {
						flags = "s"
					}
					spec = append(spec, fmt.Sprintf("%s:%s:%s:r:%s", name(c), flags, c.Restart, c.Action))
				}
				spec = append(spec, "bystander:s:0:r:run")
				dir := newDataDir(t, exitmatrixConf(t, strings.Join(spec, ","), "max_worker_processes = 64"))
				h := startHost(t, dir)
				h.waitReady()
				h.workerPid("bystander", 1)
				for _, c := range g.cells {
					h.workerPid(name(c), 1)
				}
				h.trigger()
				if g.crash {
					h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
					h.workerPid("bystander", 2)
				}
				for _, c := range g.cells {
					if _, restarts, _ := expectedOutcome(c.Action, c.Shmem == "yes", c.Restart); restarts {
						h.workerPid(name(c), 2)
					}
				}
				// Leave time for a wrong restart (the longest interval is 1 s).
				time.Sleep(1500 * time.Millisecond)
				log := h.log.all()
				crashed := h.log.count(`terminating any other active server processes`) > 0
				for _, c := range g.cells {
					n := name(c)
					crash, restarts, after := expectedOutcome(c.Action, c.Shmem == "yes", c.Restart)
					c.Expected = describeOutcome(crash, restarts, after)
					starts := h.log.count(`exitmatrix ` + regexp.QuoteMeta(n) + ` started`)
					c.DelayMs = -1
					exitLine := nthLine(log, `background worker "exitmatrix `+regexp.QuoteMeta(n)+`" \(PID \d+\)`, 1)
					second := nthLine(log, `exitmatrix `+regexp.QuoteMeta(n)+` started`, 2)
					obsAfter := "0"
					if t1, ok := lineTime(exitLine); ok && second != "" {
						if t2, ok := lineTime(second); ok {
							c.DelayMs = t2.Sub(t1).Milliseconds()
							if c.DelayMs >= 800 {
								obsAfter = "1"
							}
						}
					}
					c.Observed = describeOutcome(crashed, starts >= 2, obsAfter)
					mu.Lock()
					rows = append(rows, c)
					mu.Unlock()
					require.Equal(t, c.Expected, c.Observed, "cell %s (log line of exit: %q)", n, exitLine)
				}
				h.signal(syscall.SIGINT)
				require.Equal(t, 0, h.waitExit(20*time.Second))
				h.requireClean()
			})
		}
	})

	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		ai, bi := indexOf(matrixActions, a.Action), indexOf(matrixActions, b.Action)
		if ai != bi {
			return ai < bi
		}
		if a.Shmem != b.Shmem {
			return a.Shmem > b.Shmem
		}
		return indexOf(matrixRestarts, a.Restart) < indexOf(matrixRestarts, b.Restart)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "| exit | shmem | kind | restart | PostgreSQL | bgworker | exit→restart ms |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		d := "-"
		if r.DelayMs >= 0 {
			d = fmt.Sprint(r.DelayMs)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Action, r.Shmem, r.Kind, r.Restart, r.Expected, r.Observed, d)
	}
	t.Logf("exit matrix (%d cells):\n%s", len(rows), b.String())
	recordFigure(t, "exit_matrix", rows)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
