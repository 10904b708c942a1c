package blobnet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

func TestGetMany(t *testing.T) {
	var log requestLog
	p := newProvider(t, ServerLimits{})
	p.srv.hook = log.hook
	var roots []blob.Root
	want := map[blob.Root][]byte{}
	for i := range 50 {
		data, root, ob := makeBlob(t, i*300+1, uint64(100+i))
		p.src.add(data, root, ob, nil)
		roots = append(roots, root)
		want[root] = data
	}
	big, bigRoot, bigOB := makeBlob(t, blob.GroupSize+1, 99)
	p.src.add(big, bigRoot, bigOB, nil)
	roots = append(roots, blob.Sum([]byte("absent")), bigRoot)
	_, c := newClient(t, p)
	got, err := c.GetMany(testCtx(t), p.h.ID(), roots)
	if err != nil {
		t.Fatalf("GetMany() = %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("GetMany() returned %d blobs, want %d", len(got), len(want))
	}
	for r, d := range want {
		if !bytes.Equal(got[r], d) {
			t.Errorf("blob %s differs", r.Short())
		}
	}
	log.mu.Lock()
	if log.types[tGetMany] != 1 {
		t.Errorf("server saw %d GETMANY, want 1 (one round trip)", log.types[tGetMany])
	}
	log.mu.Unlock()

	// A server lying about a small blob fails the call.
	p.src.corrupt = true // ReadPiece flips a byte
	if _, err := c.GetMany(testCtx(t), p.h.ID(), roots[:3]); !errors.Is(err, blob.ErrBadData) {
		t.Errorf("GetMany() from a liar = %v, want ErrBadData", err)
	}
}

// rawStream opens a /skein/blob/1.0.0 stream from a new host to p.
func rawStream(t *testing.T, p *provider) network.Stream {
	t.Helper()
	h := newHost(t)
	know(h, p.h)
	st, err := h.NewStream(testCtx(t), p.h.ID(), ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Reset() })
	return st
}

// readMsgs reads frames from br until want returns true for one.
func readUntil(t *testing.T, br *bufio.Reader, want func(*msg) bool) {
	t.Helper()
	for {
		typ, p, err := readFrame(br, clientBound, nil)
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		m, err := decodeMsg(typ, p)
		if err != nil {
			t.Fatal(err)
		}
		if want(&m) {
			return
		}
	}
}

func TestServerCaps(t *testing.T) {
	const size = 40 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 8)
	tests := []struct {
		name   string
		lim    ServerLimits
		gets   int
		reason Reason
		first  int // first request rejected
	}{
		{"outstanding bytes", ServerLimits{Rate: 16 << 10}, 20, ReasonBusy, 16},
		{"open requests", ServerLimits{Rate: 16 << 10, MaxOutstanding: 64 << 20, MaxRequests: 8}, 12, ReasonTooMany, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, tt.lim)
			p.src.add(data, root, ob, nil)
			st := rawStream(t, p)
			var req []byte
			for i := range tt.gets {
				req = appendMsg(req, &msg{Type: tGet, ID: uint32(i), Root: root, Piece: i})
			}
			if _, err := st.Write(req); err != nil {
				t.Fatal(err)
			}
			rejected := map[uint32]bool{}
			readUntil(t, bufio.NewReader(st), func(m *msg) bool {
				if m.Type == tReject {
					if m.Reason != tt.reason || m.ID < uint32(tt.first) {
						t.Errorf("REJECT %s of request %d, want %s from %d", m.Reason, m.ID, tt.reason, tt.first)
					}
					rejected[m.ID] = true
				}
				return len(rejected) == tt.gets-tt.first
			})
		})
	}
	t.Run("peers", func(t *testing.T) {
		p := newProvider(t, ServerLimits{MaxPeers: 1, Rate: 16 << 10})
		p.src.add(data, root, ob, nil)
		first := rawStream(t, p)
		first.Write(appendMsg(nil, &msg{Type: tGet, ID: 1, Root: root, Piece: 0}))
		readUntil(t, bufio.NewReader(first), func(m *msg) bool { return m.Type == tData })
		second := rawStream(t, p)
		second.Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root}))
		readUntil(t, bufio.NewReader(second), func(m *msg) bool {
			if m.Type != tReject || m.Reason != ReasonBusy || m.Root != root {
				t.Fatalf("second peer got %s, want REJECT busy", m.Type)
			}
			return true
		})
	})
	t.Run("streams of a peer", func(t *testing.T) {
		p := newProvider(t, ServerLimits{})
		p.src.add(data, root, ob, nil)
		h := newHost(t)
		know(h, p.h)
		for i := range maxPeerStreams + 1 {
			st, err := h.NewStream(testCtx(t), p.h.ID(), ID)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Reset() })
			st.Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root}))
			readUntil(t, bufio.NewReader(st), func(m *msg) bool {
				if busy := m.Type == tReject && m.Reason == ReasonBusy; busy != (i == maxPeerStreams) {
					t.Fatalf("stream %d got %s, want REJECT busy only for stream %d", i, m.Type, maxPeerStreams)
				}
				return true
			})
		}
	})
	t.Run("cancel", func(t *testing.T) {
		p := newProvider(t, ServerLimits{Rate: 64 << 10})
		p.src.add(data, root, ob, nil)
		st := rawStream(t, p)
		var req []byte
		for i := range 3 {
			req = appendMsg(req, &msg{Type: tGet, ID: uint32(i), Root: root, Piece: i})
		}
		req = appendMsg(req, &msg{Type: tCancel, ID: 0})
		req = appendMsg(req, &msg{Type: tCancel, ID: 1})
		req = appendMsg(req, &msg{Type: tGet, ID: 9, Root: root, Piece: 39})
		st.Write(req)
		var ids []uint32
		readUntil(t, bufio.NewReader(st), func(m *msg) bool {
			if m.Type == tData && (len(ids) == 0 || ids[len(ids)-1] != m.ID) {
				ids = append(ids, m.ID)
			}
			return m.Type == tData && m.ID == 9
		})
		// Request 0 may have begun before its CANCEL arrived; 1 never.
		for _, id := range ids {
			if id == 1 {
				t.Errorf("DATA of cancelled request 1 sent: %v", ids)
			}
		}
	})
}

