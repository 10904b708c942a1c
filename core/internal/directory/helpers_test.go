package directory

import (
	"bytes"
	"crypto/ed25519"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer outlives DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// t0 is when the test records were made: 2026-01-01, ms.
const t0 = 1767225600000

// testNow is a day after t0.
var testNow = time.UnixMilli(t0 + 24*3600*1000)

// key returns the Ed25519 key with seed b repeated 32 times.
func key(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func account(b byte) entry.Key { return entry.KeyOf(key(b).Public().(ed25519.PublicKey)) }

// workCache holds the work nonces found in this run: each costs about
// 2^names.WorkBits hashes.
var workCache sync.Map

func work(a entry.Key, name string) uint64 {
	k := string(a[:]) + name
	if n, ok := workCache.Load(k); ok {
		return n.(uint64)
	}
	n := names.Work(a, name)
	workCache.Store(k, n)
	return n
}

// record returns the signed name record of name by the account of seed b,
// published at updated (ms).
func record(t testing.TB, b byte, name string, updated uint64) []byte {
	t.Helper()
	ck, err := crypto.UnmarshalEd25519PrivateKey(key(b))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	v, err := names.Sign(key(b), names.Record{
		Name: name, Nonce: work(account(b), name), Created: t0, Updated: updated, PeerID: []byte(id),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// profileEntry returns the signed profile entry at seq of the log of seed b.
func profileEntry(t testing.TB, b byte, seq uint64, p entry.Profile) []byte {
	t.Helper()
	return newEntry(t, b, seq, entry.KindProfile, p.Bytes())
}

func newEntry(t testing.TB, b byte, seq uint64, kind entry.Kind, body []byte) []byte {
	t.Helper()
	var prev entry.ID
	if seq > 1 {
		prev[0] = 1
	}
	e, err := entry.New(key(b), seq, prev, hlc.Timestamp{Wall: t0 + seq}, kind, body)
	if err != nil {
		t.Fatal(err)
	}
	return e.Bytes()
}

// registry stands for a relay's names.Registry: which account holds each
// name.
type registry struct {
	mu     sync.Mutex
	claims map[string]entry.Key
}

func newRegistry() *registry { return &registry{claims: make(map[string]entry.Key)} }

func (r *registry) set(name string, b byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.claims[name] = account(b)
}

func (r *registry) lapse(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.claims, name)
}

func (r *registry) holds(name string) (entry.Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.claims[name]
	return k, ok
}

// testAccount is an account the tests put in a directory.
type testAccount struct {
	seed    byte
	name    string
	profile *entry.Profile
}

var (
	alice = testAccount{1, "alice", &entry.Profile{DisplayName: "Alice Liddell", Bio: "Down the rabbit hole"}}
	bob   = testAccount{2, "bob", &entry.Profile{DisplayName: "Bob", Bio: "Builder of things. Friend of ALICE."}}
	carol = testAccount{3, "carol", nil}
	alina = testAccount{4, "alina", &entry.Profile{DisplayName: "Алина", Bio: "Ünïcode bio"}}
)

// fill returns a directory over a memory KV holding accts, with their
// claims held by reg, and the KV.
func fill(t testing.TB, reg *registry, accts ...testAccount) (*Directory, store.KV) {
	t.Helper()
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	d, err := Open(kv, 0, reg.holds)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		reg.set(a.name, a.seed)
		if err := d.AddRecord(record(t, a.seed, a.name, t0+1000)); err != nil {
			t.Fatalf("AddRecord(%s) = %v", a.name, err)
		}
		if a.profile != nil {
			if st, err := d.Publish(profileEntry(t, a.seed, 2, *a.profile)); st != StatusOK || err != nil {
				t.Fatalf("Publish(%s) = %v, %v", a.name, st, err)
			}
		}
	}
	return d, kv
}

// resultNames verifies raw results for query and returns their names.
func resultNames(t testing.TB, query string, raw []Raw) []string {
	t.Helper()
	var out []string
	for _, r := range raw {
		res, err := Verify(query, r, testNow)
		if err != nil {
			t.Fatalf("Verify(%q) = %v", query, err)
		}
		out = append(out, res.Name)
	}
	return out
}
