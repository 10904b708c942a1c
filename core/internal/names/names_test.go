package names

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"

	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// t0 is 2026-01-01T00:00:00Z in ms; tests use a clock fixed at t0 + 1 day.
const t0 = 1767225600000

var testNow = time.UnixMilli(t0 + 24*3600*1000)

var testValidator = Validator{Now: func() time.Time { return testNow }}

// account returns the Ed25519 key with seed b repeated 32 times.
func account(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

// devicePeerID returns the libp2p peer ID of the Ed25519 key with seed b
// repeated 32 times.
func devicePeerID(t testing.TB, b byte) []byte {
	t.Helper()
	k, err := crypto.UnmarshalEd25519PrivateKey(account(b))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(id)
}

func addr(t testing.TB, s string) []byte {
	t.Helper()
	return multiaddr.StringCast(s).Bytes()
}

// baseRecord is a valid record for "alice" without its account.
func baseRecord(t testing.TB) Record {
	return Record{
		Name:    "alice",
		Created: t0,
		Updated: t0 + 3600*1000,
		HeadSeq: 42,
		PeerID:  devicePeerID(t, 2),
		Addrs:   [][]byte{addr(t, "/ip4/127.0.0.1/tcp/4001")},
	}
}

// workCache holds the work nonces found in this test run, by account key
// and name: each costs about 2^WorkBits hashes.
var workCache sync.Map

// workFor returns Work(account, name), computed once per test run.
func workFor(account entry.Key, name string) uint64 {
	k := string(account[:]) + name
	if n, ok := workCache.Load(k); ok {
		return n.(uint64)
	}
	n := Work(account, name)
	workCache.Store(k, n)
	return n
}

// withWork sets r.Nonce to the work for priv's claim of r.Name, if the name
// is valid.
func withWork(priv ed25519.PrivateKey, r Record) Record {
	if entry.ValidName(r.Name) == nil {
		r.Nonce = workFor(entry.KeyOf(priv.Public().(ed25519.PublicKey)), r.Name)
	}
	return r
}

func mustSign(t testing.TB, priv ed25519.PrivateKey, r Record) []byte {
	t.Helper()
	b, err := Sign(priv, withWork(priv, r))
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}
	return b
}

// signRaw encodes and signs r without validating it, as a hostile peer
// could. It keeps r.Nonce.
func signRaw(priv ed25519.PrivateKey, r Record) []byte {
	r.Account = entry.KeyOf(priv.Public().(ed25519.PublicKey))
	b := r.appendUnsigned(nil)
	return append(b, ed25519.Sign(priv, signedMessage(b))...)
}

// longAddr returns a valid multiaddr of exactly n bytes (n >= 9).
func longAddr(t testing.TB, n int) []byte {
	t.Helper()
	// dns4 code (1 byte) + 2-byte varint length + host + tcp (3 bytes).
	a := addr(t, "/dns4/"+strings.Repeat("a", n-6)+"/tcp/1")
	if len(a) != n {
		t.Fatalf("longAddr(%d) has %d bytes", n, len(a))
	}
	return a
}

func TestRoundTrip(t *testing.T) {
	max := baseRecord(t)
	max.Name = strings.Repeat("z", entry.MaxNameLen)
	max.PeerID = append([]byte{0x00, MaxPeerIDLen - 2}, bytes.Repeat([]byte{7}, MaxPeerIDLen-2)...) // identity multihash
	max.Addrs = nil
	for range MaxAddrs {
		max.Addrs = append(max.Addrs, longAddr(t, MaxAddrLen))
	}
	max.Created, max.Updated, max.HeadSeq = 1, 1<<64-1, 1<<64-1

	tests := []struct {
		name string
		r    func(Record) Record
	}{
		{"base", func(r Record) Record { return r }},
		{"no addresses", func(r Record) Record { r.Addrs = nil; return r }},
		{"created equals updated", func(r Record) Record { r.Updated = r.Created; return r }},
		{"head seq 0", func(r Record) Record { r.HeadSeq = 0; return r }},
		{"several addresses", func(r Record) Record {
			r.Addrs = append(r.Addrs, addr(t, "/ip6/::1/udp/4001/quic-v1"),
				addr(t, "/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit"))
			return r
		}},
		{"largest", func(Record) Record { return max }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv := account(1)
			want := tt.r(baseRecord(t))
			b := mustSign(t, priv, want)
			if len(b) > MaxSize {
				t.Errorf("len(Sign()) = %d, limit %d", len(b), MaxSize)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			want.Account = entry.KeyOf(priv.Public().(ed25519.PublicKey))
			want.Nonce = workFor(want.Account, want.Name)
			want.Sig = got.Sig
			if !equal(got, want) {
				t.Errorf("Decode() = %+v, want %+v", got, want)
			}
		})
	}
	// Document the real bound that the field limits give.
	if n := len(mustSign(t, account(1), max)); n != 4356 {
		t.Errorf("largest record = %d bytes, want 4356 (update the docs)", n)
	}
}

