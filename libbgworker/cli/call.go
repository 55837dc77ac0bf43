package cli

// This file implements `bgworker call`: run a module's SQL-callable
// function in a session of the running host and print what psql would
// print for SELECT f(...): the result in text form on stdout (nothing for
// void, one line per row for SETOF), NOTICE/INFO/WARNING and the ERROR on
// stderr with their DETAIL, HINT and CONTEXT lines. Ctrl-C cancels the
// call. No C.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/bgworker/bgworker/libbgworker"
)

// defaultNullMarker is the argument that stands for SQL NULL (as in
// COPY's text format) unless --null names another.
const defaultNullMarker = `\N`

func call(fset *flag.FlagSet, args []string, dataDir *string, stdout, stderr io.Writer, fail func(error) int) int {
	ext := fset.String("extension", "", "look the function up in this extension only")
	null := fset.String("null", defaultNullMarker, "the argument that stands for SQL NULL; printed for NULL results")
	verbose := fset.Bool("v", false, "also print the script statements that were skipped")
	stdinArg := fset.Int("stdin", 0, "insert standard input as argument N (1-based), for values too long for a command line")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	if *dataDir == "" {
		return fail(errors.New("no data directory specified (use -D DIR)"))
	}
	if fset.NArg() == 0 {
		return fail(errors.New("no function specified: bgworker call -D DIR FUNCTION [ARG ...]"))
	}
	spec := libbgworker.CallSpec{Function: fset.Arg(0), Extension: *ext}
	literals := fset.Args()[1:]
	if *stdinArg > 0 {
		// the value read is inserted as argument N
		if *stdinArg > len(literals)+1 {
			return fail(fmt.Errorf("--stdin %d: only %d arguments are given", *stdinArg, len(literals)))
		}
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fail(fmt.Errorf("could not read standard input: %v", err))
		}
		literals = append(literals[:*stdinArg-1], append([]string{string(data)}, literals[*stdinArg-1:]...)...)
	}
	for i, a := range literals {
		if a == *null && i != *stdinArg-1 {
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

	rep, err := libbgworker.CallFunction(*dataDir, spec, cancel)
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
		if *verbose {
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
				if *null != defaultNullMarker {
					fmt.Fprintln(stdout, *null)
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
