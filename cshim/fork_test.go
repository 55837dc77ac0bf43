// fork_test.go tests the fork area for real: a test module compiled with
// gcc against include/, loaded with purego as the supervisor does, a real
// fork server forked from this (Go) test process on a locked thread, and
// workers cloned as direct children of the test process. Every process is
// reaped before a test ends.

package cshim

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// buildModule compiles testdata/<src> into a shared library in dir.
func buildModule(t *testing.T, dir, src, name string, defines ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	args := []string{"-std=gnu11", "-D_GNU_SOURCE", "-Wall", "-Werror",
		"-fPIC", "-shared", "-I../include", "-o", out}
	for _, d := range defines {
		if d != "" {
			args = append(args, d)
		}
	}
	args = append(args, filepath.Join("testdata", src))
	msg, err := exec.Command("gcc", args...).CombinedOutput()
	require.NoError(t, err, "gcc: %s", msg)
	return out
}

// forkEnv is one fork server with its death pipe.
type forkEnv struct {
	fs         *ForkServer
	deathRead  int
	deathWrite int
	spares     map[int]bool // announced spares not handed a worker yet
	seen       map[int]bool // spares readSpare returned
}

func startForkEnv(t *testing.T) *forkEnv {
	t.Helper()
	var fds [2]int
	require.NoError(t, unix.Pipe2(fds[:], unix.O_CLOEXEC))
	fs, err := StartForkServer(fds[0])
	require.NoError(t, err)
	env := &forkEnv{fs: fs, deathRead: fds[0], deathWrite: fds[1], spares: map[int]bool{}, seen: map[int]bool{}}
	t.Cleanup(func() {
		_ = fs.SendExit()
		// read the announcements still queued, so every spare is reaped
		buf := make([]Reply, 8)
		for {
			n, err := fs.ReadReplies(buf)
			for _, r := range buf[:n] {
				if r.Spare {
					env.spares[r.Pid] = true
				}
			}
			if err != nil {
				break
			}
		}
		_ = fs.Close()
		var ws unix.WaitStatus
		_, _ = unix.Wait4(fs.Pid(), &ws, 0, nil)
		for pid := range env.spares { // they end at EOF on their pipe
			_, _ = unix.Wait4(pid, &ws, 0, nil)
		}
		unix.Close(fds[0])
		unix.Close(fds[1])
	})
	return env
}

// readReplies reads at least one start reply, recording and dropping
// spare announcements (a spare that a reply names is a worker now).
func (e *forkEnv) readReplies(t *testing.T, buf []Reply) int {
	t.Helper()
	for {
		n, err := e.fs.ReadReplies(buf)
		require.NoError(t, err)
		kept := 0
		for _, r := range buf[:n] {
			if r.Spare {
				require.Greater(t, r.Pid, 0)
				e.spares[r.Pid] = true
				continue
			}
			delete(e.spares, r.Pid)
			buf[kept] = r
			kept++
		}
		if kept > 0 {
			return kept
		}
	}
}

// startWorker sends one request and returns the reply.
func (e *forkEnv) startWorker(t *testing.T, id uint32, w Worker) Reply {
	t.Helper()
	require.NoError(t, e.fs.SendStart([]StartRequest{{ID: id, Slot: 0, Worker: w}}))
	buf := make([]Reply, 4)
	n := e.readReplies(t, buf)
	require.Equal(t, 1, n)
	require.Equal(t, id, buf[0].ID)
	return buf[0]
}

// waitExit reaps pid (which must be our direct child) and returns its
// exit code, or -signal.
func waitExit(t *testing.T, pid int) int {
	t.Helper()
	var ws unix.WaitStatus
	for {
		got, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err, "wait4(%d): the worker is not our child", pid)
		require.Equal(t, pid, got)
		break
	}
	if ws.Signaled() {
		return -int(ws.Signal())
	}
	return ws.ExitStatus()
}

func parseReport(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		for _, field := range strings.Fields(line) {
			if k, v, ok := strings.Cut(field, "="); ok {
				m[k] = v
			}
		}
		if k, v, ok := strings.Cut(line, "="); ok && (k == "cmdline" || k == "type") {
			m[k] = v
		}
	}
	return m
}

// loadModule dlopens a module as the supervisor does and records it.
func loadModule(t *testing.T, path string) uintptr {
	t.Helper()
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	require.NoError(t, err)
	require.Nil(t, CheckMagicBlock(path, h))
	RecordLoadedLibrary(path, h)
	return h
}

