// Package libbgworker is bgworker's supervisor: PostgreSQL's postmaster for
// background workers. It checks and locks the data directory, reads the
// configuration, loads the modules named in shared_preload_libraries and
// runs their _PG_init, creates the System V shared memory segment, starts
// the fork server and, through it, every worker at its start phase; it
// reaps workers, restarts them after bgw_restart_time, runs the crash
// cycle when a worker attached to shared memory crashes, reloads the
// configuration on SIGHUP and shuts down in smart, fast or immediate mode.
//
// Everything runs on one goroutine, the postmaster goroutine, locked to its
// OS thread for the life of the process: it is the only goroutine that calls
// into C (package cshim) and so into module code. Other goroutines only
// forward signals and fork-server replies to it over channels.
//
// The package deliberately does not fork workers itself (the fork server,
// in C, does: see docs/architecture.md) and never trusts shared memory: a
// rogue worker can corrupt the segment but cannot take the supervisor down.
package libbgworker
