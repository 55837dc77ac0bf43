/*-------------------------------------------------------------------------
 *
 * api_db.c
 *	  Proof module for database connections, transactions, SPI and Datums
 *	  (access/xact.h, utils/snapmgr.h, executor/spi.h, utils/builtins.h).
 *
 *	  Worker "api_db" connects (database_conninfo, then "postgres" and no
 *	  user, as worker_spi does), runs a script of checks, logs each
 *	  observation as "api_db: ..." and ends with an uncaught ERROR, which
 *	  must end it with exit code 1.  Worker "api_db nodb" was registered
 *	  without BGWORKER_BACKEND_DATABASE_CONNECTION and must get
 *	  PostgreSQL's FATAL.  Worker "api_db byoid" connects with
 *	  BackgroundWorkerInitializeConnectionByOid.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"		/* split out of postgres.h in PostgreSQL 16 */
#endif

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_db_main(Datum main_arg);
PGDLLEXPORT void api_db_nodb_main(Datum main_arg);
PGDLLEXPORT void api_db_byoid_main(Datum main_arg);

static void
register_worker(const char *name, const char *function, int flags)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = flags;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "api_db", sizeof(worker.bgw_library_name));
	strlcpy(worker.bgw_function_name, function, BGW_MAXLEN);
	strlcpy(worker.bgw_name, name, BGW_MAXLEN);
	strlcpy(worker.bgw_type, "api_db", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	register_worker("api_db", "api_db_main",
					BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION);
	register_worker("api_db nodb", "api_db_nodb_main", BGWORKER_SHMEM_ACCESS);
	register_worker("api_db byoid", "api_db_byoid_main",
					BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION);
}

