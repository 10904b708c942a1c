package search

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Row kinds; doc.go has the layout.
const (
	rowPosting        = 'p'
	rowPost           = 'd'
	rowPostID         = 'k'
	rowTag            = 'h'
	rowAccountPosting = 'u'
	rowAccount        = 'A'
	rowAccountName    = 'a'
	rowState          = 'v'
	rowCount          = 'c'
	rowDirty          = 'w'
)

const (
	keyLen   = len(entry.Key{})
	docidLen = 16         // ^wall, ^logical, tiebreak
	refLen   = keyLen + 8 // author, seq
	maxStale = 1_000      // stale posts one query deletes
)

var (
	posts    = table{posting: rowPosting, doc: rowPost, text: func(v []byte) []byte { return v[min(refLen, len(v)):] }}
	accounts = table{posting: rowAccountPosting, doc: rowAccount, text: func(v []byte) []byte {
		a, _ := decodeAccount(v)
		return []byte(accountText(a))
	}}
)

// Index is a node's search index. It is safe for concurrent use.
type Index struct {
	kv store.KV
	mu sync.Mutex // serialises writes, which read before they write

	cmu    sync.RWMutex
	counts map[string]int64 // posting row kind and trigram → postings
}

// Open returns the index kept in kv, a store.Prefix view of the node's
// database, loading its posting counts. Closing kv is its owner's
// business.
func Open(kv store.KV) (*Index, error) {
	ix := &Index{kv: kv, counts: map[string]int64{}}
	prefix := []byte{rowCount}
	it := kv.Find(prefix, store.PrefixEnd(prefix), false)
	for it.Next() {
		n, size := binary.Uvarint(it.Value())
		if size <= 0 || len(it.Key()) != 5 {
			it.Close()
			return nil, fmt.Errorf("search: corrupt count row %x", it.Key())
		}
		ix.counts[string(it.Key()[1:])] = int64(n)
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return ix, nil
}

// count returns the number of postings of a trigram.
func (ix *Index) count(posting byte, tri string) int64 {
	ix.cmu.RLock()
	defer ix.cmu.RUnlock()
	return ix.counts[string(posting)+tri]
}

// deltas counts the postings a batch adds (+1) and removes (-1), per
// posting row kind and trigram.
type deltas map[string]int64

func (d deltas) add(posting byte, tris []string, by int64) {
	for _, t := range tris {
		d[string(posting)+t] += by
	}
}

// commit writes b with the count rows d changes, then updates the counts
// in memory. ix.mu must be held.
func (ix *Index) commit(b *store.Batch, d deltas) error {
	next := make(map[string]int64, len(d))
	ix.cmu.RLock()
	for k, by := range d {
		if by != 0 {
			next[k] = max(ix.counts[k]+by, 0)
		}
	}
	ix.cmu.RUnlock()
	for k, n := range next {
		if n == 0 {
			b.Delete(prefixed(rowCount, []byte(k)))
		} else {
			b.Put(prefixed(rowCount, []byte(k)), binary.AppendUvarint(nil, uint64(n)))
		}
	}
	if b.Len() == 0 {
		return nil
	}
	if err := ix.kv.Commit(b, false); err != nil {
		return err
	}
	ix.cmu.Lock()
	for k, n := range next {
		if n == 0 {
			delete(ix.counts, k)
		} else {
			ix.counts[k] = n
		}
	}
	ix.cmu.Unlock()
	return nil
}

// Ref names a post: its author and seq.
type Ref struct {
	Author entry.Key
	Seq    uint64
}

// Post is what the index keeps of a post or reply.
type Post struct {
	Ref
	Time hlc.Timestamp
	Text string
}

// PostOf returns what the index keeps of e, and false if e is not an
// undeleted post or reply with text.
func PostOf(e *entry.Entry) (Post, bool) {
	if e.Kind != entry.KindPost && e.Kind != entry.KindReply {
		return Post{}, false
	}
	text, ok := entry.Text(e)
	if !ok {
		return Post{}, false
	}
	return Post{Ref: Ref{e.Author, e.Seq}, Time: e.Time, Text: text}, true
}

func refKey(r Ref) []byte {
	k := append([]byte{rowPostID}, r.Author[:]...)
	return binary.BigEndian.AppendUint64(k, r.Seq)
}

func prefixed(row byte, parts ...[]byte) []byte {
	k := []byte{row}
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// AddPosts indexes posts, in one batch. Posts already indexed are skipped.
func (ix *Index) AddPosts(ps []Post) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var b store.Batch
	d := deltas{}
	taken := map[string]bool{} // docids given out in this batch
	added := map[Ref]bool{}
	for _, p := range ps {
		if added[p.Ref] {
			continue
		}
		if _, err := ix.kv.Get(refKey(p.Ref)); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		docid, err := ix.newDocid(p, taken)
		if err != nil {
			return err
		}
		added[p.Ref] = true
		folded := Fold(p.Text)
		b.Put(refKey(p.Ref), docid)
		b.Put(prefixed(rowPost, docid), append(append(append([]byte(nil), p.Author[:]...), binary.BigEndian.AppendUint64(nil, p.Seq)...), folded...))
		tris, sigs := signatures(folded)
		for _, t := range tris {
			b.Put(prefixed(rowPosting, []byte(t), docid), sigs[t])
		}
		d.add(rowPosting, tris, 1)
		for _, tag := range Hashtags(p.Text) {
			b.Put(prefixed(rowTag, []byte(tag), []byte{0}, docid), nil)
		}
	}
	return ix.commit(&b, d)
}

// newDocid returns a docid for p that no other post holds.
func (ix *Index) newDocid(p Post, taken map[string]bool) ([]byte, error) {
	h := sha256.Sum256(refKey(p.Ref))
	tie := binary.BigEndian.Uint32(h[:4])
	docid := binary.BigEndian.AppendUint64(nil, math.MaxUint64-p.Time.Wall)
	docid = binary.BigEndian.AppendUint32(docid, math.MaxUint32-p.Time.Logical)
	for range 64 {
		id := binary.BigEndian.AppendUint32(bytes.Clone(docid), tie)
		if !taken[string(id)] {
			_, err := ix.kv.Get(prefixed(rowPost, id))
			if errors.Is(err, store.ErrNotFound) {
				taken[string(id)] = true
				return id, nil
			} else if err != nil {
				return nil, err
			}
		}
		tie++
	}
	return nil, fmt.Errorf("search: no free document ID at time %d", p.Time.Wall)
}

// RemovePost removes the post at r from the index, if it is there.
func (ix *Index) RemovePost(r Ref) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	docid, err := ix.kv.Get(refKey(r))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	var b store.Batch
	d := deltas{}
	b.Delete(refKey(r))
	dk := prefixed(rowPost, docid)
	if v, err := ix.kv.Get(dk); err == nil && len(v) >= refLen && bytes.Equal(v[:refLen], refKey(r)[1:]) {
		folded := string(v[refLen:])
		tris := trigrams(folded)
		for _, t := range tris {
			b.Delete(prefixed(rowPosting, []byte(t), docid))
		}
		d.add(rowPosting, tris, -1)
		// Tags were taken from the text before folding, but folding is
		// idempotent and keeps every tag character a tag character.
		for _, tag := range Hashtags(folded) {
			b.Delete(prefixed(rowTag, []byte(tag), []byte{0}, docid))
		}
		b.Delete(dk)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return ix.commit(&b, d)
}

// HasPost reports whether the post at r is indexed.
func (ix *Index) HasPost(r Ref) (bool, error) {
	_, err := ix.kv.Get(refKey(r))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Posts calls fn with each indexed post whose text holds q (folded by
// Normalize), newest first, while fn returns more. fn reports whether the
// post is still live (held and not deleted): the index deletes the rows of
// those that are not, up to maxStale per query.
func (ix *Index) Posts(q string, fn func(r Ref) (live, more bool)) error {
	var stale []Ref
	err := ix.match(posts, q, func(_, v []byte) bool {
		return ix.visit(v, fn, &stale)
	})
	return errors.Join(err, ix.dropStale(stale))
}

// Tag calls fn with each indexed post carrying #tag (folded by
// NormalizeTag), newest first, as Posts does.
func (ix *Index) Tag(tag string, fn func(r Ref) (live, more bool)) error {
	var stale []Ref
	prefix := prefixed(rowTag, []byte(tag), []byte{0})
	it := ix.kv.Find(prefix, store.PrefixEnd(prefix), false)
	var err error
	for checked := 0; checked < maxCandidates && it.Next(); checked++ {
		docid := bytes.Clone(it.Key()[len(prefix):])
		v, gerr := ix.kv.Get(prefixed(rowPost, docid))
		if errors.Is(gerr, store.ErrNotFound) {
			continue
		} else if gerr != nil {
			err = gerr
			break
		}
		if !ix.visit(v, fn, &stale) {
			break
		}
	}
	return errors.Join(err, it.Close(), ix.dropStale(stale))
}

// visit calls fn with the post of a document row, noting it as stale if
// fn says so, and reports whether to go on.
func (ix *Index) visit(v []byte, fn func(Ref) (bool, bool), stale *[]Ref) bool {
	if len(v) < refLen {
		return true
	}
	r := Ref{Author: entry.Key(v[:keyLen]), Seq: binary.BigEndian.Uint64(v[keyLen:refLen])}
	live, more := fn(r)
	if !live && len(*stale) < maxStale {
		*stale = append(*stale, r)
	}
	return more
}

func (ix *Index) dropStale(stale []Ref) error {
	var err error
	for _, r := range stale {
		err = errors.Join(err, ix.RemovePost(r))
	}
	return err
}

// Account is what the index keeps of an account.
type Account struct {
	Key         entry.Key
	Name        string
	DisplayName string
	Bio         string
}

func accountText(a Account) string {
	return "@" + a.Name + "\x00" + Fold(a.DisplayName) + "\x00" + Fold(a.Bio)
}

func encodeAccount(a Account) []byte {
	var v []byte
	for _, s := range []string{a.Name, a.DisplayName, a.Bio} {
		v = binary.AppendUvarint(v, uint64(len(s)))
		v = append(v, s...)
	}
	return v
}

func decodeAccount(v []byte) (Account, bool) {
	var f [3]string
	for i := range f {
		n, size := binary.Uvarint(v)
		if size <= 0 || n > uint64(len(v)-size) {
			return Account{}, false
		}
		f[i] = string(v[size : size+int(n)])
		v = v[size+int(n):]
	}
	return Account{Name: f[0], DisplayName: f[1], Bio: f[2]}, true
}

func accountDocid(name string, k entry.Key) []byte {
	return append(append([]byte(name), 0), k[:]...)
}

// PutAccounts indexes accounts, in one batch, replacing what was indexed
// of each. Accounts with no name, or a name holding a zero byte, are
// skipped.
func (ix *Index) PutAccounts(as []Account) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var b store.Batch
	d := deltas{}
	last := make(map[entry.Key]int, len(as))
	for i, a := range as {
		last[a.Key] = i
	}
	for i, a := range as {
		if last[a.Key] != i {
			continue // the last one of a key wins: putAccount reads the index, not b
		}
		if err := ix.putAccount(&b, d, a); err != nil {
			return err
		}
	}
	return ix.commit(&b, d)
}

// PutAccount indexes one account (see PutAccounts).
func (ix *Index) PutAccount(a Account) error { return ix.PutAccounts([]Account{a}) }

// SetName indexes name as key's name, keeping the display name and bio
// already indexed for key.
func (ix *Index) SetName(k entry.Key, name string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	a := Account{Key: k, Name: name}
	if old, ok, err := ix.account(k); err != nil {
		return err
	} else if ok {
		if old.Name == name {
			return nil
		}
		a.DisplayName, a.Bio = old.DisplayName, old.Bio
	}
	var b store.Batch
	d := deltas{}
	if err := ix.putAccount(&b, d, a); err != nil {
		return err
	}
	return ix.commit(&b, d)
}

// account returns what is indexed of k.
func (ix *Index) account(k entry.Key) (Account, bool, error) {
	name, err := ix.kv.Get(prefixed(rowAccountName, k[:]))
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, false, nil
	} else if err != nil {
		return Account{}, false, err
	}
	v, err := ix.kv.Get(prefixed(rowAccount, accountDocid(string(name), k)))
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, false, nil
	} else if err != nil {
		return Account{}, false, err
	}
	a, ok := decodeAccount(v)
	a.Key = k
	return a, ok, nil
}

