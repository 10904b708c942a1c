package store_test

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(dir)
		return
	}
	code := m.Run()
	closeBench()
	if code == 0 {
		// goleveldb's mpoolDrain lingers for up to a second after Close.
		err := goleak.Find(goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// engines are the KV implementations every test runs against.
var engines = []struct {
	name string
	open func(t testing.TB) store.KV
}{
	{"leveldb", func(t testing.TB) store.KV {
		kv, err := store.OpenLevelDB(t.TempDir())
		if err != nil {
			t.Fatalf("OpenLevelDB() = %v", err)
		}
		t.Cleanup(func() { kv.Close() })
		return kv
	}},
	{"memory", func(t testing.TB) store.KV {
		kv := store.NewMemory()
		t.Cleanup(func() { kv.Close() })
		return kv
	}},
}

// forEachEngine runs test once per engine; newStore returns an empty Store
// over that engine, closed when the calling test ends.
func forEachEngine(t *testing.T, test func(t *testing.T, newStore func(t *testing.T) *store.Store)) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			test(t, func(t *testing.T) *store.Store {
				s, err := store.New(eng.open(t))
				if err != nil {
					t.Fatalf("New() = %v", err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

// clock issues increasing timestamps shared by all writers, so that entries
// made later sort later in feeds whatever their author.
var clock atomic.Uint64

func init() { clock.Store(uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())) }

func now() hlc.Timestamp { return hlc.Timestamp{Wall: clock.Add(1)} }

// writer writes one account's log. It is not safe for concurrent use.
type writer struct {
	t    testing.TB
	name string
	priv ed25519.PrivateKey
	key  entry.Key
	last *entry.Entry
}

func newWriter(t testing.TB, name string) *writer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &writer{t: t, name: name, priv: priv, key: entry.KeyOf(priv.Public().(ed25519.PublicKey))}
}

// next returns w's next entry and moves w past it.
func (w *writer) next(kind entry.Kind, body []byte) *entry.Entry {
	w.t.Helper()
	return w.nextAt(now(), kind, body)
}

// nextAt returns w's next entry, stamped t, and moves w past it.
func (w *writer) nextAt(t hlc.Timestamp, kind entry.Kind, body []byte) *entry.Entry {
	w.t.Helper()
	var (
		seq  uint64 = 1
		prev entry.ID
	)
	if w.last != nil {
		seq, prev = w.last.Seq+1, w.last.ID()
	}
	e, err := entry.New(w.priv, seq, prev, t, kind, body)
	if err != nil {
		w.t.Fatalf("entry.New() = %v", err)
	}
	w.last = e
	return e
}

func (w *writer) post(text string) *entry.Entry {
	return w.next(entry.KindPost, []byte(text))
}

func (w *writer) posts(n int) []*entry.Entry {
	es := make([]*entry.Entry, n)
	for i := range es {
		es[i] = w.post(fmt.Sprintf("post %d by %s", i+1, w.name))
	}
	return es
}

func (w *writer) reply(parent *entry.Entry, text string) *entry.Entry {
	return w.next(entry.KindReply, entry.Reply{Parent: ref(parent), Text: text}.Bytes())
}

func (w *writer) repost(of *entry.Entry) *entry.Entry {
	return w.next(entry.KindRepost, entry.Repost{Of: ref(of)}.Bytes())
}

// del returns w's delete entry for e.
func (w *writer) del(e *entry.Entry) *entry.Entry {
	return w.next(entry.KindDelete, entry.Delete{Seq: e.Seq, ID: e.ID()}.Bytes())
}

func ref(e *entry.Entry) entry.Ref {
	return entry.Ref{Author: e.Author, Seq: e.Seq, ID: e.ID()}
}

func (w *writer) follow(target *writer) *entry.Entry {
	return w.next(entry.KindFollow, entry.Follow{Target: target.key, Name: target.name}.Bytes())
}

func (w *writer) unfollow(target *writer) *entry.Entry {
	return w.next(entry.KindUnfollow, entry.Follow{Target: target.key, Name: target.name}.Bytes())
}

// entryAt builds an entry of w's log with the fields given, leaving w as it is.
func (w *writer) entryAt(seq uint64, prev entry.ID, t hlc.Timestamp, text string) *entry.Entry {
	w.t.Helper()
	e, err := entry.New(w.priv, seq, prev, t, entry.KindPost, []byte(text))
	if err != nil {
		w.t.Fatalf("entry.New() = %v", err)
	}
	return e
}

// fork returns a different entry at e's position.
func (w *writer) fork(e *entry.Entry) *entry.Entry {
	return w.entryAt(e.Seq, e.Prev, e.Time, "a fork of "+string(e.Body))
}

func (w *writer) account() store.Account {
	return store.Account{Name: w.name, Key: w.key, Secret: []byte("sealed " + w.name), Created: time.UnixMilli(1700000000000)}
}

func (w *writer) following() store.Follow {
	return store.Follow{Target: w.key, Name: w.name, Seq: 1, Since: time.UnixMilli(1700000000000), Active: true}
}

func (w *writer) unfollowing() store.Follow {
	f := w.following()
	f.Seq, f.Active = 2, false
	return f
}

func mustAppend(t *testing.T, s *store.Store, es ...*entry.Entry) {
	t.Helper()
	added, err := s.Append(es, false)
	if err != nil || len(added) != len(es) {
		t.Fatalf("Append() added %d of %d entries, err %v", len(added), len(es), err)
	}
}

func mustAccount(t *testing.T, s *store.Store, ws ...*writer) {
	t.Helper()
	for _, w := range ws {
		if err := s.PutAccount(w.account()); err != nil {
			t.Fatalf("PutAccount(%s) = %v", w.name, err)
		}
	}
}

func mustFollow(t *testing.T, s *store.Store, account *writer, f store.Follow) {
	t.Helper()
	if err := s.SetFollowing(account.key, f); err != nil {
		t.Fatalf("SetFollowing() = %v", err)
	}
}

// ids returns the IDs of es, for comparisons and messages.
func ids(es []*entry.Entry) []string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = fmt.Sprintf("%s/%d", e.Author.Short(), e.Seq)
	}
	return s
}

// newestFirst returns the entries among es that feeds show (posts,
// replies and reposts, not redacted), latest HLC time first.
func newestFirst(es ...*entry.Entry) []*entry.Entry {
	var posts []*entry.Entry
	for _, e := range es {
		switch e.Kind {
		case entry.KindPost, entry.KindReply, entry.KindRepost:
			if !e.Redacted() {
				posts = append(posts, e)
			}
		}
	}
	slices.SortFunc(posts, func(a, b *entry.Entry) int { return b.Time.Compare(a.Time) })
	return posts
}

// feed reads account's whole feed, limit posts a page.
func feed(t *testing.T, s *store.Store, account entry.Key, limit int) []*entry.Entry {
	t.Helper()
	var all []*entry.Entry
	var cursor []byte
	for {
		es, next, err := s.Feed(account, cursor, limit)
		if err != nil {
			t.Fatalf("Feed() = %v", err)
		}
		all = append(all, es...)
		if next == nil {
			return all
		}
		cursor = next
	}
}

func checkFeed(t *testing.T, s *store.Store, account *writer, want []*entry.Entry) {
	t.Helper()
	if got := feed(t, s, account.key, 1000); !slices.Equal(ids(got), ids(want)) {
		t.Errorf("Feed(%s) = %v, want %v", account.name, ids(got), ids(want))
	}
}
