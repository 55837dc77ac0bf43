package cshim

// This file checks the shape of the C runtime, which the compiler cannot:
// every folder with C in it is a cgo package that cshim links, and the
// headers (include/ and internal/) include each other without a cycle.

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEveryAreaIsLinked: a .c file in a folder that is not a cgo package,
// or in a package cshim does not import, would silently not be compiled
// into the host (its symbols missing only when a module calls them).
func TestEveryAreaIsLinked(t *testing.T) {
	cshim, err := os.ReadFile("cshim.go")
	require.NoError(t, err)
	var dirs []string
	require.NoError(t, filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "internal") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".c") {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	}))
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		require.NotEqual(t, ".", dir, "C belongs in a subsystem folder, not in cshim/ itself")
		doc, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		require.NoError(t, err, "folder %s holds C but has no doc.go", dir)
		require.Contains(t, string(doc), `import "C"`, "%s/doc.go is not a cgo package", dir)
		require.Contains(t, string(cshim), `_ "github.com/bgworker/bgworker/cshim/`+filepath.ToSlash(dir)+`"`,
			"cshim.go does not import %s", dir)
	}
}

// TestNoHeaderCycles walks the quoted includes of include/ and internal/.
func TestNoHeaderCycles(t *testing.T) {
	includeRe := regexp.MustCompile(`(?m)^\s*#\s*include\s+"([^"]+)"`)
	graph := map[string][]string{}
	for _, root := range []string{"../include", "internal"} {
		require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".h") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range includeRe.FindAllStringSubmatch(string(src), -1) {
				graph[rel] = append(graph[rel], m[1])
			}
			return nil
		}))
	}
	require.Greater(t, len(graph), 20)
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(h string)
	visit = func(h string) {
		switch state[h] {
		case onPath:
			i := len(path) - 1
			for path[i] != h {
				i--
			}
			t.Fatalf("include cycle: %s -> %s", strings.Join(path[i:], " -> "), h)
		case done:
			return
		}
		state[h] = onPath
		path = append(path, h)
		for _, next := range graph[h] {
			if _, ours := graph[next]; ours {
				visit(next)
			}
		}
		path = path[:len(path)-1]
		state[h] = done
	}
	names := make([]string, 0, len(graph))
	for h := range graph {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, h := range names {
		visit(h)
	}
}
