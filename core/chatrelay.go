package core

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// chatStore is a relay's part of messaging: a keyless chat engine that
// keeps, for 30 days, the ciphertext of the groups members push to it
// (checking signatures, causal order and membership, never decrypting), an
// inbox per recipient of the groups with news for it, and the prekeys
// accounts publish. Members push every own entry to the relays they use;
// a phone that wakes asks its inbox and syncs only those groups.
type chatStore struct {
	log   *slog.Logger
	eng   *chat.Engine
	inbox *chatnet.Inbox
	srv   *chatnet.Server

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// inboxFanout is the largest group whose every member gets an inbox item
// per entry; members of larger groups sync all their groups at a wake.
const inboxFanout = 32

func newChatStore(h *p2p.Host, kv store.KV, log *slog.Logger, plog *ratelimit.Log) (*chatStore, error) {
	eng, err := chat.Open(store.Prefix(kv, []byte{store.ChatPrefix, 'e'}), chat.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	inbox, err := chatnet.OpenInbox(store.Prefix(kv, []byte{store.InboxPrefix}), chatnet.InboxConfig{})
	if err != nil {
		eng.Close()
		return nil, err
	}
	c := &chatStore{log: log, eng: eng, inbox: inbox}
	c.srv = chatnet.NewServer(h, c, c, inbox, chatnet.Limits{}, plog)
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.wg.Go(func() { c.gcLoop(ctx) })
	return c, nil
}

func (c *chatStore) close() {
	c.srv.Close()
	c.cancel()
	c.wg.Wait()
	c.eng.Close()
}

func (c *chatStore) gcLoop(ctx context.Context) {
	t := time.NewTicker(chatGC)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			c.eng.GC(now)
			if _, err := c.inbox.GC(now); err != nil {
				c.log.Warn("inbox not collected", "err", err)
			}
		}
	}
}

func (c *chatStore) After(g chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([]*chatlog.Entry, bool) {
	return c.eng.After(g, have, maxEntries, maxBytes)
}

func (c *chatStore) ByID(g chatlog.GroupID, ids []chatlog.ID) []*chatlog.Entry {
	return c.eng.ByID(g, ids)
}

func (c *chatStore) Known(g chatlog.GroupID) bool { return len(c.eng.Frontier(g)) > 0 }

func (c *chatStore) Prekey(account entry.Key) (*chatcrypt.PrekeyRecord, bool) {
	return c.eng.Prekey(account)
}

func (c *chatStore) PutPrekey(_ peer.ID, r *chatcrypt.PrekeyRecord) error {
	return c.eng.PutPrekey(r)
}

// Push keeps what it has reason to: entries of groups it holds, or
// creating one, within each author's rate; then indexes who has news.
func (c *chatStore) Push(_ peer.ID, g chatlog.GroupID, es []*chatlog.Entry) (int, error) {
	keep := es[:0:0]
	for _, e := range es {
		if c.eng.Wants(e) && c.inbox.Allow(e.Author) {
			keep = append(keep, e)
		}
	}
	if len(keep) == 0 {
		return 0, nil
	}
	res := c.eng.Ingest(keep)
	now := time.Now()
	for _, r := range c.recipients(g, keep) {
		if err := c.inbox.Add(r, g, now); err != nil {
			c.log.Debug("inbox item not added", "err", err)
		}
	}
	return res.Stored + res.Duplicate, res.Err
}

// recipients are the accounts with news in entries of g: the targets of
// invitations, and every member but the author in a DM or a small group.
func (c *chatStore) recipients(g chatlog.GroupID, es []*chatlog.Entry) []entry.Key {
	seen := make(map[entry.Key]bool)
	var out []entry.Key
	add := func(k entry.Key) {
		if !k.IsZero() && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	authors := make(map[entry.Key]bool)
	for _, e := range es {
		authors[e.Author] = true
		if e.Kind == chatlog.KindInvite {
			if b, err := e.Control(); err == nil {
				add(b.Target)
			}
		}
		if e.Kind == chatlog.KindCreate {
			if b, err := e.Control(); err == nil {
				for _, m := range b.Members {
					if m != e.Author {
						add(m)
					}
				}
			}
		}
	}
	ms, err := c.eng.Members(g)
	if err != nil || len(ms) > inboxFanout {
		return out
	}
	for _, m := range ms {
		if len(authors) == 1 && authors[m.Key] {
			continue
		}
		add(m.Key)
	}
	return out
}

// relayGroups asks the connected anchors for public groups whose name
// contains query.
func (n *Node) relayGroups(ctx context.Context, query string, limit int) []GroupResult {
	return nil // TODO(chat): the groups op of chatnet
}
