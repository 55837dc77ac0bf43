//go:build bgworker_testhooks

package cshim

// Tests of the configuration area through its Go bindings and test hooks:
// the file syntax, includes, units, ranges, enums, booleans, placeholders
// and DefineCustom*, reload semantics and the messages.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeConf writes files (name -> content) under a new temp dir and returns
// the dir.
func writeConf(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func mustGet(t *testing.T, name string) string {
	t.Helper()
	v, ok := GetConfigOption(name)
	require.True(t, ok, "parameter %s", name)
	return v
}

func TestConfigFileSyntax(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    map[string]string // parameter -> GetConfigOption value
		err     string            // substring of the load error
	}{
		{name: "equals and space forms", content: "max_worker_processes = 12\nrestart_after_crash off\n",
			want: map[string]string{"max_worker_processes": "12", "restart_after_crash": "off"}},
		{name: "comments and blank lines", content: "# comment\n\n   \t\nmax_worker_processes = 3 # trailing\n",
			want: map[string]string{"max_worker_processes": "3"}},
		{name: "quoted string with escapes", content: `log_line_prefix = 'it''s \'q\' \t|\101|\\'` + "\n",
			want: map[string]string{"log_line_prefix": "it's 'q' \t|A|\\"}},
		{name: "unquoted identifier and path", content: "dynamic_library_path = /usr/lib/x:$libdir\ncluster_name = main\n",
			err: "syntax error in file"},
		{name: "unquoted path", content: "dynamic_library_path = /usr/lib/x\n", err: `near token "/"`},
		{name: "unquoted string", content: "cluster_name = my-cluster.1\n",
			want: map[string]string{"cluster_name": "my-cluster.1"}},
		{name: "hex and octal", content: "max_worker_processes = 0x10\nmax_parallel_workers = 010\n",
			want: map[string]string{"max_worker_processes": "16", "max_parallel_workers": "8"}},
		{name: "case-insensitive names, later wins", content: "MAX_WORKER_PROCESSES = 5\nmax_worker_processes = 6\n",
			want: map[string]string{"max_worker_processes": "6"}},
		{name: "boolean prefixes", content: "restart_after_crash = of\nhot_standby = tr\n",
			want: map[string]string{"restart_after_crash": "off", "hot_standby": "on"}},
		{name: "enum case-insensitive", content: "log_min_messages = DEBUG1\n",
			want: map[string]string{"log_min_messages": "debug1"}},
		{name: "no final newline", content: "max_worker_processes = 9",
			want: map[string]string{"max_worker_processes": "9"}},
		{name: "syntax error near token", content: "max_worker_processes = 1 2\n",
			err: `syntax error in file "%s" line 1, near token "2"`},
		{name: "syntax error near end of line", content: "\nmax_worker_processes =\n",
			err: `syntax error in file "%s" line 2, near end of line`},
		{name: "unterminated quote", content: "cluster_name = 'abc\n", err: `near token "'"`},
		{name: "unknown parameter", content: "max_workers = 3\n",
			err: `unrecognized configuration parameter "max_workers" in file "%s" line 1`},
		{name: "invalid custom name", content: "a.1b = 3\n", err: `syntax error in file "%s" line 1, near token "a.1b"`},
		{name: "bad boolean", content: "hot_standby = maybe\n",
			err: `parameter "hot_standby" requires a Boolean value in file "%s" line 1`},
		{name: "ambiguous o", content: "hot_standby = o\n", err: `requires a Boolean value`},
		{name: "out of range", content: "max_worker_processes = 300000\n",
			err: `300000 is outside the valid range for parameter "max_worker_processes" (0 .. 262143)`},
		{name: "bad integer", content: "max_worker_processes = lots\n",
			err: `invalid value for parameter "max_worker_processes": "lots"`},
		{name: "bad enum", content: "log_min_messages = loud\n",
			err: `invalid value for parameter "log_min_messages": "loud"`},
		{name: "line too long", content: "cluster_name = '" + strings.Repeat("x", 1100*1024) + "'\n",
			err: `syntax error in file "%s" line 1, near end of line`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testResetGUC()
			dir := writeConf(t, map[string]string{"bgworker.conf": tc.content})
			file := filepath.Join(dir, "bgworker.conf")
			err := LoadConfig(file, nil)
			if tc.err != "" {
				require.Error(t, err)
				want := tc.err
				if strings.Contains(want, "%s") {
					want = strings.ReplaceAll(want, "%s", file)
				}
				require.Contains(t, err.Error(), want)
				return
			}
			require.NoError(t, err)
			for k, v := range tc.want {
				require.Equal(t, v, mustGet(t, k), k)
			}
		})
	}
}

