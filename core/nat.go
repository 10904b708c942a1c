package core

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// Reachability says whether other peers can dial this node directly.
type Reachability int

const (
	// ReachabilityAuto: AutoNAT finds out, by asking peers that run its
	// service (relays do) to dial back. Until it has, and while it finds
	// the node private, the node keeps relay reservations.
	ReachabilityAuto Reachability = iota
	// ReachabilityPrivate: behind a NAT. The node keeps relay reservations
	// from the start, without waiting for AutoNAT's answer.
	ReachabilityPrivate
	// ReachabilityPublic: directly reachable; no relay is needed.
	ReachabilityPublic
)

var reachabilityNames = []string{"auto", "private", "public"}

func (r Reachability) String() string {
	if r < 0 || int(r) >= len(reachabilityNames) {
		return fmt.Sprintf("Reachability(%d)", int(r))
	}
	return reachabilityNames[r]
}

// ParseReachability parses "auto", "private" or "public".
func ParseReachability(s string) (Reachability, error) {
	if i := slices.Index(reachabilityNames, strings.ToLower(s)); i >= 0 {
		return Reachability(i), nil
	}
	return 0, fmt.Errorf("core: unknown reachability %s (want auto, private or public)", entry.Quote(s))
}

func (r Reachability) network() network.Reachability {
	switch r {
	case ReachabilityPrivate:
		return network.ReachabilityPrivate
	case ReachabilityPublic:
		return network.ReachabilityPublic
	}
	return network.ReachabilityUnknown
}

// Holder is a device that announced, in the DHT, that it holds a copy of
// the signed-in account's log: a follower's, a store-and-forward relay, or
// another device of the account. While the account's device is offline,
// its posts are fetched from these.
type Holder struct {
	PeerID  string `json:"peer_id"`
	Account string `json:"account,omitempty"` // the follower using the device, when this node knows it
	Online  bool   `json:"online"`            // connected now
}

// Connection is one open connection of the node.
type Connection struct {
	Peer      string    `json:"peer"`      // the remote peer ID
	Addr      string    `json:"addr"`      // the remote multiaddr
	Relayed   bool      `json:"relayed"`   // through a circuit relay, not direct
	Direction string    `json:"direction"` // "inbound" or "outbound"
	Opened    time.Time `json:"opened"`
}

// Connections lists the node's open connections, oldest first.
func (n *Node) Connections() []Connection {
	var out []Connection
	for _, c := range n.host.Network().Conns() {
		st := c.Stat()
		dir := "outbound"
		if st.Direction == network.DirInbound {
			dir = "inbound"
		}
		out = append(out, Connection{
			Peer:      c.RemotePeer().String(),
			Addr:      c.RemoteMultiaddr().String(),
			Relayed:   p2p.Relayed(c),
			Direction: dir,
			Opened:    st.Opened,
		})
	}
	slices.SortFunc(out, func(a, b Connection) int { return a.Opened.Compare(b.Opened) })
	return out
}

// reachable reports whether p is connected, directly or through a relay.
func (n *Node) reachable(p peer.ID) bool {
	c := n.host.Network().Connectedness(p)
	return c == network.Connected || c == network.Limited
}

