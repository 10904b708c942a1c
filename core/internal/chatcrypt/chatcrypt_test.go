package chatcrypt

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustSecret(t testing.TB) Secret {
	t.Helper()
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustPrekey(t testing.TB) *Prekey {
	t.Helper()
	p, err := NewPrekey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSecret(t *testing.T) {
	a, b := mustSecret(t), mustSecret(t)
	if a == b {
		t.Fatal("NewSecret returned the same secret twice")
	}
	if a.ID() == b.ID() || a.ID() != a.ID() {
		t.Fatal("ID is not a function of the secret")
	}
	id := a.ID()
	for _, verb := range []string{"%v", "%s", "%x", "%+v"} {
		got := fmt.Sprintf(verb, a)
		if strings.Contains(got, hex.EncodeToString(a[:])) || strings.Contains(got, fmt.Sprint(a[:])) {
			t.Errorf("Sprintf(%s, secret) = %q shows the secret", verb, got)
		}
	}
	if got, want := a.String(), "epoch secret "+hex.EncodeToString(id[:]); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestZeroPrekey(t *testing.T) {
	s := mustSecret(t)
	if _, err := Unwrap(&Prekey{}, [32]byte{}, s.ID(), [32]byte{}, [48]byte{}); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Unwrap(zero Prekey) = %v, want ErrDecrypt", err)
	}
	if _, err := Unwrap(nil, [32]byte{}, s.ID(), [32]byte{}, [48]byte{}); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Unwrap(nil) = %v, want ErrDecrypt", err)
	}
	if b := (&Prekey{}).MarshalPrivate(); b != nil {
		t.Errorf("MarshalPrivate(zero Prekey) = %x, want nil", b)
	}
}

func TestPrekeyPrivate(t *testing.T) {
	p := mustPrekey(t)
	q, err := ParsePrivate(p.MarshalPrivate())
	if err != nil {
		t.Fatal(err)
	}
	if q.Public != p.Public || q.ID() != p.ID() || q.ID() != PrekeyID(p.Public) {
		t.Fatalf("ParsePrivate(MarshalPrivate()) = %x, want %x", q.Public, p.Public)
	}
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := ParsePrivate(make([]byte, n)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePrivate(%d bytes) = %v, want ErrMalformed", n, err)
		}
	}
}

func TestWrap(t *testing.T) {
	alice, bob := mustPrekey(t), mustPrekey(t)
	s := mustSecret(t)
	group := [32]byte{1, 2, 3}
	enc, sealed, err := Wrap(alice.Public, group, s.ID(), s)
	if err != nil {
		t.Fatal(err)
	}
	other := mustSecret(t)
	otherEnc, otherSealed, err := Wrap(alice.Public, group, other.ID(), s) // a secret that is not the epoch's
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int) { b[i] ^= 0x80 }
	tests := []struct {
		name   string
		p      *Prekey
		group  [32]byte
		epoch  [16]byte
		enc    [32]byte
		sealed [48]byte
		want   error
	}{
		{"round trip", alice, group, s.ID(), enc, sealed, nil},
		{"wrong recipient", bob, group, s.ID(), enc, sealed, ErrDecrypt},
		{"wrong group", alice, [32]byte{1, 2, 4}, s.ID(), enc, sealed, ErrDecrypt},
		{"wrong epoch", alice, group, other.ID(), enc, sealed, ErrDecrypt},
		{"secret not of its epoch", alice, group, other.ID(), otherEnc, otherSealed, ErrDecrypt},
		{"tampered enc", alice, group, s.ID(), func() [32]byte { e := enc; flip(e[:], 3); return e }(), sealed, ErrDecrypt},
		{"tampered secret", alice, group, s.ID(), enc, func() [48]byte { x := sealed; flip(x[:], 0); return x }(), ErrDecrypt},
		{"tampered tag", alice, group, s.ID(), enc, func() [48]byte { x := sealed; flip(x[:], 47); return x }(), ErrDecrypt},
		{"zero enc", alice, group, s.ID(), [32]byte{}, sealed, ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unwrap(tt.p, tt.group, tt.epoch, tt.enc, tt.sealed)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Unwrap() error = %v, want %v", err, tt.want)
			}
			if tt.want == nil && got != s {
				t.Fatalf("Unwrap() = %x, want %x", got, s)
			}
		})
	}
	if _, _, err := Wrap([32]byte{}, group, s.ID(), s); !errors.Is(err, ErrMalformed) {
		t.Errorf("Wrap(low-order key) = %v, want ErrMalformed", err)
	}
	enc2, _, err := Wrap(alice.Public, group, s.ID(), s)
	if err != nil || enc2 == enc {
		t.Errorf("Wrap twice gave the same encapsulated key (err %v)", err)
	}
}

