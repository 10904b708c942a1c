package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"

	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/sim"
)

// rawGossip is the baseline of a run: the same libp2p stack and GossipSub
// options as Skein's hosts (p2p.New), on the same transport, with a topic
// per author and each follower connected straight to each author it
// follows, as Skein's followers are; the schedule's posts are published at
// the same offsets, without churn and without any Skein code on the path.
// It returns the publish → subscriber latency of every delivery.
func (s *simRun) rawGossip(t *testing.T, events []sim.Event) sim.Latency {
	t.Helper()
	ctx := context.Background()
	n := s.cfg.n
	hosts := make([]*p2p.Host, n)
	defer func() {
		var wg sync.WaitGroup
		for _, h := range hosts {
			if h != nil {
				wg.Go(func() { h.Close() })
			}
		}
		wg.Wait()
	}()
	setup, cancel := context.WithTimeout(ctx, s.cfg.setupBudget)
	defer cancel()
	if err := s.parallel(setup, n, func(ctx context.Context, i int) error {
		k, _, err := crypto.GenerateEd25519Key(rand.Reader)
		if err != nil {
			return err
		}
		addrs := []string{"/ip4/127.0.0.1/tcp/0"}
		if s.mem != nil {
			addrs = []string{fmt.Sprintf("/ip4/10.%d.%d.1/tcp/4002", i>>8, i&255)}
		}
		hosts[i], err = p2p.New(ctx, p2p.Config{Key: k, ListenAddrs: addrs, PubSub: true, Sim: s.hostHooks(nil)})
		return err
	}); err != nil {
		t.Fatalf("raw hosts: %v", err)
	}
	topics := make([]*pubsub.Topic, n)
	for i, h := range hosts {
		tp, err := h.PubSub.Join(rawTopic(i))
		if err != nil {
			t.Fatal(err)
		}
		topics[i] = tp
	}
	var (
		mu  sync.Mutex
		lat sim.Sample
		got = make(chan struct{}, 1<<16)
	)
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	if err := s.parallel(setup, n, func(ctx context.Context, f int) error {
		for _, a := range s.g.Follows[f] {
			ai := peer.AddrInfo{ID: hosts[a].ID(), Addrs: hosts[a].Addrs()}
			err := hosts[f].Connect(ctx, ai)
			for try := 0; err != nil && try < 3 && ctx.Err() == nil; try++ {
				// go-libp2p#2925, or a loaded machine: clear the dial
				// backoff and retry.
				if sw, ok := hosts[f].Network().(*swarm.Swarm); ok {
					sw.Backoff().Clear(ai.ID)
				}
				time.Sleep(200 * time.Millisecond)
				err = hosts[f].Connect(ctx, ai)
			}
			if err != nil {
				s.cfg.logf("raw GossipSub: node %d not connected to %d: %v", f, a, err)
			}
			tp, err := hosts[f].PubSub.Join(rawTopic(a))
			if err != nil {
				return err
			}
			sub, err := tp.Subscribe()
			if err != nil {
				return err
			}
			wg.Go(func() {
				for {
					m, err := sub.Next(rctx)
					if err != nil {
						return
					}
					now := time.Now().UnixNano()
					sent, _ := strconv.ParseInt(strings.Fields(string(m.Data))[0], 10, 64)
					mu.Lock()
					lat = append(lat, float64(now-sent)/1e6)
					mu.Unlock()
					select {
					case got <- struct{}{}:
					default:
					}
				}
			})
		}
		return nil
	}); err != nil {
		t.Fatalf("raw follows: %v", err)
	}
	// Ready when each follower sees a peer on each followed topic.
	for {
		ok := 0
		for f := range n {
			for _, a := range s.g.Follows[f] {
				if len(hosts[f].PubSub.ListPeers(rawTopic(a))) > 0 || slices.Contains(hosts[a].PubSub.ListPeers(rawTopic(a)), hosts[f].ID()) {
					ok++
				}
			}
		}
		if ok == s.g.Edges() || !sleepCtx(setup, 100*time.Millisecond) {
			break
		}
	}
	followers := s.g.Followers()
	want := 0
	t0 := time.Now()
	for k, ev := range events {
		if ev.Kind != sim.EventPost {
			continue
		}
		if d := time.Until(t0.Add(ev.At)); d > 0 {
			time.Sleep(d)
		}
		want += len(followers[ev.Node])
		msg := fmt.Appendf(nil, "%d raw post %d by %s, padded to the size of a short signed post ......................................................................", time.Now().UnixNano(), k, simName(ev.Node))
		if err := topics[ev.Node].Publish(ctx, msg); err != nil {
			t.Errorf("raw publish: %v", err)
		}
	}
	deadline := time.After(s.cfg.settle)
	for have := 0; ; {
		mu.Lock()
		have = len(lat)
		mu.Unlock()
		if have >= want {
			break
		}
		select {
		case <-got:
		case <-deadline:
			s.cfg.logf("raw GossipSub: %d of %d deliveries within %v", have, want, s.cfg.settle)
			mu.Lock()
			defer mu.Unlock()
			return sim.LatencyOf(lat)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return sim.LatencyOf(lat)
}

func rawTopic(i int) string { return "raw/" + strconv.Itoa(i) }
