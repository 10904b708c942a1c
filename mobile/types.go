package mobile

import (
	"time"

	"github.com/skein-p2p/skein/core"
)

// Post is one post, reply or repost.
type Post struct {
	ID         string // entry ID, hex; Reply, Repost and Delete take it
	Kind       string // "post", "reply" or "repost"
	Author     string // username, "" if unknown
	AuthorKey  string // account public key, hex
	Text       string // "" for a repost: see RepostOf
	Seq        int64  // position in the author's log
	TimeMillis int64  // author's time, milliseconds since the Unix epoch
	// ReplyToID is the ID of the post a reply answers, ReplyToAuthor its
	// author's name ("" if unknown) and ReplyToAuthorKey their key; all
	// "" unless Kind is "reply".
	ReplyToID        string
	ReplyToAuthor    string
	ReplyToAuthorKey string
	// RepostOfID is the ID of the post a repost shares, "" otherwise.
	RepostOfID string
	// RepostOf is that post, whole if this device holds it; else it has
	// only its ID, author and Seq, and Unavailable set.
	RepostOf *Post
	// Unavailable marks a referenced post this device does not hold, or
	// that its author deleted.
	Unavailable bool

	// AuthorDisplayName is the author's display name, "" if none is known;
	// ReplyToAuthorDisplayName that of the replied-to post's author.
	AuthorDisplayName        string
	ReplyToAuthorDisplayName string
	// AuthorAvatar is the author's avatar, null if none is known: show
	// its thumbnail (MediaBytes of its Thumb) beside the post.
	AuthorAvatar *Media
	// Bookmarked says the account bookmarked the post.
	Bookmarked bool
	// Likes is the number of likes of the post this device has seen (its
	// author's device sees every like that reached it; others fewer).
	Likes int64
	// Liked says that the logged-in account likes the post.
	Liked bool
	// Media is the images attached, in order (at most MaxMediaPerPost);
	// an empty list, never null, when there are none. Show each one's
	// Blurhash, then its thumbnail (MediaBytes of Thumb), and the image
	// itself (MediaBytes of Root) when opened.
	Media *MediaList
}

func newPost(p core.Post) *Post {
	out := &Post{
		ID:          p.ID,
		Kind:        string(p.Kind),
		Author:      p.Author,
		AuthorKey:   p.AuthorKey,
		Text:        p.Text,
		Seq:         int64(p.Seq),
		TimeMillis:  millis(p.Time),
		Unavailable: p.Unavailable,

		AuthorDisplayName: p.AuthorDisplayName,
		AuthorAvatar:      newMediaPtr(p.AuthorAvatar),
		Bookmarked:        p.Bookmarked,
		Likes:             int64(p.Likes),
		Liked:             p.Liked,
		Media:             newMediaList(p.Media),
	}
	if r := p.ReplyTo; r != nil {
		out.ReplyToID, out.ReplyToAuthor, out.ReplyToAuthorKey = r.ID, r.Author, r.AuthorKey
		out.ReplyToAuthorDisplayName = r.AuthorDisplayName
	}
	if p.RepostOf != nil {
		out.RepostOfID = p.RepostOf.ID
		out.RepostOf = newPost(*p.RepostOf)
	}
	return out
}

// millis returns t in milliseconds since the Unix epoch, 0 for the zero
// time.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// User is an account as seen from this device.
type User struct {
	Name string // username
	Key  string // account public key, hex
	// SinceMillis is when the follow began, in following and followers
	// lists; 0 otherwise.
	SinceMillis int64
	// Log says how much of a followed user's log this device holds, in the
	// following list; null otherwise.
	Log *LogState

	// DisplayName, Bio and Link are the user's profile, each "" if not set
	// or not known on this device.
	DisplayName string
	Bio         string
	Link        string
	// Avatar and Banner are the profile's images, null if not set or not
	// known: show the Avatar's thumbnail (MediaBytes of its Thumb) beside
	// the user's posts.
	Avatar *Media
	Banner *Media
}

