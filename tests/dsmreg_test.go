package tests

// The dsm registry (GetNamedDSMSegment) and dynamic shared areas (dsa),
// through the dsmreg test extension (tests/modules/dsmreg, our own
// module): two static workers and sessions share a named segment (one
// init, the same contents, the found flag), the registry's errors come
// back as ERRORs, a crash cycle and a SIGKILLed host leave none of the
// segments behind; an area's allocations are read in another process,
// freed and reused, grow the area past one segment, and many of them are
// checked for overlap, also by several workers at once; and all of it
// again under ASan and UBSan.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// newDsmregTree is a session tree with the dsmreg extension installed;
// sanitize builds the module with ASan and UBSan.
func newDsmregTree(t *testing.T, sanitize bool) *sessionTree {
	t.Helper()
	st := newSessionTree(t)
	src := filepath.Join(repoRoot, "tests", "modules", "dsmreg")
	args := []string{"-std=gnu11", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"}
	if sanitize {
		args = append(args, "-g", "-O1", "-fno-omit-frame-pointer",
			"-fsanitize=address,undefined", "-fno-sanitize-recover=undefined")
	}
	args = append(args, "-I", filepath.Join(repoRoot, "include"),
		"-o", filepath.Join(st.root, "lib", "bgworker", "dsmreg.so"), filepath.Join(src, "dsmreg.c"))
	out, err := exec.Command("cc", args...).CombinedOutput()
	require.NoError(t, err, "compiling dsmreg: %s", out)
	for _, f := range []string{"dsmreg.control", "dsmreg--1.0.sql"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(st.root, "share", "extension", f), b, 0o644))
	}
	return st
}

const dsmregConf = "shared_preload_libraries = 'dsmreg'\nmax_worker_processes = 8\n"

var dsmregWorkerLine = `dsmreg worker (\d) pid (\d+): (found=. inits=\d+ touches=\d+ intact=.)`

// dsmregWorkers waits for the n-th pair of worker lines (n = 1 the first
// start, 2 after a crash cycle) and returns what each said, by pid.
func dsmregWorkers(t *testing.T, h *host, n int) map[int]string {
	t.Helper()
	h.log.waitFor(t, dsmregWorkerLine, 2*n, 30*time.Second)
	rx := regexp.MustCompile(dsmregWorkerLine)
	said := map[int]string{}
	seen := 0
	for _, l := range strings.Split(h.log.all(), "\n") {
		if m := rx.FindStringSubmatch(l); m != nil {
			seen++
			if seen > 2*(n-1) {
				pid, _ := strconv.Atoi(m[2])
				said[pid] = m[3]
			}
		}
	}
	require.Len(t, said, 2)
	return said
}

// requireOneInit: of the two workers, exactly one created the segment,
// it was initialised once, and each counted itself in (in either order:
// the creator counts itself after the other may have).
func requireOneInit(t *testing.T, said map[int]string) {
	t.Helper()
	var found, touches []string
	for _, s := range said {
		f := strings.Fields(s)
		require.Len(t, f, 4, s)
		require.Equal(t, "inits=1", f[1], s)
		require.Equal(t, "intact=t", f[3], s)
		found = append(found, f[0])
		touches = append(touches, f[2])
	}
	require.ElementsMatch(t, []string{"found=f", "found=t"}, found)
	require.ElementsMatch(t, []string{"touches=1", "touches=2"}, touches)
}

// callOK runs a call that must succeed and returns its one line.
func callOK(t *testing.T, st *sessionTree, dir string, args ...string) string {
	t.Helper()
	stdout, stderr, code := st.call(t, dir, args...)
	require.Equal(t, 0, code, "%v: %s", args, stderr)
	require.NotContains(t, stderr, "WARNING", "%v", args)
	return strings.TrimSuffix(stdout, "\n")
}

