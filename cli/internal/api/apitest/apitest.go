// Package apitest provides an in-memory fake of api.Node for tests of the
// local API and of the commands that use it. It models one device whose
// accounts can follow each other and users added with AddUser; it checks
// inputs and reports errors the way core does, wrapping core's sentinels.
package apitest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// Node is a fake api.Node. It is safe for concurrent use; the zero value is
// not: use NewNode.
type Node struct {
	mu       sync.Mutex
	now      time.Time // clock of the fake, advanced by a second per entry
	users    map[string]*user
	current  *user
	watchers map[int]func(core.Event)
	nextID   int
	closed   bool
	done     chan struct{} // closed by Close
}

type user struct {
	core.User
	password  string // "" for users of other devices
	posts     []core.Post
	following map[string]time.Time
	followers map[string]time.Time
	notes     []core.Notification
}

// NewNode returns an empty fake whose clock starts at start.
func NewNode(start time.Time) *Node {
	return &Node{now: start, users: map[string]*user{}, watchers: map[int]func(core.Event){}, done: make(chan struct{})}
}

// AddUser adds a user of another device that accounts can follow.
func (n *Node) AddUser(name string) core.User {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.addUser(name, "").User
}

// AddPost adds a post by the user name, as if received from the network, and
// reports it to watchers if the logged-in account follows name.
func (n *Node) AddPost(name, text string) core.Post {
	n.mu.Lock()
	u := n.users[name]
	p := n.addPost(u, text)
	var fns []func(core.Event)
	if c := n.current; c != nil {
		if _, ok := c.following[name]; ok {
			fns = n.watchFns()
		}
	}
	n.mu.Unlock()
	emit(fns, core.Event{Kind: core.EventPost, Post: &p})
	return p
}

// Close makes every later call fail with core.ErrClosed and ends Watch.
func (n *Node) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.closed {
		n.closed = true
		close(n.done)
	}
	return nil
}

// Register implements api.Node.
func (n *Node) Register(ctx context.Context, name, password string) (core.User, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(false); err != nil {
		return core.User{}, err
	}
	if err := checkName(name); err != nil {
		return core.User{}, err
	}
	if u, ok := n.users[name]; ok {
		if u.password != "" {
			return core.User{}, fmt.Errorf("%w: %s", core.ErrAccountExists, name)
		}
		return core.User{}, fmt.Errorf("%w: %s", core.ErrNameTaken, name)
	}
	if n.current != nil {
		return core.User{}, core.ErrLoggedIn
	}
	n.current = n.addUser(name, password)
	return n.current.User, nil
}

// Login implements api.Node.
func (n *Node) Login(ctx context.Context, name, password string) (core.User, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(false); err != nil {
		return core.User{}, err
	}
	if n.current != nil {
		return core.User{}, core.ErrLoggedIn
	}
	u, ok := n.users[name]
	if !ok || u.password == "" {
		return core.User{}, fmt.Errorf("%w: %s", core.ErrNoAccount, name)
	}
	if u.password != password {
		return core.User{}, fmt.Errorf("%w for %s", core.ErrWrongPassword, name)
	}
	n.current = u
	return u.User, nil
}

// Logout implements api.Node.
func (n *Node) Logout(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(true); err != nil {
		return err
	}
	n.current = nil
	return nil
}

// Post implements api.Node.
func (n *Node) Post(ctx context.Context, text string) (core.Post, error) {
	n.mu.Lock()
	if err := n.check(true); err != nil {
		n.mu.Unlock()
		return core.Post{}, err
	}
	if !utf8.ValidString(text) {
		n.mu.Unlock()
		return core.Post{}, fmt.Errorf("%w: post is not valid UTF-8", core.ErrInvalidPost)
	}
	if c := utf8.RuneCountInString(text); c > 1000 {
		n.mu.Unlock()
		return core.Post{}, fmt.Errorf("%w: post is %d characters, limit 1000", core.ErrInvalidPost, c)
	}
	if strings.TrimSpace(text) == "" {
		n.mu.Unlock()
		return core.Post{}, fmt.Errorf("%w: post is empty", core.ErrInvalidPost)
	}
	p := n.addPost(n.current, text)
	fns := n.watchFns()
	n.mu.Unlock()
	emit(fns, core.Event{Kind: core.EventPost, Post: &p})
	return p, nil
}

