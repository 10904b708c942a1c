package chatnet

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// relay starts a host serving eng (and inbox, if not nil) within lim, and
// a client host connected to it.
func relay(t *testing.T, eng *fakeEngine, inbox *Inbox, lim Limits) (*Server, host.Host, host.Host) {
	t.Helper()
	rh, ch := newHost(t), newHost(t)
	srv := NewServer(rh, eng, eng, inbox, lim, ratelimit.NewLog(nil))
	t.Cleanup(func() { srv.Close() })
	connect(t, ch, rh)
	return srv, rh, ch
}

func ids2(es []*chatlog.Entry) []chatlog.ID {
	out := make([]chatlog.ID, len(es))
	for i, e := range es {
		out[i] = e.ID()
	}
	return out
}

func sameEntries(t *testing.T, what string, got, want []*chatlog.Entry) {
	t.Helper()
	g, w := ids2(got), ids2(want)
	cmp := func(a, b chatlog.ID) int { return slices.Compare(a[:], b[:]) }
	slices.SortFunc(g, cmp)
	slices.SortFunc(w, cmp)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %d entries, want %d (%v, want %v)", what, len(got), len(want), g, w)
	}
}

func TestServerClient(t *testing.T) {
	eng := newEngine()
	as, bs, cs := chain(t, alice, groupA, 3), chain(t, bob, groupA, 2), chain(t, carol, groupA, 2)
	eng.add(as...)
	eng.add(bs...)
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	inbox, err := OpenInbox(kv, InboxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	srv, rh, ch := relay(t, eng, inbox, Limits{})
	ctx := testCtx(t)
	p := rh.ID()

	// sync from nothing, then beyond a frontier.
	got, more, err := Sync(ctx, ch, p, groupA, nil)
	if err != nil || more {
		t.Fatalf("Sync(nothing) = %d, %v, %v", len(got), more, err)
	}
	sameEntries(t, "Sync(nothing)", got, append(slices.Clone(as), bs...))
	got, _, err = Sync(ctx, ch, p, groupA, map[entry.Key]uint64{keyOf(alice): 2, keyOf(bob): 2, keyOf(carol): 0})
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "Sync(alice 2, bob 2)", got, as[2:])
	if _, _, err := Sync(ctx, ch, p, groupB, nil); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("Sync(unknown group) = %v, want ErrUnknownGroup", err)
	}

	// push carol's entries, twice: kept once.
	if n, err := Push(ctx, ch, p, groupA, cs); n != 2 || err != nil {
		t.Errorf("Push(carol's) = %d, %v; want 2 kept", n, err)
	}
	if n, err := Push(ctx, ch, p, groupA, cs); n != 0 || err != nil {
		t.Errorf("Push(carol's) again = %d, %v; want 0 kept", n, err)
	}
	if _, err := Push(ctx, ch, p, groupB, chain(t, carol, groupB, 1)); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("Push(unknown group) = %v, want ErrUnknownGroup", err)
	}
	if _, err := Push(ctx, ch, p, groupA, chain(t, carol, groupB, 1)); err == nil {
		t.Error("Push(an entry of another group) = nil error")
	}

	// get by ID: the held ones, an unknown ID left out.
	want := []*chatlog.Entry{as[1], cs[0]}
	got, err = Get(ctx, ch, p, groupA, []chatlog.ID{as[1].ID(), {7}, cs[0].ID(), as[1].ID()})
	if err != nil {
		t.Fatal(err)
	}
	sameEntries(t, "Get()", got, want)
	if _, err := Get(ctx, ch, p, groupB, []chatlog.ID{{7}}); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("Get(unknown group) = %v, want ErrUnknownGroup", err)
	}
	if _, err := Get(ctx, ch, p, groupA, make([]chatlog.ID, MaxGetIDs+1)); err != nil {
		t.Errorf("Get(65 equal IDs) = %v; they are one", err) // compacted to one
	}

	// prekeys: none, then bob's published.
	if _, err := FetchPrekey(ctx, ch, p, keyOf(bob)); !errors.Is(err, ErrNotFound) {
		t.Errorf("FetchPrekey(bob) before = %v, want ErrNotFound", err)
	}
	rec := prekey(t, bob, time.Now())
	if err := PutPrekey(ctx, ch, p, rec); err != nil {
		t.Fatalf("PutPrekey(bob) = %v", err)
	}
	if r, err := FetchPrekey(ctx, ch, p, keyOf(bob)); err != nil || *r != *rec {
		t.Errorf("FetchPrekey(bob) = %+v, %v; want the record put", r, err)
	}
	forged := *rec
	forged.Expires++
	if err := PutPrekey(ctx, ch, p, &forged); !errors.Is(err, ErrBadRequest) {
		t.Errorf("PutPrekey(forged) = %v, want ErrBadRequest", err)
	}

	// inbox: alice has two groups; bob none.
	now := time.Now()
	for _, g := range []chatlog.GroupID{groupA, groupB, groupA} {
		if err := inbox.Add(keyOf(alice), g, now); err != nil {
			t.Fatal(err)
		}
	}
	items, next, err := FetchInbox(ctx, ch, p, alice, 0)
	if err != nil || len(items) != 2 || items[0].Group != groupB || items[1].Group != groupA {
		t.Fatalf("FetchInbox(alice) = %v, %d, %v; want groups B, A", items, next, err)
	}
	if items, next2, err := FetchInbox(ctx, ch, p, alice, next); err != nil || len(items) != 0 || next2 != next {
		t.Errorf("FetchInbox(alice, next) = %v, %d, %v; want nothing, %d", items, next2, err, next)
	}
	if items, _, err := FetchInbox(ctx, ch, p, bob, 0); err != nil || len(items) != 0 {
		t.Errorf("FetchInbox(bob) = %v, %v; want nothing", items, err)
	}
	if st := srv.Stats(); st.Refused != 0 || st.Dropped != 0 || st.BadRequest != 1 || st.Served < 15 {
		t.Errorf("Stats() = %+v, want 1 bad request (the forged record), none refused or dropped", st)
	}
}

