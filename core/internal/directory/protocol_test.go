package directory

import (
	"bufio"
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
)

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

// connect connects a to b.
func connect(t testing.TB, a, b host.Host) {
	t.Helper()
	if err := a.Connect(context.Background(), peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
}

func TestServer(t *testing.T) {
	reg := newRegistry()
	d, _ := fill(t, reg, bob, carol)
	reg.set("alice", alice.seed)
	if err := d.AddRecord(record(t, alice.seed, "alice", t0+1000)); err != nil {
		t.Fatal(err)
	}
	relay, client := newHost(t), newHost(t)
	srv := NewServer(d, Limits{PeerRate: 0.001, PeerBurst: 6}, ratelimit.NewLog(nil))
	relay.SetStreamHandler(ProtocolID, srv.Serve)
	connect(t, client, relay)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// alice publishes her profile; bob searches for her.
	st, err := PublishPeer(ctx, client, relay.ID(), profileEntry(t, alice.seed, 2, *alice.profile))
	if st != StatusOK || err != nil {
		t.Fatalf("PublishPeer() = %v, %v; want ok", st, err)
	}
	st, err = PublishPeer(ctx, client, relay.ID(), profileEntry(t, alice.seed, 2, *alice.profile))
	if st != StatusStale || err != nil {
		t.Fatalf("PublishPeer() again = %v, %v; want stale", st, err)
	}
	raw, err := SearchPeer(ctx, client, relay.ID(), "RABBIT", 10)
	if err != nil {
		t.Fatal(err)
	}
	res, dropped := Merge("RABBIT", 10, [][]Raw{raw}, testNow)
	if len(res) != 1 || dropped != 0 || res[0].Name != "alice" || res[0].Profile.Bio != alice.profile.Bio {
		t.Fatalf("Merge(SearchPeer(RABBIT)) = %+v, dropped %d; want alice's profile", res, dropped)
	}
	if raw, err := SearchPeer(ctx, client, relay.ID(), "nobody", 10); err != nil || len(raw) != 0 {
		t.Errorf("SearchPeer(nobody) = %d results, %v; want none", len(raw), err)
	}
	if _, err := SearchPeer(ctx, client, relay.ID(), "", 10); err == nil {
		t.Error("SearchPeer(\"\") = nil error, want ErrQuery")
	}
	// A bad request costs a token too, and is answered as invalid.
	if st, err := PublishPeer(ctx, client, relay.ID(), []byte("junk")); st != StatusInvalid || err != nil {
		t.Errorf("PublishPeer(junk) = %v, %v; want invalid", st, err)
	}
	// The burst of 6 is spent: the relay says busy.
	if _, err := SearchPeer(ctx, client, relay.ID(), "bob", 10); err != nil {
		t.Fatal(err)
	}
	if _, err := SearchPeer(ctx, client, relay.ID(), "bob", 10); err == nil {
		t.Error("SearchPeer() past the burst = nil error, want busy")
	}
}

// hostile serves a canned response to every directory request.
func hostile(t *testing.T, response []byte) (relay, client host.Host) {
	t.Helper()
	relay, client = newHost(t), newHost(t)
	relay.SetStreamHandler(ProtocolID, func(s network.Stream) {
		defer s.Close()
		if _, err := ReadFrame(bufio.NewReader(s), MaxRequest); err != nil {
			s.Reset()
			return
		}
		s.Write(response)
	})
	connect(t, client, relay)
	return relay, client
}

func TestHostileRelay(t *testing.T) {
	aliceRec := record(t, alice.seed, "alice", t0+1000)
	aliceEnt := profileEntry(t, alice.seed, 2, *alice.profile)
	forgedRec := record(t, bob.seed, "bob", t0+1000)
	forgedRec[len(forgedRec)-1] ^= 1
	forgedEnt := profileEntry(t, alina.seed, 2, entry.Profile{Bio: "ali"})
	forgedEnt[entry.HeaderSize+3] ^= 1
	altered := slices.Clone(aliceEnt)
	copy(altered[len(altered)-6:], "h0le!!")
	future := record(t, alina.seed, "alina", uint64(testNow.Add(2*time.Hour).UnixMilli()))
	results := []Raw{
		{Record: aliceRec, Entry: aliceEnt},                            // genuine
		{Record: forgedRec},                                            // forged record signature
		{Record: record(t, alina.seed, "alina", t0), Entry: forgedEnt}, // forged entry signature
		{Record: aliceRec, Entry: altered},                             // altered bio
		{Record: record(t, carol.seed, "carol", t0), Entry: aliceEnt},  // alice's profile with carol's record
		{Record: record(t, carol.seed, "carol", t0)},                   // does not match "ali"
		{Record: record(t, bob.seed, "bob", t0), Entry: newEntry(t, bob.seed, 3, entry.KindPost, []byte("ali"))}, // a post, not a profile
		{Record: future}, // dated in the future
	}
	relay, client := hostile(t, AppendResponse(nil, StatusOK, results))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := SearchPeer(ctx, client, relay.ID(), "ali", MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	res, dropped := Merge("ali", MaxLimit, [][]Raw{raw, raw}, testNow)
	if len(res) != 1 || res[0].Name != "alice" || dropped != 2*(len(results)-1) {
		t.Errorf("Merge() = %d results, dropped %d; want alice alone, %d dropped", len(res), dropped, 2*(len(results)-1))
	}
	for i, r := range results[1:] {
		if _, err := Verify("ali", r, testNow); err == nil {
			t.Errorf("Verify(hostile result %d) = nil error", i+1)
		}
	}
}

func TestHostileResponses(t *testing.T) {
	aliceRec := record(t, alice.seed, "alice", t0+1000)
	tooMany := make([]Raw, 3)
	for i := range tooMany {
		tooMany[i] = Raw{Record: aliceRec}
	}
	oversize := binary.AppendUvarint(nil, MaxResponse+1)
	tests := []struct {
		name     string
		response []byte
	}{
		{"more results than asked", AppendResponse(nil, StatusOK, tooMany)},
		{"oversize frame", append(oversize, make([]byte, 64)...)},
		{"truncated", AppendResponse(nil, StatusOK, tooMany[:1])[:20]},
		{"nothing", nil},
		{"busy", AppendResponse(nil, StatusBusy, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			relay, client := hostile(t, tt.response)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if raw, err := SearchPeer(ctx, client, relay.ID(), "ali", 2); err == nil {
				t.Errorf("SearchPeer() = %d results, nil error; want an error", len(raw))
			}
		})
	}
}

// TestServerStreams: a peer with Streams requests in progress has the next
// one reset; a request that never comes ends at the Timeout.
func TestServerStreams(t *testing.T) {
	d, _ := fill(t, newRegistry(), bob)
	relay, client := newHost(t), newHost(t)
	srv := NewServer(d, Limits{Streams: 2, Timeout: 3 * time.Second}, ratelimit.NewLog(nil))
	relay.SetStreamHandler(ProtocolID, srv.Serve)
	connect(t, client, relay)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var idle []network.Stream
	for range 2 {
		s, err := client.NewStream(ctx, relay.ID(), ProtocolID)
		if err != nil {
			t.Fatal(err)
		}
		s.Write([]byte{0x82}) // the start of a length, and nothing more
		idle = append(idle, s)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := srv.streams.Held(client.ID())
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server holds %d streams of the peer, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := SearchPeer(ctx, client, relay.ID(), "bob", 10); err == nil {
		t.Error("SearchPeer() with 2 streams open = nil error, want a reset")
	}
	// The idle streams time out; then the peer is served again.
	for _, s := range idle {
		if _, err := s.Read(make([]byte, 1)); err == nil {
			t.Error("an idle stream got an answer")
		}
		s.Reset()
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		raw, err := SearchPeer(ctx, client, relay.ID(), "bob", 10)
		if err == nil && len(raw) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SearchPeer() after the idle streams ended = %d, %v", len(raw), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
