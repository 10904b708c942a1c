// Package core is the Skein engine: a decentralized, Twitter-like timeline.
//
// A Node holds the device's accounts and the signed, append-only logs of the
// accounts they follow, in a LevelDB store. It runs one libp2p host: a
// Kademlia DHT (protocol prefix /skein) maps usernames to account keys and
// devices, GossipSub delivers new entries live to followers, and a pull
// protocol catches up on what was missed. One account is logged in at a time.
//
// A Node is safe for concurrent use. Close releases everything it started.
package core

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/bookmarks"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hints"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/keylock"
	"github.com/skein-p2p/skein/core/internal/keystore"
	"github.com/skein-p2p/skein/core/internal/likes"
	"github.com/skein-p2p/skein/core/internal/medialib"
	"github.com/skein-p2p/skein/core/internal/moderation"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/profiles"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/redial"
	"github.com/skein-p2p/skein/core/internal/search"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
	"github.com/skein-p2p/skein/core/internal/syncserve"
	"github.com/skein-p2p/skein/core/internal/threads"
)

// DHTMode selects the node's role in the DHT.
type DHTMode int

// DHT modes.
const (
	DHTAuto   DHTMode = iota // server when publicly reachable, client otherwise
	DHTServer                // always answer DHT queries
	DHTClient                // only query (phones)
)

func (m DHTMode) opt() dht.ModeOpt {
	switch m {
	case DHTServer:
		return dht.ModeServer
	case DHTClient:
		return dht.ModeClient
	}
	return dht.ModeAuto
}

// Config configures a Node. Zero fields mean "use the default".
type Config struct {
	// DataDir is where the node keeps its store and device key. Required.
	DataDir string
	// ListenAddrs are multiaddrs to listen on. Default: every interface,
	// system-chosen ports, TCP and QUIC.
	ListenAddrs []string
	// BootstrapAddrs are full multiaddrs (ending in /p2p/<id>) of relays or
	// other nodes to join the network through. Default: none; the node
	// dials nobody it was not told about.
	BootstrapAddrs []string
	// DHTMode is the node's DHT role. Default DHTAuto.
	DHTMode DHTMode
	// SyncInterval is how often the node pulls the logs it follows from
	// peers. Default 5 minutes.
	SyncInterval time.Duration
	// NameInterval is how often a logged-in account republishes its name
	// record. Default 10 minutes.
	NameInterval time.Duration
	// Retention says which entries of other accounts are kept.
	Retention Retention
	// PowerMode is the mode the node starts in (see SetPowerMode).
	// Default PowerForeground.
	PowerMode PowerMode
	// BackgroundSync is how often a node in PowerBackground wakes for its
	// batched sync. Default 15 minutes.
	BackgroundSync time.Duration
	// RelayAddrs are full multiaddrs (ending in /p2p/<id>) of circuit
	// relays, such as skein relay, to hold a reservation with while the
	// node is not publicly reachable, so that peers can reach it through
	// them. Relays among the peers found through the DHT are used too.
	// Default none.
	RelayAddrs []string
	// Reachability says whether others can dial this node directly.
	// Default ReachabilityAuto: AutoNAT finds out, which takes 15 s or more.
	Reachability Reachability
	// StoreForward asks store-and-forward relays (skein relay
	// --store-forward) to keep the logs the logged-in account follows, and
	// its own, so that a background wake syncs with that one peer. Default
	// off: the relay learns whom the account follows.
	StoreForward bool
	// MaxConns is the connection manager's high-water mark: above it, the
	// least useful connections are closed down to a third of it. Default
	// 192; phones use fewer.
	MaxConns int
	// Media bounds the space media takes (blobstore.Limits: the cache
	// budget, by default min(1 GiB, 10 % of the free space), the
	// thumbnails' 64 MiB). Own media and mirrored albums are never evicted.
	Media MediaLimits
	// Logger receives the node's logs. Default: discard.
	Logger *slog.Logger

	// kdf overrides the password hashing cost; tests use cheap settings.
	kdf *keystore.Params
	// liveTopics overrides maxLiveTopics (tests).
	liveTopics int
	// gcInterval overrides how often garbage collection runs (tests).
	gcInterval time.Duration
	// gossipCheck overrides how often connections to followed authors'
	// devices are checked for GossipSub streams half open (tests).
	gossipCheck time.Duration
	// serveLimits overrides the budgets of what the node serves by sync;
	// zero fields keep the defaults (tests).
	serveLimits syncserve.Limits
	// publishHook, if set, is called as an own entry is handed to
	// GossipSub, after it was stored durably (benchmarks time from it).
	publishHook func(*entry.Entry)
	// scoreDecay overrides how fast GossipSub forgets invalid messages,
	// and scoreInspect, if set, receives every peer's score each second
	// (tests).
	scoreDecay   time.Duration
	scoreInspect func(map[peer.ID]float64)
	// mediaImmunity overrides how long a fetched blob is safe from
	// eviction (tests).
	mediaImmunity time.Duration
	// chatHold, if set, holds each group entry it returns a delay for
	// back by that long before the engine sees it, by every path (the
	// seed's -delay, for the causal-order test).
	chatHold func(*chatlog.Entry) time.Duration
	// sim holds a simulation's hooks (simhooks.go).
	sim *simHooks
}

