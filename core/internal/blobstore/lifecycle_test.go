package blobstore

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
)

func TestTimedSync(t *testing.T) {
	e := newEnv(t, true, Limits{})
	e.s.syncBytes = 1 << 40
	e.s.syncEvery = 20 * time.Millisecond
	data := testData(1, 3*blob.PieceSize)
	root, ob := encode(t, data)
	p, err := e.s.Begin(root, uint64(len(data)), TierCache)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SetOutboard(ob); err != nil {
		t.Fatal(err)
	}
	writePiece(t, p, data, 1)
	// The timer, not a write, makes piece 1 durable.
	for i := 0; !p.Have().Has(1); i++ {
		if i > 500 {
			t.Fatal("piece 1 not durable 10 s after its write")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, have, ok := e.s.Have(root); !ok || !have.Has(1) {
		t.Fatalf("Store.Have() = %08b, %v", have, ok)
	}
}

func TestTouchAndClose(t *testing.T) {
	e := newEnv(t, true, Limits{})
	root := e.add(testData(2, 3*blob.GroupSize), TierCache)
	e.clock.Add(time.Hour)
	e.s.Touch(root)
	e.s.Touch(blob.Sum(nil)) // unknown: ignored
	e.reopen()
	if info, _ := e.s.Info(root); !info.Used.Equal(t0.Add(time.Hour)) || !info.Added.Equal(t0) {
		t.Fatalf("Info() after Touch and reopen = %+v", info)
	}
	data := testData(3, 2*blob.PieceSize)
	r2, ob := encode(t, data)
	p, err := e.s.Begin(r2, uint64(len(data)), TierCache)
	if err != nil {
		t.Fatal(err)
	}
	p.SetOutboard(ob)
	e.s.syncBytes = 1 << 40
	writePiece(t, p, data, 0)
	// Close finishes the open download: its written piece is kept.
	if err := e.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Close(); err != nil {
		t.Fatalf("second Close() = %v", err)
	}
	if err := p.WriteChunks(0, data[:blob.PieceSize]); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteChunks after Store.Close = %v, want ErrClosed", err)
	}
	p.Close()
	if _, err := e.s.Begin(r2, uint64(len(data)), TierCache); !errors.Is(err, ErrClosed) {
		t.Fatalf("Begin after Close = %v, want ErrClosed", err)
	}
	if _, _, err := e.s.Add(t.Context(), bytes.NewReader(data), 0, TierCache); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close = %v, want ErrClosed", err)
	}
	if _, err := e.s.Open(root); !errors.Is(err, ErrClosed) {
		t.Fatalf("Open after Close = %v, want ErrClosed", err)
	}
	e.open()
	if info, _ := e.s.Info(r2); info.Have != 1 {
		t.Fatalf("Info() after Close with a download open = %+v, want 1 piece", info)
	}
}

func TestAddCompletesDownload(t *testing.T) {
	for _, open := range []bool{false, true} {
		e := newEnv(t, true, Limits{})
		data := testData(4, 3*blob.PieceSize+5)
		root, ob := encode(t, data)
		p, err := e.s.Begin(root, uint64(len(data)), TierCache)
		if err != nil {
			t.Fatal(err)
		}
		p.SetOutboard(ob)
		writePiece(t, p, data, 1)
		if !open {
			p.Close()
		}
		e.add(data, TierOwn)
		if info, _ := e.s.Info(root); !info.Complete || info.Tier != TierOwn {
			t.Fatalf("open=%v: Info() after Add = %+v", open, info)
		}
		if open {
			if !p.Complete() {
				t.Fatal("the open download is not Complete() after Add")
			}
			p.Close()
		}
		if got, err := e.s.Bytes(root, blob.MaxSize); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("open=%v: Bytes() = %v", open, err)
		}
	}
}
