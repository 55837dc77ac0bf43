/*-------------------------------------------------------------------------
 *
 * session.c
 *	  The session process: a backend without SQL.  It is started like a
 *	  dynamic worker (registration library "postgres", function
 *	  "bgw_session_main", so it has a slot, MyProc and a latch), then it
 *	  behaves as a PostgreSQL backend running statements "SELECT f(...)":
 *	  it connects back to the supervisor through the Unix socket named in
 *	  bgw_extra, reads a call, loads the library (running _PG_init the
 *	  first time), turns the arguments into Datums with the types' input
 *	  functions, calls the function under a transaction-like scope
 *	  (TopTransactionContext, a resource owner) and sends back NOTICEs as
 *	  they are raised, the result rows in text form and the ERROR if there
 *	  is one.  Then it releases what the call left (detaching dynamic
 *	  shared memory, which runs the modules' on_dsm_detach callbacks) and
 *	  waits for the next call; when the supervisor closes the connection
 *	  it exits 0.  C only: it is a forked child.
 *
 *	  The socket protocol (supervisor side: libbgworker/session.go).
 *	  Every message is a type byte, a 4-byte big-endian payload length,
 *	  and the payload, made of NUL-terminated strings:
 *	    supervisor -> session
 *	      'C' call: library, symbol, function name, nargs, strict (0/1),
 *	          retset (0/1), result type; then per argument its type and
 *	          "n" (NULL) or "v" followed by the value's text
 *	    session -> supervisor
 *	      'N' a notice, 'E' the error: severity, SQLSTATE, message, detail,
 *	          hint, context (empty strings when absent)
 *	      'D' one result value: "n" (NULL) or "v" followed by its text
 *	      'Z' the call is over (after the result or after 'E')
 *
 *	  Signals, as a backend's: SIGINT cancels the call ("canceling
 *	  statement due to user request"), SIGTERM ends the session (FATAL
 *	  "terminating connection due to administrator command"), SIGUSR1 sets
 *	  the latch (a worker it registered changed state).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgw_internal.h"
#include "fmgr.h"
#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqsignal.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procsignal.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

/* The call as the supervisor sent it. */
typedef struct SessionCall
{
	char	   *library;		/* as the script said: "$libdir/name" */
	char	   *symbol;			/* the link symbol */
	char	   *funcname;		/* the SQL name, for messages */
	int			nargs;
	bool		strict;
	bool		retset;
	const BgwTypeInfo *rettype; /* NULL: void */
	bool		ret_record;		/* RETURNS record / a composite */
	TupleDesc	ret_desc;		/* its columns (OUT, TABLE), or NULL */
	const BgwTypeInfo **argtypes;
	char	  **argvalues;		/* NULL: SQL NULL */
} SessionCall;

static int	client_fd = -1;
static bool client_lost = false;

/* ---- the socket ---- */

