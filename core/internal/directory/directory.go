package directory

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/store"
)

// DefaultMaxAccounts is the most accounts a Directory holds by default: as
// many as a relay's name registry holds names (names.DefaultLimits).
const DefaultMaxAccounts = 100_000

// Errors of a Directory.
var (
	// ErrFull means the directory holds MaxAccounts accounts and takes no
	// new one.
	ErrFull = errors.New("directory: full")
	// ErrNotHeld means a name record is not the claim the relay's registry
	// holds for its name.
	ErrNotHeld = errors.New("directory: name record is not the claim held here")
	// ErrNotProfile means a published entry is not a full profile entry.
	ErrNotProfile = errors.New("directory: not a profile entry")
)

// Holds reports which account's claim on name the relay's registry holds
// now (names.Registry.Holds).
type Holds func(name string) (entry.Key, bool)

// Directory is a relay's index of the accounts it knows: for each, its
// name record and its latest profile entry, persisted in a store.KV and
// indexed in memory by trigram for substring search. It holds only
// accounts whose claim its registry holds (Holds), at most max of them,
// and one profile entry each. It is safe for concurrent use. It does not
// own its KV.
type Directory struct {
	kv    store.KV
	holds Holds // nil: every valid record counts (tests)
	max   int

	mu     sync.RWMutex
	ids    map[entry.Key]uint32 // account → doc
	byName map[string]uint32    // name → doc
	docs   []doc                // by id; a free doc has an empty name
	free   []uint32             // ids of free docs
	grams  map[uint64][]uint32  // trigram of a text → ascending doc ids
	ngrams map[uint64][]uint32  // trigram of a name → ascending doc ids
}

// doc is one account in the index.
type doc struct {
	account entry.Key
	name    string
	updated uint64 // the record's Updated
	seq     uint64 // the profile entry's seq; 0 without one
	text    string // lower case: name, NUL, display name, NUL, bio
}

// Rows, within the Directory's KV:
//
//	r <account>   name record: Updated (8), name length (1), name, the record as signed
//	p <account>   profile entry, as signed (seq, display name and bio are read from it)
const (
	rowRecord  = 'r'
	rowProfile = 'p'
)

// recordUpdatedEnd is where the Updated field of a name record ends: it
// follows the version, the account key, the nonce and Created.
const recordUpdatedEnd = 1 + 32 + 8 + 8 + 8

func row(kind byte, account entry.Key) []byte {
	return append([]byte{kind}, account[:]...)
}

// Open opens the directory kept in kv, holding at most maxAccounts
// accounts (DefaultMaxAccounts if not positive), and builds its index.
// Rows of accounts whose claim holds no longer names are dropped.
func Open(kv store.KV, maxAccounts int, holds Holds) (*Directory, error) {
	if maxAccounts <= 0 {
		maxAccounts = DefaultMaxAccounts
	}
	d := &Directory{
		kv: kv, holds: holds, max: maxAccounts,
		ids: make(map[entry.Key]uint32), byName: make(map[string]uint32),
		grams: make(map[uint64][]uint32), ngrams: make(map[uint64][]uint32),
	}
	var dead store.Batch
	it := kv.Find([]byte{rowRecord}, []byte{rowRecord + 1}, false)
	for it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != 33 || len(v) < 10 || len(v) < 9+int(v[8]) {
			dead.Delete(bytes.Clone(k))
			continue
		}
		account := entry.Key(k[1:])
		name := string(v[9 : 9+int(v[8])])
		if !d.live(account, name) || len(d.ids) >= d.max {
			dead.Delete(bytes.Clone(k))
			dead.Delete(row(rowProfile, account))
			continue
		}
		d.place(doc{account: account, name: name, updated: binary.BigEndian.Uint64(v), text: docText(name, entry.Profile{})})
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("directory: open: %w", err)
	}
	it = kv.Find([]byte{rowProfile}, []byte{rowProfile + 1}, false)
	for it.Next() {
		k := it.Key()
		var (
			id  uint32
			ok  bool
			e   *entry.Entry
			p   entry.Profile
			err error
		)
		if len(k) == 33 {
			id, ok = d.ids[entry.Key(k[1:])]
		}
		if ok {
			e, p, err = parseStored(it.Value())
		}
		if !ok || err != nil {
			dead.Delete(bytes.Clone(k))
			continue
		}
		d.docs[id].seq, d.docs[id].text = e.Seq, docText(d.docs[id].name, p)
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("directory: open: %w", err)
	}
	if dead.Len() > 0 {
		if err := kv.Commit(&dead, false); err != nil {
			return nil, fmt.Errorf("directory: open: %w", err)
		}
	}
	for id := range d.docs {
		d.index(uint32(id))
	}
	// The lists grew by appending: give back their spare capacity.
	for _, index := range []map[uint64][]uint32{d.grams, d.ngrams} {
		for g, l := range index {
			index[g] = slices.Clone(l)
		}
	}
	return d, nil
}

