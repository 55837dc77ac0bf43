package tests

// `bgworker check` (docs/operations.md): the configuration read as start
// reads it, the preload libraries loaded in a throw-away process so that
// their own parameters are checked, every problem printed with its file
// and line, exit 1 on any; nothing of a host is created.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// confLine is the line number of the first line of dir's configuration
// file that starts with prefix.
func confLine(t *testing.T, dir, prefix string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "bgworker.conf"))
	require.NoError(t, err)
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line %q", prefix)
	return 0
}

func TestCheck(t *testing.T) {
	t.Parallel()
	// A good configuration, with a module and its parameters.
	dir := newDataDir(t, apiConf(t, []string{"api_guc"}, "api_guc.naptime = '50ms'\napi_guc.level = high"))
	out, errs, code := ctl(t, "check", "-D", dir)
	require.Equal(t, 0, code, "stdout %q stderr %q", out, errs)
	require.Equal(t, fmt.Sprintf("configuration file \"%s\" is valid; 1 library loaded\n", filepath.Join(dir, "bgworker.conf")), out)
	for _, f := range []string{"bgworker.pid", "bgworker.opts", "bgworker.sock"} {
		require.False(t, fileExists(filepath.Join(dir, f)), "check created %s", f)
	}

	// Every problem, the host's and the module's, with file and line.
	conf := filepath.Join(dir, "bgworker.conf")
	appendConf(t, dir, "log_min_messages = bogus\nno_such_parameter = 1\napi_guc.naptime = 5\napi_guc.typo = 1\nsigkill_timeout = 0")
	out, errs, code = ctl(t, "check", "-D", dir, "-c", "cluster_name=fine")
	require.Equal(t, 1, code, "stdout %q stderr %q", out, errs)
	require.Equal(t, fmt.Sprintf("bgworker: configuration file \"%s\" contains errors\n", conf), errs)
	at := func(prefix string) string {
		return fmt.Sprintf(" in file \"%s\" line %d\n", conf, confLine(t, dir, prefix))
	}
	require.Contains(t, out, `ERROR:  invalid value for parameter "log_min_messages": "bogus"`+at("log_min_messages = bogus"))
	require.Contains(t, out, `ERROR:  unrecognized configuration parameter "no_such_parameter" in file "`+conf+`" line `+fmt.Sprint(confLine(t, dir, "no_such_parameter")))
	require.Contains(t, out, `ERROR:  0 s is outside the valid range for parameter "sigkill_timeout" (1 s .. 86400 s)`+at("sigkill_timeout"))
	require.Contains(t, out, `WARNING:  5 ms is outside the valid range for parameter "api_guc.naptime" (10 ms .. 3600000 ms)`+at("api_guc.naptime = 5"))
	require.Contains(t, out, `WARNING:  invalid configuration parameter name "api_guc.typo", removing it`+at("api_guc.typo"))
	require.Contains(t, out, "DETAIL:  \"api_guc\" is now a reserved prefix.\n")

	// A library whose _PG_init fails, and one that crashes the process.
	so := compileModule(t, "badinit", "badinit")
	dir = newDataDir(t, fmt.Sprintf("shared_preload_libraries = 'badinit'\ndynamic_library_path = '%s'", filepath.Dir(so)))
	out, _, code = ctl(t, "check", "-D", dir)
	require.Equal(t, 1, code, out)
	require.Equal(t, "FATAL:  badinit refuses to initialise\nDETAIL:  This module always fails.\n", out)
	so = compileModule(t, "initcrash", "initcrash")
	dir = newDataDir(t, fmt.Sprintf("shared_preload_libraries = 'initcrash'\ndynamic_library_path = '%s'", filepath.Dir(so)))
	out, errs, code = ctl(t, "check", "-D", dir)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "FATAL:  the process checking the configuration was terminated by signal 11: Segmentation fault\n")
	require.Contains(t, errs, "contains errors")

	_, errs, code = ctl(t, "check", "-D", filepath.Join(t.TempDir(), "nope"))
	require.Equal(t, 1, code)
	require.Contains(t, errs, "does not exist")
}
