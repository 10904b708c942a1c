package names

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
	"github.com/libp2p/go-libp2p-kad-dht/records"
	record "github.com/libp2p/go-libp2p-record"

	"github.com/skein-p2p/skein/core/internal/store"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// serverStore is the value store of a DHT server as kad-dht builds it,
// over a Registry: the code that runs on a relay.
type serverStore struct {
	t     *testing.T
	reg   *Registry
	vs    *records.ValueStore
	clock *testClock
}

func newServerStore(t *testing.T, kv store.KV, limits Limits, clock *testClock) *serverStore {
	t.Helper()
	reg, err := openRegistry(kv, limits, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	v := record.NamespacedValidator{Namespace: testValidator}
	return &serverStore{t: t, reg: reg, vs: records.NewValueStore(reg, v, reg.limits.Lifetime), clock: clock}
}

// put stores value under name's key as a PUT_VALUE from a peer would.
func (s *serverStore) put(name string, value []byte) error {
	return s.vs.Put(context.Background(), Key(name), record.MakePutRecord(Key(name), value))
}

// get returns the value the server serves for name, or nil.
func (s *serverStore) get(name string) []byte {
	s.t.Helper()
	rec, err := s.vs.Get(context.Background(), Key(name))
	if err != nil {
		s.t.Fatalf("Get(%s) error = %v", name, err)
	}
	return rec.GetValue()
}

// signedAt returns seed's record for name with the given times.
func signedAt(t testing.TB, seed byte, name string, created, updated uint64) []byte {
	return claimBy(t, seed, name, created, updated)
}

// TestRegistryFirstClaimHolds runs the attacks of issue 10 against a
// server's value store: a claim by another key never replaces the one held,
// whatever its Created says, while the holder updates its own.
func TestRegistryFirstClaimHolds(t *testing.T) {
	const h = 3600 * 1000
	// mallory's key is the smaller one: it would win a bytewise tie.
	alice, mallory := byte(1), byte(2)
	if ka, km := keyOf(alice), keyOf(mallory); bytes.Compare(km[:], ka[:]) > 0 {
		alice, mallory = mallory, alice
	}
	s := newServerStore(t, store.NewMemory(), Limits{}, &testClock{t: testNow})
	held := signedAt(t, alice, "alice", t0, t0)
	if err := s.put("alice", held); err != nil {
		t.Fatalf("first claim: %v", err)
	}
	attacks := []struct {
		name  string
		value []byte
	}{
		{"back-dated claim", signedAt(t, mallory, "alice", 1, 2)},
		{"same Created, smaller key", signedAt(t, mallory, "alice", t0, t0)},
		{"same Created, later update", signedAt(t, mallory, "alice", t0, t0+5*h)},
		{"later claim", signedAt(t, mallory, "alice", t0+h, t0+h)},
	}
	for _, tt := range attacks {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.put("alice", tt.value); !errors.Is(err, ErrClaimed) {
				t.Errorf("put() = %v, want %v", err, ErrClaimed)
			}
			if got := s.get("alice"); !bytes.Equal(got, held) {
				t.Errorf("served %s, want the held claim", describe(got))
			}
		})
	}
	update := signedAt(t, alice, "alice", t0, t0+h)
	if err := s.put("alice", update); err != nil {
		t.Fatalf("update by the holder: %v", err)
	}
	if got := s.get("alice"); !bytes.Equal(got, update) {
		t.Errorf("served %s after the update, want it", describe(got))
	}
	if got, ok := s.reg.Record("alice"); !ok || !bytes.Equal(got, update) {
		t.Errorf("Record(alice) = %s, %v; want the update", describe(got), ok)
	}
	if got, ok := s.reg.Record("bob"); ok {
		t.Errorf("Record(bob) = %s, want none", describe(got))
	}
	if err := s.put("alice", held); !errors.Is(err, records.ErrOldRecord) {
		t.Errorf("put(older record of the holder) = %v, want %v", err, records.ErrOldRecord)
	}
	if n, _ := s.reg.Len(); n != 1 {
		t.Errorf("Len() = %d names, want 1", n)
	}
}

