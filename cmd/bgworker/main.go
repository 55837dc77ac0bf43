// Command bgworker is the host binary: it runs C background workers with
// PostgreSQL's bgworker semantics. See `bgworker help` and the README.
package main

import (
	"os"
	"runtime"

	"github.com/bgworker/bgworker/cmd/bgworker/earlysig"
	"github.com/bgworker/bgworker/libbgworker"
	"github.com/bgworker/bgworker/libbgworker/cli"
)

// The postmaster goroutine must own one OS thread for the life of the
// process (it is the parent of every worker, see docs/design.md §6.3);
// locking the main goroutine in init pins it to the main thread.
func init() { runtime.LockOSThread() }

// atMainStart is set only in the fault-injection build (faults.go).
var atMainStart func()

func main() {
	if atMainStart != nil {
		atMainStart()
	}
	libbgworker.Service = serviceEnv() // serviceenv.go
	// Signals are held since the process began (earlysig): the supervisor
	// releases them to its own handlers; any other command at once.
	if earlysig.Holding() {
		libbgworker.SignalsTaken = earlysig.Release
	} else {
		earlysig.Release()
	}
	os.Exit(cli.Main(os.Args))
}
