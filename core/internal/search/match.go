package search

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"

	"github.com/skein-p2p/skein/core/internal/store"
)

// Bounds of the work of one query.
const (
	// maxShortLists is the most posting lists a 1- or 2-byte query merges;
	// past it the query scans documents instead.
	maxShortLists = 1024
	// maxShortScan is the most documents that scan reads.
	maxShortScan = 100_000
	// maxCandidates is the most documents one query reads to check them
	// against the query, and maxPostings the most postings it reads: a
	// query whose every trigram is frequent (a phrase of common short
	// words) stops there, with the newest of its matches.
	maxCandidates = 10_000
	maxPostings   = 100_000
)

// table names the rows of one kind of document: its postings and its
// documents.
type table struct {
	posting, doc byte
	// text returns the folded text of a document, from its row's value.
	text func(value []byte) []byte
}

// list is one posting list, read in docid order.
type list struct {
	kv     store.KV
	prefix []byte // posting byte, trigram
	end    []byte
	it     store.Iterator
	cur    []byte // the current docid, while !done
	done   bool
	err    error
}

func newList(kv store.KV, posting byte, tri string) *list {
	prefix := append([]byte{posting}, tri...)
	return &list{kv: kv, prefix: prefix, end: store.PrefixEnd(prefix)}
}

func (l *list) open(from []byte) {
	if l.it != nil {
		l.err = errors.Join(l.err, l.it.Close())
	}
	l.done = false
	l.it = l.kv.Find(append(bytes.Clone(l.prefix), from...), l.end, false)
	l.next()
}

func (l *list) next() {
	if l.done {
		return
	}
	if l.it.Next() {
		l.cur = append(l.cur[:0], l.it.Key()[len(l.prefix):]...)
		return
	}
	l.done = true
}

func (l *list) close() error {
	if l.it != nil {
		l.err = errors.Join(l.err, l.it.Close())
		l.it = nil
	}
	return l.err
}

// match calls fn with the docid and row value of each document of t whose
// folded text holds the folded query q, in docid order, until fn returns
// false or the query's work bounds are reached.
func (ix *Index) match(t table, q string, fn func(docid, value []byte) bool) error {
	checked := 0
	check := func(docid []byte) (bool, error) {
		if checked++; checked > maxCandidates {
			return false, nil
		}
		v, err := ix.kv.Get(append([]byte{t.doc}, docid...))
		if errors.Is(err, store.ErrNotFound) {
			return true, nil // a posting without its document: skip it
		} else if err != nil {
			return false, err
		}
		if !bytes.Contains(t.text(v), []byte(q)) {
			return true, nil
		}
		return fn(docid, v), nil
	}
	if len(q) >= 3 {
		return ix.rarest(t, queryTrigrams(q), check)
	}
	tris, err := ix.startingWith(t.posting, q, maxShortLists+1)
	if err != nil {
		return err
	}
	if len(tris) > maxShortLists {
		return ix.scan(t, maxShortScan, check)
	}
	return ix.union(t, tris, check)
}

// rarest calls check with each docid of the posting list of the rarest
// trigram of the query, in order, whose signature does not rule the
// document out, until it returns false. It reads one list, without seeks.
func (ix *Index) rarest(t table, qts []queryTrigram, check func([]byte) (bool, error)) error {
	best, bestN := -1, int64(0)
	for i, qt := range qts {
		n := ix.count(t.posting, qt.tri)
		if n == 0 {
			return nil // a trigram no document has
		}
		if best < 0 || n < bestN {
			best, bestN = i, n
		}
	}
	var mask uint64
	for _, qt := range qts {
		if off := qt.at - qts[best].at; off != 0 && off >= -sigReach && off <= sigReach {
			mask |= sigBit(qt.tri, off)
		}
	}
	prefix := append([]byte{t.posting}, qts[best].tri...)
	it := ix.kv.Find(prefix, store.PrefixEnd(prefix), false)
	for n := 0; n < maxPostings && it.Next(); n++ {
		if v := it.Value(); len(v) == sigLen && binary.BigEndian.Uint64(v)&mask != mask {
			continue
		}
		more, err := check(bytes.Clone(it.Key()[len(prefix):]))
		if err != nil || !more {
			return errors.Join(err, it.Close())
		}
	}
	return it.Close()
}

// listHeap orders posting lists by their current docid.
type listHeap []*list

func (h listHeap) Len() int           { return len(h) }
func (h listHeap) Less(i, j int) bool { return bytes.Compare(h[i].cur, h[j].cur) < 0 }
func (h listHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *listHeap) Push(x any)        { *h = append(*h, x.(*list)) }
func (h *listHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// union calls check with each docid in any posting list of tris, once, in
// order, until it returns false.
func (ix *Index) union(t table, tris []string, check func([]byte) (bool, error)) (err error) {
	var all []*list
	defer func() {
		for _, l := range all {
			err = errors.Join(err, l.close())
		}
	}()
	h := make(listHeap, 0, len(tris))
	for _, tri := range tris {
		l := newList(ix.kv, t.posting, tri)
		all = append(all, l)
		if l.open(nil); !l.done {
			h = append(h, l)
		}
	}
	heap.Init(&h)
	var last []byte
	for h.Len() > 0 {
		l := h[0]
		if last == nil || !bytes.Equal(l.cur, last) {
			last = append(last[:0:0], l.cur...)
			more, err := check(last)
			if err != nil || !more {
				return err
			}
		}
		if l.next(); l.done {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return nil
}

// startingWith returns the distinct trigrams of t's postings that start
// with prefix (1 or 2 bytes), at most limit, skipping from one to the
// next.
func (ix *Index) startingWith(posting byte, prefix string, limit int) ([]string, error) {
	start := append([]byte{posting}, prefix...)
	end := store.PrefixEnd(start)
	var tris []string
	for len(tris) < limit {
		it := ix.kv.Find(start, end, false)
		ok := it.Next()
		var tri string
		if ok {
			tri = string(it.Key()[1:4])
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		tris = append(tris, tri)
		start = store.PrefixEnd(append([]byte{posting}, tri...))
		if start == nil {
			break
		}
	}
	return tris, nil
}

// scan calls check with the docids of t's documents in order, at most
// limit, until it returns false.
func (ix *Index) scan(t table, limit int, check func([]byte) (bool, error)) error {
	prefix := []byte{t.doc}
	it := ix.kv.Find(prefix, store.PrefixEnd(prefix), false)
	for n := 0; n < limit && it.Next(); n++ {
		more, err := check(bytes.Clone(it.Key()[1:]))
		if err != nil || !more {
			return errors.Join(err, it.Close())
		}
	}
	return it.Close()
}
