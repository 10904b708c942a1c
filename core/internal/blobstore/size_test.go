package blobstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// TestWrongSizeDoesNotPoison is the reviewer's scenario: a peer claims
// size−1 and serves the true outboard with its length header set to
// size−1 (same tree shape, so CheckOutboard accepts it and every piece but
// the last verifies). The pieces stored under the false size must not keep
// the true blob out.
func TestWrongSizeDoesNotPoison(t *testing.T) {
	data := testData(21, 3*blob.PieceSize+100)
	size := uint64(len(data))
	root, ob := encode(t, data)
	lie := bytes.Clone(ob)
	binary.LittleEndian.PutUint64(lie, size-1)
	if blob.OutboardSize(size-1) != len(ob) {
		t.Fatal("test blob: size−1 changes the tree shape")
	}

	// poison begins root with size−1 and the manipulated outboard and
	// stores the three full pieces, which verify.
	poison := func(t *testing.T, e *env) *Partial {
		t.Helper()
		p, err := e.s.Begin(root, size-1, TierCache)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetOutboard(lie); err != nil {
			t.Fatalf("SetOutboard(lying header) = %v; the scenario needs it accepted", err)
		}
		for i := range 3 {
			off := uint64(i) * blob.PieceSize
			if err := p.WriteChunks(off, data[off:off+blob.PieceSize]); err != nil {
				t.Fatalf("WriteChunks(piece %d) = %v", i, err)
			}
		}
		return p
	}

	tests := []struct {
		name  string
		after func(t *testing.T, e *env)
	}{
		{"Add of the true bytes", func(t *testing.T, e *env) {
			e.add(data, TierCache)
			p, err := e.s.Begin(root, size, TierCache)
			if err != nil || !p.Complete() {
				t.Fatalf("Begin(true size) after Add = %v, complete %v", err, err == nil && p.Complete())
			}
			p.Close()
		}},
		{"Begin with the true size", func(t *testing.T, e *env) {
			p, err := e.s.Begin(root, size, TierCache)
			if err != nil {
				t.Fatalf("Begin(true size) = %v", err)
			}
			if w := p.Written(); w.Count() != 0 {
				t.Errorf("Written() = %08b: pieces verified under the false size were kept", w)
			}
			if err := p.SetOutboard(ob); err != nil {
				t.Fatal(err)
			}
			for i := range blob.Pieces(size) {
				writePiece(t, p, data, i)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, true, Limits{})
			if err := poison(t, e).Close(); err != nil {
				t.Fatal(err)
			}
			tt.after(t, e)
			if got, err := e.s.Bytes(root, blob.MaxSize); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Bytes() = %d bytes, %v; want the true blob", len(got), err)
			}
			if info, _ := e.s.Info(root); info.Size != size || !info.Complete {
				t.Fatalf("Info() = %+v", info)
			}
		})
	}

	t.Run("in flight", func(t *testing.T) {
		e := newEnv(t, false, Limits{})
		p := poison(t, e)
		defer p.Close()
		if _, err := e.s.Begin(root, size, TierCache); !errors.Is(err, ErrInFlight) {
			t.Errorf("Begin(true size) while the false one is open = %v, want ErrInFlight", err)
		}
	})
}
