package blobnet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

func TestSingleProvider(t *testing.T) {
	for _, size := range []int{1, 1000, blob.GroupSize, blob.GroupSize + 1, blob.PieceSize, 3*blob.PieceSize + 5000} {
		p := newProvider(t, ServerLimits{})
		data, root, ob := makeBlob(t, size, uint64(size))
		p.src.add(data, root, ob, nil)
		_, c := newClient(t, p)
		sink := newSink(root, size)
		var pr lastProgress
		err := c.Get(testCtx(t), Fetch{Root: root, Size: uint64(size), Sink: sink, Providers: ids(p), Progress: pr.set})
		if err != nil {
			t.Fatalf("size %d: Get() = %v", size, err)
		}
		if !bytes.Equal(sink.bytes(), data) {
			t.Fatalf("size %d: downloaded bytes differ", size)
		}
		if got := pr.get(); got.Done != got.Pieces || got.Verified != int64(size) || got.Bad != 0 {
			t.Errorf("size %d: last Progress = %+v", size, got)
		}
	}
}

func TestMultiSource(t *testing.T) {
	const size = 8 << 20
	data, root, ob := makeBlob(t, size, 1)
	var ps []*provider
	for range 3 {
		p := newProvider(t, ServerLimits{Rate: 16 << 20})
		p.src.add(data, root, ob, nil)
		ps = append(ps, p)
	}
	_, c := newClient(t, ps...)
	sink := newSink(root, size)
	var pr lastProgress
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink, Providers: ids(ps...), Progress: pr.set}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	if !bytes.Equal(sink.bytes(), data) {
		t.Fatal("downloaded bytes differ")
	}
	for i, p := range ps {
		if p.src.readCount() == 0 {
			t.Errorf("provider %d served no piece", i)
		}
	}
	// Endgame duplicates about one piece per provider when the client
	// keeps up; under -race it does not, and pieces already in the pipe
	// when their CANCEL goes out count too. BenchmarkSlowProvider
	// measures the share.
	if got := pr.get(); got.Duplicate > size/4 {
		t.Errorf("Duplicate = %d bytes, want at most a quarter", got.Duplicate)
	}
}

func TestNoProviders(t *testing.T) {
	data, root, ob := makeBlob(t, 600000, 2)
	empty := newProvider(t, ServerLimits{})
	partial := newProvider(t, ServerLimits{})
	have := blob.NewBitfield(blob.Pieces(600000))
	have.Set(0)
	partial.src.add(data, root, ob, have)
	_, c := newClient(t, empty, partial)
	sink := newSink(root, len(data))
	err := c.Get(testCtx(t), Fetch{Root: root, Size: uint64(len(data)), Sink: sink, Providers: ids(empty, partial)})
	if !errors.Is(err, ErrNoProviders) {
		t.Fatalf("Get() = %v, want ErrNoProviders", err)
	}
	if !sink.Written().Has(0) {
		t.Error("piece 0, which a provider had, was not fetched")
	}
	err = c.Get(testCtx(t), Fetch{Root: root, Size: uint64(len(data)), Sink: sink})
	if !errors.Is(err, ErrNoProviders) {
		t.Fatalf("Get() with no provider = %v, want ErrNoProviders", err)
	}
}

// requestLog records the pieces GET asks for across servers, in order.
type requestLog struct {
	mu     sync.Mutex
	pieces []int
	types  map[msgType]int
}

func (l *requestLog) hook(_ peer.ID, m *msg) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.types == nil {
		l.types = map[msgType]int{}
	}
	l.types[m.Type]++
	if m.Type == tGet {
		l.pieces = append(l.pieces, m.Piece)
	}
}

func (l *requestLog) get() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.pieces)
}