func TestServerRejects(t *testing.T) {
	const size = 3 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 9)
	p := newProvider(t, ServerLimits{})
	have := blob.NewBitfield(3)
	have.Set(0)
	have.Set(2)
	p.src.add(data, root, ob, have)
	absent := blob.Sum([]byte("absent"))
	tests := []struct {
		req  msg
		want msg
	}{
		{msg{Type: tHaveQ, Root: root}, msg{Type: tHave, Root: root, Size: size, Form: haveSome, Bits: blob.Bitfield{0xa0}}},
		{msg{Type: tHaveQ, Root: absent}, msg{Type: tHave, Root: absent}},
		{msg{Type: tOutboardQ, Root: absent}, msg{Type: tReject, Reason: ReasonNotFound, ByRoot: true, Root: absent}},
		{msg{Type: tGet, ID: 7, Root: root, Piece: 1}, msg{Type: tReject, Reason: ReasonNotHave, ID: 7}},
		{msg{Type: tGet, ID: 8, Root: root, Piece: 3}, msg{Type: tReject, Reason: ReasonInvalid, ID: 8}},
		{msg{Type: tGet, ID: 9, Root: absent, Piece: 0}, msg{Type: tReject, Reason: ReasonNotFound, ID: 9}},
		{msg{Type: tGetMany, Roots: []blob.Root{root}}, msg{Type: tReject, Reason: ReasonNotFound, ByRoot: true, Root: root}},
	}
	st := rawStream(t, p)
	br := bufio.NewReader(st)
	for _, tt := range tests {
		st.Write(appendMsg(nil, &tt.req))
		typ, payload, err := readFrame(br, clientBound, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.req.Type, err)
		}
		if got, want := append([]byte{byte(typ)}, payload...), appendMsg(nil, &tt.want); !bytes.Equal(got[0:1], want[0:1]) || !bytes.Equal(payload, want[len(want)-len(payload):]) {
			t.Errorf("%s: answer %x, want %x", tt.req.Type, got, want)
		}
	}
}

func TestServerMalformed(t *testing.T) {
	p := newProvider(t, ServerLimits{})
	for _, bad := range [][]byte{
		{0x02, 0x00},                   // a server's message
		{0x01, 0x21},                   // HAVE? longer than a root
		{0x05, 0xff, 0xff, 0xff, 0x0f}, // a huge length
		{0x42, 0x00},                   // unknown type
	} {
		st := rawStream(t, p)
		st.Write(bad)
		_, err := io.ReadAll(st)
		if err == nil {
			t.Errorf("after %x the stream ended cleanly, want a reset", bad)
		}
	}
}

func TestServerIdle(t *testing.T) {
	p := newProvider(t, ServerLimits{Idle: 100 * time.Millisecond})
	st := rawStream(t, p)
	done := make(chan error, 1)
	go func() { _, err := st.Read(make([]byte, 1)); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("read a byte from an idle stream")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an idle stream was not closed")
	}
}