func TestConfigErrorDetailAndHint(t *testing.T) {
	testResetGUC()
	dir := writeConf(t, map[string]string{"c.conf": "log_min_messages = loud\n"})
	err := LoadConfig(filepath.Join(dir, "c.conf"), nil)
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "Available values: debug5, debug4, debug3, debug2, debug1, info, notice, warning, error, log, fatal, panic.", ce.Hint)

	testResetGUC()
	dir = writeConf(t, map[string]string{"c.conf": "log_destination = 'stderr, eventlog'\n"})
	err = LoadConfig(filepath.Join(dir, "c.conf"), nil)
	require.ErrorAs(t, err, &ce)
	require.Contains(t, ce.Message, `invalid value for parameter "log_destination": "stderr, eventlog"`)
	require.Equal(t, `Unrecognized key word: "eventlog".`, ce.Detail)
}

func TestConfigIncludes(t *testing.T) {
	t.Run("relative include, if_exists and dir", func(t *testing.T) {
		testResetGUC()
		dir := writeConf(t, map[string]string{
			"main.conf":           "max_worker_processes = 1\ninclude 'sub/a.conf'\ninclude_if_exists 'missing.conf'\ninclude_dir 'conf.d'\n",
			"sub/a.conf":          "max_worker_processes = 2\ninclude = 'b.conf'\n",
			"sub/b.conf":          "max_parallel_workers = 7\n",
			"conf.d/01-x.conf":    "cluster_name = first\n",
			"conf.d/02-y.conf":    "cluster_name = second\n",
			"conf.d/.hidden.conf": "cluster_name = hidden\n",
			"conf.d/03-z.txt":     "cluster_name = txt\n",
		})
		require.NoError(t, LoadConfig(filepath.Join(dir, "main.conf"), nil))
		require.Equal(t, "2", mustGet(t, "max_worker_processes"))
		require.Equal(t, "7", mustGet(t, "max_parallel_workers"))
		require.Equal(t, "second", mustGet(t, "cluster_name"))
	})
	t.Run("missing include", func(t *testing.T) {
		testResetGUC()
		dir := writeConf(t, map[string]string{"main.conf": "include 'nope.conf'\n"})
		err := LoadConfig(filepath.Join(dir, "main.conf"), nil)
		require.ErrorContains(t, err, `could not open configuration file "`+filepath.Join(dir, "nope.conf")+`": No such file or directory`)
	})
	t.Run("cycle stopped by the depth limit", func(t *testing.T) {
		testResetGUC()
		dir := writeConf(t, map[string]string{"a.conf": "include 'b.conf'\n", "b.conf": "include 'a.conf'\n"})
		err := LoadConfig(filepath.Join(dir, "a.conf"), nil)
		require.ErrorContains(t, err, `: maximum nesting depth exceeded`)
		require.ErrorContains(t, err, `could not open configuration file "`)
	})
	t.Run("missing directory", func(t *testing.T) {
		testResetGUC()
		dir := writeConf(t, map[string]string{"a.conf": "include_dir 'nodir'\n"})
		err := LoadConfig(filepath.Join(dir, "a.conf"), nil)
		require.ErrorContains(t, err, `could not open configuration directory "`)
	})
	t.Run("fifo is refused, not waited on", func(t *testing.T) {
		testResetGUC()
		dir := writeConf(t, map[string]string{"a.conf": "include 'fifo'\n"})
		require.NoError(t, exec.Command("mkfifo", filepath.Join(dir, "fifo")).Run())
		err := LoadConfig(filepath.Join(dir, "a.conf"), nil)
		require.ErrorContains(t, err, `could not open configuration file`)
	})
}

