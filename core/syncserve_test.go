package core

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/network"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/syncproto"
	"github.com/skein-p2p/skein/core/internal/syncserve"
)

// syncTestEntries signs count posts that continue the logged-in account's
// log of n, without storing them.
func syncTestEntries(t *testing.T, n *Node, count int) []*entry.Entry {
	t.Helper()
	sess := n.session()
	head, err := n.store.Head(sess.key)
	if err != nil {
		t.Fatal(err)
	}
	prev, ts := head.ID, head.Time
	out := make([]*entry.Entry, 0, count)
	for i := range count {
		ts = hlc.Timestamp{Wall: ts.Wall, Logical: ts.Logical + 1}
		e, err := entry.New(sess.priv, head.Seq+uint64(i)+1, prev, ts, entry.KindPost, fmt.Appendf(nil, "post %d, long enough to weigh something on the wire", i))
		if err != nil {
			t.Fatal(err)
		}
		prev = e.ID()
		out = append(out, e)
	}
	return out
}

// TestSyncServeBudget pulls an author's log from hostile peers over and over,
// as the campaign's 48-byte requests did: what they get is held to the
// budgets, per peer and per network, whatever they ask, while an honest
// follower on another network still catches up in full.
func TestSyncServeBudget(t *testing.T) {
	tn := newTestNet(t)
	limits := syncserve.Limits{PeerBurst: 256 << 10, PeerRate: 64 << 10, NetBurst: 320 << 10, NetRate: 64 << 10, Streams: 2}
	alice := tn.nodeWith("alice", func(c *Config) { c.serveLimits = limits })
	es := syncTestEntries(t, alice, 1000) // about 240 KB: within one burst
	if _, err := alice.store.Append(es, true); err != nil {
		t.Fatal(err)
	}
	key := alice.session().key

	// Two hostile peers on one network (127.0.1.0/24), four streams each at
	// once, asking for the whole log again and again.
	var got atomic.Int64
	stop := time.Now().Add(3 * time.Second)
	start := time.Now()
	var wg sync.WaitGroup
	for _, ip := range []string{"127.0.1.1", "127.0.1.2"} {
		x := newHostile(t, ip, dht.ModeClient)
		x.connect(alice)
		for range 4 {
			wg.Go(func() {
				for time.Now().Before(stop) {
					s, err := x.open(alice, syncproto.SyncID)
					if err != nil {
						continue
					}
					s.SetDeadline(stop.Add(time.Second))
					syncproto.WriteRequest(s, syncproto.Request{Wants: []syncproto.Want{{Author: key}}})
					s.CloseWrite()
					n, _ := io.Copy(io.Discard, bufio.NewReader(s))
					got.Add(n)
					s.Close()
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	// Both peers share their network's budget: its burst and its rate
	// over the time taken; the budget counts entries, so frame headers (a
	// few bytes an entry) come on top.
	bound := float64(limits.NetBurst) + float64(limits.NetRate)*elapsed + 2*32<<10
	t.Logf("hostile peers pulled %d bytes in %.1fs (bound %.0f; the log is %d entries)", got.Load(), elapsed, bound, len(es))
	if float64(got.Load()) > bound {
		t.Fatalf("hostile peers pulled %d bytes in %.1fs, more than the network budget allows, %.0f", got.Load(), elapsed, bound)
	}

	// An honest follower, on another network, gets everything.
	bob := tn.user("bob")
	mustFollow(t, bob, "alice")
	waitFor(t, "bob's catch-up", func() bool {
		h, _ := bob.store.Head(key)
		return h.Seq == uint64(len(es))
	})
}

// TestSyncNotStalledBySilentPeer connects a peer that joins a followed
// author's topic and then never answers a sync request: the follower must
// still sync promptly with the other peers that join the topic or that it
// is asked to sync with, instead of waiting out the silent one.
func TestSyncNotStalledBySilentPeer(t *testing.T) {
	for _, path := range []string{"topic join", "sync request"} {
		t.Run(path, func(t *testing.T) {
			tn := newTestNet(t)
			alice := tn.user("alice")
			bob := tn.user("bob")
			carol := tn.user("carol")
			mustFollow(t, bob, "alice")
			mustFollow(t, carol, "alice")
			mustPost(t, alice, "hello")
			waitFor(t, "the first post", func() bool { return hasFeed(bob, "alice: hello")() && hasFeed(carol, "alice: hello")() })
			aliceKey := alice.session().key
			// Bob and carol meet, as two followers of one author do.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := bob.host.Connect(ctx, addrInfo(carol)); err != nil {
				t.Fatal(err)
			}

			silent := newHostile(t, "127.0.1.1", dht.ModeClient)
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) })
			silent.SetStreamHandler(syncproto.SyncID, func(s network.Stream) {
				io.Copy(io.Discard, s) // the request, then nothing, ever
				<-stop
				s.Reset()
			})
			silent.connect(bob) // bob asks it for a sync at once
			top, err := silent.PubSub.Join(topicOf(aliceKey))
			if err != nil {
				t.Fatal(err)
			}
			sub, err := top.Subscribe() // bob sees it join alice's topic
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sub.Cancel(); top.Close() })
			time.Sleep(500 * time.Millisecond) // let bob start on it

			// Carol, and dave who is about to follow alice, hold entries
			// of alice that bob lacks.
			more := syncTestEntries(t, alice, 3)
			switch path {
			case "topic join":
				dave := tn.user("dave")
				if err := bob.host.Connect(ctx, addrInfo(dave)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(200 * time.Millisecond) // bob's sync with dave on connecting
				if _, err := dave.ingest(more); err != nil {
					t.Fatal(err)
				}
				mustFollow(t, dave, "alice") // bob sees dave join alice's topic
			case "sync request":
				if _, err := carol.ingest(more); err != nil {
					t.Fatal(err)
				}
				bob.requestSync(carol.host.ID())
			}
			waitFor(t, "bob's sync with the peer that has them", func() bool {
				h, _ := bob.store.Head(aliceKey)
				return h.Seq >= more[len(more)-1].Seq
			})
		})
	}
}

