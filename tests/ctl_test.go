package tests

// pg_ctl's verbs on the bgworker command (docs/operations.md): background
// start with a log file and a wait, restart with the recorded options,
// logrotate, stop -t, status's exit codes, long options, --help per
// command, and the sigkill_timeout setting.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

// ctl runs the bgworker command and returns its stdout, stderr and exit
// status.
func ctl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := cliCommand(hostBin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return out.String(), errb.String(), code
}

// rootFlag is --allow-root when the tests run as root.
func rootFlag() []string {
	if os.Geteuid() == 0 {
		return []string{"--allow-root"}
	}
	return nil
}

// backgroundHost stops, at the end of the test, a host started in the
// background in dir if it still runs, and checks that it left nothing.
func backgroundHost(t *testing.T, dir string) {
	t.Cleanup(func() {
		l, err := libbgworker.ReadLockFile(dir)
		if err != nil || !l.Alive() {
			return
		}
		t.Errorf("host (PID %d) still running at the end of the test", l.Pid)
		syscall.Kill(l.Pid, syscall.SIGQUIT)
		if !processGone(l.Pid, 10*time.Second) {
			syscall.Kill(l.Pid, syscall.SIGKILL)
		}
	})
}

// hostPid is the pid in dir's lock file.
func hostPid(t *testing.T, dir string) int {
	t.Helper()
	l, err := libbgworker.ReadLockFile(dir)
	require.NoError(t, err)
	return l.Pid
}

func TestCtlBackgroundStartStop(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	logFile := filepath.Join(t.TempDir(), "server.log")
	backgroundHost(t, dir)

	args := append([]string{"start", "--pgdata", dir, "--log", logFile, "-o", "-c cluster_name=ctltest"}, rootFlag()...)
	out, errs, code := ctl(t, args...)
	require.Equal(t, 0, code, "stdout %q stderr %q", out, errs)
	require.Regexp(t, `^waiting for server to start\.\.\.\.* done\nserver started\n$`, out)
	require.Empty(t, errs)
	pid := hostPid(t, dir)

	// Detached: its own session, stdin from /dev/null, output to the file.
	sid, err := unix.Getsid(pid)
	require.NoError(t, err)
	require.Equal(t, pid, sid, "the host leads its own session")
	stdin, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/0", pid))
	require.Equal(t, "/dev/null", stdin)
	stderr, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/2", pid))
	require.Equal(t, logFile, stderr)
	st, err := os.Stat(logFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "exitmatrix a started pid")
	}, 20*time.Second, 20*time.Millisecond)
	b, _ := os.ReadFile(logFile)
	require.Contains(t, string(b), "database system is ready to accept connections")

	out, _, code = ctl(t, "status", "-D", dir, "--summary")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, fmt.Sprintf("server is running (PID: %d)", pid))

	// A second start finds the first one and fails as pg_ctl does.
	out, errs, code = ctl(t, append([]string{"start", "-D", dir, "-l", logFile}, rootFlag()...)...)
	require.Equal(t, 1, code, "stdout %q stderr %q", out, errs)
	require.Contains(t, errs, "bgworker: another server might be running; trying to start server anyway\n")
	require.Contains(t, errs, "bgworker: could not start server\nExamine the log output.\n")
	require.Contains(t, out, " stopped waiting\n")
	require.Equal(t, pid, hostPid(t, dir), "the running host is untouched")

	// restart: the options it ran with and its log file are kept.
	out, errs, code = ctl(t, "restart", "-D", dir, "--mode", "fast")
	require.Equal(t, 0, code, "stdout %q stderr %q", out, errs)
	require.Regexp(t, `^waiting for server to shut down\.*\.\.\. done\nserver stopped\nwaiting for server to start\.\.\.\.* done\nserver started\n$`, out)
	pid2 := hostPid(t, dir)
	require.NotEqual(t, pid, pid2)
	require.True(t, processGone(pid, 5*time.Second))
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid2))
	require.NoError(t, err)
	require.Contains(t, string(cmdline), "cluster_name=ctltest")
	stderr, _ = os.Readlink(fmt.Sprintf("/proc/%d/fd/2", pid2))
	require.Equal(t, logFile, stderr, "restart logs to the same file")

	// Without the logging collector there is nothing to rotate, and it says so.
	out, errs, code = ctl(t, "logrotate", "-D", dir)
	require.Equal(t, 1, code, out)
	require.Contains(t, errs, "logging_collector is off")

	out, errs, code = ctl(t, "stop", "-D", dir, "-t", "30")
	require.Equal(t, 0, code, "stdout %q stderr %q", out, errs)
	require.Regexp(t, `^waiting for server to shut down\.*\.\.\. done\nserver stopped\n$`, out)
	out, _, code = ctl(t, "status", "-D", dir)
	require.Equal(t, 3, code, out)
	require.Equal(t, "bgworker: no server running\n", out)
	require.Empty(t, segmentsOwnedBy(pid2))
	b, _ = os.ReadFile(logFile)
	require.Equal(t, 2, strings.Count(string(b), "database system is shut down"), "%s", b)
}

