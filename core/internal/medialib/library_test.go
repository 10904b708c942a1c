package medialib

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// open returns a library on a memory KV and, if h is set, serving and
// fetching through h from providers.
func open(t testing.TB, h host.Host, providers ...peer.ID) *Library {
	t.Helper()
	kv := store.NewMemory()
	l, err := Open(Config{
		Dir:       t.TempDir(),
		KV:        store.Prefix(kv, []byte{'F'}),
		Index:     store.Prefix(kv, []byte{'I'}),
		Host:      h,
		Providers: func(context.Context, entry.Key, bool) []peer.ID { return providers },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
		kv.Close()
	})
	return l
}

func newHost(t testing.TB) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestIndexAndMirrors: Note remembers whose each root is, and mirrors are
// kept, listed, bounded and forgotten.
func TestIndexAndMirrors(t *testing.T) {
	l := open(t, nil)
	author := entry.Key{7}
	d := media.Descriptor{Root: blob.Sum([]byte("x")), Size: 1234, Type: "image/png", Thumb: blob.Sum([]byte("t")), ThumbSize: 99}
	l.Note(author, []media.Descriptor{d}, Seen)
	cases := []struct {
		root blob.Root
		size uint64
		typ  string
	}{
		{d.Root, 1234, "image/png"},
		{d.Thumb, 99, ""}, // a thumbnail's type is what its bytes are
	}
	for _, c := range cases {
		a, size, typ, ok := l.Lookup(c.root)
		if !ok || a != author || size != c.size || typ != c.typ {
			t.Errorf("Lookup(%s) = %v %d %q %v", c.root.Short(), a.Short(), size, typ, ok)
		}
	}
	if _, _, _, ok := l.Lookup(blob.Sum([]byte("unknown"))); ok {
		t.Error("Lookup(unknown) found something")
	}
	if err := l.Fetch(context.Background(), blob.Sum([]byte("unknown")), blobstore.TierCache, nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Fetch without a host error = %v, want ErrUnavailable", err)
	}

	m := Mirror{Author: author, Slug: "memes", Dir: "/tmp/memes"}
	if err := l.SetMirror(m); err != nil {
		t.Fatal(err)
	}
	if got, ok := l.MirrorOf(author, "memes"); !ok || got != m {
		t.Fatalf("MirrorOf() = %+v, %v", got, ok)
	}
	for i := 1; i < MaxMirrors; i++ {
		if err := l.SetMirror(Mirror{Author: entry.Key{byte(i)}, Slug: "a"}); err != nil {
			t.Fatalf("mirror %d: %v", i, err)
		}
	}
	if err := l.SetMirror(Mirror{Author: entry.Key{9, 9}, Slug: "one-too-many"}); err == nil {
		t.Error("SetMirror beyond MaxMirrors succeeded")
	}
	if err := l.SetMirror(Mirror{Author: author, Slug: "memes", Dir: "/elsewhere"}); err != nil {
		t.Errorf("updating a mirror when full: %v", err)
	}
	if got := len(l.Mirrors()); got != MaxMirrors {
		t.Errorf("Mirrors() has %d, want %d", got, MaxMirrors)
	}
	if err := l.RemoveMirror(author, "memes"); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.MirrorOf(author, "memes"); ok {
		t.Error("a removed mirror is still there")
	}
}

// TestFetchShared: two libraries on real hosts; the second fetches a blob
// the first imported, by its index entry, once however many ask at the
// same time, and a thumbnail comes by itself after Note.
func TestFetchShared(t *testing.T) {
	ha, hb := newHost(t), newHost(t)
	if err := hb.Connect(context.Background(), peer.AddrInfo{ID: ha.ID(), Addrs: ha.Addrs()}); err != nil {
		t.Fatal(err)
	}
	a := open(t, ha)
	b := open(t, hb, ha.ID())
	ctx := context.Background()
	data := randomBytes(1, 3*blob.PieceSize+1000)
	root, size, err := a.Import(ctx, bytes.NewReader(data), blob.MaxSize, blobstore.TierOwn)
	if err != nil {
		t.Fatal(err)
	}
	thumbData := randomBytes(2, 5000)
	thumb, _, err := a.Import(ctx, bytes.NewReader(thumbData), int64(blob.GroupSize), blobstore.TierOwn)
	if err != nil {
		t.Fatal(err)
	}
	author := entry.Key{1}
	b.Note(author, []media.Descriptor{{Root: root, Size: size, Type: "application/octet-stream", Thumb: thumb, ThumbSize: uint32(len(thumbData))}}, Seen)
	deadline := time.Now().Add(20 * time.Second)
	for !b.Has(thumb) {
		if time.Now().After(deadline) {
			t.Fatal("the thumbnail was not fetched in the background")
		}
		time.Sleep(20 * time.Millisecond)
	}
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- b.Fetch(ctx, root, blobstore.TierCache, func(blobnet.Progress) {}) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Blobs().Bytes(root, blob.MaxSize)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("fetched %d bytes, %v; want %d", len(got), err, len(data))
	}
	// A mirror holds it: pinned once however often, unpinned on release.
	for range 2 {
		if err := b.Hold(author, "memes", root, "x.bin"); err != nil {
			t.Fatal(err)
		}
	}
	if info, _ := b.Blobs().Info(root); info.Tier != blobstore.TierPinned {
		t.Errorf("a held item's tier is %v", info.Tier)
	}
	if got := b.Held(author, "memes"); len(got) != 1 || got[root] != "x.bin" {
		t.Errorf("Held() = %v", got)
	}
	if err := b.Release(author, "memes", []blob.Root{root}); err != nil {
		t.Fatal(err)
	}
	if info, _ := b.Blobs().Info(root); info.Tier == blobstore.TierPinned {
		t.Error("a released item is still pinned: Hold pinned it twice")
	}
}

// TestIndexFirstWins: a stranger's entry cannot re-describe a root the
// index knows; the author's own account can.
func TestIndexFirstWins(t *testing.T) {
	l := open(t, nil)
	root := blob.Sum([]byte("img"))
	real := media.Descriptor{Root: root, Size: 1000, Type: "image/png"}
	forged := media.Descriptor{Root: root, Size: 7, Type: "application/octet-stream"}
	l.Note(entry.Key{1}, []media.Descriptor{real}, Seen)
	l.Note(entry.Key{2}, []media.Descriptor{forged}, Seen)
	if a, size, typ, _ := l.Lookup(root); a != (entry.Key{1}) || size != 1000 || typ != "image/png" {
		t.Errorf("after a stranger's re-description: %v %d %q", a.Short(), size, typ)
	}
	l.Note(entry.Key{3}, []media.Descriptor{forged}, Own)
	if a, size, _, _ := l.Lookup(root); a != (entry.Key{3}) || size != 7 {
		t.Errorf("an own entry's description did not win: %v %d", a.Short(), size)
	}
}
