// Command goidle is the reference for the supervisor's idle wake-ups: a Go
// program that only waits for a signal, built like the host (cgo on, the
// same tags), so that what the Go runtime wakes up for on its own can be
// told apart from what the supervisor does.
package main

import "C"

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
