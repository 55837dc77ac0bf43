package tests

// Module code that ends the supervisor (docs/reliability.md): exit() in
// _PG_init, a crash there, an ERROR, FATAL or crash in an emit_log_hook
// while the supervisor logs a reload. Each ends with a log line naming the
// library, the lock file, socket and segment removed, a non-zero status,
// and no Go runtime dump (module tests/modules/supfail.c).

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

func TestModuleEndsSupervisor(t *testing.T) {
	so := compileModule(t, "supfail", "supfail")
	cases := []struct {
		action string
		want   string // the line naming the library
		signal syscall.Signal
		code   int
	}{
		{"exit0", `FATAL:  function "_PG_init" of library ".*/supfail.so" called exit\(0\) in the supervisor`, 0, 1},
		{"exit3", `FATAL:  function "_PG_init" of library ".*/supfail.so" called exit\(3\) in the supervisor`, 0, 3},
		{"segv", `FATAL:  supervisor was terminated by signal 11: Segmentation fault in function "_PG_init" of library ".*/supfail.so"`, syscall.SIGSEGV, 0},
		{"abort", `FATAL:  supervisor was terminated by signal 6: Aborted in function "_PG_init" of library ".*/supfail.so"`, syscall.SIGABRT, 0},
		{"hookerror", `LOG:  the supervisor cannot continue after an error in emit_log_hook of library ".*/supfail.so"`, 0, 1},
		{"hookfatal", `LOG:  the supervisor cannot continue after an error in emit_log_hook of library ".*/supfail.so"`, 0, 1},
		{"hooksegv", `FATAL:  supervisor was terminated by signal 11: Segmentation fault in emit_log_hook of library ".*/supfail.so"`, syscall.SIGSEGV, 0},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			t.Parallel()
			conf := fmt.Sprintf("shared_preload_libraries = 'supfail'\ndynamic_library_path = '%s'\nsupfail.action = '%s'\n", filepath.Dir(so), c.action)
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run")+"\n"+conf)
			// exitmatrix first, so that a worker and the segment exist
			// when the hook fails.
			appendConf(t, dir, fmt.Sprintf("shared_preload_libraries = 'exitmatrix,supfail'\ndynamic_library_path = '%s:%s'", filepath.Dir(so), filepath.Dir(compileModule(t, "exitmatrix", "exitmatrix"))))
			h := startHost(t, dir)
			hook := c.action[:4] == "hook"
			var worker int
			if hook {
				h.waitReady()
				worker = h.workerPid("a", 1)
				_, err := os.Stat(filepath.Join(dir, libbgworker.ControlSocketName))
				require.NoError(t, err)
				h.signal(syscall.SIGHUP)
			}
			h.waitExit(20 * time.Second)
			ws := h.cmd.ProcessState.Sys().(syscall.WaitStatus)
			if c.signal != 0 {
				require.True(t, ws.Signaled(), "status %v", ws)
				require.Equal(t, c.signal, ws.Signal())
			} else {
				require.True(t, ws.Exited())
				require.Equal(t, c.code, ws.ExitStatus())
			}
			all := h.log.all()
			if os.Getenv("BGW_SHOW_LOG") != "" {
				t.Log(all)
			}
			require.Regexp(t, c.want, all)
			if hook {
				require.Regexp(t, `LOG:  removed control socket ".*/bgworker.sock", shared memory segment \d+, lock file ".*/bgworker.pid"`, all)
				require.True(t, processGone(worker, 10*time.Second), "worker %d still running", worker)
			} else {
				require.Regexp(t, `LOG:  removed lock file ".*/bgworker.pid"`, all)
			}
			require.NotContains(t, all, "goroutine ")
			require.NotContains(t, all, "runtime.")
			require.NotContains(t, all, "[signal ")
			h.requireClean()
			_, err := os.Stat(filepath.Join(dir, libbgworker.ControlSocketName))
			require.True(t, os.IsNotExist(err), "control socket left behind")
		})
	}
}

// TestSignalAtMainStart: a stop request that arrives as main begins, long
// before the supervisor's handlers exist, is held and then obeyed: the
// host logs it, shuts down as asked and cleans up, instead of dying by the
// signal with no log line (fault-injection build: the process signals
// itself first thing in main).
func TestSignalAtMainStart(t *testing.T) {
	t.Parallel()
	bin := faultyHost(t)
	for _, c := range []struct{ sig, want string }{
		{"TERM", "received smart shutdown request"},
		{"INT", "received fast shutdown request"},
		{"QUIT", "received immediate shutdown request"},
	} {
		t.Run(c.sig, func(t *testing.T) {
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			h := startHostEnv(t, dir, bin, []string{"BGWORKER_SIGNAL_AT_MAIN=" + c.sig})
			h.waitExit(30 * time.Second)
			ws := h.cmd.ProcessState.Sys().(syscall.WaitStatus)
			require.True(t, ws.Exited(), "the host died by a signal: %v\n%s", ws, h.log.all())
			require.Contains(t, h.log.all(), c.want)
			h.requireClean()
		})
	}
}
