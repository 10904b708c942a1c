package names

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
	recpb "github.com/libp2p/go-libp2p-record/pb"
	"google.golang.org/protobuf/proto"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// ClaimLifetime is how long a DHT server keeps a claim after the last valid
// record of its account it stored: a name lapses only when its owner's
// devices have not published for that long. It is far longer than the 48 h
// for which kad-dht keeps a value by default, so that a device that was off
// for a few days still finds its name its own.
const ClaimLifetime = 30 * 24 * time.Hour

// Limits bound what a Registry stores. Zero fields take the values of
// DefaultLimits.
type Limits struct {
	// MaxNames is the most names held at once.
	MaxNames int
	// MaxBytes bounds the bytes of the rows holding them (each record as
	// kad-dht stores it, with its name and account).
	MaxBytes int64
	// PerAccount is the most names held for one account key.
	PerAccount int
	// Lifetime is how long a claim lasts after the last valid record of
	// its account was stored.
	Lifetime time.Duration
}

// DefaultLimits suit a relay: 100,000 names in at most 64 MiB (a typical
// record takes about 300 bytes, the largest 4.4 KB), 4 per account, and
// ClaimLifetime.
var DefaultLimits = Limits{
	MaxNames:   100_000,
	MaxBytes:   64 << 20,
	PerAccount: 4,
	Lifetime:   ClaimLifetime,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxNames > 0 {
		d.MaxNames = l.MaxNames
	}
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.PerAccount > 0 {
		d.PerAccount = l.PerAccount
	}
	if l.Lifetime > 0 {
		d.Lifetime = l.Lifetime
	}
	return d
}

// Registry is where a DHT server keeps name records: the datastore kad-dht's
// value store writes to (dht.ValueDatastore), persisted in a store.KV. It
// holds, for each name, the claim of one account, and never replaces a
// live claim with another account's record, whatever its Created says: the
// first valid claim a server stores holds the name there. Only the claiming
// account updates its record (kad-dht's value store has picked the latest
// by Validator.Select before it writes). A claim lapses Lifetime after its
// account's last record was stored; until then Get serves that record.
//
// Within its Limits, a Registry refuses new names when full, and never
// evicts a live claim to make room: eviction would reopen the name to
// anyone. Records of claims it holds are always updated.
//
// Put trusts that the value store validated the record (signature and
// work); it re-parses the record only to learn its account and name. Only
// keys made by kad-dht for names are accepted. A Registry is safe for
// concurrent use. It does not own its KV: closing the KV ends it.
type Registry struct {
	kv     store.KV
	limits Limits
	now    func() time.Time

	mu    sync.Mutex // serialises writes and guards the totals
	names int
	bytes int64
	swept time.Time // when a full registry last looked for lapsed claims

	stored atomic.Pointer[func(record []byte)] // OnStore's function
}

// OnStore makes the registry call f with each name record it stores (the
// record itself, not kad-dht's wrapping), after Put has committed it and
// outside its lock: a relay's directory learns the claims this way. f must
// not retain the record's bytes past the call unless it copies them. Only
// the last f given is called.
func (r *Registry) OnStore(f func(record []byte)) { r.stored.Store(&f) }

// Each calls f with the latest record of every live claim, in name order,
// until f returns false.
func (r *Registry) Each(f func(record []byte) bool) error {
	it := r.kv.Find([]byte{rowClaim}, []byte{rowClaim + 1}, false)
	for it.Next() {
		c, ok := decodeClaim(it.Value())
		if !ok || r.lapsed(c) {
			continue
		}
		var rec recpb.Record
		if proto.Unmarshal(c.record, &rec) != nil {
			continue
		}
		if !f(rec.GetValue()) {
			break
		}
	}
	return it.Close()
}

// sweepEvery is how often a full registry looks for lapsed claims to make
// room; kad-dht's own sweep of expired records also removes them, daily.
const sweepEvery = time.Minute

var _ ds.Batching = (*Registry)(nil)

// Registry rows, within its KV:
//
//	c <name>             claim: account (32), stored at (8, ms), kad-dht's record (protobuf)
//	a <account> <name>   index of an account's claims (empty value)
const (
	rowClaim   = 'c'
	rowAccount = 'a'
	claimHead  = 32 + 8
)

// OpenRegistry opens the registry kept in kv with limits, dropping the
// claims that lapsed while it was closed.
func OpenRegistry(kv store.KV, limits Limits) (*Registry, error) {
	return openRegistry(kv, limits, time.Now)
}

