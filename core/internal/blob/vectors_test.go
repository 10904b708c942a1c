package blob

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// vectorData returns the test blob of the vectors: byte i is i mod 251, as
// in the bao test vectors.
func vectorData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// vectors returns the lines docs/PROTOCOL.md ("Blobs") shows: each blob's
// size, root and outboard.
func vectors(t testing.TB) []string {
	var lines []string
	for _, size := range []int{0, 1000, GroupSize, GroupSize + 1, 40000} {
		data := vectorData(size)
		root, ob, err := Encode(bytes.NewReader(data), uint64(size))
		if err != nil {
			t.Fatal(err)
		}
		line := "size " + itoa(size) + " root " + root.String()
		if len(ob) > 0 {
			line += " outboard " + hex.EncodeToString(ob)
		}
		lines = append(lines, line)
	}
	return lines
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestVectors prints the vectors (-v) and checks that
// docs/PROTOCOL.md ("Blobs") shows each exactly.
func TestVectors(t *testing.T) {
	vs := vectors(t)
	for _, v := range vs {
		t.Log(v)
	}
	doc := protocoldoc.Flat(t)
	for _, v := range vs {
		if !strings.Contains(doc, strings.Join(strings.Fields(v), "")) {
			t.Errorf("docs/PROTOCOL.md (\"Blobs\") lacks the vector %q", v)
		}
	}
}