static bool
write_all(const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = send(client_fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

static bool
read_all(char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = recv(client_fd, buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/*
 * Send one message.  A caller that went away is not an error here (this
 * runs inside error reporting); the session notices and ends.
 */
static void
client_send(char type, const char *payload, size_t len)
{
	char		hdr[5];
	uint32		n = htonl((uint32) len);

	if (client_fd < 0 || client_lost)
		return;
	hdr[0] = type;
	memcpy(hdr + 1, &n, 4);
	if (!write_all(hdr, 5) || !write_all(payload, len))
		client_lost = true;
}

static void
append_field(StringInfo buf, const char *s)
{
	appendBinaryStringInfo(buf, s ? s : "", strlen(s ? s : "") + 1);
}

/* elog's hook for the caller: NOTICE, INFO, WARNING and errors. */
static void
session_client_message(ErrorData *edata)
{
	StringInfoData buf;

	initStringInfo(&buf);
	append_field(&buf, error_severity(edata->elevel));
	append_field(&buf, unpack_sql_state(edata->sqlerrcode));
	append_field(&buf, edata->message);
	append_field(&buf, edata->detail);
	append_field(&buf, edata->hint);
	append_field(&buf, edata->context);
	client_send(edata->elevel >= ERROR ? 'E' : 'N', buf.data, buf.len);
	pfree(buf.data);
}

static void
send_value(bool isnull, const char *text)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (isnull)
		append_field(&buf, "n");
	else
	{
		appendStringInfoChar(&buf, 'v');
		append_field(&buf, text);
	}
	client_send('D', buf.data, buf.len);
	pfree(buf.data);
}

/* Connect to the supervisor's socket for this call (name in bgw_extra). */
static void
connect_to_supervisor(const char *path)
{
	struct sockaddr_un addr;

	if (strlen(path) >= sizeof(addr.sun_path))
		ereport(FATAL,
				(errmsg("session socket path \"%s\" is too long", path)));
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
	client_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (client_fd < 0)
		ereport(FATAL,
				(errcode_for_socket_access(),
				 errmsg("could not create socket: %m")));
	if (connect(client_fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
		ereport(FATAL,
				(errcode_for_socket_access(),
				 errmsg("could not connect to session socket \"%s\": %m", path)));
}

/*
 * Wait, idle, until the supervisor sends the next call or closes the
 * connection.  A cancel that arrives while idle is dropped (as a backend
 * drops it between statements); SIGTERM ends the session here too.
 */
static bool
wait_for_call(void)
{
	for (;;)
	{
		int			rc;
		char		peek;
		ssize_t		n;

		n = recv(client_fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n == 1)
			return true;		/* a cancel that came with it is for it */
		if (n == 0)
			return false;		/* the supervisor closed the connection */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return false;
		QueryCancelPending = false; /* nothing to cancel */
		CHECK_FOR_INTERRUPTS();
		rc = WaitLatchOrSocket(MyLatch,
							   WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH,
							   client_fd, -1, PG_WAIT_CLIENT);
		if (rc & WL_LATCH_SET)
			ResetLatch(MyLatch);
	}
}

/*
 * Read the next 'C' message into CurrentMemoryContext; NULL when the
 * supervisor closed the connection between calls.  FATAL if it sends
 * anything else.
 */
static SessionCall *
read_call(void)
{
	char		hdr[5];
	uint32		len;
	char	   *payload;
	char	   *p;
	char	   *end;
	SessionCall *call;

#define NEXT_FIELD() \
	({ char *f_ = p; \
	   if (p >= end) goto bad; \
	   p += strnlen(p, end - p) + 1; \
	   if (p > end) goto bad; \
	   f_; })

	if (!wait_for_call())
		return NULL;
	if (!read_all(hdr, 5))
		ereport(FATAL,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("could not receive the call from the supervisor")));
	memcpy(&len, hdr + 1, 4);
	len = ntohl(len);
	if (hdr[0] != 'C' || len > MaxAllocSize)
		goto bad;
	payload = palloc(len + 1);
	if (!read_all(payload, len))
		goto bad;
	payload[len] = '\0';
	p = payload;
	end = payload + len;

	call = palloc0(sizeof(SessionCall));
	call->library = NEXT_FIELD();
	call->symbol = NEXT_FIELD();
	call->funcname = NEXT_FIELD();
	call->nargs = atoi(NEXT_FIELD());
	call->strict = strcmp(NEXT_FIELD(), "1") == 0;
	call->retset = strcmp(NEXT_FIELD(), "1") == 0;
	{
		char	   *rt = NEXT_FIELD();

		if (strcmp(rt, "void") == 0)
			call->rettype = NULL;
		else if (strcmp(rt, "record") == 0)
		{
			int			ncols = atoi(NEXT_FIELD());

			call->ret_record = true;
			if (ncols < 0 || ncols > FUNC_MAX_ARGS)
				goto bad;
			if (ncols > 0)
			{
				call->ret_desc = CreateTemplateTupleDesc(ncols);
				for (int i = 0; i < ncols; i++)
				{
					char	   *colname = NEXT_FIELD();
					const BgwTypeInfo *ct = bgw_type_lookup(NEXT_FIELD());

					if (ct == NULL)
						goto bad;
					TupleDescInitEntry(call->ret_desc, i + 1, colname, ct->oid, -1,
									   ct->elem_oid != InvalidOid ? 1 : 0);
				}
			}
		}
		else if ((call->rettype = bgw_type_lookup(rt)) == NULL)
			goto bad;
	}
	if (call->nargs < 0 || call->nargs > FUNC_MAX_ARGS)
		goto bad;
	call->argtypes = palloc0(sizeof(BgwTypeInfo *) * (call->nargs + 1));
	call->argvalues = palloc0(sizeof(char *) * (call->nargs + 1));
	for (int i = 0; i < call->nargs; i++)
	{
		char	   *flag;

		call->argtypes[i] = bgw_type_lookup(NEXT_FIELD());
		if (call->argtypes[i] == NULL)
			goto bad;
		flag = NEXT_FIELD();
		if (flag[0] == 'v')
			call->argvalues[i] = flag + 1;
		else if (flag[0] != 'n')
			goto bad;
	}
	return call;

bad:
	ereport(FATAL,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("invalid call message from the supervisor")));
	return NULL;
#undef NEXT_FIELD
}

/* ---- signals ---- */

/* SIGINT: cancel the call at the next CHECK_FOR_INTERRUPTS(). */
static void
session_cancel_handler(SIGNAL_ARGS)
{
	int			save_errno = errno;

	if (!proc_exit_inprogress)
	{
		InterruptPending = true;
		QueryCancelPending = true;
	}
	if (MyLatch)
		SetLatch(MyLatch);
	errno = save_errno;
}

/* ---- the call ---- */

/* The V1 record the function's pg_finfo_ symbol returns, checked. */
const Pg_finfo_record *
fetch_finfo_record(void *filehandle, const char *funcname)
{
	char	   *infofuncname = psprintf("pg_finfo_%s", funcname);
	PGFInfoFunction infofunc;
	const Pg_finfo_record *inforec;

	infofunc = (PGFInfoFunction) lookup_external_function(filehandle, infofuncname);
	if (infofunc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not find function information for function \"%s\"",
						funcname),
				 errhint("SQL-callable functions need an accompanying PG_FUNCTION_INFO_V1(funcname).")));
	inforec = (*infofunc) ();
	if (inforec == NULL || inforec->api_version != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized API version %d reported by info function \"%s\"",
						inforec ? inforec->api_version : 0, infofuncname)));
	pfree(infofuncname);
	return inforec;
}