func equal(a, b Record) bool {
	return a.Name == b.Name && a.Account == b.Account && a.Nonce == b.Nonce && a.Created == b.Created && a.Updated == b.Updated &&
		a.HeadSeq == b.HeadSeq && bytes.Equal(a.PeerID, b.PeerID) &&
		slices.EqualFunc(a.Addrs, b.Addrs, bytes.Equal) && a.Sig == b.Sig
}

func TestSignSetsAccount(t *testing.T) {
	r := baseRecord(t)
	r.Account = entry.KeyOf(account(9).Public().(ed25519.PublicKey))
	got, err := Decode(mustSign(t, account(1), r))
	if err != nil {
		t.Fatal(err)
	}
	if want := entry.KeyOf(account(1).Public().(ed25519.PublicKey)); got.Account != want {
		t.Errorf("Decode(Sign()).Account = %s, want %s", got.Account, want)
	}
}

// invalidRecords are records that break one field rule each.
func invalidRecords(t testing.TB) []struct {
	name string
	r    Record
} {
	set := func(f func(*Record)) Record { r := baseRecord(t); f(&r); return r }
	var tooMany [][]byte
	for range MaxAddrs + 1 {
		tooMany = append(tooMany, addr(t, "/ip4/127.0.0.1/tcp/4001"))
	}
	return []struct {
		name string
		r    Record
	}{
		{"empty name", set(func(r *Record) { r.Name = "" })},
		{"short name", set(func(r *Record) { r.Name = "al" })},
		{"long name", set(func(r *Record) { r.Name = strings.Repeat("a", 33) })},
		{"upper-case name", set(func(r *Record) { r.Name = "Alice" })},
		{"name with slash", set(func(r *Record) { r.Name = "al/ce" })},
		{"zero created", set(func(r *Record) { r.Created = 0 })},
		{"updated before created", set(func(r *Record) { r.Updated = r.Created - 1 })},
		{"no peer ID", set(func(r *Record) { r.PeerID = nil })},
		{"bad peer ID", set(func(r *Record) { r.PeerID = []byte("not a multihash") })},
		{"long peer ID", set(func(r *Record) {
			r.PeerID = append([]byte{0x00, MaxPeerIDLen - 1}, bytes.Repeat([]byte{7}, MaxPeerIDLen-1)...)
		})},
		{"too many addresses", set(func(r *Record) { r.Addrs = tooMany })},
		{"empty address", set(func(r *Record) { r.Addrs = [][]byte{{}} })},
		{"long address", set(func(r *Record) { r.Addrs = [][]byte{longAddr(t, MaxAddrLen+1)} })},
		{"bad address", set(func(r *Record) { r.Addrs = [][]byte{{0xff, 0xff, 0xff}} })},
		{"address with trailing byte", set(func(r *Record) {
			r.Addrs = [][]byte{append(addr(t, "/ip4/127.0.0.1/tcp/4001"), 0)}
		})},
		{"non-minimal varint code", set(func(r *Record) {
			// /ip4 with its code 0x04 written as the two-byte varint 0x84 0x00.
			r.Addrs = [][]byte{{0x84, 0x00, 127, 0, 0, 1}}
		})},
	}
}

func TestSignRejects(t *testing.T) {
	for _, tt := range invalidRecords(t) {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := Sign(account(1), tt.r); !errors.Is(err, ErrMalformed) {
				t.Errorf("Sign() = %x, %v; want %v", b, err, ErrMalformed)
			}
		})
	}
	if _, err := Sign(account(1)[:32], baseRecord(t)); err == nil {
		t.Errorf("Sign(short key) error = nil, want an error")
	}
}

