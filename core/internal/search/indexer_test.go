package search

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestChanges(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	var prev entry.ID
	next := func(kind entry.Kind, body []byte) *entry.Entry {
		seq := uint64(1)
		if !prev.IsZero() {
			seq = 2
		}
		e, err := entry.New(priv, seq, prev, hlc.Timestamp{Wall: 1_767_225_600_000 + seq}, kind, body)
		if err != nil {
			t.Fatal(err)
		}
		prev = e.ID()
		return e
	}
	post := next(entry.KindPost, []byte("hello #skein"))
	del := next(entry.KindDelete, entry.Delete{Seq: 1, ID: post.ID()}.Bytes())
	ps, gone := Changes([]*entry.Entry{post, del})
	if len(ps) != 1 || ps[0].Author != post.Author || ps[0].Seq != 1 {
		t.Errorf("Changes() posts = %+v, want the post", ps)
	}
	if len(gone) != 1 || gone[0] != (Ref{Author: del.Author, Seq: 1}) {
		t.Errorf("Changes() gone = %+v, want the post the delete names, in its author's log", gone)
	}
	if ps, gone := Changes(nil); ps != nil || gone != nil {
		t.Errorf("Changes(nil) = %v, %v", ps, gone)
	}
}

// memSource is a Source over logs kept in memory. Deleted posts are left
// out of Entries, as the store redacts them.
type memSource struct {
	mu      sync.Mutex
	logs    map[entry.Key][]*entry.Entry
	deleted map[Ref]bool
	reads   chan struct{} // gets a value (if free) on each Entries call
}

func newMemSource() *memSource {
	return &memSource{logs: map[entry.Key][]*entry.Entry{}, deleted: map[Ref]bool{}, reads: make(chan struct{}, 1)}
}

func (s *memSource) Names() map[entry.Key]string { return nil }

func (s *memSource) Authors() []entry.Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ks []entry.Key
	for k := range s.logs {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b entry.Key) int { return bytes.Compare(a[:], b[:]) })
	return ks
}

func (s *memSource) Entries(author entry.Key, after uint64, maxCount, _ int) ([]*entry.Entry, error) {
	select {
	case s.reads <- struct{}{}:
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*entry.Entry
	for _, e := range s.logs[author] {
		if e.Seq > after && len(out) < maxCount && !s.deleted[Ref{e.Author, e.Seq}] {
			out = append(out, e)
		}
	}
	return out, nil
}

// post stores a post by author n (0-based) and returns what Queue gets.
func (s *memSource) post(t *testing.T, n int) Post {
	t.Helper()
	seed := make([]byte, 32)
	seed[0] = byte(n + 1)
	priv := ed25519.NewKeyFromSeed(seed)
	author := entry.KeyOf(priv.Public().(ed25519.PublicKey))
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.logs[author]
	var prev entry.ID
	if len(log) > 0 {
		prev = log[len(log)-1].ID()
	}
	seq := uint64(len(log) + 1)
	e, err := entry.New(priv, seq, prev, hlc.Timestamp{Wall: 1_767_225_600_000 + seq}, entry.KindPost,
		fmt.Appendf(nil, "post by a%d number %d", n, seq))
	if err != nil {
		t.Fatal(err)
	}
	s.logs[author] = append(log, e)
	p, ok := PostOf(e)
	if !ok {
		t.Fatal("PostOf: not a post")
	}
	return p
}

func (s *memSource) delete(r Ref) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted[r] = true
}

// indexed reports how many of ps are indexed and findable by their text.
func indexed(t *testing.T, ix *Index, ps []Post) int {
	t.Helper()
	n := 0
	for _, p := range ps {
		q, err := Normalize(p.Text)
		if err != nil {
			t.Fatal(err)
		}
		hit := false
		if err := ix.Posts(q, func(r Ref) (bool, bool) {
			hit = hit || r == p.Ref
			return true, !hit
		}); err != nil {
			t.Fatal(err)
		}
		if hit {
			n++
		}
	}
	return n
}

// eventually polls cond for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: not %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newTestIndexer(t *testing.T, src Source, limit int) *Indexer {
	t.Helper()
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	ix, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	// The store held nothing before: the index is built.
	if err := ix.SetBuildState(true, nil); err != nil {
		t.Fatal(err)
	}
	x := NewIndexer(ix, src, slog.New(slog.DiscardHandler))
	x.maxQueued = limit
	return x
}

