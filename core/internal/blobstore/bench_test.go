package blobstore

import (
	"bytes"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// BenchmarkWriteChunks downloads a 16 MiB blob into a store on disk (LevelDB
// rows, real files) in 256 KiB pieces with the real sync policy: verify,
// write, fdatasync and commit the bitfield every 4 MiB.
func BenchmarkWriteChunks(b *testing.B) {
	const size = 16 << 20
	e := newEnv(b, true, Limits{})
	data := testData(1, size)
	root, ob := encode(b, data)
	b.SetBytes(size)
	for b.Loop() {
		p, err := e.s.Begin(root, size, TierCache)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.SetOutboard(ob); err != nil {
			b.Fatal(err)
		}
		for i := range blob.Pieces(size) {
			off, n := blob.PieceSpan(size, i)
			if err := p.WriteChunks(off, data[off:off+uint64(n)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := p.Close(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := e.s.Remove(root); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkReadPiece serves 256 KiB pieces of a 16 MiB blob, verifying
// each against the outboard as ReadPiece does.
func BenchmarkReadPiece(b *testing.B) {
	const size = 16 << 20
	e := newEnv(b, true, Limits{})
	root, _, err := e.s.Add(b.Context(), bytes.NewReader(testData(2, size)), 0, TierOwn)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, blob.PieceSize)
	b.SetBytes(blob.PieceSize)
	for i := 0; b.Loop(); i++ {
		if _, err := e.s.ReadPiece(root, i%blob.Pieces(size), buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdd imports a 16 MiB blob (hash, write, sync, rename).
func BenchmarkAdd(b *testing.B) {
	const size = 16 << 20
	e := newEnv(b, true, Limits{})
	data := testData(3, size)
	b.SetBytes(size)
	for b.Loop() {
		root, _, err := e.s.Add(b.Context(), bytes.NewReader(data), 0, TierOwn)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		e.s.Remove(root)
		b.StartTimer()
	}
}
