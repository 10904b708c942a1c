package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/chatrelay"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Messaging in a node: the logged-in account's chat engine
// (core/internal/chat) holds its groups; this file moves their entries.
//
//   - Live: each group has a GossipSub topic (chatTopic) that members
//     subscribe to in foreground mode; own entries are published there.
//   - Store and forward: every own entry is also pushed to the anchors
//     (bootstrap peers and relays), whose keyless engines keep group
//     ciphertext and index DMs and invitations per recipient; a DM is also
//     pushed straight to the other account's device.
//   - Catch-up: at login, at each wake, and when an anchor connects, the
//     node asks each anchor's inbox for groups with news for the account,
//     then syncs every group with the anchors; entries whose predecessors
//     are missing make the engine report Needs, fetched by ID or range from
//     the peer that sent them and the anchors.
const (
	chatTick        = 2 * time.Second  // the engine's gap clock and retry of needs
	chatTimeout     = 10 * time.Second // one chatnet exchange
	chatFetchRounds = 8                // rounds of needs fetched after one ingest
	chatPushChunk   = chatnet.MaxPushEntries
	chatControlGap  = time.Minute      // a control entry waits this long for a missing past
	chatRound       = 30 * time.Second // one round of fetching what is missing
	chatRetry       = 30 * time.Second // before asking again for the same missing entries
	maxAsked        = 4096             // needs remembered for the retry throttle
)

// chatTopic is the GossipSub topic of a group: a hash of its ID, so the
// topic names no group to those who do not know it.
func chatTopic(g chatlog.GroupID) string {
	h := sha256.Sum256(append([]byte("skein/chat/topic/v1\x00"), g[:]...))
	return "/skein/chat/1/" + hex.EncodeToString(h[:16])
}

// chatSess is the messaging state of a session.
type chatSess struct {
	eng     *chat.Engine
	kv      store.KV // the node's own marks: own entries pushed to the anchors, inbox cursors
	kick    chan struct{}
	catchUp chan struct{} // an anchor connected: catch up with it

	mu         sync.Mutex
	topics     map[chatlog.GroupID]*groupTopic
	needs      []needFrom               // to fetch, from whom
	nameWants  map[entry.Key]time.Time  // accounts to name: when asked, zero until then (chatnames.go)
	prekeySent map[peer.ID][8]byte      // the prekey each anchor took this session
	repairs    []repair                 // groups to fix: a late join to remove, an epoch to replace
	asked      map[string]time.Time     // needs queued, when: asked again only after chatRetry
	found      map[chatlog.GroupID]bool // public groups SearchGroups found, so Join takes an ID prefix
}

// maxFound bounds the public groups remembered from searches.
const maxFound = 256

// remember notes a public group found by search.
func (cs *chatSess) remember(g chatlog.GroupID) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.found == nil || len(cs.found) >= maxFound {
		cs.found = make(map[chatlog.GroupID]bool)
	}
	cs.found[g] = true
}

// needFrom is something the engine misses and the peer that may have it.
type needFrom struct {
	need chat.Need
	from peer.ID
}

// groupTopic is a group's topic, joined and subscribed.
type groupTopic struct {
	topic  *pubsub.Topic
	sub    *pubsub.Subscription
	joins  *pubsub.TopicEventHandler
	cancel context.CancelFunc
	done   chan struct{}
	name   string
}

// Keys of the session's marks, under the account's chat prefix and 'n'.
const (
	markPushed = 'p' // p <group> -> highest own seq pushed to the anchors
	markInbox  = 'i' // i <anchor peer ID> -> inbox cursor
)

// chatKV returns the account's part of the node's database for messaging:
// the engine's view and the node's marks.
func (n *Node) chatKV(account entry.Key) (engine, marks store.KV) {
	p := []byte{store.ChatPrefix}
	return store.Prefix(n.kv, slices.Concat(p, account[:], []byte{'e'})),
		store.Prefix(n.kv, slices.Concat(p, account[:], []byte{'n'}))
}

// openChat starts the session's chat engine.
func (n *Node) openChat(sess *session) error {
	ekv, mkv := n.chatKV(sess.key)
	cs := &chatSess{kv: mkv, kick: make(chan struct{}, 1), catchUp: make(chan struct{}, 1), topics: make(map[chatlog.GroupID]*groupTopic)}
	eng, err := chat.Open(ekv, chat.Options{
		Self:    &chat.Account{Key: sess.key, Priv: sess.priv},
		Clock:   n.clock,
		OnEvent: func(ev chat.Event) { n.chatEvent(sess, ev) },
		Logger:  n.log,
		// Relays drop messages after 30 days: a newcomer reading an old
		// group from them must not have its membership stall on a gap
		// that will never fill. The fold is redone when missing entries
		// arrive.
		Limits: chat.Limits{ControlGapAfter: chatControlGap},
	})
	if err != nil {
		return fmt.Errorf("core: messages: %w", err)
	}
	cs.eng = eng
	sess.chat = cs
	return nil
}

