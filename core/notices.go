package core

import (
	"bufio"
	"context"
	"errors"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// notify tells the account target about e (a follow, unfollow, reply,
// repost or mention) directly on its device. If the device is unknown or
// unreachable, the notice is queued and delivered when it can be: when the
// device connects, or at the next periodic sync.
func (n *Node) notify(ctx context.Context, sess *session, target entry.Key, e *entry.Entry) {
	if p, ok := n.deviceOf(target); ok {
		if err := n.sendNotice(ctx, sess, p, []*entry.Entry{e}); err == nil {
			return
		} else {
			n.log.Debug("notice not delivered; queued", "peer", p, "err", err)
		}
	}
	if err := n.store.QueueNotice(target, e); err != nil {
		n.log.Warn("notice lost", "err", err)
	}
}

// sendNotice sends es to device p and waits for its acknowledgement. The
// notice carries the logged-in account's signed name record when the
// entries are its own, so the receiver can tell who they are from.
func (n *Node) sendNotice(ctx context.Context, sess *session, p peer.ID, es []*entry.Entry) error {
	ctx, cancel := context.WithTimeout(ctx, noticeTimeout)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, "notify"), p, syncproto.NotifyID)
	if err != nil {
		return err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	var notice syncproto.Notice
	for _, e := range es {
		notice.Entries = append(notice.Entries, e.Bytes())
	}
	if sess != nil && es[0].Author == sess.key {
		if rec, err := n.ownRecord(sess); err == nil {
			notice.Name = rec
		}
	}
	if err := syncproto.WriteNotice(s, notice); err != nil {
		s.Reset()
		return err
	}
	s.CloseWrite()
	return syncproto.ReadAck(s)
}

// flushNotices delivers the notices queued for the accounts whose device is
// p, or for every account with queued notices if p is "" (looking their
// devices up by name when unknown).
func (n *Node) flushNotices(ctx context.Context, p peer.ID) {
	targets, err := n.store.NoticeTargets()
	if err != nil {
		return
	}
	sess := n.session()
	for _, t := range targets {
		dev, ok := n.deviceOf(t)
		if p == "" && !ok {
			if name := n.nameOf(t); name != "" {
				if _, found := n.lookupAccount(ctx, name, t); found {
					dev, ok = n.deviceOf(t)
				}
			}
		}
		if !ok || p != "" && dev != p {
			continue
		}
		queued, err := n.store.QueuedNotices(t, syncproto.MaxNoticeEntries)
		if err != nil || len(queued) == 0 {
			continue
		}
		// One notice per author, as the name record is the author's.
		byAuthor := map[entry.Key][]*entry.Entry{}
		for _, e := range queued {
			byAuthor[e.Author] = append(byAuthor[e.Author], e)
		}
		for _, es := range byAuthor {
			if err := n.sendNotice(ctx, sess, dev, es); err != nil {
				n.log.Debug("queued notices still not delivered", "peer", dev, "err", err)
				continue
			}
			for _, e := range es {
				n.store.DropNotice(t, e)
			}
		}
	}
}

// serveNotice handles a direct notice from a peer: follow and unfollow
// entries naming a local account.
func (n *Node) serveNotice(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(noticeTimeout))
	notice, err := syncproto.ReadNotice(bufio.NewReader(s))
	if err != nil {
		n.log.Warn("bad notice", "peer", s.Conn().RemotePeer(), "err", err)
		s.Reset()
		return
	}
	var sender *names.Record
	if len(notice.Name) > 0 {
		if r, err := names.Decode(notice.Name); err == nil {
			sender = &r
		}
	}
	for _, raw := range notice.Entries {
		e, err := entry.Decode(raw)
		if err != nil {
			n.log.Warn("bad notice entry", "peer", s.Conn().RemotePeer(), "err", err)
			s.Reset()
			return
		}
		if n.tooNew(e) {
			continue
		}
		if sender != nil && sender.Account == e.Author {
			if _, err := n.learnRecord(*sender); err != nil {
				n.log.Debug("notice name record", "err", err)
			}
		}
		// Store it if it extends what we hold of the sender's log; either
		// way the signed entry proves what it says.
		_, err = n.ingest([]*entry.Entry{e})
		if errors.Is(err, store.ErrGap) || n.missingStart(e.Author) {
			n.requestSync(s.Conn().RemotePeer()) // the sender holds the rest
		}
		if err == nil {
			continue // ingesting it notified whoever it concerns
		}
		switch e.Kind {
		case entry.KindFollow, entry.KindUnfollow:
			if f, err := entry.ParseFollow(e.Body); err == nil && n.store.IsLocal(f.Target) && f.Target != e.Author {
				n.noteFollower(f.Target, e)
			}
		case entry.KindPost, entry.KindReply, entry.KindRepost:
			for account, kind := range n.concerns(e) {
				n.addNotification(account, kind, e)
			}
		}
	}
	syncproto.WriteAck(s)
}
