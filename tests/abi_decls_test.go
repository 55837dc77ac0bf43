package tests

// The public C API as the headers declare it: every function and variable
// a header under include/ declares, read from the preprocessed headers
// (so a name a header renames with a macro, as port.h does with
// pqsignal, is listed under the name a module's object file refers to).
// TestExportedSymbols compares this list with the version script and with
// what bin/bgworker and libbgworker.so export.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// headerDecls preprocesses each header of includeDir after postgres.h,
// as a module does, and returns the names of the functions and variables
// declared in a file under includeDir, sorted, each with the header that
// declares it first. A header that stops with #error (the stubs of the
// SQL layer that bgworker does not have) declares nothing.
func headerDecls(includeDir string) (map[string]string, error) {
	var headers []string
	err := filepath.WalkDir(includeDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".h") {
			rel, _ := filepath.Rel(includeDir, path)
			headers = append(headers, rel)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(headers)
	decls := map[string]string{}
	for _, h := range headers {
		src := fmt.Sprintf("#include \"postgres.h\"\n#include \"%s\"\n", h)
		cmd := exec.Command("cc", "-std=gnu11", "-E", "-I", includeDir, "-x", "c", "-")
		cmd.Stdin = strings.NewReader(src)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			if strings.Contains(stderr.String(), "#error") {
				continue
			}
			return nil, fmt.Errorf("preprocessing %s: %v\n%s", h, err, stderr.String())
		}
		for name, file := range declaredNames(string(out), includeDir) {
			if _, seen := decls[name]; !seen {
				decls[name] = file
			}
		}
	}
	return decls, nil
}

// cToken is one token of preprocessed C and the file it came from.
type cToken struct {
	text string
	file string
}

// cTokens splits preprocessed C into tokens, following the line markers
// (# LINE "FILE" FLAGS) to know each token's file. Only what a
// declaration needs is told apart: identifiers, numbers, string and
// character literals, and single punctuation characters.
func cTokens(src string) []cToken {
	var toks []cToken
	file := ""
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "#") {
			f := strings.Fields(line[1:])
			if len(f) >= 2 {
				if _, err := strconv.Atoi(f[0]); err == nil {
					if s, err := strconv.Unquote(f[1]); err == nil {
						file = s
					}
				}
			}
			continue
		}
		for i := 0; i < len(line); {
			c := line[i]
			switch {
			case c == ' ' || c == '\t' || c == '\r':
				i++
			case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
				j := i + 1
				for j < len(line) && (line[j] == '_' || line[j] >= 'a' && line[j] <= 'z' ||
					line[j] >= 'A' && line[j] <= 'Z' || line[j] >= '0' && line[j] <= '9' || line[j] == '.') {
					j++
				}
				toks = append(toks, cToken{line[i:j], file})
				i = j
			case c == '"' || c == '\'':
				j := i + 1
				for j < len(line) && line[j] != c {
					if line[j] == '\\' {
						j++
					}
					j++
				}
				if j < len(line) {
					j++
				}
				toks = append(toks, cToken{line[i:j], file})
				i = j
			default:
				toks = append(toks, cToken{string(c), file})
				i++
			}
		}
	}
	return toks
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// declaredNames returns the functions and variables declared at file
// scope by the preprocessed C src in files under dir: extern variables
// and function prototypes, not typedefs, static (inline) functions,
// struct, union and enum declarations or static assertions.
func declaredNames(src, dir string) map[string]string {
	names := map[string]string{}
	toks := cTokens(src)
	var stmt []cToken
	depth := 0 // of braces
	flush := func() {
		if len(stmt) > 0 && strings.HasPrefix(stmt[0].file, dir+string(filepath.Separator)) {
			rel, _ := filepath.Rel(dir, stmt[0].file)
			for _, n := range declarators(stmt) {
				names[n] = rel
			}
		}
		stmt = stmt[:0]
	}
	for i, t := range toks {
		switch t.text {
		case "{":
			depth++
		case "}":
			depth--
			// A function body ends the definition: "...) { ... }".
			if depth == 0 && len(stmt) > 0 && isFunctionDefinition(stmt) {
				stmt = stmt[:0]
				continue
			}
		case ";":
			if depth == 0 {
				flush()
				continue
			}
		}
		if depth > 0 || t.text == "}" {
			// Bodies of structs, unions, enums and functions declare
			// nothing at file scope; keep a marker so that
			// "struct s { ... } x;" still reads as a declaration of x.
			if t.text == "{" && depth == 1 {
				stmt = append(stmt, cToken{"{}", t.file})
			}
			continue
		}
		_ = i
		stmt = append(stmt, t)
	}
	return names
}

