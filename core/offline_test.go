package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
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
	// Bob's name record reaches the relay's DHT a moment after Register
	// returns on a loaded machine: look until it is there.
	var p Profile
	var err error
	waitFor(t, "bob's name record", func() bool {
		p, err = alice.Whois(ctx, "bob")
		return !errors.Is(err, ErrUnknownName)
	})
	if err != nil || !p.Online {
		t.Fatalf("Whois(bob) while bob runs = %+v, %v; want online", p, err)
	}
	bob.Close()
	// Alice learns of the closed connection when its close reaches her.
	waitFor(t, "alice to see bob's connection closed", func() bool {
		return !alice.reachable(bob.host.ID())
	})
	p, err = alice.Whois(ctx, "bob")
	if err != nil || p.Online || p.LastSeen.IsZero() {
		t.Fatalf("Whois(bob) after bob stopped = %+v, %v; want offline with a last-seen time", p, err)
	}
}

// TestRestoreOnNewDevice: alice exports her account, her device goes away,
// and she restores it on a new device from the phrase and, on a third, from
// the key file. The new device gets her whole log back from a follower
// before it allows a post, and the next post continues the log.
func TestRestoreOnNewDevice(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	mustFollow(t, alice, "bob")
	for i := range 4 {
		mustPost(t, alice, fmt.Sprintf("alice %d", i))
	}
	waitFor(t, "bob holds alice's log", hasFeed(bob, "alice: alice 3"))
	waitFor(t, "bob announces it", func() bool {
		return slices.Contains(alice.findHolders(ctx, alice.session().key), bob.host.ID())
	})
	if _, err := alice.ExportPhrase(ctx, "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("ExportPhrase(wrong password) = %v, want ErrWrongPassword", err)
	}
	phrase, err := alice.ExportPhrase(ctx, "pw-alice")
	if err != nil {
		t.Fatal(err)
	}
	keyFile, err := alice.ExportKeyFile(ctx, "pw-alice")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := alice.Status(ctx)
	wantEntries := st.Entries // 4 posts and a follow
	alice.Close()

	tests := []struct {
		name    string
		restore func(n *Node) (User, error)
	}{
		{"phrase", func(n *Node) (User, error) { return n.RestorePhrase(ctx, "alice", phrase, "new-pw") }},
		{"key file", func(n *Node) (User, error) { return n.RestoreKeyFile(ctx, keyFile, "pw-alice") }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tn.node("")
			if _, err := tt.restore(n); err != nil {
				t.Fatalf("restore = %v", err)
			}
			waitFor(t, "own log fetched back", func() bool {
				st, _ := n.Status(ctx)
				return !st.Restoring
			})
			st, _ := n.Status(ctx)
			if st.Entries != wantEntries {
				t.Fatalf("restored log has %d entries, want %d", st.Entries, wantEntries)
			}
			p := mustPost(t, n, fmt.Sprintf("back on a new device %d", i))
			if p.Seq != wantEntries+1 {
				t.Fatalf("next post has seq %d, want %d", p.Seq, wantEntries+1)
			}
			fl, _ := n.Following(ctx)
			if len(fl) != 1 || fl[0].Name != "bob" {
				t.Fatalf("Following() after restore = %+v, want bob", fl)
			}
			waitFor(t, "bob gets the new post", hasFeed(bob, fmt.Sprintf("alice: back on a new device %d", i)))
			wantEntries++
			n.Close()
		})
	}
	// A phrase does not restore someone else's name.
	n := tn.node("")
	if _, err := n.RestorePhrase(ctx, "bob", phrase, "x"); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("RestorePhrase(bob, alice's phrase) = %v, want ErrNameTaken", err)
	}
}

// TestFollowWhileOffline: bob follows alice while her device is off; his
// side is consistent at once, and alice learns it when she is back, with a
// notification.
func TestFollowWhileOffline(t *testing.T) {
	tn := newTestNet(t)
	ctx := context.Background()
	aliceDir := t.TempDir()
	alice := tn.node(aliceDir)
	if _, err := alice.Register(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, alice, "before bob")
	bob := tn.user("bob")
	waitFor(t, "alice's record", func() bool { _, err := bob.Whois(ctx, "alice"); return err == nil })
	alice.Close()

	mustFollow(t, bob, "alice")
	fl, _ := bob.Following(ctx)
	if len(fl) != 1 || fl[0].Name != "alice" {
		t.Fatalf("bob Following() = %+v, want alice at once", fl)
	}
	aliceKey := mustKey(t, fl[0].Key)
	probe := tn.node("")
	waitFor(t, "bob announces that he holds alice's log", func() bool {
		return slices.Contains(probe.findHolders(ctx, aliceKey), bob.host.ID())
	})

	alice = tn.node(aliceDir)
	events := watchEvents(t, alice)
	if _, err := alice.Login(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice learns of bob", func() bool {
		fs, _ := alice.Followers(ctx)
		return len(fs) == 1 && fs[0].Name == "bob"
	})
	waitFor(t, "notification event", events.has(EventNotification, func(ev Event) bool {
		return ev.Notification.Kind == NotifyFollower && ev.Notification.From.Name == "bob"
	}))
	ns, _ := alice.Notifications(ctx, 10, false)
	if len(ns) != 1 || ns[0].Kind != NotifyFollower || ns[0].From.Name != "bob" || ns[0].Read {
		t.Fatalf("Notifications() = %+v, want one unread follower notification from bob", ns)
	}
	// bob gets what alice wrote before, now that she is back.
	waitFor(t, "bob catches up", hasFeed(bob, "alice: before bob"))
}

func mustKey(t *testing.T, s string) entry.Key {
	t.Helper()
	k, err := entry.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