// live reports whether the registry holds account's claim of name.
func (d *Directory) live(account entry.Key, name string) bool {
	if d.holds == nil {
		return true
	}
	k, ok := d.holds(name)
	return ok && k == account
}

// parseStored parses a profile entry the directory verified before it
// stored it.
func parseStored(b []byte) (*entry.Entry, entry.Profile, error) {
	e, err := entry.ParseStored(b, nil)
	if err != nil {
		return nil, entry.Profile{}, err
	}
	if e.Kind != entry.KindProfile || e.Redacted() {
		return nil, entry.Profile{}, ErrNotProfile
	}
	p, err := entry.ParseProfile(e.Body)
	return e, p, err
}

// docText is what a search looks in: the name, the display name and the
// bio in lower case, separated by NUL, which no query has.
func docText(name string, p entry.Profile) string {
	return strings.ToLower(name + "\x00" + p.DisplayName + "\x00" + p.Bio)
}

// Len returns the number of accounts held.
func (d *Directory) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.ids)
}

// AddRecord takes a name record the relay's registry stored: it decodes
// and verifies it, and keeps it as its account's record if the registry
// holds that claim and it is the account's latest. A record of a name the
// directory held for another account replaces that account, whose claim
// the registry no longer holds.
func (d *Directory) AddRecord(value []byte) error {
	// A record no newer than the one held is skipped before the costly
	// checks: a relay offers every claim it holds at each start.
	if len(value) >= recordUpdatedEnd && value[0] == names.Version {
		d.mu.RLock()
		id, ok := d.ids[entry.Key(value[1:33])]
		skip := ok && d.docs[id].updated >= binary.BigEndian.Uint64(value[recordUpdatedEnd-8:])
		d.mu.RUnlock()
		if skip {
			return nil
		}
	}
	r, err := names.Decode(value)
	if err != nil {
		return err
	}
	if !d.live(r.Account, r.Name) {
		return fmt.Errorf("%w: %q by %s", ErrNotHeld, r.Name, r.Account.Short())
	}
	return d.putRecord(r.Account, r.Name, r.Updated, value)
}

// putRecord stores a verified record's row and indexes it.
func (d *Directory) putRecord(account entry.Key, name string, updated uint64, value []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b store.Batch
	id, known := d.ids[account]
	if known && d.docs[id].updated >= updated {
		return nil
	}
	other, taken := d.byName[name]
	if taken && d.docs[other].account != account {
		b.Delete(row(rowRecord, d.docs[other].account))
		b.Delete(row(rowProfile, d.docs[other].account))
	} else {
		taken = false
	}
	if !known && !taken && len(d.ids) >= d.max {
		return fmt.Errorf("%w: %d accounts", ErrFull, len(d.ids))
	}
	v := make([]byte, 0, 9+len(name)+len(value))
	v = binary.BigEndian.AppendUint64(v, updated)
	v = append(append(append(v, byte(len(name))), name...), value...)
	b.Put(row(rowRecord, account), v)
	if err := d.kv.Commit(&b, false); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if taken {
		d.remove(other)
	}
	if !known {
		d.add(doc{account: account, name: name, updated: updated})
		return nil
	}
	dc := d.docs[id]
	dc.updated = updated
	if dc.name != name {
		d.unindex(id)
		delete(d.byName, dc.name)
		old := dc.text
		dc.text = strings.ToLower(name) + old[strings.IndexByte(old, 0):]
		dc.name = name
		d.byName[name] = id
		d.docs[id] = dc
		d.index(id)
		return nil
	}
	d.docs[id] = dc
	return nil
}

