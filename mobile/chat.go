package mobile

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/skein-p2p/skein/core"
)

// Limits of messaging an app may show or check before calling.
const (
	// MaxMessageChars is the longest message, in Unicode code points (a
	// Java String's codePointCount, not its length()).
	MaxMessageChars = 4000
	// DefaultMessagePage is the page size of Messages for a limit of 0
	// or less; MaxMessagePage the largest page it returns.
	DefaultMessagePage = 50
	MaxMessagePage     = 200
	// DefaultInviteMinutes is how long an invitation can be accepted when
	// Invite is given 0 minutes (7 days); MaxInviteMinutes the longest
	// (30 days): a longer time is cut to it.
	DefaultInviteMinutes = 7 * 24 * 60
	MaxInviteMinutes     = 30 * 24 * 60
)

// Conversation is a direct-message thread or a group chat the account is
// in, or has been invited to.
type Conversation struct {
	// ID is the group's ID, 64 hex digits; every method that takes a
	// conversation or a group accepts it. A DM's ID is derived from its
	// two accounts, so both sides name it the same.
	ID string
	// DM is true for a direct-message conversation.
	DM bool
	// Name is the group's name; for a DM, the other account's username.
	Name string
	// Peer is, for a DM, the other account's key (hex); "" for a group.
	Peer string
	// Public is true for a public group: unencrypted, listed by the
	// relays' directories, open to anyone who finds it.
	Public bool
	// HistoryShared says whether members who join later read what was sent
	// before they joined.
	HistoryShared bool
	// Role is the account's role: "admin", "member", "invited" while an
	// invitation waits to be accepted with Join, or "" once the account
	// left or was removed.
	Role string
	// Members is how many accounts are members now.
	Members int
	// Unread is how many messages arrived since the account last read the
	// conversation (MarkRead).
	Unread int
	// Last is the newest message, null if none.
	Last *Message
	// UpdatedMillis is when the newest message or change arrived.
	UpdatedMillis int64
}

func newConversation(c core.Conversation) *Conversation {
	out := &Conversation{
		ID:            c.ID,
		DM:            c.DM,
		Name:          c.Name,
		Peer:          c.Peer,
		Public:        c.Public,
		HistoryShared: c.HistoryShared,
		Role:          c.Role,
		Members:       c.Members,
		Unread:        c.Unread,
		UpdatedMillis: millis(c.Updated),
	}
	if c.Last != nil {
		out.Last = newMessage(*c.Last)
	}
	return out
}

// Message is one message of a conversation, or a row that marks a change
// of the group or a gap in its history (Event).
type Message struct {
	// ID is the message's ID, 64 hex digits.
	ID string
	// ConversationID is the ID of the conversation it belongs to.
	ConversationID string
	// Author is the sender's username (or "@" and the first digits of
	// their key if this device does not know it); AuthorKey their key.
	Author    string
	AuthorKey string
	// Seq is the message's place among its author's entries in this
	// conversation.
	Seq int64
	// TimeMillis is when the sender says it sent the message.
	TimeMillis int64
	// Text is the message as sent: show it as text, never as markup. For
	// an Event row it describes the change ("alice invited bob").
	Text string
	// ReplyToID is the ID of the message this one answers, "" if none.
	ReplyToID string
	// Mine is true for the account's own messages.
	Mine bool
	// Event is "" for a message. Otherwise the row marks a change:
	// "created", "joined", "left", "removed", "invited", "role",
	// "renamed", "rekeyed"; or "gap": Missing messages of Author did not
	// arrive in time, and take their place when they do.
	Event   string
	Missing int
}

func newMessage(m core.Message) *Message {
	return &Message{
		ID:             m.ID,
		ConversationID: m.Conversation,
		Author:         m.Author,
		AuthorKey:      m.AuthorKey,
		Seq:            int64(m.Seq),
		TimeMillis:     millis(m.Time),
		Text:           m.Text,
		ReplyToID:      m.ReplyTo,
		Mine:           m.Mine,
		Event:          m.Event,
		Missing:        m.Missing,
	}
}

// Member is a member of a group, or an invitee.
type Member struct {
	// Name is the member's username ("@" and the first digits of the key
	// if this device does not know it); Key their account key.
	Name string
	Key  string
	// Role is "admin", "member" or "invited".
	Role string
	// Me is true for the logged-in account.
	Me bool
}

// GroupResult is a public group found by SearchGroups; Join takes its ID.
type GroupResult struct {
	ID      string
	Name    string
	Members int
	// Joined is true if the account is a member.
	Joined bool
}

// ConversationList is a list of conversations, most recently updated
// first.
type ConversationList struct{ items []core.Conversation }

// Len returns the number of conversations.
func (l *ConversationList) Len() int { return len(l.items) }

// Get returns conversation i, 0 ≤ i < Len, or null if i is out of range.
func (l *ConversationList) Get(i int) *Conversation {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return newConversation(l.items[i])
}

