// elog_c_test.go builds the standalone C test of the elog area
// (testdata/elog_test.c with the area's .c files) with gcc, plain and
// under AddressSanitizer+UBSan, and runs its in-process checks and its
// process-ending sub-commands, checking exit status and stderr.

package cshim

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

var elogCSources = []string{
	"testdata/elog_test.c", "elog.c", "mcxt.c", "stringinfo.c", "ipc.c",
	"interrupt.c", "timestamp.c", "port.c", "globals.c",
}

func buildElogTest(t *testing.T, name string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	args := []string{
		"-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror",
		"-Wno-unused-parameter", "-Wno-missing-field-initializers",
		"-fno-strict-aliasing", "-I../include", "-I.",
	}
	args = append(append(args, extra...), "-o", out)
	args = append(args, elogCSources...)
	msg, err := exec.Command("gcc", args...).CombinedOutput()
	require.NoError(t, err, "gcc %s: %s", strings.Join(args, " "), msg)
	return out
}

// elogCase is one sub-command: how the process must end and what it must say.
type elogCase struct {
	cmd    string
	exit   int            // expected exit code, if signal is 0
	signal syscall.Signal // expected terminating signal
	stderr []string       // substrings, in order
}

var elogCases = []elogCase{
	{cmd: "proc_exit", exit: 3, stderr: []string{"cb:before2:3", "cb:before1:3", "cb:shmem2:3", "cb:shmem1:3", "cb:proc2:3", "cb:proc1:3"}},
	{cmd: "exit", exit: 5, stderr: []string{"cb:before2:-1", "cb:before1:-1", "cb:shmem2:-1", "cb:shmem1:-1", "cb:proc2:-1", "cb:proc1:-1"}},
	{cmd: "fatal", exit: 1, stderr: []string{"postmaster FATAL:  bye\n", "cb:proc:1"}},
	{cmd: "worker_error", exit: 1, stderr: []string{"test type ERROR:  boom\n", "cb:proc:1"}},
	{cmd: "supervisor_error", exit: 1, stderr: []string{"postmaster FATAL:  unhandled\n"}},
	{cmd: "panic", signal: syscall.SIGABRT, stderr: []string{"postmaster PANIC:  the end\n"}},
	{cmd: "crit", signal: syscall.SIGABRT, stderr: []string{"PANIC:  in critical section\n"}},
	{cmd: "error_in_exit", exit: 1, stderr: []string{"FATAL:  inside callback\n", "cb:first:1"}},
	{cmd: "too_many", exit: 1, stderr: []string{"FATAL:  out of on_proc_exit slots\n"}},
	{cmd: "bgworker_die", exit: 1, stderr: []string{"test type FATAL:  terminating background worker \"test type\" due to administrator command\n"}},
	{cmd: "die", exit: 1, stderr: []string{"still running", "FATAL:  terminating background worker \"test type\" due to administrator command\n"}},
	{cmd: "shutdown_request", exit: 0},
	{cmd: "crash_exit", exit: 2},
}

func runElogTest(t *testing.T, bin string) {
	t.Helper()
	env := append(os.Environ(), "ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=0")

	cmd := exec.Command(bin, "all")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "ALL OK")

	for _, c := range elogCases {
		t.Run(c.cmd, func(t *testing.T) {
			cmd := exec.Command(bin, c.cmd)
			cmd.Env = env
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			got := stderr.String()
			var ee *exec.ExitError
			if c.signal != 0 {
				require.True(t, errors.As(err, &ee), "want signal, got %v: %s", err, got)
				ws := ee.Sys().(syscall.WaitStatus)
				require.True(t, ws.Signaled(), "status %v: %s", ws, got)
				require.Equal(t, c.signal, ws.Signal(), got)
			} else if c.exit == 0 {
				require.NoError(t, err, got)
			} else {
				require.True(t, errors.As(err, &ee), "want exit %d, got %v: %s", c.exit, err, got)
				require.Equal(t, c.exit, ee.ExitCode(), got)
			}
			rest := got
			for _, want := range c.stderr {
				i := strings.Index(rest, want)
				require.GreaterOrEqual(t, i, 0, "missing %q (in order) in:\n%s", want, got)
				rest = rest[i+len(want):]
			}
			require.NotContains(t, got, "AddressSanitizer")
			require.NotContains(t, got, "runtime error")
		})
	}
}

func TestElogC(t *testing.T) {
	runElogTest(t, buildElogTest(t, "elog_test", "-O2"))
}

func TestElogCSanitized(t *testing.T) {
	runElogTest(t, buildElogTest(t, "elog_test_asan", "-O1", "-g",
		"-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"))
}
