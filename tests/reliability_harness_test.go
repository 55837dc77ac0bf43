package tests

// Helpers of the reliability suite (reliability_*_test.go): a host binary
// built with fault injection, hosts started with extra environment, the
// misbehave module, and the figures file that `make reliability` turns
// into docs/reliability.md.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	faultyOnce sync.Once
	faultyBin  string
	faultyErr  error
)

// faultyHost builds (once) the host with -tags bgworker_faults, which
// reads BGWORKER_FAULTS; the normal binary ignores that variable.
func faultyHost(t *testing.T) string {
	t.Helper()
	faultyOnce.Do(func() {
		faultyBin = filepath.Join(binDir, "bgworker-faults")
		build := exec.Command("go", "build", "-tags", "netgo,osusergo,bgworker_faults", "-o", faultyBin, "./cmd/bgworker")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			faultyErr = fmt.Errorf("building the fault-injection host: %v\n%s", err, out)
		}
	})
	require.NoError(t, faultyErr)
	return faultyBin
}

// startHostEnv is startHost with a chosen binary and extra environment
// variables (NAME=value).
func startHostEnv(t *testing.T, dir, bin string, env []string, args ...string) *host {
	t.Helper()
	return launchHost(t, dir, bin, nil, env, args...)
}

// misbehaveConf loads the misbehave module with these workers.
func misbehaveConf(t *testing.T, workers string, extra ...string) string {
	so := compileModule(t, "misbehave", "misbehave", "-I", filepath.Join(repoRoot, "cshim", "internal"))
	conf := fmt.Sprintf("shared_preload_libraries = 'misbehave'\ndynamic_library_path = '%s'\nmisbehave.workers = '%s'\n",
		filepath.Dir(so), workers)
	return conf + strings.Join(extra, "\n")
}

// misbehavePid waits for the n-th start of misbehave worker name.
func (h *host) misbehavePid(name string, n int) int {
	h.t.Helper()
	m := h.log.waitFor(h.t, `misbehave `+name+` started pid (\d+)`, n, 20*time.Second)
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// misbehaveChildPid waits for the n-th "child pid" line of misbehave
// worker name (a child it forked).
func (h *host) misbehaveChildPid(name string, n int) int {
	h.t.Helper()
	m := h.log.waitFor(h.t, `misbehave `+name+` child pid (\d+)`, n, 20*time.Second)
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// goMisbehave lets the misbehave workers' one-shot actions happen.
func (h *host) goMisbehave() {
	h.t.Helper()
	require.NoError(h.t, os.WriteFile(filepath.Join(h.dir, "misbehave.go"), nil, 0o600))
}

// longRun tells whether the long figures were asked for (make reliability).
func longRun() bool { return os.Getenv("BGW_RELIABILITY_LONG") != "" }

var figureMu sync.Mutex

// recordFigure appends one result to $BGW_RELIABILITY_OUT (JSON lines),
// which docs/reliability.md is generated from; without the variable it
// only logs it.
func recordFigure(t *testing.T, kind string, value any) {
	if text := fmt.Sprint(value); len(text) < 300 {
		t.Logf("figure %s: %s", kind, text)
	}
	path := os.Getenv("BGW_RELIABILITY_OUT")
	if path == "" {
		return
	}
	figureMu.Lock()
	defer figureMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer f.Close()
	line, err := json.Marshal(map[string]any{"kind": kind, "test": t.Name(), "value": value})
	require.NoError(t, err)
	_, err = f.Write(append(line, '\n'))
	require.NoError(t, err)
}

// procStat returns the fields of /proc/PID/stat after the command name
// (which may hold spaces): f[0] is field 3 (state), f[n-3] is field n.
// nil when the process is gone.
func procStat(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || len(s) < i+4 {
		return nil
	}
	return strings.Fields(s[i+2:])
}

// childrenOf lists the pids whose parent is pid, with their state letter.
func childrenOf(pid int) map[int]byte {
	out := map[int]byte{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f := procStat(p)
		if len(f) < 2 {
			continue
		}
		if pp, _ := strconv.Atoi(f[1]); pp == pid {
			out[p] = f[0][0]
		}
	}
	return out
}

// childWithTitle is the child of pid whose title (command line) starts
// with prefix, 0 if there is none now.
func childWithTitle(pid int, prefix string) int {
	// The oldest: a worker the fork server has just cloned carries its
	// title until it sets its own, and killing that one instead of the
	// fork server made a test wait for a crash cycle that never came.
	best, bestStart := 0, uint64(0)
	for p := range childrenOf(pid) {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
		if !strings.HasPrefix(string(cmdline), prefix) {
			continue
		}
		f := procStat(p)
		if len(f) <= 19 {
			continue
		}
		start, err := strconv.ParseUint(f[19], 10, 64)
		if err != nil {
			continue
		}
		if best == 0 || start < bestStart || (start == bestStart && p < best) {
			best, bestStart = p, start
		}
	}
	return best
}

// fdCount is the number of open fds of pid.
func fdCount(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// rssKB is pid's resident set size in kB.
func rssKB(pid int) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				n, _ := strconv.Atoi(f[1])
				return n
			}
		}
	}
	return 0
}