// closeChat stops the session's messaging; the session's goroutines have
// ended.
func (n *Node) closeChat(sess *session) {
	if sess.chat == nil {
		return
	}
	n.leaveTopics(sess)
	if err := sess.chat.eng.Close(); err != nil {
		n.log.Warn("chat engine not closed cleanly", "err", err)
	}
}

// chatLoop is the session's messaging work while the node is in foreground:
// its group topics, the catch-up with the anchors, the engine's clock.
func (n *Node) chatLoop(ctx context.Context, sess *session) {
	cs := sess.chat
	defer n.leaveTopics(sess)
	for _, g := range cs.eng.Groups() {
		n.joinTopic(sess, g)
	}
	n.waitJoined(ctx)
	n.chatCatchUp(ctx, sess, false)
	t := time.NewTicker(chatTick)
	defer t.Stop()
	// What live delivery missed (a publication before the topic's mesh
	// formed, a member that was away) comes at the next catch-up.
	every := time.NewTicker(n.cfg.SyncInterval)
	defer every.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.takeResult(sess, "", cs.eng.Tick(time.Now()))
		case <-cs.kick:
		case <-cs.catchUp:
			n.chatCatchUp(ctx, sess, false)
		case <-every.C:
			n.chatCatchUp(ctx, sess, false)
		}
		n.fetchNeeds(ctx, sess)
		n.repair(ctx, sess)
		n.learnNames(ctx, sess)
	}
}

// chatCatchUp publishes the own prekey (to each anchor once per session
// and prekey) and the own entries the anchors lack, reads their inboxes,
// and syncs with them the groups the inboxes listed and, unless brief, every
// other group. A background wake is brief: the inbox lists every DM and
// every group of up to chatrelay.InboxFanout members with news, so only larger groups
// are synced besides, and the radio is awake for as short a time as can be.
func (n *Node) chatCatchUp(ctx context.Context, sess *session, brief bool) {
	anchors := n.connectedAnchors()
	if len(anchors) == 0 {
		return
	}
	cs := sess.chat
	if rec, err := cs.eng.OwnPrekey(); err == nil {
		for _, p := range anchors {
			cs.mu.Lock()
			done := cs.prekeySent[p] == rec.ID()
			cs.mu.Unlock()
			if done {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, chatTimeout)
			err := chatnet.PutPrekey(cctx, n.host, p, rec)
			cancel()
			if err != nil {
				n.log.Debug("prekey not published", "peer", p, "err", err)
				continue
			}
			cs.mu.Lock()
			if cs.prekeySent == nil {
				cs.prekeySent = make(map[peer.ID][8]byte)
			}
			cs.prekeySent[p] = rec.ID()
			cs.mu.Unlock()
		}
	} else {
		n.log.Warn("no prekey to publish", "err", err)
	}
	synced := make(map[chatlog.GroupID]bool)
	for _, p := range anchors {
		for _, g := range n.readInbox(ctx, sess, p) {
			synced[g] = true
		}
	}
	for _, g := range cs.eng.Groups() {
		n.pushUnsent(ctx, sess, g, anchors)
		if synced[g] {
			continue
		}
		if brief {
			// The relay lists a group for each of its members and
			// invitees while they number at most InboxFanout.
			if ms, err := cs.eng.Members(g); err == nil && len(ms) <= chatrelay.InboxFanout {
				continue // the inbox would have listed it
			}
		}
		for _, p := range anchors {
			n.syncGroup(ctx, sess, p, g)
		}
	}
	n.fetchNeeds(ctx, sess)
}

// connectedAnchors returns the anchors connected now.
func (n *Node) connectedAnchors() []peer.ID {
	var out []peer.ID
	for _, p := range n.anchors() {
		if n.host.Network().Connectedness(p) == network.Connected {
			out = append(out, p)
		}
	}
	return out
}

