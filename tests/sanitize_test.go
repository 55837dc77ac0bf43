package tests

// The C runtime and the proof modules under AddressSanitizer and
// UndefinedBehaviorSanitizer: the bgworker binary is built with
// `go build -asan` and cgo flags adding -fsanitize=undefined, the api_*
// modules with -fsanitize=address,undefined, and a host running all of
// them (with a reload) must finish its work with no sanitizer report.
//
// Cost: the first build rebuilds the standard library with -asan (about
// two minutes on a cold cache, under a minute once cached); the run
// itself takes a few seconds. `go test -short` skips it.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	sanitizeOnce sync.Once
	sanitizeBin  string
	sanitizeErr  error
)

// sanitizedHost builds (once) the bgworker binary with ASan and UBSan.
func sanitizedHost(t *testing.T) string {
	t.Helper()
	sanitizeOnce.Do(func() {
		sanitizeBin = filepath.Join(binDir, "bgworker-asan")
		cmd := exec.Command("go", "build", "-asan", "-tags", "netgo,osusergo", "-o", sanitizeBin, "./cmd/bgworker")
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(),
			"CGO_CFLAGS=-g -O1 -fno-omit-frame-pointer -fsanitize=undefined -fno-sanitize-recover=undefined",
			"CGO_LDFLAGS=-fsanitize=undefined")
		out, err := cmd.CombinedOutput()
		if err != nil {
			sanitizeErr = err
			sanitizeBin = string(out)
		}
	})
	require.NoError(t, sanitizeErr, "building the sanitizer binary: %s", sanitizeBin)
	return sanitizeBin
}

// sanitizedModule compiles tests/modules/NAME.c with the sanitizers.
func sanitizedModule(t *testing.T, dir, name string) {
	t.Helper()
	args := []string{"-std=gnu11", "-shared", "-fPIC", "-g", "-O1", "-fno-omit-frame-pointer",
		"-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
		"-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
		"-I", filepath.Join(repoRoot, "include"),
		"-o", filepath.Join(dir, name+".so"), filepath.Join(repoRoot, "tests", "modules", name+".c")}
	out, err := exec.Command("cc", args...).CombinedOutput()
	require.NoError(t, err, "compiling %s with sanitizers: %s", name, out)
}

// sanitizerReport matches the first line of any ASan or UBSan report.
var sanitizerMarkers = []string{"ERROR: AddressSanitizer", "runtime error:", "SUMMARY: AddressSanitizer",
	"SUMMARY: UndefinedBehaviorSanitizer", "ERROR: LeakSanitizer"}

func TestAPISanitizers(t *testing.T) {
	if testing.Short() {
		t.Skip("sanitizer build skipped in -short mode")
	}
	t.Parallel()
	bin := sanitizedHost(t)
	modDir := t.TempDir()
	mods := []string{"api_elog", "api_mcxt", "api_stringinfo", "api_guc", "api_locks", "api_latch", "api_misc"}
	for _, m := range mods {
		sanitizedModule(t, modDir, m)
	}
	conf := "max_worker_processes = 32\n" +
		"shared_preload_libraries = '" + strings.Join(mods, ",") + "'\n" +
		"dynamic_library_path = '" + modDir + "'\n" +
		"api_guc.naptime = '10s'\napi_guc.typo = 1\n"
	dir := newDataDir(t, conf)
	// detect_leaks=0: the Go runtime and process-lifetime C allocations
	// are not leaks; allocator_may_return_null=1: api_mcxt asks for 1 PB
	// on purpose and expects NULL / an out-of-memory ERROR.
	env := []string{"ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:abort_on_error=0",
		"UBSAN_OPTIONS=print_stacktrace=1"}
	h := startHostWith(t, dir, "/usr/bin/env", append(env, bin))
	h.waitReady()
	h.log.waitFor(t, `api_elog: hook calls=1`, 1, 60*time.Second)
	h.log.waitFor(t, `api_mcxt: done`, 1, 60*time.Second)
	h.log.waitFor(t, `api_stringinfo: done`, 1, 60*time.Second)
	h.log.waitFor(t, `api_locks: tranche name`, 1, 120*time.Second)
	h.log.waitFor(t, `api_latch: foreign latch`, 1, 60*time.Second)
	h.log.waitFor(t, `api_latch: owner disowned the latch`, 1, 60*time.Second)
	h.log.waitFor(t, `api_misc: status ready`, 1, 60*time.Second)
	h.log.waitFor(t, `api_guc start:`, 1, 60*time.Second)
	appendConf(t, dir, "api_guc.naptime = '1min'\napi_guc.name = 'has space'\napi_guc.level = high")
	reloadHost(t, dir)
	h.log.waitFor(t, `api_guc late1:`, 1, 60*time.Second)
	stopHost(t, h)

	log := h.log.all()
	require.NotContains(t, log, "WRONG")
	require.Contains(t, log, "api_locks: contenders=4 spin=exact")
	for _, m := range sanitizerMarkers {
		require.NotContains(t, log, m, "sanitizer report in the host log")
	}
}
