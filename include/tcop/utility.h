/*-------------------------------------------------------------------------
 *
 * utility.h
 *	  PostgreSQL's tcop/utility.h declares the hook into the execution of
 *	  utility statements (ProcessUtility_hook).  bgworker executes no
 *	  statement itself (a worker's SQL runs on its database server), so
 *	  the header only keeps PostgreSQL's include chain: modules that
 *	  include it (worker_spi does) compile.
 *
 *-------------------------------------------------------------------------
 */
#ifndef UTILITY_H
#define UTILITY_H

/* PostgreSQL 17's include chain: tcopprot.h, and through it utils/guc.h. */
#include "tcop/tcopprot.h"

#endif							/* UTILITY_H */