// TestServerRecord: a name record held is answered as it is and
// verified by the client; none held is ErrNotFound.
func TestServerRecord(t *testing.T) {
	eng := newEngine()
	rec := nameRecord(t)
	eng.records[keyOf(alice)] = rec
	eng.records[keyOf(carol)] = make([]byte, MaxNameRecord+1) // a Source over the bound
	srv, rh, ch := relay(t, eng, nil, Limits{})
	ctx := testCtx(t)
	got, err := FetchRecord(ctx, ch, rh.ID(), keyOf(alice))
	if err != nil || !bytes.Equal(got, rec) {
		t.Errorf("FetchRecord(alice) = %x, %v; want her record", got, err)
	}
	for _, who := range []ed25519.PrivateKey{bob, carol} {
		if _, err := FetchRecord(ctx, ch, rh.ID(), keyOf(who)); !errors.Is(err, ErrNotFound) {
			t.Errorf("FetchRecord(%s) = %v, want ErrNotFound", keyOf(who).Short(), err)
		}
	}
	if st := srv.Stats(); st.Served != 3 || st.Refused+st.BadRequest+st.Dropped != 0 {
		t.Errorf("Stats() = %+v, want 3 served", st)
	}
}

// TestServerGroups: the Server answers the public groups whose name
// matches, each once, within the limit, whatever its Source returns; the
// client gets them verified, with the member counts.
func TestServerGroups(t *testing.T) {
	eng := newEngine()
	hikers := groupCreate(t, alice, groupA, "Köln Hikers")
	bikers := groupCreate(t, bob, groupB, "HIKERS and bikers")
	other := groupCreate(t, carol, chatlog.GroupID{0x49}, "Bakers")
	private := groupCreate(t, carol, chatlog.GroupID{0x4a}, "")
	eng.addPublic(
		GroupHit{Create: hikers, Members: 12},
		GroupHit{Create: private, Members: 2},           // not public: dropped
		GroupHit{Create: other, Members: 5},             // no match: dropped
		GroupHit{Create: nil, Members: 1},               // nothing: dropped
		GroupHit{Create: chain(t, alice, groupA, 1)[0]}, // not a create: dropped
		GroupHit{Create: hikers, Members: 13},           // twice: dropped
		GroupHit{Create: bikers, Members: -4},           // negative: 0
	)
	srv, rh, ch := relay(t, eng, nil, Limits{})
	ctx := testCtx(t)
	tests := []struct {
		query string
		limit int
		want  []GroupHit
	}{
		{"hikers", 10, []GroupHit{{hikers, 12}, {bikers, 0}}},
		{"KÖLN", 10, []GroupHit{{hikers, 12}}},
		{"hike", 1, []GroupHit{{hikers, 12}}},
		{"bake", MaxGroupHits, []GroupHit{{other, 5}}},
		{"nobody", 10, nil},
	}
	for _, tt := range tests {
		got, err := SearchGroups(ctx, ch, rh.ID(), tt.query, tt.limit)
		if err != nil {
			t.Errorf("SearchGroups(%q, %d) = %v", tt.query, tt.limit, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("SearchGroups(%q, %d) = %d groups, want %d", tt.query, tt.limit, len(got), len(tt.want))
			continue
		}
		for i := range got {
			if got[i].Create.ID() != tt.want[i].Create.ID() || got[i].Members != tt.want[i].Members {
				t.Errorf("SearchGroups(%q, %d)[%d] = %s with %d members, want %s with %d", tt.query, tt.limit, i,
					got[i].Create.Group.Short(), got[i].Members, tt.want[i].Create.Group.Short(), tt.want[i].Members)
			}
		}
	}
	for _, bad := range []struct {
		query string
		limit int
		want  error
	}{
		{"", 1, ErrTooLarge},
		{"hikers", 0, ErrTooLarge},
		{"hikers", MaxGroupHits + 1, ErrTooLarge},
		{"hi\nkers", 1, ErrProtocol},
	} {
		if _, err := SearchGroups(ctx, ch, rh.ID(), bad.query, bad.limit); !errors.Is(err, bad.want) {
			t.Errorf("SearchGroups(%q, %d) = %v, want %v", bad.query, bad.limit, err, bad.want)
		}
	}
	if st := srv.Stats(); st.Served != uint64(len(tests)) || st.Refused+st.BadRequest+st.Dropped != 0 {
		t.Errorf("Stats() = %+v, want %d served and nothing else (bad queries are not sent)", st, len(tests))
	}
}

// TestSyncMore: an answer stops at MaxAnswerBytes with "more", and the
// client asks again from its new frontier; a push of large entries is cut
// into requests within MaxRequest.
func TestSyncMore(t *testing.T) {
	eng := newEngine()
	eng.add(chain(t, bob, groupA, 1)...)
	_, rh, ch := relay(t, eng, nil, Limits{})
	ctx := testCtx(t)
	var big []*chatlog.Entry
	var prev chatlog.ID
	for i := range 35 {
		e := sealed(t, alice, groupA, uint64(i+1), prev, chatlog.MaxBody)
		big = append(big, e)
		prev = e.ID()
	}
	if n, err := Push(ctx, ch, rh.ID(), groupA, big); n != len(big) || err != nil {
		t.Fatalf("Push(35 large entries) = %d, %v", n, err)
	}
	if eng.pushCount() != 5 {
		t.Errorf("Push(35 large entries) made %d requests, want 5 of up to 7", eng.pushCount())
	}
	have := map[entry.Key]uint64{keyOf(bob): 1}
	var all []*chatlog.Entry
	for round := 0; ; round++ {
		got, more, err := Sync(ctx, ch, rh.ID(), groupA, have)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 && (!more || len(got) != MaxAnswerBytes/big[0].Size()) {
			t.Errorf("first Sync() = %d entries, more %v; want %d, more", len(got), more, MaxAnswerBytes/big[0].Size())
		}
		for _, e := range got {
			have[e.Author] = max(have[e.Author], e.Seq)
		}
		all = append(all, got...)
		if !more {
			break
		}
		if round > 3 {
			t.Fatal("Sync() keeps saying more")
		}
	}
	sameEntries(t, "Sync() rounds", all, big)
}

func TestServerBadRequests(t *testing.T) {
	eng := newEngine()
	eng.add(chain(t, bob, groupA, 1)...)
	srv, rh, ch := relay(t, eng, nil, Limits{})
	ctx := testCtx(t)
	other := chain(t, alice, groupB, 1)[0].Encode()
	forged := chain(t, alice, groupA, 1)[0].Encode()
	forged[len(forged)-1] ^= 1
	inbox, err := SignInbox(alice, 0, time.Now(), rh.ID())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  *Request
	}{
		{"push of another group's entry", &Request{Op: OpPush, Group: groupA, Entries: [][]byte{other}}},
		{"push of a forged entry", &Request{Op: OpPush, Group: groupA, Entries: [][]byte{forged}}},
		{"push of junk", &Request{Op: OpPush, Group: groupA, Entries: [][]byte{[]byte("junk")}}},
		{"inbox without an inbox", inbox},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := call(ctx, ch, rh.ID(), tt.req); !errors.Is(err, ErrBadRequest) {
				t.Errorf("call() = %v, want ErrBadRequest", err)
			}
		})
	}
	if st := srv.Stats(); st.BadRequest != uint64(len(tests)) {
		t.Errorf("Stats() = %+v, want %d bad requests", st, len(tests))
	}
	if eng.pushCount() != 0 {
		t.Errorf("the Sink saw %d pushes, want none", eng.pushCount())
	}
}

