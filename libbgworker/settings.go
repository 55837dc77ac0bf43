package libbgworker

// This file holds the supervisor's reading of its own settings that are
// not PostgreSQL's (sigkill_timeout, ...) and what it records at start for
// the command line (bgworker.opts). Postmaster goroutine.

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/bgworker/bgworker/cshim"
)

// sigkillTimeout is the sigkill_timeout setting: how long children get to
// exit after SIGTERM or SIGQUIT before the supervisor sends SIGKILL.
// Read when a deadline is computed (only while a shutdown or a crash cycle
// waits for children), so a reload takes effect at the next computation.
func sigkillTimeout() time.Duration {
	if n := cshim.ConfigInt("sigkill_timeout"); n > 0 {
		return time.Duration(n) * time.Second
	}
	return killStragglersAfter
}

// recordOpts writes bgworker.opts; a failure costs only restart's
// knowledge of the options, so it is a WARNING.
func (p *postmaster) recordOpts() {
	if err := writeOptsFile(p.dataDir, p.opts); err != nil {
		cshim.Log(cshim.LevelWarning, fmt.Sprintf("could not write file \"%s\": %s",
			filepath.Join(p.dataDir, OptsFileName), errnoText(err)), "", "")
	}
}
