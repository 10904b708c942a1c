package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/skein-p2p/skein/core/internal/bookmarks"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/moderation"
	"github.com/skein-p2p/skein/core/internal/store"
)

// feedScanMax bounds the feed rows of muted or blocked accounts that one
// Feed call skips: past it, the page is shorter than asked (possibly
// empty) and its cursor continues after the last row skipped.
const feedScanMax = 2000

// openLocalLists opens the tables of mutes, blocks and bookmarks in kv, a
// node's database.
func openLocalLists(kv store.KV) (*moderation.Lists, *bookmarks.Book, error) {
	mod, err := moderation.Open(store.Prefix(kv, []byte{store.ModerationPrefix}))
	if err != nil {
		return nil, nil, err
	}
	marks, err := bookmarks.Open(store.Prefix(kv, []byte{store.BookmarkPrefix}))
	if err != nil {
		return nil, nil, err
	}
	return mod, marks, nil
}

// Mute hides the user with this name from the logged-in account: their
// posts, replies and reposts, others' reposts of their posts, and their
// notifications. Their timeline still shows when asked for by name. A mute
// is local and private: nobody is told, and it survives restarts. Muting
// a user already muted changes nothing; User.Since says when the mute
// began.
func (n *Node) Mute(ctx context.Context, name string) (User, error) {
	return n.moderate(ctx, moderation.Mute, name)
}

// Unmute ends a mute. Unmuting a user who is not muted changes nothing.
func (n *Node) Unmute(ctx context.Context, name string) error {
	return n.unmoderate(ctx, moderation.Mute, name)
}

// Block does what Mute does, and more: it removes the user from the
// account's followers on this device, unfollows them if followed, refuses
// their timeline (ErrBlocked), and drops their follows, replies, mentions
// and reposts that reach this device, silently: they get no error and no
// sign of the block. What Block cannot do, as the protocol has no way to:
// their log still holds their follow of the account, and the account's
// public log stays readable by them, through any peer that holds it
// (docs/SECURITY.md, "Blocking").
func (n *Node) Block(ctx context.Context, name string) (User, error) {
	u, err := n.moderate(ctx, moderation.Block, name)
	if err != nil {
		return u, err
	}
	sess, err := n.requireSession()
	if err != nil {
		return User{}, err
	}
	k, _ := entry.ParseKey(u.Key)
	if err := n.store.RemoveFollower(sess.key, k); err != nil {
		return User{}, err
	}
	if f, err := n.store.FollowOf(sess.key, k); err == nil && f.Active {
		// A request ID in ctx is Block's, not this unfollow's.
		if err := n.Unfollow(context.WithValue(ctx, requestIDKey{}, ""), f.Name); err != nil {
			return User{}, fmt.Errorf("core: blocked %s, but unfollowing failed: %w", name, err)
		}
	}
	return u, nil
}

// Unblock ends a block. The follows it ended stay ended. Unblocking a user
// who is not blocked changes nothing.
func (n *Node) Unblock(ctx context.Context, name string) error {
	return n.unmoderate(ctx, moderation.Block, name)
}

// Muted lists the users the logged-in account muted, by name.
func (n *Node) Muted(ctx context.Context) ([]User, error) {
	return n.moderated(moderation.Mute)
}

// Blocked lists the users the logged-in account blocked, by name.
func (n *Node) Blocked(ctx context.Context) ([]User, error) {
	return n.moderated(moderation.Block)
}

func (n *Node) moderate(ctx context.Context, kind moderation.Kind, name string) (User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return User{}, err
	}
	if err := entry.ValidName(name); err != nil {
		return User{}, err
	}
	if name == sess.name {
		return User{}, ErrSelfMute
	}
	if it, ok := n.mod.Find(sess.key, kind, name); ok {
		return User{Name: it.Name, Key: it.Key.String(), Since: it.Since}, nil
	}
	k, err := n.moderationKey(ctx, sess, name)
	if err != nil {
		return User{}, err
	}
	if k == sess.key {
		return User{}, ErrSelfMute
	}
	it := moderation.Item{Key: k, Name: name, Since: time.Now().UTC()}
	if _, err := n.mod.Add(sess.key, kind, it); errors.Is(err, moderation.ErrFull) {
		return User{}, fmt.Errorf("%w: %w", ErrListFull, err)
	} else if err != nil {
		return User{}, err
	}
	return User{Name: name, Key: k.String(), Since: it.Since}, nil
}

