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
	"encoding/binary"
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
	const listName, anchorName = "runtime.persistentChunks", "github.com/bgworker/bgworker/cshim.chunkListAnchor"
	v := symbolValues("/proc/self/exe", listName, anchorName)
	list, anchor := v[listName], v[anchorName]
	if list == 0 || anchor == 0 {
		return 0
	}
	bias := uintptr(unsafe.Pointer(&chunkListAnchor)) - uintptr(anchor)
	return uintptr(list) + bias
})

// symbolValues returns the values of the named symbols in the symbol
// table of the 64-bit little-endian ELF file at path (missing names are
// absent). It scans the raw table in place: debug/elf's Symbols builds a
// string and a struct for every symbol, which took 10–30 ms of every
// host start once the binary held 18 000 symbols; this takes about 1 ms.
func symbolValues(path string, names ...string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := elf.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	st := f.SectionByType(elf.SHT_SYMTAB)
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || st == nil || int(st.Link) >= len(f.Sections) {
		return out
	}
	syms, err := st.Data()
	if err != nil {
		return out
	}
	strs, err := f.Sections[st.Link].Data()
	if err != nil {
		return out
	}
	// Elf64_Sym: st_name (4 bytes) at 0, st_value (8 bytes) at 8; entry
	// 0 is the null symbol.
	const symSize = 24
	for i := symSize; i+symSize <= len(syms); i += symSize {
		off := int(binary.LittleEndian.Uint32(syms[i:]))
		if off >= len(strs) {
			continue
		}
		name := strs[off:]
		for _, n := range names {
			if len(name) > len(n) && name[len(n)] == 0 && string(name[:len(n)]) == n {
				out[n] = binary.LittleEndian.Uint64(syms[i+8:])
			}
		}
	}
	return out
}

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
