package cshim

// goheap.go finds the address ranges of the Go heap, which the fork
// server unmaps after it is forked (it never runs Go, and every clone it
// makes would otherwise copy the page tables of the supervisor's heap:
// with thousands of registered workers, megabytes of it). Postmaster
// goroutine, right before the fork server is forked.

/*
#include "fork_int.h"
*/
import "C"

import (
	"bufio"
	"os"
	"strconv"
	"strings"
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
// read-write mappings of /proc/self/maps that hold Go heap objects
// (probes of a small, a medium and a large size class, plus the whole
// arena list as the kernel merged it). Only such mappings are named:
// nothing C allocated (glibc malloc, shmat, dlopen) lives in a mapping
// that contains Go heap objects. Empty on any error: the trim is an
// optimisation, never a requirement.
func goHeapRanges() []uintptr {
	probes := []uintptr{uintptr(unsafe.Pointer(heapProbes.small)), uintptr(unsafe.Pointer(&heapProbes.medium[0])),
		uintptr(unsafe.Pointer(&heapProbes.large[0]))}

	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// start-end perms offset dev inode [path]
		if len(fields) != 5 || fields[1] != "rw-p" || fields[4] != "0" {
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
		for _, p := range probes {
			if a := uint64(p); a >= start && a < end {
				out = append(out, uintptr(start), uintptr(end-start))
				break
			}
		}
		if len(out)/2 >= maxDropRanges {
			break
		}
	}
	return out
}
