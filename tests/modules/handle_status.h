/*
 * handle_status.h
 *	  Test modules' shared helper: the name of a BgwHandleStatus, as their
 *	  log lines (which the tests match) spell it.  Include after
 *	  postmaster/bgworker.h.
 */
#ifndef TESTS_HANDLE_STATUS_H
#define TESTS_HANDLE_STATUS_H

static inline const char *
status_name(BgwHandleStatus st)
{
	switch (st)
	{
		case BGWH_STARTED:
			return "STARTED";
		case BGWH_NOT_YET_STARTED:
			return "NOT_YET_STARTED";
		case BGWH_STOPPED:
			return "STOPPED";
		case BGWH_POSTMASTER_DIED:
			return "POSTMASTER_DIED";
	}
	return "?";
}

#endif							/* TESTS_HANDLE_STATUS_H */
