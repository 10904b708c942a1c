package core

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/threads"
)

// Thread is a post in its conversation: the posts it answers, root first,
// and the replies under it as a tree.
type Thread struct {
	// Ancestors are the posts the post answers, from the root of the
	// conversation to the post's parent; empty when the post is the root.
	// One this node cannot find is shown with only its reference and
	// Unavailable set, and ends the list: the root is then unknown.
	Ancestors []Post `json:"ancestors"`
	// Post is the post asked for; a repost is shown as its original.
	Post Post `json:"post"`
	// Replies answer Post, oldest first, each with its own replies.
	Replies []ThreadReply `json:"replies"`
	// Fetched says that the post's author's device, or a holder of the
	// author's log, answered with the replies and like counts it knows;
	// false when the thread is only what this node holds.
	Fetched bool `json:"fetched"`
}

// ThreadReply is a reply in a Thread, with the replies to it.
type ThreadReply struct {
	Post
	Replies []ThreadReply `json:"replies,omitempty"`
}

// Bounds of a thread view and of the thread protocol.
const (
	maxAncestors       = 64              // posts walked up from the post
	maxThreadReplies   = 500             // replies in one Thread
	maxThreadDepth     = 32              // levels of replies under the post
	threadFetchTimeout = 5 * time.Second // all peers asked for one Thread
	threadPeerTimeout  = 3 * time.Second // one peer
	maxThreadHolders   = 3               // holders asked when the device does not answer
	// Thread requests served to one peer: a burst of 8, then one a second.
	threadPeerBurst = 8
	threadPeerRate  = 1.0
)

// newThreadRates returns the per-peer limiter of thread requests served.
func newThreadRates() *ratelimit.Limiter {
	return ratelimit.New(threadPeerRate, threadPeerBurst, noticeRateKeys)
}

// Thread returns the post with the given ID (or unique ID prefix of at
// least 8 hex digits) in its conversation: its ancestors, root first, and
// the replies under it as a tree, including replies by accounts the
// account does not follow, but not those of accounts it muted or blocked.
// Besides what this node holds, it asks the post's author's device, else up
// to three holders of the author's log, for the replies (and, the author's
// device only, the like counts) they know, and verifies each reply against
// its own author's key and its place in the tree before showing it; if
// none answers within a few seconds it returns what this node holds.
// Unknown or deleted posts fail with ErrNoPost.
func (n *Node) Thread(ctx context.Context, postID string) (Thread, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Thread{}, err
	}
	target, err := n.threadTarget(postID)
	if err != nil {
		return Thread{}, err
	}
	var th Thread
	remote := map[entry.ID][]threads.Verified{}
	likes := map[entry.ID]uint32{}
	if target.Author != sess.key {
		if a, fromDevice, ok := n.fetchThread(ctx, refOf(target)); ok {
			th.Fetched = true
			// Like counts are not signed: only the author's own device
			// (named by the author's signed name record) is believed.
			if fromDevice {
				likes[target.ID()] = a.Likes
			}
			ok, dropped := threads.Verify(target.ID(), a)
			if dropped > 0 {
				n.threadDropped.Add(uint64(dropped))
				n.log.Info("thread answer: replies dropped", "dropped", dropped)
			}
			for _, v := range ok {
				if gone, err := n.store.Tombstoned(v.Entry.Author, v.Entry.Seq); err != nil || gone {
					continue // deleted, as this node knows: a stale or hostile peer's copy
				}
				remote[v.Parent] = append(remote[v.Parent], v)
				if fromDevice {
					likes[v.Entry.ID()] = v.Likes
				}
			}
		}
	}
	as := make(authors)
	show := func(e *entry.Entry) Post {
		p := n.postWith(as, e)
		if c, ok := likes[e.ID()]; ok && int(c) > p.Likes {
			p.Likes = int(c)
		}
		return p
	}
	th.Post = show(target)
	for cur, i := target, 0; cur.Kind == entry.KindReply && i < maxAncestors; i++ {
		r, err := entry.ParseReply(cur.Body)
		if err != nil {
			break
		}
		parent := n.entryByRef(r.Parent)
		if parent == nil {
			ref := n.postRef(as, r.Parent)
			th.Ancestors = append(th.Ancestors, Post{ID: ref.ID, Author: ref.Author, AuthorKey: ref.AuthorKey, Seq: ref.Seq, Unavailable: true})
			break
		}
		th.Ancestors = append(th.Ancestors, show(parent))
		cur = parent
	}
	slices.Reverse(th.Ancestors)
	if th.Ancestors == nil {
		th.Ancestors = []Post{}
	}
	kids := func(id entry.ID, limit int) []*entry.Entry {
		es := n.localReplies(id, limit)
		for _, v := range remote[id] {
			es = append(es, v.Entry)
		}
		return es
	}
	// Replies of accounts the account muted or blocked are not shown, nor
	// the replies under them.
	hidden := func(e *entry.Entry) bool { return n.hidden(sess.key, e.Author) }
	var tree func(bs []threads.Branch) []ThreadReply
	tree = func(bs []threads.Branch) []ThreadReply {
		var out []ThreadReply
		for _, b := range bs {
			out = append(out, ThreadReply{Post: show(b.Entry), Replies: tree(b.Replies)})
		}
		return out
	}
	th.Replies = tree(threads.Build(target.ID(), kids, hidden, maxThreadReplies, maxThreadDepth))
	if th.Replies == nil {
		th.Replies = []ThreadReply{}
	}
	return th, nil
}