// TestRegistryRefusesInvalid: the value store validates before the
// registry stores: low work, a small-order key, a bad signature.
func TestRegistryRefusesInvalid(t *testing.T) {
	s := newServerStore(t, store.NewMemory(), Limits{}, &testClock{t: testNow})
	bad := mustSign(t, account(1), baseRecord(t))
	bad[len(bad)-1] ^= 1
	for _, tt := range []struct {
		name  string
		value []byte
		want  error
	}{
		{"low work", signRaw(account(1), baseRecord(t)), ErrNoWork},
		{"small-order key", smallOrderRecord(t), ErrBadSignature},
		{"bad signature", bad, ErrBadSignature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.put("alice", tt.value); !errors.Is(err, tt.want) {
				t.Errorf("put() = %v, want %v", err, tt.want)
			}
		})
	}
	if n, _ := s.reg.Len(); n != 0 {
		t.Errorf("Len() = %d names, want 0", n)
	}
	// Writes that kad-dht would never make are refused too.
	ctx := context.Background()
	good := mustSign(t, account(1), baseRecord(t))
	for _, tt := range []struct {
		name  string
		key   ds.Key
		value []byte
	}{
		{"not a record", dsKey("alice"), []byte("junk")},
		{"other key", dsKey("bob"), mustMarshal(t, "alice", good)},
		{"not a name key", ds.NewKey("/pk/abc"), mustMarshal(t, "alice", good)},
	} {
		if err := s.reg.Put(ctx, tt.key, tt.value); err == nil {
			t.Errorf("%s: Put() error = nil, want an error", tt.name)
		}
	}
}

