/*-------------------------------------------------------------------------
 *
 * ps_status.h
 *	  The process title a bgworker child shows in ps and /proc/PID/cmdline
 *	  (PostgreSQL 17 names).
 *
 *	  A worker's title is "bgworker: <bgw_name>", or
 *	  "bgworker: <cluster_name>: <bgw_name>" when cluster_name is set;
 *	  set_ps_display() appends " <activity>".  In the host process these
 *	  functions do nothing: the host's own argv must stay intact.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PS_STATUS_H
#define PS_STATUS_H

#include <stddef.h>

/* GUC update_process_title: false turns set_ps_display() into a no-op. */
extern PGDLLIMPORT bool update_process_title;

extern void init_ps_display(const char *fixed_part);
extern void set_ps_display_suffix(const char *suffix);
extern void set_ps_display_remove_suffix(void);
extern void set_ps_display_with_len(const char *activity, size_t len);
extern void set_ps_display(const char *activity);
extern const char *get_ps_display(int *displen);

#endif							/* PS_STATUS_H */
