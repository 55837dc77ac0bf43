package cli

// This file holds the commands that talk to a running host over its
// control socket: status (a table or JSON), launch and terminate.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bgworker/bgworker/libbgworker"
)

// statusView is what `bgworker status` shows.
type statusView struct {
	json    bool   // JSON for programs (with the workers' history)
	summary bool   // only how many workers are in each state
	history bool   // the workers' recent exits and failed starts
	name    string // with history: only the workers of this bgw_name
}

// status prints the host and its workers (with summary, only how many are
// in each state); exit 3 when nothing runs, as pg_ctl status. Without a
// control socket it says what the lock file says. abs is a checked data
// directory.
func status(abs string, v statusView, stdout, stderr io.Writer, prog string) int {
	jsonOut, summary := v.json, v.summary
	l, err := libbgworker.ReadLockFile(abs)
	if err != nil || !l.Alive() {
		if jsonOut {
			fmt.Fprintln(stdout, `{"running":false}`)
		} else {
			fmt.Fprintf(stdout, "%s: no server running\n", prog)
		}
		return 3
	}
	rep, err := libbgworker.ControlDo(abs, libbgworker.ControlRequest{Op: libbgworker.OpStatus, Summary: summary,
		History: !summary && (v.history || v.json)})
	if err != nil {
		if jsonOut {
			b, _ := json.Marshal(map[string]any{"running": true, "pid": l.Pid, "data_directory": l.DataDir,
				"status": l.Status, "error": err.Error()})
			fmt.Fprintln(stdout, string(b))
			return 0
		}
		fmt.Fprintf(stdout, "%s: server is running (PID: %d)\n", prog, l.Pid)
		fmt.Fprintf(stdout, "  data directory: %s\n  started: %s\n  status: %s\n", l.DataDir,
			l.StartTime.Format(time.RFC3339), l.Status)
		fmt.Fprintf(stdout, "  (no worker details: %v)\n", err)
		return 0
	}
	if v.name != "" {
		var kept []libbgworker.WorkerStatus
		for _, w := range rep.Workers {
			if w.Name == v.name {
				kept = append(kept, w)
			}
		}
		if len(kept) == 0 {
			fmt.Fprintf(stderr, "%s: no background worker named \"%s\"\n", prog, v.name)
			return 1
		}
		rep.Workers = kept
	}
	if jsonOut {
		out := map[string]any{"running": true, "host": rep.Host}
		if summary {
			out["counts"] = workerCounts(rep)
		} else {
			out["workers"] = rep.Workers
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	if v.history {
		printHistory(stdout, rep)
		return 0
	}
	printStatus(stdout, prog, rep, summary)
	return 0
}

// printHistory renders each worker's last exits and failed starts, oldest
// first, one line each.
func printHistory(out io.Writer, rep *libbgworker.ControlReply) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SLOT\tNAME\tTIME\tPID\tEVENT\tRAN FOR\tCRASH CYCLE")
	rows := 0
	for _, w := range rep.Workers {
		if w.History == nil {
			continue
		}
		type row struct {
			at   time.Time
			line string
		}
		var rs []row
		for _, e := range w.History.Exits {
			cycle := "no"
			if e.CrashCycle {
				cycle = "started one"
			}
			rs = append(rs, row{e.At, fmt.Sprintf("%d\t%s\t%s\t%d\t%s\t%s\t%s", w.Slot, w.Name,
				e.At.Format("2006-01-02 15:04:05.000"), e.Pid, e.Exit,
				time.Duration(e.RanSeconds*float64(time.Second)).Round(time.Millisecond), cycle)})
		}
		for _, f := range w.History.Failures {
			rs = append(rs, row{f.At, fmt.Sprintf("%d\t%s\t%s\t-\t%s\t-\t-", w.Slot, w.Name,
				f.At.Format("2006-01-02 15:04:05.000"), f.Error)})
		}
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].at.Before(rs[j].at) })
		for _, r := range rs {
			fmt.Fprintln(tw, r.line)
			rows++
		}
	}
	if rows == 0 {
		fmt.Fprintln(out, "no exits and no failed starts recorded")
		return
	}
	tw.Flush()
}

// stateCount is how many workers are in one state.
type stateCount struct {
	state string
	n     int
}

// workerStates lists the states a worker reports, in the order a person
// reads them: running first, the end of the road last.
var workerStates = []string{
	libbgworker.StateRunning, libbgworker.StateStarting, libbgworker.StateWaitingStart,
	libbgworker.StateWaitingPhase, libbgworker.StateWaitingRestart, libbgworker.StateCrashed,
	libbgworker.StateStopped,
}

