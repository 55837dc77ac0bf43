package tests

// Database connections (issue 14): workers connect to a throwaway
// PostgreSQL server (pgserver_test.go) over libpq and run transactions and
// SPI. The modules under tests/modules/api_db.c and db_*.c log what they
// observe; these tests check those lines and what the server saw.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// dbConf is a configuration preloading the given test modules with
// database_conninfo pointing at srv as user postgres.
func dbConf(t *testing.T, srv *pgServer, modules []string, extra string) string {
	t.Helper()
	return apiConf(t, modules, fmt.Sprintf("database_conninfo = 'host=%s port=%d user=%s'\n%s",
		srv.sockDir, pgPort, pgSuperuser, extra))
}

// TestDBAPI: connection, transactions and memory contexts, Datums of
// every listed type, SPI codes, parameters, plans, cursors, errors caught
// with PG_TRY, subtransactions, non-atomic commit, identity, and the
// uncaught ERROR that ends the worker with exit code 1.
func TestDBAPI(t *testing.T) {
	t.Parallel()
	srv := startPGServer(t)
	h := startHost(t, newDataDir(t, dbConf(t, srv, []string{"api_db"}, "log_min_messages = notice")))
	h.waitReady()
	h.log.waitFor(t, `api_db: done`, 1, 60*time.Second)
	h.log.waitFor(t, `background worker "api_db" \(PID \d+\) exited with exit code 1`, 2, 60*time.Second)
	h.log.waitFor(t, `api_db: byoid`, 1, 30*time.Second)
	log := h.log.all()
	bcDays := srv.SQL("SELECT '0044-03-15 BC'::date - '2000-01-01'::date")
	for _, want := range []string{
		"FATAL:  database connection requirement not indicated during registration",
		"api_db: byoid db=5 role=10 name=postgres user=postgres",
		"api_db: connected top=1",
		"api_db: in transaction=1 current=CurTransactionContext:1",
		"api_db: after commit in_transaction=0 current=TopMemoryContext:1",
		"api_db: identity db_matches=1 user_matches=1 dbname=postgres username=postgres application_name=api_db superuser=1 dboid_lookup=1 role_lookup=1 recovery=0",
		`api_db: quote plain "Mixed" "select" 'it''s'`,
		"api_db: datums ret=SPI_OK_SELECT processed=1 natts=25",
		"api_db: bool=1 int2=7 int4=-123456 int8=9000000000 float4=1.5 float8nan=1 float8=-2.25 oid=1259 xid=4242",
		`api_db: name=pg_class text=héllo varchar=ab bpchar="ab  " char=q`,
		"api_db: bytea len=3 bytes=00ff10",
		"api_db: date=1 datebc=" + bcDays + " time=45296789000 timestamp=1500000 timestamptz=0",
		`api_db: interval month=14 day=-3 time=14706500000 json={"a":1} uuid=a0ee..11`,
		"api_db: null isnull=1 value=0 getvalue=NULL",
		"api_db: getvalue num=1.25 f8=-2.25 tstz-type=timestamptz typeid=1700 fname=i8 fnumber(i8)=4 fnumber(zz)=-9",
		"api_db: arrays ndim=1 n=3 int4=3,NULL,-5 type=_text text=x y|{z}",
		"api_db: codes  insert=SPI_OK_INSERT/5 insret=SPI_OK_INSERT_RETURNING/1 update=SPI_OK_UPDATE/2 updret=SPI_OK_UPDATE_RETURNING/1 delete=SPI_OK_DELETE/1 delret=SPI_OK_DELETE_RETURNING/0 select-tcount=SPI_OK_SELECT/2 multi=SPI_OK_SELECT/3 utility=SPI_OK_UTILITY/0 selinto=SPI_OK_SELINTO/1 after-finish=SPI_ERROR_UNCONNECTED",
		"api_db: args ret=SPI_OK_SELECT sum=42 text=x'y! interval=NULL null3=f",
		"api_db: deform sum=42 text=x'y! nulls=0010 bool=0",
		"api_db: plan 1 ret=SPI_OK_SELECT v=v1! args=1 argtype=23",
		"api_db: plan 3 ret=SPI_OK_SELECT v=v3 args=1 argtype=23",
		"api_db: cursor name=api_db_cur found=1 fetches=3 sum=15",
		`api_db: syntax caught sqlstate=42601 message="syntax error at or near "SELEC"" detail="" hint="" context="" internalquery="SELEC 1" internalpos=1`,
		"api_db: after abort in_transaction=0",
		"api_db: unique violation at step 2",
		`api_db: unique caught sqlstate=23505 message="duplicate key value violates unique constraint "api_db_t_pkey"" detail="Key (id)=(1) already exists." hint="" context="SQL statement "INSERT INTO api_db_t VALUES (1, 'dup')"" internalquery="" internalpos=0 constraint="api_db_t_pkey"`,
		"api_db: rolled back rows=0",
		`api_db: numeric caught sqlstate=0A000 message="cannot convert a value of type numeric to its in-memory form"`,
		"NOTICE:  api_db notice 1",
		`api_db: raise caught sqlstate=P0099 message="custom failure" detail="some detail" hint="some hint" context="PL/pgSQL function inline_code_block line 1 at RAISE`,
		"api_db: subtransaction outer rows=1",
		"api_db: nonatomic rows=300 nonatomic=1",
	} {
		require.Contains(t, log, want)
	}
	require.NotContains(t, log, "not reached")
	require.Regexp(t, `ERROR:  division by zero\n.*CONTEXT:  SQL statement "SELECT 1/0"\n.*STATEMENT:  SELECT 1/0`, log)
	// the server rolled back what the failed transactions did
	require.Equal(t, "0", srv.SQL("SELECT count(*) FROM api_db_t WHERE id IN (100, 301)"))
	stopHost(t, h)
}