func TestRarestFirst(t *testing.T) {
	const n = 48
	const size = n * blob.PieceSize
	data, root, ob := makeBlob(t, size, 3)
	rare := []int{5, 23, 41}
	var log requestLog
	var ps []*provider
	for k := range 3 {
		p := newProvider(t, ServerLimits{Rate: 24 << 20})
		p.srv.hook = log.hook
		var have blob.Bitfield
		if k > 0 {
			have = blob.NewBitfield(n)
			for i := range n {
				if !slices.Contains(rare, i) {
					have.Set(i)
				}
			}
		}
		p.src.add(data, root, ob, have)
		ps = append(ps, p)
	}
	_, c := newClient(t, ps...)
	// A resumed download with 4 pieces written: no random start, and
	// pieces written are not asked for again.
	sink := newSink(root, size)
	if err := sink.SetOutboard(ob); err != nil {
		t.Fatal(err)
	}
	held := []int{0, 1, 2, 3}
	for _, i := range held {
		off, n := blob.PieceSpan(size, i)
		if err := sink.WriteChunks(off, data[off:off+uint64(n)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink, Providers: ids(ps...)}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	if !bytes.Equal(sink.bytes(), data) {
		t.Fatal("downloaded bytes differ")
	}
	// The only provider of the rare pieces is asked for them first, but
	// for the last piece (always first) and the first pipeline's worth,
	// which may be filled before the other providers' HAVE arrive (when
	// every piece is as rare).
	ps[0].src.mu.Lock()
	first := slices.Clone(ps[0].src.reads[:min(len(ps[0].src.reads), len(rare)+minDepth+1)])
	ps[0].src.mu.Unlock()
	for _, r := range rare {
		if !slices.Contains(first, r) {
			t.Errorf("first pieces served by the holder of the rare ones: %v, want %v among them", first, rare)
		}
	}
	for _, i := range held {
		if slices.Contains(log.get(), i) {
			t.Errorf("piece %d, already written, was requested", i)
		}
	}
}

func TestWindow(t *testing.T) {
	const size = 16 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 4)
	var log requestLog
	p := newProvider(t, ServerLimits{})
	p.srv.hook = log.hook
	p.src.add(data, root, ob, nil)
	_, c := newClient(t, p)
	sink := newSink(root, size)
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink, Providers: ids(p), Window: 4, Position: 8}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	if got := log.get()[:4]; !slices.Equal(got, []int{8, 9, 10, 11}) {
		t.Errorf("first requests = %v, want the window 8 to 11", got)
	}
}

func TestLyingPeer(t *testing.T) {
	const size = 24 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 5)
	var ps []*provider
	for k := range 3 {
		p := newProvider(t, ServerLimits{Rate: 16 << 20})
		p.src.add(data, root, ob, nil)
		p.src.corrupt = k == 2
		ps = append(ps, p)
	}
	_, c := newClient(t, ps...)
	sink := newSink(root, size)
	var pr lastProgress
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink, Providers: ids(ps...), Progress: pr.set}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	if !bytes.Equal(sink.bytes(), data) {
		t.Fatal("downloaded bytes differ")
	}
	if got := pr.get(); got.Bad < 1 || got.Peers != 2 {
		t.Errorf("Progress = %+v, want Bad >= 1 and 2 peers left", got)
	}
	if sink.bad < 1 {
		t.Errorf("the sink refused %d writes, want the liar's", sink.bad)
	}

	// A liar alone: dropped, ErrNoProviders wrapping the bad data.
	_, c2 := newClient(t, ps[2])
	sink2 := newSink(root, size)
	err := c2.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink2, Providers: ids(ps[2])})
	if !errors.Is(err, ErrNoProviders) || !errors.Is(err, blob.ErrBadData) {
		t.Errorf("Get() from a liar = %v, want ErrNoProviders wrapping ErrBadData", err)
	}
}

func TestBadOutboard(t *testing.T) {
	const size = 4 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 6)
	liar, good := newProvider(t, ServerLimits{}), newProvider(t, ServerLimits{})
	liar.src.add(data, root, ob, nil)
	liar.src.badOB = true
	good.src.add(data, root, ob, nil)
	_, c := newClient(t, liar, good)
	var pr lastProgress
	err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: newSink(root, size), Providers: ids(liar), Progress: pr.set})
	if !errors.Is(err, ErrNoProviders) || !errors.Is(err, blob.ErrBadOutboard) || pr.get().Bad != 1 {
		t.Errorf("Get() from a liar = %v, %+v; want ErrNoProviders wrapping ErrBadOutboard, Bad 1", err, pr.get())
	}
	sink := newSink(root, size)
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink, Providers: ids(liar, good)}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	if !bytes.Equal(sink.bytes(), data) {
		t.Fatal("downloaded bytes differ")
	}
}

