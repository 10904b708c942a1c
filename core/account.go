package core

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/keystore"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/store"
)

// dhtProtocol is the protocol DHT servers speak.
const dhtProtocol = protocol.ID(p2p.ProtocolPrefix + "/kad/1.0.0")

// session is the logged-in account and everything that runs for it.
type session struct {
	name    string
	key     entry.Key
	priv    ed25519.PrivateKey
	created time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	appendMu  sync.Mutex  // serialises appends to the account's own log
	restoring atomic.Bool // own log not yet fetched back after a restore
	located   atomic.Bool // locateFollowed has run to its end
	own       *pubsub.Topic
	ownJoins  *pubsub.TopicEventHandler

	headMoved chan struct{} // own log grew: the name record's seq is stale
	publishMu sync.Mutex    // one name publication at a time
	appended  atomic.Uint64 // own entries appended in this session
	published atomic.Uint64 // value of appended at the last name publication

	mu          sync.Mutex
	subs        map[entry.Key]*subscription // followed authors' topics
	pending     []*entry.Entry              // own entries to publish when live again
	lastUpdated uint64                      // Updated of the last name record published
}

// stop ends everything the session started and waits for it.
func (s *session) stop() {
	s.cancel()
	s.wg.Wait()
}

// goSession runs fn on a goroutine owned by sess: it ends before Logout or
// Close returns.
func (n *Node) goSession(sess *session, fn func(ctx context.Context)) {
	sess.wg.Add(1)
	go func() {
		defer sess.wg.Done()
		fn(sess.ctx)
	}()
}

// Register creates an account on this device, claims its name in the DHT
// and logs in. It fails with ErrNameTaken if another key already claims the
// name, and with ErrInvalidName unless the name is 3 to 32 characters of
// a-z, 0-9 and _.
func (n *Node) Register(ctx context.Context, name, password string) (User, error) {
	if err := n.alive(); err != nil {
		return User{}, err
	}
	if err := entry.ValidName(name); err != nil {
		return User{}, err
	}
	if password == "" {
		return User{}, errors.New("empty password: choose a password")
	}
	if n.session() != nil {
		return User{}, ErrLoggedIn
	}
	if _, err := n.store.Account(name); err == nil {
		return User{}, fmt.Errorf("%w: %s", ErrAccountExists, name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return User{}, err
	}
	rec, others, err := n.lookupName(ctx, name)
	switch {
	case err == nil:
		return User{}, fmt.Errorf("%w: %s is %s", ErrNameTaken, name, rec.Account.Short())
	case errors.Is(err, ErrNameConflict):
		_ = others
		return User{}, fmt.Errorf("%w: %s", ErrNameTaken, name)
	case !errors.Is(err, ErrUnknownName):
		return User{}, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return User{}, err
	}
	blob, err := keystore.Seal(priv, password, n.kdf)
	if err != nil {
		return User{}, err
	}
	key := keyOf(priv)
	acct := store.Account{Name: name, Key: key, Secret: blob, Created: time.Now().UTC().Truncate(time.Millisecond)}
	if err := n.store.PutAccount(acct); err != nil {
		if errors.Is(err, store.ErrExists) {
			return User{}, fmt.Errorf("%w: %s", ErrAccountExists, name)
		}
		return User{}, err
	}
	if err := n.store.PutName(key, name); err != nil {
		return User{}, err
	}
	sess, err := n.login(acct, priv)
	if err != nil {
		return User{}, err
	}
	// Claim the name now, so that others can find the account at once;
	// the session republishes it if this attempt does not reach anyone.
	pctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	n.publishName(pctx, sess)
	n.log.Info("registered", "name", name, "key", key.Short())
	return User{Name: name, Key: key.String()}, nil
}

// Login unlocks an account stored on this device with its password and
// makes it the logged-in account.
func (n *Node) Login(ctx context.Context, name, password string) (User, error) {
	if err := n.alive(); err != nil {
		return User{}, err
	}
	if err := entry.ValidName(name); err != nil {
		return User{}, err
	}
	acct, err := n.store.Account(name)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, fmt.Errorf("%w: %s", ErrNoAccount, name)
	} else if err != nil {
		return User{}, err
	}
	priv, err := keystore.Open(acct.Secret, password)
	switch {
	case errors.Is(err, keystore.ErrWrongPassword):
		return User{}, fmt.Errorf("%w for %s", ErrWrongPassword, name)
	case err != nil:
		return User{}, err
	}
	if cur := n.session(); cur != nil {
		if cur.key == acct.Key {
			return User{Name: name, Key: acct.Key.String()}, nil
		}
		return User{}, ErrLoggedIn
	}
	if _, err := n.login(acct, priv); err != nil {
		return User{}, err
	}
	n.log.Info("logged in", "name", name)
	return User{Name: name, Key: acct.Key.String()}, nil
}