func TestDsmRegistryShared(t *testing.T) {
	st := newDsmregTree(t, false)
	h, dir := st.start(t, dsmregConf)
	requireOneInit(t, dsmregWorkers(t, h, 1))
	var workerPid int
	for pid := range dsmregWorkers(t, h, 1) {
		workerPid = pid
	}
	segs := mappedSegments(t, workerPid, h.pid())
	require.NotEmpty(t, segs)

	// sessions: the same segment, contents intact, init never again
	require.Equal(t, "found=t inits=1 touches=3 intact=t", callOK(t, st, dir, "dsmreg_get", "dsmreg_shared"))
	require.Equal(t, "found=t inits=1 touches=4 intact=t", callOK(t, st, dir, "dsmreg_get", "dsmreg_shared", "8192"))
	// a name a session makes, then another session finds
	require.Equal(t, "found=f inits=1 touches=1 intact=t", callOK(t, st, dir, "dsmreg_get", "from_session", "100000"))
	require.Equal(t, "found=t inits=1 touches=2 intact=t", callOK(t, st, dir, "dsmreg_get", "from_session", "100000"))
	// a segment smaller than the header: the pattern only
	require.Equal(t, "found=f inits=0 touches=0 intact=t", callOK(t, st, dir, "dsmreg_get", "tiny", "3"))
	require.Equal(t, "found=t inits=0 touches=0 intact=t", callOK(t, st, dir, "dsmreg_get", "tiny", "3"))
	// the longest name PostgreSQL takes is 63 bytes
	require.Equal(t, "found=f inits=1 touches=1 intact=t", callOK(t, st, dir, "dsmreg_get", strings.Repeat("n", 63)))

	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"dsmreg_get", ""}, "ERROR:  DSM segment name cannot be empty\n"},
		{[]string{"dsmreg_get", `\N`}, "ERROR:  DSM segment name cannot be empty\n"},
		{[]string{"dsmreg_get", strings.Repeat("n", 64)}, "ERROR:  DSM segment name too long\n"},
		{[]string{"dsmreg_get", "zero", "0"}, "ERROR:  DSM segment size must be nonzero\n"},
		{[]string{"dsmreg_get", "dsmreg_shared", "100"}, "ERROR:  requested DSM segment size does not match size of existing segment\n"},
		{[]string{"dsmreg_get", "from_session", "8192"}, "ERROR:  requested DSM segment size does not match size of existing segment\n"},
		{[]string{"dsmreg_get_failing", "fails"}, "ERROR:  dsmreg: init failed on purpose\n"},
	} {
		stdout, stderr, code := st.call(t, dir, c.args...)
		require.Equal(t, 1, code, "%v: %s", c.args, stderr)
		require.Empty(t, stdout)
		require.Equal(t, c.err, stderr, "%v", c.args)
	}
	// a failed init leaves no entry: the next caller initialises it
	require.Equal(t, "found=f inits=1 touches=1 intact=t", callOK(t, st, dir, "dsmreg_get", "fails"))
	// an area the supervisor made in place in the main segment, grown by a session
	require.Equal(t, "made by the supervisor / big in segment 1 intact / grew=t shrank=t", callOK(t, st, dir, "dsmreg_inplace"))
	require.Equal(t, "made by the supervisor / big in segment 1 intact / grew=t shrank=t", callOK(t, st, dir, "dsmreg_inplace"))
	// an init_callback may ask for another name, not for its own
	require.Equal(t, "found=f inits=1 touches=1 intact=t", callOK(t, st, dir, "dsmreg_get_nested", "outer"))
	require.Equal(t, "found=t inits=1 touches=1 intact=t", callOK(t, st, dir, "dsmreg_get", "outer_inner", "100"))
	require.Equal(t, "found=t inits=1 touches=2 intact=t", callOK(t, st, dir, "dsmreg_get", "outer"))
	_, stderr, code := st.call(t, dir, "dsmreg_get_nested", "self", "true")
	require.Equal(t, 1, code)
	require.Equal(t, "ERROR:  DSM segment \"self\" requested by its own init_callback\n", stderr)
	require.Equal(t, "found=f inits=1 touches=1 intact=t", callOK(t, st, dir, "dsmreg_get", "self"))
	// an existing segment is not initialised again, so a failing callback is not called
	require.Equal(t, "found=t inits=1 touches=5 intact=t", callOK(t, st, dir, "dsmreg_get_failing", "dsmreg_shared"))

	stopHost(t, h)
	requireSegmentsGone(t, segs)
}

