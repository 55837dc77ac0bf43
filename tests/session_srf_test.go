package tests

// What a call returns and how it reports, with the callkit test extension
// (tests/modules/callkit, our own module, installed by newSessionTree):
// set-returning functions in materialize mode (InitMaterializedSRF and
// the older hand-written set-up) and the errors of callers that cannot
// take their result; NOTICEs shown while the call still runs; several
// calls in one session (`bgworker call --file`).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

func TestSessionMaterialize(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	cases := []callCase{
		// OUT parameters: the declared row type (TYPEFUNC_COMPOSITE)
		{[]string{"callkit_mat_out", "4"}, "(1,1,\"row 1\")\n(2,4,\"row 2\")\n(3,9,)\n(4,16,\"row 4\")\n", "", 0},
		// RETURNS TABLE, the caller's expectedDesc, blessed
		{[]string{"callkit_mat_table", "3"}, "(even,0)\n(\"odd, half\",0.5)\n(even,1)\n", "", 0},
		// SETOF a scalar: one-column rows, NULL printed as psql does
		{[]string{"callkit_mat_scalar", "3"}, "item 0\n\nitem 2\n", "", 0},
		{[]string{"callkit_mat_empty"}, "", "", 0},
		{[]string{"callkit_mat_out", "0"}, "", "", 0},
		// rsinfo checked by hand, per-query context, tuplestore_puttuple
		{[]string{"callkit_mat_classic", "2"}, "(100,\"name \"\"0\"\"\")\n(101,\"name \"\"1\"\"\")\n", "", 0},
		// a function that is not SETOF gets no ReturnSetInfo
		{[]string{"callkit_mat_not_setof"}, "", "ERROR:  set-valued function called in context that cannot accept a set\n", 1},
		// SETOF record without columns: no expected descriptor
		{[]string{"callkit_mat_record"}, "", "ERROR:  materialize mode required, but it is not allowed in this context\n", 1},
		{[]string{"callkit_mat_mismatch"}, "",
			"ERROR:  function return row and query-specified return row do not match\nDETAIL:  Returned row contains 3 attributes, but query expects 2.\n", 1},
	}
	st.checkCalls(t, dir, cases)
	// a large set: the rows survive the per-row reset of the call's memory
	stdout, stderr, code := st.call(t, dir, "callkit_mat_out", "20000")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 20000)
	require.Equal(t, "(19999,399960001,\"row 19999\")", lines[19998])
	stopHost(t, h)
}

// TestSessionNoticeStreams: a NOTICE reaches the caller's stderr while the
// function that raised it still runs (it waits for a file the test makes
// only after reading the NOTICE), and Ctrl-C still cancels such a call.
func TestSessionNoticeStreams(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	flag := filepath.Join(t.TempDir(), "go")

	cmd := exec.Command(st.bin, "call", "-D", dir, "callkit_notice_wait", flag)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	errPipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	stderr := bufio.NewReader(errPipe)
	first, err := stderr.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("NOTICE:  waiting for %q\n", flag), first)
	// the function cannot have returned: the file does not exist yet
	_, err = os.Stat(flag)
	require.True(t, os.IsNotExist(err))
	detail, err := stderr.ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, `^DETAIL:  Session \d+\.\n$`, detail)
	require.NoError(t, os.WriteFile(flag, nil, 0o600))
	rest, err := io.ReadAll(stderr)
	require.NoError(t, err)
	require.Equal(t, 0, waitCall(t, cmd))
	require.Equal(t, fmt.Sprintf("INFO:  found %q\n", flag), string(rest))
	require.Equal(t, "done\n", stdout.String())

	// Ctrl-C while the call waits, after its NOTICE has been shown
	flag2 := flag + "2"
	cmd = exec.Command(st.bin, "call", "-D", dir, "callkit_notice_wait", flag2)
	errPipe, err = cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	stderr = bufio.NewReader(errPipe)
	first, err = stderr.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("NOTICE:  waiting for %q\n", flag2), first)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	rest, err = io.ReadAll(stderr)
	require.NoError(t, err)
	require.Equal(t, 1, waitCall(t, cmd))
	require.Contains(t, string(rest), "Cancel request sent\n")
	require.Contains(t, string(rest), "ERROR:  canceling statement due to user request\n")

	// the same through the protocol: notice lines ahead of the reply
	c, err := net.Dial("unix", filepath.Join(dir, "bgworker.sock"))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte(`{"version":1,"op":"call","call":{"function":"callkit_notice_wait","args":["` + flag + `"],"stream":true}}` + "\n"))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		lines = append(lines, line)
	}
	require.Len(t, lines, 3, "%q", lines)
	require.Contains(t, lines[0], `"notice":{"severity":"NOTICE","sqlstate":"00000","message":"waiting for`)
	require.Contains(t, lines[1], `"notice":{"severity":"INFO","sqlstate":"00000","message":"found`)
	require.Contains(t, lines[2], `"ok":true,"call":{"returns":"text","rows":["done"]`)

	// bgworker_control's one reply gathers the streamed notices
	var rep libbgworker.ControlReply
	require.NoError(t, json.Unmarshal(libbgworker.ControlJSON(dir,
		[]byte(`{"op":"call","call":{"function":"callkit_notice_wait","args":["`+flag+`"],"stream":true}}`)), &rep))
	require.True(t, rep.OK, rep.Error)
	require.Nil(t, rep.Notice)
	require.Len(t, rep.Call.Notices, 2)
	require.Equal(t, "NOTICE", rep.Call.Notices[0].Severity)
	require.Equal(t, "INFO", rep.Call.Notices[1].Severity)
	require.Equal(t, "done", *rep.Call.Rows[0])

	stopHost(t, h)
}

