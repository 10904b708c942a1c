package core

import "time"

// PostKind says what a Post is.
type PostKind string

// Post kinds.
const (
	KindPost   PostKind = "post"
	KindReply  PostKind = "reply"
	KindRepost PostKind = "repost"
)

// Post is one post, reply or repost as shown in a feed or timeline.
type Post struct {
	ID        string    `json:"id"`         // entry ID, hex; commands take it, or a unique prefix of 8+ digits
	Kind      PostKind  `json:"kind"`       // post, reply or repost
	Author    string    `json:"author"`     // username, "" if unknown
	AuthorKey string    `json:"author_key"` // account public key, hex
	Seq       uint64    `json:"seq"`        // position in the author's log
	Time      time.Time `json:"time"`       // author's hybrid-logical-clock time
	Text      string    `json:"text"`       // empty for a repost
	// Media is the images attached, in order.
	Media []Media `json:"media,omitempty"`
	// ReplyTo is the post a reply answers.
	ReplyTo *PostRef `json:"reply_to,omitempty"`
	// RepostOf is the reposted post: whole if this node holds it, else
	// only its reference with Unavailable set.
	RepostOf *Post `json:"repost_of,omitempty"`
	// Unavailable marks a referenced post this node does not hold (or
	// that its author deleted).
	Unavailable bool `json:"unavailable,omitempty"`

	// AuthorDisplayName is the author's display name from their profile,
	// "" if none is known.
	AuthorDisplayName string `json:"author_display_name,omitempty"`
	// AuthorAvatar is the author's avatar from their profile, nil if none
	// is known: apps show its thumbnail beside the post.
	AuthorAvatar *Media `json:"author_avatar,omitempty"`
	// Bookmarked says the logged-in account bookmarked the post.
	Bookmarked bool `json:"bookmarked,omitempty"`
	// Likes is the number of accounts that like the post among the likes
	// this node has seen: the author's device sees every like that reached
	// it, other nodes those in the logs they hold (docs/PROTOCOL.md).
	Likes int `json:"likes"`
	// Liked says that the logged-in account likes the post.
	Liked bool `json:"liked,omitempty"`
}

// PostRef points at a post in its author's log.
type PostRef struct {
	ID        string `json:"id"`
	Author    string `json:"author,omitempty"` // username, "" if unknown
	AuthorKey string `json:"author_key"`
	Seq       uint64 `json:"seq"`

	// AuthorDisplayName is the author's display name, "" if none is known.
	AuthorDisplayName string `json:"author_display_name,omitempty"`
}

// Page is one page of a feed or timeline, newest first. Next is the cursor
// for the following page, "" when there is none.
type Page struct {
	Posts []Post `json:"posts"`
	Next  string `json:"next,omitempty"`
}

// User is an account as seen from this node.
type User struct {
	Name string `json:"name"`
	Key  string `json:"key"` // account public key, hex
	// Log says how much of a followed user's log this node holds, in the
	// following list.
	Log   *LogState `json:"log,omitempty"`
	Since time.Time `json:"since,omitzero"` // when the follow began, in following/followers lists

	// DisplayName, Bio and Link are the account's profile (SetProfile),
	// each "" if not set or not known here.
	DisplayName string `json:"display_name,omitempty"`
	Bio         string `json:"bio,omitempty"`
	Link        string `json:"link,omitempty"`
	// Avatar and Banner are the profile's images, nil if not set.
	Avatar *Media `json:"avatar,omitempty"`
	Banner *Media `json:"banner,omitempty"`
}

// Profile describes a user looked up by name.
type Profile struct {
	User
	PeerID    string    `json:"peer_id,omitempty"`  // device currently publishing the name record
	Addrs     []string  `json:"addrs,omitempty"`    // that device's addresses
	Updated   time.Time `json:"updated,omitzero"`   // when the name record was last published
	LatestSeq uint64    `json:"latest_seq"`         // highest entry seq announced by the record
	Held      uint64    `json:"held"`               // entries of this user held locally
	Pinned    bool      `json:"pinned"`             // this node's account pinned the name to Key
	Online    bool      `json:"online"`             // connected now, or its name record was republished lately
	LastSeen  time.Time `json:"last_seen,omitzero"` // last contact with its device or name-record update
}

