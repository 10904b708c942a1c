package blob

import (
	"bytes"
	"testing"
)

const benchSize = 16 << 20

// BenchmarkVerifyPiece verifies 256 KiB pieces of a 16 MiB blob against
// its outboard, as a downloader does for each piece it receives.
func BenchmarkVerifyPiece(b *testing.B) {
	data := testData(7, benchSize)
	root, ob := encodeBytes(b, data)
	pieces := Pieces(benchSize)
	b.SetBytes(PieceSize)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		off, n := PieceSpan(benchSize, i%pieces)
		if err := VerifyChunks(root, benchSize, ob, off, data[off:off+uint64(n)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGroup verifies single 16 KiB groups, as a downloader does
// for each DATA frame.
func BenchmarkVerifyGroup(b *testing.B) {
	data := testData(7, benchSize)
	root, ob := encodeBytes(b, data)
	b.SetBytes(GroupSize)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		off := uint64(i%(benchSize/GroupSize)) * GroupSize
		if err := VerifyChunks(root, benchSize, ob, off, data[off:off+GroupSize]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode computes the root and outboard of a 16 MiB blob.
func BenchmarkEncode(b *testing.B) {
	data := testData(7, benchSize)
	b.SetBytes(benchSize)
	for b.Loop() {
		if _, _, err := Encode(bytes.NewReader(data), benchSize); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckOutboard checks the outboard of a 16 MiB blob, as a
// downloader does once per blob.
func BenchmarkCheckOutboard(b *testing.B) {
	data := testData(7, benchSize)
	root, ob := encodeBytes(b, data)
	b.SetBytes(benchSize)
	for b.Loop() {
		if err := CheckOutboard(root, benchSize, ob); err != nil {
			b.Fatal(err)
		}
	}
}