// relayLoop runs in foreground mode: it keeps relay reservations while the
// node is not publicly reachable, republishes the name record when the
// node's addresses change (a reservation adds a relay address), and, with
// Config.StoreForward, registers the followed logs with store-and-forward
// relays as they are met and whenever the following list changes.
func (n *Node) relayLoop(ctx context.Context) {
	ar, err := n.host.StartAutoRelay(n.relays)
	if err != nil {
		n.log.Warn("autorelay not started", "err", err)
	} else {
		defer ar.Close()
	}
	sub, err := n.host.EventBus().Subscribe([]any{new(event.EvtLocalAddressesUpdated), new(event.EvtPeerIdentificationCompleted)})
	if err != nil {
		n.log.Warn("relay loop: events", "err", err)
		return
	}
	defer sub.Close()
	republish := time.NewTimer(time.Hour)
	republish.Stop()
	defer republish.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-sub.Out():
			switch ev := ev.(type) {
			case event.EvtLocalAddressesUpdated:
				if ev.Diffs {
					republish.Reset(time.Second) // reservations come in pairs
				}
			case event.EvtPeerIdentificationCompleted:
				if n.cfg.StoreForward && slices.Contains(ev.Protocols, syncproto.KeepID) {
					n.keepWith(ctx, ev.Peer)
				}
			}
		case <-n.keepKick:
			for _, p := range n.host.Network().Peers() {
				if ok, _ := n.host.Peerstore().SupportsProtocols(p, syncproto.KeepID); len(ok) > 0 {
					n.keepWith(ctx, p)
				}
			}
		case <-republish.C:
			if sess := n.session(); sess != nil {
				n.log.Info("addresses changed", "addrs", n.host.Addrs())
				n.publishName(ctx, sess)
			}
		}
	}
}

// keepChanged asks the relay loop to send the following list to the
// store-and-forward relays again.
func (n *Node) keepChanged() {
	if !n.cfg.StoreForward {
		return
	}
	select {
	case n.keepKick <- struct{}{}:
	default:
	}
}

// keepWith asks the store-and-forward relay p to keep the logs the
// logged-in account follows. A relay that accepts becomes the first peer a
// background wake syncs with.
func (n *Node) keepWith(ctx context.Context, p peer.ID) {
	sess := n.session()
	if sess == nil {
		return
	}
	follows, err := n.store.Following(sess.key)
	if err != nil {
		return
	}
	req := syncproto.KeepRequest{Time: uint64(time.Now().UnixMilli())}
	req.Authors = append(req.Authors, sess.key) // its own log too: followers fetch it there
	for _, f := range follows {
		if f.Active && len(req.Authors) < syncproto.MaxKeepAuthors {
			req.Authors = append(req.Authors, f.Target)
		}
	}
	if err := req.Sign(sess.priv); err != nil {
		n.log.Warn("keep request", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, noticeTimeout)
	defer cancel()
	err = func() error {
		s, err := n.host.NewStream(ctx, p, syncproto.KeepID)
		if err != nil {
			return err
		}
		defer s.Close()
		s.SetDeadline(time.Now().Add(noticeTimeout))
		if err := syncproto.WriteKeep(s, req); err != nil {
			s.Reset()
			return err
		}
		s.CloseWrite()
		return syncproto.ReadKeepReply(bufio.NewReader(s))
	}()
	if err != nil {
		n.log.Info("store-and-forward relay did not take the following list", "relay", p, "err", err)
		return
	}
	n.mu.Lock()
	n.keeper = peer.AddrInfo{ID: p, Addrs: n.host.Peerstore().Addrs(p)}
	n.mu.Unlock()
	n.log.Info("store-and-forward relay keeps the followed logs", "relay", p, "authors", len(req.Authors))
}

// keeperPeer returns the store-and-forward relay that last accepted the
// following list, if any.
func (n *Node) keeperPeer() (peer.AddrInfo, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.keeper, n.keeper.ID != ""
}

// limitedPeers lists the peers connected only through a relay: GossipSub
// does not use relayed connections, so a follower reached that way gets a
// new post as a notice (pushTo) or else waits for its next sync.
func (n *Node) limitedPeers() []peer.ID {
	var out []peer.ID
	for _, p := range n.host.Network().Peers() {
		if n.host.Network().Connectedness(p) == network.Limited {
			out = append(out, p)
		}
	}
	return out
}

// pushTo sends a new own entry as a notice to each of peers.
func (n *Node) pushTo(ctx context.Context, sess *session, peers []peer.ID, e *entry.Entry) {
	for _, p := range peers {
		if err := n.sendNotice(ctx, sess, p, []*entry.Entry{e}); err != nil {
			n.log.Debug("relayed push failed; the peer will sync", "peer", p, "err", err)
		}
	}
}