/* Run sql in its own transaction; ERROR if it is not the expected code. */
static void
run(const char *sql, int expect)
{
	int			ret;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	ret = SPI_execute(sql, false, 0);
	if (ret != expect)
		elog(ERROR, "api_db: \"%s\" returned %s", sql, SPI_result_code_string(ret));
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* Log the error being handled and clean up, as a PG_CATCH block does. */
static void
report_caught(const char *what, MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	elog(LOG, "api_db: %s caught sqlstate=%s message=\"%s\" detail=\"%s\" hint=\"%s\" context=\"%s\" internalquery=\"%s\" internalpos=%d constraint=\"%s\"",
		 what, unpack_sql_state(edata->sqlerrcode), edata->message,
		 edata->detail ? edata->detail : "", edata->hint ? edata->hint : "",
		 edata->context ? edata->context : "",
		 edata->internalquery ? edata->internalquery : "", edata->internalpos,
		 edata->constraint_name ? edata->constraint_name : "");
	FreeErrorData(edata);
	AbortCurrentTransaction();
}

static void
check_datums(void)
{
	int			ret;
	bool		isnull;
	HeapTuple	tup;
	TupleDesc	desc;
	Datum		d;
	bytea	   *b;
	const unsigned char *u;
	struct
	{
		int64		time;
		int32		day;
		int32		month;
	}		   *iv;

	StartTransactionCommand();
	SPI_connect();
	ret = SPI_execute("SELECT true AS b, 7::int2 AS i2, -123456::int4 AS i4, "
					  "9000000000::int8 AS i8, 1.5::float4 AS f4, 'NaN'::float8 AS f8nan, "
					  "-2.25::float8 AS f8, 1259::oid AS o, '4242'::xid AS x, "
					  "'pg_class'::name AS n, 'héllo'::text AS t, 'ab'::varchar(5) AS vc, "
					  "'ab'::char(4) AS bc, '\\x00ff10'::bytea AS by, 'q'::\"char\" AS c, "
					  "'2000-01-02'::date AS d, '0044-03-15 BC'::date AS dbc, "
					  "'12:34:56.789'::time AS tm, '2000-01-01 00:00:01.5'::timestamp AS ts, "
					  "'2000-01-01 02:00:00+02'::timestamptz AS tstz, "
					  "'1 year 2 mons -3 days 04:05:06.5'::interval AS iv, '{\"a\":1}'::json AS j, "
					  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, NULL::int4 AS nul, "
					  "1.25::numeric AS num", true, 0);
	desc = SPI_tuptable->tupdesc;
	tup = SPI_tuptable->vals[0];
	elog(LOG, "api_db: datums ret=%s processed=" UINT64_FORMAT " natts=%d",
		 SPI_result_code_string(ret), SPI_processed, desc->natts);
	elog(LOG, "api_db: bool=%d int2=%d int4=%d int8=" INT64_FORMAT " float4=%g float8nan=%d float8=%g oid=%u xid=%u",
		 DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull)),
		 DatumGetInt16(SPI_getbinval(tup, desc, 2, &isnull)),
		 DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull)),
		 DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull)),
		 DatumGetFloat4(SPI_getbinval(tup, desc, 5, &isnull)),
		 isnan(DatumGetFloat8(SPI_getbinval(tup, desc, 6, &isnull))),
		 DatumGetFloat8(SPI_getbinval(tup, desc, 7, &isnull)),
		 DatumGetObjectId(SPI_getbinval(tup, desc, 8, &isnull)),
		 DatumGetTransactionId(SPI_getbinval(tup, desc, 9, &isnull)));
	d = SPI_getbinval(tup, desc, 15, &isnull);
	elog(LOG, "api_db: name=%s text=%s varchar=%s bpchar=\"%s\" char=%c",
		 DatumGetCString(SPI_getbinval(tup, desc, 10, &isnull)),
		 TextDatumGetCString(SPI_getbinval(tup, desc, 11, &isnull)),
		 TextDatumGetCString(SPI_getbinval(tup, desc, 12, &isnull)),
		 TextDatumGetCString(SPI_getbinval(tup, desc, 13, &isnull)),
		 DatumGetChar(d));
	b = DatumGetByteaPP(SPI_getbinval(tup, desc, 14, &isnull));
	u = (const unsigned char *) VARDATA_ANY(b);
	elog(LOG, "api_db: bytea len=%d bytes=%02x%02x%02x",
		 (int) VARSIZE_ANY_EXHDR(b), u[0], u[1], u[2]);
	elog(LOG, "api_db: date=%d datebc=%d time=" INT64_FORMAT " timestamp=" INT64_FORMAT " timestamptz=" INT64_FORMAT,
		 DatumGetInt32(SPI_getbinval(tup, desc, 16, &isnull)),
		 DatumGetInt32(SPI_getbinval(tup, desc, 17, &isnull)),
		 DatumGetInt64(SPI_getbinval(tup, desc, 18, &isnull)),
		 DatumGetInt64(SPI_getbinval(tup, desc, 19, &isnull)),
		 DatumGetTimestampTz(SPI_getbinval(tup, desc, 20, &isnull)));
	iv = (void *) DatumGetPointer(SPI_getbinval(tup, desc, 21, &isnull));
	u = (const unsigned char *) DatumGetPointer(SPI_getbinval(tup, desc, 23, &isnull));
	elog(LOG, "api_db: interval month=%d day=%d time=" INT64_FORMAT " json=%s uuid=%02x%02x..%02x",
		 iv->month, iv->day, iv->time,
		 TextDatumGetCString(SPI_getbinval(tup, desc, 22, &isnull)), u[0], u[1], u[15]);
	d = SPI_getbinval(tup, desc, 24, &isnull);
	elog(LOG, "api_db: null isnull=%d value=%lu getvalue=%s", isnull, (unsigned long) d,
		 SPI_getvalue(tup, desc, 24) ? "non-null" : "NULL");
	elog(LOG, "api_db: getvalue num=%s f8=%s tstz-type=%s typeid=%u fname=%s fnumber(i8)=%d fnumber(zz)=%d",
		 SPI_getvalue(tup, desc, 25), SPI_getvalue(tup, desc, 7), SPI_gettype(desc, 20),
		 SPI_gettypeid(desc, 25), SPI_fname(desc, 4), SPI_fnumber(desc, "i8"),
		 SPI_fnumber(desc, "zz"));

	/* one-dimensional arrays: an ArrayType, as deconstruct_array takes it */
	SPI_execute("SELECT ARRAY[3,NULL,-5]::int4[] AS a, ARRAY['x y','{z}']::text[] AS t", true, 0);
	{
		ArrayType  *ai = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		ArrayType  *at = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		Datum	   *ie,
				   *te;
		bool	   *in,
				   *tn;
		int			ni,
					nt;

		deconstruct_array_builtin(ai, INT4OID, &ie, &in, &ni);
		deconstruct_array_builtin(at, TEXTOID, &te, &tn, &nt);
		elog(LOG, "api_db: arrays ndim=%d n=%d int4=%d,%s,%d type=%s text=%s|%s",
			 ARR_NDIM(ai), ni, DatumGetInt32(ie[0]), in[1] ? "NULL" : "?", DatumGetInt32(ie[2]),
			 SPI_gettype(SPI_tuptable->tupdesc, 2), TextDatumGetCString(te[0]), TextDatumGetCString(te[1]));
	}
	SPI_finish();
	CommitTransactionCommand();
}