func TestChains(t *testing.T) {
	s := mustSecret(t)
	author := [32]byte{7}
	aad := []byte("header")
	sender := NewChains(0)
	ct := map[uint64][]byte{}
	for _, i := range []uint64{1, 2, 3, 5, 9, 10} {
		c, err := sender.Seal(s, author, i, aad, fmt.Appendf(nil, "message %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != len(fmt.Sprintf("message %d", i))+TagSize {
			t.Fatalf("Seal(%d) is %d bytes", i, len(c))
		}
		ct[i] = c
	}
	reader := NewChains(4)
	for _, i := range []uint64{5, 2, 9, 1, 10, 3, 9} {
		got, err := reader.Open(s, author, i, aad, ct[i])
		if err != nil {
			t.Fatalf("Open(%d): %v", i, err)
		}
		fresh, err := NewChains(1).Open(s, author, i, aad, ct[i])
		if err != nil || !bytes.Equal(got, fresh) {
			t.Fatalf("Open(%d) = %q, fresh Chains gives %q, %v", i, got, fresh, err)
		}
		if want := fmt.Sprintf("message %d", i); string(got) != want {
			t.Fatalf("Open(%d) = %q, want %q", i, got, want)
		}
	}
	bad := func(b []byte) []byte { b = bytes.Clone(b); b[len(b)-1] ^= 1; return b }
	tests := []struct {
		name   string
		s      Secret
		author [32]byte
		index  uint64
		aad    []byte
		ct     []byte
	}{
		{"wrong index", s, author, 4, aad, ct[5]},
		{"wrong author", s, [32]byte{8}, 5, aad, ct[5]},
		{"wrong secret", mustSecret(t), author, 5, aad, ct[5]},
		{"wrong aad", s, author, 5, []byte("headex"), ct[5]},
		{"tampered", s, author, 5, aad, bad(ct[5])},
		{"short", s, author, 5, aad, ct[5][:TagSize-1]},
		{"empty", s, author, 5, aad, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := reader.Open(tt.s, tt.author, tt.index, tt.aad, tt.ct); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open() = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestChainNextIsHMAC(t *testing.T) {
	for _, ck := range [][32]byte{{}, vectorSecret, {0xff, 1, 2}} {
		m := hmac.New(sha256.New, ck[:])
		m.Write([]byte{0x02})
		if got, want := chainNext(ck), m.Sum(nil); !bytes.Equal(got[:], want) {
			t.Errorf("chainNext(%x) = %x, want HMAC-SHA256 %x", ck, got, want)
		}
	}
}

func TestChainsCache(t *testing.T) {
	c := NewChains(2)
	s := mustSecret(t)
	for a := range byte(5) {
		if _, err := c.Seal(s, [32]byte{a}, 3, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.lru.Len(); n != 2 || len(c.m) != 2 {
		t.Fatalf("cache holds %d chains (map %d), want 2", n, len(c.m))
	}
	for _, a := range []byte{3, 4} {
		e, ok := c.m[chainKey{s, [32]byte{a}, 0}]
		if !ok || e.Value.(*chainState).high.index != 3 {
			t.Fatalf("author %d not cached at index 3", a)
		}
	}
	// An earlier index does not move the cached point back.
	if _, err := c.Seal(s, [32]byte{4}, 1, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := c.m[chainKey{s, [32]byte{4}, 0}].Value.(*chainState).high.index; got != 3 {
		t.Fatalf("cached index after an earlier open = %d, want 3", got)
	}
}

func TestChainBlocks(t *testing.T) {
	s := mustSecret(t)
	author := [32]byte{1}
	c := NewChains(0)
	// Index n is step n mod ChainBlock of block n / ChainBlock's chain, so
	// any seq is a few thousand steps at most from a chain's start.
	tests := []struct {
		seq   uint64
		block uint64
		step  int
	}{
		{0, 0, 0},
		{ChainBlock - 1, 0, ChainBlock - 1},
		{ChainBlock, 1, 0},
		{5*ChainBlock + 3, 5, 3},
		{1<<64 - 1, (1<<64 - 1) / ChainBlock, ChainBlock - 1},
	}
	for _, tt := range tests {
		ck := chainStart(s, author, tt.block)
		for range tt.step {
			ck = chainNext(ck)
		}
		wantKey, _ := messageMaterial(ck)
		key, _, err := c.messageKey(s, author, tt.seq)
		if err != nil || key != wantKey {
			t.Errorf("seq %d: key %x, %v; want block %d step %d: %x", tt.seq, key, err, tt.block, tt.step, wantKey)
		}
	}
	if chainStart(s, author, 0) == chainStart(s, author, 1) {
		t.Fatal("blocks 0 and 1 share a chain")
	}
}

func TestChainsCheckpoints(t *testing.T) {
	s := mustSecret(t)
	author := [32]byte{9}
	const n = ChainBlock - 1
	// The reference: MK(i) for every i, walking the chain once.
	want := make([][32]byte, n+1)
	ck := chainStart(s, author, 0)
	for i := range want {
		want[i], _ = messageMaterial(ck)
		ck = chainNext(ck)
	}
	check := func(c *Chains) {
		t.Helper()
		st := c.m[chainKey{s, author, 0}].Value.(*chainState)
		if len(st.checkpoints) > maxCheckpoints {
			t.Fatalf("%d checkpoints, limit %d", len(st.checkpoints), maxCheckpoints)
		}
		for i, p := range st.checkpoints {
			if p.index%st.spacing != 0 || p.index >= st.high.index || (i > 0 && p.index <= st.checkpoints[i-1].index) {
				t.Fatalf("checkpoint %d at %d: spacing %d, high %d", i, p.index, st.spacing, st.high.index)
			}
		}
	}
	c := NewChains(0)
	for k, i := range rand.New(rand.NewPCG(1, 2)).Perm(n + 1) {
		key, _, err := c.messageKey(s, author, uint64(i))
		if err != nil || key != want[i] {
			t.Fatalf("open %d: MK(%d) = %x, %v, want %x", k, i, key, err, want[i])
		}
		if k%100 == 0 {
			check(c)
		}
	}
	check(c)
	// One long walk keeps its checkpoints bounded too.
	c = NewChains(0)
	if _, _, err := c.messageKey(s, author, ChainBlock-1); err != nil {
		t.Fatal(err)
	}
	check(c)
	if st := c.m[chainKey{s, author, 0}].Value.(*chainState); len(st.checkpoints) < maxCheckpoints/2 {
		t.Errorf("a walk of 200000 steps kept %d checkpoints", len(st.checkpoints))
	}
	for _, i := range []uint64{n, 3, 0, 2 * n, 1} {
		if key, _, err := c.messageKey(s, author, i); err != nil || (i <= n && key != want[i]) {
			t.Errorf("MK(%d) after the walk = %x, %v", i, key, err)
		}
	}
}

func TestChainsConcurrent(t *testing.T) {
	s := mustSecret(t)
	authors := [][32]byte{{1}, {2}, {3}}
	want := map[[2]uint64][]byte{}
	ref := NewChains(0)
	for a := range authors {
		for i := uint64(1); i <= 40; i++ {
			c, err := ref.Seal(s, authors[a], i, nil, []byte{byte(a), byte(i)})
			if err != nil {
				t.Fatal(err)
			}
			want[[2]uint64{uint64(a), i}] = c
		}
	}
	c := NewChains(2) // fewer chains than authors: eviction under contention
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range 120 {
				a := (g + k) % len(authors)
				i := uint64((k*7+g*13)%40 + 1)
				got, err := c.Open(s, authors[a], i, nil, want[[2]uint64{uint64(a), i}])
				if err != nil || !bytes.Equal(got, []byte{byte(a), byte(i)}) {
					errs <- fmt.Errorf("Open(author %d, %d) = %x, %v", a, i, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSealWith(t *testing.T) {
	s := mustSecret(t)
	aad := []byte("entry header")
	ct, err := SealWith(s, "meta", aad, []byte("group name"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := OpenWith(s, "meta", aad, ct); err != nil || string(got) != "group name" {
		t.Fatalf("OpenWith() = %q, %v", got, err)
	}
	ct2, err := SealWith(s, "meta", []byte("entry headex"), []byte("group name"))
	if err != nil || bytes.Equal(ct, ct2) {
		t.Fatalf("SealWith with another aad gave the same ciphertext (err %v)", err)
	}
	tampered := bytes.Clone(ct)
	tampered[0] ^= 1
	tests := []struct {
		name  string
		s     Secret
		label string
		aad   []byte
		ct    []byte
		want  error
	}{
		{"wrong label", s, "bundle", aad, ct, ErrDecrypt},
		{"label prefix", s, "met", aad, ct, ErrDecrypt},
		{"wrong aad", s, "meta", []byte("entry headex"), ct, ErrDecrypt},
		{"another label", s, "meta\x01", aad, ct, ErrDecrypt},
		{"wrong secret", mustSecret(t), "meta", aad, ct, ErrDecrypt},
		{"tampered", s, "meta", aad, tampered, ErrDecrypt},
		{"short", s, "meta", aad, ct[:15], ErrDecrypt},
		{"empty label", s, "", aad, ct, ErrMalformed},
		{"NUL in label", s, "me\x00ta", aad, ct, ErrMalformed},
		{"long label", s, string(make([]byte, MaxLabel+1)), aad, ct, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := OpenWith(tt.s, tt.label, tt.aad, tt.ct); !errors.Is(err, tt.want) {
				t.Fatalf("OpenWith() = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := SealWith(s, "", nil, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("SealWith(empty label) = %v, want ErrMalformed", err)
	}
}

var (
	created = time.UnixMilli(1_767_225_600_000) // 2026-01-01 00:00:00 UTC
	week    = 7 * 24 * time.Hour
)

func TestPrekeyRecord(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	p := mustPrekey(t)
	r, err := SignPrekey(priv, p.Public, created, created.Add(week))
	if err != nil {
		t.Fatal(err)
	}
	b := r.Encode()
	if len(b) != PrekeyRecordSize {
		t.Fatalf("Encode() is %d bytes, want %d", len(b), PrekeyRecordSize)
	}
	got, err := ParsePrekey(b, created)
	if err != nil || *got != *r {
		t.Fatalf("ParsePrekey(Encode()) = %+v, %v, want %+v", got, err, r)
	}
	if got.ID() != p.ID() {
		t.Fatalf("record ID %x, prekey ID %x", got.ID(), p.ID())
	}
	resign := func(f func(r *PrekeyRecord)) []byte {
		r := *r
		f(&r)
		enc := r.Encode()
		copy(r.Sig[:], ed25519.Sign(priv, signed(enc)))
		return r.Encode()
	}
	edit := func(i int, v byte) []byte { c := bytes.Clone(b); c[i] ^= v; return c }
	ms := func(d time.Duration) uint64 { return uint64(d.Milliseconds()) }
	tests := []struct {
		name string
		b    []byte
		now  time.Time
		want error
	}{
		{"ok", b, created, nil},
		{"expired is parsed", b, created.Add(30 * week), nil},
		{"created within skew", b, created.Add(-MaxClockSkew), nil},
		{"created in the future", b, created.Add(-MaxClockSkew - time.Millisecond), ErrMalformed},
		{"before 1970", b, time.UnixMilli(-1), ErrMalformed},
		{"zero time: no clock check", b, time.Time{}, nil},
		{"short", b[:PrekeyRecordSize-1], created, ErrMalformed},
		{"long", append(bytes.Clone(b), 0), created, ErrMalformed},
		{"empty", nil, created, ErrMalformed},
		{"version", edit(0, 3), created, ErrMalformed},
		{"account", edit(1, 1), created, ErrBadSignature},
		{"public", edit(40, 1), created, ErrBadSignature},
		{"created", edit(72, 1), created, ErrBadSignature},
		{"expires", edit(80, 1), created, ErrBadSignature},
		{"signature", edit(100, 1), created, ErrBadSignature},
		{"lifetime 30 days", resign(func(r *PrekeyRecord) { r.Expires = r.Created + ms(MaxPrekeyLifetime) }), created, nil},
		{"lifetime over 30 days", resign(func(r *PrekeyRecord) { r.Expires = r.Created + ms(MaxPrekeyLifetime) + 1 }), created, ErrMalformed},
		{"expires at created", resign(func(r *PrekeyRecord) { r.Expires = r.Created }), created, ErrMalformed},
		{"expires before created", resign(func(r *PrekeyRecord) { r.Expires = r.Created - 1 }), created, ErrMalformed},
		{"low-order key", resign(func(r *PrekeyRecord) { r.Public = [32]byte{} }), created, ErrMalformed},
		{"low-order key 1", resign(func(r *PrekeyRecord) { r.Public = [32]byte{1} }), created, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParsePrekey(tt.b, tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("ParsePrekey() = %v, want %v", err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{{created, false}, {created.Add(week - time.Millisecond), false}, {created.Add(week), true}, {time.UnixMilli(-5), false}} {
		if got := r.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
	signTests := []struct {
		name             string
		priv             ed25519.PrivateKey
		pub              [32]byte
		created, expires time.Time
	}{
		{"short key", priv[:32], p.Public, created, created.Add(week)},
		{"expires first", priv, p.Public, created, created},
		{"too long", priv, p.Public, created, created.Add(MaxPrekeyLifetime + time.Millisecond)},
		{"before 1970", priv, p.Public, time.UnixMilli(-1), created},
		{"low-order key", priv, [32]byte{}, created, created.Add(week)},
	}
	for _, tt := range signTests {
		if _, err := SignPrekey(tt.priv, tt.pub, tt.created, tt.expires); !errors.Is(err, ErrMalformed) {
			t.Errorf("SignPrekey(%s) = %v, want ErrMalformed", tt.name, err)
		}
	}
}

func epochs(t testing.TB, n int) []Epoch {
	es := make([]Epoch, n)
	for i := range es {
		es[i].Secret = mustSecret(t)
		es[i].ID = es[i].Secret.ID()
	}
	return es
}

func TestBundle(t *testing.T) {
	for _, n := range []int{0, 1, 3, MaxBundle} {
		es := epochs(t, n)
		b, err := EncodeBundle(es)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 1+48*n {
			t.Fatalf("EncodeBundle(%d epochs) is %d bytes", n, len(b))
		}
		got, err := DecodeBundle(b)
		if err != nil || len(got) != n {
			t.Fatalf("DecodeBundle(%d epochs) = %d, %v", n, len(got), err)
		}
		for i := range es {
			if got[i] != es[i] {
				t.Fatalf("epoch %d = %x, want %x", i, got[i], es[i])
			}
		}
	}
	es := epochs(t, 3)
	good, _ := EncodeBundle(es)
	dup := append(append([]Epoch{}, es...), es[1])
	wrongID := append([]Epoch{}, es...)
	wrongID[2].ID[0] ^= 1
	tests := []struct {
		name string
		es   []Epoch
		b    []byte
	}{
		{"empty", nil, []byte{}},
		{"duplicate", dup, append(append([]byte{4}, good[1:]...), good[1+48:1+96]...)},
		{"wrong ID", wrongID, func() []byte { c := bytes.Clone(good); c[1+96] ^= 1; return c }()},
		{"too many", epochs(t, MaxBundle+1), append([]byte{MaxBundle + 1}, make([]byte, 48*(MaxBundle+1))...)},
		{"short", nil, good[:len(good)-1]},
		{"long", nil, append(bytes.Clone(good), 0)},
		{"count too high", nil, append([]byte{4}, good[1:]...)},
		{"count too low", nil, append([]byte{2}, good[1:]...)},
		{"count 255", nil, []byte{255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.es != nil {
				if _, err := EncodeBundle(tt.es); !errors.Is(err, ErrMalformed) {
					t.Errorf("EncodeBundle() = %v, want ErrMalformed", err)
				}
			}
			if _, err := DecodeBundle(tt.b); !errors.Is(err, ErrMalformed) {
				t.Errorf("DecodeBundle() = %v, want ErrMalformed", err)
			}
		})
	}
}
