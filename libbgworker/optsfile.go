package libbgworker

// This file holds DIR/bgworker.opts, the command line the running host was
// started with (as PostgreSQL's postmaster.opts): written by the supervisor
// once it holds the lock file, read by `bgworker restart` to start the host
// again the same way. Supervisor (write) or CLI (read); no C.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// OptsFileName is the file inside the data directory.
const OptsFileName = "bgworker.opts"

// quoteOptsWord quotes one word for bgworker.opts: double quotes, with "
// and \ escaped (what the CLI's word splitter reads back).
func quoteOptsWord(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// writeOptsFile records how this host was started: the program, then the
// host options (-c name=value, --allow-root) as quoted words on one line.
// A failure is logged by the caller's choice; it only costs restart the
// options. Supervisor, after the lock file is ours.
func writeOptsFile(dir string, opts Options) error {
	prog, err := os.Executable()
	if err != nil {
		prog = opts.Program
	}
	words := []string{quoteOptsWord(prog), quoteOptsWord("start"), quoteOptsWord("-D"), quoteOptsWord(dir)}
	for _, s := range opts.Settings {
		words = append(words, quoteOptsWord("-c"), quoteOptsWord(s[0]+"="+s[1]))
	}
	if opts.AllowRoot {
		words = append(words, quoteOptsWord("--allow-root"))
	}
	return replaceFile(filepath.Join(dir, OptsFileName), []byte(strings.Join(words, " ")+"\n"))
}

// ReadOptsFile returns the host options recorded in DIR/bgworker.opts (the
// words after "start -D DIR"), or none when there is no such file. CLI.
func ReadOptsFile(dir string) ([]string, error) {
	path := filepath.Join(dir, OptsFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("could not read file \"%s\": %s", path, errnoText(err))
	}
	words, err := splitOptsWords(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("file \"%s\" is corrupt: %v", path, err)
	}
	if len(words) > 0 {
		words = words[1:] // the program
	}
	var out []string
	for i := 0; i < len(words); i++ {
		switch words[i] {
		case "start":
		case "-D":
			i++
		default:
			out = append(out, words[i])
		}
	}
	return out, nil
}

// splitOptsWords reads back what quoteOptsWord wrote: double-quoted words
// with \" and \\ escapes, separated by blanks.
func splitOptsWords(s string) ([]string, error) {
	var words []string
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ', '\t':
			i++
			continue
		case '"':
		default:
			return nil, fmt.Errorf("unquoted word at offset %d", i)
		}
		var b strings.Builder
		i++
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, errors.New("unterminated quoted word")
		}
		i++
		words = append(words, b.String())
	}
	return words, nil
}

// ErrnoText is the text PostgreSQL prints for err's errno (strerror's,
// "Permission denied"), for the CLI's messages.
func ErrnoText(err error) string { return errnoText(err) }
