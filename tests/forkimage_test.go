package tests

// What the fork server leaves out of its image (cshim/forkserver/forkimage.c and
// flush_stack_cache in cshim/forkserver/forkserver.c): the Go runtime's mappings,
// which the supervisor marks so that no fork copies them, and the stacks
// of the supervisor's other threads, which glibc frees in the fork server.
// Checked on the real processes' maps, with a module whose worker uses
// what it allocated in _PG_init and creates threads.

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mapping is one line of /proc/PID/maps (or smaps), with the VmFlags of
// smaps when read from there.
type mapping struct {
	start, end uint64
	perms      string
	inode      string
	path       string
	flags      []string
}

// readMappings parses /proc/pid/smaps.
func readMappings(t *testing.T, pid int) []mapping {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	require.NoError(t, err)
	var out []mapping
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			lo, hi, _ := strings.Cut(f[0], "-")
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			m := mapping{start: start, end: end, perms: f[1], inode: f[4]}
			if len(f) > 5 {
				m.path = f[5]
			}
			out = append(out, m)
			continue
		}
		if len(f) > 0 && f[0] == "VmFlags:" && len(out) > 0 {
			out[len(out)-1].flags = f[1:]
		}
	}
	return out
}

func (m mapping) has(flag string) bool {
	for _, f := range m.flags {
		if f == flag {
			return true
		}
	}
	return false
}

func overlaps(a, b mapping) bool { return a.start < b.end && b.start < a.end }

// forkServerPid finds the host's fork server among its children.
func forkServerPid(t *testing.T, h *host) int {
	t.Helper()
	var pid int
	require.Eventually(t, func() bool {
		pid = childWithTitle(h.pid(), "bgworker: fork server")
		return pid != 0
	}, 10*time.Second, 10*time.Millisecond, "no fork server among the host's children")
	return pid
}

// checkForkImage: the supervisor marked mappings "dc" (MADV_DONTFORK) and
// none of them is in the fork server; no stack of the supervisor's threads
// (read-write, right above a one-page guard) and no address-space
// reservation of the runtime's is left in the fork server.
func checkForkImage(t *testing.T, h *host) {
	t.Helper()
	fs := forkServerPid(t, h)
	sup := readMappings(t, h.pid())
	image := readMappings(t, fs)
	page := uint64(os.Getpagesize())

	var dontFork, stacks []mapping
	for i, m := range sup {
		if m.has("dc") {
			dontFork = append(dontFork, m)
		}
		if i > 0 && m.perms == "rw-p" && m.inode == "0" && m.path == "" &&
			sup[i-1].end == m.start && sup[i-1].perms == "---p" && sup[i-1].end-sup[i-1].start == page {
			stacks = append(stacks, m)
		}
	}
	require.NotEmpty(t, dontFork, "the supervisor marked none of the Go runtime's mappings")
	require.NotEmpty(t, stacks, "no thread stack found in the supervisor")
	for _, m := range image {
		// the runtime's address-space reservations (forkimage.c, step 2);
		// the module reserves none
		require.False(t, m.perms == "---p" && m.inode == "0" && m.path == "" && m.end-m.start >= 64<<10,
			"fork server %d still maps a reservation %x-%x", fs, m.start, m.end)
		for _, d := range dontFork {
			// A marked mapping the fork server inherited keeps its start
			// address. The hole it leaves in the fork server's address
			// space is the highest free range, so the fork server's own
			// first small mmap (top-down) can land at the hole's top end:
			// that one is the fork server's, not the supervisor's.
			ownInHole := m.start > d.start && m.end <= d.end && m.inode == "0" && m.path == ""
			require.False(t, overlaps(m, d) && !ownInHole, "fork server %d maps %x-%x, which the supervisor marked do-not-fork (%x-%x)",
				fs, m.start, m.end, d.start, d.end)
		}
		for _, s := range stacks {
			require.False(t, overlaps(m, s), "fork server %d still maps the supervisor's thread stack %x-%x", fs, s.start, s.end)
		}
	}
}

// runtimeChunks walks the Go runtime's list of persistent-allocator chunks
// in the supervisor's memory (the list head from the binary's symbol
// table; the host binary is not position-independent, which the check of
// its first mapping confirms) and returns their addresses.
func runtimeChunks(t *testing.T, h *host) []uint64 {
	t.Helper()
	f, err := elf.Open(hostBin)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, elf.ET_EXEC, f.Type, "the host binary is expected not to be position-independent")
	syms, err := f.Symbols()
	require.NoError(t, err)
	var head uint64
	for _, s := range syms {
		if s.Name == "runtime.persistentChunks" {
			head = s.Value
		}
	}
	require.NotZero(t, head, "runtime.persistentChunks not in the symbol table")
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", h.pid()))
	require.NoError(t, err)
	defer mem.Close()
	word := func(at uint64) uint64 {
		var b [8]byte
		_, err := mem.ReadAt(b[:], int64(at))
		require.NoError(t, err)
		return binary.LittleEndian.Uint64(b[:])
	}
	var chunks []uint64
	for c := word(head); c != 0 && len(chunks) < 4096; c = word(c) {
		chunks = append(chunks, c)
	}
	return chunks
}

// TestForkImage: the fork server's image leaves the Go runtime out, the
// worker finds what its module allocated in _PG_init and runs threads,
// before and after a crash cycle (which makes a new fork server).
func TestForkImage(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, apiConf(t, []string{"forkimage"}, ""))
	h := startHost(t, dir)
	h.waitReady()
	m := h.log.waitFor(t, `forkimage: ready pid (\d+)`, 1, 20*time.Second)
	checkForkImage(t, h)

	pid, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGSEGV))
	h.log.waitFor(t, `all server processes terminated; reinitializing`, 1, 20*time.Second)
	h.log.waitFor(t, `forkimage: ready pid (\d+)`, 2, 20*time.Second)
	checkForkImage(t, h)

	// The runtime's metadata chunks, including those it added since the
	// host started, are kept out of forks (forkimage.c, step 3).
	chunks := runtimeChunks(t, h)
	require.NotEmpty(t, chunks)
	sup := readMappings(t, h.pid())
	for _, c := range chunks {
		marked := false
		for _, m := range sup {
			if c >= m.start && c < m.end {
				marked = m.has("dc")
			}
		}
		require.True(t, marked, "runtime chunk %x is not marked do-not-fork", c)
	}

	log := h.log.all()
	require.Equal(t, 2, strings.Count(log, "forkimage: malloc intact, mmap intact"), "%s", log)
	require.Equal(t, 2, strings.Count(log, fmt.Sprintf("forkimage: %d threads joined, 0 failed", 20)), "%s", log)
	stopHost(t, h)
}

// TestForkServerHeap: the fork server's heap is one mapping. The fork
// server gives the free top of its heap back after its start's last
// allocation (forkserver_main): trimmed earlier, the start's allocations
// grew brk again, and a heap inherited through fork cannot be extended in
// place, so every clone copied two heap mappings. The custom settings of
// api_guc leave the supervisor's heap with the free top that showed it.
func TestForkServerHeap(t *testing.T) {
	t.Parallel()
	h := startHost(t, newDataDir(t, apiConf(t, []string{"api_guc"}, "")))
	h.waitReady()
	fs := forkServerPid(t, h)
	heaps := 0
	for _, m := range readMappings(t, fs) {
		if m.path == "[heap]" {
			heaps++
		}
	}
	require.Equal(t, 1, heaps, "fork server %d has its heap in %d mappings", fs, heaps)
	stopHost(t, h)
}
