package blobnet

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/blob"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer (the memory KV of TestBlobstore)
		// outlives DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// newHost starts a libp2p host on 127.0.0.1, closed when the test ends.
func newHost(t testing.TB) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// know tells a the addresses of b.
func know(a, b host.Host) {
	a.Peerstore().AddAddrs(b.ID(), b.Addrs(), peerstore.PermanentAddrTTL)
}

// makeBlob returns size deterministic pseudo-random bytes, their root and
// outboard.
func makeBlob(t testing.TB, size int, seed uint64) ([]byte, blob.Root, []byte) {
	t.Helper()
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	root, ob, err := blob.Encode(bytes.NewReader(data), uint64(size))
	if err != nil {
		t.Fatal(err)
	}
	return data, root, ob
}

// memBlob is one blob of a memSource.
type memBlob struct {
	data []byte
	ob   []byte
	have blob.Bitfield // nil: all
}

// memSource is an in-memory Source that can misbehave.
type memSource struct {
	mu      sync.Mutex
	blobs   map[blob.Root]*memBlob
	corrupt bool          // flip a byte of every piece served
	badOB   bool          // serve a wrong outboard
	noRead  bool          // ReadPiece fails (HAVE claims pieces it cannot serve)
	stall   chan struct{} // ReadPiece blocks until closed
	reads   []int         // pieces read, in order
}

func newSource() *memSource { return &memSource{blobs: map[blob.Root]*memBlob{}} }

func (s *memSource) add(data []byte, root blob.Root, ob []byte, have blob.Bitfield) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blobs[root] = &memBlob{data: data, ob: ob, have: have}
}

func (s *memSource) Have(root blob.Root) (uint64, blob.Bitfield, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.blobs[root]
	if b == nil {
		return 0, nil, false
	}
	return uint64(len(b.data)), b.have, true
}

func (s *memSource) Outboard(root blob.Root) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.blobs[root]
	if b == nil {
		return nil, errors.New("not found")
	}
	if s.badOB && len(b.ob) > 8 {
		ob := bytes.Clone(b.ob)
		ob[len(ob)-1] ^= 1
		return ob, nil
	}
	return b.ob, nil
}

func (s *memSource) ReadPiece(root blob.Root, i int, buf []byte) ([]byte, error) {
	s.mu.Lock()
	b := s.blobs[root]
	s.reads = append(s.reads, i)
	stall, noRead, corrupt := s.stall, s.noRead, s.corrupt
	s.mu.Unlock()
	if stall != nil {
		<-stall
	}
	if b == nil || noRead || (b.have != nil && !b.have.Has(i)) {
		return nil, errors.New("not held")
	}
	off, n := blob.PieceSpan(uint64(len(b.data)), i)
	out := append(buf[:0], b.data[off:off+uint64(n)]...)
	if corrupt {
		out[len(out)/2] ^= 0x80
	}
	return out, nil
}

func (s *memSource) readCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reads)
}

// memSink is an in-memory Sink verifying with blob.VerifyChunks.
type memSink struct {
	mu      sync.Mutex
	root    blob.Root
	size    uint64
	ob      []byte
	hasOB   bool
	data    []byte
	groups  []bool
	trust   bool // skip verification (benchmarks: the protocol's own cost)
	bad     int  // WriteChunks calls refused
	writes  int
	written blob.Bitfield
}

func newSink(root blob.Root, size int) *memSink {
	return &memSink{root: root, size: uint64(size), data: make([]byte, size),
		groups: make([]bool, (size+blob.GroupSize-1)/blob.GroupSize), written: blob.NewBitfield(blob.Pieces(uint64(size)))}
}

func (s *memSink) Outboard() ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ob, s.hasOB
}

func (s *memSink) SetOutboard(ob []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := blob.CheckOutboard(s.root, s.size, ob); err != nil {
		return err
	}
	s.ob, s.hasOB = ob, true
	return nil
}

func (s *memSink) WriteChunks(off uint64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasOB {
		return errors.New("no outboard")
	}
	if s.trust {
		// no verification
	} else if err := blob.VerifyChunks(s.root, s.size, s.ob, off, data); err != nil {
		s.bad++
		return err
	}
	s.writes++
	copy(s.data[off:], data)
	for g := off / blob.GroupSize; g < (off+uint64(len(data))+blob.GroupSize-1)/blob.GroupSize; g++ {
		s.groups[g] = true
	}
	for i := int(off / blob.PieceSize); i <= int((off+uint64(len(data))-1)/blob.PieceSize); i++ {
		po, n := blob.PieceSpan(s.size, i)
		all := true
		for g := po / blob.GroupSize; g < (po+uint64(n)+blob.GroupSize-1)/blob.GroupSize; g++ {
			all = all && s.groups[g]
		}
		if all {
			s.written.Set(i)
		}
	}
	return nil
}

func (s *memSink) Written() blob.Bitfield {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written.Clone()
}

func (s *memSink) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.data)
}

// provider is a host serving a memSource.
type provider struct {
	h   host.Host
	src *memSource
	srv *Server
}

func newProvider(t testing.TB, lim ServerLimits) *provider {
	t.Helper()
	h := newHost(t)
	src := newSource()
	srv := NewServer(h, src, lim, nil)
	t.Cleanup(func() { srv.Close() })
	return &provider{h: h, src: src, srv: srv}
}

// newClient returns a client host knowing the providers' addresses.
func newClient(t testing.TB, ps ...*provider) (host.Host, *Client) {
	t.Helper()
	h := newHost(t)
	for _, p := range ps {
		know(h, p.h)
	}
	c := NewClient(h, nil)
	t.Cleanup(func() { c.Close() })
	return h, c
}

func ids(ps ...*provider) []peer.ID {
	var out []peer.ID
	for _, p := range ps {
		out = append(out, p.h.ID())
	}
	return out
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// lastProgress records the last Progress reported.
type lastProgress struct {
	mu sync.Mutex
	p  Progress
	n  int
}

func (l *lastProgress) set(p Progress) {
	l.mu.Lock()
	l.p = p
	l.n++
	l.mu.Unlock()
}

func (l *lastProgress) get() Progress {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p
}

// waitFor polls cond for up to 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