static void
send_result(SessionCall *call, Datum value, bool isnull, TupleDesc tupdesc)
{
	if (isnull)
	{
		send_value(true, NULL);
		return;
	}
	if (call->ret_record)
	{
		send_value(false, bgw_record_output(tupdesc, value));
		return;
	}
	send_value(false, bgw_type_output(call->rettype, value));
}

/* The name of a type for messages. */
static const char *
type_name(Oid typid)
{
	const BgwTypeInfo *t = bgw_type_by_oid(typid);

	return t ? t->sqlname : psprintf("%u", typid);
}

/*
 * A materialize-mode function's rows must have the columns the call
 * expects, as PostgreSQL checks a set-returning function's tuplestore.
 */
static void
check_set_desc(TupleDesc expected, TupleDesc got)
{
	if (expected->natts != got->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("function return row and query-specified return row do not match"),
				 errdetail_plural("Returned row contains %d attribute, but query expects %d.",
								  "Returned row contains %d attributes, but query expects %d.",
								  got->natts, got->natts, expected->natts)));
	for (int i = 0; i < expected->natts; i++)
	{
		Oid			want = TupleDescAttr(expected, i)->atttypid;
		Oid			have = TupleDescAttr(got, i)->atttypid;

		if (want != have)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("function return row and query-specified return row do not match"),
					 errdetail("Returned type %s at ordinal position %d, but query expects %s.",
							   type_name(have), i + 1, type_name(want))));
	}
}

/*
 * Send the rows of a materialize-mode function's tuplestore, one row per
 * message as for value per call: a record in its text form, or the one
 * column of a scalar result.
 */
