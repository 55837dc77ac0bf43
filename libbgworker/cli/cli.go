// Package cli is bgworker's command line: the commands of the bgworker
// binary (init, start, stop, restart, reload, logrotate, promote, status,
// check, launch, terminate, config, version), shared by cmd/bgworker and
// by libbgworker.so's bgworker_main(), so that an embedder gets the same
// commands and options. The server-control commands follow pg_ctl: its
// options, messages and exit statuses.
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bgworker/bgworker/libbgworker"
	"github.com/bgworker/bgworker/libbgworker/buildinfo"
)

const usage = `%[1]s runs C background workers written for PostgreSQL's bgworker API.

Usage:
  %[1]s init      -D DIR
  %[1]s start     -D DIR [-l FILE] [-w | -W] [-t SECS] [-s] [-o OPTIONS] [-c NAME=VALUE]...
  %[1]s stop      -D DIR [-m MODE] [-w | -W] [-t SECS] [-s]
  %[1]s restart   -D DIR [-m MODE] [-w | -W] [-t SECS] [-s] [-l FILE] [-o OPTIONS]
  %[1]s reload    -D DIR [-s]
  %[1]s logrotate -D DIR [-s]
  %[1]s promote   -D DIR [-s]
  %[1]s status    -D DIR [--json] [--summary] [--history [NAME]]
  %[1]s check     -D DIR [-c NAME=VALUE]...
  %[1]s launch    -D DIR --library L --function F [OPTION]...
  %[1]s terminate -D DIR (--pid P | --name N | --slot S)
  %[1]s call      -D DIR [--extension NAME] [--null STR] FUNCTION [ARG ...]
  %[1]s config    [--cppflags|--cflags|--pgxs|--pkglibdir|--sharedir|...]
  %[1]s version

"%[1]s COMMAND --help" lists the options of one command. Without -l, -w,
-W or -t, start runs the host in the foreground (for a service manager);
with any of them it starts it in the background, as pg_ctl does.
The data directory can also be given as $BGDATA.

Signals to a running host: SIGTERM smart stop, SIGINT fast stop,
SIGQUIT immediate stop, SIGHUP reload.
`

// Options several commands share, with pg_ctl's letters and long names.
var (
	optPgdata   = option{"D", "pgdata", "DIR", "data directory (default: $BGDATA)"}
	optSilent   = option{"s", "silent", "", "print only errors, no informational messages"}
	optWait     = option{"w", "wait", "", "wait until the operation completes (the default)"}
	optNoWait   = option{"W", "no-wait", "", "do not wait until the operation completes"}
	optTimeout  = option{"t", "timeout", "SECS", "seconds to wait when waiting (default 60)"}
	optMode     = option{"m", "mode", "MODE", "shutdown mode: smart, fast or immediate (default fast)"}
	optLog      = option{"l", "log", "FILE", "append the host's log to FILE (starts it in the background)"}
	optOptions  = option{"o", "options", "OPTIONS", "options for the host, as \"-c name=value ...\""}
	optSetting  = option{"c", "", "NAME=VALUE", "set a parameter (repeatable)"}
	optAllowRot = option{"", "allow-root", "", "permit running as root"}
)

// command is one verb of the command line.
type command struct {
	name     string
	synopsis string   // after the program and command name, for --help
	summary  string   // one sentence for --help
	opts     []option // every option it takes
	operands int      // how many operands it takes at most (0: none, -1: any)
	// stopAtOperand: everything from the first operand on is an operand
	// (call's arguments may look like options: -5).
	stopAtOperand bool
	run           func(c *invocation) int
}

// invocation is one run of a command: its parsed arguments and streams.
type invocation struct {
	prog   string
	cmd    *command
	p      *parsed
	stdout io.Writer
	stderr io.Writer
}

// dataDir is -D/--pgdata, else $BGDATA.
func (c *invocation) dataDir() string { return c.p.str("pgdata", os.Getenv("BGDATA")) }

// silent reports -s/--silent.
func (c *invocation) silent() bool { return c.p.has("silent") }

// info prints an informational message unless silenced, at once (pg_ctl's
// print_msg: the dots of a wait must appear as they come).
func (c *invocation) info(format string, args ...any) {
	if c.silent() {
		return
	}
	fmt.Fprintf(c.stdout, format, args...)
	flush(c.stdout)
}

