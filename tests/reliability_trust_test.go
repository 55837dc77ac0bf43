package tests

// The trust rule of every module load (docs/security.md): preload,
// `bgworker launch` and a worker's load_external_function refuse a library
// that another local user could replace or that a name reaches with "..",
// and an absolute path outside dynamic_library_path and $libdir unless
// allow_absolute_library_paths is on. Module tests/modules/evil.c leaves
// DATADIR/evil.ran behind when its constructor runs, so every refusal is
// also checked to have loaded nothing.

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nobodyUID owns the files of "another user" (the usual uid of nobody).
const nobodyUID = 65534

// evilRan tells whether evil.so's constructor ran in the host of dir.
func evilRan(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "evil.ran"))
	return err == nil
}

// trustTree lays out, under a fresh directory, the places the cases load
// from and returns their paths: good (0755, ours), ww (0777, no sticky
// bit) holding sub/ (0755), and other (0755, ours) with a file owned by
// nobody.
func trustTree(t *testing.T) map[string]string {
	t.Helper()
	src := compileModule(t, "evil", "evil")
	root := t.TempDir()
	p := map[string]string{
		"good":  filepath.Join(root, "good"),
		"ww":    filepath.Join(root, "ww"),
		"wwsub": filepath.Join(root, "ww", "sub"),
		"other": filepath.Join(root, "other"),
		"out":   filepath.Join(root, "outside"),
	}
	for _, d := range []string{"good", "ww", "wwsub", "other", "out"} {
		require.NoError(t, os.Mkdir(p[d], 0o755))
	}
	copyModule(t, src, filepath.Join(p["good"], "evil.so"), 0o755)
	copyModule(t, src, filepath.Join(p["wwsub"], "evil.so"), 0o755)
	copyModule(t, src, filepath.Join(p["other"], "evil.so"), 0o755)
	copyModule(t, src, filepath.Join(p["out"], "evil.so"), 0o755)
	require.NoError(t, os.Chown(filepath.Join(p["other"], "evil.so"), nobodyUID, nobodyUID))
	require.NoError(t, os.Chmod(p["ww"], 0o777))
	// good/link.so leads into the world-writable tree.
	require.NoError(t, os.Symlink(filepath.Join(p["wwsub"], "evil.so"), filepath.Join(p["good"], "link.so")))
	// good/WW is a world-writable directory holding a 0666 module.
	require.NoError(t, os.Mkdir(filepath.Join(p["good"], "WW"), 0o777))
	require.NoError(t, os.Chmod(filepath.Join(p["good"], "WW"), 0o777))
	copyModule(t, src, filepath.Join(p["good"], "WW", "evil.so"), 0o666)
	return p
}