static void
send_materialized(SessionCall *call, ReturnSetInfo *rsinfo, TupleDesc expected)
{
	TupleDesc	desc = rsinfo->setDesc;
	HeapTuple	tuple;
	MemoryContext rowcxt = rsinfo->econtext->ecxt_per_tuple_memory;

	if (rsinfo->setResult == NULL)
		return;					/* no rows */
	if (desc != NULL && expected != NULL)
		check_set_desc(expected, desc);
	if (desc == NULL)
		desc = expected;
	if (desc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning setof record called in context that cannot accept type record")));

	while ((tuple = bgw_tuplestore_next(rsinfo->setResult)) != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(rowcxt);
		Datum	   *values = palloc(sizeof(Datum) * Max(desc->natts, 1));
		bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, desc, values, nulls);
		if (call->ret_record)
		{
			HeapTuple	row = heap_form_tuple(desc, values, nulls);

			send_value(false, bgw_record_output(desc, HeapTupleGetDatum(row)));
		}
		else if (desc->natts < 1 || nulls[0])
			send_value(true, NULL);
		else
			send_value(false, bgw_type_output(call->rettype, values[0]));
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
}

/*
 * Run the call in CurrentMemoryContext (the per-query context) and send
 * the result rows.  The function runs in a per-tuple context that is
 * reset after each row.  ERROR escapes to the caller's handler.
 */
static void
run_call(SessionCall *call)
{
	void	   *filehandle = NULL;
	PGFunction	fn;
	FunctionCallInfo fcinfo;
	FmgrInfo   *flinfo;
	bool		anynull = false;
	ReturnSetInfo rsinfo;
	ExprContext *econtext;
	TupleDesc	expected = call->ret_desc;
	MemoryContext querycxt = CurrentMemoryContext;

	pgstat_report_activity(STATE_RUNNING, call->funcname);

	fn = (PGFunction) load_external_function(call->library, call->symbol, true,
											 &filehandle);
	(void) fetch_finfo_record(filehandle, call->symbol);

	flinfo = palloc0(sizeof(FmgrInfo));
	flinfo->fn_addr = fn;
	flinfo->fn_oid = InvalidOid;
	flinfo->fn_nargs = call->nargs;
	flinfo->fn_strict = call->strict;
	flinfo->fn_retset = call->retset;
	flinfo->fn_mcxt = querycxt;

	econtext = palloc0(sizeof(ExprContext));
	econtext->type = T_ExprContext;
	econtext->ecxt_per_query_memory = querycxt;
	econtext->ecxt_per_tuple_memory = AllocSetContextCreate(querycxt, "ExprContext",
															ALLOCSET_DEFAULT_SIZES);

	/* a set of a scalar type: its rows have one column */
	if (call->retset && !call->ret_record && call->rettype != NULL)
	{
		expected = CreateTemplateTupleDesc(1);
		TupleDescInitEntry(expected, 1, call->funcname, call->rettype->oid, -1,
						   call->rettype->elem_oid != InvalidOid ? 1 : 0);
	}

	fcinfo = palloc0(SizeForFunctionCallInfo(call->nargs));
	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = econtext;
	/* a set may come either way; a single value only per call */
	rsinfo.allowedModes = call->retset ? (SFRM_ValuePerCall | SFRM_Materialize) :
		SFRM_ValuePerCall;
	rsinfo.returnMode = SFRM_ValuePerCall;
	rsinfo.expectedDesc = expected;
	InitFunctionCallInfoData(*fcinfo, flinfo, call->nargs, InvalidOid, NULL,
							 call->retset || call->ret_record ? (void *) &rsinfo : NULL);
	bgw_set_call_result(call->ret_record ? RECORDOID :
						call->rettype ? call->rettype->oid : VOIDOID,
						call->ret_desc);

	for (int i = 0; i < call->nargs; i++)
	{
		if (call->argvalues[i] == NULL)
		{
			fcinfo->args[i].isnull = true;
			fcinfo->args[i].value = (Datum) 0;
			anynull = true;
		}
		else
		{
			fcinfo->args[i].isnull = false;
			fcinfo->args[i].value = bgw_type_input(call->argtypes[i],
												   call->argvalues[i]);
		}
	}

	/* a strict function is not called with a NULL argument */
	if (call->strict && anynull)
	{
		if (!call->retset && (call->rettype != NULL || call->ret_record))
			send_value(true, NULL);
		return;
	}

	MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	if (!call->retset)
	{
		Datum		result;

		fcinfo->isnull = false;
		result = FunctionCallInvoke(fcinfo);
		if (rsinfo.returnMode != SFRM_ValuePerCall)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("set-valued function called in context that cannot accept a set")));
		if (call->rettype != NULL || call->ret_record)
			send_result(call, result, fcinfo->isnull, call->ret_desc);
		MemoryContextSwitchTo(querycxt);
		return;
	}

	/* value per call until the function says it is done, or materialize */
	for (;;)
	{
		Datum		result;

		CHECK_FOR_INTERRUPTS();
		fcinfo->isnull = false;
		rsinfo.isDone = ExprSingleResult;
		result = FunctionCallInvoke(fcinfo);
		if (rsinfo.returnMode == SFRM_Materialize)
		{
			if (rsinfo.isDone != ExprSingleResult)
				ereport(ERROR,
						(errcode(ERRCODE_E_R_I_E_SRF_PROTOCOL_VIOLATED),
						 errmsg("table-function protocol for materialize mode was not followed")));
			MemoryContextSwitchTo(querycxt);
			send_materialized(call, &rsinfo, expected);
			break;
		}
		if (rsinfo.returnMode != SFRM_ValuePerCall)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_SRF_PROTOCOL_VIOLATED),
					 errmsg("unrecognized table-function returnMode: %d",
							(int) rsinfo.returnMode)));
		if (rsinfo.isDone == ExprEndResult)
			break;
		send_result(call, result, fcinfo->isnull, call->ret_desc);
		if (rsinfo.isDone != ExprMultipleResult)
			break;
		MemoryContextReset(econtext->ecxt_per_tuple_memory);
	}
	MemoryContextSwitchTo(querycxt);
}