func newUser(u core.User) *User {
	out := &User{Name: u.Name, Key: u.Key, SinceMillis: millis(u.Since), DisplayName: u.DisplayName, Bio: u.Bio, Link: u.Link,
		Avatar: newMediaPtr(u.Avatar), Banner: newMediaPtr(u.Banner)}
	if l := u.Log; l != nil {
		out.Log = &LogState{From: int64(l.From), To: int64(l.To), Latest: int64(l.Latest), Trimmed: l.Trimmed}
	}
	return out
}

// LogState says which part of a user's log this device holds.
type LogState struct {
	From   int64 // lowest seq held, 0 if none
	To     int64 // highest seq held, 0 if none
	Latest int64 // highest seq known to exist
	// Trimmed says that the entries below From are not kept by design
	// (retention), so none is missing.
	Trimmed bool
}

// Profile describes a user looked up by name (Whois).
type Profile struct {
	Name string // username
	Key  string // account public key, hex
	// PeerID is the device currently publishing the user's name record,
	// Addrs its addresses.
	PeerID        string
	Addrs         *StringList
	UpdatedMillis int64 // when the name record was last published; 0 if unknown
	LatestSeq     int64 // highest entry seq the record announces
	Held          int64 // entries of this user held on this device
	Pinned        bool  // the account pinned the name to Key (it follows or followed them)
	Online        bool  // connected now, or its name record was republished lately
	// LastSeenMillis is the last contact with the user's device or name
	// record update; 0 if never.
	LastSeenMillis int64

	// DisplayName, Bio and Link are the user's profile, each "" if not set
	// or not known.
	DisplayName string
	Bio         string
	Link        string
	// Avatar and Banner are the user's profile images, null if not set or
	// not known.
	Avatar *Media
	Banner *Media
}

func newProfile(p core.Profile) *Profile {
	return &Profile{
		Name:           p.Name,
		Key:            p.Key,
		PeerID:         p.PeerID,
		Addrs:          &StringList{items: p.Addrs},
		UpdatedMillis:  millis(p.Updated),
		LatestSeq:      int64(p.LatestSeq),
		Held:           int64(p.Held),
		Pinned:         p.Pinned,
		Online:         p.Online,
		LastSeenMillis: millis(p.LastSeen),

		DisplayName: p.DisplayName,
		Bio:         p.Bio,
		Link:        p.Link,
		Avatar:      newMediaPtr(p.Avatar),
		Banner:      newMediaPtr(p.Banner),
	}
}

// Notification is one entry of the account's notifications.
type Notification struct {
	ID         string
	Kind       string // "follower", "unfollow", "reply", "repost", "mention" or "fork"
	FromName   string // who caused it
	FromKey    string
	TimeMillis int64
	Read       bool
	// Post is the reply, repost or mentioning post, if this device holds
	// it; null otherwise. PostID and PostText repeat its ID and text ("" if
	// none).
	Post     *Post
	PostID   string
	PostText string

	// FromDisplayName is the display name of who caused it, "" if none is
	// known.
	FromDisplayName string
}

func newNotification(n core.Notification) *Notification {
	out := &Notification{
		ID:         n.ID,
		Kind:       string(n.Kind),
		FromName:   n.From.Name,
		FromKey:    n.From.Key,
		TimeMillis: millis(n.Time),
		Read:       n.Read,

		FromDisplayName: n.From.DisplayName,
	}
	if n.Post != nil {
		out.Post = newPost(*n.Post)
		out.PostID, out.PostText = n.Post.ID, n.Post.Text
	}
	return out
}

