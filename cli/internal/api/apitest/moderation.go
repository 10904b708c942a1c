package apitest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/skein-p2p/skein/core"
)

// lists are an account's mutes, blocks and bookmarks. The fake records
// them and reports them; it does not filter feeds or notifications.
type lists struct {
	muted, blocked map[string]time.Time // by name
	marks          []string             // bookmarked post IDs, newest first
}

// listsOf returns the logged-in account's lists. The caller holds mu and
// checked that an account is logged in.
func (n *Node) listsOf() *lists {
	if n.lists == nil {
		n.lists = map[string]*lists{}
	}
	l := n.lists[n.current.Name]
	if l == nil {
		l = &lists{muted: map[string]time.Time{}, blocked: map[string]time.Time{}}
		n.lists[n.current.Name] = l
	}
	return l
}

// moderate adds name to the list chosen by pick.
func (n *Node) moderate(name string, pick func(*lists) map[string]time.Time) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.User{}, err
	}
	if err := checkName(name); err != nil {
		return core.User{}, err
	}
	if name == n.current.Name {
		return core.User{}, core.ErrSelfMute
	}
	u, ok := n.users[name]
	if !ok {
		return core.User{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	m := pick(n.listsOf())
	if _, ok := m[name]; !ok {
		m[name] = n.tick()
	}
	return core.User{Name: name, Key: u.Key, Since: m[name]}, nil
}

func (n *Node) unmoderate(name string, pick func(*lists) map[string]time.Time) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return err
	}
	if err := checkName(name); err != nil {
		return err
	}
	delete(pick(n.listsOf()), name)
	return nil
}

func (n *Node) moderated(pick func(*lists) map[string]time.Time) ([]core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	var out []core.User
	for name, since := range pick(n.listsOf()) {
		out = append(out, core.User{Name: name, Key: n.users[name].Key, Since: since})
	}
	slices.SortFunc(out, func(a, b core.User) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func mutes(l *lists) map[string]time.Time  { return l.muted }
func blocks(l *lists) map[string]time.Time { return l.blocked }

// Mute implements api.Node.
func (n *Node) Mute(ctx context.Context, name string) (core.User, error) {
	return n.moderate(name, mutes)
}

// Unmute implements api.Node.
func (n *Node) Unmute(ctx context.Context, name string) error { return n.unmoderate(name, mutes) }

// Block implements api.Node. It also ends the follows both ways.
func (n *Node) Block(ctx context.Context, name string) (core.User, error) {
	u, err := n.moderate(name, blocks)
	n.mu.Lock()
	defer n.mu.Unlock()
	if err == nil && n.current != nil {
		delete(n.current.following, name)
		delete(n.current.followers, name)
	}
	return u, err
}

// Unblock implements api.Node.
func (n *Node) Unblock(ctx context.Context, name string) error { return n.unmoderate(name, blocks) }

// Muted implements api.Node.
func (n *Node) Muted(ctx context.Context) ([]core.User, error) { return n.moderated(mutes) }

// Blocked implements api.Node.
func (n *Node) Blocked(ctx context.Context) ([]core.User, error) { return n.moderated(blocks) }

// Bookmark implements api.Node.
func (n *Node) Bookmark(ctx context.Context, postID string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.Post{}, err
	}
	p, err := n.find(postID)
	if err != nil {
		return core.Post{}, err
	}
	l := n.listsOf()
	if !slices.Contains(l.marks, p.ID) {
		if len(l.marks) >= core.MaxBookmarks {
			return core.Post{}, fmt.Errorf("%w: %d bookmarks", core.ErrListFull, len(l.marks))
		}
		l.marks = slices.Insert(l.marks, 0, p.ID)
	}
	out := n.show(p)
	out.Bookmarked = true
	return out, nil
}

// Unbookmark implements api.Node.
func (n *Node) Unbookmark(ctx context.Context, postID string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return err
	}
	postID = strings.ToLower(strings.TrimSpace(postID))
	l := n.listsOf()
	i := slices.IndexFunc(l.marks, func(id string) bool { return len(postID) >= 8 && strings.HasPrefix(id, postID) })
	if i < 0 {
		return fmt.Errorf("%w: %s is not bookmarked", core.ErrNoPost, postID)
	}
	l.marks = slices.Delete(l.marks, i, i+1)
	return nil
}

// Bookmarks implements api.Node.
func (n *Node) Bookmarks(ctx context.Context, cursor string, limit int) (core.Page, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.Page{}, err
	}
	var posts []core.Post
	for _, id := range n.listsOf().marks {
		if p := n.byID(id); p != nil {
			out := n.show(p)
			if p.deleted {
				out.Text, out.Unavailable = "", true
			}
			out.Bookmarked = true
			posts = append(posts, out)
		}
	}
	return page(posts, cursor, limit) // newest saved first: paginate would sort by time
}
