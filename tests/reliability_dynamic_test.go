package tests

// The dynamic half of the exit matrix (docs/design.md §5.3, §5.7; PostgreSQL
// 17's CleanupBackgroundWorker, ReportBackgroundWorkerExit,
// ResetBackgroundWorkerCrashTimes and maybe_start_bgworkers), and a dynamic
// worker whose fork fails. The workers are registered by
// tests/modules/dynexit.c with RegisterDynamicBackgroundWorker and
// bgw_notify_pid set; the launcher reports what its handles and its SIGUSR1
// handler saw.

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

// dynexitConf preloads the dynexit module.
func dynexitConf(t *testing.T, mode, cells string, extra ...string) string {
	so := compileModule(t, "dynexit", "dynexit")
	conf := fmt.Sprintf("shared_preload_libraries = 'dynexit'\ndynamic_library_path = '%s'\ndynexit.mode = '%s'\ndynexit.cells = '%s'\n",
		filepath.Dir(so), mode, cells)
	return conf + strings.Join(extra, "\n")
}

// dynCell is one row of the dynamic matrix.
type dynCell struct {
	Action, Restart, Kind string
	Expected, Observed    string
	DelayMs               int64 // exit line to the next start; -1 if none
}

// logLine returns the first log line matching re, whole, followed by the
// submatches; nil if none.
func logLine(log, re string) []string {
	rx := regexp.MustCompile(re)
	for _, l := range strings.Split(log, "\n") {
		if m := rx.FindStringSubmatch(l); m != nil {
			return append([]string{l}, m[1:]...)
		}
	}
	return nil
}

// msBetween is the time from the line matching re1 to the one matching
// re2 by their log timestamps, or -1.
func msBetween(log, re1, re2 string) int64 {
	l1, l2 := logLine(log, re1), logLine(log, re2)
	if l1 == nil || l2 == nil {
		return -1
	}
	t1, ok1 := lineTime(l1[0])
	t2, ok2 := lineTime(l2[0])
	if !ok1 || !ok2 {
		return -1
	}
	return t2.Sub(t1).Milliseconds()
}

// seqExpected is PostgreSQL's outcome for a dynamic worker that exits
// without a crash, in the words the test also uses for what it saw.
func seqExpected(action, restart string) string {
	clean := action == "exit0" || action == "return"
	switch {
	case clean || restart == "never":
		return "not restarted; slot freed; waiter notified; handle STOPPED"
	case restart == "1":
		return "restarted after 1 s (notified, new pid); slot kept meanwhile; waiter notified; handle STOPPED"
	default:
		return "waiting to restart; slot kept; waiter notified; handle STOPPED; terminate frees the slot"
	}
}

