package cshim

// goheap.go names the Go memory that no fork of the supervisor needs, for
// forkimage.c to mark MADV_DONTFORK before every fork of the fork server:
// Go heap objects whose mappings are the heap, and the list of the
// runtime's persistent-allocator chunks (its metadata). The fork server
// never runs Go, and every clone it makes would otherwise copy the page
// tables of the supervisor's heap: with thousands of registered workers,
// megabytes of it. Postmaster goroutine, right before the fork server is
// forked.

/*
#include "fork_int.h"
*/
import "C"

import (
	"debug/elf"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// heapProbes are Go heap objects of a small, a medium and a large size
// class, allocated once and kept for the life of the process (Go's heap
// objects never move), so that a crash cycle does not allocate and clear
// a fresh large object before every fork of the fork server.
var heapProbes = struct {
	small  *[2]uintptr
	medium []byte
	large  []byte
}{new([2]uintptr), make([]byte, 8<<10), make([]byte, 40<<10)}

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

// excludeGoMemory marks the Go heap and the runtime's persistent-allocator
// chunks so that no fork copies them (forkimage.c, step 3). Returns how
// many ranges were marked.
func excludeGoMemory() int {
	probes := [3]C.uintptr_t{
		C.uintptr_t(uintptr(unsafe.Pointer(heapProbes.small))),
		C.uintptr_t(uintptr(unsafe.Pointer(&heapProbes.medium[0]))),
		C.uintptr_t(uintptr(unsafe.Pointer(&heapProbes.large[0]))),
	}
	return int(C.bgw_exclude_go_memory(&probes[0], C.int(len(probes)),
		C.uintptr_t(runtimeChunkList()), C.size_t(persistentChunkSize)))
}