// TestDecodeRejectsSignedInvalid feeds Decode records that break a field rule
// but carry a valid signature, as a hostile peer could publish.
func TestDecodeRejectsSignedInvalid(t *testing.T) {
	for _, tt := range invalidRecords(t) {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := Decode(signRaw(account(1), tt.r)); !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode() = %+v, %v; want %v", r, err, ErrMalformed)
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	big := make([]byte, MaxSize+1)
	big[0] = Version
	if _, err := Decode(big); !errors.Is(err, ErrMalformed) {
		t.Errorf("Decode(%d bytes) error = %v, want %v", len(big), err, ErrMalformed)
	}
}

// TestTamper changes each field of a valid record, and then every bit of it:
// Decode must reject every result.
func TestTamper(t *testing.T) {
	good := mustSign(t, account(1), baseRecord(t))
	n := len("alice")
	p := len(baseRecord(t).PeerID)
	fields := []struct {
		name string
		off  int
	}{
		{"version", 0},
		{"account", 1},
		{"nonce", 33 + 7},
		{"created", 41 + 7},
		{"updated", 49 + 7},
		{"head seq", 57 + 7},
		{"name length", 65},
		{"name", 66},
		{"peer ID length", 66 + n},
		{"peer ID", 67 + n + 10},
		{"address count", 67 + n + p},
		{"address length", 68 + n + p + 1},
		{"address", 68 + n + p + 2 + 1},
		{"signature", len(good) - 1},
	}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			b := bytes.Clone(good)
			b[f.off] ^= 0x01
			if r, err := Decode(b); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrNoWork) {
				t.Errorf("Decode() = %+v, %v; want an error", r, err)
			}
		})
	}
	t.Run("every bit", func(t *testing.T) {
		for i := range len(good) * 8 {
			b := bytes.Clone(good)
			b[i/8] ^= 1 << (i % 8)
			if _, err := Decode(b); err == nil {
				t.Errorf("Decode() with bit %d flipped: error = nil", i)
			}
		}
	})
	t.Run("truncated", func(t *testing.T) {
		for i := range len(good) {
			if _, err := Decode(good[:i]); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrNoWork) {
				t.Errorf("Decode(first %d bytes) error = %v", i, err)
			}
		}
	})
	t.Run("trailing byte", func(t *testing.T) {
		if _, err := Decode(append(bytes.Clone(good), 0)); err == nil {
			t.Errorf("Decode(with trailing byte) error = nil")
		}
	})
	t.Run("other key's signature", func(t *testing.T) {
		other := mustSign(t, account(2), baseRecord(t))
		b := bytes.Clone(good)
		copy(b[len(b)-64:], other[len(other)-64:])
		if _, err := Decode(b); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Decode() error = %v, want %v", err, ErrBadSignature)
		}
	})
	t.Run("no domain separation", func(t *testing.T) {
		b := bytes.Clone(good)
		copy(b[len(b)-64:], ed25519.Sign(account(1), b[:len(b)-64]))
		if _, err := Decode(b); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Decode(signed without SigContext) error = %v, want %v", err, ErrBadSignature)
		}
	})
}