const (
	defaultSyncInterval = 5 * time.Minute
	defaultNameInterval = 10 * time.Minute
	syncTimeout         = time.Minute // one sync exchange with one peer
	lookupTimeout       = 15 * time.Second
	dialTimeout         = 10 * time.Second
	noticeTimeout       = 10 * time.Second
	nameDebounce        = 5 * time.Second // republish delay after the own log grew
	maxSyncRounds       = 256             // bounds one catch-up at 256 × syncproto.MaxEntries
	maxStalls           = 3               // interrupted sync answers in a row that added nothing before syncPeer gives up
)

// Node is a running Skein node.
type Node struct {
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	host   *p2p.Host
	clock  *hlc.Clock
	kdf    keystore.Params
	events hub
	boot   []peer.AddrInfo
	relays []peer.AddrInfo
	dhtMsg *dhtpb.ProtocolMessenger // DHT requests to one peer: anchors, a name's closest peers
	names  *names.Registry          // the name records this node stores as a DHT server
	prof   *profileState            // each author's latest profile (core/profiles.go)
	mod    *moderation.Lists        // each local account's mutes and blocks
	marks  *bookmarks.Book          // each local account's bookmarks
	kv     store.KV                 // the database under store and the tables
	likes  *likes.Table             // the likes seen, per post
	// threads indexes the replies seen, per parent; threadRates limits
	// the thread requests served per peer, and threadDropped counts the
	// replies of thread answers dropped as forged or misplaced.
	threads       *threads.Table
	threadRates   *ratelimit.Limiter
	threadDropped atomic.Uint64
	srch          *search.Indexer   // the local search index and what keeps it true (search.go)
	chatSrv       *chatnet.Server   // answers /skein/chat/1.0.0 from the logged-in account's groups
	lib           *medialib.Library // the blobs held, served and fetched (core/media.go)

	// syncIn counts the bytes of the sync answers this node read.
	syncIn atomic.Uint64

	// plog takes every log line about something a peer did (a rejected
	// message, a refused request), a few per peer a minute: a peer must not
	// be able to fill the disk with them.
	plog        *ratelimit.Log
	noticeRates noticeRates
	dirStats    directoryStats // results of relays' directories dropped

	ctx    context.Context // the node's lifetime
	cancel context.CancelFunc

	powerMu    sync.Mutex              // serialises power-mode changes and session starts
	power      PowerMode               // as set by the app
	network    NetworkType             // as set by the app
	running    PowerMode               // the mode applied: power, or off without a network; -1 before the first
	live       *group                  // foreground loops; nil unless running in foreground
	background *group                  // the background waker; nil unless in background
	liveFlag   atomic.Bool             // live != nil, read without powerMu
	wakeKick   chan struct{}           // asks the background loop to wake now
	metered    atomic.Bool             // network == NetworkCellular
	announced  map[entry.Key]time.Time // when each held log was last announced

	syncKick    chan struct{}          // wakes the sync loop
	syncMu      sync.Mutex             // guards syncWant
	syncWant    map[peer.ID]bool       // peers to sync with soon
	syncing     keylock.Locks[peer.ID] // one syncPeer per peer at a time
	announceReq chan entry.Key
	keepKick    chan struct{} // the following list changed: tell store-and-forward relays
	redial      *redial.Loop  // dials followed authors' devices again (reconnect.go)

	mu      sync.Mutex
	sess    *session
	closed  bool
	devices map[entry.Key]peer.ID // account → device from its name record
	hints   hints.Hints           // which peers hold which logs: what to ask each for
	contact map[peer.ID]time.Time // device → when last connected, for presence
	synced  time.Time             // end of the last background sync
	keeper  peer.AddrInfo         // the store-and-forward relay that keeps the followed logs

	closeOnce sync.Once
	closeErr  error
}