// TestMalformedProvider: a provider answering garbage is dropped.
func TestMalformedProvider(t *testing.T) {
	const size = 2 * blob.PieceSize
	_, root, _ := makeBlob(t, size, 10)
	for _, answer := range [][]byte{
		{0x06, 0x00},             // DATA of nothing
		{0x02, 0xff, 0xff, 0x7f}, // HAVE longer than its limit
		appendMsg(nil, &msg{Type: tHave, Root: root, Size: size + 1, Form: haveAll}),
	} {
		h := newHost(t)
		h.SetStreamHandler(ID, func(st network.Stream) {
			readFrame(bufio.NewReader(st), serverBound, nil)
			st.Write(answer)
			st.Close()
		})
		_, c := newClient(t)
		know(c.h, h)
		err := c.Get(testCtx(t), Fetch{Root: root, Size: size, Sink: newSink(root, size), Providers: []peer.ID{h.ID()}})
		if !errors.Is(err, ErrNoProviders) || !errors.Is(err, ErrProtocol) {
			t.Errorf("Get() from a server answering %x = %v, want ErrNoProviders wrapping ErrProtocol", answer, err)
		}
	}
	_, c := newClient(t)
	if err := c.Get(testCtx(t), Fetch{Root: root, Size: blob.MaxSize + 1, Sink: newSink(root, 1)}); !errors.Is(err, blob.ErrTooLarge) {
		t.Errorf("Get() of a blob over MaxSize = %v, want ErrTooLarge", err)
	}
}

func TestClose(t *testing.T) {
	const size = 16 * blob.PieceSize
	data, root, ob := makeBlob(t, size, 11)
	p := newProvider(t, ServerLimits{Rate: 256 << 10})
	p.src.add(data, root, ob, nil)
	_, c := newClient(t, p)
	var pr lastProgress
	done := make(chan error, 1)
	go func() {
		done <- c.Get(context.Background(), Fetch{Root: root, Size: size, Sink: newSink(root, size), Providers: ids(p), Progress: pr.set})
	}()
	waitFor(t, "some progress", func() bool { return pr.get().Verified > 0 })
	c.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Get() after Close = %v, want ErrClosed", err)
	}
	if err := c.Get(context.Background(), Fetch{Root: root, Size: size, Sink: newSink(root, size)}); !errors.Is(err, ErrClosed) {
		t.Errorf("Get() on a closed Client = %v, want ErrClosed", err)
	}
}

func TestSize(t *testing.T) {
	data, root, ob := makeBlob(t, 600000, 13)
	has, hasnt := newProvider(t, ServerLimits{}), newProvider(t, ServerLimits{})
	has.src.add(data, root, ob, nil)
	_, c := newClient(t, has, hasnt)
	if size, err := c.Size(testCtx(t), ids(hasnt, has), root); err != nil || size != 600000 {
		t.Errorf("Size() = %d, %v; want 600000", size, err)
	}
	if _, err := c.Size(testCtx(t), ids(hasnt), root); !errors.Is(err, ErrNoProviders) {
		t.Errorf("Size() from a provider without it = %v, want ErrNoProviders", err)
	}
}

// TestAnswerTimeout: a peer that accepts the stream and never answers
// fails GetMany and Size after the client's answer timeout instead of
// stalling them.
func TestAnswerTimeout(t *testing.T) {
	root := blob.Sum([]byte("small"))
	tests := []struct {
		name string
		call func(c *Client, p peer.ID) error
	}{
		{"GetMany", func(c *Client, p peer.ID) error {
			_, err := c.GetMany(context.Background(), p, []blob.Root{root})
			return err
		}},
		{"Size", func(c *Client, p peer.ID) error {
			_, err := c.Size(context.Background(), []peer.ID{p}, root)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			h.SetStreamHandler(ID, func(st network.Stream) {
				// Read the request, never answer; end when the client
				// closes or resets the stream.
				io.Copy(io.Discard, st)
				st.Reset()
			})
			_, c := newClient(t)
			c.answerTimeout = 200 * time.Millisecond
			know(c.h, h)
			done := make(chan error, 1)
			go func() { done <- tt.call(c, h.ID()) }()
			select {
			case err := <-done:
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("%s from a silent peer = %v, want os.ErrDeadlineExceeded", tt.name, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%s from a silent peer stalled", tt.name)
			}
		})
	}
}

// TestIdleIgnoresControl: HAVE? (like OUTBOARD? and CANCEL) does not keep
// a stream from idling; an admitted GET does.
func TestIdleIgnoresControl(t *testing.T) {
	data, root, ob := makeBlob(t, 4*blob.PieceSize, 41)
	p := newProvider(t, ServerLimits{Idle: 300 * time.Millisecond})
	p.src.add(data, root, ob, nil)
	st := rawStream(t, p)
	done := make(chan error, 1)
	go func() {
		br := bufio.NewReader(st)
		for {
			if _, _, err := readFrame(br, clientBound, nil); err != nil {
				done <- err
				return
			}
		}
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case <-done:
			return // closed as idle despite the HAVE?s
		case <-tick.C:
			st.Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root}))
		case <-timeout:
			t.Fatal("a stream sending only HAVE? was never closed as idle")
		}
	}
}