// TestDsmRegistryCrashCycle: the named segments and a shared area's
// segments are removed by a crash cycle, and the registry starts empty.
func TestDsmRegistryCrashCycle(t *testing.T) {
	st := newDsmregTree(t, false)
	h, dir := st.start(t, dsmregConf)
	said := dsmregWorkers(t, h, 1)
	requireOneInit(t, said)
	big := callOK(t, st, dir, "dsmreg_dsa_put", "crash", "3000000")
	segs := strings.Fields(callOK(t, st, dir, "dsmreg_maps", big))
	segs = dropMainSegment(t, segs, h.pid())
	require.GreaterOrEqual(t, len(segs), 4, "named, area info, area and its second segment: %v", segs)
	requireSegmentsExist(t, segs)

	for pid := range said {
		require.NoError(t, unix.Kill(pid, unix.SIGKILL))
		break
	}
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	h.waitReadyAgain(t)
	requireSegmentsGone(t, segs)
	// the workers start again on an empty registry
	requireOneInit(t, dsmregWorkers(t, h, 2))
	require.Equal(t, "found=t inits=1 touches=3 intact=t", callOK(t, st, dir, "dsmreg_get", "dsmreg_shared"))
	require.Equal(t, "total=1048576", callOK(t, st, dir, "dsmreg_dsa_stats"))
	// the supervisor made its area in place again
	require.Equal(t, "made by the supervisor / big in segment 1 intact / grew=t shrank=t", callOK(t, st, dir, "dsmreg_inplace"))

	stopHost(t, h)
}

// TestDsmRegistryHostKilled: a SIGKILLed host leaves its named and area
// segments; the next start removes them, for posix and sysv.
func TestDsmRegistryHostKilled(t *testing.T) {
	st := newDsmregTree(t, false)
	for _, impl := range []string{"posix", "sysv"} {
		t.Run(impl, func(t *testing.T) {
			h, dir := st.start(t, dsmregConf+"dynamic_shared_memory_type = "+impl+"\n")
			requireOneInit(t, dsmregWorkers(t, h, 1))
			big := callOK(t, st, dir, "dsmreg_dsa_put", "killed", "3000000")
			segs := dropMainSegment(t, strings.Fields(callOK(t, st, dir, "dsmreg_maps", big)), h.pid())
			require.GreaterOrEqual(t, len(segs), 4, "%v", segs)
			for _, s := range segs {
				require.Equal(t, impl == "sysv", strings.HasPrefix(s, "/SYSV"), "%s", s)
			}
			requireSegmentsExist(t, segs)
			h.signal(syscall.SIGKILL)
			h.waitExit(20 * time.Second)
			require.Eventually(t, func() bool { return attachedBy(h.pid()) == 0 }, 20*time.Second, 20*time.Millisecond,
				"the killed host's children stay attached")
			requireSegmentsExist(t, segs)

			h2 := startHostWith(t, dir, st.bin, nil)
			h2.waitReady()
			requireSegmentsGone(t, segs)
			h2.signal(syscall.SIGINT)
			require.Equal(t, 0, h2.waitExit(20*time.Second))
			h2.requireClean()
		})
	}
}

