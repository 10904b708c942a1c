package chat

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// Regression tests for the security review of the messaging engine.

func randPriv(t testing.TB) ed25519.PrivateKey {
	_, p, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rawSigned signs en with priv without the entry's checks, as an attacker
// would (Decode would refuse the result; Ingest must too).
func rawSigned(priv ed25519.PrivateKey, en chatlog.Entry) *chatlog.Entry {
	en.Author = keyOf(priv)
	b := en.Encode()
	msg := append([]byte(chatlog.SigContext), b[:len(b)-chatlog.SigSize]...)
	copy(en.Sig[:], ed25519.Sign(priv, msg))
	return &en
}

// H1: anyone who knows a group's ID hands a newcomer a create of their own
// for it before the real one arrives. A group's ID is now GroupFor(creator,
// salt): the impostor cannot sign a valid create for it, and a forged one
// is refused, so the newcomer folds the real group and joins it.
func TestReviewFakeCreateHijacksNewcomer(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(true, a, b)
	_, _, _ = a.e.Send(g, "before c", nil, tn.keys)
	inv, err := a.e.Invite(g, c.key, false, time.Hour, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	c.e.Ingest(inv) // the invite, pushed to c's device
	x := randPriv(t)
	salt, _ := chatlog.NewSalt()
	fake := chatlog.Entry{Group: g, Author: keyOf(x), Seq: 1, Time: hlcAt(tn.clock.Now().Add(-time.Hour)), Kind: chatlog.KindCreate,
		Body: (&chatlog.Body{Flags: chatlog.FlagPublic, Name: "hijacked", Salt: salt}).Encode()}
	if err := chatlog.Sign(&fake, x); !errors.Is(err, chatlog.ErrInvalidBody) {
		t.Fatalf("Sign(impostor's create) = %v, want ErrInvalidBody", err)
	}
	if _, err := chatlog.Decode(rawSigned(x, fake).Encode()); !errors.Is(err, chatlog.ErrInvalidBody) {
		t.Fatalf("Decode(impostor's create) = %v, want ErrInvalidBody", err)
	}
	if r := c.e.Ingest([]*chatlog.Entry{rawSigned(x, fake)}); r.Stored != 0 {
		t.Fatalf("c stored the impostor's create: %+v", r)
	}
	for _, n := range []*node{a, b} {
		es, _ := n.e.After(g, nil, 10000, 64<<20)
		c.e.Ingest(es)
	}
	if _, err := c.e.Join(g); err != nil {
		t.Fatalf("c cannot join its real invite: %v", err)
	}
	cv, err := c.e.Conversation(g)
	if err != nil || cv.Public {
		t.Fatalf("c's view: %+v, %v", cv, err)
	}
}

// H1: a second create by the group's own author (a fork at seq 1) is a
// fork, not a second group.
func TestReviewSecondCreateIsFork(t *testing.T) {
	tn := newNet(t)
	a, c := tn.add("a", 1), tn.add("relay", 0)
	g, es, err := a.e.CreateGroup("pub", true, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := es[0].Control()
	other := *es[0]
	b.Name = "other"
	other.Body = b.Encode()
	other.Time.Logical++
	fork := signed(t, a.priv, other)
	if fork.Group != g || fork.ID() == es[0].ID() {
		t.Fatal("fork is not a second create of g")
	}
	r := c.e.Ingest([]*chatlog.Entry{es[0], fork})
	if r.Delivered != 1 || r.Dropped != 1 || !errors.Is(r.Err, ErrFork) {
		t.Fatalf("Ingest(create, second create) = %+v, want one delivered and a fork dropped", r)
	}
}

// H2: entries by strangers with a made-up prev used to fill a group's
// pending table at a relay, after which members' out-of-order entries
// were refused, and they counted as Stored, so the relay forwarded them.
// Now delivery is tried first, strangers have a budget of their own, no
// Needs are reported for them, Plausible is false for them, and
// DeliveredEntries lists only what was delivered.
func TestReviewRelayPendingJunk(t *testing.T) {
	tn := newNet(t)
	tn.lim.PendingPerGroup = 4
	tn.lim.PendingStrangers = 2
	r := tn.add("relay", 0)
	a, b := tn.add("a", 1), tn.add("b", 2)
	g := tn.privateGroup(true, a, b)
	all, _ := a.e.After(g, nil, 10000, 64<<20)
	allb, _ := b.e.After(g, nil, 10000, 64<<20)
	r.e.Ingest(append(all, allb...))
	stored := 0
	for i := 0; i < 6; i++ {
		x := randPriv(t)
		j := signed(t, x, chatlog.Entry{Group: g, Author: keyOf(x), Seq: 2, Prev: chatlog.ID{1, byte(i)}, Time: hlcAt(tn.clock.Now()),
			Kind: chatlog.KindMsg, Body: (&chatlog.Payload{Text: "junk"}).Encode()})
		if r.e.Plausible(j) {
			t.Errorf("Plausible(stranger's entry) = true")
		}
		res := r.e.Ingest([]*chatlog.Entry{j})
		stored += res.Stored
		if len(res.Needs) != 0 || len(res.DeliveredEntries) != 0 {
			t.Errorf("stranger's entry: %+v, want no needs and nothing delivered", res)
		}
	}
	if stored != 2 {
		t.Errorf("relay kept %d entries of strangers, want their budget of 2", stored)
	}
	// a fills the group's own bound: four messages, the relay gets them
	// last first; the first delivers the rest.
	var sent []*chatlog.Entry
	for i := 0; i < 5; i++ {
		_, s, err := a.e.Send(g, "m", nil, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, s...)
	}
	if !r.e.Plausible(sent[0]) {
		t.Errorf("Plausible(member's entry) = false")
	}
	for i := len(sent) - 1; i >= 1; i-- {
		res := r.e.Ingest(sent[i : i+1])
		if res.Stored != 1 || res.Pending != 1 {
			t.Fatalf("relay takes a's out-of-order entry %d: %+v", i, res)
		}
	}
	res := r.e.Ingest(sent[:1])
	if res.Delivered != len(sent) || len(res.DeliveredEntries) != len(sent) {
		t.Fatalf("relay takes a's first entry: %+v, want all %d delivered", res, len(sent))
	}
	for i, en := range res.DeliveredEntries {
		if en.ID() != sent[i].ID() {
			t.Errorf("DeliveredEntries[%d] = %s seq %d", i, en.Author.Short(), en.Seq)
		}
	}
	if tr := r.e.Tick(tn.clock.Now()); len(tr.Needs) != 0 {
		t.Errorf("Tick reports needs of strangers: %+v", tr.Needs)
	}
}

// H3: orphan invitations (no create, author never an admin) from strangers
// used to fill the group table, after which the victim could create
// nothing. They are now held outside the table (least recently used
// evicted) until their group's create arrives; a group promoted by a
// create whose invitation never takes effect is dropped after
// OrphanAfter.
func TestReviewOrphanInvitesFillGroups(t *testing.T) {
	tn := newNet(t)
	tn.lim.Groups = 5
	tn.lim.HeldGroups = 3
	v := tn.add("v", 1)
	for i := 0; i < 8; i++ {
		x := randPriv(t)
		gid, _ := chatlog.NewGroupID()
		now := tn.clock.Now()
		inv := signed(t, x, chatlog.Entry{Group: gid, Author: keyOf(x), Seq: 2, Prev: chatlog.ID{9}, Time: hlcAt(now), Kind: chatlog.KindInvite,
			Body: (&chatlog.Body{Target: v.key, Role: chatlog.RoleMember, Expires: uint64(now.Add(time.Hour).UnixMilli())}).Encode()})
		if !v.e.Wants(inv) {
			t.Fatalf("Wants(invite of Self) = false")
		}
		r := v.e.Ingest([]*chatlog.Entry{inv})
		if r.Stored != 1 || len(r.Needs) != 1 || r.Needs[0].Author != keyOf(x) || r.Needs[0].To != 1 {
			t.Fatalf("Ingest(orphan invite) = %+v, want it held and its past needed", r)
		}
	}
	if n := len(v.e.Groups()); n != 0 {
		t.Fatalf("Groups() lists %d groups after orphan invites", n)
	}
	if n := len(v.e.held); n != 3 {
		t.Errorf("%d groups held, want the bound of 3", n)
	}
	for i := 0; i < 5; i++ {
		if _, _, err := v.e.CreateGroup("mine", false, false); err != nil {
			t.Fatalf("CreateGroup after orphan invites: %v", err)
		}
	}
	// A stranger's group, promoted by its create, with an invitation by
	// someone who is not its admin: never effective, dropped later.
	tn.lim.Groups = 10
	w := tn.add("w", 2)
	x, y := randPriv(t), randPriv(t)
	salt, _ := chatlog.NewSalt()
	gid := chatlog.GroupFor(keyOf(x), salt)
	now := tn.clock.Now()
	create := signed(t, x, chatlog.Entry{Group: gid, Author: keyOf(x), Seq: 1, Time: hlcAt(now), Kind: chatlog.KindCreate,
		Body: (&chatlog.Body{Flags: chatlog.FlagPublic, Name: "junk", Salt: salt}).Encode()})
	inv := signed(t, y, chatlog.Entry{Group: gid, Author: keyOf(y), Seq: 1, Time: hlcAt(now), Kind: chatlog.KindInvite,
		Body: (&chatlog.Body{Target: w.key, Role: chatlog.RoleMember, Expires: uint64(now.Add(time.Hour).UnixMilli())}).Encode()})
	w.e.Ingest([]*chatlog.Entry{inv})
	if r := w.e.Ingest([]*chatlog.Entry{create}); r.Delivered != 1 {
		t.Fatalf("create of a held group: %+v", r)
	}
	if n := len(w.e.Groups()); n != 1 {
		t.Fatalf("w knows %d groups, want the promoted one", n)
	}
	tn.clock.Advance(25 * time.Hour)
	w.e.Tick(tn.clock.Now())
	if n := len(w.e.Groups()); n != 0 {
		t.Fatalf("w still knows %d groups after OrphanAfter", n)
	}
	if n := countRows(t, w.kv, gid, gEntry) + countRows(t, w.kv, gid, gState); n != 0 {
		t.Fatalf("w keeps %d rows of the dropped group", n)
	}
	// A watched group whose create never comes goes too; one with a
	// create stays.
	bogus, _ := chatlog.NewGroupID()
	real, es, err := tn.add("u", 4).e.CreateGroup("pub", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.Watch(bogus); err != nil {
		t.Fatal(err)
	}
	if err := w.e.Watch(real); err != nil {
		t.Fatal(err)
	}
	w.e.Ingest(es)
	tn.clock.Advance(25 * time.Hour)
	w.e.Tick(tn.clock.Now())
	if got := w.e.Groups(); len(got) != 1 || got[0] != real {
		t.Fatalf("w's groups after OrphanAfter: %v, want the watched group with a create", got)
	}
}

// H3: a keyless relay took any create until it held Limits.Groups
// groups, and GC never freed one. Now one account's creates are bounded
// and GC drops groups idle for longer than the retention.
func TestReviewRelayGroupTableFills(t *testing.T) {
	tn := newNet(t)
	tn.lim.Groups = 3
	tn.lim.GroupsPerCreator = 2
	r := tn.add("relay", 0)
	a := tn.add("a", 1)
	junk := func(x ed25519.PrivateKey) *chatlog.Entry {
		salt, _ := chatlog.NewSalt()
		return signed(t, x, chatlog.Entry{Group: chatlog.GroupFor(keyOf(x), salt), Author: keyOf(x), Seq: 1, Time: hlcAt(tn.clock.Now()), Kind: chatlog.KindCreate,
			Body: (&chatlog.Body{Flags: chatlog.FlagPublic, Name: "junk", Salt: salt}).Encode()})
	}
	x := randPriv(t)
	for i := 0; i < 3; i++ {
		j := junk(x)
		res := r.e.Ingest([]*chatlog.Entry{j})
		if want := i < 2; (res.Delivered == 1) != want || r.e.Wants(junk(x)) != (i < 1) {
			t.Fatalf("create %d of one account: %+v", i, res)
		}
	}
	r.e.Ingest([]*chatlog.Entry{junk(randPriv(t))})
	if _, es, err := a.e.CreateGroup("real", true, false); err != nil {
		t.Fatal(err)
	} else if res := r.e.Ingest(es); res.Stored != 0 {
		t.Fatalf("relay kept a create beyond Limits.Groups: %+v", res)
	}
	tn.clock.Advance(31 * 24 * time.Hour)
	r.e.GC(tn.clock.Now())
	if n := len(r.e.Groups()); n != 0 {
		t.Fatalf("relay keeps %d idle groups after the retention", n)
	}
	_, es, err := a.e.CreateGroup("real", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if res := r.e.Ingest(es); res.Delivered != 1 {
		t.Fatalf("relay ingest of a real create after junk: %+v", res)
	}
}

// M2: an invitee joins after its invitation expired by dating its join
// before the expiry; the fold, which cannot know real time, accepts it,
// but an admin's device that first sees the join after the expiry (plus
// LateGrace) reports it in Result.LateJoins, and the node removes the
// member. A join in time is not reported.
func TestReviewBackdatedJoinAfterExpiry(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(false, a)
	invB, err := a.e.Invite(g, b.key, false, time.Hour, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(invB, b)
	jb, err := b.e.Join(g)
	if err != nil {
		t.Fatal(err)
	}
	if r := a.e.Ingest(jb); r.Delivered != 1 || len(r.LateJoins) != 0 {
		t.Fatalf("a ingests b's join in time: %+v", r)
	}
	inv, err := a.e.Invite(g, c.key, false, time.Minute, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(inv, c)
	tn.clock.Advance(time.Hour) // long expired
	if _, err := c.e.Join(g); err == nil {
		t.Fatalf("honest join after expiry worked")
	}
	var invID chatlog.ID
	var late chatlog.Entry
	for _, e := range inv {
		if e.Kind == chatlog.KindInvite {
			invID = e.ID()
		}
		if late.Time.Less(e.Time) {
			late = *e
		}
	}
	j := signed(t, c.priv, chatlog.Entry{Group: g, Author: c.key, Seq: 1, Time: hlc.Timestamp{Wall: late.Time.Wall + 1},
		Kind: chatlog.KindJoin, Deps: []chatlog.ID{late.ID()}, Body: (&chatlog.Body{Invite: invID}).Encode()})
	res := a.e.Ingest([]*chatlog.Entry{j})
	if res.Delivered != 1 || len(res.LateJoins) != 1 || res.LateJoins[0] != (LateJoin{Group: g, Member: c.key}) {
		t.Fatalf("a ingests c's backdated join: %+v, want it reported late", res)
	}
	// b, not an admin, reports nothing.
	if r := b.e.Ingest(append(inv, j)); len(r.LateJoins) != 0 {
		t.Fatalf("b (member) reports late joins: %+v", r)
	}
}

// M6: a member publishes a Rekey whose wrap for b is garbage; the others
// adopt it (it covers everyone) and b could not read them. Now b marks the
// epoch broken, Result.RekeyNeeded names the group, and b's Rekey makes a
// newer epoch the others send under.
func TestReviewGarbageWrap(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(false, a, b, c)
	names := tn.names()
	s, err := chatcrypt.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	ep := chatlog.EpochID(s.ID())
	recs := map[entry.Key]*chatcrypt.PrekeyRecord{}
	for _, n := range []*node{a, b} {
		r, err := tn.keys(n.key)
		if err != nil {
			t.Fatal(err)
		}
		recs[n.key] = r
	}
	ws, err := wrapsFor(g, ep, s, recs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ws {
		if ws[i].Recipient == b.key {
			ws[i].Sealed[0] ^= 0xff // garbage for b
		}
	}
	c.e.mu.Lock()
	c.e.learn(c.e.groups[g], []chatcrypt.Epoch{{ID: ep, Secret: s}})
	c.e.mu.Unlock()
	bad := forge(t, c, g, c.e.rekeyDraft(c.e.groups[g], &epochDraft{id: ep, secret: s, wraps: ws}))
	tn.send([]*chatlog.Entry{bad}, a)
	r := b.e.Ingest([]*chatlog.Entry{bad})
	if len(r.RekeyNeeded) != 1 || r.RekeyNeeded[0] != g {
		t.Fatalf("b ingests the garbage rekey: %+v, want RekeyNeeded [g]", r)
	}
	fix, err := b.e.Rekey(g, tn.keys)
	if err != nil || len(fix) != 1 {
		t.Fatalf("b.Rekey = %v, %v", fix, err)
	}
	tn.send(fix, a, c)
	_, m, err := a.e.Send(g, "after the fix", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(m, b)
	got := msgs(t, b, g, names)
	if len(got) == 0 || got[len(got)-1] != "a:after the fix" {
		t.Fatalf("b shows %q, want a's message after the fix readable", got)
	}
}

// L2: an invitee whose invitation expired unused kept counting as a
// recipient in good standing, so senders kept sealing under an epoch it
// holds. Now such an epoch is not used: Send rekeys for the members (and
// live invitees).
func TestReviewExpiredInviteeEpoch(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(true, a, b)
	inv, err := a.e.Invite(g, c.key, false, time.Minute, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(inv, b)
	_, m, err := a.e.Send(g, "c may read this", nil, tn.keys)
	if err != nil || len(m) != 1 {
		t.Fatalf("Send while c's invitation is live = %d entries, %v; want the message alone", len(m), err)
	}
	tn.clock.Advance(2 * time.Minute)
	_, m, err = a.e.Send(g, "not c", nil, tn.keys)
	if err != nil || len(m) != 2 || m[0].Kind != chatlog.KindRekey {
		t.Fatalf("Send after c's invitation expired = %d entries, %v; want a rekey first", len(m), err)
	}
	body, _ := m[0].Control()
	for _, w := range body.Wraps {
		if w.Recipient == c.key {
			t.Fatalf("the new epoch is wrapped for c")
		}
	}
}

// M1: a member forks (two entries at one seq) to split the relay from
// the admin: the admin's removal of the member, which depends on one side
// of the fork, never delivered at a relay holding the other. Now a
// reference to either side satisfies a dependency, and Stats counts the
// fork.
func TestReviewForkStallsRemovalAtRelay(t *testing.T) {
	tn := newNet(t)
	a, m := tn.add("a", 1), tn.add("m", 2)
	r := tn.add("relay", 0)
	g := tn.privateGroup(true, a, m)
	all, _ := a.e.After(g, nil, 10000, 64<<20)
	if res := r.e.Ingest(all); res.Err != nil {
		t.Fatalf("relay seed: %+v", res)
	}
	tn.sync(a, m, r)
	seq := m.e.nextSeqOf(g)
	prev := m.e.lastOwn(g)
	now := tn.clock.Now()
	mk := func(txt string) *chatlog.Entry {
		return signed(t, m.priv, chatlog.Entry{Group: g, Author: m.key, Seq: seq, Prev: prev, Time: hlcAt(now.Add(time.Second)),
			Kind: chatlog.KindMsg, Body: (&chatlog.Payload{Text: txt}).Encode()})
	}
	tn.clock.Advance(2 * time.Second)
	e1, e2 := mk("one"), mk("two")
	a.e.Ingest([]*chatlog.Entry{e1})
	r.e.Ingest([]*chatlog.Entry{e2})
	rm, err := a.e.Remove(g, m.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	_, sent, err := a.e.Send(g, "after", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	res := r.e.Ingest(append(append([]*chatlog.Entry{e1}, rm...), sent...))
	if res.Delivered != len(rm)+len(sent) {
		t.Fatalf("relay ingest: %+v, want a's removal and message delivered", res)
	}
	ms, _ := r.e.Members(g)
	for _, x := range ms {
		if x.Key == m.key {
			t.Errorf("relay still lists the removed member as %s", x.Role)
		}
	}
	if s := r.e.Stats(); s.Forks != 1 || s.Pending != 0 {
		t.Errorf("relay stats: %+v, want one fork and nothing pending", s)
	}
	// The alias survives a restart.
	r.e.Close()
	e, err := Open(r.kv, Options{Now: tn.clock.Now, Limits: tn.lim})
	if err != nil {
		t.Fatal(err)
	}
	r.e = e
	if s := e.Stats(); s.Forks != 1 {
		t.Errorf("after reopen: %+v", s)
	}
}
