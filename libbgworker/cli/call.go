package cli

// This file implements `bgworker call`: run a module's SQL-callable
// function in a session of the running host and print what psql would
// print for SELECT f(...): the result in text form on stdout (nothing for
// void, one line per row for SETOF), NOTICE/INFO/WARNING on stderr as the
// session raises them and the ERROR at the end, with their DETAIL, HINT
// and CONTEXT lines. With --file, the calls of a file, one per line, run
// in one session. Ctrl-C cancels the call in progress. No C.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/bgworker/bgworker/libbgworker"
)

// defaultNullMarker is the argument that stands for SQL NULL (as in
// COPY's text format) unless --null names another.
const defaultNullMarker = `\N`

// callOutput prints calls' results and messages. Its stderr is shared with
// the Ctrl-C goroutine, hence the lock; messages are flushed at once.
type callOutput struct {
	stdout  io.Writer
	mu      sync.Mutex
	stderr  io.Writer
	null    string
	verbose bool
}

func (o *callOutput) message(m libbgworker.CallMessage) {
	o.mu.Lock()
	defer o.mu.Unlock()
	printMessage(o.stderr, m)
	flush(o.stderr)
}

func (o *callOutput) line(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintln(o.stderr, s)
	flush(o.stderr)
}

// reply prints one call's reply and returns its exit status: 0, 1 for an
// ERROR, 2 when the session could not run or was lost (FATAL).
func (o *callOutput) reply(rep *libbgworker.ControlReply) (int, error) {
	res := rep.Call
	if res != nil {
		if o.verbose {
			for _, n := range res.Notes {
				o.line("NOTE:  " + n)
			}
		}
		for _, n := range res.Notices {
			o.message(n)
		}
	}
	if !rep.OK {
		if res != nil && res.Error != nil {
			o.message(*res.Error)
			if res.Error.Severity == "FATAL" || res.Error.Severity == "PANIC" {
				return 2, nil
			}
			return 1, nil
		}
		return 1, errors.New(rep.Error)
	}
	if res != nil && res.Returns != "void" {
		for _, row := range res.Rows {
			switch {
			case row != nil:
				fmt.Fprintln(o.stdout, *row)
			case o.null != defaultNullMarker:
				fmt.Fprintln(o.stdout, o.null)
			default:
				fmt.Fprintln(o.stdout)
			}
		}
	}
	flush(o.stdout)
	return 0, nil
}

// runCall is `bgworker call`.
func runCall(c *invocation) int {
	dataDir, ok := c.requireDataDir()
	if !ok {
		return 1
	}
	out := &callOutput{stdout: c.stdout, stderr: c.stderr,
		null: c.p.str("null", defaultNullMarker), verbose: c.p.has("verbose")}
	stdinArg := 0
	if c.p.has("stdin") {
		n, err := strconv.Atoi(c.p.str("stdin", ""))
		if err != nil || n < 1 {
			return c.errorf("invalid --stdin \"%s\": an argument number (1-based) is required", c.p.str("stdin", ""))
		}
		stdinArg = n
	}
	file := c.p.str("file", "")
	switch {
	case c.p.has("file") && len(c.p.args) > 0:
		return c.fail(fmt.Errorf("--file takes the calls from the file: no FUNCTION on the command line (first is \"%s\")", c.p.args[0]))
	case c.p.has("file") && stdinArg > 0:
		return c.fail(errors.New("--stdin cannot be used with --file"))
	case !c.p.has("file") && len(c.p.args) == 0:
		return c.fail(errors.New("no function specified: bgworker call -D DIR FUNCTION [ARG ...]"))
	}
	ext := c.p.str("extension", "")

	cancel := make(chan struct{}, 1)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			out.line("Cancel request sent")
			select {
			case cancel <- struct{}{}:
			default:
			}
		}
	}()

	cc, err := libbgworker.DialCall(dataDir)
	if err != nil {
		return c.fail(err)
	}
	defer cc.Close()
	call := func(spec libbgworker.CallSpec) int {
		// a Ctrl-C before this call is not for it
		select {
		case <-cancel:
		default:
		}
		rep, err := cc.Call(spec, cancel, out.message)
		if err != nil {
			var m *libbgworker.CallMessage
			if errors.As(err, &m) {
				out.message(*m)
				return 2
			}
			return c.fail(err)
		}
		code, err := out.reply(rep)
		if err != nil {
			return c.fail(err)
		}
		return code
	}

	if file == "" {
		literals := append([]string(nil), c.p.args[1:]...)
		if stdinArg > 0 {
			// the value read is inserted as argument N
			if stdinArg > len(literals)+1 {
				return c.fail(fmt.Errorf("--stdin %d: only %d arguments are given", stdinArg, len(literals)))
			}
			data, err := io.ReadAll(os.Stdin)
			if err != nil {
				return c.fail(fmt.Errorf("could not read standard input: %v", err))
			}
			literals = append(literals[:stdinArg-1], append([]string{string(data)}, literals[stdinArg-1:]...)...)
		}
		spec := libbgworker.CallSpec{Function: c.p.args[0], Extension: ext}
		for i, a := range literals {
			if a == out.null && i != stdinArg-1 {
				spec.Args = append(spec.Args, nil)
				continue
			}
			v := a
			spec.Args = append(spec.Args, &v)
		}
		return call(spec)
	}

	// --file: one call per line, all in one session
	in := io.Reader(os.Stdin)
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return c.fail(fmt.Errorf("could not open file \"%s\" for reading: %v", file, err))
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), libbgworker.MaxCallRequest)
	status := 0
	for lineno := 1; sc.Scan(); lineno++ {
		words, err := splitCallLine(sc.Text(), out.null)
		if err != nil {
			out.line(fmt.Sprintf("%s:%d: %v", file, lineno, err))
			status = 1
			continue
		}
		if len(words) == 0 || words[0] == nil {
			continue // empty, a comment, or no function name
		}
		spec := libbgworker.CallSpec{Function: *words[0], Extension: ext, Args: words[1:], Keep: true}
		switch code := call(spec); code {
		case 0:
		case 1:
			status = 1 // as psql goes on after an error
		default:
			return code // the session is gone
		}
	}
	if err := sc.Err(); err != nil {
		return c.fail(fmt.Errorf("could not read file \"%s\": %v", file, err))
	}
	return status
}

// splitCallLine splits one line of a --file into its words: the function
// and its arguments, separated by blanks. A word may be quoted: '...'
// literally, "..." with \" and \\ for a quote and a backslash. An unquoted
// word equal to null is SQL NULL (nil). A line starting with # and a blank
// line have no words.
func splitCallLine(line, null string) ([]*string, error) {
	var words []*string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++
		}
		if i >= len(line) || (len(words) == 0 && line[i] == '#') {
			return words, nil
		}
		var b strings.Builder
		quoted := false
		for i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' {
			switch q := line[i]; q {
			case '\'':
				end := strings.IndexByte(line[i+1:], '\'')
				if end < 0 {
					return nil, errors.New("unterminated quoted string")
				}
				b.WriteString(line[i+1 : i+1+end])
				i += end + 2
				quoted = true
			case '"':
				i++
				for {
					if i >= len(line) {
						return nil, errors.New("unterminated quoted string")
					}
					if line[i] == '"' {
						i++
						break
					}
					if line[i] == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\') {
						i++
					}
					b.WriteByte(line[i])
					i++
				}
				quoted = true
			default:
				b.WriteByte(q)
				i++
			}
		}
		w := b.String()
		if !quoted && w == null {
			words = append(words, nil)
		} else {
			words = append(words, &w)
		}
	}
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