// workerCounts is how many workers of rep are in each state: the host's
// counts for a summary, else counted from its workers.
func workerCounts(rep *libbgworker.ControlReply) map[string]int {
	if rep.Counts != nil {
		return rep.Counts
	}
	n := map[string]int{}
	for _, w := range rep.Workers {
		n[w.State]++
	}
	return n
}

// stateCounts is workerCounts in workerStates order, leaving out states no
// worker is in; a state this CLI does not know comes last.
func stateCounts(rep *libbgworker.ControlReply) []stateCount {
	n := maps.Clone(workerCounts(rep))
	var out []stateCount
	for _, st := range workerStates {
		if n[st] > 0 {
			out = append(out, stateCount{st, n[st]})
			delete(n, st)
		}
	}
	var other []string
	for st := range n {
		other = append(other, st)
	}
	sort.Strings(other)
	for _, st := range other {
		out = append(out, stateCount{st, n[st]})
	}
	return out
}

// printStatus renders a status reply for a person; with summary, the host
// and the counts of workers by state without the table.
func printStatus(out io.Writer, prog string, rep *libbgworker.ControlReply, summary bool) {
	h := rep.Host
	fmt.Fprintf(out, "%s: server is running (PID: %d)\n", prog, h.Pid)
	phase := h.Phase
	if h.CrashCycle {
		phase += " (recovering from a crash)"
	}
	if h.ShutdownReq != "" {
		phase += " (" + h.ShutdownReq + " shutdown requested)"
	}
	fmt.Fprintf(out, "  version:        %s\n", h.Version)
	fmt.Fprintf(out, "  phase:          %s\n", phase)
	fmt.Fprintf(out, "  uptime:         %s (since %s)\n", time.Duration(h.UptimeSecs*float64(time.Second)).Round(time.Second), h.StartedAt.Format(time.RFC3339))
	fmt.Fprintf(out, "  data directory: %s\n", h.DataDir)
	fmt.Fprintf(out, "  shared memory:  %s\n", humanBytes(h.SharedMem))
	fmt.Fprintf(out, "  worker slots:   %d used of %d\n", h.SlotsUsed, h.SlotsTotal)
	var counts []string
	for _, c := range stateCounts(rep) {
		counts = append(counts, fmt.Sprintf("%d %s", c.n, c.state))
	}
	if len(counts) == 0 {
		counts = []string{"none"}
	}
	fmt.Fprintf(out, "  workers:        %s\n", strings.Join(counts, ", "))
	if summary {
		return
	}
	if len(rep.Workers) == 0 {
		fmt.Fprintln(out, "\nno background workers")
		return
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SLOT\tNAME\tKIND\tSTATE\tPID\tSTARTED\tRESTARTS\tLAST EXIT\tACTIVITY / WAIT\tFUNCTION\tFLAGS\tSTART\tRESTART")
	now := time.Now()
	for _, w := range rep.Workers {
		kind := "static"
		if w.Dynamic {
			kind = "dynamic"
		}
		state := w.State
		if w.RestartAt != nil {
			state += " at " + w.RestartAt.Format("15:04:05")
		}
		pid, started := "-", "-"
		if w.Pid > 0 {
			pid = strconv.Itoa(w.Pid)
		}
		if w.StartedAt != nil {
			started = ago(now, *w.StartedAt)
		}
		last := "-"
		if w.LastExit != "" {
			last = w.LastExit
			if w.LastExitAt != nil {
				last += " (" + ago(now, *w.LastExitAt) + ")"
			}
		}
		act := "-"
		if w.Activity != "" || w.WaitEvent != "" {
			act = strings.TrimSpace(w.Activity)
			if w.WaitEvent != "" {
				if act != "" {
					act += " / "
				}
				act += w.WaitType + ":" + w.WaitEvent
			}
		}
		name := w.Name
		if w.Type != "" && w.Type != w.Name {
			name += " [" + w.Type + "]"
		}
		flags := strings.Join(w.Flags, ",")
		if flags == "" {
			flags = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s:%s\t%s\t%s\t%s\n", w.Slot, name, kind, state,
			pid, started, w.Restarts, last, act, w.Library, w.Function, flags, w.StartTime, w.RestartTime)
	}
	tw.Flush()
}

// ago renders how long before now t was, rounded for reading.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return t.Format("2006-01-02 15:04")
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// launchOptions are `bgworker launch`'s options.
var launchOptions = []option{optPgdata,
	{"", "library", "L", "library (bgw_library_name)"},
	{"", "function", "F", "entry point (bgw_function_name)"},
	{"", "name", "N", "bgw_name (default: the function name)"},
	{"", "type", "T", "bgw_type (default: the name)"},
	{"", "arg", "INT", "bgw_main_arg, an integer"},
	{"", "restart-time", "SECS", "seconds before a restart, or never (the default)"},
	{"", "flags", "LIST", "comma-separated: shmem (the default), database, none"},
	{"", "start-time", "WHEN", "postmaster-start, consistent or recovery-finished (the default)"},
	{"", "extra", "TEXT", "bgw_extra, as text"},
	{"", "wait", "", "wait until the worker runs and print its pid"},
	{"t", "timeout", "SECS", "seconds to wait with --wait (default 60)"},
}

// runLaunch is `bgworker launch`.
func runLaunch(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	spec := libbgworker.LaunchSpec{Library: c.p.str("library", ""), Function: c.p.str("function", ""),
		Name: c.p.str("name", ""), Type: c.p.str("type", ""), StartTime: c.p.str("start-time", "recovery-finished"),
		Extra: c.p.str("extra", "")}
	if spec.Library == "" || spec.Function == "" {
		return c.fail(errors.New("--library and --function are required"))
	}
	if c.p.has("arg") {
		n, err := strconv.ParseInt(c.p.str("arg", ""), 0, 64)
		if err != nil {
			return c.errorf("invalid --arg \"%s\": use an integer", c.p.str("arg", ""))
		}
		spec.Arg = n
	}
	if restart := c.p.str("restart-time", "never"); restart != "never" {
		n, err := strconv.Atoi(strings.TrimSuffix(restart, "s"))
		if err != nil || n < 0 {
			return c.fail(fmt.Errorf("invalid --restart-time \"%s\": use a number of seconds or never", restart))
		}
		spec.RestartTime = &n
	}
	for _, f := range strings.Split(c.p.str("flags", "shmem"), ",") {
		if f = strings.TrimSpace(f); f != "" && f != "none" {
			spec.Flags = append(spec.Flags, f)
		}
	}
	timeout, err := c.timeout()
	if err != nil {
		return c.fail(err)
	}
	rep, err := libbgworker.ControlDo(dir, libbgworker.ControlRequest{Op: libbgworker.OpLaunch, Launch: &spec})
	if err != nil {
		return c.fail(err)
	}
	w := rep.Workers[0]
	if !c.p.has("wait") {
		fmt.Fprintf(c.stdout, "background worker \"%s\" registered in slot %d\n", w.Name, w.Slot)
		return 0
	}
	ws, err := libbgworker.WaitLaunched(dir, w.Slot, w.Generation, timeout)
	if err != nil {
		return c.fail(err)
	}
	if ws.State == libbgworker.StateRunning {
		fmt.Fprintf(c.stdout, "%d\n", ws.Pid)
		return 0
	}
	reason := ws.LastExit
	if reason == "" {
		reason = "it was stopped before it started"
	}
	return c.fail(fmt.Errorf("background worker \"%s\" is not running (%s): %s; see the server log", w.Name, ws.State, reason))
}

// runTerminate is `bgworker terminate`.
func runTerminate(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	req := libbgworker.ControlRequest{Op: libbgworker.OpTerminate}
	n := 0
	if c.p.has("pid") {
		pid, err := strconv.Atoi(c.p.str("pid", ""))
		if err != nil || pid <= 0 {
			return c.errorf("invalid --pid \"%s\"", c.p.str("pid", ""))
		}
		req.Pid = pid
		n++
	}
	if c.p.has("name") {
		req.Name = c.p.str("name", "")
		n++
	}
	if c.p.has("slot") {
		slot, err := strconv.Atoi(c.p.str("slot", ""))
		if err != nil || slot < 0 {
			return c.errorf("invalid --slot \"%s\"", c.p.str("slot", ""))
		}
		req.Slot = &slot
		n++
	}
	if n != 1 {
		return c.fail(errors.New("give exactly one of --pid, --name and --slot"))
	}
	rep, err := libbgworker.ControlDo(dir, req)
	if err != nil {
		return c.fail(err)
	}
	for _, w := range rep.Workers {
		if w.Pid > 0 {
			fmt.Fprintf(c.stdout, "background worker \"%s\" (PID %d) terminating\n", w.Name, w.Pid)
		} else {
			fmt.Fprintf(c.stdout, "background worker \"%s\" (slot %d) unregistered\n", w.Name, w.Slot)
		}
	}
	return 0
}