// putAccount adds to b the writes that index a, removing the rows of what
// was indexed of a.Key before. It reads the index, so ix.mu must be held.
func (ix *Index) putAccount(b *store.Batch, d deltas, a Account) error {
	if a.Name == "" || strings.IndexByte(a.Name, 0) >= 0 {
		return nil
	}
	old, ok, err := ix.account(a.Key)
	if err != nil {
		return err
	}
	if ok {
		if old == a {
			return nil
		}
		docid := accountDocid(old.Name, a.Key)
		tris := trigrams(accountText(old))
		for _, t := range tris {
			b.Delete(prefixed(rowAccountPosting, []byte(t), docid))
		}
		d.add(rowAccountPosting, tris, -1)
		b.Delete(prefixed(rowAccount, docid))
	}
	docid := accountDocid(a.Name, a.Key)
	tris, sigs := signatures(accountText(a))
	for _, t := range tris {
		b.Put(prefixed(rowAccountPosting, []byte(t), docid), sigs[t])
	}
	d.add(rowAccountPosting, tris, 1)
	b.Put(prefixed(rowAccount, docid), encodeAccount(a))
	b.Put(prefixed(rowAccountName, a.Key[:]), []byte(a.Name))
	return nil
}

// Accounts returns up to limit indexed accounts whose name, display name
// or bio holds q (folded by Normalize; a leading '@' is part of the
// name): first the account named q (without '@'), then those whose name
// starts with it, in name order, then the others in name order.
func (ix *Index) Accounts(q string, limit int) ([]Account, error) {
	var out []Account
	seen := map[entry.Key]bool{}
	add := func(docid, v []byte) bool {
		k := entry.Key(docid[len(docid)-keyLen:])
		if a, ok := decodeAccount(v); ok && !seen[k] {
			a.Key = k
			seen[k] = true
			out = append(out, a)
		}
		return len(out) < limit
	}
	// Names sort before longer names they start, so the exact name comes
	// first in the prefix scan.
	name := strings.TrimPrefix(q, "@")
	if name != "" && strings.IndexByte(name, 0) < 0 {
		prefix := prefixed(rowAccount, []byte(name))
		it := ix.kv.Find(prefix, store.PrefixEnd(prefix), false)
		for len(out) < limit && it.Next() {
			add(it.Key()[1:], it.Value())
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	if len(out) >= limit {
		return out, nil
	}
	err := ix.match(accounts, q, func(docid, v []byte) bool {
		if name != "" && bytes.HasPrefix(docid, []byte(name)) {
			return true // among the name matches above
		}
		return add(docid, v)
	})
	return out, err
}

// BuildState returns whether every post the node held when the index was
// created is indexed, and if not, the cursor the builder saved (nil at
// first).
func (ix *Index) BuildState() (done bool, cursor []byte, err error) {
	v, err := ix.kv.Get([]byte{rowState})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil, nil
	case err != nil:
		return false, nil, err
	case len(v) == 0:
		return false, nil, fmt.Errorf("search: corrupt build state")
	}
	if len(v) == 1 {
		return v[0] == 1, nil, nil
	}
	return v[0] == 1, v[1:], nil
}

// SetBuildState records the builder's progress: done, or the cursor to
// resume from.
func (ix *Index) SetBuildState(done bool, cursor []byte) error {
	v := []byte{0}
	if done {
		v[0] = 1
	}
	var b store.Batch
	b.Put([]byte{rowState}, append(v, cursor...))
	return ix.kv.Commit(&b, false)
}

// Dirty reports whether SetDirty(true) was the last call: posts may have
// been stored that the index never got.
func (ix *Index) Dirty() (bool, error) {
	v, err := ix.kv.Get([]byte{rowDirty})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil && len(v) == 1 && v[0] == 1, err
}

// SetDirty records whether posts are waiting to be indexed, so that a node
// that stopped before indexing them rebuilds the index when it starts.
func (ix *Index) SetDirty(dirty bool) error {
	var b store.Batch
	if dirty {
		b.Put([]byte{rowDirty}, []byte{1})
	} else {
		b.Delete([]byte{rowDirty})
	}
	return ix.kv.Commit(&b, false)
}