// TestMaxPeersEvictsIdle: when MaxPeers are served, a new peer takes the
// place of the one idle longest (no request in flight for idleEvict), not
// of one with a request in flight.
func TestMaxPeersEvictsIdle(t *testing.T) {
	data, root, ob := makeBlob(t, 4*blob.PieceSize, 42)
	tests := []struct {
		name    string
		busy    bool // the first two peers have a GET in flight
		evicted bool
	}{
		{"idle peer evicted", false, true},
		{"busy peers kept", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, ServerLimits{MaxPeers: 2})
			p.srv.idleEvict = time.Nanosecond
			p.src.add(data, root, ob, nil)
			stall := make(chan struct{})
			defer close(stall)
			if tt.busy {
				p.src.stall = stall
			}
			var olds []network.Stream
			var readers []*bufio.Reader
			for i := range 2 {
				st := rawStream(t, p)
				br := bufio.NewReader(st)
				st.Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root}))
				readUntil(t, br, func(m *msg) bool { return m.Type == tHave })
				if tt.busy {
					st.Write(appendMsg(nil, &msg{Type: tGet, ID: 1, Root: root, Piece: i}))
				}
				olds, readers = append(olds, st), append(readers, br)
			}
			if tt.busy {
				waitFor(t, "both GETs being served", func() bool { return p.src.readCount() == 2 })
			}
			st := rawStream(t, p)
			st.Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root}))
			var got msg
			readUntil(t, bufio.NewReader(st), func(m *msg) bool { got = *m; return true })
			if admitted := got.Type == tHave; admitted != tt.evicted {
				t.Fatalf("third peer got %s %s, want admitted %v", got.Type, got.Reason, tt.evicted)
			}
			if !tt.evicted {
				return
			}
			// The first peer, idle longest, lost its stream; the second
			// is still served.
			if _, _, err := readFrame(readers[0], clientBound, nil); err == nil {
				t.Error("the evicted peer's stream still works")
			}
			olds[1].Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root}))
			readUntil(t, readers[1], func(m *msg) bool {
				if m.Type != tHave {
					t.Fatalf("the second peer got %s, want HAVE", m.Type)
				}
				return true
			})
		})
	}
}

// TestPieceBuffersOnFirstGet: a stream that only asks HAVE? and GETMANY
// takes no piece buffers; its first GET takes them from the pool.
func TestPieceBuffersOnFirstGet(t *testing.T) {
	data, root, ob := makeBlob(t, 2*blob.PieceSize, 43)
	small, smallRoot, smallOB := makeBlob(t, 100, 44)
	p := newProvider(t, ServerLimits{})
	p.src.add(data, root, ob, nil)
	p.src.add(small, smallRoot, smallOB, nil)
	var streams []network.Stream
	var readers []*bufio.Reader
	for range 4 {
		st := rawStream(t, p)
		br := bufio.NewReader(st)
		readers = append(readers, br)
		st.Write(appendMsg(appendMsg(nil, &msg{Type: tHaveQ, Root: root}), &msg{Type: tGetMany, Roots: []blob.Root{smallRoot}}))
		readUntil(t, br, func(m *msg) bool { return m.Type == tBlob })
		streams = append(streams, st)
	}
	if n := p.srv.bufsMade.Load(); n != 0 {
		t.Fatalf("%d piece buffers allocated for streams without a GET, want 0", n)
	}
	st := streams[0]
	st.Write(appendMsg(nil, &msg{Type: tGet, ID: 1, Root: root, Piece: 1}))
	got := 0
	readUntil(t, readers[0], func(m *msg) bool {
		if m.Type == tData {
			got += len(m.Data)
		}
		return got == blob.PieceSize
	})
	if n := p.srv.bufsMade.Load(); n != 1 {
		t.Fatalf("%d piece buffers allocated after one GET, want 1", n)
	}
}
