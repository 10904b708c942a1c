// Package apitest provides an in-memory fake of api.Node for tests of the
// local API and of the commands that use it. It models one device whose
// accounts can follow, reply to and repost each other and users added with
// AddUser, who stand for the accounts of other devices; it checks inputs and
// reports errors the way core does, wrapping core's sentinels. Like core, it
// does a write that carries a request ID (core.WithRequestID) once and
// answers a retry with the first result; unlike core, it remembers every
// request ID, not the newest 1,000 per account.
//
// Its recovery phrases and key files are stand-ins (Phrase, KeyFile): they
// have the shape of core's but protect nothing. Its power mode and network
// type are only recorded and reported by Status: it has no network, and
// always reports 0 peers.
//
// Its media (media.go) are blobs named by their SHA-256, imported by the
// accounts of this device or held by other devices (AddRemoteMedia), and
// albums (AddAlbum for those of other devices): fetching one held
// elsewhere reports progress and makes it held at once.
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
	pending  []core.Event // emitted by unlock
	nextID   int
	power    core.PowerMode   // as set by SetPowerMode; the fake has no network to switch
	network  core.NetworkType // as set by SetNetworkType
	closed   bool
	done     chan struct{}     // closed by Close
	lists    map[string]*lists // by account name: mutes, blocks, bookmarks (moderation.go)
	convs    map[string]*conv  // conversations by ID (chat.go)
	media    *library          // blobs and albums (media.go); nil until first used
	attach   []core.Media      // the media addPost gives the next post (media.go)
}

type user struct {
	core.User
	password  string // "" for users of other devices
	restoring bool   // restored and its log not yet fetched back
	posts     []*post
	following map[string]time.Time
	followers map[string]time.Time
	notes     []core.Notification
	online    bool
	lastSeen  time.Time
	requests  map[string]request // by request ID
}

// request is a write done with a request ID: what it asked for and what it
// answered.
type request struct {
	key    string // the operation and its arguments
	result any
}

// post is a post, reply or repost as stored: a repost holds only the ID of
// the original, which is looked up whenever it is shown.
type post struct {
	core.Post
	repostOf string
	deleted  bool
	likers   map[string]bool // names of the accounts that like it
}

// NewNode returns an empty fake whose clock starts at start.
func NewNode(start time.Time) *Node {
	return &Node{now: start, users: map[string]*user{}, watchers: map[int]func(core.Event){}, done: make(chan struct{})}
}

// AddUser adds a user of another device that accounts can follow.
func (n *Node) AddUser(name string) core.User {
	n.mu.Lock()
	defer n.unlock()
	return n.addUser(name, "").User
}

// AddPost adds a post by the user name, as if received from the network, and
// reports it to watchers if the logged-in account follows name.
func (n *Node) AddPost(name, text string) core.Post {
	n.mu.Lock()
	defer n.unlock()
	return n.addPost(n.users[name], core.KindPost, text, nil, "")
}

// SetDisplayName sets the display name of the user name, as if its
// profile came from the network, unchecked; posts added after show it.
func (n *Node) SetDisplayName(name, displayName string) {
	n.mu.Lock()
	defer n.unlock()
	n.users[name].DisplayName = displayName
}

// AddReply adds a reply by the user name to the post id, as if received
// from the network; the replied-to author is notified.
func (n *Node) AddReply(name, id, text string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	return n.reply(n.users[name], id, text)
}

// AddRepost adds a repost by the user name of the post id, as if received
// from the network; the reposted author is notified.
func (n *Node) AddRepost(name, id string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	return n.repost(n.users[name], id)
}

// AddDelete deletes the post id of the user name, as if the tombstone came
// from the network.
func (n *Node) AddDelete(name, id string) error {
	n.mu.Lock()
	defer n.unlock()
	return n.delete(n.users[name], id)
}

// SetOnline sets what Whois says of the presence of the user name.
func (n *Node) SetOnline(name string, online bool, lastSeen time.Time) {
	n.mu.Lock()
	defer n.unlock()
	u := n.users[name]
	u.online, u.lastSeen = online, lastSeen
}

// FinishRestore ends the restoring mode of the logged-in account, as core
// does once the account's log is fetched back.
func (n *Node) FinishRestore() {
	n.mu.Lock()
	defer n.unlock()
	if n.current != nil {
		n.current.restoring = false
	}
}

