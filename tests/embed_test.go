package tests

// The embedder: a C program linking libbgworker.so runs the same
// supervisor in-process.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

var (
	libOnce sync.Once
	libErr  error
)

// The library's file names, as the Makefile lays them out: the file, the
// SONAME link the dynamic loader follows, and the link -lbgworker finds.
const (
	libFile   = "libbgworker.so.0.1"
	libSoname = "libbgworker.so.0"
	libLink   = "libbgworker.so"
)

// buildLibrary builds libbgworker.so (once) into binDir as the Makefile
// does, and returns the path of the file.
func buildLibrary(t *testing.T) string {
	t.Helper()
	lib := filepath.Join(binDir, libFile)
	libOnce.Do(func() {
		build := exec.Command("go", "build", "-buildmode=c-shared", "-tags", "netgo,osusergo",
			"-ldflags=-extldflags=-Wl,-soname,"+libSoname, "-o", lib, "./libbgworker/capi")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			libErr = fmt.Errorf("building libbgworker.so: %v\n%s", err, out)
			return
		}
		for link, target := range map[string]string{libSoname: libFile, libLink: libSoname} {
			if err := os.Symlink(target, filepath.Join(binDir, link)); err != nil {
				libErr = err
				return
			}
		}
	})
	require.NoError(t, libErr)
	return lib
}

// buildEmbedderProgram builds libbgworker.so (once) and the C program src
// against it, as an embedder would; flags go before -lbgworker.
func buildEmbedderProgram(t *testing.T, src, name string, flags ...string) string {
	t.Helper()
	buildLibrary(t)
	exe := filepath.Join(binDir, name)
	args := []string{"-Wall", "-Wextra", "-Werror", "-I", filepath.Join(repoRoot, "include"), "-o", exe, src}
	args = append(args, flags...)
	args = append(args, "-L", binDir, "-lbgworker", "-Wl,-rpath,"+binDir)
	cc := exec.Command("cc", args...)
	out, err := cc.CombinedOutput()
	require.NoError(t, err, "building %s: %s", name, out)
	return exe
}

// buildEmbedder builds libbgworker.so and examples/embedder against it.
func buildEmbedder(t *testing.T) string {
	return buildEmbedderProgram(t, filepath.Join(repoRoot, "examples", "embedder", "embedder.c"), "embedder")
}

func TestEmbedder(t *testing.T) {
	t.Parallel()
	exe := buildEmbedder(t)
	dir := newDataDir(t, exitmatrixConf(t, "e:s:0:r:run, crash:s:0:r:segv"))
	h := startHostWith(t, dir, exe, []string{"--"})
	h.waitReady()
	h.workerPid("e", 1)
	h.trigger()
	// The crash cycle works in-process too.
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	pid := h.workerPid("e", 2)
	// Commands from another process reach the embedded host.
	out, err := cliCommand(exe, "--", "stop", "-D", dir, "-m", "fast").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean(pid)
	require.NotContains(t, h.log.all(), "panic:")
}

// TestEmbedderContext: the supervisor works in the data directory under
// PostgreSQL's creation mask, and a program that embeds it gets its own
// working directory and mask back when the call returns.
func TestEmbedderContext(t *testing.T) {
	t.Parallel()
	exe := buildEmbedderProgram(t, filepath.Join(repoRoot, "tests", "embedder", "restore_context.c"), "restore_context")
	dir := newDataDir(t, exitmatrixConf(t, "e:s:0:r:run"))
	h := startHostWith(t, dir, exe, []string{"--"})
	h.waitReady()
	pid := h.workerPid("e", 1)
	out, err := cliCommand(hostBin, "stop", "-D", dir, "-m", "fast").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean(pid)
	require.Contains(t, h.log.all(), "embedder after the call: status=0 cwd=/ umask=022")
}

