package chatrelay

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer outlives DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// account is a member with a device (a libp2p host that records what is
// pushed to it) and an engine holding its keys.
type account struct {
	priv ed25519.PrivateKey
	key  entry.Key
	host host.Host
	eng  *chat.Engine

	mu     sync.Mutex
	pushed []*chatlog.Entry
}

func (a *account) After(chatlog.GroupID, map[entry.Key]uint64, int, int) ([]*chatlog.Entry, bool) {
	return nil, false
}
func (a *account) ByID(chatlog.GroupID, []chatlog.ID) []*chatlog.Entry { return nil }
func (a *account) Known(chatlog.GroupID) bool                          { return true }
func (a *account) Prekey(entry.Key) (*chatcrypt.PrekeyRecord, bool)    { return nil, false }
func (a *account) Record(entry.Key) ([]byte, bool)                     { return nil, false }
func (a *account) PublicGroups(string, int) []chatnet.GroupHit         { return nil }
func (a *account) PutPrekey(peer.ID, *chatcrypt.PrekeyRecord) error    { return nil }
func (a *account) Push(_ peer.ID, _ chatlog.GroupID, es []*chatlog.Entry) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pushed = append(a.pushed, es...)
	return len(es), nil
}

func (a *account) got() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pushed)
}

// directory holds the name records of the accounts it was given.
type directory map[entry.Key][]byte

func (d directory) Record(k entry.Key) ([]byte, bool) { r, ok := d[k]; return r, ok }

func newHost(t *testing.T) host.Host {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func newAccount(t *testing.T, name string, seed byte, dir directory) *account {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	a := &account{priv: priv, key: entry.KeyOf(priv.Public().(ed25519.PublicKey)), host: newHost(t)}
	akv := store.NewMemory()
	t.Cleanup(func() { akv.Close() })
	eng, err := chat.Open(akv, chat.Options{Self: &chat.Account{Key: a.key, Priv: priv}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	a.eng = eng
	srv := chatnet.NewServer(a.host, a, a, nil, chatnet.Limits{}, nil)
	t.Cleanup(func() { srv.Close() })
	rec, err := names.Sign(priv, names.Record{Name: name, Created: 1, Updated: 2, PeerID: []byte(a.host.ID())})
	if err != nil {
		t.Fatal(err)
	}
	dir[a.key] = rec
	return a
}

// TestDM: a DM pushed by alice is kept as ciphertext, listed in bob's inbox
// (and not alice's), and forwarded to bob's connected device, not back to
// alice's; a prekey of an account the directory does not hold is refused.
func TestDM(t *testing.T) {
	ctx := context.Background()
	dir := directory{}
	relayHost := newHost(t)
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	plog := ratelimit.NewLog(slog.New(slog.DiscardHandler))
	t.Cleanup(plog.Close)
	st, err := New(relayHost, kv, dir, slog.New(slog.DiscardHandler), plog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	alice, bob := newAccount(t, "alice", 1, dir), newAccount(t, "bob", 2, dir)
	for _, a := range []*account{alice, bob} {
		if err := a.host.Connect(ctx, peer.AddrInfo{ID: relayHost.ID(), Addrs: relayHost.Addrs()}); err != nil {
			t.Fatal(err)
		}
	}
	bobKey, err := bob.eng.OwnPrekey()
	if err != nil {
		t.Fatal(err)
	}
	keys := func(entry.Key) (*chatcrypt.PrekeyRecord, error) { return bobKey, nil }
	g, created, err := alice.eng.StartDM(bob.key, keys)
	if err != nil {
		t.Fatal(err)
	}
	_, sent, err := alice.eng.Send(g, "meet at noon", nil, keys)
	if err != nil {
		t.Fatal(err)
	}
	es := append(created, sent...)
	if n, err := chatnet.Push(ctx, alice.host, relayHost.ID(), g, es); err != nil || n != len(es) {
		t.Fatalf("push: %d of %d, %v", n, len(es), err)
	}
	if got := st.Groups(); len(got) != 1 || got[0] != g {
		t.Fatalf("groups kept: %v", got)
	}
	items, _, err := chatnet.FetchInbox(ctx, bob.host, relayHost.ID(), bob.priv, 0)
	if err != nil || len(items) != 1 || items[0].Group != g {
		t.Fatalf("bob's inbox: %+v, %v", items, err)
	}
	if items, _, err := chatnet.FetchInbox(ctx, alice.host, relayHost.ID(), alice.priv, 0); err != nil || len(items) != 0 {
		t.Fatalf("alice's inbox (she wrote it): %+v, %v", items, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for bob.got() < len(es) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if bob.got() != len(es) || alice.got() != 0 {
		t.Fatalf("forwarded: bob %d (want %d), alice %d (want 0)", bob.got(), len(es), alice.got())
	}
	it := kv.Find(nil, nil, false)
	for it.Next() {
		if bytes.Contains(it.Value(), []byte("meet at noon")) {
			t.Fatal("the relay's store holds the DM's plaintext")
		}
	}
	it.Close()

	strangerPriv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	p, err := chatcrypt.NewPrekey()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := chatcrypt.SignPrekey(strangerPriv, p.Public, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := chatnet.PutPrekey(ctx, alice.host, relayHost.ID(), rec); err == nil {
		t.Fatal("the prekey of an account the directory does not hold was kept")
	}
}