func TestCommandLineOptions(t *testing.T) {
	testResetGUC()
	dir := writeConf(t, map[string]string{"c.conf": "max_worker_processes = 4\nrestart_after_crash = on\n"})
	require.NoError(t, LoadConfig(filepath.Join(dir, "c.conf"),
		[][2]string{{"max_worker_processes", "20"}, {"mymod.opt", "x"}}))
	require.Equal(t, 20, ConfigInt("max_worker_processes"))
	require.True(t, ConfigBool("restart_after_crash"))
	require.Equal(t, "x", mustGet(t, "mymod.opt"))

	testResetGUC()
	err := LoadConfig("", [][2]string{{"no_such_thing", "1"}})
	require.EqualError(t, err, `unrecognized configuration parameter "no_such_thing"`)
	testResetGUC()
	err = LoadConfig("", [][2]string{{"a.1b", "1"}})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, `invalid configuration parameter name "a.1b"`, ce.Message)
	require.Equal(t, "Custom parameter names must be two or more simple identifiers separated by dots.", ce.Detail)
}

// TestBuiltinReportingParameters: the built-in parameters modules read at
// run time or set in a PostgreSQL configuration, with PostgreSQL's values.
func TestBuiltinReportingParameters(t *testing.T) {
	testResetGUC()
	dir := writeConf(t, map[string]string{"c.conf": "log_error_verbosity = verbose\nlog_min_error_statement = warning\napplication_name = 'app'\n"})
	require.NoError(t, LoadConfig(filepath.Join(dir, "c.conf"), nil))
	require.Equal(t, "170000", mustGet(t, "server_version_num"), "the API version of include/")
	require.Equal(t, "17.0", mustGet(t, "server_version"))
	require.Equal(t, "verbose", mustGet(t, "log_error_verbosity"))
	require.Equal(t, "warning", mustGet(t, "log_min_error_statement"))
	require.Equal(t, "app", mustGet(t, "application_name"))

	testResetGUC()
	err := LoadConfig("", [][2]string{{"server_version_num", "150000"}})
	require.EqualError(t, err, `parameter "server_version_num" cannot be changed`)
	testResetGUC()
	dir = writeConf(t, map[string]string{"c.conf": "log_error_verbosity = chatty\n"})
	err = LoadConfig(filepath.Join(dir, "c.conf"), nil)
	require.ErrorContains(t, err, `invalid value for parameter "log_error_verbosity": "chatty"`)
}

