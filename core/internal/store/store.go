package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Store holds a node's logs, feeds, social graph and settings in a KV.
//
// A Store is safe for concurrent use. Writes are serialised; reads run
// concurrently with them and with each other. The caller must Close it.
type Store struct {
	kv KV

	// mu serialises writes: every method that changes the store holds it
	// from its first read to its commit.
	mu sync.Mutex

	// cmu guards the caches, which mirror what is committed.
	cmu      sync.RWMutex
	local    map[entry.Key]bool               // keys of local accounts
	logs     map[entry.Key]logState           // author → the part of its log held
	watchers map[entry.Key]map[entry.Key]bool // author → local accounts following it
	orphans  map[entry.Key]time.Time          // author → when it stopped being watched
	deleted  map[entry.Key]bool               // authors with tombstones
	names    map[entry.Key]string             // key → display name

	// gcmu serialises GC calls and guards gcNext, the first author the
	// next GC call looks at.
	gcmu   sync.Mutex
	gcNext entry.Key
}

// New returns a Store over kv, loading its caches. If New succeeds, the
// Store owns kv and Store.Close closes it; if it fails, the caller still
// must close kv.
func New(kv KV) (*Store, error) {
	s := &Store{
		kv:       kv,
		local:    make(map[entry.Key]bool),
		logs:     make(map[entry.Key]logState),
		watchers: make(map[entry.Key]map[entry.Key]bool),
		orphans:  make(map[entry.Key]time.Time),
		deleted:  make(map[entry.Key]bool),
		names:    make(map[entry.Key]string),
	}
	if err := s.checkVersion(); err != nil {
		return nil, err
	}
	err := s.scan([]byte{prefixAccount}, func(k, v []byte) error {
		a, ok := decodeAccount(string(k[1:]), v)
		if !ok {
			return corrupt("account", k)
		}
		s.local[a.Key] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.scan([]byte{prefixHead}, func(k, v []byte) error {
		h, ok := decodeHead(v)
		if !ok || len(k) != 1+keyLen {
			return corrupt("head", k)
		}
		s.logs[entry.Key(k[1:])] = logState{head: h}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.scan([]byte{prefixTail}, func(k, v []byte) error {
		tail, ok := decodeUint(v)
		if !ok || len(k) != 1+keyLen {
			return corrupt("tail", k)
		}
		author := entry.Key(k[1:])
		l, held := s.logs[author]
		if !held || tail == 0 || tail > l.head.Seq {
			return corrupt("tail", k)
		}
		l.tail = tail
		s.logs[author] = l
		return nil
	})
	if err != nil {
		return nil, err
	}
	for author, l := range s.logs {
		if l.tail == 0 {
			return nil, corrupt("head without a tail", keyOf(prefixHead, author))
		}
	}
	err = s.scan([]byte{prefixOrphan}, func(k, v []byte) error {
		n, ok := decodeUint(v)
		if !ok || len(k) != 1+keyLen {
			return corrupt("unwatched time", k)
		}
		s.orphans[entry.Key(k[1:])] = bitsTime(n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.scan([]byte{prefixTombstone}, func(k, v []byte) error {
		if len(k) != 1+keyLen+8+len(entry.ID{}) {
			return corrupt("tombstone", k)
		}
		s.deleted[entry.Key(k[1:1+keyLen])] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.scan([]byte{prefixWatcher}, func(k, v []byte) error {
		if len(k) != 1+2*keyLen {
			return corrupt("watcher", k)
		}
		author, account := entry.Key(k[1:1+keyLen]), entry.Key(k[1+keyLen:])
		if s.watchers[author] == nil {
			s.watchers[author] = make(map[entry.Key]bool)
		}
		s.watchers[author][account] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.scan([]byte{prefixName}, func(k, v []byte) error {
		if len(k) != 1+keyLen {
			return corrupt("name", k)
		}
		s.names[entry.Key(k[1:])] = string(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// checkVersion records the layout version in a new database and refuses a
// database written with another layout.
func (s *Store) checkVersion() error {
	key := []byte{prefixVersion}
	v, err := s.kv.Get(key)
	if errors.Is(err, ErrNotFound) {
		var b Batch
		b.Put(key, encodeUint(layoutVersion))
		return s.kv.Commit(&b, true)
	}
	if err != nil {
		return err
	}
	n, ok := decodeUint(v)
	if !ok {
		return corrupt("layout version", key)
	}
	switch {
	case n < layoutVersion:
		return fmt.Errorf("store: database has layout version %d, from an older program whose entries this one cannot read: start with a new data directory", n)
	case n > layoutVersion:
		return fmt.Errorf("store: database has layout version %d, this program reads version %d: use a newer program", n, layoutVersion)
	}
	return nil
}

// Close closes the underlying KV. Calling Close more than once is safe.
func (s *Store) Close() error {
	return s.kv.Close()
}

// scan calls fn for each pair whose key starts with prefix, in key order,
// and stops at the first error.
func (s *Store) scan(prefix []byte, fn func(k, v []byte) error) error {
	it := s.kv.Find(prefix, PrefixEnd(prefix), false)
	for it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}

// put writes one value.
func (s *Store) put(key, value []byte, sync bool) error {
	var b Batch
	b.Put(key, value)
	return s.kv.Commit(&b, sync)
}

// Account is a local account: one whose secret key this device holds.
type Account struct {
	Name    string
	Key     entry.Key
	Secret  []byte // the encrypted secret key; the store does not interpret it
	Created time.Time
}

// PutAccount adds a local account. It returns an error wrapping ErrExists
// if an account with that name is already stored. The account's own posts
// already stored (for example while restoring it) are added to its feed.
// The write is durable when PutAccount returns.
func (s *Store) PutAccount(a Account) error {
	if a.Name == "" {
		return errors.New("store: account name is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := nameKey(prefixAccount, a.Name)
	_, err := s.kv.Get(key)
	if err == nil {
		return fmt.Errorf("%w: account %q", ErrExists, a.Name)
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	var b Batch
	b.Put(key, a.encode())
	b.Delete(keyOf(prefixOrphan, a.Key)) // local logs are kept whoever follows them
	err = s.eachFeedEntry(a.Key, func(e *entry.Entry) {
		b.Put(feedKey(a.Key, e), feedValue(e))
	})
	if err != nil {
		return err
	}
	if err := s.kv.Commit(&b, true); err != nil {
		return err
	}
	s.cmu.Lock()
	s.local[a.Key] = true
	delete(s.orphans, a.Key)
	s.cmu.Unlock()
	return nil
}

// Account returns the local account called name, or an error wrapping
// ErrNotFound.
func (s *Store) Account(name string) (Account, error) {
	key := nameKey(prefixAccount, name)
	v, err := s.kv.Get(key)
	if err != nil {
		return Account{}, err
	}
	a, ok := decodeAccount(name, v)
	if !ok {
		return Account{}, corrupt("account", key)
	}
	return a, nil
}

// Accounts returns the local accounts sorted by name.
func (s *Store) Accounts() ([]Account, error) {
	var as []Account
	err := s.scan([]byte{prefixAccount}, func(k, v []byte) error {
		a, ok := decodeAccount(string(k[1:]), v)
		if !ok {
			return corrupt("account", k)
		}
		as = append(as, a)
		return nil
	})
	return as, err
}

// IsLocal reports whether key belongs to a local account.
func (s *Store) IsLocal(key entry.Key) bool {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	return s.local[key]
}

// Shows reports whether account's feed shows author's posts: author is
// account itself or account follows author. It reads memory only.
func (s *Store) Shows(account, author entry.Key) bool {
	if account == author {
		return true
	}
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	return s.watchers[author][account]
}

// Watches reports whether any account follows author: a local one, or on a
// relay a store-and-forward client. It reads memory only.
func (s *Store) Watches(author entry.Key) bool {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	return len(s.watchers[author]) > 0
}

// Meta returns the device setting called name, or an error wrapping
// ErrNotFound.
func (s *Store) Meta(name string) ([]byte, error) {
	return s.kv.Get(nameKey(prefixMeta, name))
}

// PutMeta stores a small device setting, such as the device's network key.
// The write is durable when PutMeta returns.
func (s *Store) PutMeta(name string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(nameKey(prefixMeta, name), v, true)
}

// Pin records that, for account, name stands for key: the key a follow by
// name resolved to the first time. It replaces any earlier pin of name;
// callers enforcing trust on first use check Pinned first. The write is
// durable when Pin returns.
func (s *Store) Pin(account entry.Key, name string, key entry.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(pinKey(account, name), key[:], true)
}

// Pinned returns the key account pinned name to, or an error wrapping
// ErrNotFound.
func (s *Store) Pinned(account entry.Key, name string) (entry.Key, error) {
	key := pinKey(account, name)
	v, err := s.kv.Get(key)
	if err != nil {
		return entry.Key{}, err
	}
	if len(v) != keyLen {
		return entry.Key{}, corrupt("pin", key)
	}
	return entry.Key(v), nil
}

// PutName records the display name of key in the device-wide name cache.
func (s *Store) PutName(key entry.Key, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmu.RLock()
	old, ok := s.names[key]
	s.cmu.RUnlock()
	if ok && old == name {
		return nil
	}
	if err := s.put(keyOf(prefixName, key), []byte(name), false); err != nil {
		return err
	}
	s.cmu.Lock()
	s.names[key] = name
	s.cmu.Unlock()
	return nil
}

// Name returns the display name cached for key, or an error wrapping
// ErrNotFound.
func (s *Store) Name(key entry.Key) (string, error) {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	name, ok := s.names[key]
	if !ok {
		return "", ErrNotFound
	}
	return name, nil
}

// SetKnown records that author's log is known to reach at least seq, as
// announced by a peer. It keeps the highest seq recorded.
func (s *Store) SetKnown(author entry.Key, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.Known(author)
	if err != nil || seq <= old {
		return err
	}
	return s.put(keyOf(prefixKnown, author), encodeUint(seq), false)
}

// Known returns the highest seq recorded by SetKnown for author, or 0. For
// an author that is not a local account, the held head may be above it
// (AppendSeen): the log is known to reach the higher of the two.
func (s *Store) Known(author entry.Key) (uint64, error) {
	return s.getUint(keyOf(prefixKnown, author), "known seq")
}

// getUint reads a counter stored under key, 0 if there is none; what names
// it in the error for a damaged value.
func (s *Store) getUint(key []byte, what string) (uint64, error) {
	v, err := s.kv.Get(key)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, ok := decodeUint(v)
	if !ok {
		return 0, corrupt(what, key)
	}
	return n, nil
}

// sortKeys sorts keys bytewise.
func sortKeys(keys []entry.Key) {
	slices.SortFunc(keys, compareKeys)
}

func compareKeys(a, b entry.Key) int { return bytes.Compare(a[:], b[:]) }
