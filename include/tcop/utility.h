/*-------------------------------------------------------------------------
 *
 * utility.h
 *	  PostgreSQL's tcop/utility.h declares the hook into the execution of
 *	  utility statements (ProcessUtility_hook).  bgworker executes no
 *	  statement itself (a worker's SQL runs on its database server), so
 *	  the header is empty: it exists so that modules that include it out
 *	  of habit (worker_spi does) compile.
 *
 *-------------------------------------------------------------------------
 */
#ifndef UTILITY_H
#define UTILITY_H

#endif							/* UTILITY_H */
