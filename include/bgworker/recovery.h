/*-------------------------------------------------------------------------
 *
 * recovery.h
 *	  bgworker's recovery hook (not in PostgreSQL): a module that keeps
 *	  durable state of its own may recover it before the host declares the
 *	  consistent state.
 *
 *	  Chain the hook from _PG_init():
 *
 *		static bgw_recovery_hook_type prev_recovery_hook;
 *		...
 *		prev_recovery_hook = bgw_recovery_hook;
 *		bgw_recovery_hook = my_recovery;
 *
 *	  and call prev_recovery_hook (if set) from my_recovery.  The hook runs
 *	  in the host's "startup" child process, attached to shared memory,
 *	  once per start and after every crash cycle; standby is true when the
 *	  data directory holds standby.signal.  Returning ends the startup
 *	  child with exit code 0; an ERROR or FATAL inside it ends it with 1,
 *	  which the host treats as a failed start.  PostmasterStart workers may
 *	  already run; ConsistentState and RecoveryFinished workers start only
 *	  after the hook returned.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGWORKER_RECOVERY_H
#define BGWORKER_RECOVERY_H

typedef void (*bgw_recovery_hook_type) (bool standby);
extern PGDLLIMPORT bgw_recovery_hook_type bgw_recovery_hook;

#endif							/* BGWORKER_RECOVERY_H */
