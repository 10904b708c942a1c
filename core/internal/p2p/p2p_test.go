package p2p

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer (name registries in memory) outlives
		// DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// loopback listens on 127.0.0.1 only, TCP and QUIC, on ports the system
// picks. Tests never listen on or dial any other address.
var loopback = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}

// wait bounds every wait for the network in these tests.
const wait = 10 * time.Second

func newKey(t testing.TB) crypto.PrivKey {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newHost starts a host on loopback with cfg, a fresh key if cfg has none,
// and closes it when the test ends.
func newHost(t testing.TB, cfg Config) *Host {
	t.Helper()
	if cfg.Key == nil {
		cfg.Key = newKey(t)
	}
	if cfg.ListenAddrs == nil {
		cfg.ListenAddrs = loopback
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	h, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	return h
}

// connect dials b from a with b's full addresses.
func connect(t testing.TB, a, b *Host) {
	t.Helper()
	infos, err := ParseAddrs(b.FullAddrs())
	if err != nil {
		t.Fatalf("ParseAddrs(%q) error = %v", b.FullAddrs(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := a.Connect(ctx, infos[0]); err != nil {
		t.Fatalf("Connect() error = %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after wait.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", wait, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLoadKey(t *testing.T) {
	t.Run("create then load", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "dir", "device.key")
		k1, err := LoadKey(path)
		if err != nil {
			t.Fatalf("LoadKey() first call error = %v", err)
		}
		if k1.Type() != crypto.Ed25519 {
			t.Errorf("LoadKey().Type() = %v, want %v", k1.Type(), crypto.Ed25519)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("key file mode = %v, want %v", got, os.FileMode(0o600))
		}
		if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
			t.Errorf("temporary file left behind: Stat() error = %v", err)
		}
		k2, err := LoadKey(path)
		if err != nil {
			t.Fatalf("LoadKey() second call error = %v", err)
		}
		if !k1.Equals(k2) {
			t.Errorf("LoadKey() second call returned another key")
		}
	})

	valid, err := crypto.MarshalPrivateKey(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	rejects := []struct {
		name  string
		write func(path string) error
	}{
		{"garbage", func(p string) error { return os.WriteFile(p, []byte("not a key"), 0o600) }},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o600) }},
		{"truncated", func(p string) error { return os.WriteFile(p, valid[:len(valid)-1], 0o600) }},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "device.key")
			if err := tt.write(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			if k, err := LoadKey(path); err == nil {
				t.Errorf("LoadKey() = %v, nil; want an error", k)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
				t.Errorf("LoadKey() overwrote the file it rejected")
			}
		})
	}
}

func TestParseAddrs(t *testing.T) {
	id1, err := peer.IDFromPrivateKey(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	id2, err := peer.IDFromPrivateKey(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	tcp1 := "/ip4/127.0.0.1/tcp/4001"
	quic1 := "/ip4/127.0.0.1/udp/4001/quic-v1"
	p1, p2 := "/p2p/"+id1.String(), "/p2p/"+id2.String()

	tests := []struct {
		name    string
		in      []string
		want    map[peer.ID][]string // peer -> its addresses without /p2p
		wantErr bool
	}{
		{"none", nil, map[peer.ID][]string{}, false},
		{"one", []string{tcp1 + p1}, map[peer.ID][]string{id1: {tcp1}}, false},
		{"two addrs of one peer merged", []string{tcp1 + p1, quic1 + p1}, map[peer.ID][]string{id1: {tcp1, quic1}}, false},
		{"two peers", []string{tcp1 + p1, quic1 + p2}, map[peer.ID][]string{id1: {tcp1}, id2: {quic1}}, false},
		{"peer id only", []string{p1}, map[peer.ID][]string{id1: {}}, false},
		{"missing /p2p", []string{tcp1}, nil, true},
		{"one of two missing /p2p", []string{tcp1 + p1, quic1}, nil, true},
		{"garbage", []string{"garbage"}, nil, true},
		{"empty string", []string{""}, nil, true},
		{"unknown protocol", []string{"/ip4/127.0.0.1/foo/1" + p1}, nil, true},
		{"bad peer id", []string{tcp1 + "/p2p/notapeerid"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			infos, err := ParseAddrs(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("ParseAddrs(%q) = %v, nil; want an error", tt.in, infos)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAddrs(%q) error = %v", tt.in, err)
			}
			got := make(map[peer.ID][]string)
			for _, ai := range infos {
				if _, dup := got[ai.ID]; dup {
					t.Errorf("ParseAddrs(%q) returns peer %s twice", tt.in, ai.ID)
				}
				addrs := []string{}
				for _, a := range ai.Addrs {
					addrs = append(addrs, a.String())
				}
				slices.Sort(addrs)
				got[ai.ID] = addrs
			}
			for _, addrs := range tt.want {
				slices.Sort(addrs)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParseAddrs(%q) = %v, want %v", tt.in, got, tt.want)
			}
			for id, want := range tt.want {
				if !slices.Equal(got[id], want) {
					t.Errorf("ParseAddrs(%q) = %v, want %v", tt.in, got, tt.want)
				}
			}
		})
	}
}

// TestNewRejects checks that New fails cleanly; TestMain's leak check covers
// what a failed New leaves running.
func TestNewRejects(t *testing.T) {
	// A port held by another socket, as when a second process uses a fixed
	// port.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyAddr := fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", busy.Addr().(*net.TCPAddr).Port)

	tests := []struct {
		name string
		cfg  Config
	}{
		{"no key", Config{ListenAddrs: loopback}},
		{"garbage listen address", Config{Key: newKey(t), ListenAddrs: []string{"garbage"}}},
		{"listen address without a transport", Config{Key: newKey(t), ListenAddrs: []string{"/ip4/127.0.0.1/udp/0"}}},
		{"port in use", Config{Key: newKey(t), ListenAddrs: []string{busyAddr}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			h, err := New(ctx, tt.cfg)
			if err == nil {
				h.Close()
				t.Fatalf("New() error = nil, want an error")
			}
			if !strings.HasPrefix(err.Error(), "p2p: ") {
				t.Errorf("New() error = %q, want the prefix \"p2p: \"", err)
			}
		})
	}
}

func TestConnect(t *testing.T) {
	tests := []struct {
		name  string
		proto int // the only transport the dialer is given
	}{
		{"tcp", ma.P_TCP},
		{"quic", ma.P_QUIC_V1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newHost(t, Config{}), newHost(t, Config{})
			suffix := "/p2p/" + b.ID().String()
			var only []string
			for _, s := range b.FullAddrs() {
				if !strings.HasSuffix(s, suffix) {
					t.Errorf("FullAddrs() has %q, want it to end in %q", s, suffix)
				}
				if !strings.HasPrefix(s, "/ip4/127.0.0.1/") {
					t.Errorf("FullAddrs() has %q, want only 127.0.0.1", s)
				}
				if hasProtocol(ma.StringCast(s), tt.proto) {
					only = append(only, s)
				}
			}
			if len(only) != 1 {
				t.Fatalf("FullAddrs() = %q, want one %s address", b.FullAddrs(), tt.name)
			}
			infos, err := ParseAddrs(only)
			if err != nil {
				t.Fatalf("ParseAddrs(%q) error = %v", only, err)
			}
			if len(infos) != 1 || infos[0].ID != b.ID() {
				t.Fatalf("ParseAddrs(%q) = %v, want one AddrInfo for %s", only, infos, b.ID())
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			if err := a.Connect(ctx, infos[0]); err != nil {
				t.Fatalf("Connect(%q) error = %v", only, err)
			}
			conns := a.Network().ConnsToPeer(b.ID())
			if len(conns) == 0 {
				t.Fatalf("ConnsToPeer() is empty after Connect()")
			}
			for _, c := range conns {
				if !hasProtocol(c.RemoteMultiaddr(), tt.proto) {
					t.Errorf("connection to %s, want %s", c.RemoteMultiaddr(), tt.name)
				}
			}
			// Both ends see the connection.
			waitFor(t, "b to see a", func() bool { return len(b.Network().ConnsToPeer(a.ID())) > 0 })
		})
	}
}

func hasProtocol(m ma.Multiaddr, code int) bool {
	_, err := m.ValueForProtocol(code)
	return err == nil
}

func TestDHTProtocols(t *testing.T) {
	skein := protocol.ID(ProtocolPrefix + "/kad/1.0.0")
	ipfs := protocol.ID("/ipfs/kad/1.0.0")
	tests := []struct {
		name      string
		mode      dht.ModeOpt
		wantSkein bool
	}{
		{"server", dht.ModeServer, true},
		{"client", dht.ModeClient, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, Config{DHTMode: tt.mode})
			protos := h.Mux().Protocols()
			if got := slices.Contains(protos, skein); got != tt.wantSkein {
				t.Errorf("Protocols() contains %s = %v, want %v; Protocols() = %v", skein, got, tt.wantSkein, protos)
			}
			if slices.Contains(protos, ipfs) {
				t.Errorf("Protocols() = %v, want no %s", protos, ipfs)
			}
		})
	}
}

// TestIdle checks that a host without bootstrap peers dials nobody by itself.
func TestIdle(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default", Config{}},
		{"server with pubsub", Config{DHTMode: dht.ModeServer, PubSub: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHost(t, tt.cfg)
			time.Sleep(time.Second)
			if n := h.DHT.RoutingTable().Size(); n != 0 {
				t.Errorf("RoutingTable().Size() = %d, want 0", n)
			}
			if peers := h.Network().Peers(); len(peers) != 0 {
				t.Errorf("Network().Peers() = %v, want none", peers)
			}
		})
	}
}

