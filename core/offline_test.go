package core

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestNewFollowerOfOfflineAuthor: alice is offline; dave follows her and
// gets her past posts from the other followers who hold her log, found
// through the DHT, even when one of them is offline too.
func TestNewFollowerOfOfflineAuthor(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	mustFollow(t, bob, "alice")
	mustFollow(t, carol, "alice")
	for i := range 5 {
		mustPost(t, alice, fmt.Sprintf("alice %d", i))
	}
	waitFor(t, "bob holds alice's log", hasFeed(bob, "alice: alice 4"))
	waitFor(t, "carol holds alice's log", hasFeed(carol, "alice: alice 4"))
	aliceKey := alice.session().key

	dave := tn.user("dave")
	// Both followers announce that they hold alice's log.
	waitFor(t, "two holders in the DHT", func() bool {
		hs := dave.findHolders(context.Background(), aliceKey)
		return slices.Contains(hs, bob.host.ID()) && slices.Contains(hs, carol.host.ID())
	})
	alice.Close()
	bob.Close()

	mustFollow(t, dave, "alice")
	waitFor(t, "dave gets alice's past posts from carol", hasFeed(dave, "alice: alice 4"))
	if got := len(feedTexts(t, dave)); got != 5 {
		t.Fatalf("dave's feed has %d posts, want 5", got)
	}
}

func TestPresence(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	p, err := alice.Whois(ctx, "bob")
	if err != nil || !p.Online {
		t.Fatalf("Whois(bob) while bob runs = %+v, %v; want online", p, err)
	}
	bob.Close()
	p, err = alice.Whois(ctx, "bob")
	if err != nil || p.Online || p.LastSeen.IsZero() {
		t.Fatalf("Whois(bob) after bob stopped = %+v, %v; want offline with a last-seen time", p, err)
	}
}