static void
check_codes(void)
{
	StringInfoData buf;

	run("CREATE TABLE IF NOT EXISTS api_db_t (id int PRIMARY KEY, v text)", SPI_OK_UTILITY);
	run("TRUNCATE api_db_t", SPI_OK_UTILITY);
	initStringInfo(&buf);
	StartTransactionCommand();
	SPI_connect();
#define CODE(label, sql, ro, tcount) \
	do { \
		int			r_ = SPI_execute(sql, ro, tcount); \
		appendStringInfo(&buf, " %s=%s/" UINT64_FORMAT, label, SPI_result_code_string(r_), SPI_processed); \
	} while (0)
	CODE("insert", "INSERT INTO api_db_t SELECT g, 'v' || g FROM generate_series(1, 5) g", false, 0);
	CODE("insret", "INSERT INTO api_db_t VALUES (6, 'six') RETURNING id", false, 0);
	CODE("update", "UPDATE api_db_t SET v = v || '!' WHERE id <= 2", false, 0);
	CODE("updret", "UPDATE api_db_t SET v = v WHERE id = 3 RETURNING v", false, 0);
	CODE("delete", "DELETE FROM api_db_t WHERE id = 6", false, 0);
	CODE("delret", "DELETE FROM api_db_t WHERE id = 7 RETURNING id", false, 0);
	CODE("select-tcount", "SELECT * FROM api_db_t ORDER BY id", true, 2);
	CODE("multi", "SELECT 1; SELECT g FROM generate_series(1,3) g", true, 0);
	CODE("utility", "SET search_path = public", false, 0);
	CODE("selinto", "SELECT 1 AS a INTO TEMP api_db_tmp", false, 0);
	SPI_finish();
	appendStringInfo(&buf, " after-finish=%s", SPI_result_code_string(SPI_execute("SELECT 1", true, 0)));
	CommitTransactionCommand();
	elog(LOG, "api_db: codes %s", buf.data);
}

