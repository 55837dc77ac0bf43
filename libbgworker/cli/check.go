package cli

// This file holds `bgworker check` and the report of `bgworker reload`:
// both print configuration problems as the host logs them, with the file
// and line of the setting. CLI process; the check's loading of modules
// happens in a throw-away process (libbgworker.CheckConfig).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

// printProblem writes one problem as the log would show it, with the file
// and line of the setting appended when the message does not name them.
func printProblem(w io.Writer, level, msg, detail, hint, file string, line int) {
	if file != "" {
		msg = fmt.Sprintf("%s in file \"%s\" line %d", msg, file, line)
	}
	fmt.Fprintf(w, "%s:  %s\n", level, msg)
	if detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", detail)
	}
	if hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", hint)
	}
}

// reportReload prints what the host made of the configuration file: 0 if
// it applied all of it, 1 (with the problems) if it contains errors.
func (c *invocation) reportReload(res *libbgworker.ReloadResult) int {
	if res == nil {
		return 0 // signalled without the control socket: the outcome is unknown
	}
	switch res.Outcome {
	case libbgworker.ReloadApplied:
		if len(res.Changes) == 0 {
			c.info("configuration file \"%s\" applied; no parameter changed\n", res.File)
		} else {
			c.info("configuration file \"%s\" applied:\n", res.File)
			for _, ch := range res.Changes {
				c.info("  %s\n", ch)
			}
		}
		return 0
	case libbgworker.ReloadPartly:
		for _, ch := range res.Changes {
			c.info("  %s\n", ch)
		}
		c.errorf("configuration file \"%s\" contains errors; unaffected changes were applied", res.File)
	default:
		c.errorf("configuration file \"%s\" contains errors; no changes were applied", res.File)
	}
	for _, p := range res.Problems {
		printProblem(c.stderr, p.Level, p.Message, p.Detail, p.Hint, p.File, p.Line)
	}
	return 1
}

// checkChildCommand is the hidden command the check runs itself as.
const checkChildCommand = "__check-process"

// runCheck is `bgworker check`: it runs this binary again as a throw-away
// process that reads the configuration and loads the preload libraries
// (libbgworker.CheckConfig), prints each problem it reports, and exits 1
// if there was any. A library that crashes that process is a problem too.
func runCheck(c *invocation) int {
	abs, ok := c.accessibleDataDir()
	if !ok {
		return 1
	}
	if _, err := settingsFrom(c.p.all("c")); err != nil {
		return c.fail(err)
	}
	exe, err := os.Executable()
	if err != nil {
		return c.errorf("could not find the bgworker program: %v", err)
	}
	args := []string{c.prog, checkChildCommand, "-D", abs}
	for _, s := range c.p.all("c") {
		args = append(args, "-c", s)
	}
	var out, errOut bytes.Buffer
	cmd := &exec.Cmd{Path: exe, Args: args, Stdout: &out, Stderr: &errOut}
	flush(c.stderr)
	runErr := cmd.Run()
	problems := 0
	var done *libbgworker.CheckReport
	dec := json.NewDecoder(&out)
	for {
		var r libbgworker.CheckReport
		if dec.Decode(&r) != nil {
			break
		}
		if r.Problem != nil {
			problems++
			p := r.Problem
			printProblem(c.stdout, p.Level, p.Message, p.Detail, p.Hint, p.File, p.Line)
		}
		if r.Done {
			done = &r
		}
	}
	if done != nil {
		// What the libraries logged while loading (their own lines).
		c.stderr.Write(errOut.Bytes())
	} else {
		// The process died (a library crashed it in _PG_init, most likely).
		// A fault in C code reaches the Go runtime's handler, which exits 2
		// after naming the signal: report the signal, not the traceback.
		what := "exited without a report"
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				what = fmt.Sprintf("was terminated by signal %d: %s", ws.Signal(), signalName(ws.Signal()))
			} else if m := goFault.FindSubmatch(errOut.Bytes()); m != nil && unix.SignalNum(string(m[1])) != 0 {
				sig := unix.SignalNum(string(m[1]))
				what = fmt.Sprintf("was terminated by signal %d: %s", sig, signalName(sig))
			} else {
				what = fmt.Sprintf("exited with exit code %d", ee.ExitCode())
			}
		} else if runErr != nil {
			what = errText(runErr)
		}
		printProblem(c.stdout, "FATAL", "the process checking the configuration "+what, "",
			"It was loading shared_preload_libraries; a library's _PG_init may have crashed it.", "", 0)
		problems++
	}
	file := filepath.Join(abs, libbgworker.ConfigFileName)
	if problems > 0 {
		flush(c.stdout)
		return c.errorf("configuration file \"%s\" contains errors", file)
	}
	c.info("configuration file \"%s\" is valid", file)
	if n := len(done.Libraries); n > 0 {
		c.info("; %d %s loaded", n, map[bool]string{true: "library", false: "libraries"}[n == 1])
	}
	c.info("\n")
	return 0
}

// runCheckProcess is the hidden command runCheck starts.
func runCheckProcess(args []string, stdout io.Writer) int {
	p, err := parseOptions([]option{optPgdata, optSetting}, args)
	if err != nil {
		return 2
	}
	settings, err := settingsFrom(p.all("c"))
	if err != nil {
		return 2
	}
	return libbgworker.CheckConfig(libbgworker.Options{DataDir: p.str("pgdata", ""), Settings: settings}, stdout)
}

// goFault finds the signal in the Go runtime's report of a fault in C
// code: a line "SIGSEGV: segmentation violation" (or "[signal SIGSEGV: ...").
var goFault = regexp.MustCompile(`(?m)^\[?(?:signal )?(SIG[A-Z]+): `)

// signalName is strsignal's text for the common signals.
func signalName(s syscall.Signal) string {
	name := s.String()
	if name == "" {
		return "unknown signal"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
