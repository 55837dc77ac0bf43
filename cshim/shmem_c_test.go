// shmem_c_test.go builds the standalone C test of the shmem area
// (testdata/shmem_test.c with shmem.c, lwlock.c, spin.c, proc.c and
// pgstat.c) with gcc, plain and under AddressSanitizer+UBSan, and runs it:
// a real System V segment, real forked processes contending on LWLocks,
// spinlocks and atomics, no Go in any child.

package cshim

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var shmemCSources = []string{
	"testdata/shmem_test.c", "ipc/shmem.c", "lmgr/lwlock.c", "lmgr/spin.c",
	"lmgr/proc.c", "activity/pgstat.c",
}

func TestShmemCProgram(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not found")
	}
	variants := []struct {
		name  string
		flags []string
	}{
		{"plain", []string{"-O2"}},
		{"sanitized", []string{"-O1", "-fsanitize=address,undefined",
			"-fno-sanitize-recover=all", "-fno-omit-frame-pointer"}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "shmem_test")
			args := append(append(append([]string{"-g"}, runtimeCFlags...), v.flags...), "-o", bin)
			args = append(args, shmemCSources...)
			msg, err := exec.Command("gcc", args...).CombinedOutput()
			require.NoError(t, err, "gcc %s: %s", strings.Join(args, " "), msg)

			// A hang (a lost wake-up) fails the test instead of wedging it.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Env = append(os.Environ(), "ASAN_OPTIONS=detect_leaks=0")
			out, err := cmd.CombinedOutput()
			t.Logf("%s", out)
			require.NoError(t, err, "shmem C test failed")
			require.Contains(t, string(out), "all tests passed")
			require.NotContains(t, string(out), "not ok")
		})
	}
}
