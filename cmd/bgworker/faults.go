//go:build bgworker_faults

package main

// This file exists only in test builds (-tags bgworker_faults): with
// BGWORKER_SIGNAL_AT_MAIN=TERM (or INT, QUIT, HUP) the process sends
// itself that signal as the first thing main does, so that a test can
// check that a signal arriving before the supervisor's handlers exist is
// held, not fatal.

import (
	"os"
	"syscall"
)

func init() {
	sig, ok := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT,
		"QUIT": syscall.SIGQUIT, "HUP": syscall.SIGHUP}[os.Getenv("BGWORKER_SIGNAL_AT_MAIN")]
	if !ok {
		return
	}
	atMainStart = func() { syscall.Kill(os.Getpid(), sig) }
}