// New opens the store in cfg.DataDir, starts the libp2p host and joins the
// network through cfg.BootstrapAddrs. ctx bounds start-up only.
func New(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("core: no data directory configured")
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = defaultSyncInterval
	}
	if cfg.NameInterval <= 0 {
		cfg.NameInterval = defaultNameInterval
	}
	if cfg.BackgroundSync <= 0 {
		cfg.BackgroundSync = defaultBackgroundSync
	}
	if cfg.gossipCheck <= 0 {
		cfg.gossipCheck = gossipCheck
	}
	if cfg.liveTopics <= 0 {
		cfg.liveTopics = maxLiveTopics
	}
	if cfg.PowerMode < PowerForeground || cfg.PowerMode > PowerOff {
		return nil, fmt.Errorf("core: unknown power mode %d", int(cfg.PowerMode))
	}
	connHigh := 192
	if cfg.MaxConns > 0 {
		connHigh = max(cfg.MaxConns, backgroundConns)
	}
	log := orDiscard(cfg.Logger)
	boot, err := p2p.ParseAddrs(cfg.BootstrapAddrs)
	if err != nil {
		return nil, fmt.Errorf("core: bootstrap: %w", err)
	}
	relays, err := p2p.ParseAddrs(cfg.RelayAddrs)
	if err != nil {
		return nil, fmt.Errorf("core: relay: %w", err)
	}
	if cfg.Reachability < ReachabilityAuto || cfg.Reachability > ReachabilityPublic {
		return nil, fmt.Errorf("core: unknown reachability %d", int(cfg.Reachability))
	}
	key, err := p2p.LoadKey(filepath.Join(cfg.DataDir, "device.key"))
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	kv, err := store.OpenLevelDB(filepath.Join(cfg.DataDir, "store"))
	if err != nil {
		if errors.Is(err, store.ErrInUse) {
			return nil, fmt.Errorf("core: %w: %s", ErrDataDirInUse, cfg.DataDir)
		}
		return nil, fmt.Errorf("core: %w", err)
	}
	st, err := store.New(kv)
	if err != nil {
		kv.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	reg, err := names.OpenRegistry(store.Prefix(kv, []byte{store.NamePrefix}), names.Limits{})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	prof, err := openProfiles(kv)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	mod, marks, err := openLocalLists(kv)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	searchIx, err := openSearch(kv)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Lines about peers, refused DHT puts among them, go through one Log.
	plog := ratelimit.NewLog(log)
	n := &Node{
		names:       reg,
		prof:        prof,
		mod:         mod,
		marks:       marks,
		kv:          kv,
		likes:       likes.Open(store.Prefix(kv, []byte{store.LikePrefix}), likes.Limits{}),
		threads:     threads.Open(store.Prefix(kv, []byte{store.ThreadPrefix}), threads.Limits{}),
		threadRates: newThreadRates(),
		srch:        search.NewIndexer(searchIx, st, log),
		plog:        plog,
		cfg:         cfg,
		log:         log,
		store:       st,
		clock:       hlc.New(nil),
		kdf:         keystore.DefaultParams,
		boot:        boot,
		syncKick:    make(chan struct{}, 1),
		syncWant:    make(map[peer.ID]bool),
		announceReq: make(chan entry.Key, 64),
		keepKick:    make(chan struct{}, 1),
		relays:      relays,
		devices:     make(map[entry.Key]peer.ID),
		contact:     make(map[peer.ID]time.Time),
		announced:   make(map[entry.Key]time.Time),
		wakeKick:    make(chan struct{}, 1),
	}
	if cfg.kdf != nil {
		n.kdf = *cfg.kdf
	}
	n.host, err = p2p.New(ctx, p2p.Config{
		Key:         key,
		ListenAddrs: cfg.ListenAddrs,
		Bootstrap:   boot,
		DHTMode:     cfg.DHTMode.opt(),
		Validator:   record.NamespacedValidator{names.Namespace: names.Validator{}},
		// Name records go to the registry, which keeps the first claim of
		// a name; claims outlive kad-dht's 48 h.
		Values:       reg,
		MaxRecordAge: names.ClaimLifetime,
		OnRequest:    names.NewGuard(reg, names.Rates{}, plog).Hook,
		PubSub:       true,
		ConnLow:      connHigh / 3,
		ConnHigh:     connHigh,
		// The DHT refreshes when this node says: a node in background
		// mode must not be woken by the DHT's own timers.
		ManualRefresh: true,
		HolePunch:     true,
		Reachability:  cfg.Reachability.network(),
		ScoreDecay:    cfg.scoreDecay,
		ScoreInspect:  cfg.scoreInspect,
		Logger:        log,
		Sim:           cfg.sim.hostHooks(),
	})
	if err != nil {
		plog.Close()
		st.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	if n.dhtMsg, err = dhtpb.NewProtocolMessenger(n.host.DHT.MessageSender()); err != nil {
		n.host.Close()
		plog.Close()
		st.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	n.log = log.With("node", n.host.ID().ShortString())
	n.noticeRates = newNoticeRates()
	n.backfillThreads()
	n.host.Gate.SetInbound(inboundLimits(connHigh), n.important)
	n.ctx, n.cancel = context.WithCancel(context.Background())
	srv := syncserve.New(n.store, cfg.serveLimits, n.plog)
	n.host.SetStreamHandler(syncproto.SyncID, func(s network.Stream) { srv.Serve(n.ctx, s) })
	n.host.SetStreamHandler(syncproto.NotifyID, n.serveNotice)
	n.host.SetStreamHandler(profiles.ProtocolID, n.serveProfile)
	n.host.SetStreamHandler(threads.ID, n.serveThread)
	n.redial = n.newRedial()
	n.chatSrv = chatnet.NewServer(n.host, nodeChat{n}, nodeChat{n}, nil, chatnet.Limits{}, n.plog)
	if n.lib, err = openMedia(cfg.DataDir, kv, n, cfg.Media.limits(cfg.mediaImmunity)); err != nil {
		n.chatSrv.Close()
		n.cancel()
		n.host.Close()
		plog.Close()
		st.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	n.host.Network().Notify(&network.NotifyBundle{
		ConnectedF:    n.connected,
		DisconnectedF: n.disconnected,
	})
	n.powerMu.Lock()
	n.power = cfg.PowerMode
	n.running = -1 // nothing runs yet: applyPower starts the mode
	n.applyPower()
	n.powerMu.Unlock()
	n.srch.Start()
	log.Info("node started", "peer", n.host.ID(), "addrs", n.host.Addrs(), "power", cfg.PowerMode)
	return n, nil
}

// Close logs out, stops networking and closes the store. It is safe to call
// more than once.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		sess := n.sess
		n.sess = nil
		n.mu.Unlock()
		if sess != nil {
			n.endSession(sess)
			n.finalName(sess)
		}
		n.powerMu.Lock()
		n.stopMode()
		n.powerMu.Unlock()
		n.cancel()
		n.host.RemoveStreamHandler(syncproto.SyncID)
		n.host.RemoveStreamHandler(syncproto.NotifyID)
		n.host.RemoveStreamHandler(profiles.ProtocolID)
		n.host.RemoveStreamHandler(threads.ID)
		n.chatSrv.Close()
		mediaErr := n.lib.Close()
		n.events.close()
		hostErr := n.host.Close()
		n.plog.Close()
		n.srch.Close()
		n.closeErr = errors.Join(hostErr, mediaErr, n.store.Close())
	})
	return n.closeErr
}

