package tests

// Database connections (issue 14): workers connect to a throwaway
// PostgreSQL server (pgserver_test.go) over libpq and run transactions and
// SPI. The modules under tests/modules/api_db.c and db_*.c log what they
// observe; these tests check those lines and what the server saw.

import (
	"fmt"
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
		"api_db: codes  insert=SPI_OK_INSERT/5 insret=SPI_OK_INSERT_RETURNING/1 update=SPI_OK_UPDATE/2 updret=SPI_OK_UPDATE_RETURNING/1 delete=SPI_OK_DELETE/1 delret=SPI_OK_DELETE_RETURNING/0 select-tcount=SPI_OK_SELECT/2 multi=SPI_OK_SELECT/3 utility=SPI_OK_UTILITY/0 selinto=SPI_OK_SELINTO/1 after-finish=SPI_ERROR_UNCONNECTED",
		"api_db: args ret=SPI_OK_SELECT sum=42 text=x'y! interval=NULL null3=f",
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