func TestValidate(t *testing.T) {
	priv := account(1)
	at := func(created, updated time.Time) []byte {
		r := baseRecord(t)
		r.Created, r.Updated = uint64(created.UnixMilli()), uint64(updated.UnixMilli())
		return mustSign(t, priv, r)
	}
	good := mustSign(t, priv, baseRecord(t))
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	tests := []struct {
		name  string
		key   string
		value []byte
		want  error
	}{
		{"valid", Key("alice"), good, nil},
		{"other name's key", Key("bob"), good, ErrWrongKey},
		{"other namespace", "/pk/alice", good, ErrWrongKey},
		{"no namespace", "alice", good, ErrWrongKey},
		{"invalid name in key", Key("Alice"), good, ErrWrongKey},
		{"key with trailing slash", Key("alice") + "/", good, ErrWrongKey},
		{"bad signature", Key("alice"), bad, ErrBadSignature},
		{"garbage", Key("alice"), []byte("garbage"), ErrMalformed},
		{"nil", Key("alice"), nil, ErrMalformed},
		{"updated exactly 1h ahead", Key("alice"), at(testNow, testNow.Add(time.Hour)), nil},
		{"updated 1h+1ms ahead", Key("alice"), at(testNow, testNow.Add(time.Hour+time.Millisecond)), ErrFuture},
		{"created and updated ahead", Key("alice"), at(testNow.Add(2*time.Hour), testNow.Add(2*time.Hour)), ErrFuture},
		{"far future", Key("alice"), at(testNow, time.UnixMilli(1<<62)), ErrFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := testValidator.Validate(tt.key, tt.value)
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Errorf("Validate() error = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("zero value uses the system clock", func(t *testing.T) {
		now := time.Now()
		if err := (Validator{}).Validate(Key("alice"), at(now, now)); err != nil {
			t.Errorf("Validate() error = %v, want nil", err)
		}
		if err := (Validator{}).Validate(Key("alice"), at(now, now.Add(2*time.Hour))); !errors.Is(err, ErrFuture) {
			t.Errorf("Validate() error = %v, want %v", err, ErrFuture)
		}
	})
}

// claimBy returns a record for name by account seed, signed.
func claimBy(t testing.TB, seed byte, name string, created, updated uint64) []byte {
	r := baseRecord(t)
	r.Name, r.Created, r.Updated = name, created, updated
	return mustSign(t, account(seed), r)
}

func keyOf(seed byte) entry.Key { return entry.KeyOf(account(seed).Public().(ed25519.PublicKey)) }

func TestSelect(t *testing.T) {
	// Accounts in ascending key order: keyOf(lo) < keyOf(hi).
	lo, hi := byte(1), byte(2)
	if kl, kh := keyOf(lo), keyOf(hi); bytes.Compare(kl[:], kh[:]) > 0 {
		lo, hi = hi, lo
	}
	const h = 3600 * 1000
	first := claimBy(t, hi, "alice", t0, t0)
	update := claimBy(t, hi, "alice", t0, t0+h)
	update2 := claimBy(t, hi, "alice", t0, t0+2*h)
	backDated := claimBy(t, lo, "alice", 1, t0+5*h)
	sameTime := claimBy(t, lo, "alice", t0, t0) // and the smaller key
	laterCreated := claimBy(t, hi, "alice", t0+3*h, t0+3*h)
	otherName := claimBy(t, lo, "alicia", 1, 1)
	// Two records of one account with equal times differ only in HeadSeq.
	r := baseRecord(t)
	r.Created, r.Updated, r.HeadSeq = t0, t0+2*h, 7
	update2b := mustSign(t, account(hi), r)
	tieWinner := update2
	if bytes.Compare(update2b, update2) < 0 {
		tieWinner = update2b
	}
	junk := []byte("junk")
	badSig := func() []byte { b := bytes.Clone(first); b[len(b)-1] ^= 1; return b }()

	tests := []struct {
		name    string
		values  [][]byte
		want    []byte // nil: Select fails
		shuffle bool   // one account only: the order of values does not matter
	}{
		{"one", [][]byte{first}, first, true},
		{"update by same key wins over older", [][]byte{first, update}, update, true},
		{"latest of several updates", [][]byte{update, first, update2}, update2, true},
		{"a later Created with a later update wins within one account", [][]byte{update2, laterCreated}, laterCreated, true},
		{"same times: smaller encoding wins", [][]byte{update2, update2b}, tieWinner, true},
		{"identical values", [][]byte{first, first}, first, true},
		// Between accounts, the first valid value's account is kept:
		// Created and key order decide nothing.
		{"back-dated claim by another key after", [][]byte{first, backDated}, first, false},
		{"back-dated claim by another key first", [][]byte{backDated, first}, backDated, false},
		{"same Created and smaller key after", [][]byte{update, sameTime}, update, false},
		{"first account's latest among others", [][]byte{first, backDated, update2, sameTime, update}, update2, false},
		{"invalid values skipped", [][]byte{junk, nil, first, append(bytes.Clone(update), 0)}, first, false},
		{"other name skipped", [][]byte{otherName, backDated, first}, backDated, false},
		{"bad signature skipped", [][]byte{badSig, backDated, first}, backDated, false},
		{"none valid", [][]byte{junk, otherName}, nil, true},
		{"empty", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			for range 20 {
				values := slices.Clone(tt.values)
				if tt.shuffle {
					rng.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
				}
				i, err := testValidator.Select(Key("alice"), values)
				if tt.want == nil {
					if err == nil {
						t.Fatalf("Select() = %d, nil; want an error", i)
					}
					continue
				}
				if err != nil {
					t.Fatalf("Select() error = %v", err)
				}
				if !bytes.Equal(values[i], tt.want) {
					t.Fatalf("Select(%d values) picked %s, want %s", len(values), describe(values[i]), describe(tt.want))
				}
				if j := slices.IndexFunc(values, func(v []byte) bool { return bytes.Equal(v, tt.want) }); i != j {
					t.Errorf("Select() = %d, want the first best, %d", i, j)
				}
				// A lookup by kad-dht compares two values at a time, [best
				// so far, received]: the fold must agree with Select over
				// the whole set.
				if got := foldLookup(t, values); !bytes.Equal(got, tt.want) {
					t.Errorf("lookup fold picked %s, want %s", describe(got), describe(tt.want))
				}
				if !tt.shuffle {
					break
				}
			}
		})
	}
}