// Close makes every later call fail with core.ErrClosed and ends Watch.
func (n *Node) Close() error {
	n.mu.Lock()
	defer n.unlock()
	if !n.closed {
		n.closed = true
		close(n.done)
	}
	return nil
}

// Register implements api.Node.
func (n *Node) Register(ctx context.Context, name, password string) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
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
	defer n.unlock()
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
	defer n.unlock()
	if err := n.check(true); err != nil {
		return err
	}
	n.current = nil
	return nil
}

// Post implements api.Node.
func (n *Node) Post(ctx context.Context, text string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Post{}, err
	}
	return once(n, ctx, "post", []string{text}, func() (core.Post, error) {
		if err := checkText(text); err != nil {
			return core.Post{}, err
		}
		return n.addPost(n.current, core.KindPost, text, nil, ""), nil
	})
}

// Reply implements api.Node.
func (n *Node) Reply(ctx context.Context, postID, text string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Post{}, err
	}
	return once(n, ctx, "reply", []string{postID, text}, func() (core.Post, error) {
		return n.reply(n.current, postID, text)
	})
}

// Repost implements api.Node.
func (n *Node) Repost(ctx context.Context, postID string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Post{}, err
	}
	return once(n, ctx, "repost", []string{postID}, func() (core.Post, error) {
		return n.repost(n.current, postID)
	})
}

// Delete implements api.Node.
func (n *Node) Delete(ctx context.Context, postID string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	_, err := once(n, ctx, "delete", []string{postID}, func() (struct{}, error) {
		return struct{}{}, n.delete(n.current, postID)
	})
	return err
}

// Follow implements api.Node.
func (n *Node) Follow(ctx context.Context, name string) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.User{}, err
	}
	return once(n, ctx, "follow", []string{name}, func() (core.User, error) {
		if err := checkName(name); err != nil {
			return core.User{}, err
		}
		u, ok := n.users[name]
		switch {
		case !ok:
			return core.User{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
		case u == n.current:
			return core.User{}, core.ErrSelfFollow
		}
		t := n.tick()
		n.current.following[name] = t
		u.followers[n.current.Name] = t
		n.note(u, core.NotifyFollower, n.current.User, t, nil)
		return core.User{Name: u.Name, Key: u.Key, Since: t}, nil
	})
}

// Unfollow implements api.Node.
func (n *Node) Unfollow(ctx context.Context, name string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	_, err := once(n, ctx, "unfollow", []string{name}, func() (struct{}, error) {
		if _, ok := n.current.following[name]; !ok {
			return struct{}{}, fmt.Errorf("%w: %s", core.ErrNotFollowing, name)
		}
		delete(n.current.following, name)
		u := n.users[name]
		delete(u.followers, n.current.Name)
		n.note(u, core.NotifyUnfollow, n.current.User, n.tick(), nil)
		return struct{}{}, nil
	})
	return err
}

// once runs do, a write of the logged-in account, unless ctx carries the
// request ID of an earlier write, whose result it returns, as core does
// (core.WithRequestID); the fake remembers every request.
func once[T any](n *Node, ctx context.Context, op string, args []string, do func() (T, error)) (T, error) {
	var zero T
	id := core.RequestID(ctx)
	if id == "" {
		return do()
	}
	if err := core.CheckRequestID(id); err != nil {
		return zero, err
	}
	key := op + "\x00" + strings.Join(args, "\x00")
	if r, ok := n.current.requests[id]; ok {
		if r.key != key {
			return zero, fmt.Errorf("%w: %q", core.ErrRequestIDReused, id)
		}
		return r.result.(T), nil
	}
	v, err := do()
	if err == nil {
		n.current.requests[id] = request{key: key, result: v}
	}
	return v, err
}

// Feed implements api.Node.
func (n *Node) Feed(ctx context.Context, cursor string, limit int) (core.Page, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.Page{}, err
	}
	posts := n.shown(n.current)
	for name := range n.current.following {
		posts = append(posts, n.shown(n.users[name])...)
	}
	return paginate(posts, cursor, limit)
}