// TestCtlStartFailure: a host that cannot start makes start -l fail with
// pg_ctl's message, and the reason is in the log file.
func TestCtlStartFailure(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, "max_worker_processes = 'lots'")
	logFile := filepath.Join(t.TempDir(), "server.log")
	backgroundHost(t, dir)
	out, errs, code := ctl(t, append([]string{"start", "-D", dir, "-l", logFile}, rootFlag()...)...)
	require.Equal(t, 1, code, "stdout %q stderr %q", out, errs)
	require.Equal(t, "waiting for server to start... stopped waiting\n", out)
	require.Equal(t, "bgworker: could not start server\nExamine the log output.\n", errs)
	b, err := os.ReadFile(logFile)
	require.NoError(t, err)
	require.Contains(t, string(b), `FATAL:  invalid value for parameter "max_worker_processes": "lots"`)

	// -W does not wait: "server starting", status 0, and the host stops.
	dir = newDataDir(t, "")
	backgroundHost(t, dir)
	BGDATA := "BGDATA=" + dir
	cmd := cliCommand(hostBin, append([]string{"start", "--no-wait", "--log", logFile}, rootFlag()...)...)
	cmd.Env = append(os.Environ(), BGDATA)
	outb, err := cmd.Output()
	require.NoError(t, err)
	require.Equal(t, "server starting\n", string(outb))
	require.Eventually(t, func() bool {
		l, err := libbgworker.ReadLockFile(dir)
		return err == nil && l.Status == "ready"
	}, 20*time.Second, 20*time.Millisecond)
	out, errs, code = ctl(t, "stop", "-D", dir, "--no-wait", "--silent")
	require.Equal(t, 0, code, errs)
	require.Empty(t, out)
	require.Eventually(t, func() bool { return !fileExists(filepath.Join(dir, "bgworker.pid")) }, 20*time.Second, 20*time.Millisecond)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestCtlStatusExitCodes: pg_ctl status's 0, 3 and 4; a data directory
// another user cannot read is 4 and never "no server running".
func TestCtlStatusExitCodes(t *testing.T) {
	t.Parallel()
	out, errs, code := ctl(t, "status", "-D", filepath.Join(t.TempDir(), "missing"))
	require.Equal(t, 4, code)
	require.Empty(t, out)
	require.Regexp(t, `^bgworker: directory ".*/missing" does not exist\n$`, errs)

	notData := t.TempDir()
	out, errs, code = ctl(t, "status", "-D", notData)
	require.Equal(t, 4, code)
	require.Equal(t, fmt.Sprintf("bgworker: directory \"%s\" is not a bgworker data directory\n", notData), errs)
	require.Empty(t, out)

	dir := newDataDir(t, "")
	out, _, code = ctl(t, "status", "-D", dir)
	require.Equal(t, 3, code)
	require.Equal(t, "bgworker: no server running\n", out)

	out, errs, code = ctl(t, "status")
	require.Equal(t, 1, code, out)
	require.Contains(t, errs, "no data directory specified")

	if os.Geteuid() != 0 {
		return
	}
	// As another user: the directory (0700, root's) cannot be searched.
	h := startHost(t, dir)
	h.waitReady()
	bin := filepath.Join(t.TempDir(), "bgworker")
	copyModule(t, hostBin, bin, 0o755)
	for d := filepath.Dir(bin); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		st, _ := os.Stat(d)
		os.Chmod(d, st.Mode().Perm()|0o011)
		defer os.Chmod(d, st.Mode().Perm())
	}
	for d := filepath.Dir(dir); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		st, _ := os.Stat(d)
		os.Chmod(d, st.Mode().Perm()|0o011)
		defer os.Chmod(d, st.Mode().Perm())
	}
	cmd := exec.Command(bin, "status", "-D", dir)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	outb, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	require.True(t, ok, "status as another user: %v %s", err, outb)
	require.Equal(t, 4, ee.ExitCode(), "%s", outb)
	require.NotContains(t, string(outb), "no server running")
	require.Contains(t, string(outb), "Permission denied")
	h.stopClean()
}

