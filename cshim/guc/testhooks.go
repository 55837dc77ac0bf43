//go:build bgworker_testhooks

package guc

// This file exists only in test builds (-tags bgworker_testhooks): it
// compiles the area's test hooks (guc_testsupport.c and the
// BGW_TEST_HOOKS parts of guc.c and guc_file.c), which the product never
// contains.

/*
#cgo CFLAGS: -DBGW_TEST_HOOKS
*/
import "C"