func describe(b []byte) string {
	r, err := Decode(b)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s %s updated %d", r.Account.Short(), r.Name, r.Updated)
}

// foldLookup imitates kad-dht's processValues over valid values.
func foldLookup(t *testing.T, values [][]byte) []byte {
	var best []byte
	for _, v := range values {
		if testValidator.Validate(Key("alice"), v) != nil {
			continue
		}
		if best == nil {
			best = v
			continue
		}
		i, err := testValidator.Select(Key("alice"), [][]byte{best, v})
		if err != nil {
			t.Fatalf("Select() error = %v", err)
		}
		if i == 1 {
			best = v
		}
	}
	return best
}

func TestSelectBadKey(t *testing.T) {
	if i, err := testValidator.Select("/pk/alice", [][]byte{claimBy(t, 1, "alice", t0, t0)}); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Select() = %d, %v; want %v", i, err, ErrWrongKey)
	}
}

func TestNamespacedValidator(t *testing.T) {
	v := record.NamespacedValidator{Namespace: testValidator}
	a := claimBy(t, 1, "alice", t0, t0)
	b := claimBy(t, 1, "alice", t0, t0+1)
	if err := v.Validate(Key("alice"), a); err != nil {
		t.Errorf("Validate() error = %v", err)
	}
	if i, err := v.Select(Key("alice"), [][]byte{a, b}); err != nil || i != 1 {
		t.Errorf("Select() = %d, %v; want 1, nil", i, err)
	}
}