func openRegistry(kv store.KV, limits Limits, now func() time.Time) (*Registry, error) {
	r := &Registry{kv: kv, limits: limits.withDefaults(), now: now}
	var dead store.Batch
	it := kv.Find([]byte{rowClaim}, []byte{rowClaim + 1}, false)
	for it.Next() {
		c, ok := decodeClaim(it.Value())
		name := string(it.Key()[1:])
		switch {
		case !ok:
			dead.Delete(bytes.Clone(it.Key()))
		case r.lapsed(c):
			dead.Delete(bytes.Clone(it.Key()))
			dead.Delete(accountRow(c.account, name))
		default:
			r.names++
			r.bytes += rowSize(name, it.Value())
		}
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("names: open registry: %w", err)
	}
	if dead.Len() > 0 {
		if err := kv.Commit(&dead, false); err != nil {
			return nil, fmt.Errorf("names: open registry: %w", err)
		}
	}
	return r, nil
}

// heldClaim is a decoded claim row.
type heldClaim struct {
	account entry.Key
	stored  uint64 // ms since the Unix epoch
	record  []byte // kad-dht's record, as it gave it to Put
}

func decodeClaim(v []byte) (heldClaim, bool) {
	if len(v) < claimHead {
		return heldClaim{}, false
	}
	return heldClaim{
		account: entry.Key(v[:32]),
		stored:  binary.BigEndian.Uint64(v[32:40]),
		record:  v[claimHead:],
	}, true
}

func encodeClaim(c heldClaim) []byte {
	b := make([]byte, 0, claimHead+len(c.record))
	b = append(b, c.account[:]...)
	b = binary.BigEndian.AppendUint64(b, c.stored)
	return append(b, c.record...)
}

func claimRow(name string) []byte { return append([]byte{rowClaim}, name...) }

func accountRow(account entry.Key, name string) []byte {
	b := append([]byte{rowAccount}, account[:]...)
	return append(b, name...)
}

// rowSize is what a claim row, with its key, counts towards MaxBytes.
func rowSize(name string, value []byte) int64 { return int64(1 + len(name) + len(value)) }

// claimSize is the rowSize of c's row.
func claimSize(name string, c heldClaim) int64 {
	return int64(1 + len(name) + claimHead + len(c.record))
}

// lapsed reports whether c's account has not published for Lifetime.
func (r *Registry) lapsed(c heldClaim) bool {
	return r.now().Sub(time.UnixMilli(int64(c.stored))) > r.limits.Lifetime
}

// dsEncoding is how kad-dht's value store encodes a record key in a
// datastore key: "/<namespace>/" and the key in unpadded base32.
var dsEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// nameOf returns the name a datastore key of kad-dht's value store stands
// for.
func nameOf(k ds.Key) (string, error) {
	enc, ok := strings.CutPrefix(k.String(), keyPrefix)
	if !ok {
		return "", fmt.Errorf("%w: datastore key %s is not a name's", ErrWrongKey, k)
	}
	raw, err := dsEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("%w: datastore key %s: %v", ErrWrongKey, k, err)
	}
	return nameFromKey(string(raw))
}

// dsKey returns the datastore key kad-dht's value store uses for name.
func dsKey(name string) ds.Key {
	return ds.RawKey(keyPrefix + dsEncoding.EncodeToString([]byte(Key(name))))
}

// get returns name's live claim. r.mu is held.
func (r *Registry) get(name string) (heldClaim, bool, error) {
	v, err := r.kv.Get(claimRow(name))
	if errors.Is(err, store.ErrNotFound) {
		return heldClaim{}, false, nil
	}
	if err != nil {
		return heldClaim{}, false, err
	}
	c, ok := decodeClaim(v)
	if !ok || r.lapsed(c) {
		return heldClaim{}, false, nil
	}
	return c, true, nil
}

// Holds returns the account whose claim on name the registry holds, if
// any.
func (r *Registry) Holds(name string) (entry.Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok, err := r.get(name)
	if err != nil || !ok {
		return entry.Key{}, false
	}
	return c.account, true
}

// Admit says whether Put would store a record of name by account now, as
// far as the claim and the bounds go: nil for an update of the account's
// claim or a new claim within the bounds, else an error wrapping
// ErrClaimed, ErrAccountLimit or ErrFull. A Guard asks it to refuse a PUT
// before it is validated. Put checks again.
func (r *Registry) Admit(name string, account entry.Key) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, held, err := r.get(name)
	switch {
	case err != nil:
		return err
	case held && c.account == account:
		return nil
	case held:
		return fmt.Errorf("%w: %q is held by %s, not %s", ErrClaimed, name, c.account.Short(), account.Short())
	}
	if r.full(0) && r.now().Sub(r.swept) >= sweepEvery {
		if err := r.sweep(); err != nil {
			return err
		}
	}
	n, err := r.claimsOf(account)
	switch {
	case err != nil:
		return err
	case n >= r.limits.PerAccount:
		return fmt.Errorf("%w: %s holds %d names here", ErrAccountLimit, account.Short(), n)
	case r.full(0):
		return fmt.Errorf("%w: %d names, %d bytes", ErrFull, r.names, r.bytes)
	}
	return nil
}