// Publish takes a profile entry a client sent: it keeps it if it is a
// valid, signed, full profile entry of an account whose record the
// directory holds, newer (higher seq) than the one it holds.
func (d *Directory) Publish(b []byte) (Status, error) {
	if len(b) > MaxProfileEntry {
		return StatusInvalid, fmt.Errorf("%w: %d bytes, limit %d", ErrNotProfile, len(b), MaxProfileEntry)
	}
	e, err := entry.Decode(b)
	if err != nil {
		return StatusInvalid, err
	}
	if e.Kind != entry.KindProfile || e.Redacted() {
		return StatusInvalid, fmt.Errorf("%w: %s entry", ErrNotProfile, e.Kind)
	}
	p, err := entry.ParseProfile(e.Body)
	if err != nil {
		return StatusInvalid, err
	}
	d.mu.RLock()
	id, ok := d.ids[e.Author]
	var name string
	if ok {
		name = d.docs[id].name
	}
	d.mu.RUnlock()
	if !ok || !d.live(e.Author, name) {
		return StatusUnknown, nil
	}
	return d.putProfile(e.Author, e.Seq, e.Bytes(), p)
}

// putProfile stores a verified profile entry of account at seq, and
// indexes it, if it is newer than the one held.
func (d *Directory) putProfile(account entry.Key, seq uint64, raw []byte, p entry.Profile) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.ids[account]
	if !ok {
		return StatusUnknown, nil
	}
	if d.docs[id].seq >= seq {
		return StatusStale, nil
	}
	var batch store.Batch
	batch.Put(row(rowProfile, account), raw)
	if err := d.kv.Commit(&batch, false); err != nil {
		return StatusInvalid, fmt.Errorf("directory: %w", err)
	}
	d.unindex(id)
	dc := d.docs[id]
	dc.seq, dc.text = seq, docText(dc.name, p)
	d.docs[id] = dc
	d.index(id)
	return StatusOK, nil
}

// Search returns up to limit accounts whose name, display name or bio
// contains query, ignoring case: those whose name is the query first, then
// those whose name starts with it, then other names, then display names
// and bios; by name within each. Accounts whose claim the registry no
// longer holds are dropped on the way.
func (d *Directory) Search(query string, limit int) ([]Raw, error) {
	if err := CheckQuery(query, limit); err != nil {
		return nil, err
	}
	q := strings.ToLower(query)
	for range 4 {
		top := d.top(q, limit)
		out := make([]Raw, 0, len(top))
		var gone []entry.Key
		for _, h := range top {
			if !d.live(h.account, h.name) {
				gone = append(gone, h.account)
				continue
			}
			r, ok := d.raw(h.account)
			if ok {
				out = append(out, r)
			}
		}
		if len(gone) == 0 {
			return out, nil
		}
		d.drop(gone)
	}
	return nil, errors.New("directory: search: claims keep lapsing")
}

// hit is a match of a search.
type hit struct {
	score   int
	name    string
	account entry.Key
}

func (h hit) less(o hit) bool {
	return h.score < o.score || h.score == o.score && h.name < o.name
}