// readInbox asks an anchor which groups have news for the account since
// the last time, syncs each one with it, and returns them.
func (n *Node) readInbox(ctx context.Context, sess *session, p peer.ID) (synced []chatlog.GroupID) {
	cs := sess.chat
	key := append([]byte{markInbox}, []byte(p)...)
	var since uint64
	if v, err := cs.kv.Get(key); err == nil && len(v) == 8 {
		since = binary.BigEndian.Uint64(v)
	}
	for range 16 { // at most 16,000 groups with news per anchor at once
		cctx, cancel := context.WithTimeout(ctx, chatTimeout)
		items, next, err := chatnet.FetchInbox(cctx, n.host, p, sess.priv, since)
		cancel()
		if err != nil {
			n.log.Debug("inbox not read", "peer", p, "err", err)
			return synced
		}
		for _, it := range items {
			n.syncGroup(ctx, sess, p, it.Group)
			synced = append(synced, it.Group)
		}
		if next == since || len(items) == 0 {
			break
		}
		since = next
		var b store.Batch
		b.Put(key, binary.BigEndian.AppendUint64(nil, since))
		if err := cs.kv.Commit(&b, false); err != nil {
			n.log.Warn("inbox cursor not kept", "err", err)
		}
	}
	return synced
}

// syncGroup pulls what p holds of g beyond what the engine holds.
func (n *Node) syncGroup(ctx context.Context, sess *session, p peer.ID, g chatlog.GroupID) {
	for range 64 { // bounds one catch-up at 64,000 entries
		cctx, cancel := context.WithTimeout(ctx, chatTimeout)
		es, more, err := chatnet.Sync(cctx, n.host, p, g, sess.chat.eng.Frontier(g))
		cancel()
		if err != nil {
			if !errors.Is(err, chatnet.ErrUnknownGroup) {
				n.log.Debug("group not synced", "peer", p, "group", g.Short(), "err", err)
			}
			return
		}
		res := n.ingestChat(sess, p, es)
		if !more || res.Stored == 0 {
			return
		}
	}
}

// ingestChat hands the engine entries from a peer and notes what it misses.
func (n *Node) ingestChat(sess *session, from peer.ID, es []*chatlog.Entry) chat.Result {
	cs := sess.chat
	if hold := n.cfg.chatHold; hold != nil {
		now := es[:0:0]
		for _, e := range es {
			if d := hold(e); d > 0 {
				time.AfterFunc(d, func() {
					if sess.ctx.Err() == nil {
						n.ingestChat(sess, from, []*chatlog.Entry{e})
					}
				})
				continue
			}
			now = append(now, e)
		}
		es = now
	}
	before := len(cs.eng.Groups())
	res := cs.eng.Ingest(es)
	if res.Err != nil && res.Dropped > 0 {
		n.plog.Warn(from.String(), "chat entries dropped", "n", res.Dropped, "err", res.Err)
	}
	if len(cs.eng.Groups()) != before && n.isLive() {
		// An invitation or a new DM: the group is known now.
		for _, g := range cs.eng.Groups() {
			n.joinTopic(sess, g)
		}
	}
	n.takeResult(sess, from, res)
	return res
}

// takeResult queues the needs of an ingest and wakes the chat loop.
func (n *Node) takeResult(sess *session, from peer.ID, res chat.Result) {
	if len(res.LateJoins) > 0 || len(res.RekeyNeeded) > 0 {
		cs := sess.chat
		cs.mu.Lock()
		for _, lj := range res.LateJoins {
			if len(cs.repairs) < maxRepairs {
				cs.repairs = append(cs.repairs, repair{group: lj.Group, remove: lj.Member})
			}
		}
		for _, g := range res.RekeyNeeded {
			if len(cs.repairs) < maxRepairs {
				cs.repairs = append(cs.repairs, repair{group: g})
			}
		}
		cs.mu.Unlock()
		select {
		case cs.kick <- struct{}{}:
		default:
		}
	}
	if len(res.Needs) == 0 {
		return
	}
	cs := sess.chat
	now := time.Now()
	cs.mu.Lock()
	if cs.asked == nil || len(cs.asked) > maxAsked {
		cs.asked = make(map[string]time.Time)
	}
	for _, nd := range res.Needs {
		// The engine reports what is missing at every tick: ask for the
		// same thing again only after chatRetry.
		k := needKey(nd)
		if t, ok := cs.asked[k]; ok && now.Sub(t) < chatRetry {
			continue
		}
		cs.asked[k] = now
		if len(cs.needs) < 1024 {
			cs.needs = append(cs.needs, needFrom{need: nd, from: from})
		}
	}
	cs.mu.Unlock()
	select {
	case cs.kick <- struct{}{}:
	default:
	}
}

