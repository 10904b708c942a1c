package core

import (
	"strings"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/metrics"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/skein-p2p/skein/core/internal/sim"
)

// trafficClass is what carried some bytes: the split of sim.Traffic.
type trafficClass int

const (
	classGossipData   trafficClass = iota // GossipSub messages carrying entries
	classGossipCtrl                       // GossipSub subscriptions and control
	classSync                             // /skein/* streams but the DHT's
	classDHT                              // /skein/kad/...
	classOther                            // identify, ping, relay, AutoNAT, not yet negotiated
	classPubSubStream                     // /meshsub streams as the swarm counts them (a check on the two gossip classes)
	numClasses
)

// classOf sorts a stream's protocol into a class.
func classOf(p protocol.ID) trafficClass {
	s := string(p)
	switch {
	case strings.HasPrefix(s, "/skein/kad/"):
		return classDHT
	case strings.HasPrefix(s, "/meshsub/"), strings.HasPrefix(s, "/floodsub/"):
		return classPubSubStream
	case strings.HasPrefix(s, "/skein/"):
		return classSync
	}
	return classOther
}

// simCounters count one node's traffic, sent and received together: bytes
// per class, and messages (a stream write or read for stream protocols; a
// published message, or an RPC carrying control or subscriptions, for
// GossipSub). It is both the swarm's metrics.Reporter and GossipSub's
// RawTracer; it only adds to atomics, so it never blocks either.
type simCounters struct {
	bytes, msgs [numClasses]atomic.Int64
}

// snapshot returns the counters now.
func (c *simCounters) snapshot() (bytes, msgs [numClasses]int64) {
	for i := range numClasses {
		bytes[i], msgs[i] = c.bytes[i].Load(), c.msgs[i].Load()
	}
	return bytes, msgs
}

func (c *simCounters) add(cl trafficClass, n int64) {
	c.bytes[cl].Add(n)
	c.msgs[cl].Add(1)
}

// traffic converts per-class totals into a sim.Traffic.
func traffic(v [numClasses]float64) sim.Traffic {
	return sim.Traffic{
		GossipData:    v[classGossipData],
		GossipControl: v[classGossipCtrl],
		Sync:          v[classSync],
		DHT:           v[classDHT],
		Other:         v[classOther],
	}
}

// metrics.Reporter: bytes of every stream, by protocol.

var _ metrics.Reporter = (*simCounters)(nil)

func (c *simCounters) LogSentMessage(int64) {}
func (c *simCounters) LogRecvMessage(int64) {}
func (c *simCounters) LogSentMessageStream(n int64, p protocol.ID, _ peer.ID) {
	c.add(classOf(p), n)
}
func (c *simCounters) LogRecvMessageStream(n int64, p protocol.ID, _ peer.ID) {
	c.add(classOf(p), n)
}
func (c *simCounters) GetBandwidthForPeer(peer.ID) metrics.Stats         { return metrics.Stats{} }
func (c *simCounters) GetBandwidthForProtocol(protocol.ID) metrics.Stats { return metrics.Stats{} }
func (c *simCounters) GetBandwidthTotals() metrics.Stats                 { return metrics.Stats{} }
func (c *simCounters) GetBandwidthByPeer() map[peer.ID]metrics.Stats     { return nil }
func (c *simCounters) GetBandwidthByProtocol() map[protocol.ID]metrics.Stats {
	return nil
}
func (c *simCounters) Reset()             {}
func (c *simCounters) TrimIdle(time.Time) {}

// pubsub.RawTracer: each RPC split into its published messages and the rest.

var _ pubsub.RawTracer = (*simCounters)(nil)

func (c *simCounters) rpc(r *pubsub.RPC) {
	total := int64(r.Size())
	var data int64
	for _, m := range r.Publish {
		sz := m.Size()
		data += int64(1 + protowire.SizeVarint(uint64(sz)) + sz)
		c.msgs[classGossipData].Add(1)
	}
	c.bytes[classGossipData].Add(data)
	if total > data {
		c.bytes[classGossipCtrl].Add(total - data)
	}
	if len(r.Subscriptions) > 0 || r.Control != nil {
		c.msgs[classGossipCtrl].Add(1)
	}
}

func (c *simCounters) RecvRPC(r *pubsub.RPC)            { c.rpc(r) }
func (c *simCounters) SendRPC(r *pubsub.RPC, _ peer.ID) { c.rpc(r) }

func (c *simCounters) AddPeer(peer.ID, protocol.ID)             {}
func (c *simCounters) RemovePeer(peer.ID)                       {}
func (c *simCounters) Join(string)                              {}
func (c *simCounters) Leave(string)                             {}
func (c *simCounters) Graft(peer.ID, string)                    {}
func (c *simCounters) Prune(peer.ID, string)                    {}
func (c *simCounters) ValidateMessage(*pubsub.Message)          {}
func (c *simCounters) DeliverMessage(*pubsub.Message)           {}
func (c *simCounters) RejectMessage(*pubsub.Message, string)    {}
func (c *simCounters) DuplicateMessage(*pubsub.Message)         {}
func (c *simCounters) ThrottlePeer(peer.ID)                     {}
func (c *simCounters) DropRPC(*pubsub.RPC, peer.ID)             {}
func (c *simCounters) UndeliverableMessage(*pubsub.Message)     {}
func (c *simCounters) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (c *simCounters) OnClosedOutboundStream(peer.ID)           {}
