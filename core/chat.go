//go:build !chatwire

package core

import (
	"context"
	"errors"
)

// errChatTODO marks facade methods not wired yet (branch chat only; never
// merged in this state).
var errChatTODO = errors.New("messaging: not wired yet")

// SendDM sends text to the user name as a direct message, end-to-end
// encrypted, creating the conversation on first use. When the user's
// device is offline the message waits at the relays for their next wake.
func (n *Node) SendDM(ctx context.Context, name, text string) (Message, error) {
	return Message{}, errChatTODO
}

// SendMessage sends text to a conversation: a group ID, a unique ID prefix,
// a group name the account is in, or a username (a DM).
func (n *Node) SendMessage(ctx context.Context, conv, text string) (Message, error) {
	return Message{}, errChatTODO
}

// CreateGroup creates a group with the logged-in account as its only admin.
func (n *Node) CreateGroup(ctx context.Context, name string, opts GroupOptions) (Conversation, error) {
	return Conversation{}, errChatTODO
}

// Invite invites the user name to a group; the invitation is single-use and
// expires (InviteOptions). The invitee accepts it with Join.
func (n *Node) Invite(ctx context.Context, group, name string, opts InviteOptions) error {
	return errChatTODO
}

// Join accepts an invitation to a group, or joins a public group by ID.
func (n *Node) Join(ctx context.Context, group string) (Conversation, error) {
	return Conversation{}, errChatTODO
}

// Leave leaves a group. Nothing sent to it afterwards is readable by the
// account.
func (n *Node) Leave(ctx context.Context, group string) error { return errChatTODO }

// Remove removes the user name from a group (admins only) and re-keys it:
// nothing sent after the removal is readable by the removed member.
func (n *Node) Remove(ctx context.Context, group, name string) error { return errChatTODO }

// SetRole makes a member of a group an admin, or an admin a member
// (admins only).
func (n *Node) SetRole(ctx context.Context, group, name string, admin bool) error {
	return errChatTODO
}

// Members lists a group's members and invitees, from the local copy of
// its log.
func (n *Node) Members(ctx context.Context, group string) ([]Member, error) {
	return nil, errChatTODO
}

// Conversations lists the account's conversations, most recently updated
// first, with unread counts.
func (n *Node) Conversations(ctx context.Context) ([]Conversation, error) {
	return nil, errChatTODO
}

// Messages returns a page of a conversation's history, newest first.
// cursor is empty for the newest page, or a MessagePage.Next; limit is
// 1 to 200 (0 means 50).
func (n *Node) Messages(ctx context.Context, conv, cursor string, limit int) (MessagePage, error) {
	return MessagePage{}, errChatTODO
}

// MarkRead marks a conversation read up to its newest message.
func (n *Node) MarkRead(ctx context.Context, conv string) error { return errChatTODO }

// SearchGroups finds public groups whose name contains query, in the
// local index and in the relays' directories.
func (n *Node) SearchGroups(ctx context.Context, query string, limit int) ([]GroupResult, error) {
	return nil, errChatTODO
}

// SearchMessages finds the account's messages containing query, in its
// own store only.
func (n *Node) SearchMessages(ctx context.Context, query string, limit int) ([]Message, error) {
	return nil, errChatTODO
}

// Conversation returns one conversation: ref is a group ID, a unique ID
// prefix of at least 8 hex digits, a group name the account is in, or a
// username (the DM with that user, which need not exist yet: it then has
// no messages).
func (n *Node) Conversation(ctx context.Context, ref string) (Conversation, error) {
	return Conversation{}, errChatTODO
}