// needKey names a need for the retry throttle.
func needKey(nd chat.Need) string {
	k := string(nd.Group[:])
	if len(nd.IDs) > 0 {
		return k + "i" + string(nd.IDs[0][:])
	}
	return k + "r" + string(nd.Author[:]) + strconv.FormatUint(nd.From, 10)
}

// fetchNeeds fetches what the engine reported missing, from the peer that
// sent what needs it and from the anchors, for a bounded number of rounds
// and time: a peer that fails is not asked again in the round, needs are
// merged per group, and a round never takes longer than chatRound, so a
// peer that answers slowly cannot hold up the chat loop.
func (n *Node) fetchNeeds(ctx context.Context, sess *session) {
	cs := sess.chat
	for range chatFetchRounds {
		cs.mu.Lock()
		needs := cs.needs
		cs.needs = nil
		cs.mu.Unlock()
		if len(needs) == 0 || ctx.Err() != nil {
			return
		}
		rctx, cancel := context.WithTimeout(ctx, chatRound)
		failed := make(map[peer.ID]bool)
		anchors := n.connectedAnchors()
		for _, nf := range mergeNeeds(needs) {
			peers := anchors
			if nf.from != "" && nf.from != n.host.ID() {
				peers = append([]peer.ID{nf.from}, anchors...)
			}
			for _, p := range peers {
				if failed[p] || rctx.Err() != nil {
					continue
				}
				got, err := n.fetchNeed(rctx, sess, p, nf.need)
				if err != nil {
					failed[p] = true
				}
				if got {
					break
				}
			}
		}
		cancel()
	}
}

// mergeNeeds keeps one need per group and kind: the IDs of a group's
// needs together (up to what one get asks), one range sync per group.
func mergeNeeds(needs []needFrom) []needFrom {
	type key struct {
		g     chatlog.GroupID
		byIDs bool
	}
	idx := make(map[key]int)
	var out []needFrom
	for _, nf := range needs {
		k := key{nf.need.Group, len(nf.need.IDs) > 0}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, nf)
			continue
		}
		if k.byIDs {
			m := &out[i].need
			for _, id := range nf.need.IDs {
				if len(m.IDs) < chatnet.MaxGetIDs && !slices.Contains(m.IDs, id) {
					m.IDs = append(m.IDs, id)
				}
			}
		}
	}
	return out
}

// fetchNeed asks p for one need; it reports whether p had something.
func (n *Node) fetchNeed(ctx context.Context, sess *session, p peer.ID, nd chat.Need) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, chatTimeout)
	defer cancel()
	var (
		es  []*chatlog.Entry
		err error
	)
	if len(nd.IDs) > 0 {
		ids := slices.Clone(nd.IDs)
		slices.SortFunc(ids, func(a, b chatlog.ID) int { return bytes.Compare(a[:], b[:]) })
		es, err = chatnet.Get(cctx, n.host, p, nd.Group, ids)
	} else {
		es, _, err = chatnet.Sync(cctx, n.host, p, nd.Group, sess.chat.eng.Frontier(nd.Group))
	}
	if err != nil {
		return false, err
	}
	if len(es) == 0 {
		return false, nil
	}
	return n.ingestChat(sess, p, es).Stored > 0, nil
}

// publishChat sends the account's new entries of a group: on its topic, to
// the anchors, and for a DM to the other account's device. Publishing is
// best effort: what does not go now goes at the next catch-up.
func (n *Node) publishChat(ctx context.Context, sess *session, g chatlog.GroupID, es []*chatlog.Entry, dmPeer entry.Key) {
	if len(es) == 0 {
		return
	}
	if n.isLive() {
		n.joinTopic(sess, g)
		sess.chat.mu.Lock()
		t := sess.chat.topics[g]
		sess.chat.mu.Unlock()
		if t != nil {
			for _, e := range es {
				if err := t.topic.Publish(ctx, e.Encode()); err != nil {
					n.log.Debug("chat entry not published", "err", err)
				}
			}
		}
	}
	// The other account's device, only if connected: dialling a phone
	// that sleeps in background mode would cost it a handshake and a
	// wakeup; the relays forward to it when it is connected to them, and
	// keep the entries for its next wake otherwise.
	var targets []peer.ID
	if !dmPeer.IsZero() {
		if p, ok := n.deviceOf(dmPeer); ok && p != n.host.ID() && n.host.Network().Connectedness(p) == network.Connected {
			targets = append(targets, p)
		}
	}
	anchors := n.connectedAnchors()
	for _, p := range targets {
		if err := n.pushChat(ctx, p, g, es); err != nil {
			n.log.Debug("chat entries not pushed to the device", "peer", p, "err", err)
		}
	}
	n.pushUnsent(ctx, sess, g, anchors)
}

