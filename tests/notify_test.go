package tests

// The systemd notification protocol (docs/operations.md): a real datagram
// socket as NOTIFY_SOCKET receives READY=1, RELOADING=1 with
// MONOTONIC_USEC then READY=1 around a reload, STATUS= with the worker
// counts, WATCHDOG=1 pings, and STOPPING=1, in that order; workers never
// see the variables.

import (
	"net"
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

// notifySocket is a datagram socket standing in for systemd's.
type notifySocket struct {
	conn *net.UnixConn
	mu   sync.Mutex
	msgs []string
}

func newNotifySocket(t *testing.T) (*notifySocket, string) {
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	require.NoError(t, err)
	s := &notifySocket{conn: conn}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, string(buf[:n]))
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return s, path
}

func (s *notifySocket) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// index is the position of the first message at or after from that
// contains want, or -1.
func (s *notifySocket) index(from int, want string) int {
	for i, m := range s.all() {
		if i >= from && strings.Contains(m, want) {
			return i
		}
	}
	return -1
}

func (s *notifySocket) waitFor(t *testing.T, from int, want string) int {
	t.Helper()
	var i int
	require.Eventually(t, func() bool { i = s.index(from, want); return i >= 0 }, 20*time.Second, 5*time.Millisecond,
		"no %q in %q", want, s.all())
	return i
}

func TestSystemdNotify(t *testing.T) {
	t.Parallel()
	so := compileModule(t, "envprobe", "envprobe")
	dir := newDataDir(t, "shared_preload_libraries = 'envprobe'\ndynamic_library_path = '"+filepath.Dir(so)+"'")
	sock, path := newNotifySocket(t)
	h := launchHost(t, dir, hostBin, nil, []string{"NOTIFY_SOCKET=" + path, "WATCHDOG_USEC=200000"})
	h.waitReady()

	ready := sock.waitFor(t, 0, "READY=1")
	require.Equal(t, -1, sock.index(0, "RELOADING=1"))
	require.Equal(t, -1, sock.index(0, "STOPPING=1"))
	// Workers do not inherit the variables.
	h.log.waitFor(t, `envprobe NOTIFY_SOCKET=\(unset\) WATCHDOG_USEC=\(unset\) WATCHDOG_PID=\(unset\)$`, 1, 20*time.Second)
	st := sock.waitFor(t, 0, "STATUS=running; workers: 1 running")

	// The watchdog: pings at half of WATCHDOG_USEC, from the event loop.
	w := sock.waitFor(t, 0, "WATCHDOG=1")
	sock.waitFor(t, w+1, "WATCHDOG=1")

	// A reload: RELOADING=1 with the monotonic clock, then READY=1.
	out, err := cliCommand(hostBin, "reload", "-D", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	rl := sock.waitFor(t, ready+1, "RELOADING=1")
	msg := sock.all()[rl]
	require.Contains(t, msg, "\nMONOTONIC_USEC=")
	usec, err := strconv.ParseInt(strings.TrimPrefix(msg[strings.Index(msg, "MONOTONIC_USEC="):], "MONOTONIC_USEC="), 10, 64)
	require.NoError(t, err, msg)
	require.Greater(t, usec, int64(0))
	again := sock.waitFor(t, rl+1, "READY=1")
	require.Greater(t, again, st)

	stopHost(t, h)
	stop := sock.waitFor(t, again+1, "STOPPING=1")
	for _, m := range sock.all()[stop+1:] {
		require.NotContains(t, m, "READY=1", "after STOPPING=1: %q", sock.all())
	}
}

// TestSystemdUnitFile: the unit file `make install` installs is a notify
// service stopped the way the docs say, and systemd accepts it when
// systemd-analyze is there.
func TestSystemdUnitFile(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join(repoRoot, "contrib", "systemd", "bgworker.service.in"))
	require.NoError(t, err)
	unit := strings.ReplaceAll(string(src), "@BINDIR@", filepath.Dir(hostBin))
	for _, line := range []string{"Type=notify", "KillMode=mixed", "KillSignal=SIGINT", "TimeoutStopSec=10s",
		"ExecReload=" + hostBin + " reload -D ${BGDATA}", "ExecStart=" + hostBin + " start -D ${BGDATA}"} {
		require.Contains(t, unit, "\n"+line+"\n")
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		return
	}
	path := filepath.Join(t.TempDir(), "bgworker.service")
	require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(unit, "User=bgworker\nGroup=bgworker\n", "")), 0o644))
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NotContains(t, string(out), "bgworker.service:", "%s", out)
}
