package p2p

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
)

// TestUnidentifiedClosed: a connection identify fails on is closed, so that
// the next dial makes one that GossipSub can use; an identified one stays.
func TestUnidentifiedClosed(t *testing.T) {
	tests := []struct {
		name       string
		noIdentify bool // the dialled peer does not answer identify
		wantClosed bool
	}{
		{"identified", false, false},
		{"identify fails", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newHost(t, Config{PubSub: true})
			b := newHost(t, Config{PubSub: true})
			if tt.noIdentify {
				b.RemoveStreamHandler(identify.ID)
			}
			connect(t, a, b)
			if tt.wantClosed {
				waitFor(t, "the unidentified connection closed", func() bool {
					return a.Network().Connectedness(b.ID()) != network.Connected
				})
				return
			}
			waitFor(t, "b identified", func() bool {
				protos, _ := a.Peerstore().GetProtocols(b.ID())
				return len(protos) > 0
			})
			if a.dropUnidentified(b.ID()) || a.Network().Connectedness(b.ID()) != network.Connected {
				t.Error("the identified connection was closed")
			}
		})
	}
}
