// Package cli is bgworker's command line: the commands of the bgworker
// binary (init, start, stop, reload, promote, status, config, version),
// shared by cmd/bgworker and by libbgworker.so's bgworker_main(), so that
// an embedder gets the same commands and flags.
package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bgworker/bgworker/libbgworker"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

const usage = `%[1]s runs C background workers written for PostgreSQL's bgworker API.

Usage:
  %[1]s init -D DIR                      create a data directory
  %[1]s start -D DIR [-c NAME=VALUE]... [--allow-root]
                                         run the host in the foreground
  %[1]s stop -D DIR [-m smart|fast|immediate] [--no-wait] [-t SECS]
  %[1]s reload -D DIR                    re-read the configuration (SIGHUP)
  %[1]s promote -D DIR                   leave standby mode
  %[1]s status -D DIR [--json] [--summary]
                                         show the host and its workers (with
                                         --summary, only how many per state)
  %[1]s launch -D DIR --library L --function F [--name N] [--type T]
         [--arg INT] [--restart-time SECS|never] [--flags shmem,...]
         [--start-time postmaster-start|consistent|recovery-finished]
         [--extra TEXT] [--wait] [-t SECS]
                                         start a dynamic worker
  %[1]s terminate -D DIR (--pid P | --name N | --slot S)
                                         stop workers for good
  %[1]s config [--cppflags|--cflags|--pgxs|--pkglibdir|--sharedir|...]
  %[1]s version

Signals to a running host: SIGTERM smart stop, SIGINT fast stop,
SIGQUIT immediate stop, SIGHUP reload. The data directory can also be
given as $BGDATA.
`

// settings collects repeated -c name=value flags.
type settings [][2]string

func (s *settings) String() string { return fmt.Sprint(*s) }
func (s *settings) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("-c %s requires a value (use -c name=value)", v)
	}
	*s = append(*s, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	return nil
}

// Main runs one command; args[0] is the program name. It returns the
// process exit status.
//
// Output goes through one buffer per stream, flushed when the command
// returns: os.Stdout and os.Stderr are unbuffered, and the status table
// (text/tabwriter writes cell by cell) would otherwise cost a write()
// per cell and per padding, tens of thousands with thousands of workers.
// Every command prints only after it has done its work, so nothing waits
// in the buffers (start writes nothing to them before it runs the host;
// the host logs to file descriptor 2 itself).
func Main(args []string) int {
	stdout := bufio.NewWriterSize(os.Stdout, 64<<10)
	stderr := bufio.NewWriter(os.Stderr)
	code := run(args, stdout, stderr)
	// Errors from a closed stdout are dropped, as before buffering.
	_ = stdout.Flush()
	_ = stderr.Flush()
	return code
}

func run(args []string, stdout, stderr io.Writer) int {
	prog := "bgworker"
	if len(args) > 0 && args[0] != "" {
		prog = filepath.Base(args[0])
	}
	if len(args) < 2 {
		fmt.Fprintf(stderr, usage, prog)
		return 2
	}
	cmd, rest := args[1], args[2:]
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	fset := flag.NewFlagSet(prog+" "+cmd, flag.ContinueOnError)
	fset.SetOutput(stderr)
	dataDir := fset.String("D", os.Getenv("BGDATA"), "data directory")
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprintf(stdout, usage, prog)
		return 0
	case "version", "--version", "-V":
		fmt.Fprintf(stdout, "%s\n", buildinfo.VersionString())
		return 0
	case "config":
		return buildinfo.ConfigMain(prog+" config", rest, stdout, stderr)
	case "init":
		if err := fset.Parse(rest); err != nil {
			return 2
		}
		if err := libbgworker.InitDataDir(*dataDir); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Success. You can now start the host using:\n\n    %s start -D %s\n", prog, *dataDir)
		return 0
	case "start":
		var opts settings
		fset.Var(&opts, "c", "set a parameter: -c name=value (repeatable)")
		allowRoot := fset.Bool("allow-root", false, "permit running as root")
		if err := fset.Parse(rest); err != nil {
			return 2
		}
		if fset.NArg() > 0 {
			return fail(fmt.Errorf("unexpected argument \"%s\"", fset.Arg(0)))
		}
		return libbgworker.Run(libbgworker.Options{DataDir: *dataDir, Settings: opts,
			AllowRoot: *allowRoot, Program: prog})
	case "stop":
		mode := fset.String("m", libbgworker.ModeFast, "shutdown mode: smart, fast or immediate")
		noWait := fset.Bool("no-wait", false, "do not wait for the host to exit")
		secs := fset.Int("t", 60, "seconds to wait")
		if err := fset.Parse(rest); err != nil {
			return 2
		}
		if err := libbgworker.StopHost(*dataDir, expandMode(*mode), !*noWait, time.Duration(*secs)*time.Second); err != nil {
			return fail(err)
		}
		if !*noWait {
			fmt.Fprintln(stdout, "server stopped")
		}
		return 0
	case "launch":
		return launch(fset, rest, dataDir, stdout, fail)
	case "terminate":
		return terminate(fset, rest, dataDir, stdout, fail)
	case "reload", "promote", "status":
		jsonOut := fset.Bool("json", false, "status: print JSON for programs")
		summary := fset.Bool("summary", false, "status: the host and how many workers are in each state, without the table")
		if err := fset.Parse(rest); err != nil {
			return 2
		}
		if *dataDir == "" {
			return fail(errors.New("no data directory specified (use -D DIR)"))
		}
		switch cmd {
		case "reload":
			if err := libbgworker.ReloadHost(*dataDir); err != nil {
				return fail(err)
			}
			fmt.Fprintln(stdout, "server signaled")
		case "promote":
			if err := libbgworker.PromoteHost(*dataDir); err != nil {
				return fail(err)
			}
			fmt.Fprintln(stdout, "server promoting")
		case "status":
			return status(*dataDir, *jsonOut, *summary, stdout, stderr, prog)
		}
		return 0
	}
	fmt.Fprintf(stderr, "%s: unknown command \"%s\"\n", prog, cmd)
	fmt.Fprintf(stderr, usage, prog)
	return 2
}

// expandMode accepts pg_ctl's one-letter abbreviations.
func expandMode(m string) string {
	switch m {
	case "s":
		return libbgworker.ModeSmart
	case "f":
		return libbgworker.ModeFast
	case "i":
		return libbgworker.ModeImmediate
	}
	return m
}