// Timeline implements api.Node.
func (n *Node) Timeline(ctx context.Context, name, cursor string, limit int) (core.Page, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.Page{}, err
	}
	u, ok := n.users[name]
	if !ok {
		return core.Page{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	return paginate(n.shown(u), cursor, limit)
}

// Following implements api.Node. The fake holds every entry of everyone, so
// every log is complete.
func (n *Node) Following(ctx context.Context) ([]core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	users := n.list(n.current.following)
	for i, u := range users {
		seq := uint64(len(n.users[u.Name].posts))
		users[i].Log = &core.LogState{From: min(seq, 1), To: seq, Latest: seq}
	}
	return users, nil
}

// Followers implements api.Node.
func (n *Node) Followers(ctx context.Context) ([]core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	return n.list(n.current.followers), nil
}

// Notifications implements api.Node.
func (n *Node) Notifications(ctx context.Context, limit int, markRead bool) ([]core.Notification, error) {
	n.mu.Lock()
	defer n.unlock()
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

// Whois implements api.Node. The accounts of this device are online; the
// others are as SetOnline said, by default offline and last seen when they
// last posted.
func (n *Node) Whois(ctx context.Context, name string) (core.Profile, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.Profile{}, err
	}
	u, ok := n.users[name]
	if !ok {
		return core.Profile{}, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	p := core.Profile{
		User:      core.User{Name: u.Name, Key: u.Key, DisplayName: u.DisplayName, Bio: u.Bio, Link: u.Link},
		PeerID:    "12D3KooWFake",
		Addrs:     []string{"/ip4/127.0.0.1/tcp/4001"},
		LatestSeq: uint64(len(u.posts)),
		Held:      uint64(len(u.posts)),
		Online:    u.online || u.password != "",
		LastSeen:  u.lastSeen,
	}
	if p.Online {
		p.LastSeen = n.now
	} else if p.LastSeen.IsZero() && len(u.posts) > 0 {
		p.LastSeen = u.posts[len(u.posts)-1].Time
	}
	if n.current != nil {
		_, p.Pinned = n.current.following[name]
	}
	return p, nil
}

// SetProfile implements api.Node.
func (n *Node) SetProfile(ctx context.Context, displayName, bio, link string) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.User{}, err
	}
	return once(n, ctx, "profile", []string{displayName, bio, link}, func() (core.User, error) {
		if err := core.CheckProfile(displayName, bio, link); err != nil {
			return core.User{}, err
		}
		u := n.current
		u.DisplayName, u.Bio, u.Link = displayName, bio, link
		n.tick()
		return core.User{Name: u.Name, Key: u.Key, DisplayName: displayName, Bio: bio, Link: link}, nil
	})
}

// Status implements api.Node.
func (n *Node) Status(ctx context.Context) (core.Status, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.Status{}, err
	}
	st := core.Status{
		PeerID:  "12D3KooWFake",
		Addrs:   []string{"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWFake"},
		DHTMode: "client",
		Power:   n.power,
		Network: n.network,
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
		st.Restoring = c.restoring
		for _, x := range c.notes {
			if !x.Read {
				st.Unread++
			}
		}
	}
	return st, nil
}

// Connections implements api.Node: the fake has one relayed connection.
func (n *Node) Connections() []core.Connection {
	return []core.Connection{{
		Peer:      "12D3KooWPeer",
		Addr:      "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWRelay/p2p-circuit",
		Relayed:   true,
		Direction: "outbound",
		Opened:    time.Unix(0, 0).UTC(),
	}}
}

// Holders implements api.Node: the devices of the logged-in account's
// followers hold its log (the fake's followers are all online).
func (n *Node) Holders(ctx context.Context) ([]core.Holder, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	hs := []core.Holder{}
	for _, f := range n.list(n.current.followers) {
		hs = append(hs, core.Holder{PeerID: "12D3KooWDeviceOf" + f.Name, Account: f.Name, Online: true})
	}
	return hs, nil
}

// SetPowerMode implements api.Node. It records m for Status, checked as
// core checks it; the fake has no connections to close or reopen.
func (n *Node) SetPowerMode(m core.PowerMode) error {
	if m < core.PowerForeground || m > core.PowerOff {
		return fmt.Errorf("core: unknown power mode %d", int(m))
	}
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return err
	}
	n.power = m
	return nil
}

// SetNetworkType implements api.Node. It records t for Status, checked as
// core checks it.
func (n *Node) SetNetworkType(t core.NetworkType) error {
	if t < core.NetworkWiFi || t > core.NetworkNone {
		return fmt.Errorf("core: unknown network type %d", int(t))
	}
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return err
	}
	n.network = t
	return nil
}

// ExportPhrase implements api.Node.
func (n *Node) ExportPhrase(ctx context.Context, password string) (string, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkPassword(password); err != nil {
		return "", err
	}
	return Phrase(n.current.Name), nil
}