// pushChat pushes entries to one peer, in chunks.
func (n *Node) pushChat(ctx context.Context, p peer.ID, g chatlog.GroupID, es []*chatlog.Entry) error {
	for len(es) > 0 {
		k := min(len(es), chatPushChunk)
		cctx, cancel := context.WithTimeout(ctx, chatTimeout)
		_, err := chatnet.Push(cctx, n.host, p, g, es[:k])
		cancel()
		if err != nil {
			return err
		}
		es = es[k:]
	}
	return nil
}

// pushUnsent pushes to the anchors the own entries of g they were not
// given yet, and remembers how far that went once every anchor took them.
func (n *Node) pushUnsent(ctx context.Context, sess *session, g chatlog.GroupID, anchors []peer.ID) {
	if len(anchors) == 0 {
		return
	}
	cs := sess.chat
	key := append([]byte{markPushed}, g[:]...)
	var sent uint64
	if v, err := cs.kv.Get(key); err == nil && len(v) == 8 {
		sent = binary.BigEndian.Uint64(v)
	}
	have := cs.eng.Frontier(g)
	head := have[sess.key]
	if head <= sent {
		return
	}
	// Everyone else's at their frontier: After answers the own entries alone.
	have[sess.key] = sent
	es, _ := cs.eng.After(g, have, chatnet.MaxSyncEntries, chatnet.MaxAnswerBytes)
	own := es[:0]
	for _, e := range es {
		if e.Author == sess.key {
			own = append(own, e)
		}
	}
	ok := true
	for _, p := range anchors {
		if err := n.pushChat(ctx, p, g, own); err != nil {
			n.log.Debug("chat entries not pushed to anchor", "peer", p, "err", err)
			ok = false
		}
	}
	if ok && len(own) > 0 {
		var b store.Batch
		b.Put(key, binary.BigEndian.AppendUint64(nil, own[len(own)-1].Seq))
		if err := cs.kv.Commit(&b, false); err != nil {
			n.log.Warn("pushed mark not kept", "err", err)
		}
	}
}

// joinTopic subscribes to a group's topic, in foreground mode.
func (n *Node) joinTopic(sess *session, g chatlog.GroupID) {
	cs := sess.chat
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, ok := cs.topics[g]; ok || sess.ctx.Err() != nil || !n.isLive() {
		return
	}
	ps := n.host.PubSub
	name := chatTopic(g)
	if err := ps.RegisterTopicValidator(name, n.chatValidator(sess, g), pubsub.WithValidatorInline(true)); err != nil {
		n.log.Warn("group topic validator", "err", err)
		return
	}
	t, err := ps.Join(name)
	if err != nil {
		ps.UnregisterTopicValidator(name)
		n.log.Warn("group topic not joined", "err", err)
		return
	}
	if err := n.host.ScoreTopic(t); err != nil {
		n.log.Warn("gossip peers not scored on a group topic", "err", err)
	}
	sub, err := t.Subscribe()
	if err != nil {
		t.Close()
		ps.UnregisterTopicValidator(name)
		return
	}
	joins, err := t.EventHandler()
	if err != nil {
		sub.Cancel()
		t.Close()
		ps.UnregisterTopicValidator(name)
		return
	}
	ctx, cancel := context.WithCancel(sess.ctx)
	gt := &groupTopic{topic: t, sub: sub, joins: joins, cancel: cancel, done: make(chan struct{}), name: name}
	cs.topics[g] = gt
	go func() {
		defer close(gt.done)
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			// A member that joins the topic may hold what this device
			// missed (and the other way round: it syncs with us too).
			for {
				ev, err := joins.NextPeerEvent(ctx)
				if err != nil {
					return
				}
				if ev.Type == pubsub.PeerJoin {
					n.syncGroup(ctx, sess, ev.Peer, g)
					n.fetchNeeds(ctx, sess)
				}
			}
		})
		for {
			msg, err := sub.Next(ctx)
			if err != nil {
				return
			}
			if msg.ReceivedFrom == n.host.ID() {
				continue
			}
			if e, ok := msg.ValidatorData.(*chatlog.Entry); ok {
				n.ingestChat(sess, msg.ReceivedFrom, []*chatlog.Entry{e})
			}
		}
	}()
}

