package chatnet

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/names"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer outlives DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// t0 is 2026-01-01T00:00:00Z in Unix ms.
const t0 = 1_767_225_600_000

// Test accounts: Ed25519 keys from seeds of one repeated byte, as in the
// chatlog vectors.
var (
	alice = key(0x01)
	bob   = key(0x02)
	carol = key(0x03)
)

func key(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func keyOf(priv ed25519.PrivateKey) entry.Key {
	return entry.KeyOf(priv.Public().(ed25519.PublicKey))
}

// Fixed groups.
var (
	groupA = chatlog.GroupID(bytes.Repeat([]byte{0x47}, 32))
	groupB = chatlog.GroupID(bytes.Repeat([]byte{0x48}, 32))
)

// msg returns the public message at seq of priv's sub-log of g, after prev,
// at t0+seq ms.
func msg(t testing.TB, priv ed25519.PrivateKey, g chatlog.GroupID, seq uint64, prev chatlog.ID, text string) *chatlog.Entry {
	t.Helper()
	e := &chatlog.Entry{
		Group: g, Author: keyOf(priv), Seq: seq, Prev: prev,
		Time: hlc.Timestamp{Wall: t0 + seq}, Kind: chatlog.KindMsg,
		Body: chatlog.Payload{Text: text}.Encode(),
	}
	if err := chatlog.Sign(e, priv); err != nil {
		t.Fatal(err)
	}
	return e
}

// sealed returns a sealed message of body size bytes at seq of priv's
// sub-log of g (chatlog never opens it).
func sealed(t testing.TB, priv ed25519.PrivateKey, g chatlog.GroupID, seq uint64, prev chatlog.ID, size int) *chatlog.Entry {
	t.Helper()
	e := &chatlog.Entry{
		Group: g, Author: keyOf(priv), Seq: seq, Prev: prev,
		Time: hlc.Timestamp{Wall: t0 + seq}, Kind: chatlog.KindMsg,
		Epoch: chatlog.EpochID{0xe1}, Body: bytes.Repeat([]byte{byte(seq)}, size),
	}
	if err := chatlog.Sign(e, priv); err != nil {
		t.Fatal(err)
	}
	return e
}

// chain returns n public messages of priv's sub-log of g, seqs 1 to n.
func chain(t testing.TB, priv ed25519.PrivateKey, g chatlog.GroupID, n int) []*chatlog.Entry {
	t.Helper()
	var out []*chatlog.Entry
	var prev chatlog.ID
	for i := 1; i <= n; i++ {
		e := msg(t, priv, g, uint64(i), prev, "hello")
		out = append(out, e)
		prev = e.ID()
	}
	return out
}

// prekey returns a prekey record of priv's account, created at created.
func prekey(t testing.TB, priv ed25519.PrivateKey, created time.Time) *chatcrypt.PrekeyRecord {
	t.Helper()
	var pub [32]byte
	for i := range pub {
		pub[i] = byte(9 + i) // any key that is not of low order
	}
	r, err := chatcrypt.SignPrekey(priv, pub, created, created.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fakeEngine is a Source and a Sink over maps, as a relay's engine would
// be: it keeps what is pushed for groups it knows.
type fakeEngine struct {
	mu      sync.Mutex
	groups  map[chatlog.GroupID][]*chatlog.Entry
	prekeys map[entry.Key]*chatcrypt.PrekeyRecord
	records map[entry.Key][]byte
	public  []GroupHit
	pushes  int
}

func newEngine() *fakeEngine {
	return &fakeEngine{
		groups:  make(map[chatlog.GroupID][]*chatlog.Entry),
		prekeys: make(map[entry.Key]*chatcrypt.PrekeyRecord),
		records: make(map[entry.Key][]byte),
	}
}

// addPublic adds hits PublicGroups returns.
func (f *fakeEngine) addPublic(hits ...GroupHit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.public = append(f.public, hits...)
}

// pushCount returns how many pushes the engine has seen.
func (f *fakeEngine) pushCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pushes
}

func (f *fakeEngine) add(es ...*chatlog.Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range es {
		f.groups[e.Group] = append(f.groups[e.Group], e)
	}
}

func (f *fakeEngine) After(g chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([]*chatlog.Entry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*chatlog.Entry
	size := 0
	for _, e := range f.groups[g] {
		if e.Seq <= have[e.Author] {
			continue
		}
		if len(out) == maxEntries || size+e.Size() > maxBytes {
			return out, true
		}
		out = append(out, e)
		size += e.Size()
	}
	return out, false
}

func (f *fakeEngine) ByID(g chatlog.GroupID, ids []chatlog.ID) []*chatlog.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*chatlog.Entry
	for _, e := range f.groups[g] {
		if slices.Contains(ids, e.ID()) {
			out = append(out, e)
		}
	}
	return out
}

func (f *fakeEngine) Known(g chatlog.GroupID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.groups[g]
	return ok
}

func (f *fakeEngine) Prekey(account entry.Key) (*chatcrypt.PrekeyRecord, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.prekeys[account]
	return r, ok
}

func (f *fakeEngine) Record(account entry.Key) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.records[account]
	return r, ok
}

// PublicGroups returns every hit added, whatever the query and the limit,
// as a careless Source would: the Server filters them.
func (f *fakeEngine) PublicGroups(query string, limit int) []GroupHit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.public)
}

