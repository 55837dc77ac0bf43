// Package tests holds bgworker's integration tests: real modules compiled
// by the tests, the real bgworker binary, real fork and System V shared
// memory. This file is the harness: building, compiling modules, running a
// host and reading its log.
package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bgworker/bgworker/libbgworker"
)

var (
	repoRoot  string // the repository
	binDir    string // where TestMain put the built programs
	hostBin   string // the bgworker binary under test
	moduleDir string // compiled test modules
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Dir(filepath.Dir(file))
	tmp, err := os.MkdirTemp("", "bgworker-tests-")
	if err != nil {
		panic(err)
	}
	binDir = filepath.Join(tmp, "bin")
	moduleDir = filepath.Join(tmp, "modules")
	os.MkdirAll(binDir, 0o755)
	os.MkdirAll(moduleDir, 0o755)
	hostBin = filepath.Join(binDir, "bgworker")
	build := exec.Command("go", "build", "-tags", "netgo,osusergo", "-o", hostBin, "./cmd/bgworker")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building bgworker failed: %v\n%s", err, out)
		os.Exit(1)
	}
	startWatchdog()
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

var compileMu sync.Mutex

// compileModule builds tests/modules/NAME.c (or src, if given) into
// moduleDir/OUT.so with the flags a module author uses, and returns the
// path.
func compileModule(t *testing.T, name, out string, extraFlags ...string) string {
	t.Helper()
	compileMu.Lock()
	defer compileMu.Unlock()
	so := filepath.Join(moduleDir, out+".so")
	if _, err := os.Stat(so); err == nil {
		return so
	}
	args := []string{"-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
		"-I", filepath.Join(repoRoot, "include"), "-o", so, filepath.Join(repoRoot, "tests", "modules", name+".c")}
	args = append(args, extraFlags...)
	cmd := exec.Command("cc", args...)
	outb, err := cmd.CombinedOutput()
	require.NoError(t, err, "compiling %s: %s", name, outb)
	return so
}

// logBuffer collects a host's stderr and lets tests wait for lines.
type logBuffer struct {
	mu    sync.Mutex
	cond  *sync.Cond
	lines []string
	done  bool
}

func newLogBuffer() *logBuffer {
	b := &logBuffer{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	b.lines = append(b.lines, line)
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (b *logBuffer) finish() {
	b.mu.Lock()
	b.done = true
	b.mu.Unlock()
	b.cond.Broadcast()
}

// all returns the whole log so far.
func (b *logBuffer) all() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

// count counts lines matching re.
func (b *logBuffer) count(re string) int {
	rx := regexp.MustCompile(re)
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, l := range b.lines {
		if rx.MatchString(l) {
			n++
		}
	}
	return n
}

// waitFor waits until at least n lines match re, and returns the
// submatches of the n-th.
func (b *logBuffer) waitFor(t *testing.T, re string, n int, timeout time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { b.cond.Broadcast() })
	defer timer.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		seen := 0
		for _, l := range b.lines {
			if m := rx.FindStringSubmatch(l); m != nil {
				seen++
				if seen == n {
					return m
				}
			}
		}
		if b.done || time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d line(s) matching %q; log:\n%s", n, re, strings.Join(b.lines, "\n"))
		}
		b.cond.Wait()
	}
}

// host is one running bgworker process.
type host struct {
	t       *testing.T
	dir     string
	cmd     *exec.Cmd
	log     *logBuffer
	exited  chan struct{}
	waitErr error
	strays  []string // processes that held the host's stderr open 10 s after it exited
}

// cliLimit bounds every run of a CLI command in the tests: a command that
// hangs is killed and the test sees it fail, instead of the suite hanging.
const cliLimit = 2 * time.Minute

// cliCommand is exec.Command for a program the test expects to return
// (bgworker init/stop/reload/status…, an embedder's CLI): it is killed
// with a note on stderr if it runs longer than cliLimit.
func cliCommand(name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	time.AfterFunc(cliLimit, cancel) // the only way ctx ends
	cmd.Cancel = func() error {
		fmt.Fprintf(os.Stderr, "tests: %s %s ran over %v; killing it\n", filepath.Base(name), strings.Join(args, " "), cliLimit)
		return cmd.Process.Kill()
	}
	return cmd
}