// threadTarget finds the post a thread is about: a held post, reply or
// repost's original by ID or prefix (as findOriginal), or, by its full ID, a
// reply this node keeps only as a copy.
func (n *Node) threadTarget(postID string) (*entry.Entry, error) {
	target, err := n.findOriginal(postID)
	if err == nil || !errors.Is(err, ErrNoPost) {
		return target, err
	}
	return n.keptReply(postID, err)
}

// keptReply returns the reply with the full ID postID that this node keeps
// only as a copy in the reply index (it reached a local account as a
// notice), or err if there is none.
func (n *Node) keptReply(postID string, err error) (*entry.Entry, error) {
	full, herr := hex.DecodeString(strings.ToLower(strings.TrimSpace(postID)))
	if herr != nil || len(full) != len(entry.ID{}) {
		return nil, err
	}
	var id entry.ID
	copy(id[:], full)
	if r, ok, _ := n.threads.Lookup(id); ok {
		if e := n.indexedReply(r); e != nil {
			return e, nil
		}
	}
	return nil, err
}

// entryByRef returns the undeleted entry ref names: from its author's log
// if held there, else from the reply index's kept copies; nil if neither
// has it.
func (n *Node) entryByRef(ref entry.Ref) *entry.Entry {
	if e, err := n.store.Entry(ref.Author, ref.Seq); err == nil && e.ID() == ref.ID {
		if e.Redacted() {
			return nil
		}
		return e
	}
	if r, ok, _ := n.threads.Lookup(ref.ID); ok {
		return n.indexedReply(r)
	}
	return nil
}

// indexedReply returns the entry of an indexed reply, nil if it is gone
// (deleted, or its log collected).
func (n *Node) indexedReply(r threads.Reply) *entry.Entry {
	if r.Held {
		e, err := n.store.Entry(r.Author, r.Seq)
		if err != nil || e.ID() != r.ID || e.Redacted() {
			return nil
		}
		return e
	}
	e, err := entry.ParseStored(r.Raw, &r.ID)
	if err != nil {
		return nil
	}
	if gone, err := n.store.Tombstoned(e.Author, e.Seq); err != nil || gone {
		return nil
	}
	return e
}