// MessagePage is one page of a conversation's history, newest first.
type MessagePage struct {
	items []core.Message
	next  string
}

// Len returns the number of messages on the page.
func (p *MessagePage) Len() int { return len(p.items) }

// Get returns message i, 0 ≤ i < Len, or null if i is out of range.
func (p *MessagePage) Get(i int) *Message {
	if i < 0 || i >= len(p.items) {
		return nil
	}
	return newMessage(p.items[i])
}

// NextCursor returns the cursor of the next (older) page, "" at the start
// of the history.
func (p *MessagePage) NextCursor() string { return p.next }

// MessageList is a list of messages, as SearchMessages finds them.
type MessageList struct{ items []core.Message }

// Len returns the number of messages.
func (l *MessageList) Len() int { return len(l.items) }

// Get returns message i, 0 ≤ i < Len, or null if i is out of range.
func (l *MessageList) Get(i int) *Message {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return newMessage(l.items[i])
}

// MemberList is a list of a group's members and invitees.
type MemberList struct{ items []core.Member }

// Len returns the number of members.
func (l *MemberList) Len() int { return len(l.items) }

// Get returns member i, 0 ≤ i < Len, or null if i is out of range.
func (l *MemberList) Get(i int) *Member {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	m := l.items[i]
	return &Member{Name: m.Name, Key: m.Key, Role: m.Role, Me: m.Me}
}

// GroupResultList is a list of public groups found by SearchGroups.
type GroupResultList struct{ items []core.GroupResult }

// Len returns the number of groups.
func (l *GroupResultList) Len() int { return len(l.items) }

// Get returns group i, 0 ≤ i < Len, or null if i is out of range.
func (l *GroupResultList) Get(i int) *GroupResult {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	g := l.items[i]
	return &GroupResult{ID: g.ID, Name: g.Name, Members: g.Members, Joined: g.Joined}
}

// SendDM sends text to the user name as a direct message, end-to-end
// encrypted, starting the conversation on first use. When the user's
// device is offline the message waits at the relays for its next wake.
// text is 1 to MaxMessageChars characters with no control characters but
// newlines and tabs. Errors: CodeInvalidMessage, CodeSelfMessage,
// CodeUnknownName, CodeNoPrekey (the user's encryption key is unreachable
// for now), CodeBlocked.
func (n *Node) SendDM(name, text string) (*Message, error) {
	if err := firstMissing("name", name, "message text", text); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Message, error) {
		return cn.SendDM(ctx, name, text)
	}, newMessage)
}

// SendMessage sends text to a conversation: a conversation or group ID, a
// unique prefix of one (8 hex digits or more), the name of a group the
// account is in, or a username (a DM, as SendDM). Errors:
// CodeInvalidMessage, CodeNoConversation, CodeAmbiguous, CodeNotMember,
// CodeSelfMessage, CodeNoPrekey.
func (n *Node) SendMessage(conversation, text string) (*Message, error) {
	if err := firstMissing("conversation", conversation, "message text", text); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Message, error) {
		return cn.SendMessage(ctx, conversation, text)
	}, newMessage)
}

// CreateGroup creates a group named name (1 to 64 characters) with the
// account as its only admin. A public group is unencrypted and anyone can
// find it with SearchGroups and join it; a private one (public false) is
// encrypted end to end and joined by invitation only. historyJoined keeps
// what was sent before a member joined unreadable to them; false lets new
// members read the history.
func (n *Node) CreateGroup(name string, public, historyJoined bool) (*Conversation, error) {
	if err := required("group name", name); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Conversation, error) {
		return cn.CreateGroup(ctx, name, core.GroupOptions{Public: public, HistoryJoined: historyJoined})
	}, newConversation)
}

// Invite invites the user name to group (as SendMessage names a
// conversation), as an admin if admin is set. The invitation is
// single-use and can be accepted with Join for expiresMinutes (0 means
// DefaultInviteMinutes; more than MaxInviteMinutes means
// MaxInviteMinutes). Errors: CodeNotAdmin, CodeNoConversation,
// CodeUnknownName, CodeNoPrekey, CodeInvalidInput (negative minutes).
func (n *Node) Invite(group, name string, admin bool, expiresMinutes int) error {
	if err := firstMissing("group", group, "name", name); err != nil {
		return err
	}
	if expiresMinutes < 0 {
		return newError(CodeInvalidInput, fmt.Sprintf("an invitation that expires in %d minutes: give 0 for the default or a positive number", expiresMinutes))
	}
	opts := core.InviteOptions{Admin: admin, Expires: time.Duration(min(expiresMinutes, MaxInviteMinutes)) * time.Minute}
	return n.call(func(ctx context.Context, cn *core.Node) error {
		return cn.Invite(ctx, group, name, opts)
	})
}

// Join accepts the account's invitation to group, or joins a public group
// (a GroupResult's ID). Errors: CodeInviteInvalid (no invitation, or it
// expired or was used), CodeNoConversation.
func (n *Node) Join(group string) (*Conversation, error) {
	if err := required("group", group); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Conversation, error) {
		return cn.Join(ctx, group)
	}, newConversation)
}