func TestServerInbox(t *testing.T) {
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	inbox, err := OpenInbox(kv, InboxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := inbox.Add(keyOf(alice), groupA, time.UnixMilli(t0)); err != nil {
		t.Fatal(err)
	}
	srv, rh, ch := relay(t, newEngine(), inbox, Limits{})
	now := time.UnixMilli(t0 + 3600_000)
	srv.now = func() time.Time { return now }
	ctx := testCtx(t)
	sign := func(priv ed25519.PrivateKey, at time.Time, server peer.ID) *Request {
		r, err := SignInbox(priv, 0, at, server)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	altered := sign(alice, now, rh.ID())
	altered.Account = keyOf(bob)
	tests := []struct {
		name string
		req  *Request
		want error
	}{
		{"good", sign(alice, now, rh.ID()), nil},
		{"4 minutes old", sign(alice, now.Add(-4*time.Minute), rh.ID()), nil},
		{"6 minutes old", sign(alice, now.Add(-6*time.Minute), rh.ID()), ErrBadRequest},
		{"6 minutes ahead", sign(alice, now.Add(6*time.Minute), rh.ID()), ErrBadRequest},
		{"for another relay", sign(alice, now, ch.ID()), ErrBadRequest},
		{"signed by another key", altered, ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := call(ctx, ch, rh.ID(), tt.req)
			if !errors.Is(err, tt.want) || err == nil && (len(resp.Items) != 1 || resp.Items[0] != (InboxItem{groupA, t0})) {
				t.Errorf("call(inbox) = %+v, %v; want %v", resp, err, tt.want)
			}
		})
	}
}

// TestLimits: a peer over its streams, requests or bytes is refused;
// another peer is not.
func TestLimits(t *testing.T) {
	t.Run("streams", func(t *testing.T) {
		eng := newEngine()
		eng.add(chain(t, bob, groupA, 1)...)
		srv, rh, ch := relay(t, eng, nil, Limits{Streams: 2, Timeout: 3 * time.Second})
		other := newHost(t)
		connect(t, other, rh)
		ctx := testCtx(t)
		var idle []network.Stream
		for range 2 {
			s, err := ch.NewStream(ctx, rh.ID(), ProtocolID)
			if err != nil {
				t.Fatal(err)
			}
			s.Write([]byte{0x82}) // the start of a length, and nothing more
			idle = append(idle, s)
		}
		waitFor(t, "the server to hold 2 streams", func() bool { return srv.streams.Held(ch.ID()) == 2 })
		if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); !errors.Is(err, ErrRefused) {
			t.Errorf("Sync() with 2 streams open = %v, want ErrRefused", err)
		}
		if _, _, err := Sync(ctx, other, rh.ID(), groupA, nil); err != nil {
			t.Errorf("Sync() of another peer = %v", err)
		}
		// The idle streams time out; then the peer is served again.
		for _, s := range idle {
			if _, err := s.Read(make([]byte, 1)); err == nil {
				t.Error("an idle stream got an answer")
			}
			s.Reset()
		}
		waitFor(t, "the idle streams to end", func() bool { return srv.streams.Held(ch.ID()) == 0 })
		if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); err != nil {
			t.Errorf("Sync() after the idle streams ended = %v", err)
		}
		if st := srv.Stats(); st.Refused != 1 || st.Dropped != 2 {
			t.Errorf("Stats() = %+v, want 1 refused, 2 dropped", st)
		}
	})
	t.Run("requests", func(t *testing.T) {
		eng := newEngine()
		eng.add(chain(t, bob, groupA, 1)...)
		srv, rh, ch := relay(t, eng, nil, Limits{PeerRate: 1, PeerBurst: 3})
		other := newHost(t)
		connect(t, other, rh)
		ctx := testCtx(t)
		for i := range 3 {
			if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); err != nil {
				t.Fatalf("Sync() %d within the burst = %v", i, err)
			}
		}
		if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); !errors.Is(err, ErrRefused) {
			t.Errorf("Sync() past the burst = %v, want ErrRefused", err)
		}
		if _, _, err := Sync(ctx, other, rh.ID(), groupA, nil); err != nil {
			t.Errorf("Sync() of another peer = %v", err)
		}
		if st := srv.Stats(); st.Refused != 1 {
			t.Errorf("Stats() = %+v, want 1 refused", st)
		}
	})
	t.Run("push entries", func(t *testing.T) {
		eng := newEngine()
		eng.add(chain(t, bob, groupA, 1)...)
		_, rh, ch := relay(t, eng, nil, Limits{PeerRate: 1, PeerBurst: 3})
		other := newHost(t)
		connect(t, other, rh)
		ctx := testCtx(t)
		es := chain(t, alice, groupA, 49)
		// 49 entries cost 1 + 3 requests: more than the burst.
		if _, err := Push(ctx, ch, rh.ID(), groupA, es); !errors.Is(err, ErrRefused) {
			t.Errorf("Push(49 entries) with a burst of 3 = %v, want ErrRefused", err)
		}
		// 33 cost 1 + 2: the whole burst.
		if n, err := Push(ctx, other, rh.ID(), groupA, es[:33]); n != 33 || err != nil {
			t.Errorf("Push(33 entries) with a burst of 3 = %d, %v", n, err)
		}
		if _, _, err := Sync(ctx, other, rh.ID(), groupA, nil); !errors.Is(err, ErrRefused) {
			t.Errorf("Sync() after a push of 33 = %v, want ErrRefused", err)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		eng := newEngine()
		es := chain(t, bob, groupA, 4)
		eng.add(es...)
		size := 0
		for _, e := range es {
			size += 4 + e.Size()
		}
		// Room for one answer of the 4 entries, not two.
		_, rh, ch := relay(t, eng, nil, Limits{PeerBytes: size + 100})
		other := newHost(t)
		connect(t, other, rh)
		ctx := testCtx(t)
		if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); err != nil {
			t.Fatalf("Sync() within the bytes = %v", err)
		}
		if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); !errors.Is(err, ErrRefused) {
			t.Errorf("Sync() past the bytes = %v, want ErrRefused", err)
		}
		// A small answer still fits.
		if _, err := Get(ctx, ch, rh.ID(), groupA, []chatlog.ID{{1}}); err != nil {
			t.Errorf("Get(nothing held) = %v", err)
		}
		if _, _, err := Sync(ctx, other, rh.ID(), groupA, nil); err != nil {
			t.Errorf("Sync() of another peer = %v", err)
		}
	})
}

