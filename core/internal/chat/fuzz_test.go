package chat

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// FuzzIngest feeds a member's engine entries that are validly signed but
// otherwise chosen by the fuzzer: any author among two members and an
// outsider, any kind with a body taken from real entries of the group,
// any seq, prev, deps and time. The engine must never panic, keep its
// bounds, and keep answering reads.
func FuzzIngest(f *testing.F) {
	tn := newNet(f)
	tn.lim = Limits{PendingPerGroup: 64, PendingPerAuthor: 16}
	a, b := tn.add("a", 1), tn.add("b", 2)
	g := tn.privateGroup(true, a, b)
	snap := copyKV(f, b.kv) // b, a member, before the rest
	for _, s := range []string{"x", "y"} {
		_, es, err := a.e.Send(g, s, nil, tn.keys)
		if err != nil {
			f.Fatal(err)
		}
		tn.send(es, b)
	}
	if _, err := a.e.Remove(g, b.key, tn.keys); err != nil {
		f.Fatal(err)
	}
	pool, _ := a.e.After(g, nil, 1000, 1<<20)
	privs := []ed25519.PrivateKey{a.priv, b.priv, privOf(9)}
	base := tn.clock.Now()
	f.Add([]byte{0, 9, 3, 1, 0, 0})
	f.Add([]byte{1, 3, 1, 0, 2, 1, 0, 5, 2, 9, 1, 3})
	f.Add([]byte{2, 2, 1, 0, 0, 0, 1, 4, 2, 1, 1, 1, 0, 5, 3, 2, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Open(copyKV(t, snap), Options{Self: &Account{Key: b.key, Priv: b.priv}, Now: func() time.Time { return base },
			Limits: tn.lim})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		e.Ingest(pool[:len(pool)*2/3])
		ids := make([]chatlog.ID, 0, len(pool))
		for _, en := range pool {
			ids = append(ids, en.ID())
		}
		for len(data) >= 6 {
			op := data[:6]
			data = data[6:]
			priv := privs[int(op[0])%len(privs)]
			src := pool[int(op[1])%len(pool)]
			en := chatlog.Entry{Group: g, Author: keyOf(priv), Seq: uint64(op[2]%8) + 1, Kind: src.Kind,
				Epoch: src.Epoch, Body: src.Body,
				Time: hlc.Timestamp{Wall: uint64(base.UnixMilli()) - 5000 + uint64(op[3])*300, Logical: uint32(op[4] % 3)}}
			if en.Seq > 1 {
				en.Prev = ids[int(op[4])%len(ids)]
			}
			if d := ids[int(op[5])%len(ids)]; op[5]&0x80 != 0 && d != en.Prev {
				en.Deps = []chatlog.ID{d}
			}
			if chatlog.Sign(&en, priv) != nil {
				continue
			}
			r := e.Ingest([]*chatlog.Entry{&en})
			if r.Stored > 0 {
				ids = append(ids, en.ID())
			}
			if s := e.Stats(); s.Pending > tn.lim.PendingPerGroup {
				t.Fatalf("%d pending", s.Pending)
			}
		}
		e.Ingest(pool)
		e.Tick(base.Add(time.Minute))
		if _, _, err := e.Messages(g, nil, 100); err != nil {
			t.Fatal(err)
		}
		e.Members(g)
		e.Frontier(g)
		e.After(g, nil, 100, 1<<20)
		e.Conversations()
	})
}