// Leave leaves group: nothing sent to it afterwards is readable by the
// account. Errors: CodeNotMember, CodeNoConversation.
func (n *Node) Leave(group string) error {
	if err := required("group", group); err != nil {
		return err
	}
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.Leave(ctx, group) })
}

// Remove removes the member name from group (admins only) and renews the
// group's key: nothing sent after the removal is readable by them.
// Errors: CodeNotAdmin, CodeNotMember, CodeNoConversation.
func (n *Node) Remove(group, name string) error {
	if err := firstMissing("group", group, "name", name); err != nil {
		return err
	}
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.Remove(ctx, group, name) })
}

// SetRole makes the member name of group an admin (admin true) or a
// member (admins only). Errors: CodeNotAdmin, CodeNotMember,
// CodeNoConversation.
func (n *Node) SetRole(group, name string, admin bool) error {
	if err := firstMissing("group", group, "name", name); err != nil {
		return err
	}
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.SetRole(ctx, group, name, admin) })
}

// Members lists group's members and invitees, from this device's copy of
// the group. Errors: CodeNoConversation.
func (n *Node) Members(group string) (*MemberList, error) {
	if err := required("group", group); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Member, error) {
		return cn.Members(ctx, group)
	}, func(ms []core.Member) *MemberList { return &MemberList{items: ms} })
}

// Conversations lists the account's conversations and invitations, most
// recently updated first, with their unread counts.
func (n *Node) Conversations() (*ConversationList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Conversation, error) {
		return cn.Conversations(ctx)
	}, func(cs []core.Conversation) *ConversationList { return &ConversationList{items: cs} })
}

// Conversation returns one conversation, named as SendMessage names it. A
// username gives the DM with that user even before its first message.
// Errors: CodeNoConversation, CodeAmbiguous, CodeSelfMessage.
func (n *Node) Conversation(ref string) (*Conversation, error) {
	if err := required("conversation", ref); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Conversation, error) {
		return cn.Conversation(ctx, ref)
	}, newConversation)
}

// Messages returns a page of a conversation's history, newest first. Pass
// "" (or null) for the newest page and the page's NextCursor for the one
// before; limit ≤ 0 means DefaultMessagePage, more than MaxMessagePage
// means MaxMessagePage. Errors: CodeNoConversation, CodeInvalidInput (a
// bad cursor).
func (n *Node) Messages(conversation, cursor string, limit int) (*MessagePage, error) {
	if err := required("conversation", conversation); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.MessagePage, error) {
		return cn.Messages(ctx, conversation, cursor, limit)
	}, func(p core.MessagePage) *MessagePage { return &MessagePage{items: p.Messages, next: p.Next} })
}

// MessagesJSON is Messages with the page as one JSON document, the one the
// daemon's API and `skein messages --json` give: {"messages": [...],
// "next": "..."}, each message with "id", "conversation", "author",
// "author_key", "seq", "time" (RFC 3339), "text", "mine", and "reply_to",
// "event", "missing" when set. As FeedJSON, it leaves nothing of the page
// in Go: use it for a history that scrolls far.
func (n *Node) MessagesJSON(conversation, cursor string, limit int) ([]byte, error) {
	if err := required("conversation", conversation); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.MessagePage, error) {
		return cn.Messages(ctx, conversation, cursor, limit)
	}, messagePageJSON)
}

// messagePageJSON encodes a page of messages; a page always encodes.
func messagePageJSON(p core.MessagePage) []byte {
	if p.Messages == nil {
		p.Messages = []core.Message{}
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic("mobile: a page of messages does not encode: " + err.Error())
	}
	return b
}

// MarkRead marks a conversation read up to its newest message: its Unread
// count drops to 0. Errors: CodeNoConversation.
func (n *Node) MarkRead(conversation string) error {
	if err := required("conversation", conversation); err != nil {
		return err
	}
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.MarkRead(ctx, conversation) })
}

// SearchGroups finds public groups whose name contains query: those this
// device knows, then those the relays' directories list. Private groups
// are never listed anywhere. limit ≤ 0 or above 50 means 50. Errors:
// CodeBadQuery (an empty query).
func (n *Node) SearchGroups(query string, limit int) (*GroupResultList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.GroupResult, error) {
		return cn.SearchGroups(ctx, query, limit)
	}, func(gs []core.GroupResult) *GroupResultList { return &GroupResultList{items: gs} })
}

// SearchMessages finds the account's messages that contain query, on this
// device only, newest first; limit ≤ 0 or above MaxMessagePage means
// DefaultMessagePage. Errors: CodeBadQuery (an empty query).
func (n *Node) SearchMessages(query string, limit int) (*MessageList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Message, error) {
		return cn.SearchMessages(ctx, query, limit)
	}, func(ms []core.Message) *MessageList { return &MessageList{items: ms} })
}