// ExportKeyFile implements api.Node.
func (n *Node) ExportKeyFile(ctx context.Context, password string) ([]byte, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkPassword(password); err != nil {
		return nil, err
	}
	return KeyFile(n.current.Name, password), nil
}

// RestorePhrase implements api.Node: the phrase must be Phrase(name), and
// name a user of another device (AddUser). The account is logged in and
// restoring until FinishRestore.
func (n *Node) RestorePhrase(ctx context.Context, name, phrase, password string) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.User{}, err
	}
	if err := checkName(name); err != nil {
		return core.User{}, err
	}
	words := strings.Fields(strings.ToLower(phrase))
	if len(words) != 24 {
		return core.User{}, fmt.Errorf("%w: %d words, want 24: check for a missing or extra word", core.ErrBadSecret, len(words))
	}
	u, ok := n.users[name]
	if !ok {
		return core.User{}, fmt.Errorf("%w: restoring from a phrase needs the name's record; is the network reachable?", core.ErrUnknownName)
	}
	if strings.Join(words, " ") != Phrase(name) {
		for other := range n.users {
			if strings.Join(words, " ") == Phrase(other) {
				return core.User{}, fmt.Errorf("%w: %s belongs to key %s, not to this phrase's", core.ErrNameTaken, name, u.Key[:8])
			}
		}
		return core.User{}, fmt.Errorf("%w: checksum fails: a word is wrong or out of place", core.ErrBadSecret)
	}
	return n.restore(u, password)
}

// RestoreKeyFile implements api.Node: keyFile must be one made by KeyFile or
// ExportKeyFile. An unknown name makes a new user.
func (n *Node) RestoreKeyFile(ctx context.Context, keyFile []byte, password string) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.User{}, err
	}
	name, sealed, ok := parseKeyFile(keyFile)
	if !ok {
		return core.User{}, fmt.Errorf("%w: not a Skein key file", core.ErrBadSecret)
	}
	if sealed != seal(password) {
		return core.User{}, fmt.Errorf("%w for the key file of %s", core.ErrWrongPassword, name)
	}
	if n.current != nil {
		return core.User{}, core.ErrLoggedIn
	}
	u, ok := n.users[name]
	if !ok {
		u = n.addUser(name, "")
	}
	return n.restore(u, password)
}

// Watch implements api.Node. It reports posts of the logged-in account and
// of those it follows, deletions of them, and the account's notifications;
// no connectivity.
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

// Phrase returns the fake's recovery phrase of the account name: 24 words
// that depend on the name only.
func Phrase(name string) string {
	sum := sha256.Sum256([]byte("phrase/" + name))
	words := make([]string, 24)
	for i := range words {
		words[i] = phraseWords[int(sum[i])%len(phraseWords)]
	}
	return strings.Join(words, " ")
}

var phraseWords = []string{
	"abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract",
	"absurd", "abuse", "access", "accident", "account", "accuse", "achieve", "acid",
}

// KeyFile returns the fake's key file of the account name sealed with
// password, as ExportKeyFile on the device holding the account makes it.
func KeyFile(name, password string) []byte {
	return fmt.Appendf(nil, "skein-key-file v1\nname: %s\ncreated: 2026-01-01T00:00:00.000Z\nsecret: %s\n", name, seal(password))
}

func seal(password string) string {
	sum := sha256.Sum256([]byte("seal/" + password))
	return hex.EncodeToString(sum[:])
}

func parseKeyFile(b []byte) (name, sealed string, ok bool) {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || lines[0] != "skein-key-file v1" {
		return "", "", false
	}
	name, ok1 := strings.CutPrefix(lines[1], "name: ")
	sealed, ok2 := strings.CutPrefix(lines[3], "secret: ")
	return name, sealed, ok1 && ok2 && checkName(name) == nil
}