// Status describes the node and the logged-in account.
type Status struct {
	PeerID    string
	Addrs     *StringList // listen addresses, each ending in /p2p/<PeerID>
	Peers     int         // connected peers
	DHTMode   string      // "client" or "server"
	Account   string      // logged-in username, "" if none
	Key       string      // logged-in account's key, "" if none
	Entries   int64       // entries (posts, follows, …) in the account's log
	Following int
	Followers int
	Unread    int  // unread notifications
	Restoring bool // the account's own log is still being fetched after a restore
	Accounts  *StringList
	Power     *PowerMode
	Network   *NetworkType
	// Reachability is what the node found out: "public", "private" (behind
	// a NAT: reached through relays) or "unknown".
	Reachability string
	// HolePunch says whether peers reaching the node through a relay can
	// upgrade to a direct connection.
	HolePunch bool
	// Relays are the peer IDs of the relays the node holds a reservation
	// on.
	Relays *StringList
}

func newStatus(st core.Status) *Status {
	return &Status{
		PeerID:       st.PeerID,
		Addrs:        &StringList{items: st.Addrs},
		Peers:        st.Peers,
		DHTMode:      st.DHTMode,
		Account:      st.Account,
		Key:          st.Key,
		Entries:      int64(st.Entries),
		Following:    st.Following,
		Followers:    st.Followers,
		Unread:       st.Unread,
		Restoring:    st.Restoring,
		Accounts:     &StringList{items: st.Accounts},
		Power:        newPowerMode(st.Power),
		Network:      newNetworkType(st.Network),
		Reachability: st.Reachability,
		HolePunch:    st.HolePunch,
		Relays:       &StringList{items: st.Relays},
	}
}

// Connection is one open connection of the node.
type Connection struct {
	Peer         string // the remote peer ID
	Addr         string // the remote multiaddr
	Relayed      bool   // through a circuit relay, not direct
	Direction    string // "inbound" or "outbound"
	OpenedMillis int64
}

// Holder is a device that holds a copy of the account's log.
type Holder struct {
	PeerID  string
	Account string // the follower using the device, "" if not known
	Online  bool   // connected now
}

// A list type per element type: gomobile binds neither slices of structs
// nor generic types. Each has Len and Get; iterate with
//
//	for (i in 0 until list.len()) use(list.get(i))

// FeedPage is one page of a feed or timeline, newest first.
type FeedPage struct {
	posts []core.Post
	next  string
}

func newFeedPage(pg core.Page) *FeedPage { return &FeedPage{posts: pg.Posts, next: pg.Next} }

// Len returns the number of posts on the page.
func (p *FeedPage) Len() int { return len(p.posts) }

// Get returns post i, 0 ≤ i < Len, or null if i is out of range.
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

// Get returns user i, 0 ≤ i < Len, or null if i is out of range.
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

// Get returns notification i, 0 ≤ i < Len, or null if i is out of range.
func (l *NotificationList) Get(i int) *Notification {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return newNotification(l.items[i])
}

// ConnectionList is a list of connections, oldest first.
type ConnectionList struct{ items []core.Connection }

// Len returns the number of connections.
func (l *ConnectionList) Len() int { return len(l.items) }

// Get returns connection i, 0 ≤ i < Len, or null if i is out of range.
func (l *ConnectionList) Get(i int) *Connection {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	c := l.items[i]
	return &Connection{Peer: c.Peer, Addr: c.Addr, Relayed: c.Relayed, Direction: c.Direction, OpenedMillis: millis(c.Opened)}
}

// HolderList is a list of the devices holding the account's log.
type HolderList struct{ items []core.Holder }

func newHolderList(hs []core.Holder) *HolderList { return &HolderList{items: hs} }

// Len returns the number of holders.
func (l *HolderList) Len() int { return len(l.items) }

// Get returns holder i, 0 ≤ i < Len, or null if i is out of range.
func (l *HolderList) Get(i int) *Holder {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	h := l.items[i]
	return &Holder{PeerID: h.PeerID, Account: h.Account, Online: h.Online}
}

// StringList is a list of strings.
type StringList struct{ items []string }

// Len returns the number of strings.
func (l *StringList) Len() int { return len(l.items) }

// Get returns string i, 0 ≤ i < Len, or "" if i is out of range.
func (l *StringList) Get(i int) string {
	if i < 0 || i >= len(l.items) {
		return ""
	}
	return l.items[i]
}
