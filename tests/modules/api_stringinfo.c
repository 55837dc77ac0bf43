/*-------------------------------------------------------------------------
 *
 * api_stringinfo.c
 *	  Proof module for lib/stringinfo.h: a background worker that builds
 *	  strings with every StringInfo function, beyond the initial buffer size,
 *	  and logs "api_stringinfo: ..." lines with the lengths and contents it
 *	  got, for tests/api_test.go.  Exits with code 0 when done.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
PGDLLEXPORT void api_stringinfo_main(Datum main_arg);

void
_PG_init(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, sizeof(worker.bgw_library_name), "api_stringinfo");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "api_stringinfo_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "api_stringinfo");
	snprintf(worker.bgw_type, BGW_MAXLEN, "api_stringinfo");
	RegisterBackgroundWorker(&worker);
}

void
api_stringinfo_main(Datum main_arg)
{
	StringInfo	buf;
	StringInfoData local;
	uint32		sum = 0;
	int			i;
	const char	bin[4] = {'a', '\0', 'b', '\0'};

	BackgroundWorkerUnblockSignals();

	buf = makeStringInfo();
	appendStringInfo(buf, "%s=%d", "x", 1);
	appendStringInfoChar(buf, ',');
	appendStringInfoString(buf, "y=2");
	appendStringInfoSpaces(buf, 3);
	appendStringInfoCharMacro(buf, '|');
	elog(LOG, "api_stringinfo: small \"%s\" len=%d", buf->data, buf->len);

	/* grow far past the initial 1 kB with formatted output */
	resetStringInfo(buf);
	for (i = 0; i < 1000; i++)
		appendStringInfo(buf, "%04d;", i);
	for (i = 0; i < buf->len; i++)
		sum = sum * 31 + (unsigned char) buf->data[i];
	elog(LOG, "api_stringinfo: grown len=%d terminated=%s tail=\"%s\" sum=%u",
		 buf->len, buf->data[buf->len] == '\0' ? "yes" : "no",
		 buf->data + buf->len - 5, sum);

	/* one format bigger than the buffer at once */
	resetStringInfo(buf);
	appendStringInfo(buf, "%5000s|", "right");
	elog(LOG, "api_stringinfo: wide len=%d last=%c", buf->len, buf->data[buf->len - 1]);

	initStringInfo(&local);
	appendBinaryStringInfo(&local, bin, sizeof(bin));
	enlargeStringInfo(&local, 100000);
	elog(LOG, "api_stringinfo: binary len=%d byte2=%c maxlen>=100005=%s",
		 local.len, local.data[2], local.maxlen >= 100005 ? "yes" : "no");
	pfree(local.data);

#if PG_VERSION_NUM >= 170000
	destroyStringInfo(buf);
#else
	pfree(buf->data);
	pfree(buf);
#endif
	elog(LOG, "api_stringinfo: done");
	proc_exit(0);
}
