package tests

// The fork server runs ahead of the workers it starts (SCHED_FIFO, see
// forkserver_prioritise in cshim/forkserver/forkserver.c) while every worker keeps
// the supervisor's scheduling: SCHED_OTHER at the supervisor's nice value,
// as under PostgreSQL, where a worker inherits the postmaster's. Checked in
// /proc for a host run as is and one run under nice(1).

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// schedOf reads a process's nice value, real-time priority and policy
// (fields 19, 40 and 41 of /proc/PID/stat).
func schedOf(t *testing.T, pid int) (nice, rtprio, policy int) {
	t.Helper()
	f := procStat(pid)
	require.Greater(t, len(f), 41-3, "/proc/%d/stat", pid)
	field := func(n int) int {
		v, err := strconv.Atoi(f[n-3])
		require.NoError(t, err)
		return v
	}
	return field(19), field(40), field(41)
}

const (
	schedOther = 0
	schedFIFO  = 1
)

// checkWorkerSched: the worker the forkimage module reports ready, and the
// spare worker if there is one, run SCHED_OTHER at the given nice value.
func checkWorkerSched(t *testing.T, h *host, wantNice int) {
	t.Helper()
	m := h.log.waitFor(t, `forkimage: ready pid (\d+)`, 1, 20*time.Second)
	worker, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	pids := []int{worker}
	if spare := childWithTitle(h.pid(), "bgworker: spare worker"); spare != 0 {
		pids = append(pids, spare)
	}
	for _, pid := range pids {
		nice, rtprio, policy := schedOf(t, pid)
		require.Equal(t, schedOther, policy, "process %d: policy", pid)
		require.Equal(t, 0, rtprio, "process %d: real-time priority", pid)
		require.Equal(t, wantNice, nice, "process %d: nice value", pid)
	}
}

// checkHostSched starts a host with the forkimage module through bin and
// prefix (startHostWith) and checks the scheduling of its supervisor
// (SCHED_OTHER at nice), its fork server (fsPolicy at real-time priority
// fsPrio, and nice unless real-time) and its workers (SCHED_OTHER at nice).
func checkHostSched(t *testing.T, bin string, prefix []string, nice, fsPolicy, fsPrio int) {
	t.Helper()
	dir := newDataDir(t, apiConf(t, []string{"forkimage"}, ""))
	h := startHostWith(t, dir, bin, prefix)
	h.waitReady()
	supNice, _, supPolicy := schedOf(t, h.pid())
	require.Equal(t, schedOther, supPolicy, "supervisor policy")
	require.Equal(t, nice, supNice, "supervisor nice value")

	fs := forkServerPid(t, h)
	fsNice, rtprio, policy := schedOf(t, fs)
	// While it clones a spare the fork server runs at the workers'
	// policy (make_spare): look again until it is back.
	for i := 0; i < 100 && policy != fsPolicy; i++ {
		time.Sleep(10 * time.Millisecond)
		fsNice, rtprio, policy = schedOf(t, fs)
	}
	require.Equal(t, fsPolicy, policy, "fork server %d: policy", fs)
	require.Equal(t, fsPrio, rtprio, "fork server %d: real-time priority", fs)
	if fsPolicy == schedOther {
		require.Equal(t, nice, fsNice, "fork server %d: nice value", fs)
	}
	checkWorkerSched(t, h, nice)
	stopHost(t, h)
}

// TestSchedulingFastForkServer: at nice 0, the fork server is SCHED_FIFO
// at priority 1 when the kernel allows it (root here), and the workers are
// not.
func TestSchedulingFastForkServer(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("raising the fork server to SCHED_FIFO needs root")
	}
	checkHostSched(t, hostBin, nil, 0, schedFIFO, 1)
}

// TestSchedulingNicedSupervisor: a supervisor started under nice 5 keeps
// the fork server and every worker at nice 5, SCHED_OTHER.
func TestSchedulingNicedSupervisor(t *testing.T) {
	t.Parallel()
	niceBin, err := exec.LookPath("nice")
	require.NoError(t, err)
	checkHostSched(t, niceBin, []string{"-n", "5", hostBin}, 5, schedOther, 0)
}
