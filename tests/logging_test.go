// The logging collector (logging_collector = on): stderr, csvlog and
// jsonlog files, rotation without loss, what workers print captured, a
// blocked log that does not stop the supervisor, and the syslog
// destination.

package tests

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// collectorConf preloads logchatter with the collector on.
func collectorConf(t *testing.T, extra string) string {
	so := compileModule(t, "logchatter", "logchatter")
	return fmt.Sprintf("shared_preload_libraries = 'logchatter'\ndynamic_library_path = '%s'\nlogging_collector = on\n%s",
		filepath.Dir(so), extra)
}

// readLogs concatenates the files of dir/log with the given extension, in
// name order.
func readLogs(t *testing.T, dir, ext string) (string, []string) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "log", "*"+ext))
	require.NoError(t, err)
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(n)
		require.NoError(t, err)
		b.Write(data)
	}
	return b.String(), names
}

// waitInLogs waits until pattern matches in the .log files and returns
// the last match.
func waitInLogs(t *testing.T, dir, pattern string, timeout time.Duration) []string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	var m []string
	require.Eventually(t, func() bool {
		text, _ := readLogs(t, dir, ".log")
		all := re.FindAllStringSubmatch(text, -1)
		if len(all) == 0 {
			return false
		}
		m = all[len(all)-1]
		return true
	}, timeout, 20*time.Millisecond, "no %q in the log files of %s", pattern, dir)
	return m
}

// logrotate asks the host to rotate as pg_ctl logrotate does.
func logrotate(t *testing.T, h *host) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(h.dir, "logrotate"), nil, 0o600))
	h.signal(syscall.SIGUSR1)
}

func TestLoggingCollectorRotatesWithoutLoss(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, collectorConf(t, "log_destination = 'stderr,csvlog,jsonlog'\nlog_filename = 'chatter-%Y%m%d-%H%M%S.log'\nlog_file_mode = 0640"))
	h := startHost(t, dir)
	h.log.waitFor(t, `redirecting log output to logging collector process`, 1, 20*time.Second)
	waitInLogs(t, dir, `database system is ready to accept connections`, 20*time.Second)
	waitInLogs(t, dir, `chatter seq 100\b`, 20*time.Second)
	for i := 0; i < 3; i++ {
		// File names have a resolution of one second: pace the rotations
		// so that each opens new files (pacing, not a timing assertion).
		time.Sleep(1100 * time.Millisecond)
		logrotate(t, h)
	}
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chatter.stop"), nil, 0o600))
	done := waitInLogs(t, dir, `chatter done (\d+)`, 20*time.Second)
	last, _ := strconv.Atoi(done[1])
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()

	// stderr files: every record once, in order per process; what the
	// worker printed; the long record in one piece; the shutdown's last line.
	text, logFiles := readLogs(t, dir, ".log")
	require.GreaterOrEqual(t, len(logFiles), 4, "three rotations make at least four files: %v", logFiles)
	seen := map[int]int{}
	for _, m := range regexp.MustCompile(`chatter seq (\d+)\n`).FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		seen[n]++
	}
	for i := 1; i <= last; i++ {
		require.Equal(t, 1, seen[i], "chatter seq %d appears %d times (of %d)", i, seen[i], last)
	}
	require.Contains(t, text, "chatter stdout line\n")
	require.Contains(t, text, "chatter stderr line\n")
	require.Contains(t, text, "long<"+strings.Repeat("x", 10000)+">long\n")
	require.Regexp(t, `LOG:  chatter start\n.*DETAIL:  first detail line\n\tsecond detail line`, text)
	require.Contains(t, text, "database system is shut down")
	for _, f := range logFiles {
		st, err := os.Stat(f)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o640), st.Mode().Perm(), f)
	}

	// csvlog: 26 columns per record, the same records.
	csvText, csvFiles := readLogs(t, dir, ".csv")
	require.Len(t, csvFiles, len(logFiles))
	r := csv.NewReader(strings.NewReader(csvText))
	r.FieldsPerRecord = 26
	rows, err := r.ReadAll()
	require.NoError(t, err)
	csvSeq := 0
	var sawDetail, sawLong bool
	for _, row := range rows {
		if strings.HasPrefix(row[13], "chatter seq ") {
			csvSeq++
		}
		if row[13] == "chatter start" {
			require.Equal(t, "first detail line\nsecond detail line with a \"quote\", a comma", row[14])
			require.Equal(t, "a hint", row[15])
			require.Equal(t, "logchatter", row[23])
			sawDetail = true
		}
		if strings.HasPrefix(row[13], "long<") {
			require.Len(t, row[13], 10000+len("long<>long"))
			sawLong = true
		}
	}
	require.Equal(t, last, csvSeq)
	require.True(t, sawDetail && sawLong)

	// jsonlog: one object per line, the same records.
	jsonText, jsonFiles := readLogs(t, dir, ".json")
	require.Len(t, jsonFiles, len(logFiles))
	jsonSeq := 0
	sc := bufio.NewScanner(strings.NewReader(jsonText))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "%s", sc.Text())
		if msg, _ := rec["message"].(string); strings.HasPrefix(msg, "chatter seq ") {
			jsonSeq++
		}
	}
	require.Equal(t, last, jsonSeq)

	// current_logfiles names the last files.
	cur, err := os.ReadFile(filepath.Join(dir, "current_logfiles"))
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("stderr log/%s\ncsvlog log/%s\njsonlog log/%s\n",
		filepath.Base(logFiles[len(logFiles)-1]), filepath.Base(csvFiles[len(csvFiles)-1]),
		filepath.Base(jsonFiles[len(jsonFiles)-1])), string(cur))
}