func TestUnitsRangesAndTypes(t *testing.T) {
	testResetGUC()
	ms, e := testDefine(gucInt, "t.ms", pgcUserset, gucUnitMS, "1000", 0, 1<<30, true, false)
	require.Nil(t, e)
	kb, e := testDefine(gucInt, "t.kb", pgcUserset, gucUnitKB, "64", 0, 1<<30, true, false)
	require.Nil(t, e)
	blk, e := testDefine(gucInt, "t.blocks", pgcUserset, gucUnitBlocks, "16", 0, 1<<30, true, false)
	require.Nil(t, e)
	secs, e := testDefine(gucInt, "t.s", pgcUserset, gucUnitS, "10", 0, 1000, true, false)
	require.Nil(t, e)
	real, e := testDefine(gucReal, "t.real", pgcUserset, 0, "0.5", 0, 1, true, false)
	require.Nil(t, e)
	_, e = testDefine(gucReal, "t.realms", pgcUserset, gucUnitMS, "1500", 0, 1000000, true, false)
	require.Nil(t, e)
	enum, e := testDefine(gucEnum, "t.color", pgcUserset, 0, "red", 0, 0, true, false)
	require.Nil(t, e)
	str, e := testDefine(gucString, "t.str", pgcUserset, 0, "boot", 0, 0, true, false)
	require.Nil(t, e)
	b, e := testDefine(gucBool, "t.flag", pgcUserset, 0, "on", 0, 0, true, false)
	require.Nil(t, e)

	require.Equal(t, "1000", testVariable(gucInt, ms))
	require.Equal(t, "boot", testVariable(gucString, str))
	require.Equal(t, "true", testVariable(gucBool, b))

	ok := []struct{ name, value, variable, show string }{
		{"t.ms", "10s", "10000", "10s"},
		{"t.ms", "1h", "3600000", "1h"},
		{"t.ms", "1 min", "60000", "1min"},
		{"t.ms", "1500us", "2", "2ms"},
		{"t.ms", "1.5", "2", "2ms"},
		{"t.kb", "64kB", "64", "64kB"},
		{"t.kb", "1GB", "1048576", "1GB"},
		{"t.kb", "1536kB", "1536", "1536kB"},
		{"t.blocks", "1MB", "128", "1MB"},
		{"t.blocks", "1", "1", "8kB"},
		{"t.s", "2min", "120", "2min"},
		{"t.s", "1d", "", ""},
	}
	for _, c := range ok {
		rc, err := testSet(c.name, c.value, pgcUserset, pgcSSession)
		if c.variable == "" {
			require.Equal(t, -2, rc, "%s = %s", c.name, c.value)
			require.Equal(t, `86400 s is outside the valid range for parameter "t.s" (0 s .. 1000 s)`, err.Message)
			continue
		}
		require.Equal(t, 1, rc, "%s = %s: %v", c.name, c.value, err)
		slot := map[string]int{"t.ms": ms, "t.kb": kb, "t.blocks": blk, "t.s": secs}[c.name]
		require.Equal(t, c.variable, testVariable(gucInt, slot), "%s = %s", c.name, c.value)
		show, _ := testShow(c.name)
		require.Equal(t, c.show, show)
	}

	// a real with units shows in the largest unit that keeps it whole,
	// units below the base included, as PostgreSQL's SHOW
	for _, c := range []struct{ value, show string }{
		{"1500", "1500ms"}, {"0.1", "100us"}, {"2min", "2min"}, {"1.5", "1500us"}, {"0", "0"}, {"0.0001", "0.1us"},
	} {
		rc, err := testSet("t.realms", c.value, pgcUserset, pgcSSession)
		require.Equal(t, 1, rc, "t.realms = %s: %v", c.value, err)
		show, _ := testShow("t.realms")
		require.Equal(t, c.show, show, "t.realms = %s", c.value)
	}

	bad := []struct{ name, value, msg, hint string }{
		{"t.ms", "10 parsecs", `invalid value for parameter "t.ms": "10 parsecs"`,
			`Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`},
		{"t.kb", "10kb", `invalid value for parameter "t.kb": "10kb"`,
			`Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".`},
		{"t.kb", "99999999999", `invalid value for parameter "t.kb": "99999999999"`, "Value exceeds integer range."},
		{"t.real", "2", `2 is outside the valid range for parameter "t.real" (0 .. 1)`, ""},
		{"t.real", "nan", `invalid value for parameter "t.real": "nan"`, ""},
		{"t.color", "purple", `invalid value for parameter "t.color": "purple"`, "Available values: red, green, blue."},
		{"t.flag", "yes please", `parameter "t.flag" requires a Boolean value`, ""},
	}
	for _, c := range bad {
		rc, err := testSet(c.name, c.value, pgcUserset, pgcSSession)
		require.Equal(t, -2, rc, "%s = %s", c.name, c.value)
		require.Equal(t, c.msg, err.Message)
		require.Equal(t, c.hint, err.Hint)
	}

	_, err := testSet("t.real", "0.25", pgcUserset, pgcSSession)
	require.Nil(t, err)
	require.Equal(t, "0.25", testVariable(gucReal, real))
	_, err = testSet("t.color", "GREY", pgcUserset, pgcSSession)
	require.Nil(t, err)
	require.Equal(t, "2", testVariable(gucEnum, enum))
	require.Equal(t, "green", mustGet(t, "t.color"))
	_, err = testSet("t.flag", "NO", pgcUserset, pgcSSession)
	require.Nil(t, err)
	require.Equal(t, "false", testVariable(gucBool, b))
	require.Equal(t, "off", mustGet(t, "t.flag"))
}