// login starts a session for an unlocked account.
func (n *Node) login(acct store.Account, priv ed25519.PrivateKey) (*session, error) {
	head, err := n.store.Head(acct.Key)
	if err != nil {
		return nil, err
	}
	n.clock.Observe(head.Time)
	sess := &session{
		name:      acct.Name,
		key:       acct.Key,
		priv:      priv,
		created:   acct.Created,
		subs:      make(map[entry.Key]*subscription),
		headMoved: make(chan struct{}, 1),
	}
	sess.ctx, sess.cancel = context.WithCancel(n.ctx)
	n.mu.Lock()
	switch {
	case n.closed:
		n.mu.Unlock()
		sess.cancel()
		return nil, ErrClosed
	case n.sess != nil:
		n.mu.Unlock()
		sess.cancel()
		return nil, ErrLoggedIn
	}
	n.sess = sess
	n.mu.Unlock()

	// The own topic is joined to publish on it, and watched: when a
	// follower's subscription arrives, the follower is sent the newest
	// entry (see watchJoins). It is not subscribed to: the device would
	// join the topic's mesh and slow delivery to everyone else.
	if err := n.joinOwn(sess); err != nil {
		n.mu.Lock()
		n.sess = nil
		n.mu.Unlock()
		sess.cancel()
		return nil, fmt.Errorf("core: join own topic: %w", err)
	}

	// In foreground mode, subscribe, sync and keep the name record
	// fresh; otherwise that starts when the node is next in foreground.
	n.powerMu.Lock()
	n.sessionLive(sess)
	n.powerMu.Unlock()
	return sess, nil
}

// Logout ends the session of the logged-in account.
func (n *Node) Logout(ctx context.Context) error {
	n.mu.Lock()
	sess := n.sess
	n.sess = nil
	closed := n.closed
	n.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case sess == nil:
		return ErrNotLoggedIn
	}
	n.endSession(sess)
	n.finalName(sess)
	n.log.Info("logged out", "name", sess.name)
	return nil
}

// finalName republishes the name record of a session that is ending if
// its log grew since the last publication, so that the seq it announces,
// which a restore relies on, is not left behind. It takes at most a few
// seconds.
func (n *Node) finalName(sess *session) {
	if sess.published.Load() == sess.appended.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, 3*time.Second)
	defer cancel()
	n.publishName(ctx, sess)
}

// endSession stops everything the session started and leaves its topics.
func (n *Node) endSession(sess *session) {
	sess.stop()
	n.unsubscribeAll(sess)
	sess.ownJoins.Cancel()
	sess.own.Close()
}

