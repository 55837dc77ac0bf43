package tests

// What a call returns and how it reports, with the callkit test extension
// (tests/modules/callkit, our own module, installed by newSessionTree):
// set-returning functions in materialize mode (InitMaterializedSRF and
// the older hand-written set-up) and the errors of callers that cannot
// take their result.

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSessionMaterialize(t *testing.T) {
	st := newSessionTree(t)
	h, dir := st.start(t, "")
	cases := []struct {
		args   []string
		stdout string
		stderr string
		code   int
	}{
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
	for _, c := range cases {
		stdout, stderr, code := st.call(t, dir, c.args...)
		require.Equal(t, c.code, code, "%v: stderr %s", c.args, stderr)
		require.Equal(t, c.stdout, stdout, "%v", c.args)
		if c.stderr != "" {
			require.True(t, strings.HasPrefix(stderr, c.stderr), "%v: stderr %q, want %q", c.args, stderr, c.stderr)
		} else {
			require.Empty(t, stderr, "%v", c.args)
		}
	}
	// a large set: the rows survive the per-row reset of the call's memory
	stdout, stderr, code := st.call(t, dir, "callkit_mat_out", "20000")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 20000)
	require.Equal(t, "(19999,399960001,\"row 19999\")", lines[19998])
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))
	h.requireClean()
}
