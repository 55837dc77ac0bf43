// latch_test.go builds the standalone C test of the latch area
// (testdata/latch_test.c with latch.c, pmsignal.c and condition_variable.c)
// with gcc, plain and under AddressSanitizer+UBSan, and runs it: real
// forked processes over a MAP_SHARED region, no Go in any child.

package cshim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var latchCSources = []string{
	"testdata/latch_test.c", "ipc/latch.c", "ipc/pmsignal.c", "lmgr/condition_variable.c",
}

// buildLatchTest compiles the C test into dir with extra flags.
func buildLatchTest(t *testing.T, dir, name string, extra ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	args := append(append(append([]string{}, runtimeCFlags...), extra...), "-o", out)
	args = append(args, latchCSources...)
	cmd := exec.Command("gcc", args...)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "gcc %s: %s", strings.Join(args, " "), msg)
	return out
}

// runLatchTest runs the binary with the ping-pong round count and checks
// that every test passed; the figures are logged, never asserted.
func runLatchTest(t *testing.T, bin, rounds string) {
	t.Helper()
	cmd := exec.Command(bin, rounds)
	cmd.Env = append(os.Environ(), "ASAN_OPTIONS=detect_leaks=0")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	require.NoError(t, err, "latch test failed")
	require.Contains(t, string(out), "ALL OK")
	for _, name := range []string{"timeout", "socket", "wait_event_set", "signal_handler",
		"pm_death_0", "pm_death_1", "pm_death_2", "pm_death_3", "pm_death_4",
		"condition_variable", "pmsignal", "spin", "pingpong", "pingpong_set"} {
		require.Contains(t, string(out), "ok "+name+"\n")
	}
}

func TestLatchC(t *testing.T) {
	bin := buildLatchTest(t, t.TempDir(), "latch_test", "-O2")
	rounds := "100000"
	if testing.Short() {
		rounds = "10000"
	}
	runLatchTest(t, bin, rounds)
}

func TestLatchCSanitized(t *testing.T) {
	bin := buildLatchTest(t, t.TempDir(), "latch_test_asan", "-O1", "-g",
		"-fsanitize=address,undefined", "-fno-sanitize-recover=undefined")
	runLatchTest(t, bin, "10000")
}
