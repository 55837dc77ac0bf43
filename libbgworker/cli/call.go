package cli

// This file implements `bgworker call`: run a module's SQL-callable
// function in a session of the running host and print what psql would
// print for SELECT f(...): the result in text form on stdout (nothing for
// void, one line per row for SETOF), NOTICE/INFO/WARNING and the ERROR on
// stderr with their DETAIL, HINT and CONTEXT lines. Ctrl-C cancels the
// call. No C.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/bgworker/bgworker/libbgworker"
)

// defaultNullMarker is the argument that stands for SQL NULL (as in
// COPY's text format) unless --null names another.
const defaultNullMarker = `\N`

// runCall is `bgworker call`.
func runCall(c *invocation) int {
	stdout, stderr, fail := c.stdout, c.stderr, c.fail
	dataDir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	null := c.p.str("null", defaultNullMarker)
	verbose := c.p.has("verbose")
	stdinArg := 0
	if c.p.has("stdin") {
		n, err := strconv.Atoi(c.p.str("stdin", ""))
		if err != nil || n < 1 {
			return c.errorf("invalid --stdin \"%s\": an argument number (1-based) is required", c.p.str("stdin", ""))
		}
		stdinArg = n
	}
	if len(c.p.args) == 0 {
		return fail(errors.New("no function specified: bgworker call -D DIR FUNCTION [ARG ...]"))
	}
	ext := c.p.str("extension", "")
	args := c.p.args
	spec := libbgworker.CallSpec{Function: args[0], Extension: ext}
	literals := append([]string(nil), args[1:]...)
	if stdinArg > 0 {
		// the value read is inserted as argument N
		if stdinArg > len(literals)+1 {
			return fail(fmt.Errorf("--stdin %d: only %d arguments are given", stdinArg, len(literals)))
		}
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fail(fmt.Errorf("could not read standard input: %v", err))
		}
		literals = append(literals[:stdinArg-1], append([]string{string(data)}, literals[stdinArg-1:]...)...)
	}
	for i, a := range literals {
		if a == null && i != stdinArg-1 {
			spec.Args = append(spec.Args, nil)
			continue
		}
		v := a
		spec.Args = append(spec.Args, &v)
	}

	cancel := make(chan struct{}, 1)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			fmt.Fprintln(stderr, "Cancel request sent")
			select {
			case cancel <- struct{}{}:
			default:
			}
		}
	}()

	rep, err := libbgworker.CallFunction(dataDir, spec, cancel)
	if err != nil {
		var m *libbgworker.CallMessage
		if errors.As(err, &m) {
			printMessage(stderr, *m)
			return 2
		}
		return fail(err)
	}
	res := rep.Call
	if res != nil {
		if verbose {
			for _, n := range res.Notes {
				fmt.Fprintf(stderr, "NOTE:  %s\n", n)
			}
		}
		for _, n := range res.Notices {
			printMessage(stderr, n)
		}
	}
	if !rep.OK {
		if res != nil && res.Error != nil {
			printMessage(stderr, *res.Error)
			if res.Error.Severity == "FATAL" {
				return 2
			}
			return 1
		}
		return fail(errors.New(rep.Error))
	}
	if res != nil && res.Returns != "void" {
		for _, row := range res.Rows {
			if row == nil {
				if null != defaultNullMarker {
					fmt.Fprintln(stdout, null)
				} else {
					fmt.Fprintln(stdout)
				}
				continue
			}
			fmt.Fprintln(stdout, *row)
		}
	}
	return 0
}

// printMessage prints a message as psql does.
func printMessage(w io.Writer, m libbgworker.CallMessage) {
	fmt.Fprintf(w, "%s:  %s\n", m.Severity, m.Message)
	if m.Detail != "" {
		fmt.Fprintf(w, "DETAIL:  %s\n", m.Detail)
	}
	if m.Hint != "" {
		fmt.Fprintf(w, "HINT:  %s\n", m.Hint)
	}
	if m.Context != "" {
		fmt.Fprintf(w, "CONTEXT:  %s\n", m.Context)
	}
}
