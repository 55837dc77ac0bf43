package cshim

// goheap.go finds the address ranges of the Go heap, which the fork
// server unmaps after it is forked (it never runs Go, and every clone it
// makes would otherwise copy the page tables of the supervisor's heap:
// with thousands of registered workers, megabytes of it), and the list of
// the runtime's persistent-allocator chunks, which forkimage.c keeps out
// of every fork. Postmaster goroutine, right before the fork server is
// forked.

/*
#include "fork_int.h"
*/
import "C"

import (
	"bufio"
	"debug/elf"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// maxDropRanges is what the C side honours.
const maxDropRanges = C.BGW_FORKSERVER_MAX_DROP

// heapProbes are Go heap objects of a small, a medium and a large size
// class, allocated once and kept for the life of the process (Go's heap
// objects never move), so that a crash cycle does not allocate and clear
// a fresh large object before every fork of the fork server.
var heapProbes = struct {
	small  *[2]uintptr
	medium []byte
	large  []byte
}{new([2]uintptr), make([]byte, 8<<10), make([]byte, 40<<10)}

// goHeapRanges returns (start, length) pairs of the private anonymous
// mappings of /proc/self/maps that make up the Go heap: those holding a
// probe (a small, a medium and a large size-class object) and every
// private anonymous mapping contiguous with them (the arena reservation
// and the parts the runtime committed since, which stay separate mappings
// when the first ones carry MADV_DONTFORK, forkimage.c). Nothing C
// allocates (glibc malloc, shmat, dlopen) is placed against Go's arena
// reservation: mmap places those far below the loader, nowhere near the
// runtime's arena hints. Empty on any error: the trim is an optimisation,
// never a requirement.
func goHeapRanges() []uintptr {
	probes := []uintptr{uintptr(unsafe.Pointer(heapProbes.small)), uintptr(unsafe.Pointer(&heapProbes.medium[0])),
		uintptr(unsafe.Pointer(&heapProbes.large[0]))}

	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil
	}
	defer f.Close()
	type span struct {
		start, end uint64
		anon       bool // private, anonymous, unnamed
		heap       bool
	}
	var maps []span
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// start-end perms offset dev inode [path]
		if len(fields) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		m := span{start: start, end: end,
			anon: len(fields) == 5 && fields[4] == "0" && strings.HasSuffix(fields[1], "p")}
		for _, p := range probes {
			if a := uint64(p); m.anon && fields[1] == "rw-p" && a >= start && a < end {
				m.heap = true
			}
		}
		maps = append(maps, m)
	}
	if sc.Err() != nil {
		return nil
	}
	// Spread to contiguous anonymous neighbours, both ways (maps is sorted).
	for i := 1; i < len(maps); i++ {
		if maps[i-1].heap && maps[i].anon && maps[i].start == maps[i-1].end {
			maps[i].heap = true
		}
	}
	for i := len(maps) - 2; i >= 0; i-- {
		if maps[i+1].heap && maps[i].anon && maps[i].end == maps[i+1].start {
			maps[i].heap = true
		}
	}
	var out []uintptr
	for i := 0; i < len(maps) && len(out)/2 < maxDropRanges; i++ {
		// merge runs, so that a long heap takes one of the few ranges
		if !maps[i].heap {
			continue
		}
		start, end := maps[i].start, maps[i].end
		for i+1 < len(maps) && maps[i+1].heap && maps[i+1].start == end {
			i++
			end = maps[i].end
		}
		out = append(out, uintptr(start), uintptr(end-start))
	}
	return out
}

// persistentChunkSize is the size of the Go runtime's persistent-allocator
// chunks (persistentChunkSize in runtime/malloc.go: 256 KiB from Go 1.9 to
// at least 1.26, the toolchain go.mod names). runtimeChunkList gives up on
// a toolchain outside go1.2x rather than guess.
const persistentChunkSize = 256 << 10

// chunkListAnchor's address against its symbol-table value gives the
// executable's load bias.
var chunkListAnchor byte

// runtimeChunkList is the address of runtime.persistentChunks in this
// process, read once from the executable's symbol table; 0 when it cannot
// be found (a stripped binary, another toolchain, an embedding program).
var runtimeChunkList = sync.OnceValue(func() uintptr {
	if !bool(C.bgw_pre_runtime_recorded()) || !strings.HasPrefix(runtime.Version(), "go1.2") {
		return 0
	}
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		return 0
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return 0
	}
	var list, anchor uint64
	for _, s := range syms {
		switch s.Name {
		case "runtime.persistentChunks":
			list = s.Value
		case "github.com/bgworker/bgworker/cshim.chunkListAnchor":
			anchor = s.Value
		}
	}
	if list == 0 || anchor == 0 {
		return 0
	}
	bias := uintptr(unsafe.Pointer(&chunkListAnchor)) - uintptr(anchor)
	return uintptr(list) + bias
})

// excludeRuntimeChunks marks the runtime's persistent-allocator chunks so
// that no fork copies them (forkimage.c, step 3). Returns how many.
func excludeRuntimeChunks() int {
	head := runtimeChunkList()
	if head == 0 {
		return 0
	}
	return int(C.bgw_exclude_runtime_chunks(C.uintptr_t(head), C.size_t(persistentChunkSize)))
}