// unlock unlocks n.mu and then reports the events queued while it was
// held.
func (n *Node) unlock() {
	evs := n.pending
	n.pending = nil
	var fns []func(core.Event)
	if len(evs) > 0 {
		for _, fn := range n.watchers {
			fns = append(fns, fn)
		}
	}
	n.mu.Unlock()
	for _, ev := range evs {
		for _, fn := range fns {
			fn(ev)
		}
	}
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

// checkWrite checks that the logged-in account may append to its log.
func (n *Node) checkWrite() error {
	if err := n.check(true); err != nil {
		return err
	}
	if n.current.restoring {
		return core.ErrRestoring
	}
	return nil
}

func (n *Node) checkPassword(password string) error {
	if err := n.check(true); err != nil {
		return err
	}
	if password != n.current.password {
		return fmt.Errorf("%w for %s", core.ErrWrongPassword, n.current.Name)
	}
	return nil
}

func (n *Node) restore(u *user, password string) (core.User, error) {
	switch {
	case n.current != nil:
		return core.User{}, core.ErrLoggedIn
	case u.password != "":
		return core.User{}, fmt.Errorf("%w: %s", core.ErrAccountExists, u.Name)
	case password == "":
		return core.User{}, fmt.Errorf("empty password: choose a password")
	}
	u.password, u.restoring = password, true
	n.current = u
	return u.User, nil
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
		requests:  map[string]request{},
	}
	n.users[name] = u
	return u
}

// addPost appends a post, reply or repost to u's log, notifies those it
// concerns and reports it to the logged-in account's watchers if it is in
// its feed.
func (n *Node) addPost(u *user, kind core.PostKind, text string, replyTo *post, repostOf string) core.Post {
	seq := uint64(len(u.posts) + 1)
	id := sha256.Sum256(fmt.Appendf(nil, "%s/%d", u.Key, seq))
	p := &post{
		Post:     core.Post{ID: hex.EncodeToString(id[:]), Kind: kind, Author: u.Name, AuthorKey: u.Key, Seq: seq, Time: n.tick(), Text: text, AuthorDisplayName: u.DisplayName, Media: n.attach},
		repostOf: repostOf,
	}
	n.attach = nil
	if replyTo != nil {
		p.ReplyTo = &core.PostRef{ID: replyTo.ID, Author: replyTo.Author, AuthorKey: replyTo.AuthorKey, Seq: replyTo.Seq}
	}
	u.posts = append(u.posts, p)
	shown := n.show(p)
	notified := map[string]bool{u.Name: true}
	switch {
	case replyTo != nil:
		notified[replyTo.Author] = true
		n.note(n.users[replyTo.Author], core.NotifyReply, u.User, p.Time, &shown)
	case repostOf != "":
		if orig := n.byID(repostOf); orig != nil {
			notified[orig.Author] = true
			n.note(n.users[orig.Author], core.NotifyRepost, u.User, p.Time, &shown)
		}
	}
	for _, name := range mentions(text) {
		if m, ok := n.users[name]; ok && !notified[name] {
			notified[name] = true
			n.note(m, core.NotifyMention, u.User, p.Time, &shown)
		}
	}
	if n.inFeed(u) {
		n.pending = append(n.pending, core.Event{Kind: core.EventPost, Post: &shown})
	}
	return shown
}

func (n *Node) reply(u *user, id, text string) (core.Post, error) {
	parent, err := n.find(id)
	if err != nil {
		return core.Post{}, err
	}
	if err := checkText(text); err != nil {
		return core.Post{}, err
	}
	return n.addPost(u, core.KindReply, text, parent, ""), nil
}

func (n *Node) repost(u *user, id string) (core.Post, error) {
	target, err := n.find(id)
	if err != nil {
		return core.Post{}, err
	}
	if target.repostOf != "" {
		if target = n.byID(target.repostOf); target == nil || target.deleted {
			return core.Post{}, fmt.Errorf("%w: the reposted post is not available", core.ErrNoPost)
		}
	}
	return n.addPost(u, core.KindRepost, "", nil, target.ID), nil
}

func (n *Node) delete(u *user, id string) error {
	p, err := n.find(id)
	if err != nil {
		return err
	}
	if p.Author != u.Name {
		return fmt.Errorf("%w: it is @%s's", core.ErrNotYours, p.Author)
	}
	p.deleted, p.Text = true, ""
	n.tick()
	if n.inFeed(u) {
		n.pending = append(n.pending, core.Event{Kind: core.EventDelete, Post: &core.Post{ID: p.ID, Author: p.Author, AuthorKey: p.AuthorKey, Seq: p.Seq}})
	}
	return nil
}