// nameRecord signs a record for name claimed by priv at created, published
// by device.
func nameRecord(t testing.TB, priv ed25519.PrivateKey, name string, created time.Time, device peer.ID) []byte {
	t.Helper()
	ms := uint64(created.UnixMilli())
	b, err := names.Sign(priv, names.Record{
		Name:    name,
		Created: ms,
		Updated: ms,
		HeadSeq: 1,
		PeerID:  []byte(device),
		Addrs:   [][]byte{ma.StringCast("/ip4/127.0.0.1/tcp/4001").Bytes()},
	})
	if err != nil {
		t.Fatalf("names.Sign() error = %v", err)
	}
	return b
}

func newAccount(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// newRegistry returns a name registry in memory.
func newRegistry(t testing.TB, limits names.Limits) *names.Registry {
	t.Helper()
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	reg, err := names.OpenRegistry(kv, limits)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestDHTValues(t *testing.T) {
	validator := record.NamespacedValidator{names.Namespace: names.Validator{}}
	var hosts []*Host
	for range 3 {
		hosts = append(hosts, newHost(t, Config{DHTMode: dht.ModeServer, Validator: validator,
			Values: newRegistry(t, names.Limits{}), MaxRecordAge: names.ClaimLifetime}))
	}
	a, b, c := hosts[0], hosts[1], hosts[2]
	connect(t, a, b)
	connect(t, b, c)
	for _, pair := range [][2]*Host{{a, b}, {b, a}, {b, c}, {c, b}} {
		waitFor(t, "routing tables to fill", func() bool { return pair[0].DHT.RoutingTable().Find(pair[1].ID()) != "" })
	}
	for _, h := range hosts {
		select {
		case err := <-h.DHT.RefreshRoutingTable():
			if err != nil {
				t.Fatalf("RefreshRoutingTable() error = %v", err)
			}
		case <-time.After(wait):
			t.Fatalf("RefreshRoutingTable() did not finish within %v", wait)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*wait)
	defer cancel()
	key := names.Key("alice")
	now := time.Now()
	first := nameRecord(t, newAccount(t), "alice", now, a.ID())

	if err := a.DHT.PutValue(ctx, key, first); err != nil {
		t.Fatalf("PutValue() error = %v", err)
	}
	if got, err := c.DHT.GetValue(ctx, key); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("GetValue() from c = %x, %v; want %x, nil", got, err, first)
	}

	// Every server got the first claim and keeps it: a claim by another
	// key, even back-dated, is refused by each one's registry.
	t.Run("claim by another key", func(t *testing.T) {
		rival := nameRecord(t, newAccount(t), "alice", time.UnixMilli(1), c.ID())
		for i, h := range hosts {
			if err := h.DHT.PutValue(ctx, key, rival); !errors.Is(err, names.ErrClaimed) {
				t.Errorf("PutValue(rival) on host %d error = %v, want %v", i, err, names.ErrClaimed)
			}
		}
		for i, h := range hosts {
			if got, err := h.DHT.GetValue(ctx, key); err != nil || !bytes.Equal(got, first) {
				t.Errorf("GetValue() from host %d = %x, %v; want the first claim %x", i, got, err, first)
			}
		}
	})

	tampered := nameRecord(t, newAccount(t), "alice", now, a.ID())
	tampered[len(tampered)-1] ^= 1
	invalid := []struct {
		name  string
		key   string
		value []byte
	}{
		{"garbage", names.Key("carol"), []byte("garbage")},
		{"empty", names.Key("carol"), nil},
		{"bad signature", names.Key("alice"), tampered},
		{"stored under another name", names.Key("carol"), nameRecord(t, newAccount(t), "dave", now, a.ID())},
		{"in the future", names.Key("carol"), nameRecord(t, newAccount(t), "carol", now.Add(2*names.MaxClockSkew), a.ID())},
		{"unknown namespace", "/other/carol", nameRecord(t, newAccount(t), "carol", now, a.ID())},
		{"public key namespace", "/pk/carol", nameRecord(t, newAccount(t), "carol", now, a.ID())},
	}
	for _, tt := range invalid {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			if err := a.DHT.PutValue(ctx, tt.key, tt.value); err == nil {
				t.Errorf("PutValue(%q, %q) error = nil, want an error", tt.key, tt.name)
			}
		})
	}
	if got, err := c.DHT.GetValue(ctx, names.Key("carol")); err == nil {
		t.Errorf("GetValue(carol) = %x, nil; want an error: no valid record was stored", got)
	}
}