func TestContextsAndSources(t *testing.T) {
	testResetGUC()
	_, e := testDefine(gucInt, "t.pm", pgcPostmaster, 0, "1", 0, 100, true, false)
	require.Nil(t, e)
	_, e = testDefine(gucInt, "t.su", pgcSuset, 0, "1", 0, 100, true, false)
	require.Nil(t, e)

	rc, err := testSet("t.pm", "5", pgcSuset, pgcSSession)
	require.Equal(t, -2, rc)
	require.Equal(t, `parameter "t.pm" cannot be changed without restarting the server`, err.Message)
	rc, err = testSet("t.su", "5", pgcUserset, pgcSSession)
	require.Equal(t, -2, rc)
	require.Equal(t, `permission denied to set parameter "t.su"`, err.Message)

	// a higher-priority source is not overridden by a lower one
	rc, _ = testSet("t.su", "7", pgcSuset, pgcSArgv)
	require.Equal(t, 1, rc)
	rc, _ = testSet("t.su", "8", pgcSighup, pgcSFile)
	require.Equal(t, -1, rc)
	require.Equal(t, "7", mustGet(t, "t.su"))
	reset, _ := testResetString("t.su")
	require.Equal(t, "7", reset)

	rc, err = testSet("nosuch", "1", pgcSuset, pgcSSession)
	require.Equal(t, -2, rc)
	require.Equal(t, `unrecognized configuration parameter "nosuch"`, err.Message)
}

func TestCheckHooks(t *testing.T) {
	testResetGUC()
	slot, e := testDefine(gucInt, "t.hooked", pgcUserset, 0, "1", 0, 100, true, true)
	require.Nil(t, e)
	calls := testAssignCalls()
	rc, err := testSet("t.hooked", "13", pgcUserset, pgcSSession)
	require.Equal(t, -2, rc)
	require.Equal(t, `invalid value for parameter "t.hooked": 13`, err.Message)
	require.Equal(t, "Thirteen is not allowed.", err.Detail)
	require.Equal(t, "Pick another number.", err.Hint)
	require.Equal(t, calls, testAssignCalls())
	rc, _ = testSet("t.hooked", "12", pgcUserset, pgcSSession)
	require.Equal(t, 1, rc)
	require.Equal(t, calls+1, testAssignCalls())
	require.Equal(t, "12", testVariable(gucInt, slot))

	// log_destination's hook sets the bits
	rc, err = testSet("log_destination", "jsonlog, stderr", pgcSighup, pgcSFile)
	require.Equal(t, 1, rc, "%v", err)
	rc, err = testSet("log_destination", "stderr,", pgcSighup, pgcSFile)
	require.Equal(t, -2, rc)
	require.Equal(t, "List syntax is invalid.", err.Detail)
}

