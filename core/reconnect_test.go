package core

import (
	"fmt"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
)

// TestReconnectFollowed: when the connection to a followed author's device
// drops, whichever side closed it, the follower dials it again and gets
// the author's next post live, not at its periodic sync minutes later.
func TestReconnectFollowed(t *testing.T) {
	tests := []struct {
		name   string
		closer func(alice, bob *Node) *Node
	}{
		{"author closes", func(alice, _ *Node) *Node { return alice }},
		{"follower closes", func(_, bob *Node) *Node { return bob }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTestNet(t)
			// Phones: DHT clients, which nobody dials for the DHT.
			phone := func(c *Config) { c.DHTMode = DHTClient }
			alice := tn.nodeWith("alice", phone)
			bob := tn.nodeWith("bob", phone)
			mustFollow(t, bob, "alice")
			mustPost(t, alice, "before")
			waitFor(t, "the live post", hasFeed(bob, "alice: before"))

			c := tt.closer(alice, bob)
			other := alice
			if c == alice {
				other = bob
			}
			// Each drop, not only one: a profile fetch or a notice may
			// dial once.
			for i := range 3 {
				c.host.Network().ClosePeer(other.host.ID())
				waitFor(t, "bob connected to alice again", func() bool {
					return bob.host.Network().Connectedness(alice.host.ID()) == network.Connected &&
						subscribedTo(alice, bob)
				})
				text := fmt.Sprintf("after drop %d", i)
				mustPost(t, alice, text)
				waitFor(t, "the post after the drop", hasFeed(bob, "alice: "+text))
			}
		})
	}
}

// subscribedTo reports whether author's GossipSub knows that follower
// subscribed to its topic.
func subscribedTo(author, follower *Node) bool {
	for _, p := range author.host.PubSub.ListPeers(topicOf(author.session().key)) {
		if p == follower.host.ID() {
			return true
		}
	}
	return false
}