// PeerID returns the device's libp2p peer ID.
func (n *Node) PeerID() string { return n.host.ID().String() }

// Addrs returns the node's listen addresses, each ending in /p2p/<id>.
func (n *Node) Addrs() []string { return n.host.FullAddrs() }

// Status describes the node and the logged-in account.
func (n *Node) Status(ctx context.Context) (Status, error) {
	if err := n.alive(); err != nil {
		return Status{}, err
	}
	st := Status{
		PeerID:  n.PeerID(),
		Addrs:   n.Addrs(),
		Peers:   len(n.host.Network().Peers()),
		DHTMode: "client",

		Reachability: strings.ToLower(n.host.Reachability().String()),
		HolePunch:    n.host.HolePunchReady(),
		Relays:       []string{},
		Goroutines:   runtime.NumGoroutine(),
	}
	for _, r := range n.host.Relays() {
		st.Relays = append(st.Relays, r.String())
	}
	n.powerMu.Lock()
	st.Power, st.Network = n.power, n.network
	n.powerMu.Unlock()
	if n.host.DHT.Mode() == dht.ModeServer {
		st.DHTMode = "server"
	}
	accts, err := n.store.Accounts()
	if err != nil {
		return st, err
	}
	for _, a := range accts {
		st.Accounts = append(st.Accounts, a.Name)
	}
	if sess := n.session(); sess != nil {
		st.Account, st.Key = sess.name, sess.key.String()
		st.Restoring = sess.restoring.Load()
		h, err := n.store.Head(sess.key)
		if err != nil {
			return st, err
		}
		st.Entries = h.Seq
		fl, err := n.store.Following(sess.key)
		if err != nil {
			return st, err
		}
		st.Following = len(fl)
		fr, err := n.store.Followers(sess.key)
		if err != nil {
			return st, err
		}
		st.Followers = len(fr)
		if st.Unread, err = n.store.Unread(sess.key); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (n *Node) alive() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	return nil
}

// session returns the logged-in session, or nil.
func (n *Node) session() *session {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sess
}

// requireSession returns the logged-in session or ErrNotLoggedIn.
func (n *Node) requireSession() (*session, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return nil, ErrClosed
	case n.sess == nil:
		return nil, ErrNotLoggedIn
	}
	return n.sess, nil
}

