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
// star topology, with and without a signature check by each subscriber.
// The three networks run side by side and take turns post by post, so a
// burst of load on the shared machine falls on all three alike; each ratio
// is computed within the run. Each also reports the process CPU time a
// post costs until its last delivery (cpu-us), which other processes' load
// moves much less than latency.
func BenchmarkLiveDelivery(b *testing.B) {
	const followers = 20
	nets := []*liveNet{
		liveSkein(b, followers),
		liveRawNet(b, followers, false),
		liveRawNet(b, followers, true),
	}
	for _, n := range nets {
		defer n.close()
	}
	b.ResetTimer()
	for i := range b.N {
		for k := range nets { // each network first in turn
			nets[(i+k)%len(nets)].deliver(b, i)
		}
	}
	b.StopTimer()
	skein, raw, rawVerify := nets[0], nets[1], nets[2]
	pub := skein.lat
	b.ReportMetric(percentile(skein.post, 50), "post-p50-ms")
	b.ReportMetric(percentile(skein.post, 99), "post-p99-ms")
	b.ReportMetric(percentile(pub, 50), "pub-p50-ms")
	b.ReportMetric(percentile(pub, 99), "pub-p99-ms")
	b.ReportMetric(percentile(raw.lat, 50), "raw-p50-ms")
	b.ReportMetric(percentile(raw.lat, 99), "raw-p99-ms")
	b.ReportMetric(percentile(rawVerify.lat, 50), "rawverify-p50-ms")
	b.ReportMetric(percentile(rawVerify.lat, 99), "rawverify-p99-ms")
	b.ReportMetric(percentile(pub, 50)/percentile(raw.lat, 50), "pub-p50/raw-p50")
	b.ReportMetric(percentile(pub, 99)/percentile(raw.lat, 99), "pub-p99/raw-p99")
	b.ReportMetric(percentile(pub, 50)/percentile(rawVerify.lat, 50), "pub-p50/rawverify-p50")
	b.ReportMetric(percentile(pub, 99)/percentile(rawVerify.lat, 99), "pub-p99/rawverify-p99")
	for _, n := range nets {
		if n.cpu > 0 {
			b.ReportMetric(float64(n.cpu.Microseconds())/float64(b.N), n.name+"-cpu-us/post")
		}
	}
}

func percentile(ms []float64, p int) float64 {
	s := slices.Clone(ms)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, len(s)*p/100)]
}

// liveNet is one network of BenchmarkLiveDelivery: an author and its
// followers, ready to deliver posts, until close.
type liveNet struct {
	name string
	// publish sends post i and returns the latencies, in ms, of its
	// deliveries: lat from the moment it is handed to GossipSub, post
	// from the Post call (Skein only).
	publish   func(i int) (lat, post []float64)
	lat, post []float64
	cpu       time.Duration // process CPU time spent in publish
	closers   []func()
	closed    sync.Once
}

// onClose adds f to what close does, to run before what was added earlier.
func (n *liveNet) onClose(f func()) { n.closers = append(n.closers, f) }

// close stops the network: what onClose added, last added first. It is
// safe to call twice; the benchmark's cleanup calls it too, in case the
// setup failed half way.
func (n *liveNet) close() {
	n.closed.Do(func() {
		for _, f := range slices.Backward(n.closers) {
			f()
		}
	})
}

// deliver sends post i and records its latencies and CPU time.
func (n *liveNet) deliver(b *testing.B, i int) {
	cpu := processCPU()
	lat, post := n.publish(i)
	n.cpu += processCPU() - cpu
	if len(lat) == 0 {
		b.Fatalf("%s: post %d not delivered", n.name, i)
	}
	n.lat = append(n.lat, lat...)
	n.post = append(n.post, post...)
}

// liveWait collects the deliveries of one post from received, or fails the
// benchmark after 10 s.
func liveWait[T any](b *testing.B, name string, received <-chan T, followers int) []T {
	got := make([]T, 0, followers)
	timeout := time.After(10 * time.Second)
	for range followers {
		select {
		case v := <-received:
			got = append(got, v)
		case <-timeout:
			b.Fatalf("%s: only %d of %d deliveries", name, len(got), followers)
		}
	}
	return got
}

