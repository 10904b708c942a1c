package chat

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
)

// TestDelayedReplyNeverFirst is the seed's -delay: A's message is held
// back on its way to C; B sees it and replies; C gets the reply first and
// shows it only after A's message.
func TestDelayedReplyNeverFirst(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(true, a, b, c)
	names := tn.names()
	q, m1, err := a.e.Send(g, "question", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(m1, b) // held back from c
	_, m2, err := b.e.Send(g, "answer", &q.ID, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(m2, a)
	r := c.e.Ingest(m2)
	if r.Pending != 1 || r.Delivered != 0 {
		t.Fatalf("c.Ingest(answer) = %+v, want it pending", r)
	}
	if len(r.Needs) != 1 || !slices.Contains(r.Needs[0].IDs, q.ID) {
		t.Fatalf("Needs = %+v, want the question's ID", r.Needs)
	}
	if got := msgs(t, c, g, names); slices.Contains(got, "b:answer") {
		t.Fatalf("c shows the answer before the question: %q", got)
	}
	r = c.e.Ingest(m1)
	if r.Delivered != 2 {
		t.Fatalf("c.Ingest(question) = %+v, want both delivered", r)
	}
	want := []string{"a:question", "b:answer"}
	for _, n := range []*node{a, b, c} {
		if got := msgs(t, n, g, names); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", n.name, got, want)
		}
	}
	ms, _, _ := c.e.Messages(g, nil, 1)
	if len(ms) != 1 || ms[0].ReplyTo == nil || *ms[0].ReplyTo != q.ID {
		t.Errorf("answer's ReplyTo = %+v", ms)
	}
}

// TestRandomOrder: 4 authors send 200 messages while entries reach each
// member late, shuffled, duplicated or not at all (a frontier sync then
// finds them); every member ends with the same
// display order, and each message comes after everything its author had
// seen when sending it.
func TestRandomOrder(t *testing.T) {
	tn := newNet(t)
	ns := []*node{tn.add("a", 1), tn.add("b", 2), tn.add("c", 3), tn.add("d", 4)}
	g := tn.privateGroup(true, ns[0], ns[1:]...)
	names := tn.names()
	rng := rand.New(rand.NewPCG(1, 2))
	inbox := make([][]*chatlog.Entry, len(ns))
	seen := make(map[string][]string) // message → what its author showed when sending
	deliver := func(i int, all bool) {
		if len(inbox[i]) == 0 {
			return
		}
		box := shuffled(rng, inbox[i])
		k := len(box)
		if !all {
			k = rng.IntN(len(box) + 1)
		}
		var batch []*chatlog.Entry
		for _, en := range box[:k] {
			if rng.IntN(20) > 0 { // 1 in 20 lost for good, found again by sync
				batch = append(batch, en)
			}
		}
		if k > 0 && rng.IntN(4) == 0 {
			batch = append(batch, box[rng.IntN(k)]) // a duplicate
		}
		if r := ns[i].e.Ingest(batch); r.Err != nil {
			t.Fatalf("%s.Ingest = %+v", ns[i].name, r)
		}
		inbox[i] = box[k:]
	}
	for i := range 200 {
		w := rng.IntN(len(ns))
		text := fmt.Sprintf("%s-%d", ns[w].name, i)
		seen[ns[w].name+":"+text] = msgs(t, ns[w], g, names)
		_, es, err := ns[w].e.Send(g, text, nil, tn.keys)
		if err != nil {
			t.Fatalf("%s.Send = %v", ns[w].name, err)
		}
		for j := range ns {
			if j != w {
				inbox[j] = append(inbox[j], es...)
			}
		}
		deliver(rng.IntN(len(ns)), false)
		tn.clock.Advance(time.Duration(rng.IntN(3)) * time.Millisecond)
	}
	for i := range ns {
		deliver(i, true)
	}
	tn.sync()
	want := msgs(t, ns[0], g, names)
	if len(want) != 200 {
		t.Fatalf("a shows %d messages, want 200; stats %+v", len(want), ns[0].e.Stats())
	}
	pos := make(map[string]int)
	for i, m := range want {
		pos[m] = i
	}
	for m, before := range seen {
		for _, b := range before {
			if pos[b] >= pos[m] {
				t.Fatalf("%q shown before %q, which its author had seen", m, b)
			}
		}
	}
	for _, n := range ns[1:] {
		if got := msgs(t, n, g, names); !slices.Equal(got, want) {
			t.Fatalf("%s's order differs from a's", n.name)
		}
		if s := n.e.Stats(); s.Pending != 0 || s.Undecryptable != 0 {
			t.Errorf("%s.Stats = %+v", n.name, s)
		}
	}
}

// TestGap: a Msg whose predecessor never comes is delivered after
// GapAfter with a gap row; when the predecessor arrives it takes its place.
func TestGap(t *testing.T) {
	tn := newNet(t)
	a, c := tn.add("a", 1), tn.add("c", 3)
	g := tn.privateGroup(true, a, c)
	names := tn.names()
	var sent [][]*chatlog.Entry
	for _, s := range []string{"one", "two", "three"} {
		_, es, err := a.e.Send(g, s, nil, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, es)
		tn.clock.Advance(time.Millisecond)
	}
	tn.send(sent[0], c)
	r := c.e.Ingest(sent[2])
	if r.Pending != 1 {
		t.Fatalf("Ingest(three) = %+v, want pending", r)
	}
	two := sent[1][0]
	if len(r.Needs) != 1 || r.Needs[0].Author != a.key || r.Needs[0].From != two.Seq || r.Needs[0].To != two.Seq {
		t.Fatalf("Needs = %+v, want a's seq %d", r.Needs, two.Seq)
	}
	if r := c.e.Tick(tn.clock.Now().Add(5 * time.Second)); r.Delivered != 0 {
		t.Fatalf("Tick before GapAfter delivered %d", r.Delivered)
	}
	tn.clock.Advance(11 * time.Second)
	r = c.e.Tick(tn.clock.Now())
	if r.Delivered != 1 {
		t.Fatalf("Tick after GapAfter = %+v", r)
	}
	if got, want := msgs(t, c, g, names), []string{"a:one", "a:three"}; !slices.Equal(got, want) {
		t.Fatalf("after the gap: %q, want %q", got, want)
	}
	all := texts(t, c, g, names)
	if !slices.Contains(all, "gap:a:1") {
		t.Fatalf("no gap row: %q", all)
	}
	if s := c.e.Stats(); s.Gaps != 1 {
		t.Errorf("Stats.Gaps = %d", s.Gaps)
	}
	tn.send(sent[1], c)
	if got, want := msgs(t, c, g, names), []string{"a:one", "a:two", "a:three"}; !slices.Equal(got, want) {
		t.Fatalf("after the missing one came: %q, want %q", got, want)
	}
	if all := texts(t, c, g, names); slices.ContainsFunc(all, func(s string) bool { return hasPrefix(s, "gap:") }) {
		t.Fatalf("gap row remains: %q", all)
	}
	// Later entries of a deliver normally, and c can still act.
	_, es, err := a.e.Send(g, "four", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(es, c)
	if _, _, err := c.e.Send(g, "ok", nil, tn.keys); err != nil {
		t.Fatalf("c.Send after a gap = %v", err)
	}
}

// TestBadInput: each kind of hostile entry is refused with a typed error
// or held, and counted.
func TestBadInput(t *testing.T) {
	tn := newNet(t)
	tn.lim = Limits{PendingPerAuthor: 3}
	a, c := tn.add("a", 1), tn.add("c", 3)
	g := tn.privateGroup(true, a, c)
	x := privOf(9)
	now := tn.clock.Now()
	_, es, err := a.e.Send(g, "hi", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	m := es[0]

	t.Run("non-member", func(t *testing.T) {
		en := signed(t, x, chatlog.Entry{Group: g, Author: keyOf(x), Seq: 1, Time: a.e.clock.Now(), Kind: chatlog.KindMsg,
			Epoch: m.Epoch, Body: []byte("ciphertext, or so it says")})
		r := c.e.Ingest([]*chatlog.Entry{en})
		if !errors.Is(r.Err, ErrNonMember) || r.Dropped != 1 {
			t.Fatalf("Ingest = %+v, want ErrNonMember", r)
		}
	})
	t.Run("forged", func(t *testing.T) {
		b := m.Encode()
		b[len(b)-70] ^= 1
		if _, err := chatlog.Decode(b); !errors.Is(err, chatlog.ErrBadSignature) {
			t.Fatalf("Decode(tampered) = %v, want ErrBadSignature", err)
		}
	})
	t.Run("replayed", func(t *testing.T) {
		tn.send(es, c)
		r := c.e.Ingest(es)
		if r.Duplicate != 1 || r.Stored != 0 {
			t.Fatalf("replay = %+v", r)
		}
	})
	t.Run("future", func(t *testing.T) {
		en := signed(t, a.priv, chatlog.Entry{Group: g, Author: a.key, Seq: m.Seq + 1, Prev: m.ID(),
			Time: hlcAt(now.Add(2 * time.Minute)), Kind: chatlog.KindMsg, Epoch: m.Epoch, Body: []byte("x")})
		if r := c.e.Ingest([]*chatlog.Entry{en}); !errors.Is(r.Err, ErrFuture) {
			t.Fatalf("Ingest = %+v, want ErrFuture", r)
		}
	})
	t.Run("dep never arrives", func(t *testing.T) {
		ghost := chatlog.ID{1, 2, 3}
		prev := m.ID()
		var chain []*chatlog.Entry
		for i := range 5 {
			en := signed(t, a.priv, chatlog.Entry{Group: g, Author: a.key, Seq: m.Seq + 1 + uint64(i), Prev: prev,
				Time: hlcAt(now.Add(time.Duration(i+1) * time.Millisecond)), Kind: chatlog.KindMsg, Epoch: m.Epoch,
				Deps: []chatlog.ID{ghost}[:min(1, 1-min(i, 1))], Body: []byte("x")})
			prev = en.ID()
			chain = append(chain, en)
		}
		r := c.e.Ingest(chain)
		if r.Pending != 3 || r.Dropped != 2 || !errors.Is(r.Err, ErrPendingFull) {
			t.Fatalf("Ingest = %+v, want 3 pending, 2 dropped", r)
		}
		if len(r.Needs) != 1 || !slices.Equal(r.Needs[0].IDs, []chatlog.ID{ghost}) {
			t.Fatalf("Needs = %+v, want the ghost", r.Needs)
		}
		if got := c.e.Tick(tn.clock.Now()).Needs; len(got) != 1 {
			t.Fatalf("Tick Needs = %+v", got)
		}
		// Past GapAfter they show after a gap.
		if r := c.e.Tick(tn.clock.Now().Add(time.Minute)); r.Pending != 0 || r.Delivered != 3 {
			t.Fatalf("Tick after GapAfter = %+v", r)
		}
	})
	t.Run("huge seq", func(t *testing.T) {
		en := signed(t, c.priv, chatlog.Entry{Group: g, Author: c.key, Seq: 1 << 40, Prev: chatlog.ID{7},
			Time: c.e.clock.Now(), Kind: chatlog.KindMsg, Epoch: m.Epoch, Body: []byte("x")})
		r := a.e.Ingest([]*chatlog.Entry{en})
		if r.Pending != 1 || len(r.Needs) != 1 || r.Needs[0].Author != c.key || r.Needs[0].To != 1<<40-1 {
			t.Fatalf("Ingest = %+v", r)
		}
	})
	t.Run("10 MB", func(t *testing.T) {
		if _, err := chatlog.Decode(make([]byte, 10<<20)); !errors.Is(err, chatlog.ErrTooLarge) {
			t.Fatalf("Decode(10 MB) = %v, want ErrTooLarge", err)
		}
	})
	t.Run("unknown group", func(t *testing.T) {
		other, _ := chatlog.NewGroupID()
		en := signed(t, a.priv, chatlog.Entry{Group: other, Author: a.key, Seq: 1, Time: a.e.clock.Now(),
			Kind: chatlog.KindMsg, Body: chatlog.Payload{Text: "hi"}.Encode()})
		if c.e.Wants(en) {
			t.Fatal("Wants(unknown group) = true")
		}
		if r := c.e.Ingest([]*chatlog.Entry{en}); !errors.Is(r.Err, ErrUnwanted) {
			t.Fatalf("Ingest = %+v, want ErrUnwanted", r)
		}
	})
	t.Run("time not after its past", func(t *testing.T) {
		last := a.e.ByID(g, []chatlog.ID{m.ID()})[0]
		en := signed(t, c.priv, chatlog.Entry{Group: g, Author: c.key, Seq: c.e.nextSeqOf(g), Prev: c.e.lastOwn(g),
			Time: last.Time, Kind: chatlog.KindMsg, Epoch: m.Epoch, Deps: []chatlog.ID{m.ID()}, Body: []byte("x")})
		if r := a.e.Ingest([]*chatlog.Entry{en}); !errors.Is(r.Err, ErrCausality) {
			t.Fatalf("Ingest = %+v, want ErrCausality", r)
		}
	})
	s := c.e.Stats()
	for _, k := range []string{dropNonMember, dropFuture, dropFull, dropUnwanted} {
		if s.Dropped[k] == 0 {
			t.Errorf("Stats.Dropped[%s] = 0: %+v", k, s.Dropped)
		}
	}
}

// TestControlWaitsForCompletePast: a control entry never delivers over a
// gap (unless Limits.ControlGapAfter allows it), and the DM create pushed
// after its message is still kept.
func TestControlWaitsForCompletePast(t *testing.T) {
	for _, after := range []time.Duration{0, time.Minute} {
		tn := newNet(t)
		tn.lim = Limits{ControlGapAfter: after}
		a, b, c, d := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3), tn.add("d", 4)
		g := tn.privateGroup(true, a, b, c)
		_, lost, err := a.e.Send(g, "lost", nil, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		tn.send(lost, b)
		inv, err := a.e.Invite(g, d.key, false, 0, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.e.Ingest(inv); r.Pending != 1 {
			t.Fatalf("Ingest(invite) = %+v", r)
		}
		tn.clock.Advance(2 * time.Minute)
		c.e.Tick(tn.clock.Now())
		ms, _ := c.e.Members(g)
		if invited := len(ms) == 4; invited != (after > 0) {
			t.Fatalf("ControlGapAfter %v: members %+v", after, ms)
		}
		tn.send(lost, c)
		if ms, _ := c.e.Members(g); len(ms) != 4 {
			t.Fatalf("after the lost one came: members %+v", ms)
		}
	}
	// A push whose DM create comes after its message.
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	g, create, err := a.e.StartDM(b.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	_, m, err := a.e.Send(g, "first", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	if r := b.e.Ingest(append(m, create...)); r.Delivered != 2 {
		t.Fatalf("Ingest(msg, create) = %+v", r)
	}
}

// TestControlAfterForcedMsg: a control entry whose past holds a Msg
// delivered over a gap waits until the gap is filled.
func TestControlAfterForcedMsg(t *testing.T) {
	tn := newNet(t)
	a, b, c, d := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3), tn.add("d", 4)
	g := tn.privateGroup(true, a, b, c)
	_, one, _ := a.e.Send(g, "one", nil, tn.keys)
	_, two, _ := a.e.Send(g, "two", nil, tn.keys)
	tn.send(one, b)
	tn.send(two, b)
	tn.send(two, c) // "one" lost on the way to c
	tn.clock.Advance(11 * time.Second)
	if r := c.e.Tick(tn.clock.Now()); r.Delivered != 1 {
		t.Fatalf("Tick = %+v", r)
	}
	inv, err := a.e.Invite(g, d.key, false, 0, tn.keys) // follows "two"
	if err != nil {
		t.Fatal(err)
	}
	if r := c.e.Ingest(inv); r.Pending != 1 {
		t.Fatalf("Ingest(invite over a gap) = %+v", r)
	}
	if ms, _ := c.e.Members(g); len(ms) != 3 {
		t.Fatalf("members before the gap is filled: %+v", ms)
	}
	if r := c.e.Ingest(one); r.Delivered != 2 {
		t.Fatalf("Ingest(one) = %+v, want it and the invite delivered", r)
	}
	if ms, _ := c.e.Members(g); len(ms) != 4 {
		t.Fatalf("members after: %+v", ms)
	}
}

// TestPendingExpires: a control entry whose past never comes is dropped
// after the retention.
func TestPendingExpires(t *testing.T) {
	tn := newNet(t)
	a, c, d := tn.add("a", 1), tn.add("c", 3), tn.add("d", 4)
	g := tn.privateGroup(true, a, c)
	if _, _, err := a.e.Send(g, "lost", nil, tn.keys); err != nil {
		t.Fatal(err)
	}
	inv, err := a.e.Invite(g, d.key, false, 0, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.e.Ingest(inv); r.Pending != 1 {
		t.Fatalf("Ingest = %+v", r)
	}
	if r := c.e.Tick(tn.clock.Now().Add(29 * 24 * time.Hour)); r.Pending != 1 {
		t.Fatalf("Tick within the retention = %+v", r)
	}
	r := c.e.Tick(tn.clock.Now().Add(31 * 24 * time.Hour))
	if r.Pending != 0 || !errors.Is(r.Err, ErrExpired) {
		t.Fatalf("Tick after the retention = %+v", r)
	}
}
