package core

import (
	"bufio"
	"context"
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/directory"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// setProfile sets n's profile with SetProfile and returns its entry.
func setProfile(t *testing.T, n *Node, p entry.Profile) *entry.Entry {
	t.Helper()
	if _, err := n.SetProfile(context.Background(), p.DisplayName, p.Bio, p.Link); err != nil {
		t.Fatalf("SetProfile() = %v", err)
	}
	_, e, ok := n.profileOf(n.session().key)
	if !ok {
		t.Fatal("SetProfile stored no profile")
	}
	return e
}

// TestDirectoryProfilePublished: SetProfile alone gets the profile into
// the relay's directory, with the name record its growing log republishes.
func TestDirectoryProfilePublished(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	waitFor(t, "the relay's directory to hold alice", func() bool { return len(searchNames(t, bob, "alice")) == 1 })
	if _, err := alice.SetProfile(context.Background(), "Alice Liddell", "down the rabbit hole", ""); err != nil {
		t.Fatal(err)
	}
	found := func() bool {
		res, err := bob.directorySearch(context.Background(), "rabbit", 10)
		return err == nil && len(res) == 1 && res[0].Profile.DisplayName == "Alice Liddell"
	}
	waitFor(t, "bob to find alice's bio in the directory", found)
}

// searchNames returns the names n's directory search for query finds.
func searchNames(t *testing.T, n *Node, query string) []string {
	t.Helper()
	res, err := n.directorySearch(context.Background(), query, 10)
	if err != nil {
		t.Fatalf("directorySearch(%q) = %v", query, err)
	}
	var out []string
	for _, r := range res {
		out = append(out, r.Name)
	}
	return out
}

// TestDirectory: alice publishes her profile to the relay; bob finds her
// through the relay's directory by name, display name and bio, verified.
func TestDirectory(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	ctx := context.Background()

	// The relay learnt both names from its registry.
	waitFor(t, "the relay's directory to hold alice and bob", func() bool { return tn.relay.dir.Len() == 2 })
	if got := searchNames(t, bob, "ali"); len(got) != 1 || got[0] != "alice" {
		t.Fatalf("search(ali) = %q before a profile, want [alice]", got)
	}

	e := setProfile(t, alice, entry.Profile{DisplayName: "Alice Liddell", Bio: "Down the Rabbit hole"})
	if err := alice.publishProfile(ctx, e); err != nil {
		t.Fatalf("publishProfile() = %v", err)
	}
	res, err := bob.directorySearch(ctx, "RABBIT", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Name != "alice" || res[0].Profile.DisplayName != "Alice Liddell" || res[0].Account != alice.session().key {
		t.Fatalf("directorySearch(RABBIT) = %+v, want alice's verified profile", res)
	}
	// A newer profile replaces it; the older one is refused as stale.
	e2 := setProfile(t, alice, entry.Profile{DisplayName: "Alice", Bio: "Through the looking-glass"})
	if err := alice.publishProfile(ctx, e2); err != nil {
		t.Fatal(err)
	}
	if err := alice.publishProfile(ctx, e); err != nil {
		t.Fatalf("publishProfile(older) = %v, want nil (the relay holds a newer one)", err)
	}
	if got := searchNames(t, bob, "rabbit"); len(got) != 0 {
		t.Errorf("search(rabbit) = %q after the new profile, want none", got)
	}
	if got := searchNames(t, bob, "looking-glass"); len(got) != 1 || got[0] != "alice" {
		t.Errorf("search(looking-glass) = %q, want [alice]", got)
	}
	for _, q := range []string{"", string(make([]byte, directory.MaxQueryChars+1)), "a\x00"} {
		if _, err := bob.directorySearch(ctx, q, 10); !errors.Is(err, directory.ErrQuery) {
			t.Errorf("directorySearch(%q) = %v, want ErrQuery", q, err)
		}
	}
	for _, q := range []string{".*", "%", `\`} {
		if got := searchNames(t, bob, q); len(got) != 0 {
			t.Errorf("search(%q) = %q, want none", q, got)
		}
	}
	// A post is no profile.
	if err := alice.publishProfile(ctx, mustPostEntry(t, alice)); err == nil {
		t.Error("publishProfile(a post) = nil error")
	}

	if dir := tn.relay.dir; dir.Len() != 2 {
		t.Errorf("relay directory holds %d accounts, want 2", dir.Len())
	}
}

func mustPostEntry(t *testing.T, n *Node) *entry.Entry {
	t.Helper()
	p := mustPost(t, n, "hello")
	e, err := n.findPost(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDirectoryHostileRelay: a relay that forges results has them dropped
// and counted; the honest relay's results are shown.
func TestDirectoryHostileRelay(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	waitFor(t, "the relay's directory to hold alice", func() bool { return tn.relay.dir.Len() == 1 })
	e := setProfile(t, alice, entry.Profile{DisplayName: "Alice", Bio: "rabbit"})
	if err := alice.publishProfile(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	raw, err := tn.relay.dir.Search("alice", 1)
	if err != nil || len(raw) != 1 {
		t.Fatalf("relay Search(alice) = %d, %v", len(raw), err)
	}
	altered := append([]byte(nil), raw[0].Entry...)
	altered[len(altered)-1] ^= 'x' ^ 'y'
	forged := append([]byte(nil), raw[0].Record...)
	forged[len(forged)-2] ^= 1

	// A second relay, hostile, that answers every search with forgeries.
	evil := newTestNet(t).relay
	evil.host.SetStreamHandler(directory.ProtocolID, func(s network.Stream) {
		defer s.Close()
		if _, err := directory.ReadFrame(bufio.NewReader(s), directory.MaxRequest); err != nil {
			s.Reset()
			return
		}
		s.Write(directory.AppendResponse(nil, directory.StatusOK, []directory.Raw{
			{Record: raw[0].Record, Entry: altered}, // altered bio
			{Record: forged},                        // forged record
		}))
	})
	bob := tn.nodeWith("", func(c *Config) { c.RelayAddrs = evil.Addrs() })
	if _, err := bob.Register(context.Background(), "bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	ai, err := peer.AddrInfoFromString(evil.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := bob.host.Connect(context.Background(), *ai); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob connected to both relays", func() bool { return len(bob.directoryPeers()) == 2 })
	res, err := bob.directorySearch(context.Background(), "ali", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Name != "alice" || res[0].Profile.Bio != "rabbit" {
		t.Errorf("directorySearch(ali) = %+v, want alice's true profile", res)
	}
	if got := bob.dirStats.dropped.Load(); got != 2 {
		t.Errorf("results dropped = %d, want 2", got)
	}
}

// TestDirectoryRestart: a relay's directory survives its restart.
func TestDirectoryRestart(t *testing.T) {
	dir := t.TempDir()
	r, err := NewRelay(context.Background(), RelayConfig{DataDir: dir, ListenAddrs: loopback})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	tn := &testNet{t: t, relay: r}
	alice := tn.user("alice")
	waitFor(t, "the relay's directory to hold alice", func() bool { return r.dir.Len() == 1 })
	if err := alice.publishProfile(context.Background(), setProfile(t, alice, entry.Profile{Bio: "rabbit"})); err != nil {
		t.Fatal(err)
	}
	alice.Close()
	r.Close()
	r, err = NewRelay(context.Background(), RelayConfig{DataDir: dir, ListenAddrs: loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	raw, err := r.dir.Search("RABBIT", 10)
	if err != nil || len(raw) != 1 || len(raw[0].Entry) == 0 {
		t.Fatalf("Search(RABBIT) after a restart = %d results, %v; want alice's profile", len(raw), err)
	}
}