// startForkModuleEnv makes the calling goroutine the postmaster thread,
// loads testdata/fork_module.c and starts a fork server; it returns the
// directory, the module's path and the fork server.
func startForkModuleEnv(t *testing.T) (string, string, *forkEnv) {
	t.Helper()
	runtime.LockOSThread() // the postmaster thread; never unlocked
	dir := t.TempDir()
	InitSupervisor(dir, dir, 0o700)
	mod := buildModule(t, dir, "fork_module.c", "fork_module.so")
	loadModule(t, mod)
	return dir, mod, startForkEnv(t)
}

func TestForkServerStartsWorkers(t *testing.T) {
	dir, mod, env := startForkModuleEnv(t)

	t.Run("direct child with a clean environment", func(t *testing.T) {
		report := filepath.Join(dir, "report0")
		w := Worker{Name: "fork test", Library: mod, Function: "report_main", RestartTime: -1}
		copy(w.Extra[:], report)
		rep := env.startWorker(t, 1, w)
		require.Zero(t, rep.Errno)
		require.Greater(t, rep.Pid, 0)
		require.Equal(t, 0, rep.Slot)
		require.Equal(t, 0, waitExit(t, rep.Pid))

		m := parseReport(t, report)
		require.Equal(t, strconv.Itoa(os.Getpid()), m["ppid"], "getppid() in the worker is the supervisor")
		require.Equal(t, strconv.Itoa(rep.Pid), m["pid"])
		require.Equal(t, m["pid"], m["mypid"])
		require.Equal(t, "1", m["tidcache"], "CLONE_CHILD_SETTID refreshed glibc's cached tid")
		require.Equal(t, "1", m["under"])
		require.Equal(t, "1", m["bgworker"])
		require.Equal(t, "fork test", m["type"], "bgw_type defaults to bgw_name")
		// PostgreSQL's defaults for a worker without a database connection
		require.Equal(t, "handler", m["sig15"], "SIGTERM: bgworker_die")
		require.Equal(t, "handler", m["sig3"], "SIGQUIT: crash exit")
		require.Equal(t, "handler", m["sig14"], "SIGALRM: sets the latch, as the timeout module's handler")
		// ignored as PostgreSQL's postmaster ignores SIGTTIN, SIGTTOU, SIGXFSZ
		for _, sig := range []int{1, 2, 8, 10, 12, 13, 21, 22, 25} {
			require.Equal(t, "ign", m["sig"+strconv.Itoa(sig)], "signal %d", sig)
		}
		// every other handler Go installed is back to the default
		for _, sig := range []int{4, 5, 6, 7, 11, 16, 17, 20, 23, 24, 26, 27, 28, 29, 31} {
			require.Equal(t, "dfl", m["sig"+strconv.Itoa(sig)], "signal %d", sig)
		}
		require.Equal(t, "handler", m["sig30"], "SIGPWR: the host-death hint (latch area)")
		require.Equal(t, "1", m["blocked_term"], "signals stay blocked until BackgroundWorkerUnblockSignals")
		require.Equal(t, "0", m["blocked_quit"])
		require.Equal(t, "1", m["altstack_disabled"])
		fds := strings.Split(strings.TrimSuffix(m["fds"], ","), ",")
		// 0, 1, 2, the death pipe, and the report file being written
		require.LessOrEqual(t, len(fds), 5, "inherited fds: %v", fds)
		require.Contains(t, fds, strconv.Itoa(env.deathRead))
		require.Equal(t, "bgworker: fork test", strings.TrimRight(m["cmdline"], "\x00"))
	})

	t.Run("exit codes", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			fn   string
			arg  uint64
			want int
		}{
			{"return", "report_main", 0, 0},
			{"proc_exit(1)", "report_main", 1, 1},
			{"proc_exit(2)", "report_main", 2, 2},
			{"uncaught ERROR", "error_main", 0, 1},
			{"missing function", "no_such_function", 0, 1},
			{"missing library", "", 0, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				report := filepath.Join(dir, "report-"+strings.ReplaceAll(tc.name, " ", "_"))
				lib := mod
				if tc.name == "missing library" {
					lib = filepath.Join(dir, "nonexistent.so")
				}
				w := Worker{Name: "exit " + tc.name, Library: lib, Function: tc.fn, MainArg: tc.arg}
				copy(w.Extra[:], report)
				rep := env.startWorker(t, 2, w)
				require.Greater(t, rep.Pid, 0)
				require.Equal(t, tc.want, waitExit(t, rep.Pid))
			})
		}
	})

	t.Run("batch", func(t *testing.T) {
		var reqs []StartRequest
		for i := 0; i < 20; i++ {
			w := Worker{Name: "batch", Library: mod, Function: "report_main"}
			copy(w.Extra[:], filepath.Join(dir, "batch"+strconv.Itoa(i)))
			reqs = append(reqs, StartRequest{ID: uint32(100 + i), Slot: i % 8, Worker: w})
		}
		require.NoError(t, env.fs.SendStart(reqs))
		seen := map[uint32]bool{}
		buf := make([]Reply, 8)
		for len(seen) < len(reqs) {
			n := env.readReplies(t, buf)
			for _, r := range buf[:n] {
				require.Greater(t, r.Pid, 0)
				require.Equal(t, 0, waitExit(t, r.Pid))
				seen[r.ID] = true
			}
		}
	})

	t.Run("bad slot", func(t *testing.T) {
		rep := env.startWorker(t, 7, Worker{Name: "x", Library: mod, Function: "report_main"})
		_ = rep
		require.NoError(t, env.fs.SendStart([]StartRequest{{ID: 8, Slot: 100000}}))
		buf := make([]Reply, 1)
		waitExit(t, rep.Pid)
		n := env.readReplies(t, buf)
		require.Equal(t, 1, n)
		require.Equal(t, uint32(8), buf[0].ID)
		require.Equal(t, 0, buf[0].Pid)
		require.Equal(t, unix.EINVAL, buf[0].Errno)
	})
}