// isFunctionDefinition reports whether stmt, the tokens before a body at
// file scope, ends like a function definition's head: "name(...)"
// followed by the body (possibly after attributes).
func isFunctionDefinition(stmt []cToken) bool {
	if len(stmt) == 0 || stmt[len(stmt)-1].text != "{}" {
		return false
	}
	head := stripAttributes(stmt[:len(stmt)-1])
	return len(head) > 0 && head[len(head)-1].text == ")"
}

// stripAttributes drops GNU attributes, asm labels and the keywords that
// do not change what a declaration names.
func stripAttributes(toks []cToken) []cToken {
	var out []cToken
	for i := 0; i < len(toks); i++ {
		switch toks[i].text {
		case "__attribute__", "__asm__", "asm", "__asm", "__declspec", "__typeof__", "typeof", "_Alignas":
			// skip the parenthesised argument
			if i+1 < len(toks) && toks[i+1].text == "(" {
				depth := 0
				j := i + 1
				for ; j < len(toks); j++ {
					if toks[j].text == "(" {
						depth++
					} else if toks[j].text == ")" {
						depth--
						if depth == 0 {
							break
						}
					}
				}
				i = j
			}
			continue
		case "__extension__", "__restrict", "__restrict__", "restrict", "__inline", "__inline__", "_Noreturn":
			continue
		}
		out = append(out, toks[i])
	}
	return out
}

// declarators returns the names one file-scope statement declares as
// functions or variables (none for a typedef, a static or inline item, a
// tag declaration or an assertion).
func declarators(stmt []cToken) []string {
	toks := stripAttributes(stmt)
	if len(toks) == 0 {
		return nil
	}
	isExtern := false
	for _, t := range toks {
		switch t.text {
		case "typedef", "static", "inline", "_Static_assert", "static_assert":
			return nil
		case "extern":
			isExtern = true
		}
	}
	// Split at the commas outside parentheses and brackets: one
	// declarator each; the first carries the specifiers.
	var parts [][]cToken
	start, depth := 0, 0
	for i, t := range toks {
		switch t.text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ",":
			if depth == 0 {
				parts = append(parts, toks[start:i])
				start = i + 1
			}
		case "=":
			// An initialiser in a header: a definition; still a name.
		}
	}
	parts = append(parts, toks[start:])
	var names []string
	for _, p := range parts {
		name, isFunc := declaratorName(p)
		if name == "" || (!isExtern && !isFunc) {
			continue
		}
		names = append(names, name)
	}
	return names
}

// declaratorName finds the declared name in one declarator (with or
// without the specifiers before it) and whether it declares a function.
func declaratorName(toks []cToken) (string, bool) {
	// Cut an initialiser.
	for i, t := range toks {
		if t.text == "=" {
			toks = toks[:i]
			break
		}
	}
	for i, t := range toks {
		if t.text != "(" {
			continue
		}
		if i+1 < len(toks) && toks[i+1].text == "*" {
			// "(*name)(...)" or "(*name)[...]": a pointer variable
			// (or a function returning a function pointer, whose name
			// is found the same way).
			for _, u := range toks[i+1:] {
				if isIdent(u.text) && u.text != "const" && u.text != "volatile" {
					return u.text, false
				}
			}
			return "", false
		}
		if i > 0 && isIdent(toks[i-1].text) {
			return toks[i-1].text, true
		}
		return "", false
	}
	// No parentheses: the last identifier before an array bound.
	name := ""
	for _, t := range toks {
		if t.text == "[" {
			break
		}
		if isIdent(t.text) {
			name = t.text
		}
	}
	switch name {
	case "", "extern", "const", "volatile", "int", "char", "long", "short", "unsigned",
		"signed", "void", "float", "double", "_Bool", "struct", "union", "enum", "{}":
		return "", false
	}
	return name, false
}