// TestSessionKeep: `bgworker call --file` runs its calls in one session:
// static variables and a pinned dsm mapping survive from one call to the
// next, an ERROR ends only its call, and the session and its segment go
// when the calls are over.
func TestSessionKeep(t *testing.T) {
	st := newSessionTree(t)
	before := dsmNames()
	h, dir := st.start(t, "")
	flag := filepath.Join(t.TempDir(), "flag")
	require.NoError(t, os.WriteFile(flag, nil, 0o600))
	script := filepath.Join(t.TempDir(), "calls")
	require.NoError(t, os.WriteFile(script, []byte(strings.Join([]string{
		"# state across calls",
		"callkit_counter",
		"callkit_counter",
		"callkit_pinned",
		"",
		"callkit_pin 'hello world'",
		"echo_int4 abc",
		"callkit_counter",
		`callkit_pinned`,
		`echo_text "a \"quoted\" \\ word" `,
		`echo_text \N`,
		`echo_text '\N'`,
		"callkit_mat_out 2",
		"nosuch 1",
		"callkit_notice_wait " + flag,
		"callkit_counter",
	}, "\n")+"\n"), 0o600))
	stdout, stderr, code := st.call(t, dir, "--file", script)
	require.Equal(t, 1, code, stderr) // an ERROR, and the calls after it ran
	require.Regexp(t, regexp.MustCompile(`^1\n2\n\n\d+\n3\nhello world\na "quoted" \\ word\n\n\\N\n\(1,1,"row 1"\)\n\(2,4,"row 2"\)\ndone\n4\n$`), stdout)
	require.Equal(t, "ERROR:  invalid input syntax for type integer: \"abc\"\n"+
		"ERROR:  function nosuch(unknown) does not exist\n"+
		"HINT:  No installed extension declares a C function of that name.\n"+
		fmt.Sprintf("NOTICE:  waiting for %q\n", flag), stderr[:strings.Index(stderr, "DETAIL:")])
	// one session ran them all, and it is gone with its pinned segment
	require.Eventually(t, func() bool { return fmt.Sprint(before) == fmt.Sprint(dsmNames()) }, 10*time.Second, 10*time.Millisecond,
		"segments left: %v", dsmNames())

	// the protocol: "keep", then other lines answered with an error, then
	// the next call in the same session
	c, err := net.Dial("unix", filepath.Join(dir, "bgworker.sock"))
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	for _, exchange := range [][2]string{
		{`{"version":1,"op":"call","call":{"function":"callkit_counter","keep":true}}`, `"ok":true,"call":{"returns":"int4","rows":["1"]`},
		{`{"version":1,"op":"status"}`, `"error":"operation \"status\" is not allowed on a connection that keeps a session: only \"call\""`},
		{`not json`, `"ok":false,"error":"malformed request`},
		{`{"version":1,"op":"call","call":{"function":"nosuch"}}`, `"error":"function nosuch() does not exist"`},
		{`{"version":1,"op":"call","call":{"function":"callkit_counter"}}`, `"ok":true,"call":{"returns":"int4","rows":["2"]`},
	} {
		_, err = c.Write([]byte(exchange[0] + "\n"))
		require.NoError(t, err)
		line, err := r.ReadString('\n')
		require.NoError(t, err, exchange[0])
		require.Contains(t, line, exchange[1], exchange[0])
	}
	kept := sessionPid(t, st.bin, dir, "callkit_counter")
	c.Close()
	require.True(t, processGone(kept, 20*time.Second), "the kept session outlived its connection")

	// each call on its own command line has a session of its own
	for i := 0; i < 2; i++ {
		stdout, stderr, code = st.call(t, dir, "callkit_counter")
		require.Equal(t, 0, code, stderr)
		require.Equal(t, "1\n", stdout)
	}

	// calls from standard input; an idle kept session does not hold up a
	// shutdown, even a smart one
	cmd := exec.Command(st.bin, "call", "-D", dir, "-f", "-")
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	outPipe, err := cmd.StdoutPipe()
	require.NoError(t, err)
	errPipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	out := bufio.NewReader(outPipe)
	errs := bufio.NewReader(errPipe)
	counter := func(want int) {
		t.Helper()
		_, err := in.Write([]byte("callkit_counter\n"))
		require.NoError(t, err)
		line, err := out.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("%d\n", want), line)
	}
	counter(1)
	counter(2)
	// Ctrl-C cancels the call in progress; the session and its state stay
	never := filepath.Join(t.TempDir(), "never")
	_, err = in.Write([]byte("callkit_notice_wait " + never + "\n"))
	require.NoError(t, err)
	line, err := errs.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("NOTICE:  waiting for %q\n", never), line)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	for !strings.HasPrefix(line, "ERROR:") {
		line, err = errs.ReadString('\n')
		require.NoError(t, err)
	}
	require.Equal(t, "ERROR:  canceling statement due to user request\n", line)
	counter(3)
	pid := sessionPid(t, st.bin, dir, "callkit_counter")
	// idle between calls: waiting for the client, the last call shown
	require.Eventually(t, func() bool {
		workers, err := statusWorkers(st.bin, dir)
		if err != nil {
			return false
		}
		for _, w := range workers {
			if w.Pid == pid {
				return w.Activity == "callkit_counter" && w.WaitEvent == "ClientRead"
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "the idle session's status")
	h.signal(syscall.SIGTERM) // smart: sessions are not waited for
	require.Equal(t, 0, h.waitExit(20*time.Second))
	require.True(t, processGone(pid, 20*time.Second))
	in.Close()
	waitCall(t, cmd)
	h.requireClean()
}