func TestForkServerExitsOnDeathPipe(t *testing.T) {
	runtime.LockOSThread()
	var fds [2]int
	require.NoError(t, unix.Pipe2(fds[:], unix.O_CLOEXEC))
	fs, err := StartForkServer(fds[0])
	require.NoError(t, err)
	defer fs.Close()
	unix.Close(fds[1]) // the supervisor "dies"
	require.Equal(t, 0, waitExit(t, fs.Pid()))
	unix.Close(fds[0])
}

func TestMagicBlock(t *testing.T) {
	runtime.LockOSThread()
	dir := t.TempDir()
	for _, tc := range []struct {
		src, define, message, detail, hint string
	}{
		{"nomagic_module.c", "", "missing magic block", "",
			"Extension libraries are required to use the PG_MODULE_MAGIC macro."},
		{"badmagic_module.c", "-DBAD_VERSION", "version mismatch",
			"Server is version 17, library is version 15.", ""},
		{"badmagic_module.c", "-DBAD_ABI", "ABI mismatch",
			"Server has ABI \"bgworker\", library has \"PostgreSQL\".", ""},
		{"badmagic_module.c", "-DBAD_NAMEDATALEN", "magic block mismatch",
			"Server has NAMEDATALEN = 64, library has 128.", ""},
	} {
		t.Run(tc.message, func(t *testing.T) {
			lib := buildModule(t, dir, tc.src, "m"+strings.TrimPrefix(tc.define, "-D")+".so", tc.define)
			h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_LOCAL)
			require.NoError(t, err)
			cerr := CheckMagicBlock(lib, h)
			require.NotNil(t, cerr)
			require.Equal(t, LevelError, cerr.Level)
			require.Equal(t, "incompatible library \""+lib+"\": "+tc.message, cerr.Message)
			require.Equal(t, tc.detail, cerr.Detail)
			require.Equal(t, tc.hint, cerr.Hint)
		})
	}
}

func TestFindLibrary(t *testing.T) {
	runtime.LockOSThread()
	dir := t.TempDir()
	InitSupervisor(dir, dir, 0o700)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mod.so"), nil, 0o644))

	p, err := FindLibrary("mod")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "mod.so"), p)
	p, err = FindLibrary("$libdir/mod")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "mod.so"), p)
	p, err = FindLibrary(filepath.Join(dir, "mod.so"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "mod.so"), p)

	_, err = FindLibrary("nosuch")
	require.EqualError(t, err, "could not access file \"nosuch\": No such file or directory")
	_, err = FindLibrary("../etc/mod")
	require.ErrorContains(t, err, "\"..\" components are not allowed")
	_, err = FindLibrary("")
	require.Error(t, err)
}

// captureStderr runs fn with fd 2 redirected to a file and returns what
// was written there (the supervisor's log lines).
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	saved, err := unix.Dup(2)
	require.NoError(t, err)
	require.NoError(t, unix.Dup2(int(f.Fd()), 2))
	fn()
	require.NoError(t, unix.Dup2(saved, 2))
	unix.Close(saved)
	data, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	return string(data)
}