// Follow implements api.Node.
func (n *Node) Follow(ctx context.Context, name string) (core.User, error) {
	n.mu.Lock()
	if err := n.check(true); err != nil {
		n.mu.Unlock()
		return core.User{}, err
	}
	if err := checkName(name); err != nil {
		n.mu.Unlock()
		return core.User{}, err
	}
	u, ok := n.users[name]
	switch {
	case !ok:
		n.mu.Unlock()
		return core.User{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	case u == n.current:
		n.mu.Unlock()
		return core.User{}, core.ErrSelfFollow
	}
	t := n.tick()
	n.current.following[name] = t
	u.followers[n.current.Name] = t
	from := n.current.User
	n.nextID++
	u.notes = append(u.notes, core.Notification{ID: strconv.Itoa(n.nextID), Kind: core.NotifyFollower, From: from, Time: t})
	n.mu.Unlock()
	return core.User{Name: u.Name, Key: u.Key, Since: t}, nil
}

// Unfollow implements api.Node.
func (n *Node) Unfollow(ctx context.Context, name string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(true); err != nil {
		return err
	}
	if _, ok := n.current.following[name]; !ok {
		return fmt.Errorf("%w: %s", core.ErrNotFollowing, name)
	}
	delete(n.current.following, name)
	delete(n.users[name].followers, n.current.Name)
	return nil
}

// Feed implements api.Node.
func (n *Node) Feed(ctx context.Context, cursor string, limit int) (core.Page, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(true); err != nil {
		return core.Page{}, err
	}
	posts := slices.Clone(n.current.posts)
	for name := range n.current.following {
		posts = append(posts, n.users[name].posts...)
	}
	return paginate(posts, cursor, limit)
}

// Timeline implements api.Node.
func (n *Node) Timeline(ctx context.Context, name, cursor string, limit int) (core.Page, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(false); err != nil {
		return core.Page{}, err
	}
	u, ok := n.users[name]
	if !ok {
		return core.Page{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	return paginate(slices.Clone(u.posts), cursor, limit)
}

// Following implements api.Node.
func (n *Node) Following(ctx context.Context) ([]core.User, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	return n.list(n.current.following), nil
}

// Followers implements api.Node.
func (n *Node) Followers(ctx context.Context) ([]core.User, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	return n.list(n.current.followers), nil
}

// Notifications implements api.Node.
func (n *Node) Notifications(ctx context.Context, limit int, markRead bool) ([]core.Notification, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	notes := n.current.notes
	var out []core.Notification
	for i := len(notes) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, notes[i])
		if markRead {
			notes[i].Read = true
		}
	}
	return out, nil
}

// Whois implements api.Node.
func (n *Node) Whois(ctx context.Context, name string) (core.Profile, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(false); err != nil {
		return core.Profile{}, err
	}
	u, ok := n.users[name]
	if !ok {
		return core.Profile{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	p := core.Profile{
		User:      core.User{Name: u.Name, Key: u.Key},
		PeerID:    "12D3KooWFake",
		Addrs:     []string{"/ip4/127.0.0.1/tcp/4001"},
		LatestSeq: uint64(len(u.posts)),
		Held:      uint64(len(u.posts)),
	}
	if n.current != nil {
		_, p.Pinned = n.current.following[name]
	}
	return p, nil
}

// Status implements api.Node.
func (n *Node) Status(ctx context.Context) (core.Status, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check(false); err != nil {
		return core.Status{}, err
	}
	st := core.Status{
		PeerID:  "12D3KooWFake",
		Addrs:   []string{"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWFake"},
		DHTMode: "client",
	}
	for name, u := range n.users {
		if u.password != "" {
			st.Accounts = append(st.Accounts, name)
		}
	}
	slices.Sort(st.Accounts)
	if c := n.current; c != nil {
		st.Account, st.Key = c.Name, c.Key
		st.Entries = uint64(len(c.posts))
		st.Following, st.Followers = len(c.following), len(c.followers)
	}
	return st, nil
}

// Watch implements api.Node. Unlike core it reports only posts.
func (n *Node) Watch(ctx context.Context, fn func(core.Event)) error {
	n.mu.Lock()
	if err := n.check(false); err != nil {
		n.mu.Unlock()
		return err
	}
	n.nextID++
	id := n.nextID
	n.watchers[id] = fn
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.watchers, id)
		n.mu.Unlock()
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return core.ErrClosed
	}
}

// Watchers returns the number of running Watch calls.
func (n *Node) Watchers() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.watchers)
}

