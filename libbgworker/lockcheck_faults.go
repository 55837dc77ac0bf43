//go:build bgworker_faults

package libbgworker

// This file exists only in test builds (-tags bgworker_faults): it takes
// the interval of the lock file recheck from BGWORKER_LOCK_RECHECK (a Go
// duration such as "100ms"), so that tests of a removed data directory
// need not wait a minute. A bad value ends the program at once.

import (
	"fmt"
	"os"
	"time"
)

func init() {
	v := os.Getenv("BGWORKER_LOCK_RECHECK")
	if v == "" {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		fmt.Fprintf(os.Stderr, "bgworker: BGWORKER_LOCK_RECHECK: invalid duration \"%s\"\n", v)
		os.Exit(2)
	}
	lockRecheckInterval = d
}
