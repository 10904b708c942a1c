package core

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
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
	nonce   uint64 // the work of the account's name claim

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	wgMu    sync.Mutex // guards stopped and wg.Add against stop's Wait
	stopped bool

	appendMu  sync.Mutex  // serialises appends to the account's own log
	restoring atomic.Bool // own log not yet fetched back after a restore
	located   atomic.Bool // locateFollowed has run to its end
	own       *pubsub.Topic
	ownJoins  *pubsub.TopicEventHandler

	headMoved chan struct{} // own log grew: the name record's seq is stale
	publishMu sync.Mutex    // one name publication at a time
	appended  atomic.Uint64 // own entries appended in this session
	published atomic.Uint64 // value of appended at the last name publication
	// dirProfile is the seq of the own profile entry last published to
	// the relays' directories.
	dirProfile atomic.Uint64

	mu          sync.Mutex
	subs        map[entry.Key]*subscription // followed authors' topics
	chat        *chatSess                   // messaging: the account's groups (chatsession.go)
	pending     []*entry.Entry              // own entries to publish when live again
	lastUpdated uint64                      // Updated of the last name record published
}

// stop ends everything the session started and waits for it.
func (s *session) stop() {
	s.cancel()
	s.wgMu.Lock()
	s.stopped = true
	s.wgMu.Unlock()
	s.wg.Wait()
}

// add counts one more goroutine of the session, unless stop has begun:
// a WaitGroup must not grow from zero while Wait runs (another loop may
// start session work just as the session ends).
func (s *session) add() bool {
	s.wgMu.Lock()
	defer s.wgMu.Unlock()
	if s.stopped {
		return false
	}
	s.wg.Add(1)
	return true
}

// goSession runs fn on a goroutine owned by sess: it ends before Logout or
// Close returns.
func (n *Node) goSession(sess *session, fn func(ctx context.Context)) {
	if !sess.add() {
		return
	}
	go func() {
		defer sess.wg.Done()
		fn(sess.ctx)
	}()
}

// Register creates an account on this device, claims its name and logs
// in. The claim costs about 0.2 s of work (proof of work, so that names
// cannot be claimed by the million), and goes first to the relays and
// bootstrap peers the node is connected to, which keep the first claim of
// a name. Register fails with ErrNameTaken, leaving no account behind, if
// a lookup finds another key claiming the name or a relay holds another
// key's claim, and with ErrInvalidName unless the name is 3 to 32
// characters of a-z, 0-9 and _.
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
	res, err := n.lookupName(ctx, name)
	switch {
	case err == nil:
		return User{}, fmt.Errorf("%w: %s is %s", ErrNameTaken, name, res.Record.Account.Short())
	case errors.Is(err, ErrNameConflict):
		return User{}, fmt.Errorf("%w: %s", ErrNameTaken, name)
	case !unclaimed(err):
		return User{}, err
	}
	priv, nonce, err := n.cfg.sim.newAccount(name)
	if err != nil {
		return User{}, err
	}
	key := keyOf(priv)
	created := time.Now().UTC().Truncate(time.Millisecond)
	// Claim the name at the anchors before anything is stored here: one
	// that holds another key's claim (registered since the lookup) makes
	// the name taken.
	claim, err := names.Sign(priv, names.Record{
		Name:    name,
		Nonce:   nonce,
		Created: uint64(created.UnixMilli()),
		Updated: uint64(created.UnixMilli()),
		PeerID:  []byte(n.host.ID()),
		Addrs:   n.recordAddrs(),
	})
	if err != nil {
		return User{}, err
	}
	switch c := n.putAnchors(ctx, name, claim); {
	case c.taken:
		return User{}, fmt.Errorf("%w: %s is %s at your relay", ErrNameTaken, name, c.holder.Short())
	case c.tried > 0 && c.accepted == 0:
		return User{}, fmt.Errorf("core: no relay took the claim of %s (%w): try again", name, c.err)
	}
	blob, err := keystore.Seal(priv, password, n.kdf)
	if err != nil {
		return User{}, err
	}
	acct := store.Account{Name: name, Key: key, Secret: blob, Created: created}
	if err := n.store.PutAccount(acct); err != nil {
		if errors.Is(err, store.ErrExists) {
			return User{}, fmt.Errorf("%w: %s", ErrAccountExists, name)
		}
		return User{}, err
	}
	if err := n.store.PutName(key, name); err != nil {
		return User{}, err
	}
	n.indexName(key, name)
	if err := n.keepWork(key, name, nonce); err != nil {
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
	nonce, err := n.nameWork(acct.Key, acct.Name)
	if err != nil {
		return nil, err
	}
	n.clock.Observe(head.Time)
	sess := &session{
		name:    acct.Name,
		key:     acct.Key,
		priv:    priv,
		created: acct.Created,
		nonce:   nonce,
		// A name record of this session is later than the account's
		// claim, which Register put to the anchors.
		lastUpdated: uint64(acct.Created.UnixMilli()),
		subs:        make(map[entry.Key]*subscription),
		headMoved:   make(chan struct{}, 1),
	}
	sess.ctx, sess.cancel = context.WithCancel(n.ctx)
	// Messaging is open before the session is published: other goroutines
	// (the chat protocol's server, connection notifications) read
	// sess.chat without a lock once n.sess is set.
	if err := n.openChat(sess); err != nil {
		sess.cancel()
		return nil, err
	}
	n.mu.Lock()
	switch {
	case n.closed:
		n.mu.Unlock()
		sess.cancel()
		n.closeChat(sess)
		return nil, ErrClosed
	case n.sess != nil:
		n.mu.Unlock()
		sess.cancel()
		n.closeChat(sess)
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
		n.closeChat(sess)
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
	n.closeChat(sess)
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
			if _, ok := n.lookupAccount(ctx, f.Name, f.Target); !ok {
				n.log.Debug("followed author not found", "name", f.Name, "key", f.Target.Short())
			}
		}()
	}
	wg.Wait()
	if ctx.Err() == nil {
		sess.located.Store(true)
	}
}
