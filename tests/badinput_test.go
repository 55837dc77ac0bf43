package tests

// Bad input at start: each case is one clear FATAL (or LOG for a skipped
// registration), a non-zero exit where the host cannot run, and nothing
// left behind.

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBadStartInput(t *testing.T) {
	modDir := filepath.Dir(compileModule(t, "exitmatrix", "exitmatrix"))
	compileModule(t, "badinit", "badinit")
	compileModule(t, "nomagic", "nomagic")
	compileModule(t, "noinit", "noinit")
	compileModule(t, "unresolved", "unresolved")
	lib := func(name string) string {
		return fmt.Sprintf("dynamic_library_path = '%s'\nshared_preload_libraries = '%s'", modDir, name)
	}
	cases := []struct {
		name  string
		conf  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"syntax error", "max_worker_processes = = 3", nil, `FATAL:  syntax error in file ".*bgworker.conf" line \d+, near token "="`},
		{"unknown parameter", "no_such_parameter = 1", nil, `FATAL:  unrecognized configuration parameter "no_such_parameter" in file ".*bgworker.conf" line \d+`},
		{"out of range", "max_worker_processes = 300000", nil, `FATAL:  .*300000 is outside the valid range for parameter "max_worker_processes" \(0 \.\. 262143\)`},
		{"bad bool", "restart_after_crash = maybe", nil, `FATAL:  parameter "restart_after_crash" requires a Boolean value`},
		{"missing library", lib("no_such_module"), nil, `FATAL:  could not access file "no_such_module": No such file or directory`},
		{"no magic block", lib("nomagic"), nil, `FATAL:  incompatible library ".*nomagic.so": missing magic block`},
		{"no _PG_init", lib("noinit"), nil, `FATAL:  could not find function "_PG_init" in file ".*noinit.so"`},
		{"unresolved symbol", lib("unresolved"), nil, `FATAL:  could not load library ".*unresolved.so": .*undefined symbol: bgworker_function_that_does_not_exist`},
		{"error in _PG_init", lib("badinit"), nil, `FATAL:  badinit refuses to initialise`},
		{"missing config file", "", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "bgworker.conf")))
		}, `FATAL:  could not open configuration file ".*bgworker.conf": No such file or directory`},
		{"bad mode", "", func(t *testing.T, dir string) {
			require.NoError(t, os.Chmod(dir, 0o755))
		}, `FATAL:  data directory ".*" has invalid permissions`},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDataDir(t, c.conf)
			if c.setup != nil {
				c.setup(t, dir)
			}
			h := startHost(t, dir)
			require.Equal(t, 1, h.waitExit(20*time.Second), "exit code")
			require.Regexp(t, c.want, h.log.all())
			h.requireClean()
		})
	}
}

func TestMissingDataDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nope")
	h := startHost(t, dir)
	require.Equal(t, 1, h.waitExit(10*time.Second))
	require.Regexp(t, `FATAL:  data directory ".*nope" does not exist`, h.log.all())
}

// TestBadRegistrations: invalid static registrations are skipped with
// PostgreSQL's LOG lines; too many workers are refused with its DETAIL and
// HINT; the host still runs the valid ones.
func TestBadRegistrations(t *testing.T) {
	t.Parallel()
	so := compileModule(t, "badinit", "badinit_reg", "-DBAD_REGISTRATION")
	conf := fmt.Sprintf("shared_preload_libraries = '%s'\ndynamic_library_path = '%s'\nmax_worker_processes = 2", so, filepath.Dir(so))
	dir := newDataDir(t, conf)
	h := startHost(t, dir)
	h.waitReady()
	log := h.log.all()
	require.Contains(t, log, `LOG:  background worker "bad restart": invalid restart interval`)
	require.Contains(t, log, `LOG:  background worker "bad notify": only dynamic background workers can request notification`)
	require.Contains(t, log, `LOG:  background worker "bad db": cannot request database access if starting at postmaster start`)
	require.Contains(t, log, `LOG:  too many background workers`)
	require.Contains(t, log, `DETAIL:  Up to 2 background workers can be registered with the current settings.`)
	require.Contains(t, log, `HINT:  Consider increasing the configuration parameter "max_worker_processes".`)
	h.signal(15)
	require.Equal(t, 0, h.waitExit(20*time.Second))
}

// TestRootRefused: as root, start without --allow-root is refused.
func TestRootRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	t.Parallel()
	dir := newDataDir(t, "")
	out, err := cliCommand(hostBin, "start", "-D", dir).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), `FATAL:  "root" execution of bgworker is not permitted`)
}
