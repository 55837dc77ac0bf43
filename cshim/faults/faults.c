/*-------------------------------------------------------------------------
 *
 * faults.c
 *	  Fault injection on the C side (reliability area): the clone failure
 *	  plan the fork server consults before each clone.  See faults_int.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "faults_int.h"

BgwCloneFault bgw_clone_fault;

/* Clones seen by this fork server (each fork server starts from zero). */
static int	clone_calls;

/*
 * Fork server only, before a clone.  Not async-signal-safe (it need not
 * be: the fork server is single-threaded and calls it from its loop).
 */
int
bgw_clone_fault_check(void)
{
	int			n;

	if (bgw_clone_fault.errno_ == 0)
		return 0;
	n = ++clone_calls;
	if (n < bgw_clone_fault.from)
		return 0;
	if (bgw_clone_fault.count > 0 &&
		n >= bgw_clone_fault.from + bgw_clone_fault.count)
		return 0;
	return bgw_clone_fault.errno_;
}
