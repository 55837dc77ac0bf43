package tests

// Proof of the module API (docs/api.md): modules under tests/modules/api_*.c,
// written as PostgreSQL code, run as real workers of the real host and log
// what they observe; these tests check those lines.

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
	require.Contains(t, log, "api_elog: syslog_sequence_numbers=1 syslog_split_messages=1")
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
	require.Contains(t, log, `api_elog: hook calls=1 level=WARNING last="hooked message 3" id="hooked message %d"`)
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

// reloadHost runs `bgworker reload -D dir`. A configuration with errors
// makes reload exit 1 saying so; the host got the request either way.
func reloadHost(t *testing.T, dir string) {
	t.Helper()
	out, err := cliCommand(hostBin, "reload", "-D", dir).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && strings.Contains(string(out), "contains errors") {
		err = nil
	}
	require.NoError(t, err, "reload: %s", out)
	require.Contains(t, string(out), "server signaled\n")
}

// TestAPIGUC: every GUC type with hooks and units, placeholders, reserved
// prefixes, and a reload seen by a running worker and by one started
// after it (utils/guc.h).
func TestAPIGUC(t *testing.T) {
	t.Parallel()
	conf := apiConf(t, []string{"api_guc"}, `api_guc.early = 'from file'
api_guc.typo = 1
api_guc.naptime = '10s'
api_guc.mem = '64MB'
api_guc.flag = on
api_guc.level = mid
api_guc.fixed = 5`)
	dir := newDataDir(t, conf)
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `api_guc start:`, 1, 20*time.Second)
	log := h.log.all()
	require.Regexp(t, `WARNING:  invalid configuration parameter name "api_guc.typo", removing it\n.*DETAIL:  "api_guc" is now a reserved prefix\.`, log)
	require.Contains(t, log, "api_guc start: flag=on naptime=10000 mem=65536 ratio=0.25 name=anon level=1 fixed=5 early=from file raw_name=anon raw_naptime=10000 show_name=<anon> show_naptime=10s show_mem=64MB varname=api_guc.mem missing_ok=null")

	// Change every SIGHUP variable, the POSTMASTER one too.
	appendConf(t, dir, `api_guc.naptime = '1min'
api_guc.mem = 128
api_guc.flag = off
api_guc.ratio = 0.75
api_guc.name = 'bob'
api_guc.level = high
api_guc.early = 'changed'
api_guc.fixed = 6`)
	reloadHost(t, dir)
	h.log.waitFor(t, `api_guc late1:`, 1, 20*time.Second)
	log = h.log.all()
	require.Contains(t, log, `LOG:  received SIGHUP, reloading configuration files`)
	require.Contains(t, log, `LOG:  parameter "api_guc.fixed" cannot be changed without restarting the server`)
	want := "flag=off naptime=60000 mem=128 ratio=0.75 name=bob level=2 fixed=5 early=changed raw_name=bob raw_naptime=60000 show_name=<bob> show_naptime=1min show_mem=128kB"
	require.Contains(t, log, "api_guc reload1: "+want)
	require.Contains(t, log, "api_guc late1: "+want)

	// Bad values in a reload: each is reported, the rest still applies,
	// and the old value stays.
	appendConf(t, dir, `api_guc.flag = maybe
api_guc.mem = '10 parsecs'
api_guc.ratio = 0.5
api_guc.name = 'has space'
api_guc.level = extreme
api_guc.naptime = 5
api_guc.early = 'still applied'`)
	reloadHost(t, dir)
	h.log.waitFor(t, `api_guc late2:`, 1, 20*time.Second)
	log = h.log.all()
	require.Contains(t, log, `parameter "api_guc.flag" requires a Boolean value`)
	require.Regexp(t, `invalid value for parameter "api_guc.mem": "10 parsecs"\n.*HINT:  Valid units for this parameter are "B", "kB", "MB", "GB", and "TB"\.`, log)
	require.Regexp(t, `ratio 0.5 is reserved\n.*HINT:  Pick any other value between 0 and 1\.`, log)
	require.Regexp(t, `invalid value for parameter "api_guc.name": "has space"\n.*DETAIL:  Names may not contain spaces\.`, log)
	require.Regexp(t, `invalid value for parameter "api_guc.level": "extreme"\n.*HINT:  Available values: low, medium, high\.`, log)
	require.Contains(t, log, `5 ms is outside the valid range for parameter "api_guc.naptime" (10 ms .. 3600000 ms)`)
	require.Contains(t, log, `configuration file "`+dir+`/bgworker.conf" contains errors; unaffected changes were applied`)
	want = "flag=off naptime=60000 mem=128 ratio=0.75 name=bob level=2 fixed=5 early=still applied"
	require.Contains(t, log, "api_guc reload2: "+want)
	require.Contains(t, log, "api_guc late2: "+want)
	stopHost(t, h)
}