// full reports whether the registry cannot take a new row of size bytes.
// r.mu is held.
func (r *Registry) full(size int64) bool {
	return r.names >= r.limits.MaxNames || r.bytes+size > r.limits.MaxBytes
}

// Record returns the latest record of name's live claim: the name record
// itself, not kad-dht's wrapping.
func (r *Registry) Record(name string) ([]byte, bool) {
	r.mu.Lock()
	c, ok, err := r.get(name)
	r.mu.Unlock()
	if err != nil || !ok {
		return nil, false
	}
	var rec recpb.Record
	if err := proto.Unmarshal(c.record, &rec); err != nil {
		return nil, false
	}
	return rec.GetValue(), true
}

// Len returns the number of claims held and the bytes they take.
func (r *Registry) Len() (names int, bytes int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names, r.bytes
}

// Get returns the record kad-dht stored for the key, while its claim
// lives. A lapsed claim it finds is removed.
func (r *Registry) Get(ctx context.Context, key ds.Key) ([]byte, error) {
	name, err := nameOf(key)
	if err != nil {
		return nil, ds.ErrNotFound
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok, err := r.get(name)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		var b store.Batch
		if n, size, err := r.dropLapsed(&b, name); err == nil && b.Len() > 0 && r.kv.Commit(&b, false) == nil {
			r.names -= n
			r.bytes -= size
		}
		return nil, ds.ErrNotFound
	}
	return bytes.Clone(c.record), nil
}

