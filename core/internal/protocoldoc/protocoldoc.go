// Package protocoldoc gives tests docs/PROTOCOL.md, so that each package can
// check that the document shows its test vectors and constants exactly as
// its code makes them, and the two cannot drift.
package protocoldoc

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Flat returns docs/PROTOCOL.md with all white space removed, so that a
// vector broken across lines still matches with strings.Contains.
func Flat(t testing.TB) string {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("protocoldoc: cannot find its own source file")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", "..", "docs", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), "")
}

// FlatFile is Flat for another document of the repository: rel is its path
// from the repository's root, such as "docs/ARCHITECTURE.md".
func FlatFile(t testing.TB, rel string) string {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("protocoldoc: cannot find its own source file")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", "..", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), "")
}
