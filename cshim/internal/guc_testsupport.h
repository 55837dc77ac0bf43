/*-------------------------------------------------------------------------
 *
 * guc_testsupport.h
 *	  Test hooks of the guc area (guc/guc_testsupport.c and the
 *	  BGW_TEST_HOOKS parts of guc.c and guc_file.c), used only by the Go
 *	  tests through guc_testsupport.go.  Compiled only with the
 *	  bgworker_testhooks build tag (guc/testhooks.go).
 *
 *-------------------------------------------------------------------------
 */
#ifndef GUC_TESTSUPPORT_H
#define GUC_TESTSUPPORT_H

#include "postgres.h"

/*
 * For tests and the fuzz target (in guc_file.c): parse a file (no
 * settings applied) and return the number of entries and the first error
 * message in errbuf (empty if none).  Any process.
 */
extern int	bgw_guc_parse_for_test(const char *path, int *nerrors,
								   char *errbuf, size_t errlen);

/*
 * For tests (in guc.c): forget every setting and module parameter and
 * return the registry to its state before bgw_guc_load (host parameters at
 * their boot values).  Supervisor only.
 */
extern void bgw_guc_reset_for_test(void);

enum
{
	BGW_GUC_TEST_BOOL,
	BGW_GUC_TEST_INT,
	BGW_GUC_TEST_REAL,
	BGW_GUC_TEST_STRING,
	BGW_GUC_TEST_ENUM,			/* values red=1, green=2, blue=3, grey=2 (hidden) */
};

/*
 * Define a module parameter as _PG_init would (preload: as if loading
 * shared_preload_libraries; hooks: for ints, a check hook rejecting 13 with
 * a DETAIL and HINT, and an assign hook counting calls).  Returns the
 * storage slot, or -1 with "message|detail|hint" in errbuf.
 */
extern int	bgw_guc_test_define(int kind, const char *name, int context, int flags,
								const char *boot, int min, int max, bool preload,
								bool hooks, char *errbuf, size_t errlen);
extern const char *bgw_guc_test_variable(int kind, int slot, char *buf, size_t len);
extern int	bgw_guc_test_assign_calls(void);

/* set_config_option at ERROR; -2 with "message|detail|hint" if it threw. */
extern int	bgw_guc_test_set(const char *name, const char *value, int context,
							 int source, char *errbuf, size_t errlen);
extern bool bgw_guc_test_show(const char *name, char *buf, size_t len);
extern bool bgw_guc_test_reset_string(const char *name, char *buf, size_t len);
extern void bgw_guc_test_reserve(const char *prefix);

/* ProcessConfigFile(PGC_SIGHUP), as the supervisor or as a child. */
extern void bgw_guc_test_reload(bool as_child);

/* Start capturing log reports (clears the capture), or stop. */
extern void bgw_guc_test_capture_log(bool on);
extern const char *bgw_guc_test_log(void);

/* Forget everything: back to the host parameters at their boot values. */
extern void bgw_guc_test_reset(void);

#endif							/* GUC_TESTSUPPORT_H */