// leaveTopics ends every group subscription of the session.
func (n *Node) leaveTopics(sess *session) {
	cs := sess.chat
	cs.mu.Lock()
	topics := cs.topics
	cs.topics = make(map[chatlog.GroupID]*groupTopic)
	cs.mu.Unlock()
	for _, t := range topics {
		t.cancel()
		t.sub.Cancel()
		t.joins.Cancel()
		<-t.done
		t.topic.Close()
		n.host.PubSub.UnregisterTopicValidator(t.name)
	}
}

// chatValidator checks a group entry before GossipSub forwards it: it
// decodes and verifies, belongs to the topic's group, and the engine wants
// it. Entries from the future and of groups this account is not in are
// ignored rather than rejected: clocks differ, and membership is decided
// by the causal past, which the validator does not walk.
func (n *Node) chatValidator(sess *session, g chatlog.GroupID) pubsub.ValidatorEx {
	return func(_ context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		e, err := chatlog.Decode(msg.Data)
		if err != nil || e.Group != g {
			n.plog.Warn(from.String(), "invalid chat entry by gossip", "err", err)
			return pubsub.ValidationReject
		}
		// Entries that cannot take effect (a stranger's, a group this
		// account is not in) are not passed on.
		if !sess.chat.eng.Wants(e) || !sess.chat.eng.Plausible(e) {
			return pubsub.ValidationIgnore
		}
		msg.ValidatorData = e
		return pubsub.ValidationAccept
	}
}

// prekeys returns the function the engine uses to get members' prekeys:
// its table, else the account's device, else the anchors.
func (n *Node) prekeys(ctx context.Context, sess *session) chat.KeyFunc {
	return func(k entry.Key) (*chatcrypt.PrekeyRecord, error) {
		if r, ok := sess.chat.eng.Prekey(k); ok && !r.Expired(time.Now()) {
			return r, nil
		}
		var peers []peer.ID
		if p, ok := n.deviceOf(k); ok {
			peers = append(peers, p)
		}
		peers = append(peers, n.connectedAnchors()...)
		var last error = ErrNoPrekey
		for _, p := range peers {
			cctx, cancel := context.WithTimeout(ctx, chatTimeout)
			r, err := chatnet.FetchPrekey(cctx, n.host, p, k)
			cancel()
			if err != nil {
				last = fmt.Errorf("%w: %w", ErrNoPrekey, err)
				continue
			}
			if err := sess.chat.eng.PutPrekey(r); err != nil {
				last = fmt.Errorf("%w: %w", ErrNoPrekey, err)
				continue
			}
			if r, ok := sess.chat.eng.Prekey(k); ok && !r.Expired(time.Now()) {
				return r, nil
			}
		}
		if r, ok := sess.chat.eng.Prekey(k); ok {
			return r, nil // expired, but the newest known: better than nothing
		}
		return nil, last
	}
}

// anchorConnected asks the session's chat loop to catch up when an anchor
// connects: messages wait there for this account.
func (n *Node) anchorConnected(p peer.ID) {
	if !slices.Contains(n.anchors(), p) {
		return
	}
	sess := n.session()
	if sess == nil || sess.chat == nil {
		return
	}
	select {
	case sess.chat.catchUp <- struct{}{}:
	default:
	}
}

// repair is a change the engine asked the node to make to a group: remove
// a member who joined with an expired invitation (an admin's device does
// it), or start a new epoch because Self's wrap of the current one does
// not open.
type repair struct {
	group  chatlog.GroupID
	remove entry.Key // zero: rekey
}

// maxRepairs bounds the repairs waiting.
const maxRepairs = 64

// repair makes the changes the engine asked for, and publishes them.
func (n *Node) repair(ctx context.Context, sess *session) {
	cs := sess.chat
	cs.mu.Lock()
	todo := cs.repairs
	cs.repairs = nil
	cs.mu.Unlock()
	for _, r := range todo {
		var (
			es  []*chatlog.Entry
			err error
		)
		if r.remove.IsZero() {
			es, err = cs.eng.Rekey(r.group, n.prekeys(ctx, sess))
		} else {
			es, err = cs.eng.Remove(r.group, r.remove, n.prekeys(ctx, sess))
		}
		if err != nil {
			n.log.Info("group not repaired", "group", r.group.Short(), "remove", !r.remove.IsZero(), "err", err)
			continue
		}
		n.publishChat(ctx, sess, r.group, es, entry.Key{})
	}
}