func TestResolve(t *testing.T) {
	const h = 3600 * 1000
	a1 := claimBy(t, 1, "alice", t0, t0)
	a2 := claimBy(t, 1, "alice", t0, t0+h)
	b := claimBy(t, 2, "alice", t0+h, t0+h)
	c := claimBy(t, 3, "alice", 1, t0-h) // back-dated
	future := claimBy(t, 4, "alice", t0, uint64(testNow.Add(2*time.Hour).UnixMilli()))
	bobs := claimBy(t, 5, "bob", t0, t0)
	lowWork := signRaw(account(6), baseRecord(t))
	small := smallOrderRecord(t)
	none := [][]byte(nil)
	vals := func(v ...[]byte) [][]byte { return v }
	sorted := func(seeds ...byte) []entry.Key {
		var ks []entry.Key
		for _, s := range seeds {
			ks = append(ks, keyOf(s))
		}
		slices.SortFunc(ks, func(a, b entry.Key) int { return bytes.Compare(a[:], b[:]) })
		return ks
	}
	tests := []struct {
		name       string
		anchored   [][]byte
		found      [][]byte
		want       []byte // the record resolved to; nil for none
		wantClaims []entry.Key
		anchoredOK bool
		wantErr    error
	}{
		{"one", none, vals(a1), a1, sorted(1), false, nil},
		{"updates of one key are no conflict", none, vals(a1, a2, a1), a2, sorted(1), false, nil},
		{"two keys without anchors: conflict", none, vals(b, a1, a2), nil, sorted(1, 2), false, ErrConflict},
		{"back-dated claim without anchors: conflict, never a guess", none, vals(a2, c), nil, sorted(1, 3), false, ErrConflict},
		{"anchor decides against a back-dated claim", vals(a1), vals(c, b, c), a1, sorted(1, 2, 3), true, nil},
		{"anchor decides, newest record from anywhere", vals(a1), vals(a2, c), a2, sorted(1, 3), true, nil},
		{"anchors agree", vals(a1, a2), vals(b), a2, sorted(1, 2), true, nil},
		{"anchors disagree: conflict", vals(a1, c), vals(a2), nil, sorted(1, 3), true, ErrConflict},
		{"invalid anchor records do not count", vals(future, lowWork, small, bobs), vals(b), b, sorted(2), false, nil},
		{"future, low-work, small-order and other names ignored", none, vals(future, a1, bobs, lowWork, small), a1, sorted(1), false, nil},
		{"only invalid", vals(small), vals(future, bobs, []byte("x"), lowWork), nil, nil, false, ErrNotFound},
		{"empty", none, none, nil, nil, false, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := testValidator.Resolve(Key("alice"), tt.anchored, tt.found)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Resolve() error = %v, want %v", err, tt.wantErr)
			}
			var claims []entry.Key
			for _, c := range res.Claims {
				claims = append(claims, c.Account)
			}
			if !slices.Equal(claims, tt.wantClaims) {
				t.Errorf("Resolve() claims = %v, want %v", claims, tt.wantClaims)
			}
			if res.Anchored != tt.anchoredOK {
				t.Errorf("Resolve() anchored = %v, want %v", res.Anchored, tt.anchoredOK)
			}
			var want Record
			if tt.want != nil {
				want, _ = Decode(tt.want)
			}
			if !equal(res.Record, want) {
				t.Errorf("Resolve() record = %+v, want %+v", res.Record, want)
			}
		})
	}
	if _, err := Resolve("/skein-name/", nil, vals(a1)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Resolve(bad key) error = %v, want %v", err, ErrWrongKey)
	}
	// The package function uses the system clock: t0 records are in the past.
	if res, err := Resolve(Key("alice"), vals(a1), vals(b)); err != nil || res.Record.Account != keyOf(1) {
		t.Errorf("Resolve() = %+v, %v; want alice's key", res, err)
	}
}

// vectorHex is the test vector in docs/PROTOCOL.md ("Name records"): the
// record for "alice" signed by the Ed25519 key with seed 01 repeated 32 times,
// published from the device whose libp2p Ed25519 key has seed 02 repeated 32
// times (peer ID 12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq). If the
// encoding changes on purpose, update both.
const vectorHex = "" +
	"02" + // version
	"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // account
	"000000000010d325" + // work nonce 1102629
	"0000019b76daa800" + // Created 1767225600000, 2026-01-01T00:00:00Z
	"0000019b77119680" + // Updated 1767229200000, 2026-01-01T01:00:00Z
	"000000000000002a" + // HeadSeq 42
	"05" + "616c696365" + // name "alice"
	"26" + "002408011220" + "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // peer ID
	"01" + "0008" + "047f000001060fa1" + // one address: /ip4/127.0.0.1/tcp/4001
	"8cbe0ed178384069f6d9c3e0cd304f2fa020657f76eac09c7666456f06c06bf8" + // signature
	"639eb00e077fdcc0f93a850257828f1ec001904a17ef97a53718eb9a38f2e808"

// vectorWorkHash is SHA-256 of the vector's work input: 20 leading zero
// bits.
const vectorWorkHash = "00000fb95e717196235bcece1b313e3177f1a13bb894c7772b37814d8258f6fd"

// smallOrderHex is the small-order test vector in docs/PROTOCOL.md: the
// vector's fields, but claimed by the identity point (01 followed by 31
// zero bytes, which has small order) with its own work nonce, and the
// signature R = the identity, S = 0, which crypto/ed25519 accepts for that
// key and every message. Every node must refuse it.
const smallOrderHex = "" +
	"02" + // version
	"0100000000000000000000000000000000000000000000000000000000000000" + // account: the identity point
	"0000000000041c2e" + // work nonce 269358
	"0000019b76daa800" + // Created
	"0000019b77119680" + // Updated
	"000000000000002a" + // HeadSeq 42
	"05" + "616c696365" + // name "alice"
	"26" + "002408011220" + "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // peer ID
	"01" + "0008" + "047f000001060fa1" + // one address: /ip4/127.0.0.1/tcp/4001
	"0100000000000000000000000000000000000000000000000000000000000000" + // signature R: the identity
	"0000000000000000000000000000000000000000000000000000000000000000" // signature S: 0