func TestPlaceholders(t *testing.T) {
	testResetGUC()
	dir := writeConf(t, map[string]string{"c.conf": "mymod.naptime = '5s'\nmymod.bad = 'abc'\nmymod.Name = hello\nother.x = 1\n"})
	require.NoError(t, LoadConfig(filepath.Join(dir, "c.conf"), nil))
	require.Equal(t, "5s", mustGet(t, "mymod.naptime"))

	testCaptureLog(true)
	defer testCaptureLog(false)
	nap, e := testDefine(gucInt, "mymod.naptime", pgcSighup, gucUnitS, "10", 1, 3600, true, false)
	require.Nil(t, e)
	require.Equal(t, "5", testVariable(gucInt, nap))
	bad, e := testDefine(gucInt, "mymod.bad", pgcSighup, 0, "3", 0, 100, true, false)
	require.Nil(t, e)
	require.Equal(t, "3", testVariable(gucInt, bad))
	require.Contains(t, testLog(), `WARNING: invalid value for parameter "mymod.bad": "abc"`)
	name, e := testDefine(gucString, "mymod.name", pgcPostmaster, 0, "", 0, 0, true, false)
	require.Nil(t, e)
	require.Equal(t, "hello", testVariable(gucString, name))

	_, e = testDefine(gucInt, "mymod.naptime", pgcSighup, 0, "1", 0, 10, true, false)
	require.NotNil(t, e)
	require.Equal(t, `attempt to redefine parameter "mymod.naptime"`, e.Message)
	_, e = testDefine(gucInt, "nodots", pgcSighup, 0, "1", 0, 10, true, false)
	require.NotNil(t, e)
	require.Equal(t, `invalid configuration parameter name "nodots"`, e.Message)

	testCaptureLog(true)
	testReserve("other")
	require.Contains(t, testLog(), "WARNING: invalid configuration parameter name \"other.x\", removing it\nDETAIL: \"other\" is now a reserved prefix.\n")
	_, ok := GetConfigOption("other.x")
	require.False(t, ok)
	rc, err := testSet("other.y", "1", pgcUserset, pgcSSession)
	require.Equal(t, -2, rc)
	require.Equal(t, `invalid configuration parameter name "other.y"`, err.Message)
	require.Equal(t, `"other" is a reserved prefix.`, err.Detail)
}

// TestPostmasterVariableAfterStartup runs the definition in a child copy
// of the test binary, because the FATAL ends the process.
func TestPostmasterVariableAfterStartup(t *testing.T) {
	if os.Getenv("BGW_GUC_HELPER") == "late-postmaster" {
		testResetGUC()
		testDefine(gucInt, "late.pm", pgcPostmaster, 0, "1", 0, 10, false, false)
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPostmasterVariableAfterStartup$")
	cmd.Env = append(os.Environ(), "BGW_GUC_HELPER=late-postmaster")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "output: %s", out)
	require.Contains(t, string(out), "FATAL:  cannot create PGC_POSTMASTER variables after startup")
}