// TestLimitsGroups: a groups search costs one request, and its answer
// counts against the peer's bytes.
func TestLimitsGroups(t *testing.T) {
	hikers := groupCreate(t, alice, groupA, "Hikers")
	answer := 1 + 1 + 4 + 4 + hikers.Size()
	tests := []struct {
		name   string
		limits Limits
	}{
		{"requests", Limits{PeerRate: 1, PeerBurst: 2}},
		{"bytes", Limits{PeerBytes: 2*answer + 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := newEngine()
			eng.addPublic(GroupHit{Create: hikers, Members: 1})
			srv, rh, ch := relay(t, eng, nil, tt.limits)
			other := newHost(t)
			connect(t, other, rh)
			ctx := testCtx(t)
			for i := range 2 {
				if hits, err := SearchGroups(ctx, ch, rh.ID(), "hike", 5); err != nil || len(hits) != 1 {
					t.Fatalf("SearchGroups() %d within the limit = %d, %v", i, len(hits), err)
				}
			}
			if _, err := SearchGroups(ctx, ch, rh.ID(), "hike", 5); !errors.Is(err, ErrRefused) {
				t.Errorf("SearchGroups() past the limit = %v, want ErrRefused", err)
			}
			if _, err := SearchGroups(ctx, other, rh.ID(), "hike", 5); err != nil {
				t.Errorf("SearchGroups() of another peer = %v", err)
			}
			if st := srv.Stats(); st.Refused != 1 || st.Served != 3 {
				t.Errorf("Stats() = %+v, want 3 served, 1 refused", st)
			}
		})
	}
}

