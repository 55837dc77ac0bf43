//go:build bgworker_faults

package libbgworker

// This file exists only in test builds (-tags bgworker_faults): it fills
// the fault-injection table from BGWORKER_FAULTS at program start. A bad
// spec ends the program at once, so that a test never runs without the
// faults it asked for.

import (
	"fmt"
	"os"
)

func init() {
	spec := os.Getenv("BGWORKER_FAULTS")
	if spec == "" {
		return
	}
	if err := setFaults(spec); err != nil {
		fmt.Fprintf(os.Stderr, "bgworker: BGWORKER_FAULTS: %v\n", err)
		os.Exit(2)
	}
}
