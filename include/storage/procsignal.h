/*-------------------------------------------------------------------------
 *
 * procsignal.h
 *	  bgworker's subset of PostgreSQL's storage/procsignal.h: the SIGUSR1
 *	  handler a process installs so that the notifications it is sent
 *	  (a background worker it registered started or stopped) set its
 *	  latch.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PROCSIGNAL_H
#define PROCSIGNAL_H

#include "c.h"

/* SIGUSR1 handler: sets MyLatch. */
extern void procsignal_sigusr1_handler(SIGNAL_ARGS);

#endif							/* PROCSIGNAL_H */