// compileContrib builds contrib/NAME/NAME.c into moduleDir as a module
// author would, and returns moduleDir.
func compileContrib(t *testing.T, name string) string {
	t.Helper()
	compileMu.Lock()
	defer compileMu.Unlock()
	so := filepath.Join(moduleDir, name+".so")
	if _, err := os.Stat(so); err != nil {
		out, err := exec.Command("cc", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
			"-I", filepath.Join(repoRoot, "include"), "-o", so,
			filepath.Join(repoRoot, "contrib", name, name+".c")).CombinedOutput()
		require.NoError(t, err, "compiling contrib/%s: %s", name, out)
	}
	return moduleDir
}

// TestDBWorker: the sample database worker (contrib/worker_db) against a
// real server: schema and tables created, rows folded every naptime,
// application_name in pg_stat_activity, a reload seen by the running
// worker (database_conninfo's change logged without its value), a server
// restart survived (reconnecting or restarted after its interval), SIGTERM.
func TestDBWorker(t *testing.T) {
	t.Parallel()
	srv := startPGServer(t)
	dir := compileContrib(t, "worker_db")
	conf := fmt.Sprintf(`shared_preload_libraries = 'worker_db'
dynamic_library_path = '%s'
database_conninfo = 'host=%s port=%d user=%s'
worker_db.naptime = 1
worker_db.workers = 2
worker_db.restart_interval = 1
`, dir, srv.sockDir, pgPort, pgSuperuser)
	data := newDataDir(t, conf)
	h := startHost(t, data)
	h.waitReady()
	h.log.waitFor(t, `worker_db 1: initialized with worker_db_1 in database "postgres"`, 1, 30*time.Second)
	h.log.waitFor(t, `worker_db 2: initialized with worker_db_2 in database "postgres"`, 1, 30*time.Second)
	srv.SQL("INSERT INTO worker_db_1.deltas VALUES ('a', 5), ('a', 10), ('b', 1)")
	h.log.waitFor(t, `worker_db 1: total of a is now 15`, 1, 30*time.Second)
	h.log.waitFor(t, `worker_db 1: total of b is now 1`, 1, 30*time.Second)
	require.Equal(t, "15", srv.SQL("SELECT value FROM worker_db_1.totals WHERE name = 'a'"))
	require.Equal(t, "0", srv.SQL("SELECT count(*) FROM worker_db_1.deltas"))
	require.Equal(t, "worker_db 1|bgworker\nworker_db 2|bgworker", srv.SQL(
		"SELECT application_name, CASE WHEN backend_type = 'client backend' THEN 'bgworker' END "+
			"FROM pg_stat_activity WHERE application_name LIKE 'worker_db%' ORDER BY 1"))

	// a reload: the running workers see the new naptime; the changed
	// connection string is reported without its value
	appendConf(t, data, "worker_db.naptime = 2\ndatabase_conninfo = 'host="+srv.sockDir+" user=postgres password=s3cr3t-in-conf'")
	reloadHost(t, data)
	h.log.waitFor(t, `worker_db 1: naptime is now 2 s`, 1, 30*time.Second)
	h.log.waitFor(t, `parameter "database_conninfo" changed \(the value is not shown`, 1, 10*time.Second)

	// the server restarts: the workers carry on (a new connection, or a
	// new worker after the restart interval)
	srv.Stop("fast")
	srv.Start()
	srv.SQL("INSERT INTO worker_db_1.deltas VALUES ('a', 100)")
	h.log.waitFor(t, `worker_db 1: total of a is now 115`, 1, 60*time.Second)
	srv.waitSQL("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'worker_db%'", "2", 30*time.Second)

	// SIGTERM ends a worker as PostgreSQL's die() does
	pid := srv.SQL("SELECT pid FROM pg_stat_activity WHERE application_name = 'worker_db 2'")
	require.NotEmpty(t, pid)
	m := h.log.waitFor(t, `\[(\d+)\] LOG:  worker_db 2: initialized`, h.log.count(`worker_db 2: initialized`), time.Second)
	wpid, _ := strconv.Atoi(m[1])
	require.NoError(t, syscall.Kill(wpid, syscall.SIGTERM))
	h.log.waitFor(t, `FATAL:  terminating background worker "worker_db" due to administrator command`, 1, 30*time.Second)

	log := h.log.all()
	require.NotContains(t, log, "s3cr3t-in-conf")
	stopHost(t, h)
	// the workers' sessions ended with the host
	srv.waitSQL("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'worker_db%'", "0", 30*time.Second)
}