// TestDynamicExitMatrix: every way a dynamic worker can end, against
// PostgreSQL's rules.
//
// Without a crash (one host, the cells one after the other): exit 0 or a
// return unregisters it whatever its restart time (slot freed before its
// waiter is signalled, GetBackgroundWorkerPid → STOPPED); exit 1 (or FATAL)
// with BGW_NEVER_RESTART forgets it the same way; exit 1 with a restart
// time keeps the slot, reports STOPPED until the restart, and restarts it
// after the interval with a new pid (notified again); a worker waiting to
// restart can be terminated, which frees the slot.
//
// With a crash (exit 2, SIGSEGV, abort, or _exit(0), which skips the exit
// callbacks; one host each, crasher never-restart or restart 3600 s):
// a crash cycle; then ResetBackgroundWorkerCrashTimes forgets every
// never-restart dynamic worker (crasher or bystander) and restarts every
// other one at once, ignoring its restart time, with bgw_notify_pid
// cleared; a worker that exited with code 0 (the _exit(0) crasher) is
// not restarted (rw_terminate).
func TestDynamicExitMatrix(t *testing.T) {
	var mu sync.Mutex
	var rows []dynCell
	record := func(c dynCell) {
		mu.Lock()
		rows = append(rows, c)
		mu.Unlock()
	}

	t.Run("cells", func(t *testing.T) {
		t.Run("nocrash", func(t *testing.T) {
			t.Parallel()
			type cell struct{ name, action, restart string }
			var cells []cell
			for _, a := range []string{"exit0", "return", "exit1", "fatal"} {
				for _, r := range []string{"never", "1", "3600"} {
					if (a == "return" || a == "fatal") && r == "1" {
						continue // the same path as exit0 / exit1 with 1
					}
					cells = append(cells, cell{a + "-" + r, a, r})
				}
			}
			var spec []string
			for _, c := range cells {
				spec = append(spec, c.name+":"+c.action+":"+c.restart)
			}
			dir := newDataDir(t, dynexitConf(t, "seq", strings.Join(spec, ","), "max_worker_processes = 2"))
			h := startHost(t, dir)
			h.waitReady()
			h.log.waitFor(t, `dynexit seq done`, 1, 180*time.Second)
			log := h.log.all()
			require.Zero(t, h.log.count(`FAIL`), log)
			for _, c := range cells {
				q := regexp.QuoteMeta(c.name)
				row := dynCell{Action: c.action, Restart: c.restart, Kind: "dynamic", DelayMs: -1}
				row.Expected = seqExpected(c.action, c.restart)

				m := logLine(log, `dynexit `+q+` started pid (\d+)$`)
				require.NotNil(t, m, "cell %s did not start", c.name)
				pid1 := m[1]
				shut := logLine(log, `dynexit `+q+` shutdown status (\w+) notified (\w+)`)
				handle := logLine(log, `dynexit `+q+` handle status (\w+)`)
				slot := logLine(log, `dynexit `+q+` slot (\w+)`)
				require.NotNil(t, shut, c.name)
				require.NotNil(t, handle, c.name)
				require.NotNil(t, slot, c.name)
				notified := shut[2] == "yes" && shut[1] == "STOPPED"
				var obs []string
				restart := logLine(log, `dynexit `+q+` restart status (\w+) pid (\d+) notified (\w+)`)
				terminated := logLine(log, `dynexit `+q+` terminated status (\w+)`)
				after := logLine(log, `dynexit `+q+` after terminate slot (\w+)`)
				switch {
				case slot[1] == "free":
					obs = append(obs, "not restarted", "slot freed")
				case restart != nil && restart[1] == "STARTED" && restart[2] != pid1 && restart[3] == "yes":
					row.DelayMs = msBetween(log, `background worker "dynexit `+q+`" \(PID `+pid1+`\) exited with exit code 1`,
						`dynexit child `+q+` started pid `+restart[2]+` `)
					when := "at once"
					if row.DelayMs >= 950 {
						when = "after 1 s"
					}
					obs = append(obs, "restarted "+when+" (notified, new pid)", "slot kept meanwhile")
				case restart != nil:
					obs = append(obs, fmt.Sprintf("restart seen as %s pid %s (first pid %s) notified %s", restart[1], restart[2], pid1, restart[3]))
				default:
					obs = append(obs, "waiting to restart", "slot kept")
				}
				if notified {
					obs = append(obs, "waiter notified")
				} else {
					obs = append(obs, "waiter not notified ("+shut[1]+")")
				}
				obs = append(obs, "handle "+handle[1])
				if slot[1] == "held" && restart == nil {
					if terminated != nil && terminated[1] == "STOPPED" && after != nil && after[1] == "free" {
						obs = append(obs, "terminate frees the slot")
					} else {
						obs = append(obs, fmt.Sprintf("terminate: %v, slot after: %v", terminated, after))
					}
				}
				row.Observed = strings.Join(obs, "; ")
				// A worker that was not to restart must not have run again.
				if !strings.HasPrefix(row.Expected, "restarted") {
					require.Equal(t, 1, h.log.count(`dynexit child `+q+` started`), "cell %s ran again", c.name)
				}
				record(row)
				require.Equal(t, row.Expected, row.Observed, "cell %s", c.name)
			}
			h.stopClean()
		})

		for _, action := range []string{"exit2", "segv", "abort", "_exit0"} {
			for _, restart := range []string{"never", "3600"} {
				action, restart := action, restart
				t.Run(action+"-"+restart, func(t *testing.T) {
					t.Parallel()
					cells := "keep:wait:3600, keepzero:wait:0, gone:wait:never, crasher:" + action + ":" + restart
					dir := newDataDir(t, dynexitConf(t, "crash", cells, "max_worker_processes = 8"))
					h := startHost(t, dir)
					h.waitReady()
					lm := h.log.waitFor(t, `dynexit launcher started pid (\d+)`, 1, 20*time.Second)
					launcher := lm[1]
					h.log.waitFor(t, `dynexit all started`, 1, 60*time.Second)
					h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 30*time.Second)
					log := h.log.all()
					require.Zero(t, h.log.count(`FAIL`), log)
					require.Equal(t, 1, h.log.count(`terminating any other active server processes`))

					exitRe := map[string]string{
						"exit2":  `exited with exit code 2`,
						"segv":   `was terminated by signal 11: Segmentation fault`,
						"abort":  `was terminated by signal 6: Aborted`,
						"_exit0": `exited with exit code 0`,
					}[action]
					crashLine := logLine(log, `LOG:  background worker "dynexit crasher" \(PID (\d+)\) `+exitRe+`$`)
					require.NotNil(t, crashLine, "the crash was not logged as PostgreSQL does")

					// First pids, from the launcher's handles.
					first := map[string]string{}
					for _, n := range []string{"keep", "keepzero", "gone", "crasher"} {
						m := logLine(log, `dynexit child `+n+` started pid (\d+) notify (\d+)`)
						if m != nil {
							require.Equal(t, launcher, m[2], "%s: notify pid at first start", n)
						}
						m = logLine(log, `LOG:  dynexit `+n+` started pid (\d+)$`)
						if m != nil {
							first[n] = m[1]
						}
					}
					require.Equal(t, crashLine[1], first["crasher"])

					restarts := map[string]bool{"keep": true, "keepzero": true, "gone": false,
						"crasher": restart != "never" && action != "_exit0"}
					// Wait for every worker that must come back: a start with
					// another pid than its first, notify PID cleared.
					for n, back := range restarts {
						if !back {
							continue
						}
						h.log.waitFor(t, `dynexit child `+n+` started pid (\d+) notify (\d+)`, countLines(h, n, first[n])+1, 30*time.Second)
					}
					// Now the registrations are final: the never-restart ones
					// (and the exit-0 crasher) were forgotten at the
					// reinitialisation, so they can never start again.
					// (A child logs its start before the host has its fork
					// reply: wait until the status says running.)
					var rep *libbgworker.ControlReply
					require.Eventually(t, func() bool {
						rep = controlStatus(t, dir)
						for _, w := range rep.Workers {
							if w.State != libbgworker.StateRunning {
								return false
							}
						}
						return true
					}, 20*time.Second, 5*time.Millisecond, "workers not running after the crash cycle")
					names := map[string]bool{}
					for _, w := range rep.Workers {
						names[strings.TrimPrefix(w.Name, "dynexit ")] = true
						require.True(t, w.Dynamic, "%s", w.Name)
					}
					log = h.log.all()
					for n, back := range restarts {
						require.Equal(t, back, names[n], "%s registered after the crash cycle", n)
						var later [][]string
						for _, m := range regexp.MustCompile(`dynexit child `+n+` started pid (\d+) notify (\d+)`).FindAllStringSubmatch(log, -1) {
							if m[1] != first[n] {
								later = append(later, m)
							}
						}
						if back {
							require.Len(t, later, 1, "%s: starts after the cycle", n)
							require.Equal(t, "0", later[0][2], "%s: notify pid not cleared by the crash cycle", n)
						} else {
							require.Empty(t, later, "%s restarted after the crash cycle", n)
						}
					}
					require.False(t, names["launcher"], "the never-restart launcher survived the cycle")
					require.Equal(t, len(rep.Workers), rep.Host.SlotsUsed)

					row := dynCell{Action: action, Restart: restart, Kind: "dynamic", DelayMs: -1}
					row.Expected = "crash cycle; forgotten"
					if restarts["crasher"] {
						row.Expected = "crash cycle; restarted at once; notify PID cleared"
					}
					row.Observed = "crash cycle; forgotten"
					if names["crasher"] {
						row.Observed = "crash cycle; restarted at once; notify PID cleared"
						for _, m := range regexp.MustCompile(`dynexit child crasher started pid (\d+) `).FindAllStringSubmatch(log, -1) {
							if m[1] != first["crasher"] {
								row.DelayMs = msBetween(log, regexp.QuoteMeta(crashLine[0]), `dynexit child crasher started pid `+m[1]+` `)
							}
						}
					}
					record(row)
					require.Equal(t, row.Expected, row.Observed)
					if action == "segv" && restart == "never" {
						// The bystanders, once.
						record(dynCell{Action: "(bystander)", Restart: "3600", Kind: "dynamic",
							Expected: "crash cycle; restarted at once; notify PID cleared",
							Observed: "crash cycle; restarted at once; notify PID cleared", DelayMs: -1})
						record(dynCell{Action: "(bystander)", Restart: "0", Kind: "dynamic",
							Expected: "crash cycle; restarted at once; notify PID cleared",
							Observed: "crash cycle; restarted at once; notify PID cleared", DelayMs: -1})
						record(dynCell{Action: "(bystander)", Restart: "never", Kind: "dynamic",
							Expected: "crash cycle; forgotten", Observed: "crash cycle; forgotten", DelayMs: -1})
					}
					h.stopClean()
				})
			}
		}
	})

	order := map[string]int{"exit0": 0, "return": 1, "exit1": 2, "fatal": 3, "exit2": 4, "segv": 5, "abort": 6, "_exit0": 7, "(bystander)": 8}
	rorder := map[string]int{"0": 0, "1": 1, "3600": 2, "never": 3}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if order[a.Action] != order[b.Action] {
			return order[a.Action] < order[b.Action]
		}
		return rorder[a.Restart] < rorder[b.Restart]
	})
	var b strings.Builder
	fmt.Fprintf(&b, "| exit | restart | PostgreSQL | bgworker | exit→restart ms |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		d := "-"
		if r.DelayMs >= 0 {
			d = strconv.FormatInt(r.DelayMs, 10)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Action, r.Restart, r.Expected, r.Observed, d)
	}
	t.Logf("dynamic exit matrix (%d cells):\n%s", len(rows), b.String())
	recordFigure(t, "dynamic_exit_matrix", rows)
}