// LogState says which part of a user's log this node holds and the latest
// seq it has seen announced (by gossip, sync or the user's name record).
// Gaps at the start are normal after retention collected old entries.
type LogState struct {
	From   uint64 `json:"from"`   // lowest seq held, 0 if none
	To     uint64 `json:"to"`     // highest seq held, 0 if none
	Latest uint64 `json:"latest"` // highest seq known to exist
	// Trimmed says that the entries below From are not kept under this
	// node's Retention (older than KeepFor, beyond the newest
	// KeepPerAuthor), so none is missing; false when From is 1, or while
	// those entries are still to be fetched.
	Trimmed bool `json:"trimmed,omitempty"`
}

// NotificationKind says what a Notification is about.
type NotificationKind string

// Notification kinds.
const (
	NotifyFollower NotificationKind = "follower" // someone followed you
	NotifyUnfollow NotificationKind = "unfollow" // someone stopped following you
	NotifyReply    NotificationKind = "reply"    // someone replied to your post (Post set)
	NotifyRepost   NotificationKind = "repost"   // someone reposted your post (Post set)
	NotifyMention  NotificationKind = "mention"  // someone mentioned @you (Post set)
	NotifyLike     NotificationKind = "like"     // someone liked your post (Post set: the liked post)
	NotifyFork     NotificationKind = "fork"     // two different entries claim one place in a log (From is its author)
)

// Notification is one entry of the logged-in account's notification list.
type Notification struct {
	ID   string           `json:"id"`
	Kind NotificationKind `json:"kind"`
	From User             `json:"from"`
	Time time.Time        `json:"time"`
	Read bool             `json:"read"`
	Post *Post            `json:"post,omitempty"` // the reply, repost or mentioning post, if held
}

// Status describes the node.
type Status struct {
	PeerID    string      `json:"peer_id"`
	Addrs     []string    `json:"addrs"` // listen addresses with /p2p/<id>
	Peers     int         `json:"peers"` // connected peers
	DHTMode   string      `json:"dht_mode"`
	Account   string      `json:"account,omitempty"` // logged-in username
	Key       string      `json:"key,omitempty"`     // logged-in account key
	Entries   uint64      `json:"entries"`           // entries (posts, follows, unfollows) in the logged-in account's log
	Following int         `json:"following"`
	Unread    int         `json:"unread"` // unread notifications
	Followers int         `json:"followers"`
	Restoring bool        `json:"restoring,omitempty"` // the account's own log is still being fetched after a restore
	Accounts  []string    `json:"accounts"`            // accounts stored on this device
	Power     PowerMode   `json:"power"`               // power mode set by the app
	Network   NetworkType `json:"network"`             // network type set by the app
	// Reachability is what AutoNAT found: "public", "private" (behind a
	// NAT: reached through relays) or "unknown".
	Reachability string `json:"reachability"`
	// HolePunch says whether the node answers hole punching (DCUtR): it
	// does once peers have told it a public address of its own. A peer
	// reached through a relay can then get a direct connection.
	HolePunch bool `json:"hole_punch"`
	// Relays are the peer IDs of the circuit relays the node holds a
	// reservation on, so that peers reach it through them.
	Relays []string `json:"relays"`
	// Goroutines is the number of goroutines in the process
	// (runtime.NumGoroutine), for measurements: it grows with what the
	// node runs per followed author.
	Goroutines int `json:"goroutines"`
}

// EventKind says what an Event is about.
type EventKind string

// Event kinds.
const (
	EventPost         EventKind = "post"         // a new post for the feed (Post set)
	EventFollower     EventKind = "follower"     // someone followed the account (User set)
	EventUnfollow     EventKind = "unfollow"     // someone unfollowed the account (User set)
	EventConnectivity EventKind = "connectivity" // the number of connected peers changed (Peers set)
	EventNotification EventKind = "notification" // a notification was added (Notification set)
	EventDelete       EventKind = "delete"       // a post in the feed was deleted by its author (Post set: ID, author, seq)
)

// Event is delivered to Watch callbacks.
type Event struct {
	Kind  EventKind `json:"kind"`
	Post  *Post     `json:"post,omitempty"`
	User  *User     `json:"user,omitempty"`
	Peers int       `json:"peers"`

	Notification *Notification `json:"notification,omitempty"`

	// Message is set for EventMessage; Conversation for EventMessage,
	// EventMembers and EventInvite.
	Message      *Message      `json:"message,omitempty"`
	Conversation *Conversation `json:"conversation,omitempty"`
}
