package tests

// End-to-end tests of the control socket and the CLI commands that use it:
// status (table and JSON), launch, terminate, stop/reload/promote with and
// without the socket, bad requests, a peer with another uid, and status
// latency while 5000 workers wait to be started.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

// runCLI runs the bgworker binary and returns its combined output.
func runCLI(args ...string) (string, error) {
	out, err := cliCommand(hostBin, args...).CombinedOutput()
	return string(out), err
}

// controlStatus asks the host in dir for its status over the socket.
func controlStatus(t *testing.T, dir string) *libbgworker.ControlReply {
	t.Helper()
	rep, err := libbgworker.ControlDo(dir, libbgworker.ControlRequest{Op: libbgworker.OpStatus})
	require.NoError(t, err)
	return rep
}

// rawControl sends raw bytes on a fresh connection and reads one reply.
func rawControl(t *testing.T, conn net.Conn, r *bufio.Reader, data string) libbgworker.ControlReply {
	t.Helper()
	_, err := conn.Write([]byte(data))
	require.NoError(t, err)
	line, err := r.ReadBytes('\n')
	require.NoError(t, err)
	var rep libbgworker.ControlReply
	require.NoError(t, json.Unmarshal(line, &rep), "%s", line)
	require.Equal(t, libbgworker.ControlVersion, rep.Version)
	return rep
}

// TestControlCLI: status, launch and terminate through the CLI.
func TestControlCLI(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "idle"))
	h := startHost(t, dir)
	h.waitReady()
	h.waitForLine(`launcher 0 started pid`)

	// The socket: in the data directory, mode 0600, named in the lock file.
	sock := filepath.Join(dir, libbgworker.ControlSocketName)
	st, err := os.Stat(sock)
	require.NoError(t, err)
	require.Equal(t, os.ModeSocket|0o600, st.Mode()&(os.ModeSocket|os.ModePerm))
	l, err := libbgworker.ReadLockFile(dir)
	require.NoError(t, err)
	require.Equal(t, sock, l.Socket)

	out, err := runCLI("status", "-D", dir)
	require.NoError(t, err, out)
	t.Logf("status:\n%s", out)
	require.Contains(t, out, "server is running")
	require.Regexp(t, `worker slots:\s+1 used of 8`, out)
	require.Regexp(t, `workers:\s+1 running\n`, out)
	require.Regexp(t, `0\s+launcher 0 \[launcher\]\s+static\s+running\s+\d+`, out)

	// launch --wait prints the pid of the running worker.
	out, err = runCLI("launch", "-D", dir, "--library", "launcher", "--function", "launcher_child",
		"--name", "cli one", "--extra", "wait", "--restart-time", "5", "--wait")
	require.NoError(t, err, out)
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	require.NoError(t, err, out)
	h.waitForLine(fmt.Sprintf(`launcher child cli one started pid %d preload 0`, pid))

	out, err = runCLI("status", "-D", dir, "--json")
	require.NoError(t, err, out)
	var js struct {
		Running bool
		Host    libbgworker.HostStatus
		Workers []libbgworker.WorkerStatus
	}
	require.NoError(t, json.Unmarshal([]byte(out), &js), out)
	require.True(t, js.Running)
	require.Equal(t, h.pid(), js.Host.Pid)
	require.Equal(t, "running", js.Host.Phase)
	require.Equal(t, 2, js.Host.SlotsUsed)
	require.Equal(t, 8, js.Host.SlotsTotal)
	require.Positive(t, js.Host.SharedMem)
	require.Len(t, js.Workers, 2)
	cli := js.Workers[1]
	require.Equal(t, "cli one", cli.Name)
	require.True(t, cli.Dynamic)
	require.Equal(t, pid, cli.Pid)
	require.Equal(t, "running", cli.State)
	require.Equal(t, "5s", cli.RestartTime)
	require.Equal(t, []string{"shmem"}, cli.Flags)
	require.Equal(t, "Extension", js.Workers[0].WaitEvent, "%+v", js.Workers[0])

	// --summary: the host and the counts by state, no table.
	out, err = runCLI("status", "-D", dir, "--summary")
	require.NoError(t, err, out)
	require.Regexp(t, `worker slots:\s+2 used of 8\n\s+workers:\s+2 running\n$`, out)
	require.NotContains(t, out, "SLOT")
	out, err = runCLI("status", "-D", dir, "--summary", "--json")
	require.NoError(t, err, out)
	var sum map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &sum), out)
	require.JSONEq(t, `{"running": 2}`, string(sum["counts"]), out)
	require.NotContains(t, sum, "workers")
	require.Contains(t, sum, "host")
	// the host counts, and lists no worker
	srep, err := libbgworker.ControlDo(dir, libbgworker.ControlRequest{Op: libbgworker.OpStatus, Summary: true})
	require.NoError(t, err)
	require.Empty(t, srep.Workers)
	require.Equal(t, map[string]int{libbgworker.StateRunning: 2}, srep.Counts)
	require.Equal(t, 2, srep.Host.SlotsUsed)

	// terminate by name: stopped for good, slot freed.
	out, err = runCLI("terminate", "-D", dir, "--name", "cli one")
	require.NoError(t, err, out)
	require.Contains(t, out, fmt.Sprintf(`background worker "cli one" (PID %d) terminating`, pid))
	require.True(t, processGone(pid, 10*time.Second))
	require.Eventually(t, func() bool { return controlStatus(t, dir).Host.SlotsUsed == 1 }, 10*time.Second, 10*time.Millisecond)

	// A worker whose library does not exist: the launch is refused at
	// once with the lookup's error (the supervisor applies the rule every
	// module load applies, cshim/fmgr/libtrust.c).
	out, err = runCLI("launch", "-D", dir, "--library", "no_such_lib", "--function", "f", "--wait")
	require.Error(t, err, out)
	require.Contains(t, out, `could not access file "no_such_lib": No such file or directory`)

	// Bad launches are refused with a reason.
	out, err = runCLI("launch", "-D", dir, "--library", "launcher", "--function", "launcher_child",
		"--flags", "database")
	require.Error(t, err)
	require.Contains(t, out, "must attach to shared memory in order to request a database connection")
	out, err = runCLI("launch", "-D", dir, "--library", "launcher", "--function", "launcher_child",
		"--restart-time", "soon")
	require.Error(t, err)
	require.Contains(t, out, `invalid --restart-time "soon"`)

	// terminate with nothing to terminate, and by slot.
	out, err = runCLI("terminate", "-D", dir, "--pid", "999999")
	require.Error(t, err)
	require.Contains(t, out, "no background worker with PID 999999")
	lpid := js.Workers[0].Pid
	out, err = runCLI("terminate", "-D", dir, "--slot", "0")
	require.NoError(t, err, out)
	require.True(t, processGone(lpid, 10*time.Second))
	require.Eventually(t, func() bool { return len(controlStatus(t, dir).Workers) == 0 }, 10*time.Second, 10*time.Millisecond)

	// reload through the socket, then without it (signals).
	out, err = runCLI("reload", "-D", dir)
	require.NoError(t, err, out)
	h.log.waitFor(t, `received SIGHUP, reloading configuration files`, 1, 10*time.Second)
	require.NoError(t, os.Remove(sock))
	out, err = runCLI("reload", "-D", dir)
	require.NoError(t, err, out)
	h.log.waitFor(t, `received SIGHUP, reloading configuration files`, 2, 10*time.Second)
	out, err = runCLI("status", "-D", dir)
	require.NoError(t, err, out)
	require.Contains(t, out, "no worker details")
	out, err = runCLI("stop", "-D", dir)
	require.NoError(t, err, out)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.requireClean()
}