// countLines counts the "dynexit child NAME started" lines whose pid is
// the first one (0 or 1: a child SIGQUIT'd right after its fork may not
// have logged).
func countLines(h *host, name, firstPid string) int {
	if firstPid == "" {
		return 0
	}
	return h.log.count(`dynexit child ` + name + ` started pid ` + firstPid + ` `)
}

// TestDynamicForkFailure: the fork of a dynamic worker fails (clone
// EAGAIN, fault-injection build). As PostgreSQL's "could not fork worker
// process" path: a never-restart worker is forgotten and its waiter's
// WaitForBackgroundWorkerStartup returns BGWH_STOPPED (notified, slot
// freed); a worker with a restart time is retried after it, and the
// waiter sees it start.
func TestDynamicForkFailure(t *testing.T) {
	t.Parallel()
	h := forkFailHost(t)
	log := h.log.all()
	require.Zero(t, h.log.count(`FAIL`), log)
	require.Equal(t, 2, h.log.count(`LOG:  could not fork worker process: `), log)
	require.Contains(t, log, "dynexit forkfail-never startup status STOPPED notified yes")
	require.Contains(t, log, "dynexit forkfail-never handle status STOPPED")
	require.Zero(t, h.log.count(`dynexit child forkfail-never started`))
	m := logLine(log, `dynexit forkfail-retry startup status STARTED pid (\d+) notified yes`)
	require.NotNil(t, m, log)
	require.Equal(t, 1, h.log.count(`dynexit child forkfail-retry started pid `+m[1]+` `))
	// Retried after its interval, not at once.
	require.GreaterOrEqual(t, msBetween(log, regexp.QuoteMeta(nthLine(log, `could not fork worker process`, 2)),
		`dynexit child forkfail-retry started`), int64(950), "retried before its restart interval")
	require.Contains(t, log, "dynexit forkfail-retry after terminate slot free")
	h.stopClean()
}