// nameLoop republishes the account's name record periodically, in
// foreground mode.
func (n *Node) nameLoop(ctx context.Context, sess *session) {
	// Republish every NameInterval; after a failure, retry sooner; after
	// the own log grew, within nameDebounce, so the announced seq stays
	// fresh without a DHT write per post.
	retry := 5 * time.Second
	t := time.NewTimer(0) // publish at login
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sess.headMoved:
			t.Reset(nameDebounce)
			continue
		case <-t.C:
		}
		if n.publishName(ctx, sess) {
			retry = 5 * time.Second
			t.Reset(n.cfg.NameInterval)
		} else {
			t.Reset(retry)
			retry = min(2*retry, n.cfg.NameInterval)
		}
	}
}

// waitRouting waits, within ctx, until the DHT routing table has a peer,
// as long as a connected peer may still enter it: right after connecting,
// identify may not have finished yet.
func (n *Node) waitRouting(ctx context.Context) {
	for n.host.DHT.RoutingTable().Size() == 0 && n.dhtPeerPending() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// dhtPeerPending reports whether a connected peer serves the DHT or has not
// been identified yet. Peers in DHT client mode never enter the routing
// table: with only those connected, there is nothing to wait for.
func (n *Node) dhtPeerPending() bool {
	for _, p := range n.host.Network().Peers() {
		protos, err := n.host.Peerstore().GetProtocols(p)
		if err != nil || len(protos) == 0 || slices.Contains(protos, dhtProtocol) {
			return true
		}
	}
	return false
}

// publishName signs and stores the account's name record in the DHT and
// reports whether that reached the network. Errors are logged: the record is
// republished periodically.
func (n *Node) publishName(ctx context.Context, sess *session) bool {
	// Publications in turn: the DHT stores a record locally before sending
	// it, so one cut short would leave a newer local record that makes a
	// concurrent, older one fail ("old record") without reaching anyone.
	sess.publishMu.Lock()
	defer sess.publishMu.Unlock()
	version := sess.appended.Load()
	val, err := n.ownRecord(sess)
	if err != nil {
		n.log.Warn("publish name", "err", err)
		return false
	}
	// Kept to go with the account's notices sent while it is logged out.
	if err := n.store.PutOwnRecord(sess.key, val); err != nil {
		n.log.Warn("name record not kept", "err", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	n.waitRouting(wctx)
	cancel()
	if err := n.host.DHT.PutValue(ctx, names.Key(sess.name), val); err != nil {
		n.log.Warn("name record not published", "name", sess.name, "err", err)
		return false
	}
	sess.published.Store(version)
	n.log.Debug("name record published", "name", sess.name)
	return true
}

// lookupName asks the DHT for every record claiming name: the local one and
// one from each of the peers closest to the name's key. It returns the
// winning record and the other keys that claim the name, with
// ErrNameConflict if there are any, or ErrUnknownName if nobody claims it.
func (n *Node) lookupName(ctx context.Context, name string) (names.Record, []entry.Key, error) {
	if err := entry.ValidName(name); err != nil {
		return names.Record{}, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	key := names.Key(name)
	n.waitRouting(ctx)

	var (
		mu   sync.Mutex
		vals [][]byte
		wg   sync.WaitGroup
	)
	add := func(v []byte) {
		mu.Lock()
		vals = append(vals, v)
		mu.Unlock()
	}
	wg.Add(1)
	go func() { // the best value found by a DHT search, local store included
		defer wg.Done()
		if v, err := n.host.DHT.GetValue(ctx, key, dht.Quorum(2)); err == nil || len(v) > 0 {
			if len(v) > 0 {
				add(v)
			}
		}
	}()
	pm, err := dhtpb.NewProtocolMessenger(n.host.DHT.MessageSender())
	if err == nil {
		if closest, err := n.host.DHT.GetClosestPeers(ctx, key); err == nil {
			for _, p := range closest {
				wg.Add(1)
				go func(p peer.ID) { // every peer's own copy, to see conflicts
					defer wg.Done()
					if rec, _, err := pm.GetValue(ctx, p, key); err == nil && rec != nil {
						add(rec.GetValue())
					}
				}(p)
			}
		}
	}
	wg.Wait()

	best, others, err := names.Resolve(vals, key)
	if errors.Is(err, names.ErrNotFound) {
		if len(n.host.Network().Peers()) == 0 {
			return names.Record{}, nil, fmt.Errorf("%w: %s (no peers connected: is the bootstrap address right?)", ErrUnknownName, name)
		}
		return names.Record{}, nil, fmt.Errorf("%w: %s", ErrUnknownName, name)
	}
	if err != nil {
		return names.Record{}, nil, err
	}
	if _, err := n.learnRecord(best); err != nil {
		return names.Record{}, nil, err
	}
	if len(others) > 0 {
		return best, others, fmt.Errorf("%w: %s is claimed by %s and %d other key(s)", ErrNameConflict, name, best.Account.Short(), len(others))
	}
	return best, nil, nil
}

// resolve maps a name to an account key for the logged-in account: the key
// pinned on first use if there is one, else the DHT's answer, which is then
// pinned. A pinned name whose DHT record names another key is reported as
// ErrNameConflict.
func (n *Node) resolve(ctx context.Context, sess *session, name string) (entry.Key, error) {
	if name == sess.name {
		return sess.key, nil
	}
	pinned, err := n.store.Pinned(sess.key, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return entry.Key{}, err
	}
	havePin := err == nil
	rec, others, err := n.lookupName(ctx, name)
	switch {
	case havePin && err == nil && rec.Account != pinned:
		return pinned, fmt.Errorf("%w: %s is pinned to %s but the network says %s", ErrNameConflict, name, pinned.Short(), rec.Account.Short())
	case havePin:
		return pinned, nil // lookups may fail offline; the pin stands
	case err != nil:
		_ = others
		return entry.Key{}, err
	}
	if err := n.store.Pin(sess.key, name, rec.Account); err != nil {
		return entry.Key{}, err
	}
	return rec.Account, nil
}

// meetHolders connects to the devices that announced they hold the
// account's own log: its followers. Connecting prompts them to deliver any
// notices they queued while this device was away (follows, replies).
func (n *Node) meetHolders(ctx context.Context, sess *session) {
	for _, p := range n.findHolders(ctx, sess.key) {
		if n.reachable(p) {
			n.requestSync(p) // connected already: ask it along with the rest
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, dialTimeout)
		n.connect(dctx, peer.AddrInfo{ID: p})
		cancel()
	}
}

// locateFollowed looks up the name records of followed authors whose device
// is not known yet, so that sync can reach them.
func (n *Node) locateFollowed(ctx context.Context, sess *session) {
	follows, err := n.store.Following(sess.key)
	if err != nil {
		return
	}
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, f := range follows {
		if _, ok := n.deviceOf(f.Target); ok {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rec, _, err := n.lookupName(ctx, f.Name)
			if err != nil && rec.Account != f.Target {
				n.log.Debug("followed author not found", "name", f.Name, "err", err)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() == nil {
		sess.located.Store(true)
	}
}

// ownRecord signs a fresh name record of the session's account: its
// device, addresses and latest seq, with an update time later than that of
// any record signed before.
func (n *Node) ownRecord(sess *session) ([]byte, error) {
	head, err := n.store.Head(sess.key)
	if err != nil {
		return nil, err
	}
	var addrs [][]byte
	for _, a := range n.host.Addrs() {
		if len(addrs) == names.MaxAddrs {
			break
		}
		addrs = append(addrs, a.Bytes())
	}
	sess.mu.Lock()
	updated := max(uint64(time.Now().UnixMilli()), sess.lastUpdated+1)
	sess.lastUpdated = updated
	sess.mu.Unlock()
	return names.Sign(sess.priv, names.Record{
		Name:    sess.name,
		Created: uint64(sess.created.UnixMilli()),
		Updated: updated,
		HeadSeq: head.Seq,
		PeerID:  []byte(n.host.ID()),
		Addrs:   addrs,
	})
}