func TestRejectAndStall(t *testing.T) {
	const size = 16 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 7)
	good := newProvider(t, ServerLimits{Rate: 8 << 20})
	good.src.add(data, root, ob, nil)
	rejecter := newProvider(t, ServerLimits{})
	rejecter.src.add(data, root, ob, nil)
	rejecter.src.noRead = true
	staller := newProvider(t, ServerLimits{})
	staller.src.add(data, root, ob, nil)
	staller.src.stall = make(chan struct{})
	t.Cleanup(func() { close(staller.src.stall) })
	_, c := newClient(t, good, rejecter, staller)
	c.stallMin = 200 * time.Millisecond

	t.Run("alone", func(t *testing.T) {
		for _, p := range []*provider{rejecter, staller} {
			err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: newSink(root, size), Providers: ids(p)})
			if !errors.Is(err, ErrNoProviders) || !errors.Is(err, ErrRejected) {
				t.Errorf("Get() = %v, want ErrNoProviders wrapping ErrRejected", err)
			}
		}
	})
	t.Run("with a good provider", func(t *testing.T) {
		sink := newSink(root, size)
		var pr lastProgress
		if err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: sink, Providers: ids(good, rejecter, staller), Progress: pr.set}); err != nil {
			t.Fatalf("Get() = %v", err)
		}
		if !bytes.Equal(sink.bytes(), data) {
			t.Fatal("downloaded bytes differ")
		}
		if got := pr.get(); got.Peers > 2 {
			t.Errorf("Progress = %+v, want the rejecter dropped", got)
		}
	})
}

// TestLastPieceFirst: the downloader asks for the last piece, the one that
// proves the size, after the window and before anything else, and asks
// for nothing else until it verified; so a size one byte short (every
// other piece would verify under it) fails before more is fetched.
func TestLastPieceFirst(t *testing.T) {
	const n = 16
	const size = n*blob.PieceSize - 100
	data, root, ob := makeBlob(t, size, 31)
	lie := bytes.Clone(ob)
	binary.LittleEndian.PutUint64(lie, size-1)
	tests := []struct {
		name      string
		size      int // claimed by the provider and the Fetch
		data, ob  []byte
		window    int
		position  int
		wantFirst []int
		wantErr   error
		onlyFirst bool // no GET but wantFirst
	}{
		{name: "plain", size: size, data: data, ob: ob, wantFirst: []int{n - 1}},
		{name: "window", size: size, data: data, ob: ob, window: 4, position: 3, wantFirst: []int{3, 4, 5, 6, n - 1}},
		{name: "size one byte short", size: size - 1, data: data[:size-1], ob: lie,
			wantFirst: []int{n - 1}, wantErr: ErrNoProviders, onlyFirst: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log requestLog
			p := newProvider(t, ServerLimits{})
			p.srv.hook = log.hook
			p.src.add(tt.data, root, tt.ob, nil)
			_, c := newClient(t, p)
			sink := newSink(root, tt.size)
			err := c.Get(testCtx(t), Fetch{Root: root, Size: uint64(tt.size), Sink: sink, Providers: ids(p),
				Window: tt.window, Position: tt.position})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Get() = %v, want %v", err, tt.wantErr)
			}
			got := log.get()
			if len(got) < len(tt.wantFirst) || !slices.Equal(got[:len(tt.wantFirst)], tt.wantFirst) {
				t.Fatalf("GETs = %v, want %v first", got, tt.wantFirst)
			}
			if tt.onlyFirst && len(got) != len(tt.wantFirst) {
				t.Errorf("GETs = %v: more asked for before the last piece verified", got)
			}
			if tt.wantErr == nil && !bytes.Equal(sink.bytes(), data) {
				t.Error("downloaded bytes differ")
			}
		})
	}
}
