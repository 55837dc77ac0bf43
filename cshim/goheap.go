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
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// maxDropRanges is what the C side honours.
const maxDropRanges = C.BGW_FORKSERVER_MAX_DROP

// goHeapRanges returns (start, length) pairs of the private anonymous
// read-write mappings of /proc/self/maps that hold Go heap objects
// (probes of a small, a medium and a large size class, plus the whole
// arena list as the kernel merged it). Only such mappings are named:
// nothing C allocated (glibc malloc, shmat, dlopen) lives in a mapping
// that contains Go heap objects. Empty on any error: the trim is an
// optimisation, never a requirement.
func goHeapRanges() []uintptr {
	small := new([2]uintptr)
	medium := make([]byte, 8<<10)
	large := make([]byte, 1<<20)
	probes := []uintptr{uintptr(unsafe.Pointer(small)), uintptr(unsafe.Pointer(&medium[0])),
		uintptr(unsafe.Pointer(&large[0]))}
	// The objects stay live (and in place: Go's heap objects do not move)
	// until the maps are read.
	defer runtime.KeepAlive(large)
	defer runtime.KeepAlive(medium)
	defer runtime.KeepAlive(small)

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