// TestEmbedderControl: bgworker_control (bgworker/host.h) gives a C
// program the control socket's operations with JSON replies: status,
// launch, terminate, stop; bad requests, a NULL argument and a data
// directory without a host are replies naming what is wrong.
func TestEmbedderControl(t *testing.T) {
	t.Parallel()
	exe := buildEmbedderProgram(t, filepath.Join(repoRoot, "tests", "embedder", "control_client.c"), "control_client")
	dir := newDataDir(t, launcherConf(t, "idle"))
	h := startHost(t, dir)
	h.waitReady()
	h.waitForLine(`launcher 0 started pid`)

	call := func(args ...string) []libbgworker.ControlReply {
		t.Helper()
		out, err := cliCommand(exe, args...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		var reps []libbgworker.ControlReply
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var rep libbgworker.ControlReply
			require.NoError(t, json.Unmarshal([]byte(line), &rep), "reply %q", line)
			require.Equal(t, libbgworker.ControlVersion, rep.Version)
			reps = append(reps, rep)
		}
		require.Len(t, reps, len(args)-1)
		return reps
	}

	reps := call(dir, `{"op":"status"}`,
		`{"version":1,"op":"launch","launch":{"library":"launcher","function":"launcher_child","name":"from c","extra":"wait"}}`)
	require.True(t, reps[0].OK, reps[0].Error)
	require.Equal(t, h.pid(), reps[0].Host.Pid)
	require.True(t, reps[1].OK, reps[1].Error)
	require.Len(t, reps[1].Workers, 1)
	m := h.waitForLine(`launcher child from c started pid (\d+) preload 0`)

	reps = call(dir, fmt.Sprintf(`{"op":"terminate","pid":%s}`, m[1]))
	require.True(t, reps[0].OK, reps[0].Error)

	reps = call(dir, `{"op":"nosuch"}`, `not json`, `{"op":"status","bogus":1}`, "NULL")
	for _, rep := range reps {
		require.False(t, rep.OK)
		require.NotEmpty(t, rep.Error)
	}
	require.Contains(t, reps[1].Error, "malformed request")
	require.Contains(t, reps[2].Error, "bogus")
	require.Contains(t, reps[3].Error, "request is NULL")
	reps = call("NULL", `{"op":"status"}`)
	require.Contains(t, reps[0].Error, "datadir is NULL")
	reps = call(t.TempDir(), `{"op":"status"}`)
	require.False(t, reps[0].OK)
	require.Contains(t, reps[0].Error, "is the host running?")

	reps = call(dir, `{"op":"stop","mode":"fast"}`)
	require.True(t, reps[0].OK, reps[0].Error)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}

// TestEmbedderRestart: an embedder starts the supervisor three times in
// one process, each on its own thread, and waits for each with
// bgworker_wait_ready. The preloaded module is initialised once: the
// second good start reuses it and its parameters, which take the new
// configuration's values (and the defaults for what it leaves out); a
// start that fails in between is reported by the wait. The embedder's
// emit_log_hook sees the supervisor's records and the workers', and can
// keep one out of the log.
func TestEmbedderRestart(t *testing.T) {
	t.Parallel()
	exe := buildEmbedderProgram(t, filepath.Join(repoRoot, "tests", "embedder", "restart.c"), "restart", "-pthread")
	dir := newDataDir(t, apiConf(t, []string{"api_guc"}, ""))
	h := startHostWith(t, dir, exe, []string{
		"api_guc.naptime=10s;api_guc.name=first;api_guc.fixed=5",
		"no_such_parameter=1",
		"api_guc.name=second",
	})
	// A fast shutdown by signal: `bgworker stop` would wait for the lock
	// file to go, and the next start puts it back with the same pid.
	stop := func() { h.signal(syscall.SIGINT) }

	h.log.waitFor(t, `embedder: run 1 wait 0`, 1, 20*time.Second)
	m := h.log.waitFor(t, `LOG:  api_guc start: (.*)`, 1, 20*time.Second)
	require.Contains(t, m[1], "naptime=10000 ")
	require.Contains(t, m[1], "name=first ")
	require.Contains(t, m[1], "fixed=5 ")
	stop()
	h.log.waitFor(t, `embedder: run 1 status 0`, 1, 20*time.Second)

	h.log.waitFor(t, `embedder: run 2 wait 1`, 1, 20*time.Second)
	h.log.waitFor(t, `embedder: run 2 status 1`, 1, 20*time.Second)
	require.Contains(t, h.log.all(), `unrecognized configuration parameter "no_such_parameter"`)

	h.log.waitFor(t, `embedder: run 3 wait 0`, 1, 20*time.Second)
	m = h.log.waitFor(t, `LOG:  api_guc start: (.*)`, 2, 20*time.Second)
	require.Contains(t, m[1], "naptime=1000 ", "the first start's value is gone")
	require.Contains(t, m[1], "name=second ")
	require.Contains(t, m[1], "fixed=1 ")
	stop()
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()

	log := h.log.all()
	require.Contains(t, log, "embedder: run 3 status 0")
	require.NotContains(t, log, "redefine")
	require.NotContains(t, log, "panic:")
	// The hook: the supervisor's "starting" records of the two good
	// starts, kept out of the log; a worker's record, in the worker.
	took := regexp.MustCompile(fmt.Sprintf(`embedder hook pid %d: took "starting bgworker`, h.pid())).FindAllString(log, -1)
	require.Len(t, took, 2, "%s", log)
	require.NotRegexp(t, `LOG:  starting bgworker`, log)
	saw := regexp.MustCompile(`embedder hook pid (\d+): saw "api_guc start: `).FindAllStringSubmatch(log, -1)
	require.Len(t, saw, 2, "%s", log)
	require.NotEqual(t, strconv.Itoa(h.pid()), saw[0][1])
}