func (n *Node) check(loggedIn bool) error {
	if n.closed {
		return core.ErrClosed
	}
	if loggedIn && n.current == nil {
		return core.ErrNotLoggedIn
	}
	return nil
}

func (n *Node) tick() time.Time {
	n.now = n.now.Add(time.Second)
	return n.now
}

func (n *Node) addUser(name, password string) *user {
	key := sha256.Sum256([]byte(name))
	u := &user{
		User:      core.User{Name: name, Key: hex.EncodeToString(key[:])},
		password:  password,
		following: map[string]time.Time{},
		followers: map[string]time.Time{},
	}
	n.users[name] = u
	return u
}

func (n *Node) addPost(u *user, text string) core.Post {
	seq := uint64(len(u.posts) + 1)
	id := sha256.Sum256(fmt.Appendf(nil, "%s/%d", u.Key, seq))
	p := core.Post{ID: hex.EncodeToString(id[:]), Author: u.Name, AuthorKey: u.Key, Seq: seq, Time: n.tick(), Text: text}
	u.posts = append(u.posts, p)
	return p
}

func (n *Node) list(names map[string]time.Time) []core.User {
	var out []core.User
	for name, since := range names {
		out = append(out, core.User{Name: name, Key: n.users[name].Key, Since: since})
	}
	slices.SortFunc(out, func(a, b core.User) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (n *Node) watchFns() []func(core.Event) {
	var fns []func(core.Event)
	for _, fn := range n.watchers {
		fns = append(fns, fn)
	}
	return fns
}

func emit(fns []func(core.Event), ev core.Event) {
	for _, fn := range fns {
		fn(ev)
	}
}

// paginate sorts posts newest first and returns the page at cursor, an
// offset into them.
func paginate(posts []core.Post, cursor string, limit int) (core.Page, error) {
	slices.SortFunc(posts, func(a, b core.Post) int { return cmp.Compare(b.Time.UnixNano(), a.Time.UnixNano()) })
	start := 0
	if cursor != "" {
		var err error
		start, err = strconv.Atoi(cursor)
		if err != nil || start < 0 || start > len(posts) {
			return core.Page{}, fmt.Errorf("%w: %q", core.ErrBadCursor, cursor)
		}
	}
	end := min(start+limit, len(posts))
	p := core.Page{Posts: posts[start:end]}
	if end < len(posts) {
		p.Next = strconv.Itoa(end)
	}
	return p, nil
}

func checkName(name string) error {
	if len(name) < 3 || len(name) > 32 {
		return fmt.Errorf("%w %q: use 3 to 32 characters", core.ErrInvalidName, name)
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_') {
			return fmt.Errorf("%w %q: use only a-z, 0-9 and _", core.ErrInvalidName, name)
		}
	}
	return nil
}
