// Extension Makefiles written for PostgreSQL's PGXS build and install
// against bgworker unchanged, with bgworker-config as PG_CONFIG, and the
// module they install runs in the host.

package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pgxsExtension is an extension's source tree as a PostgreSQL user
// writes it: a module from two objects, its control file, script and
// README, and a Makefile that knows nothing of bgworker.
var pgxsExtension = map[string]string{
	"Makefile": `MODULE_big = pgxs_demo
OBJS = pgxs_demo.o pgxs_util.o
EXTENSION = pgxs_demo
DATA = pgxs_demo--1.0.sql
DOCS = README.pgxs_demo
PG_CPPFLAGS = -DPGXS_DEMO_WORD='"from PG_CPPFLAGS"'

PG_CONFIG = pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
`,
	"pgxs_demo.c": `#include "postgres.h"
#include "fmgr.h"
#include "postmaster/bgworker.h"

PG_MODULE_MAGIC;

extern const char *pgxs_demo_word(void);
void _PG_init(void);
PGDLLEXPORT void pgxs_demo_main(Datum arg);

void
pgxs_demo_main(Datum arg)
{
	elog(LOG, "pgxs_demo says %s", pgxs_demo_word());
	proc_exit(0);
}

void
_PG_init(void)
{
	BackgroundWorker w = {0};

	snprintf(w.bgw_name, BGW_MAXLEN, "pgxs demo");
	snprintf(w.bgw_type, BGW_MAXLEN, "pgxs demo");
	snprintf(w.bgw_library_name, BGW_MAXLEN, "pgxs_demo");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "pgxs_demo_main");
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	RegisterBackgroundWorker(&w);
}
`,
	"pgxs_util.c": `#include "postgres.h"

extern const char *pgxs_demo_word(void);

const char *
pgxs_demo_word(void)
{
	return PGXS_DEMO_WORD;
}
`,
	"pgxs_demo.control":  "comment = 'PGXS demo'\ndefault_version = '1.0'\nmodule_pathname = '$libdir/pgxs_demo'\nrelocatable = true\n",
	"pgxs_demo--1.0.sql": "-- nothing to declare\n",
	"README.pgxs_demo":   "The PGXS demo.\n",
}

func TestPGXSBuildsAndInstallsAnExtension(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not found")
	}
	// The checkout's own bgworker-config answers with the checkout's
	// include/ and pgxs.mk, as an installed one would with its prefix's.
	treeConfig := filepath.Join(repoRoot, "bin", "bgworker-config")
	if _, err := os.Stat(treeConfig); err != nil {
		t.Skipf("%s not built (make all builds it)", treeConfig)
	}
	pgxs, err := exec.Command(treeConfig, "--pgxs").Output()
	require.NoError(t, err)
	require.FileExists(t, strings.TrimSpace(string(pgxs)))

	src := t.TempDir()
	for name, text := range pgxsExtension {
		require.NoError(t, os.WriteFile(filepath.Join(src, name), []byte(text), 0o644))
	}
	runMake := func(args ...string) string {
		cmd := exec.Command("make", append([]string{"PG_CONFIG=" + treeConfig}, args...)...)
		cmd.Dir = src
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "make %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	out1 := runMake()
	require.Contains(t, out1, "-O2", "the module is compiled with the optimisation of --cflags")
	require.Contains(t, out1, "-fPIC")
	require.FileExists(t, filepath.Join(src, "pgxs_demo.so"))

	dest := t.TempDir()
	runMake("install", "DESTDIR="+dest)
	answer := func(flag string) string {
		out, err := exec.Command(treeConfig, flag).Output()
		require.NoError(t, err)
		return strings.TrimSpace(string(out))
	}
	pkglib := filepath.Join(dest, answer("--pkglibdir"))
	share := filepath.Join(dest, answer("--sharedir"))
	require.FileExists(t, filepath.Join(pkglib, "pgxs_demo.so"))
	require.FileExists(t, filepath.Join(share, "extension", "pgxs_demo.control"))
	require.FileExists(t, filepath.Join(share, "extension", "pgxs_demo--1.0.sql"))
	require.FileExists(t, filepath.Join(dest, answer("--docdir"), "extension", "README.pgxs_demo"))
	st, err := os.Stat(filepath.Join(pkglib, "pgxs_demo.so"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o755), st.Mode().Perm())

	// The installed module runs in the host.
	dir := newDataDir(t, "shared_preload_libraries = 'pgxs_demo'\ndynamic_library_path = '"+pkglib+"'")
	h := startHost(t, dir)
	h.waitReady()
	h.log.waitFor(t, `pgxs_demo says from PG_CPPFLAGS`, 1, 20*time.Second)
	h.signal(syscall.SIGINT)
	require.Equal(t, 0, h.waitExit(20*time.Second))

	runMake("uninstall", "DESTDIR="+dest)
	require.NoFileExists(t, filepath.Join(pkglib, "pgxs_demo.so"))
	require.NoFileExists(t, filepath.Join(share, "extension", "pgxs_demo.control"))
	runMake("clean")
	require.NoFileExists(t, filepath.Join(src, "pgxs_demo.so"))
	require.NoFileExists(t, filepath.Join(src, "pgxs_util.o"))

	// A PGXS Makefile without PG_CONFIG's answers is refused clearly.
	msg, err := exec.Command("make", "-f", strings.TrimSpace(string(pgxs)), "PG_CONFIG=").CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(msg), "PG_CONFIG is not set")
}
