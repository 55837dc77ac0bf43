package cli

// This file holds pg_ctl's verbs on the bgworker command: start (in the
// foreground, or detached in the background with a log file and a wait
// until the host is ready), stop, restart, reload, logrotate, promote and
// the data-directory checks behind status's exit codes. Messages and exit
// statuses are pg_ctl's. CLI process; no C (a background start re-executes
// this binary; it never forks the Go process).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/bgworker/bgworker/libbgworker"
)

// defaultWait is pg_ctl's default -t.
const defaultWait = 60 * time.Second

// waitPoll is how often a wait looks at the lock file; a dot is printed
// every second, as pg_ctl does.
const waitPoll = 100 * time.Millisecond

// timeout is -t/--timeout, or pg_ctl's default.
func (c *invocation) timeout() (time.Duration, error) {
	if !c.p.has("timeout") {
		return defaultWait, nil
	}
	v := c.p.str("timeout", "")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid timeout \"%s\": use a number of seconds", v)
	}
	return time.Duration(n) * time.Second, nil
}

// expandMode accepts pg_ctl's one-letter abbreviations.
func expandMode(m string) string {
	switch m {
	case "s":
		return libbgworker.ModeSmart
	case "f":
		return libbgworker.ModeFast
	case "i":
		return libbgworker.ModeImmediate
	}
	return m
}

// mode is -m/--mode, checked.
func (c *invocation) mode() (string, error) {
	m := expandMode(c.p.str("mode", libbgworker.ModeFast))
	if m != libbgworker.ModeSmart && m != libbgworker.ModeFast && m != libbgworker.ModeImmediate {
		return "", fmt.Errorf("unrecognized shutdown mode \"%s\"", c.p.str("mode", ""))
	}
	return m, nil
}

// dataDirProblem is why a data directory cannot be used, with the exit
// status pg_ctl status gives for it (4: no accessible data directory).
type dataDirProblem struct{ msg string }

func (e *dataDirProblem) Error() string { return e.msg }

// checkDataDir looks at dir as pg_ctl's get_pgpid does before reading the
// lock file: it must exist, be reachable, hold a configuration file, and
// its lock file, if any, must be readable. Anything else is a
// *dataDirProblem; a missing lock file is not a problem.
func checkDataDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", &dataDirProblem{fmt.Sprintf("could not access directory \"%s\": %v", dir, err)}
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", &dataDirProblem{fmt.Sprintf("directory \"%s\" does not exist", abs)}
	case err != nil:
		return "", &dataDirProblem{fmt.Sprintf("could not access directory \"%s\": %s", abs, errText(err))}
	case !st.IsDir():
		return "", &dataDirProblem{fmt.Sprintf("\"%s\" is not a directory", abs)}
	}
	conf := filepath.Join(abs, libbgworker.ConfigFileName)
	if _, err := os.Stat(conf); errors.Is(err, fs.ErrNotExist) {
		return "", &dataDirProblem{fmt.Sprintf("directory \"%s\" is not a bgworker data directory", abs)}
	} else if err != nil {
		return "", &dataDirProblem{fmt.Sprintf("could not access file \"%s\": %s", conf, errText(err))}
	}
	lock := filepath.Join(abs, libbgworker.LockFileName)
	if f, err := os.Open(lock); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", &dataDirProblem{fmt.Sprintf("could not open PID file \"%s\": %s", lock, errText(err))}
	}
	return abs, nil
}

// errText is the text PostgreSQL prints for err's errno ("Permission
// denied"), else err's own text.
func errText(err error) string { return libbgworker.ErrnoText(err) }

// runningLock is the lock file of a live host in abs, or nil.
func runningLock(abs string) *libbgworker.LockInfo {
	l, err := libbgworker.ReadLockFile(abs)
	if err != nil || !l.Alive() {
		return nil
	}
	return l
}

// runStart is `bgworker start`: in the foreground (the host runs in this
// process, for a service manager or a terminal), or, with -l, -w, -W or
// -t, in the background as pg_ctl start.
func runStart(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	settings, err := settingsFrom(c.p.all("c"))
	if err != nil {
		return c.fail(err)
	}
	allowRoot := c.p.has("allow-root")
	if c.p.has("options") {
		words, err := splitWords(c.p.str("options", ""))
		if err != nil {
			return c.fail(err)
		}
		more, root, err := hostOptions(words)
		if err != nil {
			return c.fail(err)
		}
		settings = append(more, settings...)
		allowRoot = allowRoot || root
	}
	background := c.p.has("log") || c.p.has("wait") || c.p.has("no-wait") || c.p.has("timeout")
	if !background {
		return libbgworker.Run(libbgworker.Options{DataDir: dir, Settings: settings,
			AllowRoot: allowRoot, Program: c.prog})
	}
	if c.p.has("wait") && c.p.has("no-wait") {
		return c.errorf("options -w and -W cannot be used together")
	}
	return c.startBackground(dir, settings, allowRoot)
}