func TestRegisterBackgroundWorker(t *testing.T) {
	runtime.LockOSThread()
	dir := t.TempDir()
	InitSupervisor(dir, dir, 0o700)
	if n := len(StaticWorkers()); n != 0 {
		t.Skipf("the static list already holds %d workers (a second run in this process)", n)
	}
	lib := buildModule(t, dir, "register_module.c", "register_module.so")
	h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	require.NoError(t, err)
	initFn, err := purego.Dlsym(h, "_PG_init")
	require.NoError(t, err)
	lateFn, err := purego.Dlsym(h, "register_late")
	require.NoError(t, err)

	log := captureStderr(t, func() {
		SetPreloadInProgress(true)
		require.Nil(t, CallProtected(initFn))
		SetPreloadInProgress(false)
		require.Nil(t, CallProtected(lateFn))
	})
	t.Logf("%s", log)

	for _, want := range []string{
		`background worker "dbstart": cannot request database access if starting at postmaster start`,
		`background worker "dbnoshmem": must attach to shared memory in order to request a database connection`,
		`background worker "badrestart": invalid restart interval`,
		`background worker "bigrestart": invalid restart interval`,
		`background worker "parallel": parallel workers may not be configured for restart`,
		`background worker "notify": only dynamic background workers can request notification`,
		`too many background workers`,
		`Up to 8 background workers can be registered with the current settings.`,
		`Consider increasing the configuration parameter "max_worker_processes".`,
		`background worker "late": must be registered in "shared_preload_libraries"`,
	} {
		require.Contains(t, log, want)
	}
	require.NotContains(t, log, `"maxrestart": invalid`)
	require.Equal(t, 1, strings.Count(log, "too many background workers"))

	ws := StaticWorkers()
	require.Len(t, ws, 8)
	require.Equal(t, "ok1", ws[0].Name)
	require.Equal(t, "ok1", ws[0].Type, "empty bgw_type is filled from bgw_name")
	require.Equal(t, 5, ws[0].RestartTime)
	require.Equal(t, "maxrestart", ws[1].Name)
	require.Equal(t, strings.Repeat("x", 95), ws[2].Name, "unterminated name read only up to BGW_MAXLEN")
	require.Equal(t, strings.Repeat("x", 95), ws[2].Type)
	require.Equal(t, strings.Repeat("x", 1023), ws[2].Library)
	require.Equal(t, "fill4", ws[7].Name)
}

// TestForkServerSpare: the fork server keeps one spare child, announced
// before the reply that hands it a worker; the worker it becomes runs
// like a cloned one; RELOAD drops the spare (which exits 0) and the next
// spare is made after the next start; spares end with their fork server
// (the cleanup reaps them).
func TestForkServerSpare(t *testing.T) {
	dir, mod, env := startForkModuleEnv(t)

	spare := env.readSpare(t)
	require.Eventually(t, func() bool {
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", spare))
		return err == nil && strings.Contains(string(cmd), "spare worker")
	}, 10*time.Second, 5*time.Millisecond, "the spare names itself in ps")

	report := filepath.Join(dir, "report-spare")
	w := Worker{Name: "via spare", Library: mod, Function: "report_main", MainArg: 3}
	copy(w.Extra[:], report)
	rep := env.startWorker(t, 41, w)
	require.Equal(t, spare, rep.Pid, "the worker is the spare")
	require.Equal(t, 3, waitExit(t, rep.Pid))
	m := parseReport(t, report)
	require.Equal(t, strconv.Itoa(spare), m["pid"])
	require.Equal(t, "bgworker: via spare", m["cmdline"])

	// the next spare; RELOAD lets it go, and the next one comes only
	// after the next start (a storm of reloads costs no clones)
	old := env.readSpare(t)
	require.NoError(t, env.fs.SendReload())
	require.Equal(t, 0, waitExit(t, old), "a dropped spare exits 0")
	delete(env.spares, old)
	rep = env.startWorker(t, 42, w)
	require.False(t, env.seen[rep.Pid], "no spare after a reload: the worker is cloned")
	require.Equal(t, 3, waitExit(t, rep.Pid))
	require.NotEqual(t, old, env.readSpare(t))
}

// readSpare returns a spare announced and not returned before, reading
// replies until there is one.
func (e *forkEnv) readSpare(t *testing.T) int {
	t.Helper()
	buf := make([]Reply, 4)
	for {
		for pid := range e.spares {
			if !e.seen[pid] {
				e.seen[pid] = true
				return pid
			}
		}
		n, err := e.fs.ReadReplies(buf)
		require.NoError(t, err)
		for _, r := range buf[:n] {
			if r.Spare {
				e.spares[r.Pid] = true
			}
		}
	}
}