// Has reports whether Get would find the key.
func (r *Registry) Has(ctx context.Context, key ds.Key) (bool, error) {
	_, err := r.Get(ctx, key)
	if errors.Is(err, ds.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// GetSize returns the size of what Get would return.
func (r *Registry) GetSize(ctx context.Context, key ds.Key) (int, error) {
	v, err := r.Get(ctx, key)
	if err != nil {
		return -1, err
	}
	return len(v), nil
}

// Put stores value, a record of kad-dht's value store (a protobuf with the
// name record), under key. It returns an error wrapping ErrClaimed if
// another account's claim on the name lives, ErrAccountLimit if the
// record's account holds PerAccount names already, and ErrFull if the
// registry holds MaxNames names or MaxBytes bytes: then only names it holds
// are updated. The write is not synced: it survives a crash of the
// process, and an owner republishes within minutes after one of the
// machine.
func (r *Registry) Put(ctx context.Context, key ds.Key, value []byte) error {
	record, err := r.put(key, value)
	if err != nil {
		return err
	}
	if f := r.stored.Load(); f != nil {
		(*f)(record)
	}
	return nil
}

// put is Put without the OnStore call; it returns the name record stored.
func (r *Registry) put(key ds.Key, value []byte) ([]byte, error) {
	name, err := nameOf(key)
	if err != nil {
		return nil, err
	}
	var rec recpb.Record
	if err := proto.Unmarshal(value, &rec); err != nil {
		return nil, fmt.Errorf("%w: not a DHT record: %v", ErrMalformed, err)
	}
	if string(rec.GetKey()) != Key(name) {
		return nil, fmt.Errorf("%w: record for %q stored under %s", ErrWrongKey, rec.GetKey(), key)
	}
	nr, err := parse(rec.GetValue())
	if err != nil {
		return nil, err
	}
	if nr.Name != name {
		return nil, fmt.Errorf("%w: record for %q stored under %q", ErrWrongKey, nr.Name, Key(name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, held, err := r.get(name)
	if err != nil {
		return nil, err
	}
	if held && old.account != nr.Account {
		return nil, fmt.Errorf("%w: %q is held by %s, not %s", ErrClaimed, name, old.account.Short(), nr.Account.Short())
	}
	row := encodeClaim(heldClaim{account: nr.Account, stored: uint64(r.now().UnixMilli()), record: value})
	size := rowSize(name, row)
	var b store.Batch
	if held {
		b.Put(claimRow(name), row)
		if err := r.kv.Commit(&b, false); err != nil {
			return nil, err
		}
		r.bytes += size - claimSize(name, old)
		return rec.GetValue(), nil
	}
	// A new claim. When full, look for lapsed claims to make room, at
	// most every sweepEvery; then drop a lapsed claim left in its place.
	if r.full(size) && r.now().Sub(r.swept) >= sweepEvery {
		if err := r.sweep(); err != nil {
			return nil, err
		}
	}
	dropped, droppedSize, err := r.dropLapsed(&b, name)
	if err != nil {
		return nil, err
	}
	n, err := r.claimsOf(nr.Account)
	if err != nil {
		return nil, err
	}
	names, total := r.names-dropped, r.bytes-droppedSize
	switch {
	case n >= r.limits.PerAccount:
		return nil, fmt.Errorf("%w: %s holds %d names here", ErrAccountLimit, nr.Account.Short(), n)
	case names >= r.limits.MaxNames:
		return nil, fmt.Errorf("%w: %d names", ErrFull, names)
	case total+size > r.limits.MaxBytes:
		return nil, fmt.Errorf("%w: %d of %d bytes", ErrFull, total, r.limits.MaxBytes)
	}
	b.Put(claimRow(name), row)
	b.Put(accountRow(nr.Account, name), nil)
	if err := r.kv.Commit(&b, false); err != nil {
		return nil, err
	}
	r.names = names + 1
	r.bytes = total + size
	return rec.GetValue(), nil
}

// dropLapsed adds to b the deletion of name's claim row, which the caller
// found not live, and returns what it counted for: one name and its size,
// to take off the totals once b is committed. r.mu is held.
func (r *Registry) dropLapsed(b *store.Batch, name string) (int, int64, error) {
	v, err := r.kv.Get(claimRow(name))
	if errors.Is(err, store.ErrNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	b.Delete(claimRow(name))
	c, ok := decodeClaim(v)
	if !ok {
		return 0, 0, nil // never counted
	}
	b.Delete(accountRow(c.account, name))
	return 1, rowSize(name, v), nil
}

// sweep removes every lapsed claim. r.mu is held.
func (r *Registry) sweep() error {
	r.swept = r.now()
	var (
		b     store.Batch
		names int
		size  int64
	)
	it := r.kv.Find([]byte{rowClaim}, []byte{rowClaim + 1}, false)
	for it.Next() {
		if c, ok := decodeClaim(it.Value()); ok && r.lapsed(c) {
			name := string(it.Key()[1:])
			b.Delete(claimRow(name))
			b.Delete(accountRow(c.account, name))
			names++
			size += rowSize(name, it.Value())
		}
	}
	if err := it.Close(); err != nil || b.Len() == 0 {
		return err
	}
	if err := r.kv.Commit(&b, false); err != nil {
		return err
	}
	r.names -= names
	r.bytes -= size
	return nil
}

// claimsOf counts the live claims of account. r.mu is held.
func (r *Registry) claimsOf(account entry.Key) (int, error) {
	start := accountRow(account, "")
	it := r.kv.Find(start, accountRow(account, "\xff"), false)
	n := 0
	for it.Next() {
		if _, ok, err := r.get(string(it.Key()[len(start):])); err != nil {
			it.Close()
			return 0, err
		} else if ok {
			n++
		}
	}
	return n, it.Close()
}

// Delete removes the key's claim once it has lapsed, and does nothing
// before: kad-dht deletes the records it finds expired (its MaxRecordAge
// must be Lifetime), but only the registry says when a claim ends, so that
// nothing reopens a live claim to another account.
func (r *Registry) Delete(ctx context.Context, key ds.Key) error {
	name, err := nameOf(key)
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, held, err := r.get(name); err != nil || held {
		return err
	}
	var b store.Batch
	n, size, err := r.dropLapsed(&b, name)
	if err != nil || b.Len() == 0 {
		return err
	}
	if err := r.kv.Commit(&b, false); err != nil {
		return err
	}
	r.names -= n
	r.bytes -= size
	return nil
}

// Query lists the stored records, lapsed ones included, for kad-dht's
// sweep of expired records. It reads a snapshot, one row at a time.
func (r *Registry) Query(ctx context.Context, q dsq.Query) (dsq.Results, error) {
	it := r.kv.Find([]byte{rowClaim}, []byte{rowClaim + 1}, false)
	raw := dsq.ResultsFromIterator(q, dsq.Iterator{
		Next: func() (dsq.Result, bool) {
			for it.Next() {
				c, ok := decodeClaim(it.Value())
				if !ok {
					continue
				}
				e := dsq.Entry{Key: dsKey(string(it.Key()[1:])).String(), Size: len(c.record)}
				if !q.KeysOnly {
					e.Value = bytes.Clone(c.record)
				}
				return dsq.Result{Entry: e}, true
			}
			return dsq.Result{}, false
		},
		Close: it.Close,
	})
	return dsq.NaiveQueryApply(q, raw), nil
}

// Sync does nothing: every write is already in the KV.
func (r *Registry) Sync(ctx context.Context, prefix ds.Key) error { return nil }

// Batch returns a batch that applies its writes one by one.
func (r *Registry) Batch(ctx context.Context) (ds.Batch, error) { return ds.NewBasicBatch(r), nil }

// Close does nothing: the registry's KV is closed by its owner.
func (r *Registry) Close() error { return nil }
