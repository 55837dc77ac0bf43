package libbgworker

// This file finds the C function a `bgworker call` names: it reads the
// installed extensions as PGXS installs them (NAME.control and
// NAME--VERSION.sql in $(bgworker config --sharedir)/extension), takes each
// extension's script at its default_version (directly, or through update
// scripts), and keeps the CREATE FUNCTION ... LANGUAGE C statements with
// PostgreSQL's rules: MODULE_PATHNAME replaced by module_pathname, the
// link symbol defaulting to the function's name, argument modes, names,
// types and DEFAULTs, STRICT, RETURNS [SETOF] type, RETURNS TABLE and OUT
// parameters. Every other statement is skipped with a note. It runs no SQL
// and no module code; any goroutine may call it. No C.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// CallMessage is a message of a call as PostgreSQL reports it: severity
// (ERROR, NOTICE, ...), SQLSTATE and the fields psql prints.
type CallMessage struct {
	Severity string `json:"severity"`
	SQLState string `json:"sqlstate,omitempty"`
	Message  string `json:"message"`
	Detail   string `json:"detail,omitempty"`
	Hint     string `json:"hint,omitempty"`
	Context  string `json:"context,omitempty"`
}

// Error makes a CallMessage an error value.
func (m *CallMessage) Error() string { return m.Message }

// callError is an ERROR with PostgreSQL's SQLSTATE.
func callError(state, detail, hint, format string, args ...any) *CallMessage {
	return &CallMessage{Severity: "ERROR", SQLState: state, Message: fmt.Sprintf(format, args...),
		Detail: detail, Hint: hint}
}

// sqlArg is one declared argument of a function.
type sqlArg struct {
	mode       string // "in", "out", "inout", "variadic"
	name       string
	typ        string // canonical ("int4", "text[]") or as written if unknown
	hasDefault bool
	def        string // the DEFAULT expression, as written
}

// sqlFunction is one CREATE FUNCTION ... LANGUAGE C.
type sqlFunction struct {
	extension string
	name      string
	args      []sqlArg
	returns   string   // canonical type, "void" or "record"
	retset    bool     // SETOF or TABLE
	columns   []sqlArg // of a record result: OUT/INOUT/TABLE columns
	strict    bool
	library   string // object file, MODULE_PATHNAME replaced
	symbol    string // link symbol
}

// inArgs are the arguments a caller passes (IN, INOUT, VARIADIC).
func (f *sqlFunction) inArgs() []sqlArg {
	var in []sqlArg
	for _, a := range f.args {
		if a.mode != "out" {
			in = append(in, a)
		}
	}
	return in
}

// extensionControl is what a control file says.
type extensionControl struct {
	name           string
	path           string
	defaultVersion string
	modulePathname string
	directory      string
}

// extensionDir is where the control files are.
func extensionDir(sharedir string) string { return filepath.Join(sharedir, "extension") }

// readControl parses NAME.control: PostgreSQL's parameter-file syntax,
// name = value, values quoted with single quotes, # comments.
func readControl(dir, name string) (*extensionControl, error) {
	path := filepath.Join(dir, name+".control")
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, callError("0A000",
				fmt.Sprintf("Could not open extension control file \"%s\": %s.", path, errnoText(err)),
				"The extension must first be installed on the system where bgworker is running.",
				"extension \"%s\" is not available", name)
		}
		return nil, callError("58P01", "", "", "could not open extension control file \"%s\": %s", path, errnoText(err))
	}
	c := &extensionControl{name: name, path: path}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, callError("42601", "", "", "syntax error in file \"%s\" line %d, near end of line", path, n+1)
		}
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(val)
		if i := strings.Index(val, "#"); i >= 0 && !strings.HasPrefix(val, "'") {
			val = strings.TrimSpace(val[:i])
		}
		if strings.HasPrefix(val, "'") {
			end := strings.LastIndex(val, "'")
			if end <= 0 {
				return nil, callError("42601", "", "", "syntax error in file \"%s\" line %d, near token \"%s\"", path, n+1, val)
			}
			val = strings.ReplaceAll(val[1:end], "''", "'")
		}
		switch key {
		case "default_version":
			c.defaultVersion = val
		case "module_pathname":
			c.modulePathname = val
		case "directory":
			c.directory = val
		}
	}
	return c, nil
}

