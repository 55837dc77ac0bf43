package tests

// Proof of the module API (issue 3): modules under tests/modules/api_*.c,
// written as PostgreSQL code, run as real workers of the real host and log
// what they observe; these tests check those lines.

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// apiConf compiles the named api_* modules and returns a configuration
// preloading them, followed by extra lines.
func apiConf(t *testing.T, modules []string, extra string) string {
	t.Helper()
	var dir string
	for _, m := range modules {
		dir = filepath.Dir(compileModule(t, m, m))
	}
	list := ""
	for i, m := range modules {
		if i > 0 {
			list += ","
		}
		list += m
	}
	return fmt.Sprintf("shared_preload_libraries = '%s'\ndynamic_library_path = '%s'\n%s\n", list, dir, extra)
}

// stopHost shuts a host down fast and checks it left nothing behind.
func stopHost(t *testing.T, h *host) {
	t.Helper()
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.requireClean()
}

// TestAPIElog: error reporting in a worker (utils/elog.h).
func TestAPIElog(t *testing.T) {
	t.Parallel()
	h := startHost(t, newDataDir(t, apiConf(t, []string{"api_elog"}, "")))
	h.waitReady()
	h.log.waitFor(t, `exited with exit code 1`, 1, 20*time.Second)
	log := h.log.all()
	require.Contains(t, log, `api_elog: caught elevel=ERROR sqlstate=22012 message="cannot divide 7 by 0" detail="The divisor was zero." hint="Use a divisor other than zero." context="computing the ratio`+"\n\t"+`while processing item 42"`)
	require.Contains(t, log, "api_elog: context stack restored=yes")
	require.Contains(t, log, "api_elog: inner try without error")
	require.Contains(t, log, `api_elog: outer caught "inner failure 1" after 2 finally blocks`)
	require.NotContains(t, log, "not reached")
	require.Contains(t, log, "api_elog: inner catch rethrows")
	require.Contains(t, log, `api_elog: rethrown error reached outer catch: "deep failure" sqlstate=22023`)
	require.Contains(t, log, "api_elog: emitting the rethrown copy")
	require.Regexp(t, `ERROR:  saved for later\n.*DETAIL:  Only the server log sees this detail\.`, log)
	require.NotContains(t, log, "must not be logged")
	require.Regexp(t, `WARNING:  api_elog: a warning\n.*HINT:  Hints are logged too\.`, log)
	require.Contains(t, log, "LOG:  api_elog: log_server_only line")
	require.Contains(t, log, `WARNING:  could not open file "/nonexistent/api_elog": No such file or directory`)
	require.NotContains(t, log, "hooked message 3\n")
	require.Contains(t, log, `api_elog: hook calls=1 level=WARNING last="hooked message 3"`)
	require.Regexp(t, `ERROR:  api_elog: uncaught error\n.*DETAIL:  The worker ends here\.`, log)
	require.Regexp(t, `background worker "api_elog" \(PID \d+\) exited with exit code 1`, log)
	stopHost(t, h)
}

// TestAPIMemory: memory contexts under churn and StringInfo in workers
// (utils/palloc.h, utils/memutils.h, lib/stringinfo.h).
func TestAPIMemory(t *testing.T) {
	t.Parallel()
	h := startHost(t, newDataDir(t, apiConf(t, []string{"api_mcxt", "api_stringinfo"}, "")))
	h.waitReady()
	h.log.waitFor(t, `api_mcxt: done`, 1, 60*time.Second)
	h.log.waitFor(t, `api_stringinfo: done`, 1, 20*time.Second)
	log := h.log.all()
	require.Contains(t, log, "api_mcxt: started, current is set, top is set")
	require.Contains(t, log, `api_mcxt: psprintf="psprintf-17-2.50" pnstrdup="abc" pstrdup="dup" palloc0=0 in_work=yes`)
	require.Contains(t, log, "api_mcxt: palloc_extended NO_OOM of 1 PB returned NULL")
	require.Contains(t, log, "api_mcxt: palloc_extended ZERO first byte 0")
	require.Contains(t, log, "api_mcxt: too big: invalid memory alloc request size 1073741824 [XX000]")
	require.Regexp(t, `api_mcxt: out of memory: out of memory \[53200\] Failed on request of size 1125899906842624 in memory context "api_mcxt work"\.`, log)
	require.Contains(t, log, "api_mcxt: churn rounds=200 bad=0 empty_after_reset=yes kept<=8kB=yes")
	require.Contains(t, log, `api_stringinfo: small "x=1,y=2   |" len=11`)
	require.Contains(t, log, `api_stringinfo: grown len=5000 terminated=yes tail="0999;"`)
	require.Contains(t, log, "api_stringinfo: wide len=5001 last=|")
	require.Contains(t, log, "api_stringinfo: binary len=4 byte2=b maxlen>=100005=yes")
	require.NotContains(t, log, "exited with exit code 1")
	stopHost(t, h)
}
