/*-------------------------------------------------------------------------
 *
 * faults_int.h
 *	  Fault injection on the C side (reliability area): the fork server's
 *	  clone can be made to fail, so that tests see the supervisor's
 *	  handling of a fork failure.  Inert unless the supervisor sets it,
 *	  which only a binary built with the bgworker_faults tag does
 *	  (libbgworker/faults_enabled.go).
 *
 *-------------------------------------------------------------------------
 */
#ifndef BGW_FAULTS_INT_H
#define BGW_FAULTS_INT_H

/*
 * Clone failure plan, set by the supervisor before it forks the fork
 * server (the fork server inherits it).  When errno_ is non-zero, clone
 * calls number from, from+1, ... (1-based, counted per fork server, the
 * startup child included) fail with that errno; count limits how many
 * fail (0 = every one from then on).
 */
typedef struct BgwCloneFault
{
	int			errno_;
	int			from;
	int			count;
} BgwCloneFault;

extern BgwCloneFault bgw_clone_fault;

/* Fork server: should this clone fail?  Returns the errno, or 0. */
extern int	bgw_clone_fault_check(void);

#endif							/* BGW_FAULTS_INT_H */
