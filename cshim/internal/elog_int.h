/*-------------------------------------------------------------------------
 *
 * elog_int.h
 *	  Internal declarations of the elog area that other runtime files
 *	  (the fork area) and the elog tests use.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ELOG_INT_H
#define ELOG_INT_H

/*
 * The default SIGTERM handler of a worker: FATAL "terminating background
 * worker \"%s\" due to administrator command" from inside the handler.
 * Installed by the fork area in a worker child.
 */
extern void bgworker_die(SIGNAL_ARGS);

#endif							/* ELOG_INT_H */