// errorf prints "prog: message" on stderr and returns 1.
func (c *invocation) errorf(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "%s: %s\n", c.prog, fmt.Sprintf(format, args...))
	flush(c.stderr)
	return 1
}

// fail prints err as errorf does.
func (c *invocation) fail(err error) int { return c.errorf("%v", err) }

// requireDataDir returns the data directory, or prints pg_ctl's complaint.
func (c *invocation) requireDataDir() (string, bool) {
	d := c.dataDir()
	if d == "" {
		c.errorf("no data directory specified")
		fmt.Fprintf(c.stderr, "Specify the data directory with -D or --pgdata, or set $BGDATA.\n")
		return "", false
	}
	return d, true
}

// accessibleDataDir is requireDataDir, made absolute and checked as
// pg_ctl checks it (checkDataDir); on a problem it prints it and returns
// false.
func (c *invocation) accessibleDataDir() (string, bool) {
	dir, ok := c.requireDataDir()
	if !ok {
		return "", false
	}
	abs, err := checkDataDir(dir)
	if err != nil {
		c.fail(err)
		return "", false
	}
	return abs, true
}

// flush flushes w if it buffers.
func flush(w io.Writer) {
	if f, ok := w.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}

// commands is every command, in the order of the usage text.
var commands []*command

func init() {
	commands = []*command{
		{name: "init", synopsis: "-D DIR", summary: "Create a data directory.",
			opts: []option{optPgdata}, run: runInit},
		{name: "start", synopsis: "[OPTION]...",
			summary: "Run the host: in the foreground, or with -l, -w, -W or -t in the background (pg_ctl start).",
			opts:    []option{optPgdata, optLog, optWait, optNoWait, optTimeout, optSilent, optOptions, optSetting, optAllowRot},
			run:     runStart},
		{name: "stop", synopsis: "[OPTION]...", summary: "Shut the host down.",
			opts: []option{optPgdata, optMode, optWait, optNoWait, optTimeout, optSilent}, run: runStop},
		{name: "restart", synopsis: "[OPTION]...",
			summary: "Shut the host down and start it again in the background, with the options it ran with unless -o is given.",
			opts:    []option{optPgdata, optMode, optWait, optNoWait, optTimeout, optSilent, optLog, optOptions}, run: runRestart},
		{name: "reload", synopsis: "[OPTION]...", summary: "Make the host re-read its configuration (SIGHUP) and say whether it applied it.",
			opts: []option{optPgdata, optSilent}, run: runReload},
		{name: "logrotate", synopsis: "[OPTION]...", summary: "Make the logging collector switch to a new log file.",
			opts: []option{optPgdata, optSilent}, run: runLogrotate},
		{name: "promote", synopsis: "[OPTION]...", summary: "Make a standby host leave standby mode.",
			opts: []option{optPgdata, optSilent}, run: runPromote},
		{name: "status", synopsis: "[OPTION]... [NAME]",
			summary: "Show the host and its workers. Exit status 0: running; 3: not running; 4: no accessible data directory.",
			opts: []option{optPgdata,
				{"", "json", "", "print JSON for programs (with each worker's history)"},
				{"", "summary", "", "only the host and how many workers are in each state"},
				{"", "history", "", "each worker's last exits and failed starts (of the workers named NAME)"}},
			operands: 1, run: runStatus},
		{name: "check", synopsis: "[OPTION]...",
			summary: "Read the configuration as start would, load the preload libraries in a throw-away process, and report every problem.",
			opts:    []option{optPgdata, optSetting, optSilent}, run: runCheck},
		{name: "launch", synopsis: "--library L --function F [OPTION]...", summary: "Start a dynamic worker.",
			opts: launchOptions, run: runLaunch},
		{name: "terminate", synopsis: "(--pid P | --name N | --slot S) [OPTION]...", summary: "Stop workers for good.",
			opts: []option{optPgdata,
				{"", "pid", "P", "the worker with this pid"},
				{"", "name", "N", "the workers with this bgw_name"},
				{"", "slot", "S", "the worker in this slot"}},
			run: runTerminate},
		{name: "call", synopsis: "[OPTION]... (FUNCTION [ARG ...] | --file FILE)",
			summary: "Run an installed extension's C function in a session and print its result as psql would (ARG \\N is NULL).",
			opts: []option{optPgdata,
				{"", "extension", "NAME", "look the function up in this extension only"},
				{"", "null", "STR", "the argument that stands for SQL NULL, printed for NULL results (default \\N)"},
				{"", "stdin", "N", "insert standard input as argument N (1-based), for values too long for a command line"},
				{"f", "file", "FILE", "run the calls in FILE (- for standard input), one per line (FUNCTION [ARG ...]), in one session"},
				{"v", "verbose", "", "also print the script statements that were skipped"}},
			operands: -1, stopAtOperand: true, run: runCall},
	}
}

