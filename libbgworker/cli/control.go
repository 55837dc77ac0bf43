package cli

// This file holds the commands that talk to a running host over its
// control socket: status (a table or JSON), launch and terminate.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bgworker/bgworker/libbgworker"
)

// status prints the host and its workers (with summary, only how many are
// in each state); exit 3 when nothing runs, as pg_ctl status. Without a
// control socket it says what the lock file says.
func status(dir string, jsonOut, summary bool, stdout, stderr io.Writer, prog string) int {
	if dir == "" {
		fmt.Fprintf(stderr, "%s: no data directory specified (use -D DIR)\n", prog)
		return 1
	}
	abs, _ := filepath.Abs(dir)
	l, err := libbgworker.ReadLockFile(abs)
	if err != nil || !l.Alive() {
		if jsonOut {
			fmt.Fprintln(stdout, `{"running":false}`)
		} else {
			fmt.Fprintf(stdout, "%s: no server running\n", prog)
		}
		return 3
	}
	rep, err := libbgworker.ControlDo(abs, libbgworker.ControlRequest{Op: libbgworker.OpStatus, Summary: summary})
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
	printStatus(stdout, prog, rep, summary)
	return 0
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

// launch is `bgworker launch`.
func launch(fset *flag.FlagSet, args []string, dataDir *string, stdout io.Writer, fail func(error) int) int {
	var spec libbgworker.LaunchSpec
	fset.StringVar(&spec.Library, "library", "", "library (bgw_library_name)")
	fset.StringVar(&spec.Function, "function", "", "entry point (bgw_function_name)")
	fset.StringVar(&spec.Name, "name", "", "bgw_name (default: the function name)")
	fset.StringVar(&spec.Type, "type", "", "bgw_type (default: the name)")
	fset.Int64Var(&spec.Arg, "arg", 0, "bgw_main_arg, an integer")
	restart := fset.String("restart-time", "never", "seconds before a restart, or never")
	flags := fset.String("flags", "shmem", "comma-separated: shmem, database")
	fset.StringVar(&spec.StartTime, "start-time", "recovery-finished", "postmaster-start, consistent or recovery-finished")
	fset.StringVar(&spec.Extra, "extra", "", "bgw_extra, as text")
	wait := fset.Bool("wait", false, "wait until the worker runs and print its pid")
	secs := fset.Int("t", 60, "seconds to wait")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument \"%s\"", fset.Arg(0)))
	}
	if *dataDir == "" {
		return fail(errors.New("no data directory specified (use -D DIR)"))
	}
	if spec.Library == "" || spec.Function == "" {
		return fail(errors.New("--library and --function are required"))
	}
	if *restart != "never" {
		n, err := strconv.Atoi(strings.TrimSuffix(*restart, "s"))
		if err != nil || n < 0 {
			return fail(fmt.Errorf("invalid --restart-time \"%s\": use a number of seconds or never", *restart))
		}
		spec.RestartTime = &n
	}
	for _, f := range strings.Split(*flags, ",") {
		if f = strings.TrimSpace(f); f != "" && f != "none" {
			spec.Flags = append(spec.Flags, f)
		}
	}
	rep, err := libbgworker.ControlDo(*dataDir, libbgworker.ControlRequest{Op: libbgworker.OpLaunch, Launch: &spec})
	if err != nil {
		return fail(err)
	}
	w := rep.Workers[0]
	if !*wait {
		fmt.Fprintf(stdout, "background worker \"%s\" registered in slot %d\n", w.Name, w.Slot)
		return 0
	}
	ws, err := libbgworker.WaitLaunched(*dataDir, w.Slot, w.Generation, time.Duration(*secs)*time.Second)
	if err != nil {
		return fail(err)
	}
	if ws.State == libbgworker.StateRunning {
		fmt.Fprintf(stdout, "%d\n", ws.Pid)
		return 0
	}
	reason := ws.LastExit
	if reason == "" {
		reason = "it was stopped before it started"
	}
	return fail(fmt.Errorf("background worker \"%s\" is not running (%s): %s; see the server log", w.Name, ws.State, reason))
}

// terminate is `bgworker terminate`.
func terminate(fset *flag.FlagSet, args []string, dataDir *string, stdout io.Writer, fail func(error) int) int {
	pid := fset.Int("pid", 0, "the worker's pid")
	name := fset.String("name", "", "the workers' bgw_name")
	slot := fset.Int("slot", -1, "the worker's slot")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if fset.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument \"%s\"", fset.Arg(0)))
	}
	if *dataDir == "" {
		return fail(errors.New("no data directory specified (use -D DIR)"))
	}
	req := libbgworker.ControlRequest{Op: libbgworker.OpTerminate}
	n := 0
	if *pid != 0 {
		req.Pid = *pid
		n++
	}
	if *name != "" {
		req.Name = *name
		n++
	}
	if *slot >= 0 {
		req.Slot = slot
		n++
	}
	if n != 1 {
		return fail(errors.New("give exactly one of --pid, --name and --slot"))
	}
	rep, err := libbgworker.ControlDo(*dataDir, req)
	if err != nil {
		return fail(err)
	}
	for _, w := range rep.Workers {
		if w.Pid > 0 {
			fmt.Fprintf(stdout, "background worker \"%s\" (PID %d) terminating\n", w.Name, w.Pid)
		} else {
			fmt.Fprintf(stdout, "background worker \"%s\" (slot %d) unregistered\n", w.Name, w.Slot)
		}
	}
	return 0
}