// TestSyncBytesAfterRequest: a server reads one request frame and ignores
// whatever the client sends after it, even a second request (docs/
// PROTOCOL.md, "Bytes after the sync request"): it answers the first in
// full, ends with its final frame and closes the stream.
func TestSyncBytesAfterRequest(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	es := syncTestEntries(t, alice, 3)
	if _, err := alice.store.Append(es, true); err != nil {
		t.Fatal(err)
	}
	key := alice.session().key
	req := syncproto.Request{Wants: []syncproto.Want{{Author: key}}}
	var second bytes.Buffer
	if err := syncproto.WriteRequest(&second, syncproto.Request{Wants: []syncproto.Want{{Author: key, Have: 2}}}); err != nil {
		t.Fatal(err)
	}
	x := newHostile(t, "127.0.0.1", dht.ModeClient)
	tests := []struct {
		name  string
		after []byte
	}{
		{"nothing", nil},
		{"garbage", bytes.Repeat([]byte{0xff}, 100)},
		{"a second request", second.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := x.open(alice, syncproto.SyncID)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetDeadline(time.Now().Add(10 * time.Second))
			var out bytes.Buffer
			if err := syncproto.WriteRequest(&out, req); err != nil {
				t.Fatal(err)
			}
			out.Write(tt.after)
			if _, err := s.Write(out.Bytes()); err != nil {
				t.Fatal(err)
			}
			s.CloseWrite()
			r := bufio.NewReader(s)
			var got []*entry.Entry
			more, err := syncproto.Fetch(r, io.Discard, req, func(b []*entry.Entry) error {
				got = append(got, b...)
				return nil
			})
			if err != nil || more || len(got) != len(es) {
				t.Fatalf("Fetch() = %v, %v with %d entries; want false, nil with %d", more, err, len(got), len(es))
			}
			if rest, err := io.ReadAll(r); len(rest) != 0 || err != nil {
				t.Errorf("after the final frame: %d bytes, %v; want the stream closed (EOF)", len(rest), err)
			}
		})
	}
}