// newDataDir runs `bgworker init` and writes conf into bgworker.conf.
func newDataDir(t *testing.T, conf string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	out, err := cliCommand(hostBin, "init", "-D", dir).CombinedOutput()
	require.NoError(t, err, "init: %s", out)
	appendConf(t, dir, conf)
	return dir
}

func appendConf(t *testing.T, dir, conf string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "bgworker.conf"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("\n" + conf + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// startHost starts `bgworker start -D dir` with the given extra
// arguments. The host is stopped (immediately, then killed) at cleanup if
// the test did not stop it, and the test fails if it left shared memory
// or processes behind.
func startHost(t *testing.T, dir string, args ...string) *host {
	t.Helper()
	return startHostWith(t, dir, hostBin, nil, args...)
}

// startHostWith is startHost for another program running the host (an
// embedder): bin prefix... start -D dir args...
func startHostWith(t *testing.T, dir, bin string, prefix []string, args ...string) *host {
	t.Helper()
	return launchHost(t, dir, bin, prefix, nil, args...)
}

// launchHost runs `bin prefix... start -D dir args...` with env added to
// the environment, collects its stderr into the host's log and registers
// it with the watchdog until it exits.
func launchHost(t *testing.T, dir, bin string, prefix, env []string, args ...string) *host {
	t.Helper()
	full := append(append(append([]string{}, prefix...), "start", "-D", dir), args...)
	if os.Geteuid() == 0 {
		full = append(full, "--allow-root")
	}
	cmd := exec.Command(bin, full...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	// Our own pipe rather than StderrPipe: the host's exit is seen by
	// Wait, not by EOF on its stderr, so a process that outlives the host
	// with the pipe open (a bug this suite must report) cannot hang it.
	rd, wr, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stderr = wr
	cmd.Stdout = os.Stdout
	h := &host{t: t, dir: dir, cmd: cmd, log: newLogBuffer(), exited: make(chan struct{})}
	err = cmd.Start()
	wr.Close()
	if err != nil {
		rd.Close()
		require.NoError(t, err)
	}
	registerHost(h)
	drained := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			h.log.add(sc.Text())
			if testing.Verbose() && os.Getenv("BGW_TEST_LOG") != "" {
				fmt.Fprintf(os.Stderr, "[%s] %s\n", filepath.Base(filepath.Dir(dir)), sc.Text())
			}
		}
		close(drained)
	}()
	go func() {
		h.waitErr = cmd.Wait()
		select {
		case <-drained:
		case <-time.After(10 * time.Second):
			h.strays = pipeHolders(rd)
			rd.Close() // ends the reader's Scan
			<-drained
		}
		rd.Close() // (again, harmlessly, after a timeout)
		unregisterHost(h)
		h.log.finish()
		close(h.exited)
	}()
	t.Cleanup(func() { h.cleanup() })
	return h
}

// pipeHolders lists the processes ("pid comm state") that have the write
// end of the pipe whose read end is rd open.
func pipeHolders(rd *os.File) []string {
	var st unix.Stat_t
	if unix.Fstat(int(rd.Fd()), &st) != nil {
		return nil
	}
	want := fmt.Sprintf("pipe:[%d]", st.Ino)
	self := os.Getpid()
	procs, _ := os.ReadDir("/proc")
	var out []string
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == self {
			continue
		}
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); l == want {
				stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
				desc := string(stat) // pid (comm) state ppid ...
				if i := strings.LastIndexByte(desc, ')'); i > 0 {
					if f := strings.Fields(desc[i+1:]); len(f) > 1 {
						desc = desc[:i+1] + " state " + f[0] + " ppid " + f[1]
					}
				}
				out = append(out, desc)
				break
			}
		}
	}
	return out
}

