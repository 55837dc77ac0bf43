package tests

// The control protocol's strictness (docs/control-protocol.md): a request
// that repeats a key is refused, whatever the keys (encoding/json would
// let the last one win: a status request could stop the host), and an
// error reply quotes at most a short prefix of what the client sent.

import (
	"bufio"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bgworker/bgworker/libbgworker"
)

func TestControlDuplicateKeysAndEcho(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t, launcherConf(t, "idle", "launcher.launchers = 0"))
	h := startHost(t, dir)
	h.waitReady()
	c, err := net.Dial("unix", filepath.Join(dir, libbgworker.ControlSocketName))
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)

	for _, req := range []string{
		`{"version":1,"op":"status","summary":true,"op":"stop","mode":"immediate"}`,
		`{"version":1,"op":"stop","mode":"smart","mode":"immediate"}`,
		`{"version":1,"version":1,"op":"status"}`,
		`{"version":1,"op":"launch","launch":{"library":"launcher","function":"f","library":"x"}}`,
	} {
		rep := rawControl(t, c, r, req+"\n")
		require.False(t, rep.OK, req)
		require.Regexp(t, `^malformed request: key "(op|mode|version|library)" appears more than once$`, rep.Error)
	}
	// The same key in two different objects is no repetition.
	rep := rawControl(t, c, r, `{"version":1,"op":"launch","launch":{"name":"n","library":"launcher","function":"launcher_child","extra":"quick"},"name":"n"}`+"\n")
	require.True(t, rep.OK, rep.Error)
	require.Equal(t, "running", controlStatus(t, dir).Host.Phase)

	long := strings.Repeat("n", 5000)
	for _, req := range []string{
		`{"version":1,"op":"launch","launch":{"name":"` + long + `","library":"launcher","function":"f"}}`,
		`{"version":1,"op":"` + long + `"}`,
		`{"version":1,"op":"stop","mode":"` + long + `"}`,
		`{"version":1,"op":"terminate","name":"` + long + `"}`,
		`{"version":1,"op":"status","` + long + `":1}`,
	} {
		rep := rawControl(t, c, r, req+"\n")
		require.False(t, rep.OK)
		require.Less(t, len(rep.Error), 600, rep.Error)
		require.Contains(t, rep.Error, "nnnn...")
	}
	rep = rawControl(t, c, r, `{"version":1,"op":"launch","launch":{"library":"`+long+`","function":"f"}}`+"\n")
	require.Equal(t, `background worker "f": library name must be shorter than 1024 bytes`, rep.Error)
	require.Equal(t, "running", controlStatus(t, dir).Host.Phase)
	h.stopClean()
}