// localReplies returns up to limit replies to id that this node indexed.
func (n *Node) localReplies(id entry.ID, limit int) []*entry.Entry {
	rs, err := n.threads.Children(id, limit)
	if err != nil {
		return nil
	}
	out := make([]*entry.Entry, 0, len(rs))
	for _, r := range rs {
		if e := n.indexedReply(r); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// indexReply adds a reply this node accepted to the reply index: held
// says it is in its author's log here, else the index keeps a copy (a
// reply to a local account's post by an author nobody local follows).
func (n *Node) indexReply(e *entry.Entry, held bool) {
	if e.Kind != entry.KindReply || e.Redacted() {
		return
	}
	if _, err := n.threads.Add(e, held); err != nil {
		n.log.Warn("reply not indexed", "err", err)
	}
}

// backfillThreads indexes, once per database, the replies in the logs
// held before the reply index existed: a database from an older version
// has them and no index.
func (n *Node) backfillThreads() {
	if done, err := n.threads.Backfilled(); err != nil || done {
		return
	}
	for _, author := range n.heldLogs() {
		for before := uint64(0); ; {
			es, err := n.store.Timeline(author, before, 512)
			if err != nil || len(es) == 0 {
				break
			}
			for _, e := range es {
				n.indexReply(e, true)
			}
			before = es[len(es)-1].Seq
		}
	}
	if err := n.threads.SetBackfilled(); err != nil {
		n.log.Warn("reply index backfill not recorded", "err", err)
	}
}

// fetchThread asks the device of ref's author, else a few holders of the
// author's log, for the replies they know under ref; ok is false if none
// answered in time.
func (n *Node) fetchThread(ctx context.Context, ref entry.Ref) (a threads.Answer, fromDevice, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, threadFetchTimeout)
	defer cancel()
	if p, ok := n.deviceOf(ref.Author); ok {
		if a, err := n.askThread(ctx, p, ref); err == nil {
			return a, true, true
		} else {
			n.log.Debug("thread: the author's device did not answer", "peer", p, "err", err)
		}
	}
	for _, p := range n.findHolders(ctx, ref.Author) {
		if ctx.Err() != nil {
			break
		}
		if a, err := n.askThread(ctx, p, ref); err == nil {
			return a, false, true
		}
	}
	return threads.Answer{}, false, false
}

// askThread sends one thread request to p and reads its answer.
func (n *Node) askThread(ctx context.Context, p peer.ID, ref entry.Ref) (threads.Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, threadPeerTimeout)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, "thread"), p, threads.ID)
	if err != nil {
		return threads.Answer{}, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	if _, err := s.Write(threads.AppendRequest(nil, ref)); err != nil {
		s.Reset()
		return threads.Answer{}, err
	}
	s.CloseWrite()
	a, err := threads.ReadAnswer(s)
	if errors.Is(err, threads.ErrMalformed) {
		n.threadDropped.Add(1)
		n.plog.Warn(p.String(), "bad thread answer", "err", err)
		s.Reset()
	}
	return a, err
}

// serveThread answers a thread request: the replies this node knows under
// a post it holds, each as its signed entry, with the likes it has seen,
// breadth first within threads.MaxReplies and threads.MaxAnswer.
func (n *Node) serveThread(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(noticeTimeout))
	p := s.Conn().RemotePeer()
	ref, err := threads.ReadRequest(s)
	if err != nil {
		n.plog.Warn(p.String(), "bad thread request", "err", err)
		s.Reset()
		return
	}
	if !n.threadRates.Allow(string(p)) {
		n.plog.Info(p.String(), "thread request refused: the peer is over its rate")
		s.Write([]byte{threads.StatusRefused})
		return
	}
	post := n.entryByRef(ref)
	if post == nil {
		s.Write([]byte{threads.StatusUnknown})
		return
	}
	likes := func(id entry.ID) uint32 {
		c, _ := n.likes.Count(id)
		return uint32(c)
	}
	a := threads.Collect(ref.ID, n.localReplies, likes)
	b, err := threads.AppendAnswer(nil, a)
	if err != nil {
		n.log.Warn("thread answer not encoded", "err", err)
		s.Reset()
		return
	}
	if _, err := s.Write(b); err != nil {
		s.Reset()
	}
}
