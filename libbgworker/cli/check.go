package cli

// This file holds `bgworker check` and the report of `bgworker reload`:
// both print configuration problems as the host logs them, with the file
// and line of the setting. CLI process; the check's loading of modules
// happens in a throw-away process (libbgworker.CheckConfig).

import (
	"fmt"
	"io"

	"github.com/bgworker/bgworker/libbgworker"
)

// printProblem writes one problem as the log would show it, with the file
// and line of the setting appended when the message does not name them.
func printProblem(w io.Writer, level, msg, detail, hint, file string, line int) {
	if file != "" {
		msg = fmt.Sprintf("%s in file \"%s\" line %d", msg, file, line)
	}
	fmt.Fprintf(w, "%s:  %s\n", level, msg)
	if detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", detail)
	}
	if hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", hint)
	}
}

// reportReload prints what the host made of the configuration file: 0 if
// it applied all of it, 1 (with the problems) if it contains errors.
func (c *invocation) reportReload(res *libbgworker.ReloadResult) int {
	if res == nil {
		return 0 // signalled without the control socket: the outcome is unknown
	}
	switch res.Outcome {
	case libbgworker.ReloadApplied:
		if len(res.Changes) == 0 {
			c.info("configuration file \"%s\" applied; no parameter changed\n", res.File)
		} else {
			c.info("configuration file \"%s\" applied:\n", res.File)
			for _, ch := range res.Changes {
				c.info("  %s\n", ch)
			}
		}
		return 0
	case libbgworker.ReloadPartly:
		for _, ch := range res.Changes {
			c.info("  %s\n", ch)
		}
		c.errorf("configuration file \"%s\" contains errors; unaffected changes were applied", res.File)
	default:
		c.errorf("configuration file \"%s\" contains errors; no changes were applied", res.File)
	}
	for _, p := range res.Problems {
		printProblem(c.stderr, p.Level, p.Message, p.Detail, p.Hint, p.File, p.Line)
	}
	return 1
}

// runCheck is `bgworker check`.
func runCheck(c *invocation) int {
	return c.errorf("not implemented")
}