func TestReload(t *testing.T) {
	testResetGUC()
	dir := writeConf(t, map[string]string{"c.conf": "max_worker_processes = 4\nrestart_after_crash = on\nlog_line_prefix = 'a '\nmymod.level = 1\n"})
	file := filepath.Join(dir, "c.conf")
	require.NoError(t, LoadConfig(file, [][2]string{{"log_line_prefix", "cmd "}}))
	lvl, e := testDefine(gucInt, "mymod.level", pgcSighup, 0, "0", 0, 10, true, false)
	require.Nil(t, e)
	require.Equal(t, "1", testVariable(gucInt, lvl))
	testCaptureLog(true)
	defer testCaptureLog(false)

	// SIGHUP parameters change; POSTMASTER ones need a restart; -c wins
	require.NoError(t, os.WriteFile(file, []byte("max_worker_processes = 5\nrestart_after_crash = off\nlog_line_prefix = 'b '\nmymod.level = 2\nother.placeholder = 3\n"), 0o644))
	ReloadConfig()
	log := testLog()
	require.False(t, ConfigBool("restart_after_crash"))
	require.Equal(t, "2", testVariable(gucInt, lvl))
	require.Equal(t, 4, ConfigInt("max_worker_processes"))
	require.Equal(t, "cmd ", mustGet(t, "log_line_prefix"))
	require.Contains(t, log, `LOG: parameter "restart_after_crash" changed to "off"`)
	require.Contains(t, log, `LOG: parameter "mymod.level" changed to "2"`)
	require.Contains(t, log, `LOG: parameter "other.placeholder" changed to "3"`, "a setting new to the file changes from \"\"")
	require.NotContains(t, log, `parameter "log_line_prefix" changed`, "-c wins over the file")
	require.Contains(t, log, `LOG: parameter "max_worker_processes" cannot be changed without restarting the server`)
	require.Contains(t, log, `LOG: configuration file "`+file+`" contains errors; unaffected changes were applied`)

	// a bad value keeps the old one; others still apply
	testCaptureLog(true)
	require.NoError(t, os.WriteFile(file, []byte("max_worker_processes = 4\nrestart_after_crash = maybe\nmymod.level = 3\n"), 0o644))
	ReloadConfig()
	log = testLog()
	require.False(t, ConfigBool("restart_after_crash"))
	require.Equal(t, "3", testVariable(gucInt, lvl))
	require.Contains(t, log, `LOG: parameter "restart_after_crash" requires a Boolean value`)
	require.Contains(t, log, `contains errors; unaffected changes were applied`)

	// a syntax error or an unknown name: nothing is applied
	testCaptureLog(true)
	require.NoError(t, os.WriteFile(file, []byte("max_worker_processes = 4\nmymod.level = 4\nbogus = 1\n"), 0o644))
	ReloadConfig()
	log = testLog()
	require.Equal(t, "3", testVariable(gucInt, lvl))
	require.Contains(t, log, `LOG: unrecognized configuration parameter "bogus" in file "`+file+`" line 3`)
	require.Contains(t, log, `LOG: configuration file "`+file+`" contains errors; no changes were applied`)

	testCaptureLog(true)
	require.NoError(t, os.WriteFile(file, []byte("max_worker_processes = 4\nmymod.level = 4 4\n"), 0o644))
	ReloadConfig()
	require.Equal(t, "3", testVariable(gucInt, lvl))
	require.Contains(t, testLog(), `LOG: syntax error in file "`+file+`" line 2, near token "4"`)

	// a parameter removed from the file goes back to its default
	testCaptureLog(true)
	require.NoError(t, os.WriteFile(file, []byte("max_worker_processes = 4\n"), 0o644))
	ReloadConfig()
	require.Equal(t, "0", testVariable(gucInt, lvl))
	require.True(t, ConfigBool("restart_after_crash"))
	require.Contains(t, testLog(), `LOG: parameter "mymod.level" removed from configuration file, reset to default`)

	// in a child the same reload is quiet (DEBUG2) but applies
	testCaptureLog(true)
	require.NoError(t, os.WriteFile(file, []byte("max_worker_processes = 4\nmymod.level = 6\n"), 0o644))
	testReload(true)
	require.Equal(t, "6", testVariable(gucInt, lvl))
	require.NotContains(t, testLog(), "LOG:")
}

func TestParserNeverExplodes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.conf")
	// many self-includes per line: bounded by the file budget, not 10^depth
	require.NoError(t, os.WriteFile(p, []byte(strings.Repeat("include 'big.conf'\n", 20)), 0o644))
	_, nerr, first := ParseConfigFileForTest(p)
	require.Greater(t, nerr, 0)
	require.Contains(t, first, "could not open configuration file")
}

// FuzzConfigParse feeds arbitrary bytes to the file parser: it must never
// crash, hang or grow without bound.
func FuzzConfigParse(f *testing.F) {
	f.Add([]byte("a = 1\n"))
	f.Add([]byte("name 'str''ing\\n'\n# c\ninclude_if_exists 'x.conf'\n"))
	f.Add([]byte("x.y = 0x1Fkb\nz = -1.5e3\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.conf")
		require.NoError(t, os.WriteFile(p, data, 0o644))
		n, nerr, _ := ParseConfigFileForTest(p)
		require.GreaterOrEqual(t, n, 0)
		require.GreaterOrEqual(t, nerr, 0)
	})
}