// TestLoggingCollectorRotatesBySize: log_rotation_size starts a new file
// when the current one reaches it.
func TestLoggingCollectorRotatesBySize(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, collectorConf(t, "log_filename = 'size-%Y%m%d-%H%M%S.log'\nlog_rotation_size = 64kB\nlogchatter.pause_us = 2000"))
	h := startHost(t, dir)
	waitInLogs(t, dir, `chatter seq \d+`, 20*time.Second)
	// Each rotation within one second appends to the same name: wait for
	// a second file rather than count them.
	require.Eventually(t, func() bool {
		_, files := readLogs(t, dir, ".log")
		return len(files) >= 2
	}, 30*time.Second, 50*time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chatter.stop"), nil, 0o600))
	waitInLogs(t, dir, `chatter done \d+`, 20*time.Second)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}

// TestLoggingCollectorBlockedLogDoesNotStopTheSupervisor: with the log
// file stuck (a FIFO nobody reads, as a file system that does not answer),
// the workers wait on the full pipe as in PostgreSQL, but the supervisor
// goes on: `bgworker status` answers and a reload is taken. When the file
// moves again, the log resumes.
func TestLoggingCollectorBlockedLogDoesNotStopTheSupervisor(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, collectorConf(t, "logchatter.pause_us = 0"))
	h := startHost(t, dir)
	waitInLogs(t, dir, `chatter seq \d+`, 20*time.Second)
	fifo := filepath.Join(dir, "log", "stuck.log")
	require.NoError(t, unix.Mkfifo(fifo, 0o600))
	appendConf(t, dir, "log_filename = 'stuck.log'")
	h.signal(syscall.SIGHUP)

	// The writer now hangs opening the FIFO; the worker fills the pipe.
	for i := 0; i < 5; i++ {
		out, err := runCLI("status", "-D", dir)
		require.NoError(t, err, "status while the log is stuck: %s", out)
		require.Contains(t, out, "logchatter")
		time.Sleep(200 * time.Millisecond)
	}
	h.signal(syscall.SIGHUP) // taken (no hang) even with the log stuck
	out, err := runCLI("status", "-D", dir)
	require.NoError(t, err, "%s", out)

	// Unstick it: read the FIFO until the host is gone.
	var mu sync.Mutex
	var got strings.Builder
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		f, err := os.Open(fifo)
		if err != nil {
			return
		}
		defer f.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			mu.Lock()
			got.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chatter.stop"), nil, 0o600))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(got.String(), "chatter done")
	}, 30*time.Second, 20*time.Millisecond, "the log did not resume after the file moved again")
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(30*time.Second))
	h.requireClean()
	<-readDone
	require.True(t, strings.Contains(got.String(), "database system is shut down"), "no shutdown line in the resumed log")
}

// TestLoggingSyslog: log_destination = syslog sends each line of a
// record as a datagram to /dev/log with PostgreSQL's sequence numbers.
// The host runs in a mount namespace of its own whose /dev/log is this
// test's socket.
func TestLoggingSyslog(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not found")
	}
	tmp := t.TempDir()
	sockPath := filepath.Join(tmp, "log.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
	require.NoError(t, err)
	defer conn.Close()
	msgs := make(chan string, 10000)
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				close(msgs)
				return
			}
			msgs <- string(buf[:n])
		}
	}()

	dir := newDataDir(t, collectorConf(t, "logging_collector = off\nlog_destination = 'stderr,syslog'\nsyslog_facility = 'local3'\nsyslog_ident = 'bgwtest'\nlogchatter.pause_us = 100000"))
	script := `set -e
mkdir -p "$T/keep" && touch "$T/keep/null" && mount --bind /dev/null "$T/keep/null"
mount -t tmpfs tmpfs /dev
touch /dev/null /dev/log
mount --bind "$T/keep/null" /dev/null
mount --bind "$T/log.sock" /dev/log
exec "$@"`
	h := launchHost(t, dir, "unshare", []string{"--mount", "--propagation", "private", "sh", "-c", script, "sh", hostBin},
		[]string{"T=" + tmp})
	h.waitReady()
	h.log.waitFor(t, `chatter seq 2\b`, 1, 20*time.Second)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chatter.stop"), nil, 0o600))
	h.log.waitFor(t, `chatter done`, 1, 20*time.Second)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))

	var all []string
	deadline := time.After(5 * time.Second)
collect:
	for {
		select {
		case m := <-msgs:
			all = append(all, m)
			if strings.Contains(m, "database system is shut down") {
				break collect
			}
		case <-deadline:
			break collect
		}
	}
	text := strings.Join(all, "\n")
	// local3 = 19 << 3; LOG is info (6): <158>.
	require.Regexp(t, `(?m)^<158>bgwtest\[\d+\]: \[\d+\] .*LOG:  database system is ready to accept connections$`, text)
	// A record with a DETAIL and a HINT: one datagram per line, [N-M].
	require.Regexp(t, `(?m)^<158>bgwtest\[\d+\]: \[(\d+)-1\] .*LOG:  chatter start$`, text)
	require.Regexp(t, `(?m)^<158>bgwtest\[\d+\]: \[\d+-2\] .*DETAIL:  first detail line$`, text)
	// The 10000-byte record comes in pieces of at most 900 bytes.
	long := regexp.MustCompile(`(?m)^<158>bgwtest\[\d+\]: \[\d+-(\d+)\] (x*)>?long$`).FindAllStringSubmatch(text, -1)
	require.NotEmpty(t, long)
	for _, m := range all {
		if i := strings.Index(m, "] "); i > 0 {
			require.LessOrEqual(t, len(m)-i-2, 900, "a syslog piece longer than 900 bytes")
		}
	}
}
