//go:build bgworker_testhooks

package cshim

// This file exists only in test builds (-tags bgworker_testhooks): C probe
// functions that the tests enter through bgw_call_protected to drive the
// error trampoline through real ereport(ERROR/FATAL) paths, and direct
// setters the tests use instead of the configuration area.

/*
#include <stdlib.h>
#include "bgw_internal.h"
#include "utils/memutils.h"

// Probes for the tests: each is a module-like function entered through
// bgw_call_protected.
static int elog_probe_calls;

static void elog_probe_ok(void)
{
	elog_probe_calls++;
}

static void elog_probe_error(void)
{
	elog_probe_calls++;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("probe failed: %d", 7),
			 errdetail("Probe detail."),
			 errhint("Probe hint.")));
}

static void elog_probe_fatal(void)
{
	elog_probe_calls++;
	ereport(FATAL, (errmsg("probe fatal")));
}

// An ERROR caught by the module's own PG_TRY does not escape.
static void elog_probe_caught(void)
{
	MemoryContext mcxt = CurrentMemoryContext;

	elog_probe_calls++;
	PG_TRY();
	{
		elog(ERROR, "caught inside");
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(mcxt);
		FlushErrorState();
	}
	PG_END_TRY();
}

static const char elog_probe_data[] = "magic";

static const void *elog_probe_ptr(void)
{
	return elog_probe_data;
}

static const void *elog_probe_ptr_error(void)
{
	elog(ERROR, "no magic here");
	return NULL;
}

static uintptr_t elog_probe_addr(int which)
{
	switch (which)
	{
		case 0: return (uintptr_t) elog_probe_ok;
		case 1: return (uintptr_t) elog_probe_error;
		case 2: return (uintptr_t) elog_probe_fatal;
		case 3: return (uintptr_t) elog_probe_caught;
		case 4: return (uintptr_t) elog_probe_ptr;
		case 5: return (uintptr_t) elog_probe_ptr_error;
	}
	return 0;
}

static int elog_probe_count(void)
{
	return elog_probe_calls;
}

static int elog_error_stack_clean(void)
{
	return PG_exception_stack == NULL && error_context_stack == NULL &&
		CurrentMemoryContext != ErrorContext;
}

static void elog_set_log_params(int min_level, const char *prefix, int dest)
{
	log_min_messages = min_level;
	Log_line_prefix = prefix ? strdup(prefix) : NULL;
	Log_destination = dest;
}
*/
import "C"

import "unsafe"

// elogProbe returns the address of test probe n (see the C preamble).
func elogProbe(n int) uintptr { return uintptr(C.elog_probe_addr(C.int(n))) }

// elogProbeCalls counts the probe calls so far.
func elogProbeCalls() int { return int(C.elog_probe_count()) }

// elogStateClean reports whether no handler, context callback or
// ErrorContext switch leaked out of a protected call.
func elogStateClean() bool { return C.elog_error_stack_clean() != 0 }

// elogSetLogParams sets the logging parameters directly (tests only; the
// configuration area owns them in the real supervisor).
func elogSetLogParams(minLevel int, prefix string, dest int) {
	cp := C.CString(prefix)
	defer C.free(unsafe.Pointer(cp))
	C.elog_set_log_params(C.int(minLevel), cp, C.int(dest))
}
