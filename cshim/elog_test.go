//go:build bgworker_testhooks

// elog_test.go tests the elog area through the package's Go bindings
// (bgw_call_protected, bgw_call_protected_ptr and bgw_log), in this
// process and, for output checks, in a re-run of the test binary.

package cshim

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func TestCallProtected(t *testing.T) {
	before := elogProbeCalls()

	require.Nil(t, CallProtected(elogProbe(0)))

	e := CallProtected(elogProbe(1))
	require.NotNil(t, e)
	require.Equal(t, LevelError, e.Level)
	require.Equal(t, "probe failed: 7", e.Message)
	require.Equal(t, "Probe detail.", e.Detail)
	require.Equal(t, "Probe hint.", e.Hint)
	require.True(t, elogStateClean())

	e = CallProtected(elogProbe(2))
	require.NotNil(t, e)
	require.Equal(t, LevelFatal, e.Level)
	require.Equal(t, "probe fatal", e.Message)
	require.True(t, elogStateClean())

	require.Nil(t, CallProtected(elogProbe(3)))

	// repeated errors do not exhaust the error data stack
	for i := 0; i < 100; i++ {
		require.NotNil(t, CallProtected(elogProbe(1)))
	}
	require.Equal(t, before+104, elogProbeCalls())
	require.True(t, elogStateClean())
}

func TestCallProtectedPtr(t *testing.T) {
	p, e := CallProtectedPtr(elogProbe(4))
	require.Nil(t, e)
	require.Equal(t, "magic", string(unsafe.Slice((*byte)(p), 5)))

	p, e = CallProtectedPtr(elogProbe(5))
	require.Nil(t, p)
	require.NotNil(t, e)
	require.Equal(t, "no magic here", e.Message)
}

// TestElogHelperProcess is not a test: it is the child of TestLogOutput.
func TestElogHelperProcess(t *testing.T) {
	if os.Getenv("BGW_ELOG_HELPER") != "1" {
		t.Skip("helper process only")
	}
	elogSetLogParams(LevelWarning, "%b [%p] ", LogDestinationStderr)
	Log(LevelLog, "plain line", "", "")
	Log(LevelInfo, "filtered out", "", "")
	Log(LevelFatal, "startup failed", "The detail.", "The hint.")
	elogSetLogParams(LevelWarning, "", LogDestinationJSONLog)
	Log(LevelWarning, "json \"quoted\"", "", "")
	Log(LevelLog, "json success", "", "")
	os.Exit(0)
}

func TestLogOutput(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestElogHelperProcess$")
	cmd.Env = append(os.Environ(), "BGW_ELOG_HELPER=1")
	var stderr []byte
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 1<<16)
	for {
		n, rerr := pipe.Read(buf)
		stderr = append(stderr, buf[:n]...)
		if rerr != nil {
			break
		}
	}
	require.NoError(t, cmd.Wait())
	out := string(stderr)
	t.Logf("%s", out)

	pid := `[0-9]+`
	require.Regexp(t, regexp.MustCompile(`(?m)^postmaster \[`+pid+`\] LOG:  plain line$`), out)
	require.NotContains(t, out, "filtered out")
	require.Regexp(t, regexp.MustCompile(`(?m)^postmaster \[`+pid+`\] FATAL:  startup failed\n`+
		`postmaster \[`+pid+`\] DETAIL:  The detail\.\n`+
		`postmaster \[`+pid+`\] HINT:  The hint\.$`), out)
	require.Regexp(t, regexp.MustCompile(`(?m)^\{"timestamp":"[^"]+","pid":`+pid+`,.*"session_start":"[^"]+","txid":0,"error_severity":"WARNING","state_code":"01000","message":"json \\"quoted\\"",.*"backend_type":"postmaster".*\}$`), out)
	// as PostgreSQL's jsonlog: no state_code for successful completion
	require.Regexp(t, regexp.MustCompile(`(?m)^\{.*"txid":0,"error_severity":"LOG","message":"json success".*\}$`), out)
}
