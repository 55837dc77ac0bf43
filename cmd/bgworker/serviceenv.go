package main

// serviceenv.go takes the service manager's variables (NOTIFY_SOCKET,
// WATCHDOG_USEC, WATCHDOG_PID) out of the environment before the Go
// runtime starts, so that no worker, fork server or other child inherits
// them (a worker that found NOTIFY_SOCKET could tell systemd the host is
// ready or stopping), and hands them to the supervisor. It has to be a
// constructor: workers are forked without exec and inherit the C
// environment, and after start-up the environment may not be changed
// (setenv/unsetenv while other threads run is unsafe, and the supervisor
// is a cgo program). Only the binary: an embedding program may be the
// service itself and keeps its environment.

/*
#include <stdlib.h>
#include <string.h>

static char *saved_notify_socket;
static char *saved_watchdog_usec;
static char *saved_watchdog_pid;

static char *
take(const char *name)
{
	const char *v = getenv(name);
	char	   *copy = v ? strdup(v) : NULL;

	unsetenv(name);
	return copy;
}

// Runs before the Go runtime starts, while the process has one thread.
__attribute__((constructor)) static void
bgworker_take_service_env(void)
{
	saved_notify_socket = take("NOTIFY_SOCKET");
	saved_watchdog_usec = take("WATCHDOG_USEC");
	saved_watchdog_pid = take("WATCHDOG_PID");
}

static const char *service_notify_socket(void) { return saved_notify_socket; }
static const char *service_watchdog_usec(void) { return saved_watchdog_usec; }
static const char *service_watchdog_pid(void) { return saved_watchdog_pid; }
*/
import "C"

import "github.com/bgworker/bgworker/libbgworker"

// serviceEnv is what the constructor took out of the environment.
func serviceEnv() libbgworker.ServiceEnv {
	str := func(p *C.char) string {
		if p == nil {
			return ""
		}
		return C.GoString(p)
	}
	return libbgworker.ServiceEnv{
		NotifySocket: str(C.service_notify_socket()),
		WatchdogUsec: str(C.service_watchdog_usec()),
		WatchdogPid:  str(C.service_watchdog_pid()),
	}
}