// TestCtlHelpAndArguments: every command's --help exits 0 and lists its own
// options, one line each; an unknown option or a stray argument is an
// error (exit 1, as pg_ctl).
func TestCtlHelpAndArguments(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"init":      {"--pgdata"},
		"start":     {"--pgdata", "--log", "--wait", "--no-wait", "--timeout", "--silent", "--options", "-c NAME=VALUE", "--allow-root"},
		"stop":      {"--pgdata", "--mode", "--wait", "--no-wait", "--timeout", "--silent"},
		"restart":   {"--pgdata", "--mode", "--wait", "--no-wait", "--timeout", "--silent", "--log", "--options"},
		"reload":    {"--pgdata", "--silent"},
		"logrotate": {"--pgdata", "--silent"},
		"promote":   {"--pgdata", "--silent"},
		"status":    {"--pgdata", "--json", "--summary", "--history"},
		"check":     {"--pgdata", "-c NAME=VALUE", "--silent"},
		"terminate": {"--pgdata", "--pid", "--name", "--slot"},
		"launch": {"--pgdata", "--library", "--function", "--name", "--type", "--arg", "--restart-time", "--flags",
			"--start-time", "--extra", "--wait", "--timeout"},
	}
	optLine := regexp.MustCompile(`^ +(-., )?(--[a-z-]+|-c NAME=VALUE)`)
	for cmd, opts := range want {
		out, errs, code := ctl(t, cmd, "--help")
		require.Equal(t, 0, code, "%s --help: %s", cmd, errs)
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if m := optLine.FindStringSubmatch(line); m != nil && m[2] != "--help" {
				got = append(got, m[2])
			}
		}
		require.ElementsMatch(t, opts, got, "%s --help:\n%s", cmd, out)

		_, errs, code = ctl(t, cmd, "--no-such-option")
		require.Equal(t, 1, code, cmd)
		require.Contains(t, errs, fmt.Sprintf("bgworker %s: unrecognized option \"--no-such-option\"", cmd))
		require.Contains(t, errs, fmt.Sprintf("Try \"bgworker %s --help\" for more information.", cmd))
	}
	for _, args := range [][]string{{"stop", "-D", "x", "stray"}, {"reload", "stray"}, {"init", "-D", "x", "y"}} {
		_, errs, code := ctl(t, args...)
		require.Equal(t, 1, code, "%v", args)
		require.Contains(t, errs, `too many command-line arguments (first is "`)
	}
	out, _, code := ctl(t, "config", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "--cflags")
	out, _, code = ctl(t, "version", "--help")
	require.Equal(t, 0, code, out)
	_, _, code = ctl(t, "nosuchcommand")
	require.Equal(t, 1, code)
	_, errs, code := ctl(t, "stop", "-D", t.TempDir(), "-m", "gently")
	require.Equal(t, 1, code)
	require.Contains(t, errs, `unrecognized shutdown mode "gently"`)
}

// TestCtlSigkillTimeout: sigkill_timeout decides when a worker that ignores
// SIGTERM is killed; it is read when the shutdown computes its deadline,
// so a reload during a smart shutdown shortens it.
func TestCtlSigkillTimeout(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:never:r:ignoreterm", "sigkill_timeout = '1h'"))
	h := startHost(t, dir)
	h.waitReady()
	a := h.workerPid("a", 1)
	out, errs, code := ctl(t, "stop", "-D", dir, "-m", "smart", "-t", "2")
	require.Equal(t, 1, code, "stdout %q stderr %q", out, errs)
	require.Regexp(t, `^waiting for server to shut down\.\.\.\.* failed\n$`, out)
	require.Equal(t, "bgworker: server does not shut down\n", errs)
	require.Zero(t, h.log.count(`issuing SIGKILL`))
	appendConf(t, dir, "sigkill_timeout = 1")
	out, _, code = ctl(t, "reload", "-D", dir)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, `parameter "sigkill_timeout" changed to "1"`)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.log.waitFor(t, `LOG:  issuing SIGKILL to recalcitrant children`, 1, time.Second)
	h.requireClean(a)
}