// TestAPILocks: spinlocks, atomics, LWLocks and condition variables
// across worker processes, and an LWLock released by an error exit.
func TestAPILocks(t *testing.T) {
	t.Parallel()
	h := startHost(t, newDataDir(t, apiConf(t, []string{"api_locks"}, "api_locks.contenders = 6\nmax_worker_processes = 12")))
	h.waitReady()
	// A condition-variable sleep wakes for its own process's signals, also
	// with the latch still set from the start; a signal to one sleeper is
	// not a signal of the variable for the others.
	m := h.log.waitFor(t, `api_locks: cvterm sleeping pid (\d+)`, 1, 20*time.Second)
	cvterm, _ := strconv.Atoi(m[1])
	m = h.log.waitFor(t, `api_locks: cvhup A sleeping pid (\d+)`, 1, 20*time.Second)
	cvhupA, _ := strconv.Atoi(m[1])
	h.log.waitFor(t, `api_locks: cvhup B sleeping pid (\d+)`, 1, 20*time.Second)
	require.NoError(t, syscall.Kill(cvhupA, syscall.SIGHUP))
	require.NoError(t, syscall.Kill(cvterm, syscall.SIGTERM))
	h.log.waitFor(t, fmt.Sprintf(`\[%d\] FATAL:  terminating background worker "api_locks" due to administrator command`, cvterm), 1, 20*time.Second)
	h.log.waitFor(t, `api_locks: cvhup [AB] timed out=`, 2, 20*time.Second)
	require.Contains(t, h.log.all(), "api_locks: cvhup A timed out=yes")
	require.Contains(t, h.log.all(), "api_locks: cvhup B timed out=yes")
	h.log.waitFor(t, `api_locks: tranche name`, 1, 60*time.Second)
	log := h.log.all()
	require.Contains(t, log, "api_locks: timed sleep on a silent variable timed out=yes")
	h.log.waitFor(t, `api_locks: contender \d finished`, 6, 20*time.Second)
	require.Contains(t, log, "api_locks: contenders=6 spin=exact a32=exact a64=exact cas=exact max=exact bits=exact named=exact dyn=exact")
	require.Contains(t, log, "api_locks: flag first=1 second=0 free=1 xchg=10 sub=5 and=5 or=4 fetch_sub=7 final=6")
	require.Contains(t, log, "api_locks: membarrier read=5")
	require.Regexp(t, `ERROR:  api_locks: holder fails while holding the lock \(held=yes\)`, log)
	// the supervisor may log the holder's exit after the checker is done
	h.log.waitFor(t, `background worker "api_locks" \(PID \d+\) exited with exit code 1`, 1, 20*time.Second)
	require.Contains(t, log, "api_locks: named lock free after the holder's error, held by me=yes, in mode=exclusive")
	require.Contains(t, log, "api_locks: tranche name api_locks_dynamic")
	stopHost(t, h)
}