func TestVector(t *testing.T) {
	r := Record{
		Name:    "alice",
		Created: t0,
		Updated: t0 + 3600*1000,
		HeadSeq: 42,
		PeerID:  devicePeerID(t, 2),
		Addrs:   [][]byte{addr(t, "/ip4/127.0.0.1/tcp/4001")},
	}
	if got, want := peer.ID(r.PeerID).String(), "12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq"; got != want {
		t.Errorf("peer ID = %s, want %s", got, want)
	}
	b := mustSign(t, account(1), r)
	if got := hex.EncodeToString(b); got != vectorHex {
		t.Errorf("Sign() = %s, want %s", got, vectorHex)
	}
	want, _ := hex.DecodeString(vectorHex)
	if err := testValidator.Validate(Key("alice"), want); err != nil {
		t.Errorf("Validate(vector) error = %v", err)
	}
	// The nonce is the smallest with enough work, so every device finds it.
	if got := Work(keyOf(1), "alice"); got != 1102629 {
		t.Errorf("Work(alice's key, alice) = %d, want 1102629", got)
	}
	in := workInput(keyOf(1), "alice")
	binary.BigEndian.PutUint64(in[len(in)-8:], 1102629)
	sum := sha256.Sum256(in)
	if got := hex.EncodeToString(sum[:]); got != vectorWorkHash {
		t.Errorf("work hash = %s, want %s", got, vectorWorkHash)
	}
	if got := hex.EncodeToString(in); got != vectorWorkInput {
		t.Errorf("work input = %s, want %s", got, vectorWorkInput)
	}
}

// vectorWorkInput is the work input of the vector: WorkContext, the
// account, the name's length and the name, and the nonce.
const vectorWorkInput = "" +
	"736b65696e2f6e616d652d776f726b2f763100" + // "skein/name-work/v1\x00"
	"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // account
	"05" + "616c696365" + // name "alice"
	"000000000010d325" // nonce 1102629

// TestSmallOrderVector checks the small-order vector: it carries enough
// work and a signature that crypto/ed25519 alone accepts, and is refused
// for its key.
func TestSmallOrderVector(t *testing.T) {
	b, err := hex.DecodeString(smallOrderHex)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(smallOrderRecord(t)); got != smallOrderHex {
		t.Errorf("small-order record = %s, want %s", got, smallOrderHex)
	}
	r, err := parse(b)
	if err != nil {
		t.Fatalf("parse(small-order vector) error = %v, want nil: only its key is wrong", err)
	}
	if !ed25519.Verify(r.Account[:], signedMessage(b[:len(b)-ed25519.SignatureSize]), r.Sig[:]) {
		t.Error("ed25519.Verify refuses the small-order vector: it no longer shows the attack")
	}
	if err := testValidator.Validate(Key("alice"), b); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Validate(small-order vector) = %v, want %v", err, ErrBadSignature)
	}
}

// TestVectorsDocumented checks that docs/PROTOCOL.md carries the vectors
// exactly as the code makes them.
func TestVectorsDocumented(t *testing.T) {
	flat := protocoldoc.Flat(t)
	for _, v := range []struct{ name, hex string }{
		{"name record test vector", vectorHex},
		{"work input of the vector", vectorWorkInput},
		{"work hash of the vector", vectorWorkHash},
		{"small-order vector", smallOrderHex},
	} {
		if !strings.Contains(flat, v.hex) {
			t.Errorf("docs/PROTOCOL.md does not contain the %s %s", v.name, v.hex)
		}
	}
}

// smallOrderRecord returns the base record for "alice" "signed" by the
// small-order identity key with the signature that verifies every message
// under crypto/ed25519 alone: R = the identity point, S = 0. It carries
// enough work, so only the key is wrong.
func smallOrderRecord(t testing.TB) []byte {
	r := baseRecord(t)
	r.Account = entry.Key{1} // the identity point
	r.Nonce = workFor(r.Account, r.Name)
	b := r.appendUnsigned(nil)
	sig := make([]byte, ed25519.SignatureSize)
	sig[0] = 1
	if !ed25519.Verify(r.Account[:], signedMessage(b), sig) {
		t.Fatal("ed25519.Verify refuses the universal signature: the test no longer shows the attack")
	}
	return append(b, sig...)
}