/*
 * The call's "transaction": a resource owner and TopTransactionContext
 * (made once, emptied after each call).
 */
static void
begin_call(void)
{
	TopTransactionResourceOwner = ResourceOwnerCreate(NULL, "TopTransaction");
	CurTransactionResourceOwner = TopTransactionResourceOwner;
	CurrentResourceOwner = TopTransactionResourceOwner;
	CurTransactionContext = TopTransactionContext;
}

/*
 * End the call's "transaction": release what it left (on commit, with
 * PostgreSQL's warnings for dynamic shared memory still owned; pinned
 * mappings stay), then forget its memory and its result type.
 */
static void
end_call(bool isCommit)
{
	ResourceOwner owner = TopTransactionResourceOwner;

	MemoryContextSwitchTo(TopMemoryContext);
	if (owner != NULL)
	{
		ResourceOwnerRelease(owner, RESOURCE_RELEASE_BEFORE_LOCKS, isCommit, true);
		ResourceOwnerRelease(owner, RESOURCE_RELEASE_LOCKS, isCommit, true);
		ResourceOwnerRelease(owner, RESOURCE_RELEASE_AFTER_LOCKS, isCommit, true);
		CurrentResourceOwner = NULL;
		CurTransactionResourceOwner = NULL;
		TopTransactionResourceOwner = NULL;
		ResourceOwnerDelete(owner);
	}
	bgw_set_call_result(InvalidOid, NULL);
	MemoryContextReset(TopTransactionContext);
}

/*
 * Internal entry point of a session (library "postgres").  Runs in the
 * forked child, attached to the segment through its slot.  Like a
 * backend's main loop: read a call, run it, report, and wait for the next
 * one until the supervisor closes the connection (a one-call connection
 * closes it after the first).  Static variables of the modules, loaded
 * libraries and pinned mappings live until the session ends.
 */
void
bgw_session_main(Datum main_arg)
{
	sigjmp_buf	local_sigjmp_buf;
	char		sockpath[BGW_EXTRALEN + 1];
	SessionCall *call;
	MemoryContext messagecxt;
	volatile bool aborting = false;

	/* a backend, not a background worker */
	memcpy(sockpath, MyBgworkerEntry->bgw_extra, BGW_EXTRALEN);
	sockpath[BGW_EXTRALEN] = '\0';
	MyBackendType = B_BACKEND;
	MyBgworkerEntry = NULL;

	pqsignal(SIGINT, session_cancel_handler);
	pqsignal(SIGTERM, die);
	pqsignal(SIGUSR1, procsignal_sigusr1_handler);
	BackgroundWorkerUnblockSignals();

	connect_to_supervisor(sockpath);
	bgw_client_message_hook = session_client_message;

	messagecxt = AllocSetContextCreate(TopMemoryContext, "MessageContext",
									   ALLOCSET_DEFAULT_SIZES);
	TopTransactionContext = AllocSetContextCreate(TopMemoryContext,
												  "TopTransactionContext",
												  ALLOCSET_DEFAULT_SIZES);

	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
	{
		/* the call failed: report it, then abort the "transaction" */
		error_context_stack = NULL;
		HOLD_INTERRUPTS();
		QueryCancelPending = false;
		if (aborting)
			proc_exit(1);		/* an error while cleaning up after one */
		aborting = true;
		EmitErrorReport();
		FlushErrorState();
		end_call(false);
		client_send('Z', "", 0);
		aborting = false;
		RESUME_INTERRUPTS();
	}
	PG_exception_stack = &local_sigjmp_buf;

	for (;;)
	{
		MemoryContext callcxt;

		MemoryContextSwitchTo(TopMemoryContext);
		MemoryContextReset(messagecxt);
		pgstat_report_activity(STATE_IDLE, NULL);
		if (client_lost)
			break;
		MemoryContextSwitchTo(messagecxt);
		call = read_call();
		if (call == NULL)
			break;
		init_ps_display(call->funcname);

		begin_call();
		callcxt = AllocSetContextCreate(TopTransactionContext, "ExecutorState",
										ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(callcxt);
		run_call(call);

		/* "commit": what the call left behind is released, with a warning */
		end_call(true);
		client_send('Z', "", 0);
	}
	proc_exit(0);
}

/* The runtime's own entry points for "postgres" registrations. */
bgworker_main_type
bgw_core_entry_point(const char *name)
{
	if (strcmp(name, "bgw_session_main") == 0)
		return bgw_session_main;
	return NULL;
}
