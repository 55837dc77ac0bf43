// Package earlysig holds the bgworker executable's stop, reload and
// notification signals, in a `bgworker start` process, from its first
// moment until the supervisor's handlers are in place, as PostgreSQL's postmaster blocks
// them during start-up: a SIGTERM in the first millisecond used to kill
// the host with the default action, with no log line.
//
// Two layers, because the Go runtime unblocks SIGTERM, SIGINT, SIGHUP and
// SIGQUIT on every thread it starts (a blocked mask cannot hold them):
// a C constructor, which runs before the Go runtime, installs a handler
// that only records them; then this package's init (it has no
// dependencies of ours, so it is among the first packages initialised)
// takes them with os/signal into a buffered channel. Between the
// runtime's own handler installation and that init (package
// initialisation, well under a millisecond) a signal still gets Go's
// default action.
//
// Release hands what was held to whoever takes the signals next: the
// supervisor, once its own handlers are in place, or the default actions
// in a command that is not `start`. The package is imported only by the
// executable: an embedding program keeps its own signal handling.
package earlysig

/*
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t held[NSIG];

static void
record(int sig)
{
	held[sig] = 1;
}

static const int early_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};

__attribute__((constructor)) static void
bgw_hold_signals_early(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = record;
	sa.sa_flags = SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(early_signals) / sizeof(early_signals[0]); i++)
	{
		struct sigaction old;

		// an inherited SIG_IGN (nohup) stays: the Go runtime respects it too
		if (sigaction(early_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(early_signals[i], &sa, NULL);
	}
}

static int
take_held(int sig)
{
	int			was = held[sig];

	held[sig] = 0;
	return was;
}
*/
import "C"

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// signals are the ones held: stop requests, reload, the notification
// signals modules and the CLI send.
var signals = []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
	syscall.SIGUSR1, syscall.SIGUSR2}

// held queues what arrives before Release; os/signal drops a signal whose
// channel is full, and a pending Unix signal coalesces anyway.
var held = make(chan os.Signal, 16)

// init holds the signals only for `bgworker start`, the one command whose
// process becomes the supervisor (main.go hands them over through
// libbgworker.SignalsTaken). Every other command wants the default actions
// anyway, and os/signal's first Notify starts the runtime's signal
// goroutine and its signal-mask thread: a quarter of the package
// initialisation of a short command such as `bgworker status`.
func init() {
	if !Holding() {
		return
	}
	for _, s := range signals {
		if !signal.Ignored(s) {
			signal.Notify(held, s)
		}
	}
}

// Holding reports whether this process holds the signals: its command is
// `bgworker start`, the one whose process becomes the supervisor.
func Holding() bool {
	return len(os.Args) >= 2 && os.Args[1] == "start"
}

var releaseOnce sync.Once

// Release stops holding signals and sends each one held (by the C
// handler before the Go runtime took over, or since) to this process
// again, where its current handler, or its default action, takes it. The
// supervisor calls it once its handlers are in place; other commands call
// it at once. Idempotent.
func Release() {
	releaseOnce.Do(func() {
		signal.Stop(held)
		pid := os.Getpid()
		for _, s := range signals {
			if C.take_held(C.int(s.(syscall.Signal))) != 0 {
				syscall.Kill(pid, s.(syscall.Signal))
			}
		}
		for {
			select {
			case s := <-held:
				syscall.Kill(pid, s.(syscall.Signal))
			default:
				return
			}
		}
	})
}