func TestServerClose(t *testing.T) {
	eng := newEngine()
	eng.add(chain(t, bob, groupA, 1)...)
	rh, ch := newHost(t), newHost(t)
	srv := NewServer(rh, eng, eng, nil, Limits{}, ratelimit.NewLog(nil))
	connect(t, ch, rh)
	ctx := testCtx(t)
	s, err := ch.NewStream(ctx, rh.ID(), ProtocolID)
	if err != nil {
		t.Fatal(err)
	}
	s.Write([]byte{0x82}) // a request that never ends
	waitFor(t, "the server to hold the stream", func() bool { return srv.streams.Held(ch.ID()) == 1 })
	srv.Close() // resets it and returns
	srv.Close()
	if _, err := s.Read(make([]byte, 1)); err == nil {
		t.Error("the stream got an answer after Close")
	}
	s.Reset()
	if _, _, err := Sync(ctx, ch, rh.ID(), groupA, nil); err == nil {
		t.Error("Sync() after Close = nil error")
	}
}

// hostile serves a canned response payload to every request.
func hostile(t *testing.T, payload []byte) (host.Host, host.Host) {
	t.Helper()
	rh, ch := newHost(t), newHost(t)
	rh.SetStreamHandler(ProtocolID, func(s network.Stream) {
		defer s.Close()
		if _, err := ReadFrame(bufio.NewReader(s), MaxRequest); err != nil {
			s.Reset()
			return
		}
		s.Write(AppendFrame(nil, payload))
	})
	connect(t, ch, rh)
	return rh, ch
}