static void
check_params_plans_cursors(void)
{
	Oid			types[3] = {INT4OID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[3];
	SPIPlanPtr	plan;
	Portal		portal;
	bool		isnull;
	int			ret;
	int64		sum = 0;
	int			fetches = 0;

	StartTransactionCommand();
	SPI_connect();
	values[0] = Int32GetDatum(41);
	values[1] = CStringGetTextDatum("x'y");
	values[2] = TimestampTzGetDatum(86400000000 + 1);
	ret = SPI_execute_with_args("SELECT $1 + 1, $2 || '!', $3 - '2000-01-02'::timestamptz, $1 IS NULL",
								3, types, values, "  n", true, 0);
	elog(LOG, "api_db: args ret=%s sum=%d text=%s interval=%s null3=%s",
		 SPI_result_code_string(ret),
		 DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
		 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
		 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3) ? "set" : "NULL",
		 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4));
	{
		/* the same row taken apart at once */
		Datum		cols[4];
		bool		nulls[4];

		heap_deform_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, cols, nulls);
		elog(LOG, "api_db: deform sum=%d text=%s nulls=%d%d%d%d bool=%d",
			 DatumGetInt32(cols[0]), TextDatumGetCString(cols[1]),
			 nulls[0], nulls[1], nulls[2], nulls[3], DatumGetBool(cols[3]));
	}

	plan = SPI_prepare("SELECT v FROM api_db_t WHERE id = $1", 1, types);
	SPI_keepplan(plan);
	for (int i = 1; i <= 3; i++)
	{
		values[0] = Int32GetDatum(i);
		ret = SPI_execute_plan(plan, values, NULL, true, 0);
		elog(LOG, "api_db: plan %d ret=%s v=%s args=%d argtype=%u", i, SPI_result_code_string(ret),
			 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
			 SPI_getargcount(plan), SPI_getargtypeid(plan, 0));
	}
	SPI_freeplan(plan);

	portal = SPI_cursor_open_with_args("api_db_cur", "SELECT id FROM api_db_t ORDER BY id",
									   0, NULL, NULL, NULL, true, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 2);
		if (SPI_processed == 0)
			break;
		fetches++;
		for (uint64 i = 0; i < SPI_processed; i++)
			sum += DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		SPI_freetuptable(SPI_tuptable);
	}
	elog(LOG, "api_db: cursor name=%s found=%d fetches=%d sum=" INT64_FORMAT,
		 portal->name, SPI_cursor_find("api_db_cur") == portal, fetches, sum);
	SPI_cursor_close(portal);
	SPI_finish();
	CommitTransactionCommand();
}