// scriptsFor returns the scripts that install c at its default version:
// NAME--V.sql, or a base script and the update scripts leading to V.
func scriptsFor(dir string, c *extensionControl) ([]string, error) {
	if c.defaultVersion == "" {
		return nil, callError("22023", "", "", "version to install must be specified")
	}
	sdir := dir
	if c.directory != "" {
		sdir = c.directory
		if !filepath.IsAbs(sdir) {
			sdir = filepath.Join(filepath.Dir(dir), sdir)
		}
	}
	direct := filepath.Join(sdir, c.name+"--"+c.defaultVersion+".sql")
	if _, err := os.Stat(direct); err == nil {
		return []string{direct}, nil
	}
	// Breadth-first over the update scripts, from any base script.
	entries, _ := os.ReadDir(sdir)
	prefix := c.name + "--"
	bases := map[string]bool{}
	edges := map[string][]string{}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, ".sql") {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(n, prefix), ".sql"), "--")
		switch len(parts) {
		case 1:
			bases[parts[0]] = true
		case 2:
			edges[parts[0]] = append(edges[parts[0]], parts[1])
		}
	}
	var baseList []string
	for b := range bases {
		baseList = append(baseList, b)
	}
	sort.Strings(baseList)
	for _, b := range baseList {
		prev := map[string]string{b: ""}
		queue := []string{b}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			if v == c.defaultVersion {
				var chain []string
				for cur := v; cur != b; cur = prev[cur] {
					chain = append([]string{filepath.Join(sdir, prefix+prev[cur]+"--"+cur+".sql")}, chain...)
				}
				return append([]string{filepath.Join(sdir, prefix+b+".sql")}, chain...), nil
			}
			for _, next := range edges[v] {
				if _, seen := prev[next]; !seen {
					prev[next] = v
					queue = append(queue, next)
				}
			}
		}
	}
	return nil, callError("22023", "", "", "extension \"%s\" has no installation script nor update path for version \"%s\"", c.name, c.defaultVersion)
}

// findFunction looks name up among the installed extensions' C functions
// (only extension if it is not empty). notes collects what was skipped.
// It returns every function of that name, in extension order.
func findFunction(sharedir, extension, name string) (fns []*sqlFunction, notes []string, err error) {
	dir := extensionDir(sharedir)
	var names []string
	if extension != "" {
		names = []string{extension}
	} else {
		entries, rerr := os.ReadDir(dir)
		if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return nil, nil, callError("58P01", "", "", "could not open directory \"%s\": %s", dir, errnoText(rerr))
		}
		for _, e := range entries {
			if n, ok := strings.CutSuffix(e.Name(), ".control"); ok {
				names = append(names, n)
			}
		}
		sort.Strings(names)
	}
	for _, ext := range names {
		c, cerr := readControl(dir, ext)
		if cerr != nil {
			if extension != "" {
				return nil, notes, cerr
			}
			notes = append(notes, cerr.Error())
			continue
		}
		scripts, serr := scriptsFor(dir, c)
		if serr != nil {
			if extension != "" {
				return nil, notes, serr
			}
			notes = append(notes, fmt.Sprintf("extension \"%s\": %s", ext, serr.Error()))
			continue
		}
		byName := map[string]*sqlFunction{}
		var order []string
		for _, script := range scripts {
			data, rerr := os.ReadFile(script)
			if rerr != nil {
				return nil, notes, callError("58P01", "", "", "could not read file \"%s\": %s", script, errnoText(rerr))
			}
			for i, stmt := range splitStatements(stripEcho(string(data))) {
				f, note := parseCreateFunction(stmt)
				if note != "" {
					notes = append(notes, fmt.Sprintf("%s: statement %d: %s", filepath.Base(script), i+1, note))
				}
				if f == nil {
					continue
				}
				f.extension = ext
				if f.library == "MODULE_PATHNAME" {
					if c.modulePathname == "" {
						notes = append(notes, fmt.Sprintf("%s: function %s: MODULE_PATHNAME without module_pathname in %s", filepath.Base(script), f.name, filepath.Base(c.path)))
						continue
					}
					f.library = c.modulePathname
				}
				key := f.name + "(" + strings.Join(argTypes(f.inArgs()), ",") + ")"
				if _, ok := byName[key]; !ok {
					order = append(order, key)
				}
				byName[key] = f // CREATE OR REPLACE in a later script wins
			}
		}
		for _, key := range order {
			if byName[key].name == name {
				fns = append(fns, byName[key])
			}
		}
	}
	return fns, notes, nil
}

func argTypes(args []sqlArg) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a.typ
	}
	return out
}