// top returns the best limit matches of q, already lower case. Names are
// searched first, and for a query of one or two characters names that
// start with it before them: when limit names match, no display name or
// bio can rank above them, and the texts are not searched.
func (d *Directory) top(q string, limit int) []hit {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if len(q) < 3 {
		r := ranker{d: d, q: q, limit: limit, names: true}
		for _, id := range d.ngrams[prefixKey(q)] {
			r.consider(id)
		}
		if len(r.top) == limit {
			return r.top
		}
	}
	if top := d.match(q, limit, true); len(top) == limit {
		return top
	}
	return d.match(q, limit, false)
}

// ranker keeps the best limit matches of q among the accounts it is
// shown, in the names only or in the whole texts.
type ranker struct {
	d     *Directory
	q     string
	limit int
	names bool
	top   []hit
}

// consider ranks doc id. d.mu is held.
func (r *ranker) consider(id uint32) {
	dc := &r.d.docs[id]
	in := dc.text
	if r.names {
		in = dc.name
	}
	i := strings.Index(in, r.q)
	if i < 0 {
		return
	}
	h := hit{score: 3, name: dc.name, account: dc.account}
	switch {
	case len(r.q) == len(dc.name) && i == 0:
		h.score = 0
	case i == 0:
		h.score = 1
	case i+len(r.q) <= len(dc.name):
		h.score = 2
	}
	if len(r.top) == r.limit && !h.less(r.top[r.limit-1]) {
		return
	}
	at, _ := slices.BinarySearchFunc(r.top, h, func(a, b hit) int {
		if a.less(b) {
			return -1
		}
		if b.less(a) {
			return 1
		}
		return 0
	})
	r.top = slices.Insert(r.top, at, h)
	if len(r.top) > r.limit {
		r.top = r.top[:r.limit]
	}
}

// match returns the best limit matches of q in the names only, or in the
// whole texts. d.mu is held.
func (d *Directory) match(q string, limit int, names bool) []hit {
	r := ranker{d: d, q: q, limit: limit, names: names}
	gs := grams(q)
	if len(gs) == 0 { // under 3 characters: look at every account
		for id := range d.docs {
			if d.docs[id].name != "" {
				r.consider(uint32(id))
			}
		}
		return r.top
	}
	index := d.grams
	if names {
		index = d.ngrams
	}
	lists := make([][]uint32, 0, len(gs))
	for _, g := range gs {
		l := index[g]
		if len(l) == 0 {
			return nil
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []uint32) int { return len(a) - len(b) })
	cand := lists[0]
	for _, l := range lists[1:] {
		if len(cand) <= 16 { // checking the few left beats intersecting
			break
		}
		cand = intersect(cand, l)
		if len(cand) == 0 {
			return nil
		}
	}
	for _, id := range cand {
		r.consider(id)
	}
	return r.top
}

// intersect returns the ids of a that are in b, both ascending, in a new
// slice. It looks each one up in b when b is much longer.
func intersect(a, b []uint32) []uint32 {
	var out []uint32
	if len(b) > 8*len(a) {
		for _, x := range a {
			i, found := slices.BinarySearch(b, x)
			if found {
				out = append(out, x)
			}
			b = b[i:]
		}
		return out
	}
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			out = append(out, a[0])
			a, b = a[1:], b[1:]
		}
	}
	return out
}

// Record returns the name record the directory holds for account, as
// signed, if it holds the account.
func (d *Directory) Record(account entry.Key) ([]byte, bool) {
	r, ok := d.raw(account)
	if !ok {
		return nil, false
	}
	return bytes.Clone(r.Record), true
}

// raw reads account's record and profile entry as stored.
func (d *Directory) raw(account entry.Key) (Raw, bool) {
	v, err := d.kv.Get(row(rowRecord, account))
	if err != nil || len(v) < 9 || len(v) < 9+int(v[8]) {
		return Raw{}, false
	}
	r := Raw{Record: v[9+int(v[8]):]}
	if e, err := d.kv.Get(row(rowProfile, account)); err == nil {
		r.Entry = e
	}
	return r, true
}