// TestControlStopThroughSocket: stop uses the socket; the socket is gone
// after the host exits.
func TestControlStopThroughSocket(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "idle", "launcher.launchers = 0"))
	h := startHost(t, dir)
	h.waitReady()
	out, err := runCLI("stop", "-D", dir, "-m", "smart")
	require.NoError(t, err, out)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	require.Contains(t, h.log.all(), "received smart shutdown request")
	_, err = os.Stat(filepath.Join(dir, libbgworker.ControlSocketName))
	require.True(t, os.IsNotExist(err), "socket left behind")
	h.requireClean()
}

// TestControlBadRequests: malformed, wrong-version, unknown and oversized
// requests get error replies; the host is unharmed.
func TestControlBadRequests(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "idle", "launcher.launchers = 0"))
	h := startHost(t, dir)
	h.waitReady()
	c, err := net.Dial("unix", filepath.Join(dir, libbgworker.ControlSocketName))
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	rep := rawControl(t, c, r, "this is not json\n")
	require.False(t, rep.OK)
	require.Contains(t, rep.Error, "malformed request")
	rep = rawControl(t, c, r, `{"version":1,"op":"status"} {"x":1}`+"\n")
	require.Contains(t, rep.Error, "malformed request")
	rep = rawControl(t, c, r, `{"version":99,"op":"status"}`+"\n")
	require.Contains(t, rep.Error, "unsupported protocol version 99")
	rep = rawControl(t, c, r, `{"version":1,"op":"explode"}`+"\n")
	require.Contains(t, rep.Error, `unknown operation "explode"`)
	rep = rawControl(t, c, r, `{"version":1,"op":"launch","launch":{"library":"x"}}`+"\n")
	require.Contains(t, rep.Error, "a library and a function name are required")
	rep = rawControl(t, c, r, `{"version":1,"op":"stop","mode":"gently"}`+"\n")
	require.Contains(t, rep.Error, `invalid shutdown mode "gently"`)
	rep = rawControl(t, c, r, `{"version":1,"op":"status","bogus":true}`+"\n")
	require.Contains(t, rep.Error, `unknown field "bogus"`)
	// The same connection still works.
	rep = rawControl(t, c, r, `{"version":1,"op":"status"}`+"\n")
	require.True(t, rep.OK, rep.Error)

	// Oversized: an error reply, then the connection is closed.
	c2, err := net.Dial("unix", filepath.Join(dir, libbgworker.ControlSocketName))
	require.NoError(t, err)
	defer c2.Close()
	go c2.Write([]byte(strings.Repeat("x", libbgworker.MaxControlRequest+100)))
	r2 := bufio.NewReader(c2)
	line, err := r2.ReadBytes('\n')
	require.NoError(t, err)
	require.Contains(t, string(line), "request too large")

	require.Equal(t, "running", controlStatus(t, dir).Host.Phase)
	h.stopClean()
}

