package core

import (
	"errors"
	"time"

	"github.com/skein-p2p/skein/core/internal/chat"
)

// Conversation is a direct-message thread or a group chat the logged-in
// account is in, or has been invited to.
type Conversation struct {
	// ID is the group's ID, 64 hex digits. A DM's ID is derived from its
	// two accounts, so both sides name it the same.
	ID string `json:"id"`
	// DM is true for a direct-message conversation.
	DM bool `json:"dm"`
	// Name is the group's name; for a DM, the other account's username.
	Name string `json:"name"`
	// Peer is, for a DM, the other account's key (hex).
	Peer string `json:"peer,omitempty"`
	// Public is true for a public group: unencrypted, listed in relays'
	// directories, open to anyone who finds it.
	Public bool `json:"public"`
	// HistoryShared says whether members who join later can read what was
	// sent before they joined.
	HistoryShared bool `json:"history_shared"`
	// Role is the account's role: "admin", "member", or "invited" while
	// an invitation waits to be accepted with Join.
	Role string `json:"role"`
	// Members is how many accounts are members now.
	Members int `json:"members"`
	// Unread is how many messages arrived since the account last read the
	// conversation.
	Unread int `json:"unread"`
	// Last is the newest message, if any.
	Last *Message `json:"last,omitempty"`
	// Updated is when the newest message or change arrived.
	Updated time.Time `json:"updated"`
}

// Message is one message of a conversation, or a gap where messages are
// known to be missing.
type Message struct {
	// ID is the message entry's ID, 64 hex digits.
	ID string `json:"id"`
	// Conversation is the conversation's ID.
	Conversation string `json:"conversation"`
	// Author is the sender's username; AuthorKey its account key (hex).
	Author    string `json:"author"`
	AuthorKey string `json:"author_key"`
	// Seq is the message's place in its author's log of this conversation.
	Seq uint64 `json:"seq"`
	// Time is when the sender says it sent the message.
	Time time.Time `json:"time"`
	// Text is the message, as sent; render it as text, never as markup.
	Text string `json:"text"`
	// ReplyTo is the ID of the message this one answers, if any.
	ReplyTo string `json:"reply_to,omitempty"`
	// Mine is true for the logged-in account's own messages.
	Mine bool `json:"mine"`
	// Event, when not empty, marks a change rather than a message:
	// "created", "joined", "left", "removed", "invited", "role", "renamed",
	// "rekeyed" (Text then describes it), or "gap": Missing messages of
	// Author were not received in time; they take their place when they
	// arrive.
	Event   string `json:"event,omitempty"`
	Missing int    `json:"missing,omitempty"`
}

// MessagePage is one page of a conversation's history, newest first.
type MessagePage struct {
	Messages []Message `json:"messages"`
	// Next is the cursor of the following (older) page; empty at the
	// start of the history.
	Next string `json:"next,omitempty"`
}

// Member is one member of a group.
type Member struct {
	Name string `json:"name"`
	Key  string `json:"key"`
	// Role is "admin", "member" or "invited".
	Role string `json:"role"`
	// Me is true for the logged-in account.
	Me bool `json:"me"`
}

// GroupResult is a public group found by SearchGroups.
type GroupResult struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Members int    `json:"members"`
	// Joined is true if the logged-in account is a member.
	Joined bool `json:"joined"`
}

// GroupOptions configures CreateGroup.
type GroupOptions struct {
	// Public makes the group unencrypted and findable by SearchGroups;
	// anyone can join it. Default: private, encrypted, by invitation.
	Public bool
	// HistoryJoined, if set, keeps what was sent before a member joined
	// unreadable to that member. Default: new members read the history.
	HistoryJoined bool
}

// InviteOptions configures Invite.
type InviteOptions struct {
	// Admin makes the invitee an admin once they join.
	Admin bool
	// Expires is how long the invitation can be accepted. Default 7 days,
	// at most 30.
	Expires time.Duration
}

// Messaging errors. Each is returned wrapped; branch with errors.Is.
var (
	// ErrNoConversation: no group with this ID, name or unique ID prefix,
	// and no user with this name to write to.
	ErrNoConversation = errors.New("no such conversation: give a group ID, a group name you are in, or a username")
	// ErrAmbiguous: a name or ID prefix matches more than one conversation.
	ErrAmbiguous = errors.New("more than one conversation matches: use more of the group ID")
	// ErrNotMember: the account is not (or no longer) a member.
	ErrNotMember = chat.ErrNotMember
	// ErrNotAdmin: the change needs an admin.
	ErrNotAdmin = chat.ErrNotAdmin
	// ErrInviteInvalid: no invitation to accept, or it expired or was used.
	ErrInviteInvalid = chat.ErrInviteInvalid
	// ErrInvalidMessage: empty, too long, or with forbidden characters.
	ErrInvalidMessage = chat.ErrInvalidMessage
	// ErrNoPrekey: the account's encryption key could not be fetched (its
	// device and the relays are unreachable or do not have it).
	ErrNoPrekey = errors.New("cannot reach this user's encryption key: their device and the relays do not answer; try again later")
	// ErrSelfMessage: a DM to oneself.
	ErrSelfMessage = errors.New("cannot send a direct message to yourself")
	// ErrInvalidGroupName: empty, longer than 64 characters, more than one
	// line, or with forbidden characters.
	ErrInvalidGroupName = errors.New("invalid group name: 1 to 64 characters on one line, no control or bidirectional-override characters")
	// ErrLastAdmin: the change would leave the group without an admin.
	ErrLastAdmin = chat.ErrLastAdmin
	// ErrNotInDM: leaving, inviting to, removing from or changing roles in
	// a direct conversation.
	ErrNotInDM = chat.ErrDM
)

// EventKind values of messaging events (Event.Message or
// Event.Conversation is set).
const (
	EventMessage EventKind = "message" // a message was delivered (Message and Conversation set)
	EventMembers EventKind = "members" // a group's members or roles changed (Conversation set)
	EventInvite  EventKind = "invite"  // the account was invited to a group (Conversation set)
)