static void
check_errors(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile int step = 0;

	/* a syntax error: the position into the statement */
	StartTransactionCommand();
	SPI_connect();
	PG_TRY();
	{
		SPI_execute("SELEC 1", false, 0);
		elog(LOG, "api_db: not reached");
	}
	PG_CATCH();
	{
		report_caught("syntax", cxt);
	}
	PG_END_TRY();
	elog(LOG, "api_db: after abort in_transaction=%d", IsTransactionState());

	/* a unique violation after an earlier statement of the same transaction */
	StartTransactionCommand();
	SPI_connect();
	PG_TRY();
	{
		step = 1;
		SPI_execute("INSERT INTO api_db_t VALUES (100, 'hundred')", false, 0);
		step = 2;
		SPI_execute("INSERT INTO api_db_t VALUES (1, 'dup')", false, 0);
		step = 3;
	}
	PG_CATCH();
	{
		elog(LOG, "api_db: unique violation at step %d", step);
		report_caught("unique", cxt);
	}
	PG_END_TRY();
	/* the transaction was rolled back: row 100 is not there */
	StartTransactionCommand();
	SPI_connect();
	SPI_execute("SELECT count(*) FROM api_db_t WHERE id = 100", true, 0);
	elog(LOG, "api_db: rolled back rows=%s",
		 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	SPI_finish();
	CommitTransactionCommand();

	/* a type SPI_getbinval has no in-memory form for */
	StartTransactionCommand();
	SPI_connect();
	PG_TRY();
	{
		bool		isnull;

		SPI_execute("SELECT 12.5::numeric AS amount", true, 0);
		(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	}
	PG_CATCH();
	{
		report_caught("numeric", cxt);
	}
	PG_END_TRY();

	/* a server-side RAISE with detail and hint, and a notice on the way */
	StartTransactionCommand();
	SPI_connect();
	PG_TRY();
	{
		SPI_execute("DO $$BEGIN RAISE NOTICE 'api_db notice %', 1; "
					"RAISE EXCEPTION USING MESSAGE = 'custom failure', DETAIL = 'some detail', "
					"HINT = 'some hint', ERRCODE = 'P0099'; END$$", false, 0);
	}
	PG_CATCH();
	{
		report_caught("raise", cxt);
	}
	PG_END_TRY();

	/* a subtransaction rolled back keeps the outer transaction usable */
	StartTransactionCommand();
	SPI_connect();
	SPI_execute("INSERT INTO api_db_t VALUES (200, 'outer')", false, 0);
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		SPI_execute("INSERT INTO api_db_t VALUES (1, 'dup')", false, 0);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	SPI_execute("SELECT count(*) FROM api_db_t WHERE id = 200", true, 0);
	elog(LOG, "api_db: subtransaction outer rows=%s",
		 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	SPI_finish();
	CommitTransactionCommand();
}

static void
check_identity(void)
{
	char	   *who;
	char	   *appname;

	StartTransactionCommand();
	SPI_connect();
	SPI_execute("SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), "
				"(SELECT oid FROM pg_roles WHERE rolname = current_user), current_user, "
				"current_setting('application_name')", true, 0);
	who = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	appname = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
	elog(LOG, "api_db: identity db_matches=%d user_matches=%d dbname=%s username=%s application_name=%s superuser=%d dboid_lookup=%d role_lookup=%d recovery=%d",
		 (Oid) strtoul(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), NULL, 10) == MyDatabaseId && OidIsValid(MyDatabaseId),
		 (Oid) strtoul(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), NULL, 10) == GetUserId(),
		 get_database_name(MyDatabaseId), who, appname, superuser(),
		 get_database_oid("postgres", false) == MyDatabaseId,
		 get_role_oid(who, false) == GetUserId(), RecoveryInProgress());
	elog(LOG, "api_db: quote %s %s %s %s", quote_identifier("plain"), quote_identifier("Mixed"),
		 quote_identifier("select"), quote_literal_cstr("it's"));
	SPI_finish();
	CommitTransactionCommand();
}

static void
check_nonatomic(void)
{
	StartTransactionCommand();
	SPI_connect_ext(SPI_OPT_NONATOMIC);
	SPI_execute("INSERT INTO api_db_t VALUES (300, 'kept')", false, 0);
	SPI_commit();
	SPI_execute("INSERT INTO api_db_t VALUES (301, 'dropped')", false, 0);
	SPI_rollback();
	SPI_execute("SELECT string_agg(id::text, ',') FROM api_db_t WHERE id >= 300", true, 0);
	elog(LOG, "api_db: nonatomic rows=%s nonatomic=%d",
		 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
		 SPI_inside_nonatomic_context());
	SPI_finish();
	CommitTransactionCommand();
}

void
api_db_main(Datum main_arg)
{
	MemoryContext top;

	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection("postgres", NULL, 0);
	top = CurrentMemoryContext;
	elog(LOG, "api_db: connected top=%d", top == TopMemoryContext);

	StartTransactionCommand();
	elog(LOG, "api_db: in transaction=%d current=CurTransactionContext:%d",
		 IsTransactionState(), CurrentMemoryContext == CurTransactionContext);
	CommitTransactionCommand();
	elog(LOG, "api_db: after commit in_transaction=%d current=TopMemoryContext:%d",
		 IsTransactionState(), CurrentMemoryContext == TopMemoryContext);

	check_identity();
	check_datums();
	check_codes();
	check_params_plans_cursors();
	check_errors();
	check_nonatomic();

	debug_query_string = "SELECT 1/0";
	elog(LOG, "api_db: done");
	StartTransactionCommand();
	SPI_connect();
	SPI_execute("SELECT 1/0", true, 0);
	elog(LOG, "api_db: not reached");
}

void
api_db_nodb_main(Datum main_arg)
{
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection("postgres", NULL, 0);
	elog(LOG, "api_db: nodb not reached");
}

void
api_db_byoid_main(Datum main_arg)
{
	Oid			dboid = InvalidOid,
				roleoid = InvalidOid;

	BackgroundWorkerUnblockSignals();
	/* the OIDs of "postgres" and its owner, found through a first connection */
	BackgroundWorkerInitializeConnectionByOid(5, 10, 0);
	dboid = MyDatabaseId;
	roleoid = GetUserId();
	elog(LOG, "api_db: byoid db=%u role=%u name=%s user=%s", dboid, roleoid,
		 get_database_name(dboid), GetUserNameFromId(roleoid, false));
	proc_exit(0);
}