// bootstrapLoop keeps the node connected to its bootstrap peers: it dials
// each one that is not connected, at start and then every 30 seconds, and
// refreshes the DHT routing table after a (re)connect and every
// refreshEvery. It runs in foreground mode only.
func (n *Node) bootstrapLoop(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	var refreshed time.Time
	for {
		joined := false
		for _, ai := range n.boot {
			if n.reachable(ai.ID) {
				continue
			}
			dctx, cancel := context.WithTimeout(ctx, dialTimeout)
			err := n.connect(dctx, ai)
			cancel()
			if err != nil {
				n.log.Warn("bootstrap peer unreachable", "peer", ai.ID, "err", err)
				continue
			}
			n.host.ConnManager().Protect(ai.ID, "bootstrap")
			joined = true
		}
		if joined || time.Since(refreshed) >= refreshEvery && n.host.DHT.RoutingTable().Size() > 0 {
			select {
			case <-n.host.DHT.RefreshRoutingTable():
			case <-ctx.Done():
				return
			}
			refreshed = time.Now()
		}
		if joined {
			if sess := n.session(); sess != nil {
				n.goSession(sess, func(ctx context.Context) { n.publishName(ctx, sess) })
			}
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// joinTimeout bounds how long the start of foreground work waits for the
// node to be back in the network.
const joinTimeout = 10 * time.Second

// waitJoined waits, within ctx and joinTimeout, until the node is connected
// to one of its bootstrap peers and, if that peer serves the DHT, has it in
// its routing table, so that name and holder lookups made next can reach
// the DHT. A node without bootstrap peers does not wait.
func (n *Node) waitJoined(ctx context.Context) {
	if len(n.boot) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	for {
		for _, ai := range n.boot {
			if n.reachable(ai.ID) {
				n.waitRouting(ctx)
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// redialPeer dials p within timeout, first forgetting the swarm's backoff
// from earlier failed dials: for callers that space their own attempts, or
// whose earlier attempts were made while offline and say nothing now.
func (n *Node) redialPeer(ctx context.Context, p peer.ID, timeout time.Duration) error {
	if sw, ok := n.host.Network().(*swarm.Swarm); ok {
		sw.Backoff().Clear(p)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return n.connect(ctx, peer.AddrInfo{ID: p})
}

// connect dials a peer, retrying once: two loopback hosts dialling each
// other at the same moment can fail the Noise handshake (go-libp2p#2925).
func (n *Node) connect(ctx context.Context, ai peer.AddrInfo) error {
	// A connection through a relay will do: Skein's protocols use it.
	ctx = network.WithAllowLimitedConn(ctx, "skein")
	err := n.host.Connect(ctx, ai)
	if err != nil && ctx.Err() == nil {
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
		err = n.host.Connect(ctx, ai)
	}
	return err
}

func (n *Node) connected(_ network.Network, c network.Conn) {
	n.touch(c.RemotePeer())
	n.protectImportant(c.RemotePeer())
	n.events.emit(Event{Kind: EventConnectivity, Peers: len(n.host.Network().Peers())})
	n.requestSync(c.RemotePeer())
	n.anchorConnected(c.RemotePeer())
}

func (n *Node) disconnected(_ network.Network, c network.Conn) {
	n.touch(c.RemotePeer())
	n.lost(c.RemotePeer())
	n.events.emit(Event{Kind: EventConnectivity, Peers: len(n.host.Network().Peers())})
}

// touch records contact with a peer now.
func (n *Node) touch(p peer.ID) {
	n.mu.Lock()
	n.contact[p] = time.Now()
	n.mu.Unlock()
}

// presence says whether a device is connected now, and when this node was
// last in contact with it (zero if never).
func (n *Node) presence(p peer.ID) (online bool, last time.Time) {
	if n.reachable(p) {
		return true, time.Now()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return false, n.contact[p]
}

// deviceOf returns the device last seen publishing author's name record.
func (n *Node) deviceOf(author entry.Key) (peer.ID, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, ok := n.devices[author]
	return p, ok
}

// learnRecord remembers what a verified name record says: the account's
// name, its device and the device's addresses, and its latest seq. The
// name and seq are only cached in the store: if the store cannot take them
// (a full disk), the record is used all the same.
func (n *Node) learnRecord(r names.Record) (peer.ID, error) {
	if err := errors.Join(n.store.PutName(r.Account, r.Name), n.store.SetKnown(r.Account, r.HeadSeq)); err != nil {
		n.log.Warn("name record not cached", "name", r.Name, "err", err)
	}
	n.indexName(r.Account, r.Name)
	return n.learnDevice(r)
}

// learnDevice remembers, in memory only, the device a verified name record
// names for its account, and the device's addresses.
func (n *Node) learnDevice(r names.Record) (peer.ID, error) {
	pid, err := n.recordPeer(r)
	if err != nil || pid == n.host.ID() {
		return pid, err
	}
	n.mu.Lock()
	n.devices[r.Account] = pid
	n.mu.Unlock()
	return pid, nil
}

// recordPeer returns the device a verified name record names, and gives
// the peerstore its addresses for an hour (not for this device's own).
func (n *Node) recordPeer(r names.Record) (peer.ID, error) {
	pid, err := peer.IDFromBytes(r.PeerID)
	if err != nil {
		return "", fmt.Errorf("core: name record of %s: %w", r.Name, err)
	}
	if pid == n.host.ID() {
		return pid, nil
	}
	var addrs []ma.Multiaddr
	for _, b := range r.Addrs {
		if a, err := ma.NewMultiaddrBytes(b); err == nil {
			addrs = append(addrs, a)
		}
	}
	n.host.Peerstore().AddAddrs(pid, addrs, time.Hour)
	return pid, nil
}

// verifyAll checks the signatures of es on every core. It returns the
// good prefix of es and the error of the first bad entry, if any. es is cut
// into one contiguous part per core, so that each part keeps the runs of
// one author's entries a sync answer is made of, and each part is checked
// in batches (entry.VerifyBatch).
func verifyAll(es []*entry.Entry) ([]*entry.Entry, error) {
	workers := min(len(es)/minVerifyPart+1, maxProcs())
	if workers <= 1 {
		if bad, err := entry.VerifyBatch(es); err != nil {
			return es[:bad], err
		}
		return es, nil
	}
	type result struct {
		bad int
		err error
	}
	results := make([]result, workers)
	part := (len(es) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(w*part, len(es)), min((w+1)*part, len(es))
		wg.Go(func() {
			bad, err := entry.VerifyBatch(es[lo:hi])
			results[w] = result{lo + bad, err}
		})
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return es[:r.bad], r.err
		}
	}
	return es, nil
}

// minVerifyPart is the fewest entries verifyAll gives a core of its own:
// below it, the batch per core is too small to gain from.
const minVerifyPart = 32

// orDiscard returns log, or a logger that discards everything if log is nil.
func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

// keyOf returns the public key of an account's private key.
func keyOf(priv ed25519.PrivateKey) entry.Key {
	return entry.KeyOf(priv.Public().(ed25519.PublicKey))
}