// subscribedPair starts two hosts with GossipSub, connected, both joined
// to one topic and b subscribed to it, and waits until a knows b
// subscribed. It returns a's topic and b's subscription.
func subscribedPair(t *testing.T) (a, b *Host, ta *pubsub.Topic, sub *pubsub.Subscription) {
	t.Helper()
	a, b = newHost(t, Config{PubSub: true}), newHost(t, Config{PubSub: true})
	connect(t, a, b)
	const topic = "skein-test"
	ta, err := a.PubSub.Join(topic)
	if err != nil {
		t.Fatalf("Join() error = %v", err)
	}
	tb, err := b.PubSub.Join(topic)
	if err != nil {
		t.Fatalf("Join() error = %v", err)
	}
	sub, err = tb.Subscribe()
	if err != nil {
		t.Fatalf("Subscribe() error = %v", err)
	}
	t.Cleanup(func() {
		sub.Cancel()
		tb.Close()
		ta.Close()
	})
	waitFor(t, "a to see b subscribed", func() bool { return slices.Contains(ta.ListPeers(), b.ID()) })
	return a, b, ta, sub
}

func TestGossipSub(t *testing.T) {
	a, _, ta, sub := subscribedPair(t)

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	// The same payload twice, then another: b receives each payload once, in
	// order, so the duplicate never shows up between them.
	sent := [][]byte{[]byte("hello"), []byte("hello"), []byte("bye")}
	for _, data := range sent {
		if err := ta.Publish(ctx, data); err != nil {
			t.Fatalf("Publish(%q) error = %v", data, err)
		}
	}
	for _, want := range []string{"hello", "bye"} {
		msg, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("Next() error = %v, want %q", err, want)
		}
		if got := string(msg.Data); got != want {
			t.Errorf("Next().Data = %q, want %q", got, want)
		}
		if msg.ReceivedFrom != a.ID() {
			t.Errorf("Next().ReceivedFrom = %s, want %s", msg.ReceivedFrom, a.ID())
		}
		if len(msg.From) != 0 || len(msg.Signature) != 0 {
			t.Errorf("Next() has author %x and signature %x, want none", msg.From, msg.Signature)
		}
	}
}