// TestControlPeerOtherUID: a client running as another user is refused
// (SO_PEERCRED), even when file permissions would let it connect.
func TestControlPeerOtherUID(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "idle", "launcher.launchers = 0"))
	h := startHost(t, dir)
	h.waitReady()
	sock := filepath.Join(dir, libbgworker.ControlSocketName)
	// Open the path and the socket to everybody so that only SO_PEERCRED
	// stops the client.
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		st, err := os.Stat(d)
		require.NoError(t, err)
		require.NoError(t, os.Chmod(d, st.Mode().Perm()|0o011))
		defer os.Chmod(d, st.Mode().Perm())
	}
	require.NoError(t, os.Chmod(sock, 0o666))
	binDir := t.TempDir()
	client := filepath.Join(binDir, "peerclient")
	out, err := exec.Command("cc", "-Wall", "-Werror", "-o", client,
		filepath.Join(repoRoot, "tests", "modules", "peerclient.c")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	for d := binDir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		st, _ := os.Stat(d)
		os.Chmod(d, st.Mode().Perm()|0o011)
		defer os.Chmod(d, st.Mode().Perm())
	}
	cmd := exec.Command(client, sock, `{"version":1,"op":"stop","mode":"immediate"}`)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	outb, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", outb)
	require.Contains(t, string(outb), "REPLY ")
	require.Contains(t, string(outb), `permission denied: peer uid 65534 is not the host's uid 0`)
	require.Equal(t, "running", controlStatus(t, dir).Host.Phase)
	h.stopClean()
}

// TestControlStatusUnderLoad: while 5000 static workers wait to be
// started, status requests are answered promptly. The latencies are
// printed, not asserted.
func TestControlStatusUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("5000 workers")
	}
	t.Parallel()
	const n = 5000
	dir := newDataDir(t, launcherConf(t, "idle", "launcher.launchers = 0",
		fmt.Sprintf("launcher.statics = %d", n), fmt.Sprintf("max_worker_processes = %d", n+8)))
	h := startHost(t, dir)
	var c *libbgworker.ControlClient
	require.Eventually(t, func() bool {
		var err error
		c, err = libbgworker.DialControl(dir)
		return err == nil
	}, 20*time.Second, time.Millisecond)
	defer c.Close()
	var lat []time.Duration
	var waiting []int
	for i := 0; i < 200; i++ {
		t0 := time.Now()
		rep, err := c.Do(libbgworker.ControlRequest{Op: libbgworker.OpStatus})
		require.NoError(t, err)
		lat = append(lat, time.Since(t0))
		w := 0
		for _, ws := range rep.Workers {
			if ws.State == libbgworker.StateWaitingStart || ws.State == libbgworker.StateWaitingPhase {
				w++
			}
		}
		waiting = append(waiting, w)
		if w == 0 && rep.Host.Phase == "running" {
			break
		}
	}
	sorted := append([]time.Duration{}, lat...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	msg := fmt.Sprintf("status with %d workers pending: %d requests, median %v, max %v; waiting workers seen: first %d, last %d",
		n, len(lat), sorted[len(sorted)/2], sorted[len(sorted)-1], waiting[0], waiting[len(waiting)-1])
	t.Log(msg)
	fmt.Println("STATUS LATENCY:", msg)
	require.Greater(t, waiting[0], 0, "the first status came after every worker started")
	h.stopClean()
}