func verifyNoLeaks(t *testing.T) {
	t.Helper()
	goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
}

// TestQueueOverflow checks that Queue past maxQueued returns without
// indexing in its caller and that the background build, restarted even
// after it had finished, then indexes every post, while the deletes
// queued with the overflow take effect.
func TestQueueOverflow(t *testing.T) {
	const limit, batch, batches, authors = 10, 7, 6, 3
	tests := []struct {
		name         string
		startFirst   bool // Start before queueing: the builder has finished and must wake
		deleteBefore int  // posts indexed at once, then deleted in the overflowing batch
		deleteQueued int  // posts of the overflowing batch deleted in it too
	}{
		{name: "before start"},
		{name: "builder finished", startFirst: true},
		{name: "deletes of indexed posts", deleteBefore: 4},
		{name: "deletes of queued posts", startFirst: true, deleteQueued: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer verifyNoLeaks(t)
			src := newMemSource()
			x := newTestIndexer(t, src, limit)
			var live, dead []Post
			for i := range tt.deleteBefore {
				p := src.post(t, i%authors)
				x.Now([]Post{p}, nil)
				dead = append(dead, p)
			}
			if tt.startFirst {
				x.Start()
				defer x.Close()
			}
			overflowed := false
			for b := range batches {
				var ps []Post
				for i := range batch {
					ps = append(ps, src.post(t, (b*batch+i)%authors))
				}
				var gone []Ref
				if !overflowed && (b+1)*batch > limit {
					overflowed = true
					for _, p := range dead {
						gone = append(gone, p.Ref)
					}
					for _, p := range ps[:tt.deleteQueued] {
						gone = append(gone, p.Ref)
						dead = append(dead, p)
					}
					ps = ps[tt.deleteQueued:]
				}
				for _, r := range gone {
					src.delete(r) // the store applies a delete before ingest queues it
				}
				live = append(live, ps...)
				x.Queue(ps, gone)
				if !tt.startFirst && b == 1 {
					// Nothing runs yet: any post indexed was indexed by Queue.
					if n := indexed(t, x.Index(), live); n != 0 {
						t.Fatalf("Queue past maxQueued indexed %d posts in its caller", n)
					}
					if done, cursor, err := x.Index().BuildState(); done || cursor != nil || err != nil {
						t.Fatalf("BuildState() after overflow = %v, %x, %v, want false, nil, nil", done, cursor, err)
					}
					x.mu.Lock()
					held := len(x.posts)
					x.mu.Unlock()
					if held != 0 {
						t.Fatalf("%d posts still queued after overflow, want 0", held)
					}
				}
			}
			if !tt.startFirst {
				x.Start()
				defer x.Close()
			}
			eventually(t, "every post indexed", func() bool { return indexed(t, x.Index(), live) == len(live) })
			eventually(t, "every deleted post removed", func() bool { return indexed(t, x.Index(), dead) == 0 })
			eventually(t, "built and clean", func() bool {
				done, _, _ := x.Index().BuildState()
				dirty, _ := x.Index().Dirty()
				return done && !dirty
			})
		})
	}
}

// TestOverflowCloseDuringRebuild checks that a Close while the restarted
// build runs, and a new Start (of the same Indexer, or of a new one as a
// node that restarts), finishes the job.
func TestOverflowCloseDuringRebuild(t *testing.T) {
	for _, reopen := range []bool{false, true} {
		t.Run(fmt.Sprintf("new indexer %v", reopen), func(t *testing.T) {
			defer verifyNoLeaks(t)
			src := newMemSource()
			x := newTestIndexer(t, src, 100)
			x.Start()
			var ps []Post
			for i := range 3 * buildBatch {
				ps = append(ps, src.post(t, i%3))
			}
			select {
			case <-src.reads:
			default:
			}
			x.Queue(ps, nil)
			<-src.reads // the rebuild has begun
			x.Close()
			if done, _, err := x.Index().BuildState(); done || err != nil {
				t.Fatalf("BuildState() after Close during the rebuild = %v, %v, want false", done, err)
			}
			if reopen {
				x = NewIndexer(x.Index(), src, slog.New(slog.DiscardHandler))
			}
			x.Start()
			defer x.Close()
			eventually(t, "every post indexed", func() bool { return indexed(t, x.Index(), ps) == len(ps) })
			eventually(t, "built", func() bool {
				done, _, _ := x.Index().BuildState()
				return done
			})
		})
	}
}
