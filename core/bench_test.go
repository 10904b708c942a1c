package core

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/p2p"
)

// singleCoreVerifyRate measures ed25519.Verify calls per second on one
// goroutine: the baseline the ingest rate is reported against.
func singleCoreVerifyRate(b *testing.B) float64 {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := make([]byte, 200)
	sig := ed25519.Sign(priv, msg)
	const n = 4000
	start := time.Now()
	for range n {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("verify failed")
		}
	}
	return n / time.Since(start).Seconds()
}

// benchUser starts a node with cfg in a new data directory, waits until
// its DHT has a peer, and registers name on it.
func benchUser(b *testing.B, cfg Config, name string) *Node {
	cfg.DataDir, cfg.kdf = b.TempDir(), cheapKDF
	n, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	for n.host.DHT.RoutingTable().Size() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := n.Register(context.Background(), name, "pw"); err != nil {
		b.Fatal(err)
	}
	return n
}

// fillLog writes n signed posts, an hour old, to the logged-in account's log
// of node, straight into its store.
func fillLog(b *testing.B, node *Node, n int) {
	sess := node.session()
	batch := make([]*entry.Entry, 0, n)
	var prev entry.ID
	t := hlc.Timestamp{Wall: uint64(time.Now().Add(-time.Hour).UnixMilli())}
	for seq := uint64(1); seq <= uint64(n); seq++ {
		t.Logical++
		e, err := entry.New(sess.priv, seq, prev, t, entry.KindPost, fmt.Appendf(nil, "post number %d of the benchmark, about as long as a short post", seq))
		if err != nil {
			b.Fatal(err)
		}
		prev = e.ID()
		batch = append(batch, e)
	}
	if _, err := node.store.Append(batch, true); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCatchUpIngest measures a follower pulling 10,000 entries from
// their author over loopback: every entry verified and stored. Reported as
// entries/s and as a ratio to single-core ed25519.Verify/s.
func BenchmarkCatchUpIngest(b *testing.B) {
	const entries = 10_000
	ctx := context.Background()
	author, err := New(ctx, Config{DataDir: b.TempDir(), ListenAddrs: loopback[:1], kdf: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	defer author.Close()
	if _, err := author.Register(ctx, "author", "pw"); err != nil {
		b.Fatal(err)
	}
	sess := author.session()
	fillLog(b, author, entries)

	verify := singleCoreVerifyRate(b)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		f, err := New(ctx, Config{DataDir: b.TempDir(), ListenAddrs: loopback[:1], kdf: cheapKDF})
		if err != nil {
			b.Fatal(err)
		}
		if err := f.host.Connect(ctx, peer.AddrInfo{ID: author.host.ID(), Addrs: author.host.Addrs()}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		got, _ := f.syncPeer(ctx, author.host.ID(), []entry.Key{sess.key})
		total += time.Since(start)
		b.StopTimer()
		if got != entries {
			b.Fatalf("syncPeer() added %d entries, want %d", got, entries)
		}
		f.Close()
		b.StartTimer()
	}
	rate := float64(entries*b.N) / total.Seconds()
	b.ReportMetric(rate, "entries/s")
	b.ReportMetric(verify, "verify/s")
	b.ReportMetric(rate/verify, "ingest/verify")
}

// BenchmarkLiveDelivery measures publish → follower's event callback with
// 20 followers on loopback, against raw GossipSub delivery in the same
// star topology measured in the same run.
func BenchmarkLiveDelivery(b *testing.B) {
	const followers = 20
	post, pub := liveSkein(b, followers)
	raw := liveRawGossipSub(b, followers, false)
	rawVerify := liveRawGossipSub(b, followers, true)
	b.ReportMetric(percentile(post, 50), "post-p50-ms")
	b.ReportMetric(percentile(post, 99), "post-p99-ms")
	b.ReportMetric(percentile(pub, 50), "pub-p50-ms")
	b.ReportMetric(percentile(pub, 99), "pub-p99-ms")
	b.ReportMetric(percentile(raw, 50), "raw-p50-ms")
	b.ReportMetric(percentile(raw, 99), "raw-p99-ms")
	b.ReportMetric(percentile(rawVerify, 50), "rawverify-p50-ms")
	b.ReportMetric(percentile(rawVerify, 99), "rawverify-p99-ms")
	b.ReportMetric(percentile(pub, 99)/percentile(raw, 99), "pub-p99/raw-p99")
}

func percentile(ms []float64, p int) float64 {
	s := slices.Clone(ms)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, len(s)*p/100)]
}

// liveSkein returns two latency samples per delivery: from the Post call
// (which includes the durable write) and from the moment the stored entry
// is handed to GossipSub, both to the follower's Watch callback.
func liveSkein(b *testing.B, followers int) (post, pub []float64) {
	ctx := context.Background()
	relay, err := NewRelay(ctx, RelayConfig{DataDir: b.TempDir(), ListenAddrs: loopback[:1]})
	if err != nil {
		b.Fatal(err)
	}
	defer relay.Close()
	var (
		mu       sync.Mutex
		sent     = make(map[string]time.Time)
		handed   = make(map[string]time.Time)
		received = make(chan [2]float64, 1024)
	)
	start := func(name string) *Node {
		cfg := Config{ListenAddrs: loopback[:1], BootstrapAddrs: relay.Addrs()}
		cfg.publishHook = func(e *entry.Entry) {
			mu.Lock()
			handed[string(e.Body)] = time.Now()
			mu.Unlock()
		}
		return benchUser(b, cfg, name)
	}
	author := start("author")
	defer author.Close()

	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for i := range followers {
		f := start(fmt.Sprintf("follower%d", i))
		defer f.Close()
		if _, err := f.Follow(ctx, "author"); err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.Watch(wctx, func(ev Event) {
				if ev.Kind != EventPost {
					return
				}
				now := time.Now()
				mu.Lock()
				t0, ok := sent[ev.Post.Text]
				t1 := handed[ev.Post.Text]
				mu.Unlock()
				if ok {
					received <- [2]float64{float64(now.Sub(t0).Microseconds()) / 1000, float64(now.Sub(t1).Microseconds()) / 1000}
				}
			})
		}()
	}
	topic := topicOf(author.session().key)
	deadline := time.Now().Add(30 * time.Second)
	for len(author.host.PubSub.ListPeers(topic)) < followers {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d followers subscribed", len(author.host.PubSub.ListPeers(topic)), followers)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the mesh settle

	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("live post %d", i)
		mu.Lock()
		sent[text] = time.Now()
		mu.Unlock()
		if _, err := author.Post(ctx, text); err != nil {
			b.Fatal(err)
		}
		for range followers {
			select {
			case ms := <-received:
				post = append(post, ms[0])
				pub = append(pub, ms[1])
			case <-time.After(10 * time.Second):
				b.Fatalf("post %d: only %d deliveries", i, len(post)%followers)
			}
		}
	}
	b.StopTimer()
	return post, pub
}

