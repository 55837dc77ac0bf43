package tests

// System V limits (docs/reliability.md, "Fault injection"): in an IPC
// namespace of its own (unshare --ipc) the host runs with one segment
// allowed (kernel.shmmni = 1) and survives crash cycles, because the old
// segment is gone before the new one is created, as in PostgreSQL; a
// shmget that fails gets the HINT of its errno.

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startHostInIPCNamespace starts the host in a new IPC namespace after
// setting the kernel parameter sysctl (a path under /proc/sys/kernel) to
// value there.
func startHostInIPCNamespace(t *testing.T, dir, sysctl, value string) *host {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a new IPC namespace")
	}
	if err := exec.Command("unshare", "--ipc", "true").Run(); err != nil {
		t.Skipf("unshare --ipc does not work here: %v", err)
	}
	script := "echo " + value + " > /proc/sys/kernel/" + sysctl + ` && exec "$0" "$@"`
	return launchHost(t, dir, "unshare", []string{"--ipc", "sh", "-c", script, hostBin}, nil)
}

func TestCrashCycleUnderSHMMNI(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
	h := startHostInIPCNamespace(t, dir, "shmmni", "1")
	h.waitReady()
	for i := 1; i <= 3; i++ {
		pid := h.workerPid("a", i)
		require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
		h.log.waitFor(t, `all server processes terminated; reinitializing`, i, 20*time.Second)
		h.log.waitFor(t, `database system is ready to accept connections`, i+1, 20*time.Second)
	}
	require.NotContains(t, h.log.all(), "could not create shared memory segment")
	require.Equal(t, "running", controlStatus(t, dir).Host.Phase)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}

func TestShmgetHints(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ sysctl, value, errno, hint string }{
		{"shmmni", "0", "No space left on device", `HINT:  This error does \*not\* mean that you have run out of disk space. It occurs either if all available shared memory IDs have been taken, in which case you need to raise the SHMMNI parameter in your kernel, or because the system's overall limit for shared memory has been reached \(SHMALL\).`},
		{"shmmax", "4096", "Invalid argument", `HINT:  This error usually means that the request exceeded your kernel's SHMMAX parameter, or possibly that it is less than your kernel's SHMMIN parameter.`},
		{"shmall", "1", "No space left on device", `SHMALL`},
	} {
		t.Run(c.sysctl, func(t *testing.T) {
			dir := newDataDir(t, exitmatrixConf(t, "a:s:0:r:run"))
			h := startHostInIPCNamespace(t, dir, c.sysctl, c.value)
			require.Equal(t, 1, h.waitExit(20*time.Second))
			all := h.log.all()
			require.Regexp(t, `FATAL:  could not create shared memory segment: `+c.errno, all)
			require.Regexp(t, `DETAIL:  Failed system call was shmget\(key=0, size=\d+, 03600\).`, all)
			require.Regexp(t, c.hint, all)
			_, err := os.Stat(dir + "/bgworker.pid")
			require.True(t, os.IsNotExist(err), "lock file left behind")
		})
	}
}