// TestSmallOrderAccount: name records follow the one signature rule of
// entries (entry.VerifySignature), which refuses small-order keys.
func TestSmallOrderAccount(t *testing.T) {
	b := smallOrderRecord(t)
	if r, err := Decode(b); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Decode(small-order record) = %+v, %v; want %v", r, err, ErrBadSignature)
	}
	if err := testValidator.Validate(Key("alice"), b); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Validate(small-order record) = %v, want %v", err, ErrBadSignature)
	}
	if _, err := testValidator.Resolve(Key("alice"), nil, [][]byte{b}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Resolve(small-order record) = %v, want %v", err, ErrNotFound)
	}
}

func TestLeadingZeros(t *testing.T) {
	tests := []struct {
		hex  string
		want int
	}{
		{"80" + strings.Repeat("00", 31), 0},
		{"00000fff" + strings.Repeat("ff", 28), 20},
		{"000007" + strings.Repeat("ff", 29), 21},
		{"0000000000000000" + "01" + strings.Repeat("00", 23), 71},
		{strings.Repeat("00", 32), 256},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.hex)
		if got := leadingZeros([32]byte(b)); got != tt.want {
			t.Errorf("leadingZeros(%s) = %d, want %d", tt.hex, got, tt.want)
		}
	}
}

// TestWork: a record's nonce must be proof of work for its account and
// name, everywhere a record is read.
func TestWork(t *testing.T) {
	alice := keyOf(1)
	nonce := workFor(alice, "alice")
	if HasWork(alice, "alice", 0) {
		t.Fatal("nonce 0 has enough work for alice: pick other test inputs")
	}
	for _, tt := range []struct {
		name    string
		account entry.Key
		claim   string
		nonce   uint64
		want    bool
	}{
		{"the work", alice, "alice", nonce, true},
		{"no work", alice, "alice", 0, false},
		{"next nonce", alice, "alice", nonce + 1, false},
		{"other account", keyOf(2), "alice", nonce, false},
		{"other name", alice, "alicia", nonce, false},
	} {
		if got := HasWork(tt.account, tt.claim, tt.nonce); got != tt.want {
			t.Errorf("%s: HasWork() = %v, want %v", tt.name, got, tt.want)
		}
	}

	lowWork := baseRecord(t) // nonce 0
	b := signRaw(account(1), lowWork)
	if r, err := Decode(b); !errors.Is(err, ErrNoWork) {
		t.Errorf("Decode(low work) = %+v, %v; want %v", r, err, ErrNoWork)
	}
	if err := testValidator.Validate(Key("alice"), b); !errors.Is(err, ErrNoWork) {
		t.Errorf("Validate(low work) = %v, want %v", err, ErrNoWork)
	}
	if _, err := testValidator.Resolve(Key("alice"), nil, [][]byte{b}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Resolve(low work) = %v, want %v", err, ErrNotFound)
	}
	// Work for another account's claim of the name is no work for this one.
	stolen := baseRecord(t)
	stolen.Nonce = workFor(keyOf(2), "alice")
	if err := testValidator.Validate(Key("alice"), signRaw(account(1), stolen)); !errors.Is(err, ErrNoWork) {
		t.Errorf("Validate(another account's work) = %v, want %v", err, ErrNoWork)
	}

	// Sign finds the work when the record has none, and keeps a nonce
	// that is work already.
	r, err := Decode(mustSignNoCache(t, account(1), lowWork))
	if err != nil || r.Nonce != nonce {
		t.Errorf("Sign(no work) has nonce %d, %v; want %d", r.Nonce, err, nonce)
	}
	other := nonce + 1
	for !HasWork(alice, "alice", other) {
		other++
	}
	given := baseRecord(t)
	given.Nonce = other
	if r, err := Decode(mustSignNoCache(t, account(1), given)); err != nil || r.Nonce != other {
		t.Errorf("Sign(nonce %d) has nonce %d, %v; want it kept", other, r.Nonce, err)
	}
}

// mustSignNoCache is Sign without the test's work cache.
func mustSignNoCache(t testing.TB, priv ed25519.PrivateKey, r Record) []byte {
	t.Helper()
	b, err := Sign(priv, r)
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}
	return b
}
