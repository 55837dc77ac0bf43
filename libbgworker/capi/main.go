// Command capi is built with -buildmode=c-shared into libbgworker.so: it
// exports the embedder API declared in include/bgworker/host.h
// (bgworker_main, bgworker_start, bgworker_wait_ready and
// bgworker_control) besides the runtime's module API; cshim/exports.so
// keeps everything else local.
//
// These are the only //export functions of the project, and they are entry
// points for the embedder's own threads: no module code and no forked child
// ever calls them (the iron rule of docs/design.md §6.2 is about callbacks from
// module code, which do not exist). The C header cgo generates is not
// shipped; include/bgworker/host.h is the contract.
package main

/*
// Go links a c-shared library with -Bsymbolic, which binds the library's
// own references to its variables to its own copies. An embedder's program
// that sets one (emit_log_hook, say) writes the copy the dynamic linker
// made in the program (a copy relocation), which the library would then
// never read. -Bsymbolic-functions, given after Go's flag, keeps functions
// bound within the library and lets variables be the program's.
#cgo LDFLAGS: -Wl,-Bsymbolic-functions
#include <stdlib.h>
*/
import "C"

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/bgworker/bgworker/libbgworker"
	"github.com/bgworker/bgworker/libbgworker/cli"
)

// Modules loaded by this supervisor may link libbgworker.so: it is the
// copy already in the process, not a second Go runtime.
func init() { libbgworker.EmbeddedHost = true }

// supervisorRunning enforces one supervisor per process (host.h): the
// postmaster state lives in process-wide C globals of the runtime.
var supervisorRunning atomic.Bool

// errAlreadyRunning is printed when a second supervisor is asked for.
const errAlreadyRunning = "a bgworker supervisor is already running in this process"

//export bgworker_main
func bgworker_main(argc C.int, argv **C.char) C.int {
	if argc < 0 || (argc > 0 && argv == nil) {
		fmt.Fprintf(os.Stderr, "bgworker_main: invalid arguments (argc %d, argv %p)\n", int(argc), argv)
		return 2
	}
	args, err := goStrings("argv", int(argc), argv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bgworker_main: %v\n", err)
		return 2
	}
	if len(args) > 1 && args[1] == "start" {
		if !supervisorRunning.CompareAndSwap(false, true) {
			fmt.Fprintf(os.Stderr, "bgworker_main: %s\n", errAlreadyRunning)
			return 1
		}
		defer supervisorRunning.Store(false)
	}
	return C.int(cli.Main(args))
}

//export bgworker_control
func bgworker_control(datadir, request *C.char) *C.char {
	var reply []byte
	switch {
	case datadir == nil:
		reply = libbgworker.ControlErrorJSON("bgworker_control: datadir is NULL")
	case request == nil:
		reply = libbgworker.ControlErrorJSON("bgworker_control: request is NULL")
	default:
		reply = libbgworker.ControlJSON(C.GoString(datadir), []byte(C.GoString(request)))
	}
	return C.CString(string(reply)) // malloc(3)'d: the caller frees it
}

//export bgworker_start
func bgworker_start(datadir *C.char, nsettings C.int, names, values **C.char) C.int {
	if datadir == nil {
		fmt.Fprintln(os.Stderr, "bgworker_start: datadir is NULL")
		return 1
	}
	if nsettings < 0 {
		fmt.Fprintf(os.Stderr, "bgworker_start: nsettings is negative (%d)\n", int(nsettings))
		return 1
	}
	n := int(nsettings)
	if n > 0 && (names == nil || values == nil) {
		fmt.Fprintf(os.Stderr, "bgworker_start: names or values is NULL but nsettings is %d\n", n)
		return 1
	}
	goNames, err := goStrings("names", n, names)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bgworker_start: %v\n", err)
		return 1
	}
	goValues, err := goStrings("values", n, values)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bgworker_start: %v\n", err)
		return 1
	}
	settings := make([][2]string, n)
	for i := range settings {
		settings[i] = [2]string{goNames[i], goValues[i]}
	}

	if !supervisorRunning.CompareAndSwap(false, true) {
		fmt.Fprintf(os.Stderr, "bgworker_start: %s\n", errAlreadyRunning)
		return 1
	}
	defer supervisorRunning.Store(false)
	return C.int(libbgworker.Run(libbgworker.Options{
		DataDir:  C.GoString(datadir),
		Settings: settings,
	}))
}

//export bgworker_wait_ready
func bgworker_wait_ready(datadir *C.char, timeoutMs C.int) C.int {
	if datadir == nil {
		fmt.Fprintln(os.Stderr, "bgworker_wait_ready: datadir is NULL")
		return libbgworker.WaitReadyStopped
	}
	timeout := time.Duration(-1)
	if timeoutMs >= 0 {
		timeout = time.Duration(timeoutMs) * time.Millisecond
	}
	return C.int(libbgworker.WaitReady(C.GoString(datadir), timeout))
}

// goStrings copies n C strings from arr; a NULL element is an error naming
// the array and the index.
func goStrings(what string, n int, arr **C.char) ([]string, error) {
	if n == 0 {
		return nil, nil
	}
	elems := unsafe.Slice(arr, n)
	out := make([]string, n)
	for i, p := range elems {
		if p == nil {
			return nil, fmt.Errorf("%s[%d] is NULL", what, i)
		}
		out[i] = C.GoString(p)
	}
	return out, nil
}

// main is required by -buildmode=c-shared and never runs.
func main() {}