// drop removes accounts whose claim lapsed.
func (d *Directory) drop(accounts []entry.Key) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b store.Batch
	for _, a := range accounts {
		b.Delete(row(rowRecord, a))
		b.Delete(row(rowProfile, a))
	}
	if d.kv.Commit(&b, false) != nil {
		return
	}
	for _, a := range accounts {
		if id, ok := d.ids[a]; ok {
			d.remove(id)
		}
	}
}

// add indexes a new account. d.mu is held.
func (d *Directory) add(dc doc) {
	if dc.text == "" {
		dc.text = docText(dc.name, entry.Profile{})
	}
	d.index(d.place(dc))
}

// place gives a new account a doc, without indexing it. d.mu is held (or
// d is not shared yet).
func (d *Directory) place(dc doc) uint32 {
	var id uint32
	if n := len(d.free); n > 0 {
		id, d.free = d.free[n-1], d.free[:n-1]
		d.docs[id] = dc
	} else {
		id = uint32(len(d.docs))
		d.docs = append(d.docs, dc)
	}
	d.ids[dc.account] = id
	d.byName[dc.name] = id
	return id
}

// remove forgets an account. d.mu is held.
func (d *Directory) remove(id uint32) {
	d.unindex(id)
	dc := d.docs[id]
	delete(d.ids, dc.account)
	if d.byName[dc.name] == id {
		delete(d.byName, dc.name)
	}
	d.docs[id] = doc{}
	d.free = append(d.free, id)
}

// index adds doc id to the posting lists of its text's and its name's
// trigrams. d.mu is held.
func (d *Directory) index(id uint32) {
	post(d.grams, grams(d.docs[id].text), id)
	post(d.ngrams, nameKeys(d.docs[id].name), id)
}

// unindex removes doc id from the posting lists of its text's and its
// name's trigrams. d.mu is held.
func (d *Directory) unindex(id uint32) {
	unpost(d.grams, grams(d.docs[id].text), id)
	unpost(d.ngrams, nameKeys(d.docs[id].name), id)
}

// nameKeys returns the keys of a name in the name index: its trigrams, and
// its prefixes of one and two bytes (prefixKey).
func nameKeys(name string) []uint64 {
	ks := grams(name)
	for n := 1; n <= 2 && n <= len(name); n++ {
		ks = append(ks, prefixKey(name[:n]))
	}
	return ks
}

// prefixKey returns the key of names that start with p, of one or two
// bytes, in the name index: the top bit set, which no trigram has, then
// p's length and bytes.
func prefixKey(p string) uint64 {
	k := uint64(1)<<63 | uint64(len(p))<<56
	for i := 0; i < len(p) && i < 2; i++ {
		k |= uint64(p[i]) << (8 * i)
	}
	return k
}

// post adds id to the list of each of gs in index.
func post(index map[uint64][]uint32, gs []uint64, id uint32) {
	for _, g := range gs {
		l := index[g]
		if n := len(l); n == 0 || l[n-1] < id {
			index[g] = append(l, id)
			continue
		}
		at, found := slices.BinarySearch(l, id)
		if !found {
			index[g] = slices.Insert(l, at, id)
		}
	}
}

// unpost removes id from the list of each of gs in index.
func unpost(index map[uint64][]uint32, gs []uint64, id uint32) {
	for _, g := range gs {
		l := index[g]
		if at, found := slices.BinarySearch(l, id); found {
			l = slices.Delete(l, at, at+1)
			if len(l) == 0 {
				delete(index, g)
			} else {
				index[g] = l
			}
		}
	}
}

// grams returns the distinct trigrams of s, three code points each packed
// in 63 bits, sorted; none for a string under three code points.
func grams(s string) []uint64 {
	var (
		out    []uint64
		r0, r1 uint64
		n      int
	)
	for _, r := range s {
		g := r0<<42 | r1<<21 | uint64(r)
		r0, r1 = r1, uint64(r)
		if n++; n >= 3 {
			out = append(out, g&(1<<63-1))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
