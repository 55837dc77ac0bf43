package tests

// Sessions, dynamic shared memory and message queues: `bgworker call` of
// the mqring test extension (tests/modules/mqring: our own module, built
// and installed as PGXS would install it; callkit is installed beside it
// for session_srf_test.go), a ring of shm_mq queues through
// dynamic workers, arguments and results of every type a call passes,
// cancel, a caller that goes away, a session or a worker killed in the
// middle of a call, and dynamic segments left by a killed host removed at
// the next start, for each dynamic_shared_memory_type.

import (
	"bytes"
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
)

// sessionTree is an install tree for the host under test: bin/bgworker
// (a copy, so that its layout is this tree's), the headers, and the mqring
// extension installed in share/extension and lib/bgworker.
type sessionTree struct {
	root string
	bin  string
}

func newSessionTree(t *testing.T) *sessionTree {
	t.Helper()
	root := filepath.Join(t.TempDir(), "tree")
	for _, d := range []string{"bin", "lib/bgworker", "share/extension"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.Symlink(filepath.Join(repoRoot, "include"), filepath.Join(root, "include")))
	bin := filepath.Join(root, "bin", "bgworker")
	data, err := os.ReadFile(hostBin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, data, 0o755))

	src := filepath.Join(repoRoot, "tests", "modules", "mqring")
	so := filepath.Join(root, "lib", "bgworker", "mqring.so")
	out, err := exec.Command("cc", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
		"-I", filepath.Join(repoRoot, "include"), "-o", so, filepath.Join(src, "mqring.c")).CombinedOutput()
	require.NoError(t, err, "compiling mqring: %s", out)
	files, _ := filepath.Glob(filepath.Join(src, "mqring*.s*"))
	for _, f := range append(files, filepath.Join(src, "mqring.control")) {
		if strings.HasSuffix(f, ".so") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, "share", "extension", filepath.Base(f)), b, 0o644))
	}
	// callkit: materialize mode, streamed notices, state across calls
	kit := filepath.Join(repoRoot, "tests", "modules", "callkit")
	out, err = exec.Command("cc", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
		"-I", filepath.Join(repoRoot, "include"), "-o", filepath.Join(root, "lib", "bgworker", "callkit.so"),
		filepath.Join(kit, "callkit.c")).CombinedOutput()
	require.NoError(t, err, "compiling callkit: %s", out)
	for _, f := range []string{"callkit.control", "callkit--1.0.sql"} {
		b, err := os.ReadFile(filepath.Join(kit, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, "share", "extension", f), b, 0o644))
	}
	// and the sample extension, as `make install` installs it
	sample := filepath.Join(repoRoot, "contrib", "mq_squares")
	out, err = exec.Command("cc", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
		"-I", filepath.Join(repoRoot, "include"), "-o", filepath.Join(root, "lib", "bgworker", "mq_squares.so"),
		filepath.Join(sample, "mq_squares.c")).CombinedOutput()
	require.NoError(t, err, "compiling mq_squares: %s", out)
	for _, f := range []string{"mq_squares.control", "mq_squares--1.0.sql"} {
		b, err := os.ReadFile(filepath.Join(sample, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, "share", "extension", f), b, 0o644))
	}
	return &sessionTree{root: root, bin: bin}
}

// start runs a host of this tree on a new data directory.
func (st *sessionTree) start(t *testing.T, conf string) (*host, string) {
	t.Helper()
	dir := newDataDir(t, conf)
	h := startHostWith(t, dir, st.bin, nil)
	h.waitReady()
	return h, dir
}