// TestCtlReloadOutcome: reload says whether the host applied the file, as
// its log does, with the problems and their lines; exit 1 on errors.
func TestCtlReloadOutcome(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, "")
	conf := filepath.Join(dir, "bgworker.conf")
	h := startHost(t, dir)
	h.waitReady()

	out, errs, code := ctl(t, "reload", "-D", dir)
	require.Equal(t, 0, code, errs)
	require.Equal(t, fmt.Sprintf("server signaled\nconfiguration file \"%s\" applied; no parameter changed\n", conf), out)

	appendConf(t, dir, "log_min_messages = notice\nsigkill_timeout = 'soon'\nmax_worker_processes = 20")
	out, errs, code = ctl(t, "reload", "-D", dir)
	require.Equal(t, 1, code, out)
	require.Equal(t, "server signaled\n  parameter \"log_min_messages\" changed to \"notice\"\n", out)
	require.Equal(t, fmt.Sprintf("bgworker: configuration file \"%[1]s\" contains errors; unaffected changes were applied\n"+
		"LOG:  invalid value for parameter \"sigkill_timeout\": \"soon\" in file \"%[1]s\" line %[2]d\n"+
		"LOG:  parameter \"max_worker_processes\" cannot be changed without restarting the server in file \"%[1]s\" line %[3]d\n",
		conf, confLine(t, dir, "sigkill_timeout"), confLine(t, dir, "max_worker_processes = 20")), errs)
	h.log.waitFor(t, `LOG:  configuration file ".*" contains errors; unaffected changes were applied`, 1, 10*time.Second)

	appendConf(t, dir, "this is not a setting")
	out, errs, code = ctl(t, "reload", "-D", dir, "-s")
	require.Equal(t, 1, code, out)
	require.Empty(t, out)
	require.Contains(t, errs, fmt.Sprintf("bgworker: configuration file \"%s\" contains errors; no changes were applied\n", conf))
	require.Contains(t, errs, fmt.Sprintf("LOG:  syntax error in file \"%s\" line %d, near token \"not\"\n", conf, confLine(t, dir, "this is")))
	h.stopClean()
}

// TestCtlLogrotate: with the logging collector on, logrotate makes it
// start new files (the host's answer, through the control socket).
func TestCtlLogrotate(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, "logging_collector = on\nlog_directory = 'log'\nlog_filename = 'bg-%H%M%S.log'")
	h := startHost(t, dir)
	// The collector has the log; the lock file says when the host is ready.
	require.Eventually(t, func() bool {
		l, err := libbgworker.ReadLockFile(dir)
		return err == nil && l.Status == "ready"
	}, 20*time.Second, 20*time.Millisecond)
	before, _ := filepath.Glob(filepath.Join(dir, "log", "*"))
	time.Sleep(1100 * time.Millisecond) // a new second: a new file name
	out, errs, code := ctl(t, "logrotate", "-D", dir)
	require.Equal(t, 0, code, errs)
	require.Equal(t, "server signaled to rotate log file\n", out)
	require.Eventually(t, func() bool {
		after, _ := filepath.Glob(filepath.Join(dir, "log", "*"))
		return len(after) > len(before)
	}, 10*time.Second, 20*time.Millisecond, "no new log file after logrotate (before: %v)", before)
	h.stopClean()
}

// TestCtlStartWaitInterrupted: SIGINT (Ctrl-C) to `bgworker start -l`
// while it waits for a host that takes 5 s to get ready ends the waiting
// command by that signal, as it ends pg_ctl; the host, in its own
// session, goes on and gets ready.
func TestCtlStartWaitInterrupted(t *testing.T) {
	t.Parallel()
	so := compileModule(t, "slowinit", "slowinit")
	dir := newDataDir(t, fmt.Sprintf("shared_preload_libraries = 'slowinit'\ndynamic_library_path = '%s'\n", filepath.Dir(so)))
	logFile := filepath.Join(t.TempDir(), "server.log")
	backgroundHost(t, dir)

	cmd := cliCommand(hostBin, append([]string{"start", "-D", dir, "-l", logFile}, rootFlag()...)...)
	cmd.Env = append(os.Environ(), "SLOWINIT_MS=5000")
	var out strings.Builder
	cmd.Stdout = &out
	require.NoError(t, cmd.Start())
	// The host has begun (its first line is in the log) and the command
	// waits for it to get ready.
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "starting bgworker") && strings.Contains(out.String(), "waiting for server to start")
	}, 20*time.Second, 10*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "the waiting command ended on its own: %q", out.String())
	ws := ee.Sys().(syscall.WaitStatus)
	require.True(t, ws.Signaled(), "exit status %v, output %q", ws, out.String())
	require.Equal(t, syscall.SIGINT, ws.Signal())
	require.NotContains(t, out.String(), "server started")

	// The host was not interrupted: it gets ready and stops normally.
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "database system is ready to accept connections")
	}, 30*time.Second, 20*time.Millisecond)
	_, errs, code := ctl(t, "stop", "-D", dir, "-m", "fast")
	require.Equal(t, 0, code, errs)
}
