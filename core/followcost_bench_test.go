package core

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"

	"github.com/skein-p2p/skein/core/internal/store"
)

// BenchmarkFollowTopics measures, in process, what following F authors
// costs a foreground node through its GossipSub topics, with every
// followed author live (all: the design before maxLiveTopics) and with
// the bound: the topics subscribed, the goroutines and heap they add, the
// subscription list GossipSub sends on every new connection (the same
// protobuf as its hello packet), and the bytes of the sync requests of
// one periodic pass with 20 authors' devices and the relay connected
// (F/20 authors on each device; wantsFor against asking every peer for
// every log). The follows are written to the store directly (no author
// has to exist), then the node chooses its topics as after a login.
func BenchmarkFollowTopics(b *testing.B) {
	for _, f := range []int{10, 100, 1000} {
		for _, mode := range []string{"all", "bounded"} {
			b.Run(fmt.Sprintf("F=%d/%s", f, mode), func(b *testing.B) {
				for range b.N {
					benchFollowTopics(b, f, mode == "all")
				}
			})
		}
	}
}

func benchFollowTopics(b *testing.B, f int, all bool) {
	ctx := context.Background()
	r, err := NewRelay(ctx, RelayConfig{DataDir: b.TempDir(), ListenAddrs: loopback[:1]})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	cfg := Config{DataDir: b.TempDir(), ListenAddrs: loopback[:1], BootstrapAddrs: r.Addrs(), kdf: cheapKDF}
	if all {
		cfg.liveTopics = f
	}
	n, err := New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Register(ctx, "reader", "pw-reader"); err != nil {
		b.Fatal(err)
	}
	sess := n.session()
	authors := testKeys(f)
	since := time.Now().Add(-time.Hour)
	for i, a := range authors {
		fl := store.Follow{Target: a, Name: fmt.Sprintf("writer_%04d", i), Seq: uint64(i + 1), Since: since.Add(time.Duration(i) * time.Second), Active: true}
		if err := n.store.SetFollowing(sess.key, fl); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()
	n.rebalanceTopics(sess)
	time.Sleep(100 * time.Millisecond) // the subscriptions' goroutines start
	runtime.GC()
	runtime.ReadMemStats(&m1)
	g1 := runtime.NumGoroutine()

	var hello pb.RPC
	for _, t := range n.host.PubSub.GetTopics() {
		no := false
		hello.Subscriptions = append(hello.Subscriptions, &pb.RPC_SubOpts{Topicid: proto.String(t), Subscribe: proto.Bool(true), RequestsPartial: &no, SupportsSendingPartial: &no})
	}
	// One periodic pass: the relay and 20 devices, F/20 authors each.
	devices := min(f, 20)
	watched, err := n.store.Watched()
	if err != nil {
		b.Fatal(err)
	}
	n.mu.Lock()
	for i, a := range watched {
		n.devices[a] = testPeer(i % devices)
	}
	n.mu.Unlock()
	wants, askAll := 0, 0
	for _, p := range append(testPeers(devices), r.host.ID()) {
		wants += len(n.wantsFor(p, watched))
		askAll += len(watched)
	}
	const wantBytes = 32 + 8 // syncproto: a key and a seq
	b.ReportMetric(float64(sess.liveTopics()), "topics")
	b.ReportMetric(float64(g1-g0), "goroutines")
	b.ReportMetric(float64(int64(m1.HeapInuse)-int64(m0.HeapInuse))/(1<<20), "heap-MiB")
	b.ReportMetric(float64(hello.Size())/1000, "sublist-KB/conn")
	b.ReportMetric(float64(wants*wantBytes)/1000, "sync-req-KB/pass")
	b.ReportMetric(float64(askAll*wantBytes)/1000, "ask-all-req-KB/pass")
}

// testPeer is a peer ID that names device i in tests.
func testPeer(i int) peer.ID { return peer.ID(fmt.Sprintf("device-%d", i)) }

func testPeers(n int) []peer.ID {
	out := make([]peer.ID, n)
	for i := range out {
		out[i] = testPeer(i)
	}
	return out
}
