package core

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/profiles"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

func mustSetProfile(t *testing.T, n *Node, name, bio, link string) User {
	t.Helper()
	u, err := n.SetProfile(context.Background(), name, bio, link)
	if err != nil {
		t.Fatalf("SetProfile(%q, %q, %q): %v", name, bio, link, err)
	}
	return u
}

// hasDisplayName reports whether n's feed shows a post by author with the
// display name want.
func hasDisplayName(n *Node, author, want string) func() bool {
	return func() bool {
		p, err := n.Feed(context.Background(), "", 100)
		if err != nil {
			return false
		}
		for _, post := range p.Posts {
			if post.Author == author && post.AuthorDisplayName == want {
				return true
			}
		}
		return false
	}
}

// TestProfiles: alice sets a profile; bob follows her and sees her display
// name in his feed rows, in Whois, in his following list, and in the
// events of her new posts; alice sees bob's in her followers and
// notifications, fetched from bob's device since she does not follow him.
func TestProfiles(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	u := mustSetProfile(t, alice, "Alice Liddell", "Down the\nrabbit hole.", "https://example.org/alice")
	if u.Name != "alice" || u.DisplayName != "Alice Liddell" || u.Bio != "Down the\nrabbit hole." || u.Link != "https://example.org/alice" {
		t.Fatalf("SetProfile() = %+v", u)
	}
	mustSetProfile(t, bob, "Bob B.", "", "")
	mustPost(t, alice, "before bob follows")
	w := watchEvents(t, bob)
	mustFollow(t, bob, "alice")
	waitFor(t, "bob's feed shows alice's display name", hasDisplayName(bob, "alice", "Alice Liddell"))
	mustPost(t, alice, "after bob follows")
	waitFor(t, "a live post event with alice's display name", w.has(EventPost, func(ev Event) bool {
		return ev.Post.Text == "after bob follows" && ev.Post.AuthorDisplayName == "Alice Liddell"
	}))

	p, err := bob.Whois(ctx, "alice")
	if err != nil || p.DisplayName != "Alice Liddell" || p.Bio != "Down the\nrabbit hole." || p.Link != "https://example.org/alice" {
		t.Fatalf("Whois(alice) = %+v, %v", p.User, err)
	}
	fl, err := bob.Following(ctx)
	if err != nil || len(fl) != 1 || fl[0].DisplayName != "Alice Liddell" {
		t.Fatalf("Following() = %+v, %v", fl, err)
	}
	waitFor(t, "alice's followers show bob's display name", func() bool {
		fs, err := alice.Followers(ctx)
		return err == nil && len(fs) == 1 && fs[0].DisplayName == "Bob B."
	})
	ns, err := alice.Notifications(ctx, 10, false)
	if err != nil || len(ns) == 0 || ns[0].From.DisplayName != "Bob B." {
		t.Fatalf("Notifications() = %+v, %v, want one from Bob B.", ns, err)
	}

	// A new profile replaces the old one everywhere; clearing the bio
	// clears it.
	mustSetProfile(t, alice, "Alice L.", "", "")
	waitFor(t, "bob sees the new display name", hasDisplayName(bob, "alice", "Alice L."))
	if p, _ := bob.Whois(ctx, "alice"); p.Bio != "" || p.Link != "" {
		t.Fatalf("Whois(alice) after clearing = %+v", p.User)
	}

	// Carol, who follows nobody, sees alice's display name in her
	// timeline, and in Whois.
	carol := tn.user("carol")
	// (The timeline fills once alice's name record announces her posts.)
	waitFor(t, "carol's timeline of alice shows her display name", func() bool {
		page, err := carol.Timeline(ctx, "alice", "", 10)
		return err == nil && len(page.Posts) > 0 && page.Posts[0].AuthorDisplayName == "Alice L."
	})
	if p, err := carol.Whois(ctx, "alice"); err != nil || p.DisplayName != "Alice L." {
		t.Fatalf("carol's Whois(alice) = %+v, %v", p.User, err)
	}
}