// Main runs one command; args[0] is the program name. It returns the
// process exit status.
//
// Output goes through one buffer per stream, flushed when the command
// returns (and by messages that must appear at once, such as the dots of
// a wait): os.Stdout and os.Stderr are unbuffered, and the status table
// (text/tabwriter writes cell by cell) would otherwise cost a write()
// per cell and per padding, tens of thousands with thousands of workers.
// A foreground start writes nothing to them before it runs the host (the
// host logs to file descriptor 2 itself).
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
		return 1
	}
	name, rest := args[1], args[2:]
	switch name {
	case "help", "-h", "--help", "-?":
		fmt.Fprintf(stdout, usage, prog)
		return 0
	case "version", "--version", "-V":
		for _, a := range rest {
			if a == "--help" || a == "-h" || a == "-?" {
				fmt.Fprintf(stdout, "%s version prints the version.\n\nUsage:\n  %s version\n", prog, prog)
				return 0
			}
		}
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "%s: too many command-line arguments (first is \"%s\")\n", prog, rest[0])
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", buildinfo.VersionString())
		return 0
	case "config":
		return buildinfo.ConfigMain(prog+" config", rest, stdout, stderr)
	case checkChildCommand:
		return runCheckProcess(rest, stdout)
	}
	var cmd *command
	for _, c := range commands {
		if c.name == name {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "%s: unrecognized operation mode \"%s\"\n", prog, name)
		fmt.Fprintf(stderr, "Try \"%s --help\" for more information.\n", prog)
		return 1
	}
	p, err := parseOptionsStop(cmd.opts, rest, cmd.stopAtOperand)
	if err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, name, err)
		fmt.Fprintf(stderr, "Try \"%s %s --help\" for more information.\n", prog, name)
		return 1
	}
	if p.has("help") {
		fmt.Fprintf(stdout, "%s %s: %s\n\nUsage:\n  %s %s %s\n\nOptions:\n", prog, name, cmd.summary, prog, name, cmd.synopsis)
		printOptions(stdout, cmd.opts)
		return 0
	}
	if cmd.operands >= 0 && len(p.args) > cmd.operands {
		fmt.Fprintf(stderr, "%s %s: too many command-line arguments (first is \"%s\")\n", prog, name, p.args[cmd.operands])
		fmt.Fprintf(stderr, "Try \"%s %s --help\" for more information.\n", prog, name)
		return 1
	}
	return cmd.run(&invocation{prog: prog, cmd: cmd, p: p, stdout: stdout, stderr: stderr})
}

// runInit is `bgworker init`.
func runInit(c *invocation) int {
	dir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	if err := libbgworker.InitDataDir(dir); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "Success. You can now start the host using:\n\n    %s start -D %s\n", c.prog, dir)
	return 0
}

// settingsFrom turns -c values into name/value pairs, as the host takes
// them ("-" in a name is "_", as PostgreSQL's -c).
func settingsFrom(values []string) ([][2]string, error) {
	var out [][2]string
	for _, v := range values {
		name, value, ok := strings.Cut(v, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("-c %s requires a value", v)
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out, nil
}

// hostOptions parses an -o string (or the words of bgworker.opts): -c
// name=value, --name=value and --allow-root, as the host's own command line
// takes them.
func hostOptions(words []string) (settings [][2]string, allowRoot bool, err error) {
	var cs []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--allow-root":
			allowRoot = true
		case w == "-c":
			if i+1 >= len(words) {
				return nil, false, errors.New("option -c requires an argument")
			}
			i++
			cs = append(cs, words[i])
		case strings.HasPrefix(w, "-c"):
			cs = append(cs, w[2:])
		case strings.HasPrefix(w, "--") && strings.Contains(w, "="):
			cs = append(cs, w[2:])
		default:
			return nil, false, fmt.Errorf("invalid host option \"%s\": use -c name=value", w)
		}
	}
	settings, err = settingsFrom(cs)
	return settings, allowRoot, err
}
