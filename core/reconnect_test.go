package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

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

// TestHalfOpenRedialled: a connection to a followed author's device that
// carries no GossipSub stream of the follower's, so that the author never
// learns the follower subscribed, is closed and the device dialled again.
// Here the author's device refuses GossipSub streams; on a real network,
// GossipSub's one attempt to open it failed (on a connection that was
// closing, or when identify failed), and it never tries again.
func TestHalfOpenRedialled(t *testing.T) {
	tn := newTestNet(t)
	phone := func(c *Config) { c.DHTMode = DHTClient }
	alice := tn.nodeWith("alice", phone)
	bob := tn.nodeWith("bob", func(c *Config) {
		phone(c)
		c.gossipCheck = 200 * time.Millisecond
	})
	for _, id := range alice.host.Mux().Protocols() {
		if strings.HasPrefix(string(id), "/meshsub/") || strings.HasPrefix(string(id), "/floodsub/") {
			alice.host.RemoveStreamHandler(id)
		}
	}
	mustFollow(t, bob, "alice")
	var first string
	waitFor(t, "bob connected to alice, half open", func() bool {
		first = connID(bob, alice)
		return first != "" && bob.host.GossipHalfOpen(alice.host.ID())
	})
	waitFor(t, "bob to close the connection and dial alice again", func() bool {
		c := connID(bob, alice)
		return c != "" && c != first
	})
}

// connID returns the ID of from's connection to to, or "".
func connID(from, to *Node) string {
	for _, c := range from.host.Network().ConnsToPeer(to.host.ID()) {
		return c.ID()
	}
	return ""
}
