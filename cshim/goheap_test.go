package cshim

// goheap_test.go checks the symbol-table scan that finds the Go runtime's
// persistent-allocator chunk list, against debug/elf's full reading.

import (
	"debug/elf"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSymbolValuesAgreesWithDebugElf(t *testing.T) {
	// The host binary (make test builds it first): go test links its own
	// binaries without a symbol table.
	exe := filepath.Join("..", "bin", "bgworker")
	f, err := elf.Open(exe)
	require.NoError(t, err)
	syms, err := f.Symbols()
	f.Close()
	require.NoError(t, err)
	want := map[string]uint64{}
	names := []string{"runtime.persistentChunks", "github.com/bgworker/bgworker/cshim.chunkListAnchor", "main.main", "github.com/bgworker/bgworker/cshim.excludeGoMemory"}
	for _, s := range syms {
		for _, n := range names {
			if s.Name == n {
				want[n] = s.Value
			}
		}
	}
	require.Len(t, want, len(names), "the test binary lacks a symbol the test looks for")
	require.Equal(t, want, symbolValues(exe, append(names, "no.such.symbol")...))
	require.Empty(t, symbolValues("/nonexistent"))
	require.Empty(t, symbolValues("/proc/self/status"), "not an ELF file")
}
