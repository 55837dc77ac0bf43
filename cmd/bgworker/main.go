// Command bgworker is the host binary: it runs C background workers with
// PostgreSQL's bgworker semantics. See `bgworker help` and the README.
package main

import (
	"os"
	"runtime"

	"github.com/bgworker/bgworker/libbgworker"
	"github.com/bgworker/bgworker/libbgworker/cli"
)

// The postmaster goroutine must own one OS thread for the life of the
// process (it is the parent of every worker, see DESIGN.md §3); locking the
// main goroutine in init pins it to the main thread.
func init() { runtime.LockOSThread() }

func main() {
	libbgworker.Service = serviceEnv() // serviceenv.go
	os.Exit(cli.Main(os.Args))
}
