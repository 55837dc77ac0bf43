package cli

// This file is the command line's option parser: getopt's conventions as
// pg_ctl uses them (-D DIR, -DDIR, --pgdata=DIR, --pgdata DIR, -- ends the
// options), one table of options per command, from which that command's
// --help is printed (one line per option). The standard flag package was
// not used: it prints two lines per flag, knows no short and long names
// for one option, and its errors are Go's own sentences. CLI process; no C.

import (
	"fmt"
	"io"
	"strings"
)

// option is one option a command takes.
type option struct {
	short string // one letter ("D"), or "" for a long option only
	long  string // long name ("pgdata"), or "" for a short option only
	arg   string // the argument's name in --help ("DIR"); "" for a switch
	help  string // one line for --help
}

// key names an option in the parsed result: its long name, else its
// short one.
func (o option) key() string {
	if o.long != "" {
		return o.long
	}
	return o.short
}

// spelling is how --help shows the option: "-D, --pgdata=DIR".
func (o option) spelling() string {
	var s string
	switch {
	case o.short != "" && o.long != "":
		s = "-" + o.short + ", --" + o.long
	case o.short != "":
		s = "-" + o.short
	default:
		s = "    --" + o.long
	}
	if o.arg != "" {
		if o.long != "" {
			s += "=" + o.arg
		} else {
			s += " " + o.arg
		}
	}
	return s
}

// parsed is the result of parsing one command's arguments.
type parsed struct {
	vals map[string][]string // option key -> values in order ("" for a switch)
	args []string            // operands, in order
}

// has reports whether the option was given.
func (p *parsed) has(key string) bool { _, ok := p.vals[key]; return ok }

// str is the last value given for the option, or def.
func (p *parsed) str(key, def string) string {
	if v := p.vals[key]; len(v) > 0 {
		return v[len(v)-1]
	}
	return def
}

// all is every value given for a repeatable option.
func (p *parsed) all(key string) []string { return p.vals[key] }

// usageError is a problem with the command line; the caller prints it with
// a hint to --help and exits 1, as pg_ctl does.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseOptions parses args against opts. "-h", "--help" and "-?" are
// always accepted (key "help"). Operands are collected; an option after an
// operand is still an option, as with GNU getopt.
func parseOptions(opts []option, args []string) (*parsed, error) {
	return parseOptionsStop(opts, args, false)
}

// parseOptionsStop is parseOptions; with stop, the first operand ends the
// options and everything after it is an operand too.
func parseOptionsStop(opts []option, args []string, stop bool) (*parsed, error) {
	p := &parsed{vals: map[string][]string{}}
	find := func(short, long string) (option, bool) {
		for _, o := range opts {
			if (short != "" && o.short == short) || (long != "" && o.long == long) {
				return o, true
			}
		}
		return option{}, false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			p.args = append(p.args, args[i+1:]...)
			return p, nil
		case a == "-h" || a == "--help" || a == "-?":
			p.vals["help"] = append(p.vals["help"], "")
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			o, ok := find("", name)
			if !ok {
				return nil, &usageError{fmt.Sprintf("unrecognized option \"%s\"", a)}
			}
			if o.arg == "" {
				if hasVal {
					return nil, &usageError{fmt.Sprintf("option \"--%s\" takes no argument", name)}
				}
				p.vals[o.key()] = append(p.vals[o.key()], "")
				continue
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, &usageError{fmt.Sprintf("option \"--%s\" requires an argument", name)}
				}
				i++
				val = args[i]
			}
			p.vals[o.key()] = append(p.vals[o.key()], val)
		case len(a) > 1 && a[0] == '-':
			// A cluster of short options: -sw, or -DDIR.
			for j := 1; j < len(a); j++ {
				o, ok := find(a[j:j+1], "")
				if !ok {
					return nil, &usageError{fmt.Sprintf("invalid option -- '%s'", a[j:j+1])}
				}
				if o.arg == "" {
					p.vals[o.key()] = append(p.vals[o.key()], "")
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, &usageError{fmt.Sprintf("option requires an argument -- '%s'", o.short)}
					}
					i++
					val = args[i]
				}
				p.vals[o.key()] = append(p.vals[o.key()], val)
				break
			}
		default:
			if stop {
				p.args = append(p.args, args[i:]...)
				return p, nil
			}
			p.args = append(p.args, a)
		}
	}
	return p, nil
}

// printOptions writes one line per option, aligned, then the help line.
func printOptions(w io.Writer, opts []option) {
	width := len("-?, --help")
	for _, o := range opts {
		width = max(width, len(o.spelling()))
	}
	for _, o := range opts {
		fmt.Fprintf(w, "  %-*s  %s\n", width, o.spelling(), o.help)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "-?, --help", "show this help, then exit")
}

// splitWords splits an options string (-o "...", bgworker.opts) into
// words as a POSIX shell would for plain words: blanks separate them,
// single quotes keep everything, double quotes keep everything but a
// backslash before " or \, a backslash outside quotes escapes the next
// character.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quoted string in \"%s\"", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated quoted string in \"%s\"", s)
			}
		case c == '\\' && i+1 < len(s):
			inWord = true
			i++
			cur.WriteByte(s[i])
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