// find finds an undeleted post by its ID or a unique prefix of 8 or more
// hex digits.
func (n *Node) find(id string) (*post, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 || len(id) > 64 {
		return nil, fmt.Errorf("%w: %q: give the post's ID or its first 8 or more hex digits", core.ErrNoPost, id)
	}
	if _, err := hex.DecodeString(id[:len(id)&^1]); err != nil {
		return nil, fmt.Errorf("%w: %q is not a hex post ID", core.ErrNoPost, id)
	}
	var found []*post
	for _, u := range n.users {
		for _, p := range u.posts {
			if strings.HasPrefix(p.ID, id) {
				found = append(found, p)
			}
		}
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("%w: %s", core.ErrNoPost, id)
	case len(found) > 1:
		return nil, fmt.Errorf("%w: %s matches more than one post; give more digits", core.ErrNoPost, id)
	case found[0].deleted:
		return nil, fmt.Errorf("%w: %s was deleted", core.ErrNoPost, id)
	}
	return found[0], nil
}

func (n *Node) byID(id string) *post {
	for _, u := range n.users {
		for _, p := range u.posts {
			if p.ID == id {
				return p
			}
		}
	}
	return nil
}

// show returns p as a feed shows it: a repost with its original, or the
// original's reference marked unavailable if it was deleted.
func (n *Node) show(p *post) core.Post {
	out := p.Post
	out.Likes = len(p.likers)
	out.Liked = n.current != nil && p.likers[n.current.Name]
	if p.repostOf != "" {
		orig := n.byID(p.repostOf)
		switch {
		case orig == nil:
			out.RepostOf = &core.Post{ID: p.repostOf, Unavailable: true}
		case orig.deleted:
			out.RepostOf = &core.Post{ID: orig.ID, Kind: orig.Kind, Author: orig.Author, AuthorKey: orig.AuthorKey, Seq: orig.Seq, Unavailable: true}
		default:
			o := orig.Post
			out.RepostOf = &o
		}
	}
	return out
}

// shown returns u's undeleted posts as a feed shows them.
func (n *Node) shown(u *user) []core.Post {
	var out []core.Post
	for _, p := range u.posts {
		if !p.deleted {
			out = append(out, n.show(p))
		}
	}
	return out
}

// inFeed reports whether u's posts are in the logged-in account's feed.
func (n *Node) inFeed(u *user) bool {
	c := n.current
	if c == nil {
		return false
	}
	_, ok := c.following[u.Name]
	return ok || c == u
}

// note adds a notification for u and reports it to the watchers if u is
// logged in.
func (n *Node) note(u *user, kind core.NotificationKind, from core.User, t time.Time, p *core.Post) {
	if u == nil || u.Name == from.Name {
		return
	}
	n.nextID++
	x := core.Notification{ID: strconv.Itoa(n.nextID), Kind: kind, From: core.User{Name: from.Name, Key: from.Key}, Time: t, Post: p}
	u.notes = append(u.notes, x)
	if u == n.current {
		n.pending = append(n.pending, core.Event{Kind: core.EventNotification, Notification: &x})
	}
}

func (n *Node) list(names map[string]time.Time) []core.User {
	var out []core.User
	for name, since := range names {
		u := n.users[name]
		out = append(out, core.User{Name: name, Key: u.Key, Since: since, DisplayName: u.DisplayName, Bio: u.Bio, Link: u.Link})
	}
	slices.SortFunc(out, func(a, b core.User) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// paginate sorts posts newest first and returns the page at cursor, an
// offset into them.
func paginate(posts []core.Post, cursor string, limit int) (core.Page, error) {
	slices.SortFunc(posts, func(a, b core.Post) int { return cmp.Compare(b.Time.UnixNano(), a.Time.UnixNano()) })
	return page(posts, cursor, limit)
}

// page returns the page of posts, in their order, that cursor (an index)
// starts.
func page(posts []core.Post, cursor string, limit int) (core.Page, error) {
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

func checkText(text string) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("%w: post is not valid UTF-8", core.ErrInvalidPost)
	}
	if c := utf8.RuneCountInString(text); c > 1000 {
		return fmt.Errorf("%w: post is %d characters, limit 1000", core.ErrInvalidPost, c)
	}
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: post is empty", core.ErrInvalidPost)
	}
	// The characters new posts may not hold: core's own rule.
	return core.CheckPostText(text)
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

// mentions returns the names mentioned as @name in text, as core reads
// them.
func mentions(text string) []string {
	isName := func(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_' }
	var names []string
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || i > 0 && isName(text[i-1]) {
			continue
		}
		j := i + 1
		for j < len(text) && isName(text[j]) {
			j++
		}
		if name := text[i+1 : j]; len(name) >= 3 && len(name) <= 32 && !slices.Contains(names, name) {
			names = append(names, name)
		}
		i = j - 1
	}
	return names
}