// startBackground runs the host detached from this process and its
// terminal: this binary again (os/exec; the Go process itself is never
// forked), in a new session, stdin from /dev/null, its output appended to
// -l FILE or else left on this command's stdout and stderr. Unless -W, it
// waits until the lock file says the host is ready (or a standby), the
// host exits, or -t runs out, printing pg_ctl's messages; the exit status
// is pg_ctl's (0 started, 1 not).
func (c *invocation) startBackground(dir string, settings [][2]string, allowRoot bool) int {
	if libbgworker.EmbeddedHost {
		return c.errorf("a program that embeds bgworker cannot start the host in the background; run the program itself in the background")
	}
	// This process only waits: it never becomes the supervisor, so the
	// signals the executable held since it began (for a start in the
	// foreground) go back to their default actions, and Ctrl-C ends the
	// wait as it ends pg_ctl's. The host runs in its own session.
	if libbgworker.SignalsTaken != nil {
		libbgworker.SignalsTaken()
	}
	timeout, err := c.timeout()
	if err != nil {
		return c.fail(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return c.fail(err)
	}
	if runningLock(abs) != nil {
		fmt.Fprintf(c.stderr, "%s: another server might be running; trying to start server anyway\n", c.prog)
		flush(c.stderr)
	}
	exe, err := os.Executable()
	if err != nil {
		return c.errorf("could not find the bgworker program: %v", err)
	}
	args := []string{c.prog, "start", "-D", abs}
	for _, s := range settings {
		args = append(args, "-c", s[0]+"="+s[1])
	}
	if allowRoot {
		args = append(args, "--allow-root")
	}
	cmd := &exec.Cmd{Path: exe, Args: args, SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if c.p.has("log") {
		path := c.p.str("log", "")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return c.errorf("could not open log file \"%s\": %s", path, errText(err))
		}
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	} else {
		flush(c.stdout)
		flush(c.stderr)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return c.errorf("could not start server: %s", errText(err))
	}
	if c.p.has("no-wait") {
		cmd.Process.Release()
		c.info("server starting\n")
		return 0
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	c.info("waiting for server to start...")
	deadline := time.Now().Add(timeout)
	nextDot := time.Now().Add(time.Second)
	for {
		if l, err := libbgworker.ReadLockFile(abs); err == nil && l.Pid == cmd.Process.Pid &&
			(l.Status == "ready" || l.Status == "standby") {
			c.info(" done\n")
			c.info("server started\n")
			return 0
		}
		select {
		case <-exited:
			c.info(" stopped waiting\n")
			c.errorf("could not start server")
			fmt.Fprintf(c.stderr, "Examine the log output.\n")
			return 1
		case <-time.After(waitPoll):
		}
		if time.Now().After(deadline) {
			c.info(" stopped waiting\n")
			return c.errorf("server did not start in time")
		}
		if time.Now().After(nextDot) {
			c.info(".")
			nextDot = nextDot.Add(time.Second)
		}
	}
}

// waitStopped waits until the host l names has exited, printing pg_ctl's
// progress; false when timeout ran out first.
func (c *invocation) waitStopped(l *libbgworker.LockInfo, timeout time.Duration) bool {
	c.info("waiting for server to shut down...")
	deadline := time.Now().Add(timeout)
	nextDot := time.Now().Add(time.Second)
	for l.Alive() {
		if time.Now().After(deadline) {
			c.info(" failed\n")
			c.errorf("server does not shut down")
			return false
		}
		time.Sleep(10 * time.Millisecond)
		if time.Now().After(nextDot) {
			c.info(".")
			nextDot = nextDot.Add(time.Second)
		}
	}
	c.info(" done\n")
	c.info("server stopped\n")
	return true
}

// runStop is `bgworker stop`.
func runStop(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	mode, err := c.mode()
	if err != nil {
		return c.fail(err)
	}
	timeout, err := c.timeout()
	if err != nil {
		return c.fail(err)
	}
	abs, err := checkDataDir(dir)
	if err != nil {
		return c.fail(err)
	}
	l, _ := libbgworker.ReadLockFile(abs)
	if err := libbgworker.StopHost(abs, mode, false, 0); err != nil {
		return c.fail(err)
	}
	if c.p.has("no-wait") {
		c.info("server shutting down\n")
		return 0
	}
	if !c.waitStopped(l, timeout) {
		return 1
	}
	return 0
}

// runRestart is `bgworker restart`: stop the host if it runs (waiting for
// it), then start it in the background with the options it ran with
// (bgworker.opts, written by the host at start) unless -o gives others,
// logging to the file it logged to unless -l gives another.
func runRestart(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	mode, err := c.mode()
	if err != nil {
		return c.fail(err)
	}
	timeout, err := c.timeout()
	if err != nil {
		return c.fail(err)
	}
	abs, err := checkDataDir(dir)
	if err != nil {
		return c.fail(err)
	}
	var words []string
	if c.p.has("options") {
		words, err = splitWords(c.p.str("options", ""))
	} else {
		words, err = libbgworker.ReadOptsFile(abs)
	}
	if err != nil {
		return c.fail(err)
	}
	settings, allowRoot, err := hostOptions(words)
	if err != nil {
		return c.fail(err)
	}
	if l := runningLock(abs); l != nil {
		if !c.p.has("log") {
			if path := hostLogFile(l.Pid); path != "" {
				c.p.vals["log"] = []string{path}
			}
		}
		if err := libbgworker.StopHost(abs, mode, false, 0); err != nil {
			return c.fail(err)
		}
		if !c.waitStopped(l, timeout) {
			return 1
		}
	} else {
		fmt.Fprintf(c.stderr, "%s: PID file \"%s\" does not exist\n", c.prog, filepath.Join(abs, libbgworker.LockFileName))
		fmt.Fprintf(c.stderr, "Is server running?\n")
		fmt.Fprintf(c.stderr, "trying to start server anyway\n")
		flush(c.stderr)
	}
	return c.startBackground(abs, settings, allowRoot)
}

// hostLogFile is the regular file the host pid writes its stderr to (the
// -l FILE it was started with), or "": restart keeps logging there, where
// pg_ctl would send the new server's output to the terminal.
func hostLogFile(pid int) string {
	path, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/2", pid))
	if err != nil || !filepath.IsAbs(path) {
		return ""
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return "" // a pipe, a terminal, or a file deleted since
	}
	return path
}

// runReload is `bgworker reload`: it says whether the host applied the
// new configuration (the host's answer), as the log does.
func runReload(c *invocation) int {
	abs, ok := c.accessibleDataDir()
	if !ok {
		return 1
	}
	res, err := libbgworker.ReloadHostResult(abs)
	if err != nil {
		return c.fail(err)
	}
	c.info("server signaled\n")
	return c.reportReload(res)
}

// runLogrotate is `bgworker logrotate`.
func runLogrotate(c *invocation) int {
	return c.requestHost(libbgworker.LogrotateHost, "server signaled to rotate log file\n")
}

// runPromote is `bgworker promote`.
func runPromote(c *invocation) int {
	return c.requestHost(libbgworker.PromoteHost, "server promoting\n")
}

// requestHost is the shape of the verbs that only ask the running host
// for something: the data directory checked as pg_ctl checks it, the
// request made, pg_ctl's message printed.
func (c *invocation) requestHost(request func(dataDir string) error, done string) int {
	abs, ok := c.accessibleDataDir()
	if !ok {
		return 1
	}
	if err := request(abs); err != nil {
		return c.fail(err)
	}
	c.info("%s", done)
	return 0
}

// runStatus is `bgworker status`: exit 0 running, 3 not running, 4 no
// accessible data directory (pg_ctl's, from the LSB's status codes).
func runStatus(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	abs, err := checkDataDir(dir)
	if err != nil {
		c.fail(err)
		return 4
	}
	name := ""
	if len(c.p.args) > 0 {
		if !c.p.has("history") {
			return c.errorf("a worker name is only taken with --history")
		}
		name = c.p.args[0]
	}
	return status(abs, statusView{json: c.p.has("json"), summary: c.p.has("summary"),
		history: c.p.has("history"), name: name}, c.stdout, c.stderr, c.prog)
}