// TestAPILatch: latches with sockets, wait event sets, a shared latch set
// from another process, and waiting on a latch one does not own
// (storage/latch.h, storage/proc.h).
func TestAPILatch(t *testing.T) {
	t.Parallel()
	h := startHost(t, newDataDir(t, apiConf(t, []string{"api_latch"}, "")))
	h.waitReady()
	h.log.waitFor(t, `api_latch: foreign latch`, 1, 20*time.Second)
	h.log.waitFor(t, `api_latch: owner disowned the latch`, 1, 20*time.Second)
	log := h.log.all()
	for _, want := range []string{
		"api_latch: MyProc pid matches=yes MyLatch is procLatch=yes",
		"api_latch: idle socket: TIMEOUT",
		"api_latch: writeable socket: WRITEABLE",
		"api_latch: connected socket: WRITEABLE",
		"api_latch: socket with data: READABLE",
		"api_latch: latch set while socket idle: LATCH_SET",
		"api_latch: set idle: n=0 registered=3 can_report_closed=yes",
		"api_latch: set data: n=1 pos_ok=yes events=READABLE user_data=7 fd_ok=yes",
		"api_latch: set modified: n=1 events=WRITEABLE",
		"api_latch: set peer closed: n=1 events=CLOSED",
		"api_latch: set latch: n=1 events=LATCH_SET",
		"api_latch: foreign latch: cannot wait on a latch owned by another process",
		"api_latch: owner woken, wake-ups seen 3",
		"api_latch: waker sent 3 wake-ups",
	} {
		require.Contains(t, log, want)
	}
	require.NotContains(t, log, "exited with exit code 1")
	stopHost(t, h)
}

// apiStatusWorker is the part of `bgworker status --json` these tests read.
type apiStatusWorker struct {
	Name      string `json:"name"`
	Pid       int    `json:"pid"`
	Activity  string `json:"activity"`
	WaitEvent string `json:"wait_event"`
	WaitType  string `json:"wait_event_type"`
}

// statusWorker returns the named worker from `bgworker status --json`.
func statusWorker(t *testing.T, dir, name string) apiStatusWorker {
	t.Helper()
	out, err := cliCommand(hostBin, "status", "-D", dir, "--json").Output()
	require.NoError(t, err, "status: %s", out)
	var st struct {
		Workers []apiStatusWorker `json:"workers"`
	}
	require.NoError(t, json.Unmarshal(out, &st), "status output: %s", out)
	for _, w := range st.Workers {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("worker %q not in status: %s", name, out)
	return apiStatusWorker{}
}

// TestAPIMisc: die and held interrupts, shutdown requests through
// HandleMainLoopInterrupts, exit callbacks, timestamps, fmgr, c.h helpers,
// and activity and wait events read back by the supervisor.
func TestAPIMisc(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, apiConf(t, []string{"api_misc"}, ""))
	h := startHost(t, dir)
	h.waitReady()

	m := h.log.waitFor(t, `api_misc: die ready pid (\d+)`, 1, 20*time.Second)
	pid, _ := strconv.Atoi(m[1])
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	h.log.waitFor(t, `background worker "api_misc die" \(PID \d+\) exited`, 1, 20*time.Second)

	m = h.log.waitFor(t, `api_misc: shutdown ready pid (\d+)`, 1, 20*time.Second)
	spid, _ := strconv.Atoi(m[1])
	require.NoError(t, syscall.Kill(spid, syscall.SIGTERM))
	h.log.waitFor(t, `api_misc: shutdown exit callback, code 0`, 1, 20*time.Second)
	require.True(t, processGone(spid, 10*time.Second))

	h.log.waitFor(t, `api_misc: status ready`, 1, 20*time.Second)
	var w apiStatusWorker
	for i := 0; i < 200; i++ {
		if w = statusWorker(t, dir, "api_misc status"); w.WaitEvent == "ApiMiscNap" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, "api_misc doing work", w.Activity)
	require.Equal(t, "ApiMiscNap", w.WaitEvent)
	require.Equal(t, "Extension", w.WaitType)

	log := h.log.all()
	require.Contains(t, log, "api_misc: die pending while held: ProcDiePending=1 InterruptPending=1, still running")
	require.Contains(t, log, `FATAL:  terminating background worker "api_misc die" due to administrator command`)
	require.Contains(t, log, "api_misc: die exit callback, code 1")
	require.Regexp(t, `background worker "api_misc die" \(PID \d+\) exited with exit code 1`, log)
	require.NotContains(t, log, "not reached")
	require.Contains(t, log, "api_misc: shutdown requested")
	require.NotRegexp(t, `"api_misc shutdown" \(PID \d+\) exited with exit code 1`, log)
	require.Contains(t, log, `api_misc: c.h lengthof=7 Min=3 Max=5 strlcpy="tru" returned 9 likely=1 unlikely=0 MAXPGPATH=1024 NAMEDATALEN=64 MAXALIGN(1)=8`)
	require.Contains(t, log, "api_misc: PostmasterPid is parent=yes AmBackgroundWorkerProcess=1")
	require.Contains(t, log, "api_misc: fmgr DirectFunctionCall2=42 api_version=1 loaded_same=yes missing=NULL")
	require.Regexp(t, `api_misc: timestamps elapsed>=20ms=yes exceeds10=yes exceeds100s=no plus1500ms=1500000 backwards=0 ms str=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+`, log)
	require.Contains(t, log, "api_misc: own SIGNAL_ARGS handler ran=yes")
	require.Contains(t, log, "api_misc: wait event same id twice=yes type=Extension name=ApiMiscNap")
	// PostgreSQL's environment: the postmaster's creation mask (the data
	// directory is 0700) and dispositions; a stray SIGALRM only sets the
	// latch, as the timeout module's handler does.
	require.Contains(t, log, "api_misc: environment umask=077 ALRM=handler TTIN=ign TTOU=ign XFSZ=ign")
	require.Contains(t, log, "api_misc: latch set at entry=1 first wait=latch")
	require.NotZero(t, w.Pid)
	require.NoError(t, syscall.Kill(w.Pid, syscall.SIGALRM))
	h.log.waitFor(t, `api_misc: status woke`, 1, 20*time.Second)
	require.NoError(t, syscall.Kill(w.Pid, 0), "the worker survives SIGALRM")
	require.NotContains(t, h.log.all(), "terminated by signal 14")
	// InitPostmasterChild in a worker ends it as in PostgreSQL: it already
	// leads its session, so setsid() fails.
	h.log.waitFor(t, `background worker "api_misc initchild" \(PID \d+\) exited with exit code 1`, 1, 20*time.Second)
	log = h.log.all()
	require.Contains(t, log, "api_misc: initchild calling InitPostmasterChild")
	require.Contains(t, log, "FATAL:  setsid() failed: Operation not permitted")
	require.NotContains(t, log, "initchild not reached")
	stopHost(t, h)
}