// TestHostileAnswers: a server's answer that does not match its request is
// ErrBadAnswer.
func TestHostileAnswers(t *testing.T) {
	as := chain(t, alice, groupA, 3)
	inB := chain(t, alice, groupB, 1)
	forged := as[0].Encode()
	forged[len(forged)-1] ^= 1
	rec := prekey(t, bob, time.Now())
	syncResp := func(es ...[]byte) []byte { return mustResponse(t, OpSync, &Response{Status: StatusOK, Entries: es}) }
	getResp := func(es ...[]byte) []byte { return mustResponse(t, OpGet, &Response{Status: StatusOK, Entries: es}) }
	nameRec := nameRecord(t)
	forgedRec := bytes.Clone(nameRec)
	forgedRec[len(forgedRec)-1] ^= 1
	hikers := groupCreate(t, alice, groupA, "Hikers")
	hikers2 := groupCreate(t, alice, groupA, "Hikers too") // a fork: another create of the same group
	bikers := groupCreate(t, bob, groupB, "bikers and hikers")
	bakers := groupCreate(t, bob, chatlog.GroupID{0x49}, "Bakers")
	private := groupCreate(t, carol, chatlog.GroupID{0x4a}, "")
	forgedCreate := hikers.Encode()
	forgedCreate[len(forgedCreate)-1] ^= 1
	hit := func(e *chatlog.Entry) RawGroup { return RawGroup{Members: 3, Create: e.Encode()} }
	groupsResp := func(gs ...RawGroup) []byte { return mustResponse(t, OpGroups, &Response{Groups: gs}) }
	type call func(*testing.T, host.Host, host.Host) error
	fetchRecord := func(account entry.Key) call {
		return func(t *testing.T, rh, ch host.Host) error {
			_, err := FetchRecord(testCtx(t), ch, rh.ID(), account)
			return err
		}
	}
	search := func(limit int) call {
		return func(t *testing.T, rh, ch host.Host) error {
			_, err := SearchGroups(testCtx(t), ch, rh.ID(), "ikers", limit)
			return err
		}
	}
	sync := func(have map[entry.Key]uint64) call {
		return func(t *testing.T, rh, ch host.Host) error {
			_, _, err := Sync(testCtx(t), ch, rh.ID(), groupA, have)
			return err
		}
	}
	get := func(ids ...chatlog.ID) call {
		return func(t *testing.T, rh, ch host.Host) error {
			_, err := Get(testCtx(t), ch, rh.ID(), groupA, ids)
			return err
		}
	}
	tests := []struct {
		name string
		resp []byte
		call call
		want error
	}{
		{"sync: another group's entry", syncResp(as[0].Encode(), inB[0].Encode()), sync(nil), ErrBadAnswer},
		{"sync: a forged entry", syncResp(forged), sync(nil), ErrBadAnswer},
		{"sync: not beyond the frontier", syncResp(as[1].Encode(), as[2].Encode()), sync(map[entry.Key]uint64{keyOf(alice): 2}), ErrBadAnswer},
		{"sync: twice the same", syncResp(as[0].Encode(), as[0].Encode()), sync(nil), ErrBadAnswer},
		{"sync: good", syncResp(as[2].Encode()), sync(map[entry.Key]uint64{keyOf(alice): 2}), nil},
		{"get: not asked for", getResp(as[0].Encode(), as[1].Encode()), get(as[0].ID()), ErrBadAnswer},
		{"get: another group's entry", getResp(inB[0].Encode()), get(inB[0].ID()), ErrBadAnswer},
		{"get: twice the same", getResp(as[0].Encode(), as[0].Encode()), get(as[0].ID(), as[1].ID()), ErrBadAnswer},
		{"get: good", getResp(as[1].Encode()), get(as[0].ID(), as[1].ID()), nil},
		{"get: a broken frame", []byte{0, 0}, get(as[0].ID()), ErrProtocol},
		{"push: more kept than sent", mustResponse(t, OpPush, &Response{Accepted: 2}), func(t *testing.T, rh, ch host.Host) error {
			_, err := Push(testCtx(t), ch, rh.ID(), groupA, as[:1])
			return err
		}, ErrBadAnswer},
		{"prekey: another account's", mustResponse(t, OpPrekey, &Response{Record: rec.Encode()}), func(t *testing.T, rh, ch host.Host) error {
			_, err := FetchPrekey(testCtx(t), ch, rh.ID(), keyOf(alice))
			return err
		}, ErrBadAnswer},
		{"record: another account's", mustResponse(t, OpRecord, &Response{NameRecord: nameRec}), fetchRecord(keyOf(bob)), ErrBadAnswer},
		{"record: forged", mustResponse(t, OpRecord, &Response{NameRecord: forgedRec}), fetchRecord(keyOf(alice)), ErrBadAnswer},
		{"record: junk", mustResponse(t, OpRecord, &Response{NameRecord: []byte("junk")}), fetchRecord(keyOf(alice)), ErrBadAnswer},
		{"record: good", mustResponse(t, OpRecord, &Response{NameRecord: nameRec}), fetchRecord(keyOf(alice)), nil},
		{"groups: a private create", groupsResp(hit(hikers), hit(private)), search(10), ErrBadAnswer},
		{"groups: a name without the query", groupsResp(hit(hikers), hit(bakers)), search(10), ErrBadAnswer},
		{"groups: a group twice", groupsResp(hit(hikers), hit(hikers)), search(10), ErrBadAnswer},
		{"groups: a group twice, another create", groupsResp(hit(hikers), hit(hikers2)), search(10), ErrBadAnswer},
		{"groups: a forged create", groupsResp(RawGroup{Members: 1, Create: forgedCreate}), search(10), ErrBadAnswer},
		{"groups: not a create", groupsResp(RawGroup{Members: 1, Create: as[0].Encode()}), search(10), ErrBadAnswer},
		{"groups: more than asked", groupsResp(hit(hikers), hit(bikers)), search(1), ErrBadAnswer},
		{"groups: junk", groupsResp(RawGroup{Members: 1, Create: []byte("junk")}), search(10), ErrBadAnswer},
		{"groups: good", groupsResp(hit(hikers), hit(bikers)), search(2), nil},
		{"inbox: a group twice", mustResponse(t, OpInbox, &Response{Items: []InboxItem{{groupA, 1}, {groupA, 2}}}), func(t *testing.T, rh, ch host.Host) error {
			_, _, err := FetchInbox(testCtx(t), ch, rh.ID(), alice, 0)
			return err
		}, ErrBadAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rh, ch := hostile(t, tt.resp)
			if err := tt.call(t, rh, ch); !errors.Is(err, tt.want) || tt.want == nil && err != nil {
				t.Errorf("call = %v, want %v", err, tt.want)
			}
		})
	}
}