// cleanup makes sure the host and its workers are gone.
func (h *host) cleanup() {
	select {
	case <-h.exited:
	default:
		h.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-h.exited:
		case <-time.After(10 * time.Second):
			h.cmd.Process.Kill()
			<-h.exited
		}
	}
	if len(h.strays) > 0 {
		h.t.Errorf("10 s after the host exited, these processes still held its stderr open: %s", strings.Join(h.strays, "; "))
		for _, s := range h.strays {
			var pid int
			if _, err := fmt.Sscan(s, &pid); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	if h.t.Failed() {
		h.t.Logf("host log:\n%s", h.log.all())
	}
}

// waitExit waits for the host to exit and returns its exit code.
func (h *host) waitExit(timeout time.Duration) int {
	h.t.Helper()
	select {
	case <-h.exited:
	case <-time.After(timeout):
		h.t.Fatalf("host did not exit within %v; log:\n%s", timeout, h.log.all())
	}
	if h.waitErr == nil {
		return 0
	}
	if ee, ok := h.waitErr.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func (h *host) pid() int { return h.cmd.Process.Pid }

func (h *host) signal(sig syscall.Signal) {
	require.NoError(h.t, h.cmd.Process.Signal(sig))
}

// waitReady waits for the host's "ready" line.
func (h *host) waitReady() {
	h.t.Helper()
	h.log.waitFor(h.t, `database system is ready to accept (read-only )?connections`, 1, 20*time.Second)
}

// workerPid waits for the n-th "exitmatrix NAME started pid P" line and
// returns P.
func (h *host) workerPid(name string, n int) int {
	h.t.Helper()
	m := h.log.waitFor(h.t, `exitmatrix `+regexp.QuoteMeta(name)+` started pid (\d+)`, n, 20*time.Second)
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// processGone waits until pid no longer exists (or is a zombie of someone
// else).
func processGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if err := unix.Kill(pid, 0); err == unix.ESRCH {
			return true
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		if i := bytes.LastIndexByte(data, ')'); i > 0 && len(data) > i+2 && data[i+2] == 'Z' {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// segmentsOwnedBy lists the System V segments whose creator pid is pid.
func segmentsOwnedBy(pid int) []int {
	data, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		return nil
	}
	var ids []int
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		id, _ := strconv.Atoi(f[1])
		cpid, _ := strconv.Atoi(f[4])
		if cpid == pid {
			ids = append(ids, id)
		}
	}
	return ids
}

// segmentExists tells whether System V segment id exists.
func segmentExists(id int) bool {
	_, err := unix.SysvShmCtl(id, unix.IPC_STAT, &unix.SysvShmDesc{})
	return err == nil
}

// requireClean checks that a host that exited left no segment, no worker
// and no lock file.
func (h *host) requireClean(workerPids ...int) {
	h.t.Helper()
	// A worker's own children get SIGKILL as the host reaps the worker; a
	// segment can outlive the host for as long as they take to die.
	require.Eventually(h.t, func() bool { return len(segmentsOwnedBy(h.pid())) == 0 }, 5*time.Second, 10*time.Millisecond,
		"shared memory segments left behind: %v", segmentsOwnedBy(h.pid()))
	for _, pid := range workerPids {
		require.True(h.t, processGone(pid, 5*time.Second), "worker %d still running", pid)
	}
	_, err := os.Stat(filepath.Join(h.dir, "bgworker.pid"))
	require.True(h.t, os.IsNotExist(err), "lock file left behind")
}

// trigger lets exitmatrix workers perform their action.
func (h *host) trigger() {
	h.t.Helper()
	require.NoError(h.t, os.WriteFile(filepath.Join(h.dir, "exitmatrix.go"), nil, 0o600))
}

// exitmatrixConf is a configuration loading exitmatrix with these workers.
func exitmatrixConf(t *testing.T, workers string, extra ...string) string {
	so := compileModule(t, "exitmatrix", "exitmatrix")
	conf := fmt.Sprintf("shared_preload_libraries = '%s'\ndynamic_library_path = '%s'\nexitmatrix.workers = '%s'\n",
		"exitmatrix", filepath.Dir(so), workers)
	return conf + strings.Join(extra, "\n")
}

// statusWorkers runs bin's `status -D dir --json` and returns the workers
// it lists, each with its history; an error when the command fails or
// its output is not the JSON of a status.
func statusWorkers(bin, dir string) ([]libbgworker.WorkerStatus, error) {
	out, err := cliCommand(bin, "status", "-D", dir, "--json").Output()
	if err != nil {
		return nil, fmt.Errorf("bgworker status: %v", err)
	}
	var st struct {
		Workers []libbgworker.WorkerStatus `json:"workers"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		return nil, fmt.Errorf("bgworker status --json: %v: %s", err, out)
	}
	return st.Workers, nil
}
