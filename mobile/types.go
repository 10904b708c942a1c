package mobile

import "github.com/skein-p2p/skein/core"

// Post is one post, reply or repost.
type Post struct {
	ID         string // entry ID, hex
	Kind       string // "post", "reply" or "repost"
	Author     string // username, "" if unknown
	AuthorKey  string // account public key, hex
	Text       string // empty for a repost
	Seq        int64  // position in the author's log
	TimeMillis int64  // author's time, milliseconds since the Unix epoch
	// ReplyToID is the ID of the post a reply answers, RepostOfID that of
	// the reposted post; "" otherwise.
	ReplyToID  string
	RepostOfID string
}

func newPost(p core.Post) *Post {
	out := &Post{
		ID:         p.ID,
		Kind:       string(p.Kind),
		Author:     p.Author,
		AuthorKey:  p.AuthorKey,
		Text:       p.Text,
		Seq:        int64(p.Seq),
		TimeMillis: p.Time.UnixMilli(),
	}
	if p.ReplyTo != nil {
		out.ReplyToID = p.ReplyTo.ID
	}
	if p.RepostOf != nil {
		out.RepostOfID = p.RepostOf.ID
		if out.Text == "" {
			out.Text = p.RepostOf.Text
		}
	}
	return out
}

// User is an account as seen from this device.
type User struct {
	Name string // username
	Key  string // account public key, hex
	// SinceMillis is when the follow began, in following and followers
	// lists; 0 otherwise.
	SinceMillis int64
}

func newUser(u core.User) *User {
	out := &User{Name: u.Name, Key: u.Key}
	if !u.Since.IsZero() {
		out.SinceMillis = u.Since.UnixMilli()
	}
	return out
}

// Notification is one entry of the account's notifications.
type Notification struct {
	ID         string
	Kind       string // "follower", "unfollow", "reply", "repost", "mention" or "fork"
	FromName   string // who caused it
	FromKey    string
	PostID     string // the reply, repost or mentioning post; "" if none
	PostText   string
	TimeMillis int64
	Read       bool
}

func newNotification(n core.Notification) *Notification {
	out := &Notification{
		ID:         n.ID,
		Kind:       string(n.Kind),
		FromName:   n.From.Name,
		FromKey:    n.From.Key,
		TimeMillis: n.Time.UnixMilli(),
		Read:       n.Read,
	}
	if n.Post != nil {
		out.PostID, out.PostText = n.Post.ID, n.Post.Text
	}
	return out
}

// Status describes the node and the logged-in account.
type Status struct {
	PeerID      string
	Account     string // logged-in username, "" if none
	Peers       int    // connected peers
	Following   int
	Followers   int
	Unread      int // unread notifications
	PowerMode   int // PowerForeground, PowerBackground or PowerOff
	NetworkType int // NetworkWiFi, NetworkCellular or NetworkNone
}

// FeedPage is one page of a feed or timeline, newest first.
type FeedPage struct {
	posts []core.Post
	next  string
}

func newFeedPage(pg core.Page) *FeedPage { return &FeedPage{posts: pg.Posts, next: pg.Next} }

// Len returns the number of posts on the page.
func (p *FeedPage) Len() int { return len(p.posts) }

// Get returns post i, 0 ≤ i < Len, or nil if i is out of range.
func (p *FeedPage) Get(i int) *Post {
	if i < 0 || i >= len(p.posts) {
		return nil
	}
	return newPost(p.posts[i])
}

// NextCursor returns the cursor of the next page, "" if this is the last.
func (p *FeedPage) NextCursor() string { return p.next }

// UserList is a list of users.
type UserList struct{ users []core.User }

func newUserList(us []core.User) *UserList { return &UserList{users: us} }

// Len returns the number of users.
func (l *UserList) Len() int { return len(l.users) }

// Get returns user i, 0 ≤ i < Len, or nil if i is out of range.
func (l *UserList) Get(i int) *User {
	if i < 0 || i >= len(l.users) {
		return nil
	}
	return newUser(l.users[i])
}

// NotificationList is a list of notifications, newest first.
type NotificationList struct{ items []core.Notification }

// Len returns the number of notifications.
func (l *NotificationList) Len() int { return len(l.items) }

// Get returns notification i, 0 ≤ i < Len, or nil if i is out of range.
func (l *NotificationList) Get(i int) *Notification {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return newNotification(l.items[i])
}