// moderationKey resolves name for a mute or a block: through the
// account's pins, else the network, else, offline, the account's
// followers, so that a follower can be blocked without a lookup.
func (n *Node) moderationKey(ctx context.Context, sess *session, name string) (entry.Key, error) {
	k, err := n.resolve(ctx, sess, name)
	if err == nil || errors.Is(err, ErrNameConflict) && !k.IsZero() {
		return k, nil // a conflict with a pin: the pinned key is the one meant
	}
	if fs, ferr := n.store.Followers(sess.key); ferr == nil {
		for _, f := range fs {
			if f.Name == name {
				return f.Key, nil
			}
		}
	}
	return entry.Key{}, err
}

func (n *Node) unmoderate(ctx context.Context, kind moderation.Kind, name string) error {
	sess, err := n.requireSession()
	if err != nil {
		return err
	}
	if err := entry.ValidName(name); err != nil {
		return err
	}
	it, ok := n.mod.Find(sess.key, kind, name)
	if !ok {
		// Perhaps added by another name the key had: resolve it.
		k, err := n.moderationKey(ctx, sess, name)
		if err != nil {
			return err
		}
		it.Key = k
	}
	_, err = n.mod.Remove(sess.key, kind, it.Key)
	return err
}

func (n *Node) moderated(kind moderation.Kind) ([]User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	items := n.mod.List(sess.key, kind)
	out := make([]User, 0, len(items))
	for _, it := range items {
		out = append(out, User{Name: it.Name, Key: it.Key.String(), Since: it.Since})
	}
	return out, nil
}

// hidden reports whether account muted or blocked k: its posts,
// notifications and search or directory results are not shown to account.
func (n *Node) hidden(account, k entry.Key) bool { return n.mod.Hidden(account, k) }

// blockedBy reports whether account blocked k.
func (n *Node) blockedBy(account, k entry.Key) bool {
	return n.mod.Has(account, moderation.Block, k)
}

// hiddenEntry reports whether account does not see e in its feed: its
// author is muted or blocked, or it reposts a post of such an author.
func (n *Node) hiddenEntry(account entry.Key, e *entry.Entry) bool {
	if n.hidden(account, e.Author) {
		return true
	}
	if e.Kind == entry.KindRepost {
		if r, err := entry.ParseRepost(e.Body); err == nil && n.hidden(account, r.Of.Author) {
			return true
		}
	}
	return false
}

// visibleFeed returns a page of account's feed without the rows it does
// not see, skipping at most feedScanMax of them.
func (n *Node) visibleFeed(account entry.Key, cursor []byte, limit int) ([]*entry.Entry, []byte, error) {
	if !n.mod.Any(account) {
		return n.store.Feed(account, cursor, limit)
	}
	keep := func(e *entry.Entry) bool { return !n.hiddenEntry(account, e) }
	return n.store.FeedWhere(account, cursor, limit, keep, feedScanMax)
}

// unhiddenEffects drops the effects of notices that their accounts do not
// take: everything from an author they blocked, and the notifications of
// an author they muted. A muted follower still counts as one, and a muted
// account's likes and unlikes still count (addNotification keeps their
// notifications out), so that a like before the mute can be taken back.
func (n *Node) unhiddenEffects(effects []foreignEffect) []foreignEffect {
	out := effects[:0]
	for _, x := range effects {
		if n.blockedBy(x.account, x.e.Author) || x.kind != NotifyFollower && x.kind != NotifyLike && n.hidden(x.account, x.e.Author) {
			continue
		}
		out = append(out, x)
	}
	return out
}