func TestDsaShared(t *testing.T) {
	st := newDsmregTree(t, false)
	h, dir := st.start(t, "max_worker_processes = 64") // dsm items for 256 names

	// one process allocates, others read, free, and reuse
	small := callOK(t, st, dir, "dsmreg_dsa_put", "hello")
	require.Equal(t, "hello len=5", callOK(t, st, dir, "dsmreg_dsa_get", small))
	require.Equal(t, "total=1048576", callOK(t, st, dir, "dsmreg_dsa_stats"))
	big := callOK(t, st, dir, "dsmreg_dsa_put", "abc", "3000000")
	dp, err := strconv.ParseUint(big, 10, 64)
	require.NoError(t, err)
	require.NotZero(t, dp>>40, "a 3 MB allocation is in a segment of its own: %x", dp)
	require.Equal(t, strings.Repeat("abc", 14)[:40]+" len=2999999", callOK(t, st, dir, "dsmreg_dsa_get", big))
	require.NotEqual(t, "total=1048576", callOK(t, st, dir, "dsmreg_dsa_stats"))
	callOK(t, st, dir, "dsmreg_dsa_free", small)
	require.Equal(t, small, callOK(t, st, dir, "dsmreg_dsa_put", "world"), "a freed object is reused")
	require.Equal(t, "world len=5", callOK(t, st, dir, "dsmreg_dsa_get", small))
	// the second segment goes with its last allocation
	callOK(t, st, dir, "dsmreg_dsa_free", big)
	require.Equal(t, "total=1048576", callOK(t, st, dir, "dsmreg_dsa_stats"))

	for _, c := range []struct {
		args   []string
		stdout string
		stderr string
	}{
		{[]string{"dsmreg_dsa_flags", "zero"}, "zeroed", ""},
		{[]string{"dsmreg_dsa_flags", "reuse"}, "reused", ""},
		{[]string{"dsmreg_dsa_flags", "nooom"}, "invalid", ""},
		{[]string{"dsmreg_dsa_flags", "inplace"}, "small in segment 0, big in segment 1", ""},
		{[]string{"dsmreg_dsa_flags", "huge"}, "", "ERROR:  invalid DSA memory alloc request size 1073741824\n"},
		{[]string{"dsmreg_dsa_flags", "oom"}, "", "ERROR:  out of memory\nDETAIL:  Failed on DSA request of size 2097152.\n"},
		{[]string{"dsmreg_dsa_flags", "pin"}, "", "ERROR:  dsa_area already pinned\n"},
		{[]string{"dsmreg_dsa_flags", "unpin"}, "", "ERROR:  dsa_area not pinned\n"},
		{[]string{"dsmreg_dsa_flags", "attach"}, "", "ERROR:  could not attach to dynamic shared area\n"},
		{[]string{"dsmreg_dsa_flags", "badfree"}, "", "ERROR:  dsa_free: "},
		// workers allocating and freeing in the shared area at once
		{[]string{"dsmreg_dsa_concurrent", "4", "800"}, "ok=4", ""},
		// many allocations of every size, across segments
		{[]string{"dsmreg_dsa_stress", "3000", "1"}, "initial=262144 grew=t segments>1=t after=262144", ""},
		{[]string{"dsmreg_dsa_stress", "1000", "7"}, "initial=262144 grew=t segments>1=t after=262144", ""},
	} {
		stdout, stderr, code := st.call(t, dir, c.args...)
		if c.stderr == "" {
			require.Equal(t, 0, code, "%v: %s", c.args, stderr)
			require.Equal(t, c.stdout+"\n", stdout, "%v", c.args)
			require.Empty(t, stderr, "%v", c.args)
		} else {
			require.Equal(t, 1, code, "%v: %s", c.args, stderr)
			require.True(t, strings.HasPrefix(stderr, c.stderr), "%v: %q", c.args, stderr)
		}
	}
	segs := dropMainSegment(t, strings.Fields(callOK(t, st, dir, "dsmreg_maps")), h.pid())

	// the registry holds 256 names (here: dsmreg_area, dsmreg_results, dsmreg_shared and 253 more)
	require.Equal(t, "253", callOK(t, st, dir, "dsmreg_fill", "n", "253"))
	stdout, stderr, code := st.call(t, dir, "dsmreg_fill", "m", "1")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Equal(t, "ERROR:  too many named DSM segments\nDETAIL:  The registry holds at most 256 names.\n", stderr)
	require.Equal(t, "253", callOK(t, st, dir, "dsmreg_fill", "n", "253"), "the existing names are found")
	stopHost(t, h)
	requireSegmentsGone(t, segs)
}

