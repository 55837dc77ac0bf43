// Package dbconn is the C runtime's database session: a background
// worker's connection to a real PostgreSQL server over libpq, and what
// PostgreSQL's backend offers on top of one (access/transam's
// transactions, utils/time's snapshots, executor/spi's SPI, the Datum
// conversions of utils/adt, and the catalog look-ups of
// BackgroundWorkerInitializeConnectionByOid, GetUserId and
// get_database_name).
//
// One package rather than one per PostgreSQL subsystem because all of it
// shares a single piece of state, the worker's connection and the
// transaction open on it: a transaction begins on the server with the
// first SPI statement, an SPI error aborts it, a lost connection ends the
// worker. Split, each part would need the others' internals.
//
// Where it runs: only in a worker child, in C, after the fork. libpq is
// not linked into the binary: session.c loads it with dlopen the first
// time a worker connects (libpq_load.c), so the supervisor, the fork
// server and workers without a connection never map it or the two dozen
// libraries it needs (OpenSSL, Kerberos, LDAP). Only libpq's headers
// (Debian's libpq-dev) are needed to build.
//
// It is a Go package only so that cgo compiles its C files; it has no Go
// API. Package cshim imports it.
package dbconn

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -I${SRCDIR}/../internal -D_GNU_SOURCE -std=gnu11
#cgo CFLAGS: -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
#cgo CFLAGS: -fno-strict-aliasing
#cgo CFLAGS: -I/usr/include/postgresql
*/
import "C"

// The headers this package compiles against, as build inputs (see package
// include).
import (
	_ "github.com/bgworker/bgworker/cshim/internal"
	_ "github.com/bgworker/bgworker/include"
)