// mustMarshal returns value as kad-dht's value store writes it for name.
func mustMarshal(t *testing.T, name string, value []byte) []byte {
	t.Helper()
	s := newServerStore(t, store.NewMemory(), Limits{}, &testClock{t: testNow})
	if err := s.put(name, value); err != nil {
		t.Fatal(err)
	}
	v, err := s.reg.Get(context.Background(), dsKey(name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRegistryLimits checks each bound with small limits: a full registry
// refuses new names and still updates the names it holds, and never evicts
// a live claim; lapsed claims make room.
func TestRegistryLimits(t *testing.T) {
	const h = 3600 * 1000
	clock := &testClock{t: testNow}
	s := newServerStore(t, store.NewMemory(), Limits{MaxNames: 3, PerAccount: 2, Lifetime: 24 * time.Hour}, clock)
	steps := []struct {
		name  string
		seed  byte
		claim string
		want  error
	}{
		{"first of an account", 1, "alice", nil},
		{"second of an account", 1, "alice2", nil},
		{"third of an account", 1, "alice3", ErrAccountLimit},
		{"another account", 2, "bob", nil},
		{"full", 3, "carol", ErrFull},
		{"full, held by another", 3, "alice", ErrClaimed},
	}
	for _, st := range steps {
		err := s.put(st.claim, signedAt(t, st.seed, st.claim, t0, t0))
		if st.want == nil && err != nil || !errors.Is(err, st.want) {
			t.Fatalf("%s: put(%s) = %v, want %v", st.name, st.claim, err, st.want)
		}
	}
	// Admit, which a Guard asks before validating a PUT, agrees.
	for _, tt := range []struct {
		claim string
		seed  byte
		want  error
	}{
		{"alice", 1, nil},
		{"alice", 3, ErrClaimed},
		{"alice3", 1, ErrAccountLimit},
		{"carol", 3, ErrFull},
	} {
		if err := s.reg.Admit(tt.claim, keyOf(tt.seed)); tt.want == nil && err != nil || !errors.Is(err, tt.want) {
			t.Errorf("Admit(%s by %d) = %v, want %v", tt.claim, tt.seed, err, tt.want)
		}
	}
	// Updates pass when full.
	if err := s.put("alice", signedAt(t, 1, "alice", t0, t0+h)); err != nil {
		t.Fatalf("update when full: %v", err)
	}
	// alice2 and bob lapse a day after their last record; alice, updated
	// 12 hours later, does not.
	clock.add(12 * time.Hour)
	if err := s.put("alice", signedAt(t, 1, "alice", t0, t0+2*h)); err != nil {
		t.Fatalf("update: %v", err)
	}
	clock.add(12*time.Hour + time.Minute)
	if _, ok := s.reg.Holds("bob"); ok {
		t.Error("Holds(bob) after its claim lapsed = true")
	}
	if got := s.get("bob"); got != nil {
		t.Errorf("served %s for a lapsed claim", describe(got))
	}
	if err := s.put("bob", signedAt(t, 3, "bob", t0, t0)); err != nil {
		t.Fatalf("claim of a lapsed name by another account: %v", err)
	}
	if err := s.put("carol", signedAt(t, 3, "carol", t0, t0)); err != nil {
		t.Fatalf("claim when a lapsed claim made room: %v", err)
	}
	if k, ok := s.reg.Holds("alice"); !ok || k != keyOf(1) {
		t.Errorf("Holds(alice) = %s, %v; want alice's key: a live claim is never evicted", k.Short(), ok)
	}
	if err := s.put("alice", signedAt(t, 3, "alice", 1, 1)); !errors.Is(err, ErrClaimed) {
		t.Errorf("put(alice by another) = %v, want %v", err, ErrClaimed)
	}

	// The byte bound.
	small := newServerStore(t, store.NewMemory(), Limits{MaxBytes: 500}, clock)
	one := signedAt(t, 1, "alice", t0, t0)
	if err := small.put("alice", one); err != nil {
		t.Fatal(err)
	}
	if _, n := small.reg.Len(); n < 250 || n > 500 {
		t.Fatalf("one record takes %d bytes: adjust the test", n)
	}
	if err := small.put("bob", signedAt(t, 2, "bob", t0, t0)); !errors.Is(err, ErrFull) {
		t.Errorf("put(bob) over MaxBytes = %v, want %v", err, ErrFull)
	}
	if err := small.put("alice", signedAt(t, 1, "alice", t0, t0+h)); err != nil {
		t.Errorf("update over MaxBytes: %v", err)
	}
}

// TestRegistryPersists: a restart must not open a takeover window, so the
// claims are kept in the KV and read back; lapsed ones are dropped on
// opening.
func TestRegistryPersists(t *testing.T) {
	dir := t.TempDir()
	clock := &testClock{t: testNow}
	limits := Limits{Lifetime: 24 * time.Hour}
	open := func() (store.KV, *serverStore) {
		kv, err := store.OpenLevelDB(dir)
		if err != nil {
			t.Fatal(err)
		}
		return kv, newServerStore(t, store.Prefix(kv, []byte("N")), limits, clock)
	}
	kv, s := open()
	aliceRec := signedAt(t, 1, "alice", t0, t0)
	for _, v := range [][]byte{aliceRec, signedAt(t, 2, "bob", t0, t0)} {
		r, _ := Decode(v)
		if err := s.put(r.Name, v); err != nil {
			t.Fatal(err)
		}
	}
	clock.add(12 * time.Hour)
	if err := s.put("alice", signedAt(t, 1, "alice", t0, t0+1)); err != nil {
		t.Fatal(err)
	}
	names, size := s.reg.Len()
	kv.Close()

	kv, s = open()
	if n, b := s.reg.Len(); n != names || b != size {
		t.Errorf("after reopening: Len() = %d, %d; want %d, %d", n, b, names, size)
	}
	if err := s.put("alice", signedAt(t, 3, "alice", 1, 1)); !errors.Is(err, ErrClaimed) {
		t.Errorf("after reopening: put(alice by another) = %v, want %v", err, ErrClaimed)
	}
	kv.Close()

	clock.add(12*time.Hour + time.Minute) // bob lapses, alice does not
	kv, s = open()
	defer kv.Close()
	if n, _ := s.reg.Len(); n != 1 {
		t.Errorf("after bob lapsed: Len() = %d names, want 1", n)
	}
	if _, ok := s.reg.Holds("bob"); ok {
		t.Error("Holds(bob) = true after it lapsed")
	}
	it := kv.Find(nil, nil, false)
	rows := 0
	for it.Next() {
		rows++
	}
	it.Close()
	if rows != 2 { // alice's claim and index rows
		t.Errorf("%d rows in the KV, want 2: a lapsed claim leaves nothing", rows)
	}
}

// TestRegistryDelete: kad-dht deletes records it finds expired; only
// lapsed claims go.
func TestRegistryDelete(t *testing.T) {
	clock := &testClock{t: testNow}
	s := newServerStore(t, store.NewMemory(), Limits{Lifetime: time.Hour}, clock)
	if err := s.put("alice", signedAt(t, 1, "alice", t0, t0)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.reg.Delete(ctx, dsKey("alice")); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.reg.Holds("alice"); !ok {
		t.Fatal("Delete() removed a live claim")
	}
	clock.add(2 * time.Hour)
	if err := s.reg.Delete(ctx, dsKey("alice")); err != nil {
		t.Fatal(err)
	}
	if n, b := s.reg.Len(); n != 0 || b != 0 {
		t.Errorf("Len() = %d, %d after deleting a lapsed claim; want 0, 0", n, b)
	}
}

// TestRegistrySweep runs kad-dht's own sweep of expired records over the
// registry: it finds the records through Query and deletes the lapsed ones.
func TestRegistrySweep(t *testing.T) {
	reg, err := OpenRegistry(store.NewMemory(), Limits{Lifetime: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	v := record.NamespacedValidator{Namespace: Validator{}}
	vs := records.NewValueStore(reg, v, 300*time.Millisecond)
	now := uint64(time.Now().UnixMilli())
	value := signedAt(t, 1, "alice", now, now)
	if err := vs.Put(context.Background(), Key("alice"), record.MakePutRecord(Key("alice"), value)); err != nil {
		t.Fatal(err)
	}
	res, err := reg.Query(context.Background(), dsq.Query{Prefix: "/" + Namespace})
	if err != nil {
		t.Fatal(err)
	}
	es, err := res.Rest()
	if err != nil || len(es) != 1 || es[0].Key != dsKey("alice").String() {
		t.Fatalf("Query() = %+v, %v; want alice's record", es, err)
	}
	vs.StartGC(context.Background(), 50*time.Millisecond)
	defer vs.Close()
	deadline := time.Now().Add(10 * time.Second)
	for n, _ := reg.Len(); n != 0; n, _ = reg.Len() {
		if time.Now().After(deadline) {
			t.Fatal("kad-dht's sweep did not remove the lapsed claim")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRegistryOnStoreEach checks the hooks of a relay's directory: OnStore
// sees each record stored, after its commit, and never a refused one; Each
// lists the latest record of every live claim.
func TestRegistryOnStoreEach(t *testing.T) {
	const h = 3600 * 1000
	clock := &testClock{t: testNow}
	s := newServerStore(t, store.NewMemory(), Limits{}, clock)
	defer s.reg.kv.Close()
	var seen [][]byte
	s.reg.OnStore(func(rec []byte) {
		if _, ok := s.reg.Holds("alice"); !ok {
			t.Error("OnStore called before the claim is held")
		}
		seen = append(seen, bytes.Clone(rec))
	})
	first := signedAt(t, 1, "alice", t0, t0+h)
	newer := signedAt(t, 1, "alice", t0, t0+2*h)
	other := signedAt(t, 2, "alice", t0, t0+3*h)
	bob := signedAt(t, 2, "bobby", t0, t0+h)
	for _, v := range [][]byte{first, newer} {
		if err := s.put("alice", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.put("alice", other); err == nil {
		t.Fatal("put(another account's alice) = nil error")
	}
	if err := s.put("bobby", bob); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || !bytes.Equal(seen[0], first) || !bytes.Equal(seen[1], newer) || !bytes.Equal(seen[2], bob) {
		t.Errorf("OnStore saw %d records, want first, newer, bobby", len(seen))
	}
	var each [][]byte
	if err := s.reg.Each(func(rec []byte) bool { each = append(each, bytes.Clone(rec)); return true }); err != nil {
		t.Fatal(err)
	}
	if len(each) != 2 || !bytes.Equal(each[0], newer) || !bytes.Equal(each[1], bob) {
		t.Errorf("Each() listed %d records, want alice's newer and bobby's", len(each))
	}
	clock.add(ClaimLifetime + time.Hour)
	each = nil
	s.reg.Each(func(rec []byte) bool { each = append(each, rec); return true })
	if len(each) != 0 {
		t.Errorf("Each() listed %d lapsed records, want none", len(each))
	}
}