// TestDsmRegistrySanitizers: the registry and dsa (workers, sessions, the
// stress) in a host built with ASan and UBSan and dsmreg built with them.
func TestDsmRegistrySanitizers(t *testing.T) {
	if testing.Short() {
		t.Skip("sanitizer build skipped in -short mode")
	}
	st := newDsmregTree(t, true)
	asan, err := os.ReadFile(sanitizedHost(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(st.bin, asan, 0o755))
	dir := newDataDir(t, dsmregConf)
	env := []string{"ASAN_OPTIONS=detect_leaks=0:abort_on_error=0", "UBSAN_OPTIONS=print_stacktrace=1"}
	h := startHostWith(t, dir, "/usr/bin/env", append(env, st.bin))
	h.waitReady()
	requireOneInit(t, dsmregWorkers(t, h, 1))
	cli := &sessionTree{root: st.root, bin: hostBin}
	for _, c := range [][]string{
		{"dsmreg_get", "dsmreg_shared"},
		{"dsmreg_get", "s", "100"},
		{"dsmreg_get", "s", "99"},
		{"dsmreg_get_failing", "f"},
		{"dsmreg_dsa_put", "x", "3000000"},
		{"dsmreg_dsa_stress", "2000", "3"},
		{"dsmreg_dsa_flags", "zero"},
		{"dsmreg_dsa_flags", "reuse"},
		{"dsmreg_dsa_flags", "inplace"},
		{"dsmreg_inplace"},
		{"dsmreg_dsa_flags", "oom"},
		{"dsmreg_dsa_flags", "attach"},
		{"dsmreg_dsa_flags", "badfree"},
	} {
		_, stderr, code := cli.call(t, dir, c...)
		require.LessOrEqual(t, code, 1, "%v: %s", c, stderr)
	}
	stdout, stderr, code := cli.call(t, dir, "dsmreg_dsa_stress", "500", "4")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "initial=262144 grew=t segments>1=t after=262144\n", stdout)
	stdout, stderr, code = cli.call(t, dir, "dsmreg_dsa_concurrent", "3", "300")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "ok=3\n", stdout)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(60*time.Second))
	log := h.log.all()
	for _, m := range sanitizerMarkers {
		require.NotContains(t, log, m, "sanitizer report in the host log")
	}
}

// mappedSegments lists the dynamic segments process pid maps (posix
// names "bgworker.N", sysv "/SYSVkey"), without host's main segment.
func mappedSegments(t *testing.T, pid, hostPid int) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	require.NoError(t, err)
	var segs []string
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		name := f[5]
		switch {
		case strings.HasPrefix(name, "/dev/shm/bgworker."):
			name = strings.TrimPrefix(name, "/dev/shm/")
		case strings.HasPrefix(name, "/SYSV"):
		default:
			continue
		}
		if !seen[name] {
			seen[name] = true
			segs = append(segs, name)
		}
	}
	return dropMainSegment(t, segs, hostPid)
}

// dropMainSegment removes the host's own System V segment from segs.
func dropMainSegment(t *testing.T, segs []string, hostPid int) []string {
	t.Helper()
	var out []string
	for _, s := range segs {
		if strings.HasPrefix(s, "/SYSV") {
			key, err := strconv.ParseUint(strings.TrimPrefix(s, "/SYSV"), 16, 32)
			require.NoError(t, err)
			if key == 0 || sysvCreator(int(int32(uint32(key)))) == hostPid {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// sysvCreator returns the pid that created the System V segment of key.
func sysvCreator(key int) int {
	data, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		if k, _ := strconv.Atoi(f[0]); k == key {
			cpid, _ := strconv.Atoi(f[4])
			return cpid
		}
	}
	return 0
}

func segmentPresent(name string) bool {
	if strings.HasPrefix(name, "/SYSV") {
		key, _ := strconv.ParseUint(strings.TrimPrefix(name, "/SYSV"), 16, 32)
		_, err := unix.SysvShmGet(int(int32(uint32(key))), 0, 0)
		return err == nil
	}
	_, err := os.Stat(filepath.Join("/dev/shm", name))
	return err == nil
}

func requireSegmentsExist(t *testing.T, segs []string) {
	t.Helper()
	for _, s := range segs {
		require.True(t, segmentPresent(s), "segment %s does not exist", s)
	}
}

func requireSegmentsGone(t *testing.T, segs []string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, s := range segs {
			if segmentPresent(s) {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "segments left: %v", segs)
}