// TestProfileFromHolderWhileOffline: bob keeps only alice's newest
// entries, so her profile entry leaves his copy of her log; alice goes
// offline; carol follows her, syncs the trimmed log from bob, and gets the
// profile from bob by a profile request.
func TestProfileFromHolderWhileOffline(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.nodeWith("", func(c *Config) {
		c.Retention = Retention{KeepPerAuthor: 5, KeepFor: time.Millisecond}
		c.gcInterval = 50 * time.Millisecond
	})
	ctx := context.Background()
	if _, err := bob.Register(ctx, "bob", "pw"); err != nil {
		t.Fatal(err)
	}
	mustSetProfile(t, alice, "Alice Liddell", "bio", "")
	mustFollow(t, bob, "alice")
	for i := range 20 {
		mustPost(t, alice, fmt.Sprintf("post %d", i))
	}
	aliceKey := alice.session().key
	waitFor(t, "bob gets the last post", hasFeed(bob, "alice: post 19"))
	waitFor(t, "retention trims alice's profile entry from bob's log", func() bool {
		tail, _, _ := bob.store.Span(aliceKey)
		return tail > 2
	})
	if bob.displayName(aliceKey) != "Alice Liddell" {
		t.Fatalf("bob lost alice's profile with her old entries")
	}
	carol := tn.user("carol")
	waitFor(t, "bob announces alice's log", func() bool {
		for _, p := range carol.findHolders(ctx, aliceKey) {
			if p == bob.host.ID() {
				return true
			}
		}
		return false
	})
	alice.Close()
	mustFollow(t, carol, "alice")
	waitFor(t, "carol syncs from bob", hasFeed(carol, "alice: post 19"))
	if tail, _, _ := carol.store.Span(aliceKey); tail <= 2 {
		t.Fatalf("carol holds alice's log from %d: the profile entry came by sync", tail)
	}
	waitFor(t, "carol's feed shows alice's display name", hasDisplayName(carol, "alice", "Alice Liddell"))
}

// TestSetProfileRefused: bad input is refused with ErrInvalidProfile and
// nothing is appended.
func TestSetProfileRefused(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	ctx := context.Background()
	key := alice.session().key
	ok := []struct{ name, bio, link string }{
		{strings.Repeat("é", 64), "", ""},
		{"", strings.Repeat("b", 300), ""},
		{"", "", "http://example.org"},
		{"", "", ""},
	}
	for _, tt := range ok {
		if _, err := alice.SetProfile(ctx, tt.name, tt.bio, tt.link); err != nil {
			t.Errorf("SetProfile(%q, %q, %q) = %v, want nil", tt.name, tt.bio, tt.link, err)
		}
	}
	head, _ := alice.store.Head(key)
	bad := []struct{ name, bio, link string }{
		{strings.Repeat("é", 65), "", ""},
		{"", strings.Repeat("b", 301), ""},
		{"   ", "", ""},
		{"", " \n ", ""},
		{"two\nlines", "", ""},
		{"bell\a", "", ""},
		{"", "clear\x1b[2J", ""},
		{"evil\u202eliam", "", ""},
		{"bad \xff utf-8", "", ""},
		{"", "", "javascript:alert(1)"},
		{"", "", "data:text/html,<b>hi</b>"},
		{"", "", "ftp://example.org"},
	}
	for _, tt := range bad {
		if _, err := alice.SetProfile(ctx, tt.name, tt.bio, tt.link); !errors.Is(err, ErrInvalidProfile) {
			t.Errorf("SetProfile(%q, %q, %q) = %v, want ErrInvalidProfile", tt.name, tt.bio, tt.link, err)
		}
	}
	if h, _ := alice.store.Head(key); h.Seq != head.Seq {
		t.Fatalf("refused profiles appended: head %d, want %d", h.Seq, head.Seq)
	}
	// A retried request appends once.
	rctx := WithRequestID(ctx, "profile-1")
	for range 2 {
		if u, err := alice.SetProfile(rctx, "Retry", "", ""); err != nil || u.DisplayName != "Retry" {
			t.Fatalf("SetProfile(retry) = %+v, %v", u, err)
		}
	}
	if h, _ := alice.store.Head(key); h.Seq != head.Seq+1 {
		t.Fatalf("a retried SetProfile appended %d entries, want 1", h.Seq-head.Seq)
	}
	if _, err := alice.SetProfile(rctx, "Other", "", ""); !errors.Is(err, ErrRequestIDReused) {
		t.Fatalf("SetProfile(reused ID) = %v, want ErrRequestIDReused", err)
	}
}

