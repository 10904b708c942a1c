package p2p

import (
	"context"
	"log/slog"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
)

// watchIdentify closes the connection to a peer that identify failed on,
// until ctx ends; the returned function waits for it to stop. go-libp2p
// runs identify once per connection and keeps the connection when it
// fails: GossipSub, which learns from identify which peers speak it, then
// never exchanges subscriptions on it, and the follower on the other end
// gets no post live (identify timed out on loaded machines: 91 of 4,866
// follows in the 500-node simulation, issue 16). Closed, the connection is
// dialled again by whoever needs it, and identified anew.
//
// A peer whose protocols are known is left alone: another connection to it
// was identified, or the failure concerns a connection that has closed
// since.
func (h *Host) watchIdentify(ctx context.Context, log *slog.Logger) (wait func(), err error) {
	sub, err := h.EventBus().Subscribe(new(event.EvtPeerIdentificationFailed), eventbus.Name("skein-identify"))
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-sub.Out():
				e := ev.(event.EvtPeerIdentificationFailed)
				if h.dropUnidentified(e.Peer) {
					log.Debug("connection closed: identify failed", "peer", e.Peer, "err", e.Reason)
				}
			}
		}
	}()
	return func() { <-done }, nil
}

// dropUnidentified closes the connections to p if p is connected and none
// of its protocols is known. It reports whether it closed any.
func (h *Host) dropUnidentified(p peer.ID) bool {
	if h.Network().Connectedness(p) != network.Connected {
		return false
	}
	if protos, err := h.Peerstore().GetProtocols(p); err != nil || len(protos) > 0 {
		return false
	}
	h.Network().ClosePeer(p)
	return true
}
