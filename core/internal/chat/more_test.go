package chat

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
)

// TestPublicGroup: a public group is joined without an invite, its
// messages are plaintext, and a removed account cannot join again.
func TestPublicGroup(t *testing.T) {
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	names := tn.names()
	g, es, err := a.e.CreateGroup("plaza", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if es[0].Epoch != (chatlog.EpochID{}) {
		t.Fatal("public create sealed")
	}
	if _, err := b.e.Join(g); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("Join before Watch = %v", err)
	}
	if err := b.e.Watch(g); err != nil {
		t.Fatal(err)
	}
	tn.sync()
	if _, err := b.e.Join(g); err != nil {
		t.Fatalf("b.Join = %v", err)
	}
	tn.sync()
	_, es, err = b.e.Send(g, "hello plaza", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := chatlog.DecodePayload(es[0].Body); err != nil || p.Text != "hello plaza" {
		t.Fatalf("public message body = %q, %v", es[0].Body, err)
	}
	tn.send(es, a)
	if got := msgs(t, a, g, names); !slices.Equal(got, []string{"b:hello plaza"}) {
		t.Fatalf("a shows %q", got)
	}
	conv, _ := a.e.Conversation(g)
	if conv.Name != "plaza" || !conv.Public || conv.Members != 2 {
		t.Errorf("Conversation = %+v", conv)
	}
	if got := a.e.Search("PLAZA", 5); len(got) != 1 || got[0].Author != b.key {
		t.Errorf("Search = %+v", got)
	}
	rm, err := a.e.Remove(g, b.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(rm, b)
	if _, err := b.e.Join(g); !errors.Is(err, ErrInviteInvalid) {
		t.Errorf("Join after removal = %v, want ErrInviteInvalid", err)
	}
}

// TestRotation: an epoch older than 7 days is replaced by a Rekey before
// the next message.
func TestRotation(t *testing.T) {
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	g := tn.privateGroup(true, a, b)
	_, es, err := a.e.Send(g, "now", nil, tn.keys)
	if err != nil || len(es) != 1 {
		t.Fatalf("Send = %d entries, %v", len(es), err)
	}
	tn.send(es, b)
	tn.clock.Advance(8 * 24 * time.Hour)
	_, es, err = a.e.Send(g, "next week", nil, tn.keys)
	if err != nil || len(es) != 2 || es[0].Kind != chatlog.KindRekey {
		t.Fatalf("Send after 8 days = %d entries, %v", len(es), err)
	}
	tn.send(es, b)
	if got := b.e.Search("next week", 1); len(got) != 1 {
		t.Fatalf("b cannot read the message after the rekey")
	}
}

// TestPrekeys: rotation after 7 days keeps the old private key for
// wraps made to it; others' records: verified, newest wins, bounded.
func TestPrekeys(t *testing.T) {
	tn := newNet(t)
	tn.lim = Limits{Prekeys: 2}
	a, b := tn.add("a", 1), tn.add("b", 2)
	old, err := a.e.OwnPrekey()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := a.e.OwnPrekey(); again.Public != old.Public {
		t.Fatal("own prekey changed within a week")
	}
	// b wraps a DM to a's old prekey; a rotates, then reads it.
	g, ca, err := b.e.StartDM(a.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	_, m, err := b.e.Send(g, "to your old key", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.clock.Advance(8 * 24 * time.Hour)
	cur, err := a.e.OwnPrekey()
	if err != nil || cur.Public == old.Public {
		t.Fatalf("no rotation after 8 days: %v", err)
	}
	tn.send(append(ca, m...), a)
	if got := a.e.Search("old key", 1); len(got) != 1 {
		t.Fatal("a cannot open a wrap to its previous prekey")
	}
	// Others' records.
	if err := b.e.PutPrekey(cur); err != nil {
		t.Fatal(err)
	}
	if err := b.e.PutPrekey(old); err != nil {
		t.Fatal(err)
	}
	if r, ok := b.e.Prekey(a.key); !ok || r.Public != cur.Public {
		t.Fatalf("Prekey(a) is not the newest")
	}
	bad := *cur
	bad.Sig[0] ^= 1
	if err := b.e.PutPrekey(&bad); !errors.Is(err, chatcrypt.ErrBadSignature) {
		t.Fatalf("PutPrekey(forged) = %v", err)
	}
	for i := byte(10); i < 13; i++ {
		p, _ := chatcrypt.NewPrekey()
		r, err := chatcrypt.SignPrekey(privOf(i), p.Public, tn.clock.Now(), tn.clock.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := b.e.PutPrekey(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(b.e.prekeys); n != 2 {
		t.Fatalf("%d prekey records kept, limit 2", n)
	}
}

// TestMemberLimit: invites stop at Limits.Members members and invitees.
func TestMemberLimit(t *testing.T) {
	tn := newNet(t)
	tn.lim = Limits{Members: 3}
	a, b, c, d := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3), tn.add("d", 4)
	g := tn.privateGroup(true, a, b)
	if _, err := a.e.Invite(g, c.key, false, 0, tn.keys); err != nil {
		t.Fatal(err)
	}
	if _, err := a.e.Invite(g, d.key, false, 0, tn.keys); err == nil {
		t.Fatal("a fourth member was invited past the limit of 3")
	}
}

// TestConcurrentUse: Ingest, Send, reads and Tick from several goroutines
// (run with -race).
func TestConcurrentUse(t *testing.T) {
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	g := tn.privateGroup(true, a, b)
	var wg sync.WaitGroup
	feed := make(chan []*chatlog.Entry, 64)
	wg.Add(3)
	go func() {
		defer wg.Done()
		defer close(feed)
		for range 30 {
			_, es, err := a.e.Send(g, "from a", nil, tn.keys)
			if err != nil {
				t.Error(err)
				return
			}
			feed <- es
		}
	}()
	go func() {
		defer wg.Done()
		for es := range feed {
			b.e.Ingest(es)
		}
	}()
	go func() {
		defer wg.Done()
		for range 30 {
			if _, _, err := b.e.Send(g, "from b", nil, tn.keys); err != nil {
				t.Error(err)
				return
			}
			b.e.Messages(g, nil, 10)
			b.e.Conversations()
			b.e.Tick(tn.clock.Now())
			b.e.Frontier(g)
		}
	}()
	wg.Wait()
	if got := len(b.e.Search("from", 100)); got != 60 {
		t.Fatalf("b finds %d messages, want 60", got)
	}
}