// TestModuleTrustPreload: what shared_preload_libraries may load.
func TestModuleTrustPreload(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	p := trustTree(t)
	cases := []struct {
		name, conf, want string // want "" = loads
	}{
		{"owned by another user", fmt.Sprintf("shared_preload_libraries = 'evil'\ndynamic_library_path = '%s'", p["other"]),
			`FATAL:  could not load library ".*/other/evil.so": file ".*/other/evil.so" is owned by another user\n.*DETAIL:  Its owner is user ID 65534`},
		{"world-writable grandparent", fmt.Sprintf("shared_preload_libraries = 'evil'\ndynamic_library_path = '%s'", p["wwsub"]),
			`FATAL:  could not load library ".*/ww/sub/evil.so": directory ".*/ww" is writable by group or others`},
		{"symbolic link into a world-writable tree", fmt.Sprintf("shared_preload_libraries = 'link'\ndynamic_library_path = '%s'", p["good"]),
			`FATAL:  could not load library ".*/good/link.so": directory ".*/ww" is writable by group or others`},
		{"absolute path with ..", fmt.Sprintf("shared_preload_libraries = '%s/../good/evil.so'\ndynamic_library_path = '%s'", p["ww"], p["good"]),
			`FATAL:  invalid library name ".*/ww/../good/evil.so": ".." components are not allowed`},
		{"$libdir with ..", fmt.Sprintf("shared_preload_libraries = '$libdir/../../../..%s/evil.so'", p["good"]),
			`FATAL:  invalid library name "\$libdir/../../../..*/good/evil.so": ".." components are not allowed`},
		{"absolute path outside dynamic_library_path", fmt.Sprintf("shared_preload_libraries = '%s/evil.so'\ndynamic_library_path = '%s'", p["out"], p["good"]),
			`FATAL:  could not load library ".*/outside/evil.so": the path is outside dynamic_library_path and \$libdir\n.*DETAIL:  .*\n.*HINT:  .*allow_absolute_library_paths = on`},
		{"absolute path inside dynamic_library_path", fmt.Sprintf("shared_preload_libraries = '%s/evil.so'\ndynamic_library_path = '%s'", p["good"], p["good"]), ""},
		{"absolute path allowed by the setting", fmt.Sprintf("shared_preload_libraries = '%s/evil.so'\ndynamic_library_path = '%s'\nallow_absolute_library_paths = on", p["out"], p["good"]), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := newDataDir(t, c.conf)
			if c.want == "" {
				h := startHost(t, dir)
				h.waitReady()
				require.True(t, evilRan(dir))
				h.signal(syscall.SIGINT)
				require.Equal(t, 0, h.waitExit(20*time.Second))
				return
			}
			code, out := startOnce(t, dir, dir)
			require.Equal(t, 1, code, out)
			require.Regexp(t, c.want, out)
			require.False(t, evilRan(dir), "the library was loaded:\n%s", out)
			_, err := os.Stat(filepath.Join(dir, "bgworker.pid"))
			require.True(t, os.IsNotExist(err), "lock file left behind")
		})
	}
}

// TestModuleTrustDynamic: `bgworker launch` refuses what preload refuses,
// and a worker that a module registers with such a library refuses to load
// it (load_external_function applies the same rule in the child).
func TestModuleTrustDynamic(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	p := trustTree(t)
	so := compileModule(t, "launcher", "launcher")
	conf := fmt.Sprintf("shared_preload_libraries = 'launcher'\ndynamic_library_path = '%s:%s'\nlauncher.mode = 'idle'\n",
		filepath.Dir(so), p["good"])
	dir := newDataDir(t, conf)
	h := startHost(t, dir)
	h.waitReady()
	for _, c := range []struct{ lib, want string }{
		{"WW/evil", `could not load library ".*/good/WW/evil.so": directory ".*/good/WW" is writable by group or others`},
		{"link", `could not load library ".*/good/link.so": directory ".*/ww" is writable by group or others`},
		{p["other"] + "/evil.so", `could not load library ".*/other/evil.so": the path is outside dynamic_library_path and \$libdir`},
		{p["good"] + "/../good/evil.so", `invalid library name ".*/good/../good/evil.so": ".." components are not allowed`},
		{"$libdir/../../.." + p["good"] + "/evil", `invalid library name "\$libdir/../../../.*/good/evil": ".." components are not allowed`},
	} {
		out, err := runCLI("launch", "-D", dir, "--library", c.lib, "--function", "evil_main")
		require.Error(t, err, out)
		require.Regexp(t, c.want, out)
	}
	require.False(t, evilRan(dir))
	h.stopClean()

	// A module registers the worker itself: the supervisor adopts it, the
	// worker refuses the load.
	conf = fmt.Sprintf("shared_preload_libraries = 'launcher'\ndynamic_library_path = '%s:%s'\nlauncher.mode = 'late'\nlauncher.late_library = 'WW/evil'\n",
		filepath.Dir(so), p["good"])
	dir = newDataDir(t, conf)
	h = startHost(t, dir)
	h.waitReady()
	h.waitForLine(`ERROR:  could not load library ".*/good/WW/evil.so": directory ".*/good/WW" is writable by group or others`)
	h.waitForLine(`launcher 0 late shutdown STOPPED`)
	require.False(t, evilRan(dir))
	h.stopClean()
}