func TestMessageID(t *testing.T) {
	topic := "t"
	tests := []struct {
		name string
		a, b *pubsubpb.Message
		same bool
	}{
		{"same data", &pubsubpb.Message{Data: []byte("x")}, &pubsubpb.Message{Data: []byte("x")}, true},
		{"same data, other metadata", &pubsubpb.Message{Data: []byte("x")},
			&pubsubpb.Message{Data: []byte("x"), From: []byte("p"), Seqno: []byte{1}, Topic: &topic}, true},
		{"other data", &pubsubpb.Message{Data: []byte("x")}, &pubsubpb.Message{Data: []byte("y")}, false},
		{"empty and nil", &pubsubpb.Message{Data: []byte{}}, &pubsubpb.Message{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := messageID(tt.a) == messageID(tt.b); got != tt.same {
				t.Errorf("messageID(%v) == messageID(%v) is %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestCloseTwice(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default", Config{}},
		{"server with pubsub", Config{DHTMode: dht.ModeServer, PubSub: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Key = newKey(t)
			tt.cfg.ListenAddrs = loopback
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			h, err := New(ctx, tt.cfg)
			if err != nil {
				t.Fatalf("New() error = %v", err)
			}
			if err := h.Close(); err != nil {
				t.Errorf("Close() error = %v", err)
			}
			if err := h.Close(); err != nil {
				t.Errorf("second Close() error = %v, want nil", err)
			}
		})
	}
}

// TestDHTPutGuard runs a server with a Registry and a Guard on its DHT
// requests, as relays and nodes do, against a client that puts fresh names
// directly: new claims beyond the peer's budget are refused, updates of the
// claims held and lookups still pass.
func TestDHTPutGuard(t *testing.T) {
	validator := record.NamespacedValidator{names.Namespace: names.Validator{}}
	reg := newRegistry(t, names.Limits{})
	log := ratelimit.NewLog(nil)
	defer log.Close()
	guard := names.NewGuard(reg, names.Rates{PeerClaims: names.Rate{PerSecond: 0.001, Burst: 2}}, log)
	server := newHost(t, Config{DHTMode: dht.ModeServer, Validator: validator,
		Values: reg, MaxRecordAge: names.ClaimLifetime, OnRequest: guard.Hook})
	client := newHost(t, Config{DHTMode: dht.ModeClient, Validator: validator})
	connect(t, client, server)
	pm, err := dhtpb.NewProtocolMessenger(client.DHT.MessageSender())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*wait)
	defer cancel()
	put := func(name string, priv ed25519.PrivateKey, at time.Time) error {
		rec := record.MakePutRecord(names.Key(name), nameRecord(t, priv, name, at, client.ID()))
		return pm.PutValue(ctx, server.ID(), rec)
	}
	owner := newAccount(t)
	now := time.Now()
	var accepted []string
	for _, name := range []string{"flood_a", "flood_b", "flood_c", "flood_d"} {
		if err := put(name, owner, now); err == nil {
			accepted = append(accepted, name)
		}
	}
	if len(accepted) != 2 {
		t.Fatalf("accepted %q of 4 new claims, want the 2 of the peer's burst", accepted)
	}
	if n, _ := reg.Len(); n != 2 {
		t.Errorf("registry holds %d names, want 2", n)
	}
	if err := put(accepted[0], owner, now.Add(time.Second)); err != nil {
		t.Errorf("update of a held claim over the claim budget: %v", err)
	}
	if err := put(accepted[1], newAccount(t), time.UnixMilli(1)); err == nil {
		t.Error("another key's back-dated claim of a held name was accepted")
	}
	if k, ok := reg.Holds(accepted[1]); !ok || k != entry.KeyOf(owner.Public().(ed25519.PublicKey)) {
		t.Errorf("Holds(%s) = %s, %v; want the owner's key", accepted[1], k.Short(), ok)
	}
	if rec, _, err := pm.GetValue(ctx, server.ID(), names.Key(accepted[1])); err != nil || rec == nil {
		t.Errorf("GetValue(%s) = %v, %v; want the held claim", accepted[1], rec, err)
	}
}