// TestProfileHostileAnswers: a peer answering a profile request with an
// entry of another key, an older profile, a badly signed one or garbage is
// dropped and counted, and nothing is stored.
func TestProfileHostileAnswers(t *testing.T) {
	tn := newTestNet(t)
	asker, evil := tn.user("asker"), tn.node("")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	victim := keyOf(priv)
	sign := func(priv ed25519.PrivateKey, seq uint64, name string) *entry.Entry {
		var prev entry.ID
		if seq > 1 {
			prev = entry.ID{9}
		}
		e, err := entry.New(priv, seq, prev, asker.clock.Now(), entry.KindProfile, entry.Profile{DisplayName: name}.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	held := sign(priv, 5, "Held")
	asker.applyProfile(held)
	badSig := bytes.Clone(sign(priv, 8, "Forged").Bytes())
	badSig[entry.HeaderSize+3] ^= 0x40
	answers := []struct {
		name string
		raw  []byte
	}{
		{"another key", sign(other, 9, "Other").Bytes()},
		{"older seq", sign(priv, 3, "Old").Bytes()},
		{"bad signature", badSig},
		{"garbage", []byte("garbage")},
	}
	if err := evil.host.Connect(context.Background(), addrInfo(asker)); err != nil {
		t.Fatal(err)
	}
	for i, a := range answers {
		evil.host.SetStreamHandler(profiles.ProtocolID, func(s network.Stream) {
			defer s.Close()
			profiles.ReadRequest(s)
			profiles.WriteAnswer(s, a.raw)
		})
		stored, answered, err := asker.askProfile(context.Background(), evil.host.ID(), victim)
		if stored || answered || !errors.Is(err, errProfileAnswer) {
			t.Errorf("%s: askProfile() = %v, %v, %v, want dropped", a.name, stored, answered, err)
		}
		if got := asker.prof.dropped.Load(); got != uint64(i+1) {
			t.Errorf("%s: %d answers counted dropped, want %d", a.name, got, i+1)
		}
		if _, e, _ := asker.profileOf(victim); e.ID() != held.ID() {
			t.Errorf("%s: the held profile changed to seq %d", a.name, e.Seq)
		}
	}
	// A valid newer one is taken.
	newer := sign(priv, 7, "Newer")
	evil.host.SetStreamHandler(profiles.ProtocolID, func(s network.Stream) {
		defer s.Close()
		profiles.ReadRequest(s)
		profiles.WriteAnswer(s, newer.Bytes())
	})
	if stored, _, err := asker.askProfile(context.Background(), evil.host.ID(), victim); !stored || err != nil {
		t.Fatalf("askProfile(valid) = %v, %v", stored, err)
	}
	if asker.displayName(victim) != "Newer" {
		t.Fatalf("display name = %q, want Newer", asker.displayName(victim))
	}
}

// TestProfileServeRate: a peer asking too fast gets its streams reset.
func TestProfileServeRate(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	mustSetProfile(t, alice, "Alice", "", "")
	key := alice.session().key
	if err := bob.host.Connect(context.Background(), addrInfo(alice)); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for range profileServeBurst + 10 {
		s, err := bob.host.NewStream(context.Background(), alice.host.ID(), profiles.ProtocolID)
		if err != nil {
			t.Fatal(err)
		}
		profiles.WriteRequest(s, profiles.Request{Author: key, Have: 0})
		s.CloseWrite()
		if e, _, err := profiles.ReadAnswer(s, profiles.Request{Author: key}); err != nil {
			refused++
		} else if e == nil || e.Author != key {
			t.Fatalf("answer = %v, want alice's profile", e)
		}
		s.Close()
	}
	if refused == 0 {
		t.Fatalf("%d requests at once were all answered, want the ones over the burst refused", profileServeBurst+10)
	}
}

// TestPruneProfiles: a profile of an author the node has no reason to hold
// is dropped; its own account's and a followed author's are kept.
func TestPruneProfiles(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	mustSetProfile(t, alice, "Alice", "", "")
	mustSetProfile(t, bob, "Bob", "", "")
	mustFollow(t, bob, "alice")
	aliceKey := alice.session().key
	waitFor(t, "bob gets alice's profile", func() bool { return bob.displayName(aliceKey) == "Alice" })
	_, stray, _ := ed25519.GenerateKey(rand.Reader)
	e, err := entry.New(stray, 1, entry.ID{}, bob.clock.Now(), entry.KindProfile, entry.Profile{DisplayName: "Stray"}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	bob.applyProfile(e)
	if bob.displayName(keyOf(stray)) != "Stray" {
		t.Fatal("stray profile not stored")
	}
	bob.pruneProfiles()
	if bob.displayName(keyOf(stray)) != "" {
		t.Error("the stray profile survived pruning")
	}
	if bob.displayName(aliceKey) != "Alice" || bob.displayName(bob.session().key) != "Bob" {
		t.Error("pruning dropped a followed author's or the own profile")
	}
}

// TestProfileDeleted: a delete entry naming the profile entry held removes
// the profile.
func TestProfileDeleted(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	mustSetProfile(t, alice, "Alice", "", "")
	sess := alice.session()
	_, e, ok := alice.profileOf(sess.key)
	if !ok {
		t.Fatal("no own profile held")
	}
	if _, _, err := alice.appendRequest(context.Background(), sess, nil, entry.KindDelete, entry.Delete{Seq: e.Seq, ID: e.ID()}.Bytes()); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := alice.profileOf(sess.key); ok || alice.displayName(sess.key) != "" {
		t.Fatal("the deleted profile is still held")
	}
}

// TestProfileProtocolDocumented: docs/PROTOCOL.md states the serving rate
// and the bounds of a fetch as the code has them.
func TestProfileProtocolDocumented(t *testing.T) {
	doc := protocoldoc.Flat(t)
	for _, s := range []string{
		fmt.Sprintf("at most %d requests a second on average, in bursts of up to %d", profileServeRate, profileServeBurst),
		fmt.Sprintf("at most %d peers, each within %d seconds, %d seconds in all", maxProfileAsks, int(profileTimeout/time.Second), int(profileFetchTimeout/time.Second)),
	} {
		if !strings.Contains(doc, strings.Join(strings.Fields(s), "")) {
			t.Errorf("docs/PROTOCOL.md does not say %q", s)
		}
	}
}

// TestOwnProfileOffline: with no peer, Whois of the account's own name
// answers from this device, profile included, so that skein profile shows
// and edits it offline.
func TestOwnProfileOffline(t *testing.T) {
	n, err := New(context.Background(), Config{DataDir: t.TempDir(), ListenAddrs: loopback, kdf: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx := context.Background()
	if _, err := n.Register(ctx, "lonely", "pw"); err != nil {
		t.Fatal(err)
	}
	mustSetProfile(t, n, "Lonely", "on my own", "")
	p, err := n.Whois(ctx, "lonely")
	if err != nil || p.DisplayName != "Lonely" || p.Bio != "on my own" || p.Held != 1 {
		t.Fatalf("Whois(own name) offline = %+v, %v", p, err)
	}
	if _, err := n.Whois(ctx, "someone"); err == nil {
		t.Fatal("Whois(someone else) offline = nil error")
	}
}