// liveRawGossipSub is the baseline: the same libp2p stack and GossipSub
// options, followers connected to the author, no Skein code on the path.
// With verify, the messages are signed entries and each follower checks the
// signature in a topic validator, as Skein must: that isolates what
// verification costs when 20 followers share the machine's cores.
func liveRawGossipSub(b *testing.B, followers int, verify bool) []float64 {
	ctx := context.Background()
	newHost := func() *p2p.Host {
		k, _, _ := crypto.GenerateEd25519Key(rand.Reader)
		h, err := p2p.New(ctx, p2p.Config{Key: k, ListenAddrs: loopback[:1], PubSub: true})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	author := newHost()
	defer author.Close()
	topic, err := author.PubSub.Join("raw")
	if err != nil {
		b.Fatal(err)
	}
	received := make(chan float64, 1024)
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for range followers {
		h := newHost()
		defer h.Close()
		if err := h.Connect(ctx, peer.AddrInfo{ID: author.ID(), Addrs: author.Addrs()}); err != nil {
			b.Fatal(err)
		}
		if verify {
			err := h.PubSub.RegisterTopicValidator("raw", func(_ context.Context, _ peer.ID, m *pubsub.Message) bool {
				_, err := entry.Decode(m.Data)
				return err == nil
			}, pubsub.WithValidatorInline(true))
			if err != nil {
				b.Fatal(err)
			}
		}
		t, err := h.PubSub.Join("raw")
		if err != nil {
			b.Fatal(err)
		}
		sub, err := t.Subscribe()
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := sub.Next(rctx)
				if err != nil {
					return
				}
				var sentNanos int64
				data := m.Data
				if verify {
					e, _ := entry.Parse(data)
					data = e.Body
				}
				fmt.Sscanf(string(data), "%d", &sentNanos)
				received <- float64(time.Now().UnixNano()-sentNanos) / 1e6
			}
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(author.PubSub.ListPeers("raw")) < followers {
		if time.Now().After(deadline) {
			b.Fatal("raw followers did not subscribe")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	var lat []float64
	for i := range b.N {
		msg := fmt.Appendf(nil, "%d %d padding to the size of a short post entry ........................................................................................................................................................", time.Now().UnixNano(), i)
		if verify {
			e, err := entry.New(priv, uint64(i+2), entry.ID{1}, hlc.Timestamp{Wall: uint64(time.Now().UnixMilli())}, entry.KindPost, msg[:100])
			if err != nil {
				b.Fatal(err)
			}
			msg = e.Bytes()
		}
		if err := topic.Publish(ctx, msg); err != nil {
			b.Fatal(err)
		}
		for range followers {
			select {
			case ms := <-received:
				lat = append(lat, ms)
			case <-time.After(10 * time.Second):
				b.Fatal("raw delivery timed out")
			}
		}
	}
	return lat
}

// BenchmarkOfflineAuthorFetch measures how long a new follower of an
// offline author takes to obtain the author's 1,000 posts from the other
// followers holding them (found through the DHT), with 3 holders and with
// 1, in the same run. Nodes listen on TCP only, so the dial to the offline
// author fails at once and the figure is the holders' part.
func BenchmarkOfflineAuthorFetch(b *testing.B) {
	for _, holders := range []int{1, 3} {
		b.Run(fmt.Sprintf("holders=%d", holders), func(b *testing.B) {
			benchOfflineFetch(b, holders)
		})
	}
}

func benchOfflineFetch(b *testing.B, holders int) {
	const posts = 1000
	ctx := context.Background()
	tcp := loopback[:1]
	relay, err := NewRelay(ctx, RelayConfig{DataDir: b.TempDir(), ListenAddrs: tcp})
	if err != nil {
		b.Fatal(err)
	}
	defer relay.Close()
	start := func(name string) *Node {
		return benchUser(b, Config{ListenAddrs: tcp, BootstrapAddrs: relay.Addrs()}, name)
	}
	wait := func(what string, cond func() bool) {
		deadline := time.Now().Add(time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				b.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	author := start("author")
	sess := author.session()
	fillLog(b, author, posts)
	author.publishName(ctx, sess) // announces seq 1000

	var hs []*Node
	for i := range holders {
		h := start(fmt.Sprintf("holder%d", i))
		defer h.Close()
		if _, err := h.Follow(ctx, "author"); err != nil {
			b.Fatal(err)
		}
		wait("holder sync", func() bool { hd, _ := h.store.Head(sess.key); return hd.Seq == posts })
		hs = append(hs, h)
	}
	probe := start("probe")
	defer probe.Close()
	wait("announcements", func() bool { return len(probe.findHolders(ctx, sess.key)) == holders })
	author.Close()

	var total time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		f := start(fmt.Sprintf("follower%d", i))
		b.StartTimer()
		t := time.Now()
		if _, err := f.Follow(ctx, "author"); err != nil {
			b.Fatal(err)
		}
		wait("follower fetch", func() bool { hd, _ := f.store.Head(sess.key); return hd.Seq == posts })
		total += time.Since(t)
		b.StopTimer()
		f.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/fetch")
}