func (f *fakeEngine) Push(from peer.ID, g chatlog.GroupID, es []*chatlog.Entry) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pushes++
	if _, ok := f.groups[g]; !ok {
		return 0, ErrUnknownGroup
	}
	n := 0
outer:
	for _, e := range es {
		for _, old := range f.groups[g] {
			if old.ID() == e.ID() {
				continue outer
			}
		}
		f.groups[g] = append(f.groups[g], e)
		n++
	}
	return n, nil
}

func (f *fakeEngine) PutPrekey(from peer.ID, r *chatcrypt.PrekeyRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prekeys[entry.Key(r.Account)] = r
	return nil
}

// groupCreate returns priv's create entry of a group whose salt is the
// first 16 bytes of seed (so its ID is chatlog.GroupFor(author, salt), and
// one author's two creates with the same seed are of the same group):
// public, named name, or private if name is empty.
func groupCreate(t testing.TB, priv ed25519.PrivateKey, seed chatlog.GroupID, name string) *chatlog.Entry {
	t.Helper()
	var salt [chatlog.SaltSize]byte
	copy(salt[:], seed[:])
	author := keyOf(priv)
	e := &chatlog.Entry{Group: chatlog.GroupFor(author, salt), Author: author, Seq: 1, Time: hlc.Timestamp{Wall: t0}, Kind: chatlog.KindCreate}
	if name != "" {
		e.Body = (&chatlog.Body{Flags: chatlog.FlagPublic, Name: name, Salt: salt}).Encode()
	} else {
		e.Epoch = chatlog.EpochID{0xe1}
		e.Body = (&chatlog.Body{
			Flags: chatlog.FlagHistoryShared, NewEpoch: e.Epoch, Sealed: bytes.Repeat([]byte{0x5e}, 40), Salt: salt,
			Wraps: []chatlog.Wrap{{Recipient: e.Author, PrekeyID: [8]byte{1}, Enc: [32]byte{2}, Sealed: [48]byte{3}}},
		}).Encode()
	}
	if err := chatlog.Sign(e, priv); err != nil {
		t.Fatal(err)
	}
	return e
}

// aliceNonce is the work of alice's claim of "alice" (names.Work).
const aliceNonce = 1102629

// nameRecord returns alice's name record of "alice": created at t0,
// updated an hour later, head seq 42, published by the peer of seed 05.
func nameRecord(t testing.TB) []byte {
	t.Helper()
	v, err := names.Sign(alice, names.Record{
		Name: "alice", Nonce: aliceNonce, Created: t0, Updated: t0 + 3600_000, HeadSeq: 42,
		PeerID: []byte(testPeer),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newHost starts a libp2p host on 127.0.0.1, closed when the test ends.
func newHost(t testing.TB) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// connect connects a to b.
func connect(t testing.TB, a, b host.Host) {
	t.Helper()
	if err := a.Connect(context.Background(), peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
}

// testCtx returns a context that ends with the test, or after 20 seconds.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