// TestDBConnectErrors: a wrong password (and no password shown anywhere),
// the right one from a PGPASSFILE, and a database that does not exist
// (one FATAL per attempt, paced by the restart interval).
func TestDBConnectErrors(t *testing.T) {
	t.Parallel()
	srv := startPGServer(t)
	srv.CreateSecretRole("right-pass-42")
	so := compileModule(t, "db_errors", "db_errors")

	conf := func(extra string) string {
		return fmt.Sprintf("shared_preload_libraries = 'db_errors'\ndynamic_library_path = '%s'\n%s\n", filepath.Dir(so), extra)
	}
	// wrong password in database_conninfo
	h := startHost(t, newDataDir(t, conf(fmt.Sprintf(
		"database_conninfo = 'host=%s port=%d user=%s password=wrong-pass-17'", srv.sockDir, pgPort, pgSecretRole))))
	h.waitReady()
	h.log.waitFor(t, `FATAL:  password authentication failed for user "bgw_secret"`, 2, 30*time.Second)
	status, err := cliCommand(hostBin, "status", "-D", h.dir).CombinedOutput()
	require.NoError(t, err, "%s", status)
	stopHost(t, h)
	log := h.log.all()
	require.Regexp(t, `DETAIL:  connection to server on socket ".*\.s\.PGSQL\.5432" failed`, log)
	require.NotContains(t, log, "wrong-pass-17")
	require.NotContains(t, string(status), "wrong-pass-17")
	require.NotContains(t, string(status), "right-pass-42")

	// the right password from a password file named by PGPASSFILE
	passfile := filepath.Join(t.TempDir(), "pgpass")
	require.NoError(t, os.WriteFile(passfile, []byte(fmt.Sprintf("*:*:*:%s:right-pass-42\n", pgSecretRole)), 0o600))
	data := newDataDir(t, conf(fmt.Sprintf("database_conninfo = 'host=%s port=%d user=%s'", srv.sockDir, pgPort, pgSecretRole)))
	h = launchHost(t, data, hostBin, nil, []string{"PGPASSFILE=" + passfile})
	h.waitReady()
	h.log.waitFor(t, `db_errors: connected to postgres as bgw_secret`, 1, 30*time.Second)
	stopHost(t, h)

	// a database that does not exist, from the PG* environment
	data = newDataDir(t, conf("db_errors.database = 'nosuchdb'"))
	h = launchHost(t, data, hostBin, nil, srv.Env())
	h.waitReady()
	h.log.waitFor(t, `FATAL:  database "nosuchdb" does not exist`, 2, 30*time.Second)
	h.log.waitFor(t, `background worker "db_errors" \(PID \d+\) exited with exit code 1`, 2, 30*time.Second)
	stopHost(t, h)
	require.NotContains(t, h.log.all(), "right-pass-42")
}

