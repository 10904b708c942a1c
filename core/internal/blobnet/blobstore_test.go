package blobnet

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/store"
)

// openStore opens a blob store on a memory KV, closed when the test ends.
func openStore(t *testing.T) *blobstore.Store {
	t.Helper()
	kv := store.NewMemory()
	s, err := blobstore.Open(filepath.Join(t.TempDir(), "blobs"), store.Prefix(kv, []byte{store.BlobPrefix}), blobstore.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); kv.Close() })
	return s
}

// TestBlobstore: a store serves, another downloads into a Partial, from
// two providers.
func TestBlobstore(t *testing.T) {
	const size = 3*blob.PieceSize + 777
	data, _, _ := makeBlob(t, size, 12)
	var ps []*provider
	for range 2 {
		st := openStore(t)
		_, _, err := st.Add(context.Background(), bytes.NewReader(data), blob.MaxSize, blobstore.TierOwn)
		if err != nil {
			t.Fatal(err)
		}
		h := newHost(t)
		srv := NewServer(h, st, ServerLimits{}, nil)
		t.Cleanup(func() { srv.Close() })
		ps = append(ps, &provider{h: h, srv: srv})
	}
	root := blob.Sum(data)
	dst := openStore(t)
	part, err := dst.Begin(root, size, blobstore.TierCache)
	if err != nil {
		t.Fatal(err)
	}
	_, c := newClient(t, ps...)
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: part, Providers: ids(ps...)}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	if err := part.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := dst.Bytes(root, size)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Bytes() = %d bytes, %v; want the blob", len(got), err)
	}
	if info, ok := dst.Info(root); !ok || !info.Complete {
		t.Errorf("Info() = %+v, %v; want complete", info, ok)
	}
}