// TestAPIBadInput: misuse of the API gets PostgreSQL's error or log text.
func TestAPIBadInput(t *testing.T) {
	t.Parallel()
	badGUCs := "api_badinput.level = bogus\napi_badinput.count = 11\napi_badinput.flag = maybe"
	cases := []struct {
		name     string
		exitCode int // -1: keeps running
		want     []string
	}{
		{"shmem_outside_hook", 1, []string{`FATAL:  cannot request additional shared memory outside shmem_request_hook`}},
		{"lwlocks_outside_hook", 1, []string{`FATAL:  cannot request additional LWLocks outside shmem_request_hook`}},
		{"register_in_worker", -1, []string{
			`LOG:  background worker "api_badinput late": must be registered in "shared_preload_libraries"`,
			`api_badinput: still running after the refused registration`,
		}},
		{"long_names", -1, []string{`api_badinput: long names run: name length 95, type length 95, function length 95`}},
		{"guc_values", -1, []string{
			`WARNING:  invalid value for parameter "api_badinput.level": "bogus"`,
			`HINT:  Available values: low, high.`,
			`WARNING:  11 is outside the valid range for parameter "api_badinput.count" (1 .. 10)`,
			`WARNING:  parameter "api_badinput.flag" requires a Boolean value`,
			`api_badinput: worker "api_badinput" has level=0 count=5 flag=0`,
		}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, apiConf(t, []string{"api_badinput"}, "api_badinput.case = '"+c.name+"'\n"+badGUCs))
			h := startHost(t, dir)
			if c.exitCode >= 0 {
				require.Equal(t, c.exitCode, h.waitExit(20*time.Second))
				h.requireClean()
			} else {
				h.waitReady()
				h.log.waitFor(t, regexp.QuoteMeta(c.want[len(c.want)-1]), 1, 20*time.Second)
			}
			log := h.log.all()
			for _, w := range c.want {
				require.Contains(t, log, w)
			}
			if c.exitCode < 0 {
				stopHost(t, h)
			}
		})
	}
}