// stripEcho removes psql's \echo lines, as CREATE EXTENSION does.
func stripEcho(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), `\echo`) {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// splitStatements cuts a script at top-level semicolons, honouring
// comments (-- and nested /* */), 'strings' (E” escapes), "identifiers"
// and $tag$ dollar quotes. Comments are dropped.
func splitStatements(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			cur.WriteByte(' ')
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			depth := 0
			for i < len(s) {
				if s[i] == '/' && i+1 < len(s) && s[i+1] == '*' {
					depth++
					i += 2
				} else if s[i] == '*' && i+1 < len(s) && s[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			cur.WriteByte(' ')
		case c == '\'':
			escape := i > 0 && (s[i-1] == 'E' || s[i-1] == 'e')
			cur.WriteByte(c)
			i++
			for i < len(s) {
				if escape && s[i] == '\\' && i+1 < len(s) {
					cur.WriteString(s[i : i+2])
					i += 2
					continue
				}
				cur.WriteByte(s[i])
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						cur.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
		case c == '"':
			end := len(s)
			if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
				end = i + j + 2
			}
			cur.WriteString(s[i:end])
			i = end
		case c == '$':
			j := i + 1
			for j < len(s) && (s[j] == '_' || unicode.IsLetter(rune(s[j])) || (j > i+1 && unicode.IsDigit(rune(s[j])))) {
				j++
			}
			if j < len(s) && s[j] == '$' {
				tag := s[i : j+1]
				end := strings.Index(s[j+1:], tag)
				if end < 0 {
					end = len(s) - j - 1
				} else {
					end += len(tag)
				}
				cur.WriteString(s[i : j+1+end])
				i = j + 1 + end
			} else {
				cur.WriteByte(c)
				i++
			}
		case c == ';':
			flush()
			i++
		default:
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	return out
}

// token is one lexical token of a statement.
type token struct {
	text   string // as written (quotes kept for strings)
	quoted bool   // a "quoted identifier" (text without quotes)
	str    bool   // a string literal (text is its value)
}

func (t token) is(word string) bool { return !t.quoted && !t.str && strings.EqualFold(t.text, word) }

// tokenize splits a statement into words, strings, identifiers and
// punctuation.
func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\''):
			escape := c != '\''
			if escape {
				i++
			}
			var b strings.Builder
			i++
			for i < len(s) {
				if escape && s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, token{text: b.String(), str: true})
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				j = len(s) - i - 1
			}
			toks = append(toks, token{text: s[i+1 : i+1+j], quoted: true})
			i += j + 2
		case c == '$':
			j := i + 1
			for j < len(s) && s[j] != '$' && (s[j] == '_' || unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			if j < len(s) && s[j] == '$' {
				tag := s[i : j+1]
				end := strings.Index(s[j+1:], tag)
				if end < 0 {
					end = len(s) - j - 1
				}
				toks = append(toks, token{text: s[j+1 : j+1+end], str: true})
				i = j + 1 + end + len(tag)
			} else {
				toks = append(toks, token{text: "$"})
				i++
			}
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			toks = append(toks, token{text: "::"})
			i += 2
		case strings.IndexByte("(),=[]", c) >= 0:
			toks = append(toks, token{text: string(c)})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\r'\"(),=[]:", s[j]) < 0 {
				j++
			}
			if j == i {
				j = i + 1
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks
}

// parseCreateFunction returns the C function stmt creates, or nil and a
// note saying why the statement was skipped ("" for no note).
func parseCreateFunction(stmt string) (*sqlFunction, string) {
	toks := tokenize(stmt)
	i := 0
	first := func() string {
		if len(toks) == 0 {
			return ""
		}
		return strings.ToUpper(toks[0].text)
	}
	if len(toks) < 2 || !toks[0].is("create") {
		return nil, fmt.Sprintf("%s statement ignored", first())
	}
	i = 1
	if i+1 < len(toks) && toks[i].is("or") && toks[i+1].is("replace") {
		i += 2
	}
	if i >= len(toks) || !toks[i].is("function") {
		kind := "CREATE"
		if i < len(toks) {
			kind += " " + strings.ToUpper(toks[i].text)
		}
		return nil, fmt.Sprintf("%s statement ignored", kind)
	}
	i++
	if i >= len(toks) {
		return nil, "CREATE FUNCTION without a name ignored"
	}
	f := &sqlFunction{}
	// name, maybe schema-qualified ("@extschema@.f", "pg_catalog.f")
	name := toks[i].text
	if !toks[i].quoted {
		name = strings.ToLower(name)
	}
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 && !toks[i].quoted {
		name = name[dot+1:]
	}
	f.name = name
	i++
	if i >= len(toks) || toks[i].text != "(" {
		return nil, fmt.Sprintf("CREATE FUNCTION %s without an argument list ignored", f.name)
	}
	// arguments up to the matching ')'
	depth := 0
	start := i + 1
	var argToks [][]token
	for i++; i < len(toks); i++ {
		t := toks[i]
		if !t.str && !t.quoted {
			if t.text == "(" || t.text == "[" {
				depth++
			} else if t.text == "]" {
				depth--
			} else if t.text == ")" {
				if depth == 0 {
					if i > start {
						argToks = append(argToks, toks[start:i])
					}
					i++
					break
				}
				depth--
			} else if t.text == "," && depth == 0 {
				argToks = append(argToks, toks[start:i])
				start = i + 1
			}
		}
	}
	for _, at := range argToks {
		f.args = append(f.args, parseArg(at))
	}
	language := ""
	f.returns = ""
	for i < len(toks) {
		t := toks[i]
		switch {
		case t.is("returns") && i+4 < len(toks) && toks[i+1].is("null") && toks[i+2].is("on"):
			f.strict = true // RETURNS NULL ON NULL INPUT
			i += 5
			continue
		case t.is("returns"):
			i++
			if i < len(toks) && toks[i].is("setof") {
				f.retset = true
				i++
			}
			if i < len(toks) && toks[i].is("table") {
				f.retset = true
				f.returns = "record"
				i++
				if i < len(toks) && toks[i].text == "(" {
					d := 0
					s := i + 1
					for i++; i < len(toks); i++ {
						if toks[i].text == "(" && !toks[i].str {
							d++
						} else if toks[i].text == ")" && !toks[i].str {
							if d == 0 {
								if i > s {
									f.columns = append(f.columns, parseArg(toks[s:i]))
								}
								i++
								break
							}
							d--
						} else if toks[i].text == "," && d == 0 && !toks[i].str {
							f.columns = append(f.columns, parseArg(toks[s:i]))
							s = i + 1
						}
					}
				}
				continue
			}
			var words []token
			for i < len(toks) && !isClauseStart(toks[i]) {
				words = append(words, toks[i])
				i++
			}
			f.returns = normalizeType(words)
			continue
		case t.is("language"):
			if i+1 < len(toks) {
				language = strings.ToLower(toks[i+1].text)
			}
			i += 2
			continue
		case t.is("as"):
			if i+1 < len(toks) && toks[i+1].str {
				f.library = toks[i+1].text
				i += 2
				if i+1 < len(toks) && toks[i].text == "," && toks[i+1].str {
					f.symbol = toks[i+1].text
					i += 2
				}
				continue
			}
		case t.is("strict"):
			f.strict = true
		case t.is("called"):
			f.strict = false // CALLED ON NULL INPUT
		}
		i++
	}
	if language != "c" {
		if language == "" {
			return nil, fmt.Sprintf("CREATE FUNCTION %s without LANGUAGE ignored", f.name)
		}
		return nil, fmt.Sprintf("CREATE FUNCTION %s LANGUAGE %s ignored (only LANGUAGE C functions can be called)", f.name, language)
	}
	if f.library == "" {
		return nil, fmt.Sprintf("CREATE FUNCTION %s LANGUAGE C without AS 'file' ignored", f.name)
	}
	if f.symbol == "" {
		f.symbol = f.name
	}
	// OUT and INOUT parameters make the result
	var outs []sqlArg
	for _, a := range f.args {
		if a.mode == "out" || a.mode == "inout" {
			outs = append(outs, a)
		}
	}
	if len(outs) == 1 && f.returns == "" {
		f.returns = outs[0].typ
	} else if len(outs) > 1 {
		f.returns = "record"
		f.columns = outs
	}
	if f.returns == "" {
		f.returns = "void"
	}
	return f, ""
}

// isClauseStart reports whether t begins a clause after RETURNS type.
func isClauseStart(t token) bool {
	if t.str || t.quoted {
		return true
	}
	for _, w := range []string{"language", "as", "strict", "immutable", "stable", "volatile",
		"called", "returns", "parallel", "cost", "rows", "security", "leakproof", "not",
		"window", "set", "external", "support", "transform", "begin", "return"} {
		if t.is(w) {
			return true
		}
	}
	return false
}

// parseArg reads "[mode] [name] type [DEFAULT expr | = expr]".
func parseArg(toks []token) sqlArg {
	a := sqlArg{mode: "in"}
	for k, t := range toks {
		if t.is("default") || (t.text == "=" && !t.str) {
			a.hasDefault = true
			a.def = joinTokens(toks[k+1:])
			toks = toks[:k]
			break
		}
	}
	if len(toks) > 0 {
		for _, m := range []string{"in", "out", "inout", "variadic"} {
			if toks[0].is(m) && len(toks) > 1 {
				a.mode = m
				toks = toks[1:]
				break
			}
		}
	}
	if len(toks) > 1 {
		// name then type, unless the whole is a type ("double precision")
		if whole := normalizeType(toks); !knownType(whole) || len(toks) > 1 && knownType(normalizeType(toks[1:])) {
			a.name = toks[0].text
			if !toks[0].quoted {
				a.name = strings.ToLower(a.name)
			}
			toks = toks[1:]
			// "name mode type" order
			for _, m := range []string{"in", "out", "inout", "variadic"} {
				if len(toks) > 1 && toks[0].is(m) {
					a.mode = m
					toks = toks[1:]
				}
			}
		}
	}
	a.typ = normalizeType(toks)
	return a
}

func joinTokens(toks []token) string {
	var parts []string
	for _, t := range toks {
		switch {
		case t.str:
			parts = append(parts, "'"+strings.ReplaceAll(t.text, "'", "''")+"'")
		case t.quoted:
			parts = append(parts, `"`+t.text+`"`)
		default:
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

// typeNames maps PostgreSQL's spellings to the names the session knows.
var typeNames = map[string]string{
	"bool": "bool", "boolean": "bool",
	"int2": "int2", "smallint": "int2",
	"int4": "int4", "int": "int4", "integer": "int4",
	"int8": "int8", "bigint": "int8",
	"float4": "float4", "real": "float4",
	"float8": "float8", "double precision": "float8", "float": "float8",
	"oid": "oid", "text": "text",
	"varchar": "varchar", "character varying": "varchar",
	"name": "name", "bytea": "bytea", "cstring": "cstring",
	"void": "void", "record": "record",
}

// knownType reports whether a canonical type name is one a call handles.
func knownType(t string) bool {
	base := strings.TrimSuffix(t, "[]")
	_, ok := typeNames[base]
	return ok && base == typeNames[base]
}

// normalizeType turns written type tokens into a canonical name: schema
// prefix dropped, lower case, type modifiers ("(10)") dropped, "[]" kept.
// An unknown type comes back as written (lower case).
func normalizeType(toks []token) string {
	var words []string
	array := false
	depth := 0
	for _, t := range toks {
		switch {
		case t.text == "(" && !t.str:
			depth++
		case t.text == ")" && !t.str:
			depth--
		case depth > 0:
		case t.text == "[" && !t.str:
			array = true
		case t.text == "]" && !t.str:
		case t.is("array"):
			array = true
		default:
			w := t.text
			if !t.quoted {
				w = strings.ToLower(w)
			}
			if dot := strings.LastIndexByte(w, '.'); dot >= 0 {
				w = w[dot+1:]
			}
			words = append(words, w)
		}
	}
	name := strings.Join(words, " ")
	if canon, ok := typeNames[name]; ok {
		name = canon
	}
	if array {
		name += "[]"
	}
	return name
}

// sqlTypeName is how PostgreSQL names a canonical type in messages.
func sqlTypeName(t string) string {
	base, array := strings.CutSuffix(t, "[]")
	names := map[string]string{"bool": "boolean", "int2": "smallint", "int4": "integer",
		"int8": "bigint", "float4": "real", "float8": "double precision",
		"varchar": "character varying"}
	if n, ok := names[base]; ok {
		base = n
	}
	if array {
		return base + "[]"
	}
	return base
}

// evalDefault turns a DEFAULT expression into the literal a caller would
// have passed: a constant, a 'string', either with a ::cast, or NULL.
func evalDefault(expr string) (value *string, ok bool) {
	toks := tokenize(expr)
	// drop casts and a leading ARRAY keyword kept as text
	for len(toks) >= 2 && toks[len(toks)-2].text == "::" {
		toks = toks[:len(toks)-2]
	}
	for k := range toks {
		if toks[k].text == "::" {
			toks = toks[:k]
			break
		}
	}
	switch {
	case len(toks) == 1 && toks[0].is("null"):
		return nil, true
	case len(toks) == 1 && toks[0].str:
		v := toks[0].text
		return &v, true
	case len(toks) == 1:
		v := toks[0].text
		return &v, true
	case len(toks) == 2 && (toks[0].text == "-" || toks[0].text == "+") && !toks[1].str:
		v := toks[0].text + toks[1].text
		return &v, true
	case len(toks) == 2 && !toks[0].str && toks[1].str:
		// a typed literal: int4 '5'
		v := toks[1].text
		return &v, true
	}
	return nil, false
}
