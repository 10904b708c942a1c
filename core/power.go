package core

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// PowerMode says how much of the network a node uses, so that a phone can
// save its battery. The app sets it from its lifecycle with SetPowerMode.
type PowerMode int

// Power modes.
const (
	// PowerForeground: live delivery. The node subscribes to the authors
	// it follows, keeps its connections, and syncs on every connection.
	PowerForeground PowerMode = iota
	// PowerBackground: no open connection and no timer between wakes. Every
	// Config.BackgroundSync the node wakes, opens at most three connections
	// (up to two devices of followed authors, and a bootstrap peer when
	// needed), runs one batched sync with each, delivers queued posts and
	// notices, and closes them again. It accepts no inbound connection.
	PowerBackground
	// PowerOff: no network at all. Posts are stored and published when the
	// node is next in an online mode.
	PowerOff
)

var powerNames = [...]string{"foreground", "background", "off"}

func (m PowerMode) String() string {
	if m < 0 || int(m) >= len(powerNames) {
		return fmt.Sprintf("PowerMode(%d)", int(m))
	}
	return powerNames[m]
}

// MarshalText makes a PowerMode read as its name in JSON.
func (m PowerMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a PowerMode from its name.
func (m *PowerMode) UnmarshalText(b []byte) error {
	v, err := ParsePowerMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParsePowerMode parses a power mode's name.
func ParsePowerMode(s string) (PowerMode, error) {
	for i, name := range powerNames {
		if s == name {
			return PowerMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown power mode %s: use foreground, background or off", entry.Quote(s))
}

// NetworkType is the kind of network the device is on, as the app learns it
// from the operating system.
type NetworkType int

// Network types.
const (
	// NetworkWiFi is an unmetered network (Wi-Fi, wired): no restriction.
	NetworkWiFi NetworkType = iota
	// NetworkCellular is a metered network: the node fetches the posts of
	// the authors it follows but nothing eagerly beyond them: it neither
	// backfills old history of a log nor announces itself as a holder of
	// logs (which invites other devices to fetch from it).
	NetworkCellular
	// NetworkNone: the device has no network; the node behaves as in
	// PowerOff until the network returns, whatever its power mode.
	NetworkNone
)

var networkNames = [...]string{"wifi", "cellular", "none"}

func (t NetworkType) String() string {
	if t < 0 || int(t) >= len(networkNames) {
		return fmt.Sprintf("NetworkType(%d)", int(t))
	}
	return networkNames[t]
}

// MarshalText makes a NetworkType read as its name in JSON.
func (t NetworkType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a NetworkType from its name.
func (t *NetworkType) UnmarshalText(b []byte) error {
	v, err := ParseNetworkType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseNetworkType parses a network type's name.
func ParseNetworkType(s string) (NetworkType, error) {
	for i, name := range networkNames {
		if s == name {
			return NetworkType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown network type %s: use wifi, cellular or none", entry.Quote(s))
}

const (
	defaultBackgroundSync = 15 * time.Minute
	backgroundConns       = 3                // connections a background wake may open
	backgroundPeers       = 2                // devices of followed authors it syncs with
	wakeBudget            = 2 * time.Minute  // bounds one background wake
	wakeDial              = 5 * time.Second  // one dial during a wake
	refreshEvery          = 10 * time.Minute // DHT routing table refresh in foreground
)

// group is a set of goroutines that stop together.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newGroup(parent context.Context) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(parent)
	return g
}

func (g *group) run(fn func(ctx context.Context)) {
	g.wg.Go(func() { fn(g.ctx) })
}

func (g *group) stop() {
	g.cancel()
	g.wg.Wait()
}

// SetPowerMode switches the node to mode m. The switch is done when it
// returns: leaving foreground unsubscribes from every topic and closes every
// connection; entering it reconnects, resubscribes, syncs and publishes
// what was posted in the meantime.
func (n *Node) SetPowerMode(m PowerMode) error {
	if m < PowerForeground || m > PowerOff {
		return fmt.Errorf("core: unknown power mode %d", int(m))
	}
	n.powerMu.Lock()
	defer n.powerMu.Unlock()
	if err := n.alive(); err != nil {
		return err
	}
	n.power = m
	n.applyPower()
	return nil
}

// SetNetworkType tells the node which kind of network the device is on.
func (n *Node) SetNetworkType(t NetworkType) error {
	if t < NetworkWiFi || t > NetworkNone {
		return fmt.Errorf("core: unknown network type %d", int(t))
	}
	n.powerMu.Lock()
	defer n.powerMu.Unlock()
	if err := n.alive(); err != nil {
		return err
	}
	n.network = t
	n.metered.Store(t == NetworkCellular)
	n.applyPower()
	return nil
}

// effective is the mode the node runs in: its power mode, or PowerOff
// without a network. n.powerMu is held.
func (n *Node) effective() PowerMode {
	if n.network == NetworkNone {
		return PowerOff
	}
	return n.power
}

// applyPower moves the node to its effective mode. n.powerMu is held.
// backgroundMediaPeers is how many peers a node in the background serves
// media to at once.
const backgroundMediaPeers = 2

func (n *Node) applyPower() {
	want := n.effective()
	if n.running == want {
		return
	}
	n.stopMode()
	n.running = want
	if want == PowerForeground {
		n.lib.SetServe(blobnet.ServerLimits{})
		n.lib.Resume()
	} else {
		// Media waits for the foreground; a phone in the background
		// serves few peers at once.
		n.lib.Pause()
		n.lib.SetServe(blobnet.ServerLimits{MaxPeers: backgroundMediaPeers})
	}
	// A wake's few short connections cost a phone less than half the
	// bytes over TCP (p2p.Host.PreferTCP); in foreground, QUIC's one
	// round trip to connect wins.
	n.host.PreferTCP(want != PowerForeground)
	switch want {
	case PowerForeground:
		n.host.Gate.Set(-1, true)
		n.startLive()
	case PowerBackground:
		n.host.Gate.Set(0, false)
		n.closeAll()
		n.background = newGroup(n.ctx)
		n.background.run(n.backgroundLoop)
	case PowerOff:
		n.host.Gate.Set(0, false)
		n.closeAll()
	}
	n.log.Info("power mode", "mode", want, "set", n.power, "network", n.network)
}

// stopMode stops what the running mode started. n.powerMu is held.
func (n *Node) stopMode() {
	switch {
	case n.live != nil:
		n.stopLive()
	case n.background != nil:
		n.background.stop()
		n.background = nil
	}
}

// isLive reports whether the node is in foreground mode.
func (n *Node) isLive() bool { return n.liveFlag.Load() }

// startLive starts everything foreground mode runs. n.powerMu is held.
func (n *Node) startLive() {
	n.live = newGroup(n.ctx)
	n.liveFlag.Store(true)
	n.live.run(n.bootstrapLoop)
	n.live.run(n.syncLoop)
	n.live.run(n.announceLoop)
	n.live.run(n.gcLoop)
	n.live.run(n.relayLoop)
	n.live.run(n.redial.Run)
	if sess := n.session(); sess != nil {
		n.sessionLive(sess)
	}
}

// stopLive stops what startLive started and unsubscribes from every topic.
// n.powerMu is held.
func (n *Node) stopLive() {
	n.liveFlag.Store(false)
	n.live.stop()
	n.live = nil
	if sess := n.session(); sess != nil {
		n.unsubscribeAll(sess)
	}
}

// goLive runs fn for sess while both the session and foreground mode last.
// n.powerMu is held.
func (n *Node) goLive(sess *session, fn func(ctx context.Context)) {
	if n.live == nil {
		return
	}
	if !sess.add() {
		return
	}
	ctx, cancel := context.WithCancel(sess.ctx)
	stop := context.AfterFunc(n.live.ctx, cancel)
	n.live.wg.Go(func() {
		defer sess.wg.Done()
		defer stop()
		defer cancel()
		fn(ctx)
	})
}

// sessionLive starts the session's foreground work: its subscriptions (to
// up to maxLiveTopics followed authors, see rebalanceTopics), the
// announcement of its own log as held, the name record's republishing, a sync of everything followed, and the
// publication of what was posted while the node was not live. n.powerMu is
// held.
func (n *Node) sessionLive(sess *session) {
	if n.background != nil {
		// A login in background: the app was woken to sync; do it now.
		select {
		case n.wakeKick <- struct{}{}:
		default:
		}
	}
	// The topics of the most active followed authors, up to
	// maxLiveTopics; the others come with the periodic sync.
	n.rebalanceTopics(sess)
	if n.live != nil {
		// The account's own log is held from the moment the account
		// exists: say so now, not at the announce loop's next pass over
		// the accounts, up to a minute later.
		n.announce(sess.key)
	}
	n.goLive(sess, func(ctx context.Context) { n.nameLoop(ctx, sess) })
	n.goLive(sess, func(ctx context.Context) { n.chatLoop(ctx, sess) })
	n.keepChanged() // tell store-and-forward relays what this account follows
	n.goLive(sess, func(ctx context.Context) {
		// Coming back from another mode, the node has no connection yet:
		// looking names and holders up before it is back in the DHT would
		// find nobody, and the author's followers would stay unconnected
		// until their next periodic sync.
		n.waitJoined(ctx)
		// The posts written while away go out first: the peers met so
		// far (a relay that keeps the account's log, followers that
		// dialled in) forward them on the account's topic. Behind the
		// lookups below (meetHolders alone may retry for up to 15 s
		// plus its searches) they reached followers up to a periodic
		// sync late (the 500-node simulation, issue 16). The holders and
		// followers met, alongside the sync of what is followed, sync
		// them on connecting.
		n.publishPending(ctx, sess)
		var wg sync.WaitGroup
		wg.Go(func() { n.meetHolders(ctx, sess) })
		n.locateFollowed(ctx, sess)
		n.syncAll(ctx)
		wg.Wait()
	})
}

// unsubscribeAll ends every subscription of the session.
func (n *Node) unsubscribeAll(sess *session) {
	sess.mu.Lock()
	subs := sess.subs
	sess.subs = make(map[entry.Key]*subscription)
	sess.mu.Unlock()
	for _, s := range subs {
		s.close()
	}
}

// publishPending hands GossipSub the own entries appended while the node
// was not live. Followers that miss them sync them; this only makes those
// connected now get them at once.
func (n *Node) publishPending(ctx context.Context, sess *session) {
	sess.mu.Lock()
	pending := sess.pending
	sess.pending = nil
	sess.mu.Unlock()
	for _, e := range pending {
		if err := sess.own.Publish(ctx, bytes.Clone(e.Bytes())); err != nil {
			n.log.Debug("queued post not published; followers will sync it", "seq", e.Seq, "err", err)
		}
	}
	if len(pending) > 0 {
		n.log.Info("published queued entries", "entries", len(pending))
	}
}

// closeAll closes every connection.
func (n *Node) closeAll() {
	for _, p := range n.host.Network().Peers() {
		n.host.Network().ClosePeer(p)
	}
}

// backgroundLoop wakes every Config.BackgroundSync for one batched exchange
// with the network, and sleeps in between. The first wake comes at once if
// the last full sync is older than that interval; a login wakes it too.
func (n *Node) backgroundLoop(ctx context.Context) {
	every := n.cfg.BackgroundSync
	next := 0 // the followed author whose device the next wake tries first
	t := time.NewTimer(max(0, every-time.Since(n.lastSynced())))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.wakeKick:
			if !t.Stop() {
				<-t.C
			}
		}
		next = n.wake(ctx, next)
		t.Reset(every)
	}
}

// lastSynced returns when the node last finished a sync with every peer it
// could reach.
func (n *Node) lastSynced() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.synced
}

func (n *Node) markSynced() {
	n.mu.Lock()
	n.synced = time.Now()
	n.mu.Unlock()
}

// wake is one background exchange: connect to up to two devices of
// followed authors (and to a bootstrap peer if none answers, or to look the
// authors up or publish the name record), pull from each, in one request,
// the followed logs it holds (wantsFor), deliver queued notices and posts,
// republish the name record if the own log grew, collect garbage, then
// close every connection. The devices are tried in the order of the
// followed authors from the one at index next, and wake returns the index
// the following wake starts from: with authors on more than two devices,
// successive wakes go round all of them.
func (n *Node) wake(ctx context.Context, next int) int {
	ctx, cancel := context.WithTimeout(ctx, wakeBudget)
	defer cancel()
	n.host.Gate.Set(backgroundConns, false)
	defer func() {
		n.host.Gate.Set(0, false)
		n.closeAll()
	}()
	start := time.Now()
	var peers []peer.ID
	dial := func(ai peer.AddrInfo) bool {
		if slices.Contains(peers, ai.ID) {
			return true
		}
		dctx, cancel := context.WithTimeout(ctx, wakeDial)
		defer cancel()
		if err := n.connect(dctx, ai); err != nil {
			n.log.Debug("wake: peer unreachable", "peer", ai.ID, "err", err)
			return false
		}
		peers = append(peers, ai.ID)
		return true
	}
	// The bootstrap peer only when needed: to look the followed authors
	// up, to publish the name record, or when no author's device answers.
	booted := false
	dialBoot := func() {
		if booted {
			return
		}
		booted = true
		for _, ai := range n.boot {
			if dial(ai) {
				return
			}
		}
	}
	// A store-and-forward relay keeps every followed log: one exchange
	// with it is the whole sync, and no author needs looking up.
	kept := false
	if k, ok := n.keeperPeer(); ok && n.cfg.StoreForward {
		kept = dial(k)
	}
	sess := n.session()
	if !kept && sess != nil && !sess.located.Load() {
		// Once per session: learn the followed authors' devices from
		// their name records, through the bootstrap peer.
		dialBoot()
		if len(peers) > 0 {
			n.locateFollowed(ctx, sess)
		}
	}
	authors, err := n.store.Watched()
	if err != nil {
		n.log.Warn("wake: followed logs unreadable", "err", err)
	}
	devices := 0
	tried := make(map[peer.ID]bool)
	if next >= len(authors) {
		next = 0
	}
	resume := next
	for i := range authors {
		if kept || devices == backgroundPeers || ctx.Err() != nil {
			break
		}
		j := (next + i) % len(authors)
		resume = (j + 1) % len(authors)
		p, ok := n.deviceOf(authors[j])
		if !ok || tried[p] || p == n.host.ID() {
			continue
		}
		tried[p] = true
		if dial(peer.AddrInfo{ID: p}) {
			devices++
		}
	}
	if devices == 0 && !kept || sess != nil && sess.published.Load() != sess.appended.Load() || sess != nil && sess.chat != nil {
		// Messages wait at the relays: a logged-in account asks them
		// at every wake.
		dialBoot()
	}
	added := 0
	for _, p := range peers {
		n.flushNotices(ctx, p)
		if len(authors) > 0 {
			got, _ := n.syncWanted(ctx, p, authors)
			added += got
		}
	}
	if ctx.Err() == nil && len(peers) > 0 {
		n.markSynced()
	}
	if sess != nil && sess.chat != nil && ctx.Err() == nil && len(peers) > 0 {
		n.chatCatchUp(ctx, sess, true)
	}
	if sess != nil && ctx.Err() == nil && len(peers) > 0 {
		n.publishPending(ctx, sess)
		if sess.published.Load() != sess.appended.Load() {
			n.publishName(ctx, sess)
		}
	}
	n.gcPass(ctx)
	n.log.Info("background wake", "peers", len(peers), "entries", added, "took", time.Since(start).Round(time.Millisecond))
	return resume
}