// TestDBServerRestartInTransaction: the server stops while a worker's
// transaction is open: the worker ends with PostgreSQL's FATAL (exit 1),
// the server rolled the transaction back, and the restarted worker
// connects again once the server is back.
func TestDBServerRestartInTransaction(t *testing.T) {
	t.Parallel()
	srv := startPGServer(t)
	so := compileModule(t, "db_errors", "db_errors")
	h := startHost(t, newDataDir(t, fmt.Sprintf(
		"shared_preload_libraries = 'db_errors'\ndynamic_library_path = '%s'\ndb_errors.mode = 'midxact'\ndatabase_conninfo = 'host=%s port=%d user=%s'\n",
		filepath.Dir(so), srv.sockDir, pgPort, pgSuperuser)))
	h.waitReady()
	h.log.waitFor(t, `db_errors: in transaction, sleeping`, 1, 30*time.Second)
	srv.Stop("fast")
	h.log.waitFor(t, `FATAL:  terminating connection due to administrator command`, 1, 30*time.Second)
	h.log.waitFor(t, `background worker "db_errors" \(PID \d+\) exited with exit code 1`, 1, 30*time.Second)
	srv.Start()
	h.log.waitFor(t, `db_errors: in transaction, sleeping`, 2, 60*time.Second)
	// nothing of either transaction is visible: the first was rolled back
	require.Equal(t, "t", srv.SQL("SELECT to_regclass('db_errors_t') IS NULL"))
	stopHost(t, h)
	require.NotContains(t, h.log.all(), "db_errors: not reached")
}

// TestDBWorkerSPIExternal runs PostgreSQL's own worker_spi, unmodified,
// when BGW_WORKER_SPI_SRC names its worker_spi.c (PostgreSQL 17's
// src/test/modules/worker_spi/worker_spi.c; not part of this repository):
// it compiles against include/, creates its schema and table, folds the
// delta rows into the total every naptime, follows a reload, comes back
// after the server was stopped and started, and ends on SIGTERM.
func TestDBWorkerSPIExternal(t *testing.T) {
	src := os.Getenv("BGW_WORKER_SPI_SRC")
	if src == "" {
		t.Skip("BGW_WORKER_SPI_SRC is not set")
	}
	t.Parallel()
	dir := t.TempDir()
	out, err := exec.Command("cc", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
		"-I", filepath.Join(repoRoot, "include"), "-o", filepath.Join(dir, "worker_spi.so"), src).CombinedOutput()
	require.NoError(t, err, "compiling %s: %s", src, out)
	srv := startPGServer(t)
	data := newDataDir(t, fmt.Sprintf(`shared_preload_libraries = 'worker_spi'
dynamic_library_path = '%s'
database_conninfo = 'host=%s port=%d user=%s'
worker_spi.naptime = 1
`, dir, srv.sockDir, pgPort, pgSuperuser))
	h := startHost(t, data)
	h.waitReady()
	h.log.waitFor(t, `worker_spi worker 1 initialized with schema1.counted`, 1, 30*time.Second)
	h.log.waitFor(t, `worker_spi worker 2 initialized with schema2.counted`, 1, 30*time.Second)
	srv.waitSQL("SELECT count(*) FROM pg_namespace WHERE nspname IN ('schema1', 'schema2')", "2", 30*time.Second)
	srv.SQL("INSERT INTO schema1.counted VALUES ('total', 1), ('delta', 5), ('delta', 10)")
	h.log.waitFor(t, `worker_spi worker 1: count in schema1\.counted is now 16`, 1, 30*time.Second)

	appendConf(t, data, "worker_spi.naptime = 2")
	reloadHost(t, data)
	h.log.waitFor(t, `parameter "worker_spi.naptime" changed to "2"`, 1, 10*time.Second)

	srv.Stop("fast")
	srv.Start()
	srv.SQL("INSERT INTO schema1.counted VALUES ('delta', 100)")
	h.log.waitFor(t, `worker_spi worker 1: count in schema1\.counted is now 116`, 1, 60*time.Second)

	m := h.log.waitFor(t, `\[(\d+)\] LOG:  worker_spi worker 2 initialized`, 1, time.Second)
	wpid, _ := strconv.Atoi(m[1])
	require.NoError(t, syscall.Kill(wpid, syscall.SIGTERM))
	h.log.waitFor(t, `FATAL:  terminating background worker "worker_spi" due to administrator command`, 1, 30*time.Second)
	stopHost(t, h)
}