// forkFailHost starts a dynexit host in mode forkfail whose third and
// fourth clones fail (clone 1 is the startup child, 2 the launcher, 3 the
// never-restart child, 4 the first attempt of the restart-1 child), and
// waits until the launcher is done.
func forkFailHost(t *testing.T) *host {
	t.Helper()
	dir := newDataDir(t, dynexitConf(t, "forkfail", "", "max_worker_processes = 2"))
	h := startHostEnv(t, dir, faultyHost(t), []string{"BGWORKER_FAULTS=clone=EAGAIN@3x2"})
	h.waitReady()
	h.log.waitFor(t, `dynexit forkfail done`, 1, 60*time.Second)
	return h
}

// TestDynamicForkFailureMessage: the fork failure is logged with the errno
// text as PostgreSQL's %m prints it, strerror(3)'s capitalised text.
func TestDynamicForkFailureMessage(t *testing.T) {
	t.Parallel()
	h := forkFailHost(t)
	require.Equal(t, 2, h.log.count(`LOG:  could not fork worker process: Resource temporarily unavailable$`), h.log.all())
	h.stopClean()
}

// TestDynamicTerminatedRestartableFreedBeforeNotify: a running dynamic
// worker with a restart time that is terminated (TerminateBackgroundWorker)
// exits with code 1 and, having rw_terminate set, is forgotten before its
// waiter is signalled (PostgreSQL's ReportBackgroundWorkerExit), so one
// registration right after the notification finds the slot free. 200
// rounds: the window, if any, is short.
func TestDynamicTerminatedRestartableFreedBeforeNotify(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, dynexitConf(t, "termrace", "200", "max_worker_processes = 2"))
	h := startHost(t, dir)
	h.waitReady()
	m := h.log.waitFor(t, `dynexit termrace held (\d+) of 200`, 1, 180*time.Second)
	require.Zero(t, h.log.count(`FAIL`), h.log.all())
	require.Equal(t, "0", m[1], "rounds in which the slot was still held after the exit notification")
	h.stopClean()
}