// liveSkein starts a relay, an author and followers, each a full Skein
// node. Its latencies run to the follower's Watch callback: from the
// Post call (which includes the durable write) and from the moment the
// stored entry is handed to GossipSub.
func liveSkein(b *testing.B, followers int) *liveNet {
	ctx := context.Background()
	net := &liveNet{name: "skein"}
	b.Cleanup(net.close)
	relay, err := NewRelay(ctx, RelayConfig{DataDir: b.TempDir(), ListenAddrs: loopback[:1]})
	if err != nil {
		b.Fatal(err)
	}
	net.onClose(func() { relay.Close() })
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
		n := benchUser(b, cfg, name)
		net.onClose(func() { n.Close() })
		return n
	}
	author := start("author")

	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	net.onClose(func() { cancel(); wg.Wait() }) // before the nodes close
	for i := range followers {
		f := start(fmt.Sprintf("follower%d", i))
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
					received <- [2]float64{float64(now.Sub(t1).Microseconds()) / 1000, float64(now.Sub(t0).Microseconds()) / 1000}
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

	publish := func(i int) (lat, post []float64) {
		text := fmt.Sprintf("live post %d", i)
		mu.Lock()
		sent[text] = time.Now()
		mu.Unlock()
		if _, err := author.Post(ctx, text); err != nil {
			b.Fatal(err)
		}
		for _, ms := range liveWait(b, "skein", received, followers) {
			lat, post = append(lat, ms[0]), append(post, ms[1])
		}
		return lat, post
	}
	net.publish = publish
	return net
}

// liveRawGossipSub runs b.N posts through liveRawNet and returns the
// latencies of their deliveries, in ms.
func liveRawGossipSub(b *testing.B, followers int, verify bool) []float64 {
	n := liveRawNet(b, followers, verify)
	defer n.close()
	for i := range b.N {
		n.deliver(b, i)
	}
	return n.lat
}

// liveRawNet is the baseline: the same libp2p stack and GossipSub options
// (p2p.New, topic scoring as Skein's followers set it), followers
// connected to the author, no Skein code on the path. With verify, the
// messages are signed entries and each follower checks the signature in
// an inline topic validator, as Skein must: that isolates what
// verification costs when 20 followers share the machine's cores.
func liveRawNet(b *testing.B, followers int, verify bool) *liveNet {
	ctx := context.Background()
	name := "raw"
	if verify {
		name = "rawverify"
	}
	net := &liveNet{name: name}
	b.Cleanup(net.close)
	newHost := func() *p2p.Host {
		k, _, _ := crypto.GenerateEd25519Key(rand.Reader)
		h, err := p2p.New(ctx, p2p.Config{Key: k, ListenAddrs: loopback[:1], PubSub: true})
		if err != nil {
			b.Fatal(err)
		}
		net.onClose(func() { h.Close() })
		return h
	}
	author := newHost()
	topic, err := author.PubSub.Join(name)
	if err != nil {
		b.Fatal(err)
	}
	var (
		mu       sync.Mutex
		sent     = make(map[int]time.Time) // post → when handed to GossipSub
		received = make(chan float64, 1024)
	)
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	net.onClose(func() { cancel(); wg.Wait() }) // before the hosts close
	for range followers {
		h := newHost()
		if err := h.Connect(ctx, peer.AddrInfo{ID: author.ID(), Addrs: author.Addrs()}); err != nil {
			b.Fatal(err)
		}
		if verify {
			err := h.PubSub.RegisterTopicValidator(name, func(_ context.Context, _ peer.ID, m *pubsub.Message) bool {
				_, err := entry.Decode(m.Data)
				return err == nil
			}, pubsub.WithValidatorInline(true))
			if err != nil {
				b.Fatal(err)
			}
		}
		t, err := h.PubSub.Join(name)
		if err != nil {
			b.Fatal(err)
		}
		if err := h.ScoreTopic(t); err != nil {
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
				now := time.Now()
				data := m.Data
				if verify {
					e, _ := entry.Parse(data)
					data = e.Body
				}
				var i int
				fmt.Sscanf(string(data), "%d", &i)
				mu.Lock()
				t0, ok := sent[i]
				mu.Unlock()
				if ok {
					received <- float64(now.Sub(t0).Microseconds()) / 1000
				}
			}
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(author.PubSub.ListPeers(name)) < followers {
		if time.Now().After(deadline) {
			b.Fatalf("%s followers did not subscribe", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	publish := func(i int) (lat, _ []float64) {
		msg := fmt.Appendf(nil, "%d padding to the size of a short post entry ........................................................................................................................................................", i)
		if verify {
			e, err := entry.New(priv, uint64(i+2), entry.ID{1}, hlc.Timestamp{Wall: uint64(time.Now().UnixMilli())}, entry.KindPost, msg[:100])
			if err != nil {
				b.Fatal(err)
			}
			msg = e.Bytes()
		}
		// The clock starts once the message is built and signed, as
		// Skein's starts once the entry is signed and stored.
		mu.Lock()
		sent[i] = time.Now()
		mu.Unlock()
		if err := topic.Publish(ctx, msg); err != nil {
			b.Fatal(err)
		}
		return liveWait(b, name, received, followers), nil
	}
	net.publish = publish
	return net
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