// call runs `bgworker call -D dir args...` and returns stdout, stderr and
// the exit code.
func (st *sessionTree) call(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := cliCommand(st.bin, append([]string{"call", "-D", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

// startCall starts a call in the background.
func (st *sessionTree) startCall(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(st.bin, append([]string{"call", "-D", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &stderr
}

// sessionPid waits until `bgworker status` shows a session running
// function and returns its pid.
func sessionPid(t *testing.T, bin, dir, function string) int {
	t.Helper()
	var pid int
	require.Eventually(t, func() bool {
		workers, err := statusWorkers(bin, dir)
		if err != nil {
			return false
		}
		for _, w := range workers {
			if w.Type == "session" && w.Name == "session: "+function && w.State == "running" && w.Pid > 0 {
				pid = w.Pid
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "no running session for %s", function)
	return pid
}

// waitCall waits for a background call and returns its exit code.
func waitCall(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the call did not end")
	}
	return -1
}

// dsmNames lists /dev/shm entries of bgworker's posix segments.
func dsmNames() map[string]bool {
	names := map[string]bool{}
	entries, _ := os.ReadDir("/dev/shm")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "bgworker.") {
			names[e.Name()] = true
		}
	}
	return names
}

// callCase is one `bgworker call` and what it must print and exit with;
// stderr is what the error output must begin with, "" for none.
type callCase struct {
	args   []string
	stdout string
	stderr string
	code   int
}

// checkCalls makes each call of cases to dir's host and checks its output
// and exit status.
func (st *sessionTree) checkCalls(t *testing.T, dir string, cases []callCase) {
	t.Helper()
	for _, c := range cases {
		stdout, stderr, code := st.call(t, dir, c.args...)
		require.Equal(t, c.code, code, "%v: stderr %s", c.args, stderr)
		require.Equal(t, c.stdout, stdout, "%v", c.args)
		if c.stderr != "" {
			require.True(t, strings.HasPrefix(stderr, c.stderr), "%v: stderr %q, want %q", c.args, stderr, c.stderr)
		} else {
			require.Empty(t, stderr, "%v", c.args)
		}
	}
}

func TestSessionCallValues(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	cases := []callCase{
		{[]string{"echo_int2", "-5"}, "-5\n", "", 0},
		{[]string{"echo_int4", "2147483647"}, "2147483647\n", "", 0},
		{[]string{"echo_int8", "-9223372036854775808"}, "-9223372036854775808\n", "", 0},
		{[]string{"echo_float4", "1.1"}, "1.1\n", "", 0},
		{[]string{"echo_float8", "0.1"}, "0.1\n", "", 0},
		{[]string{"echo_float8", "1e300"}, "1e+300\n", "", 0},
		{[]string{"echo_bool", "yes"}, "t\n", "", 0},
		{[]string{"echo_text", "hello world"}, "hello world\n", "", 0},
		{[]string{"echo_varchar", "x"}, "x\n", "", 0},
		{[]string{"echo_name", "abc"}, "abc\n", "", 0},
		{[]string{"echo_oid", "4294967295"}, "4294967295\n", "", 0},
		{[]string{"echo_bytea", `\x0a0b`}, "\\x0a0b\n", "", 0},
		{[]string{"echo_int4arr", "{1, 2,NULL,3}"}, "{1,2,NULL,3}\n", "", 0},
		{[]string{"echo_textarr", `{a,"b c","",NULL,"NULL"}`}, `{a,"b c","",NULL,"NULL"}` + "\n", "", 0},
		{[]string{"echo_text", `\N`}, "\n", "", 0},
		{[]string{"--null", "(null)", "echo_text", "(null)"}, "(null)\n", "", 0},
		{[]string{"mqring_sum", "{1,2,3}"}, "6\n", "", 0},
		{[]string{"mqring_concat", "a"}, "a-\n", "", 0},
		{[]string{"mqring_concat", `\N`, "b"}, "b\n", "", 0},
		{[]string{"mqring_sum", `\N`}, "\n", "", 0}, // STRICT: not called
		{[]string{"mqring_series", "2"}, "(1,1)\n(2,4)\n", "NOTICE:  row 1\nDETAIL:  Square 1.\nNOTICE:  row 2\nDETAIL:  Square 4.\n", 0},
		{[]string{"mqring_sleep", "0"}, "", "", 0},
		// the sample extension (contrib/mq_squares)
		{[]string{"mq_squares_total", "3", "1000000"}, "333333833333500000\n", "", 0},
		{[]string{"--extension", "mq_squares", "mq_squares_total"}, "333333833333500000\n", "", 0},
		// bad input, as PostgreSQL's input functions say it
		{[]string{"echo_int4", "abc"}, "", "ERROR:  invalid input syntax for type integer: \"abc\"\n", 1},
		{[]string{"echo_int2", "40000"}, "", "ERROR:  value \"40000\" is out of range for type smallint\n", 1},
		{[]string{"echo_bool", "maybe"}, "", "ERROR:  invalid input syntax for type boolean: \"maybe\"\n", 1},
		{[]string{"echo_int4arr", "1,2"}, "", "ERROR:  malformed array literal: \"1,2\"\nDETAIL:  Array value must start with \"{\" or dimension information.\n", 1},
		// unknown function, too many arguments, unknown extension
		{[]string{"nosuch"}, "", "ERROR:  function nosuch() does not exist\n", 1},
		{[]string{"echo_int4", "1", "2"}, "", "ERROR:  function echo_int4(unknown, unknown) does not exist\n", 1},
		{[]string{"--extension", "nosuchext", "echo_int4", "1"}, "", "ERROR:  extension \"nosuchext\" is not available\n", 1},
		// statements other than LANGUAGE C functions are skipped
		{[]string{"mqring_sql_helper"}, "", "ERROR:  function mqring_sql_helper() does not exist\n", 1},
	}
	st.checkCalls(t, dir, cases)
	stopHost(t, h)
}

func TestSessionRing(t *testing.T) {
	st := newSessionTree(t)
	before := dsmNames()
	h, dir := st.start(t, "max_worker_processes = 8")
	// 3 workers, 50 messages of 100 kB through 16 kB queues, and small ones
	stdout, stderr, code := st.call(t, dir, "mqring_pass", "3", "50", "100000")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "5000000\n", stdout)
	stdout, stderr, code = st.call(t, dir, "mqring_pass", "1", "1000", "8", "72")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "8000\n", stdout)
	// the workers are gone, and so is every segment
	require.Equal(t, 0, h.log.count(`all server processes terminated`))
	require.Eventually(t, func() bool { return fmt.Sprint(before) == fmt.Sprint(dsmNames()) }, 10*time.Second, 10*time.Millisecond,
		"segments left: %v", dsmNames())
	stopHost(t, h)
}

func TestSessionCancel(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	cmd, stderr := st.startCall(t, dir, "mqring_pass", "2", "1", "64", "16384", "true")
	sessionPid(t, st.bin, dir, "mqring_pass")
	h.log.waitFor(t, `mqring worker 2 ready`, 1, 20*time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.Equal(t, 1, waitCall(t, cmd))
	require.Contains(t, stderr.String(), "ERROR:  canceling statement due to user request\n")
	// the aborted call detached its segment: the workers were terminated
	h.log.waitFor(t, `background worker "mqring" \(PID \d+\) exited with exit code 1`, 2, 20*time.Second)
	require.Equal(t, 0, h.log.count(`all server processes terminated`))
	stopHost(t, h)
}

func TestSessionCallerGone(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	cmd, _ := st.startCall(t, dir, "mqring_sleep", "600")
	pid := sessionPid(t, st.bin, dir, "mqring_sleep")
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	require.True(t, processGone(pid, 20*time.Second), "session %d outlived its caller", pid)
	h.log.waitFor(t, `FATAL:  terminating connection due to administrator command`, 1, 20*time.Second)
	stopHost(t, h)
}

func TestSessionKilledMidCall(t *testing.T) {
	st := newSessionTree(t)
	before := dsmNames()
	h, dir := st.start(t, "")
	cmd, stderr := st.startCall(t, dir, "mqring_pass", "2", "1", "64", "16384", "true")
	pid := sessionPid(t, st.bin, dir, "mqring_pass")
	h.log.waitFor(t, `mqring worker 2 ready`, 1, 20*time.Second)
	require.NoError(t, unix.Kill(pid, unix.SIGKILL))
	require.Equal(t, 2, waitCall(t, cmd))
	require.Contains(t, stderr.String(), "server closed the connection unexpectedly")
	// a session's crash is a crash: the cycle, then every segment removed
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	h.waitReadyAgain(t)
	require.Eventually(t, func() bool { return fmt.Sprint(before) == fmt.Sprint(dsmNames()) }, 10*time.Second, 10*time.Millisecond,
		"segments left: %v", dsmNames())
	// and the host takes calls again
	stdout, serr, code := st.call(t, dir, "echo_int4", "7")
	require.Equal(t, 0, code, serr)
	require.Equal(t, "7\n", stdout)
	stopHost(t, h)
}

// waitReadyAgain waits for the ready line after a crash cycle.
func (h *host) waitReadyAgain(t *testing.T) {
	t.Helper()
	h.log.waitFor(t, `database system is ready to accept (read-only )?connections`, 2, 20*time.Second)
}

func TestSessionWorkerTerminated(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	cmd, stderr := st.startCall(t, dir, "mqring_pass", "1", "1", "64", "16384", "true")
	m := h.log.waitFor(t, `mqring worker 1 ready pid (\d+)`, 1, 20*time.Second)
	var wpid int
	fmt.Sscan(m[1], &wpid)
	// a worker that exits through proc_exit detaches: the session sees
	// SHM_MQ_DETACHED and reports it
	require.NoError(t, unix.Kill(wpid, unix.SIGTERM))
	require.Equal(t, 1, waitCall(t, cmd))
	require.Regexp(t, regexp.MustCompile(`ERROR:  mqring: the queue (to the first|from the last) worker is detached`), stderr.String())
	require.Equal(t, 0, h.log.count(`all server processes terminated`))
	stopHost(t, h)
}

func TestSessionWorkerKilled(t *testing.T) {
	st := newSessionTree(t)
	before := dsmNames()
	h, dir := st.start(t, "")
	cmd, stderr := st.startCall(t, dir, "mqring_pass", "1", "1", "64", "16384", "true")
	m := h.log.waitFor(t, `mqring worker 1 ready pid (\d+)`, 1, 20*time.Second)
	var wpid int
	fmt.Sscan(m[1], &wpid)
	require.NoError(t, unix.Kill(wpid, unix.SIGKILL))
	// the call fails (the queue detached, or the session ended by the
	// crash cycle, whichever comes first), then the crash cycle runs
	require.NotEqual(t, 0, waitCall(t, cmd))
	require.Regexp(t, regexp.MustCompile(`detached|server closed the connection unexpectedly|terminating connection`), stderr.String())
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	h.waitReadyAgain(t)
	require.Eventually(t, func() bool { return fmt.Sprint(before) == fmt.Sprint(dsmNames()) }, 10*time.Second, 10*time.Millisecond,
		"segments left: %v", dsmNames())
	stopHost(t, h)
}

// TestDsmHostKilled: a host SIGKILLed while pinned segments exist; the next
// start on the same directory removes them, for each implementation.
func TestDsmHostKilled(t *testing.T) {
	st := newSessionTree(t)
	for _, impl := range []string{"posix", "sysv", "mmap"} {
		t.Run(impl, func(t *testing.T) {
			h, dir := st.start(t, "dynamic_shared_memory_type = "+impl)
			stdout, stderr, code := st.call(t, dir, "mqring_hold")
			require.Equal(t, 0, code, stderr)
			var handle uint32
			_, err := fmt.Sscan(stdout, &handle)
			require.NoError(t, err)
			exists := func() bool {
				switch impl {
				case "posix":
					_, err := os.Stat(fmt.Sprintf("/dev/shm/bgworker.%d", handle))
					return err == nil
				case "sysv":
					_, err := unix.SysvShmGet(int(handle), 0, 0)
					return err == nil
				default:
					_, err := os.Stat(filepath.Join(dir, "pg_dynshmem", fmt.Sprintf("mmap.%d", handle)))
					return err == nil
				}
			}
			require.True(t, exists(), "segment %d was not made", handle)
			h.signal(syscall.SIGKILL)
			h.waitExit(20 * time.Second)
			require.True(t, exists(), "segment %d vanished with the host", handle)
			require.Eventually(t, func() bool { return attachedBy(h.pid()) == 0 }, 20*time.Second, 20*time.Millisecond,
				"the killed host's children stay attached")

			// the children see the host die and exit; then a new host
			h2 := startHostWith(t, dir, st.bin, nil)
			h2.waitReady()
			require.False(t, exists(), "segment %d survived the next start", handle)
			h2.signal(syscall.SIGINT)
			require.Equal(t, 0, h2.waitExit(20*time.Second))
			h2.requireClean()
		})
	}
}

// attachedBy counts the attachments of the System V segments pid created.
func attachedBy(pid int) int {
	data, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		return 0
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 7 || f[4] != fmt.Sprint(pid) {
			continue
		}
		var a int
		fmt.Sscan(f[6], &a)
		n += a
	}
	return n
}

// TestSessionSanitizers runs calls (a queue ring through workers, values
// of every kind, a record set, an error, a cancel) in a host built with
// AddressSanitizer and UndefinedBehaviorSanitizer, mqring built with them
// too: the session, dsm, shm_mq and the type functions must make no report.
func TestSessionSanitizers(t *testing.T) {
	if testing.Short() {
		t.Skip("sanitizer build skipped in -short mode")
	}
	st := newSessionTree(t)
	asan, err := os.ReadFile(sanitizedHost(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(st.bin, asan, 0o755))
	out, err := exec.Command("cc", "-shared", "-fPIC", "-g", "-O1", "-fno-omit-frame-pointer",
		"-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
		"-I", filepath.Join(repoRoot, "include"), "-o", filepath.Join(st.root, "lib", "bgworker", "mqring.so"),
		filepath.Join(repoRoot, "tests", "modules", "mqring", "mqring.c")).CombinedOutput()
	require.NoError(t, err, "compiling mqring: %s", out)
	out, err = exec.Command("cc", "-shared", "-fPIC", "-g", "-O1", "-fno-omit-frame-pointer",
		"-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
		"-I", filepath.Join(repoRoot, "include"), "-o", filepath.Join(st.root, "lib", "bgworker", "callkit.so"),
		filepath.Join(repoRoot, "tests", "modules", "callkit", "callkit.c")).CombinedOutput()
	require.NoError(t, err, "compiling callkit: %s", out)

	dir := newDataDir(t, "")
	env := []string{"ASAN_OPTIONS=detect_leaks=0:abort_on_error=0", "UBSAN_OPTIONS=print_stacktrace=1"}
	h := startHostWith(t, dir, "/usr/bin/env", append(env, st.bin))
	h.waitReady()
	cli := &sessionTree{root: st.root, bin: hostBin} // the caller needs no sanitizer
	for _, c := range [][]string{
		{"mqring_pass", "3", "20", "50000"},
		{"mqring_pass", "1", "200", "8", "72"},
		{"echo_textarr", `{a,"b c",NULL}`},
		{"echo_bytea", `\x00ff`},
		{"echo_float8", "-1.5e-10"},
		{"mqring_sum", "{1,NULL,3}"},
		{"mqring_series", "3"},
		{"mqring_hold", "false"},
		{"echo_int4", "x"},
		{"callkit_mat_out", "50"},
		{"callkit_mat_table", "5"},
		{"callkit_mat_scalar", "3"},
		{"callkit_mat_classic", "4"},
		{"callkit_mat_mismatch"},
	} {
		_, stderr, code := cli.call(t, dir, c...)
		require.LessOrEqual(t, code, 1, "%v: %s", c, stderr)
	}
	// several calls, an ERROR among them, in one session
	script := filepath.Join(t.TempDir(), "calls")
	require.NoError(t, os.WriteFile(script, []byte("callkit_pin abc\ncallkit_counter\necho_int4 x\ncallkit_mat_out 3\n"+
		"mqring_pass 1 10 100\ncallkit_pinned\ncallkit_counter\n"), 0o600))
	fout, ferr, fcode := cli.call(t, dir, "--file", script)
	require.Equal(t, 1, fcode, ferr)
	require.Regexp(t, `^\d+\n1\n\(1,1,"row 1"\)\n\(2,4,"row 2"\)\n\(3,9,\)\n1000\nabc\n2\n$`, fout)
	cmd, stderr := cli.startCall(t, dir, "mqring_pass", "2", "1", "64", "16384", "true")
	h.log.waitFor(t, `mqring worker 2 ready`, 2, 60*time.Second) // the first call had one too
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.Equal(t, 1, waitCall(t, cmd))
	require.Contains(t, stderr.String(), "canceling statement due to user request")
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(60*time.Second))
	log := h.log.all()
	for _, m := range sanitizerMarkers {
		require.NotContains(t, log, m, "sanitizer report in the host log")
	}
}
