package core

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// Limits of the messaging API.
const (
	defaultInviteTTL = 7 * 24 * time.Hour
	maxInviteTTL     = 30 * 24 * time.Hour
	defaultMsgPage   = 50
	maxMsgPage       = 200
	maxGroupResults  = 50
	maxChatQuery     = 100 // code points of a group or message search, as of a post search
)

// chatSession returns the logged-in session, with messaging open.
func (n *Node) chatSession() (*session, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	if sess.chat == nil {
		return nil, ErrNotLoggedIn
	}
	return sess, nil
}

// SendDM sends text to the user name as a direct message, end-to-end
// encrypted, creating the conversation on first use. When the user's
// device is offline the message waits at the relays for their next wake.
func (n *Node) SendDM(ctx context.Context, name, text string) (Message, error) {
	sess, err := n.chatSession()
	if err != nil {
		return Message{}, err
	}
	peerKey, err := n.resolve(ctx, sess, strings.TrimPrefix(name, "@"))
	if err != nil {
		return Message{}, err
	}
	return n.sendDM(ctx, sess, peerKey, text)
}

// sendDM starts the DM with peerKey if needed and sends text to it.
func (n *Node) sendDM(ctx context.Context, sess *session, peerKey entry.Key, text string) (Message, error) {
	if peerKey == sess.key {
		return Message{}, ErrSelfMessage
	}
	keys := n.prekeys(ctx, sess)
	g, created, err := sess.chat.eng.StartDM(peerKey, keys)
	if err != nil {
		return Message{}, n.chatErr(err)
	}
	m, sent, err := sess.chat.eng.Send(g, text, nil, keys)
	if err != nil {
		return Message{}, n.chatErr(err)
	}
	n.publishChat(ctx, sess, g, append(created, sent...), peerKey)
	return n.message(sess, m), nil
}

// SendMessage sends text to a conversation: a group ID, a unique ID prefix,
// a group name the account is in, or a username (a DM).
func (n *Node) SendMessage(ctx context.Context, conv, text string) (Message, error) {
	sess, err := n.chatSession()
	if err != nil {
		return Message{}, err
	}
	g, dmPeer, err := n.conversationRef(ctx, sess, conv)
	if err != nil {
		return Message{}, err
	}
	if !dmPeer.IsZero() {
		return n.sendDM(ctx, sess, dmPeer, text)
	}
	m, sent, err := sess.chat.eng.Send(g, text, nil, n.prekeys(ctx, sess))
	if err != nil {
		return Message{}, n.chatErr(err)
	}
	n.publishChat(ctx, sess, g, sent, entry.Key{})
	return n.message(sess, m), nil
}

// CreateGroup creates a group with the logged-in account as its only admin.
func (n *Node) CreateGroup(ctx context.Context, name string, opts GroupOptions) (Conversation, error) {
	sess, err := n.chatSession()
	if err != nil {
		return Conversation{}, err
	}
	if err := chatlog.CheckName(name); err != nil {
		return Conversation{}, fmt.Errorf("%w: %w", ErrInvalidGroupName, err)
	}
	g, es, err := sess.chat.eng.CreateGroup(name, opts.Public, !opts.HistoryJoined)
	if err != nil {
		return Conversation{}, n.chatErr(err)
	}
	n.publishChat(ctx, sess, g, es, entry.Key{})
	c, err := sess.chat.eng.Conversation(g)
	if err != nil {
		return Conversation{}, n.chatErr(err)
	}
	return n.conversation(sess, c), nil
}

// Invite invites the user name to a group; the invitation is single-use and
// expires (InviteOptions). The invitee accepts it with Join.
func (n *Node) Invite(ctx context.Context, group, name string, opts InviteOptions) error {
	sess, err := n.chatSession()
	if err != nil {
		return err
	}
	g, err := n.groupRef(ctx, sess, group)
	if err != nil {
		return err
	}
	target, err := n.resolve(ctx, sess, strings.TrimPrefix(name, "@"))
	if err != nil {
		return err
	}
	ttl := opts.Expires
	switch {
	case ttl <= 0:
		ttl = defaultInviteTTL
	case ttl > maxInviteTTL:
		ttl = maxInviteTTL
	}
	es, err := sess.chat.eng.Invite(g, target, opts.Admin, ttl, n.prekeys(ctx, sess))
	if err != nil {
		return n.chatErr(err)
	}
	// The invitee is not subscribed to the group yet: its device gets the
	// invitation directly, or from its inbox at the relays.
	n.publishChat(ctx, sess, g, es, target)
	return nil
}

// Join accepts an invitation to a group, or joins a public group by ID.
func (n *Node) Join(ctx context.Context, group string) (Conversation, error) {
	sess, err := n.chatSession()
	if err != nil {
		return Conversation{}, err
	}
	g, err := n.groupRef(ctx, sess, group)
	if err != nil {
		return Conversation{}, err
	}
	if _, cerr := sess.chat.eng.Conversation(g); errors.Is(cerr, chat.ErrUnknownGroup) {
		// A public group found by search is not known yet: watch it and
		// fetch it from the anchors.
		if werr := sess.chat.eng.Watch(g); werr != nil {
			return Conversation{}, n.chatErr(werr)
		}
		n.fetchGroup(ctx, sess, g)
	}
	es, err := sess.chat.eng.Join(g)
	if err != nil {
		return Conversation{}, n.chatErr(err)
	}
	n.publishChat(ctx, sess, g, es, entry.Key{})
	c, err := sess.chat.eng.Conversation(g)
	if err != nil {
		return Conversation{}, n.chatErr(err)
	}
	return n.conversation(sess, c), nil
}

// fetchGroup syncs a group the engine does not know from the anchors.
func (n *Node) fetchGroup(ctx context.Context, sess *session, g chatlog.GroupID) {
	for _, p := range n.connectedAnchors() {
		n.syncGroup(ctx, sess, p, g)
	}
	n.fetchNeeds(ctx, sess)
}

// Leave leaves a group. Nothing sent to it afterwards is readable by the
// account.
func (n *Node) Leave(ctx context.Context, group string) error {
	return n.groupChange(ctx, group, func(sess *session, g chatlog.GroupID) ([]*chatlog.Entry, error) {
		return sess.chat.eng.Leave(g)
	})
}

// Remove removes the user name from a group (admins only) and re-keys it:
// nothing sent after the removal is readable by the removed member.
func (n *Node) Remove(ctx context.Context, group, name string) error {
	return n.groupChange(ctx, group, func(sess *session, g chatlog.GroupID) ([]*chatlog.Entry, error) {
		target, err := n.memberRef(ctx, sess, g, name)
		if err != nil {
			return nil, err
		}
		return sess.chat.eng.Remove(g, target, n.prekeys(ctx, sess))
	})
}

// SetRole makes a member of a group an admin, or an admin a member
// (admins only).
func (n *Node) SetRole(ctx context.Context, group, name string, admin bool) error {
	return n.groupChange(ctx, group, func(sess *session, g chatlog.GroupID) ([]*chatlog.Entry, error) {
		target, err := n.memberRef(ctx, sess, g, name)
		if err != nil {
			return nil, err
		}
		return sess.chat.eng.SetRole(g, target, admin)
	})
}

// groupChange runs a change of a group and publishes its entries.
func (n *Node) groupChange(ctx context.Context, group string, change func(*session, chatlog.GroupID) ([]*chatlog.Entry, error)) error {
	sess, err := n.chatSession()
	if err != nil {
		return err
	}
	// A username names its DM, so that a change a DM does not allow
	// says so rather than "no such conversation".
	g, _, err := n.conversationRef(ctx, sess, group)
	if err != nil {
		return err
	}
	es, err := change(sess, g)
	if err != nil {
		return n.chatErr(err)
	}
	n.publishChat(ctx, sess, g, es, entry.Key{})
	return nil
}

// memberRef maps a name to the key of a member (or invitee) of g. The
// name's pinned or looked-up key decides (names learned for display cannot
// be trusted to pick whom to remove); without one, a member the device
// knows by that name, unless two are.
func (n *Node) memberRef(ctx context.Context, sess *session, g chatlog.GroupID, name string) (entry.Key, error) {
	name = strings.TrimPrefix(name, "@")
	ms, err := sess.chat.eng.Members(g)
	if err != nil {
		return entry.Key{}, n.chatErr(err)
	}
	k, rerr := n.resolve(ctx, sess, name)
	if rerr == nil {
		return k, nil
	}
	var known []entry.Key
	for _, m := range ms {
		if n.nameOf(m.Key) == name {
			known = append(known, m.Key)
		}
	}
	switch len(known) {
	case 0:
		return entry.Key{}, rerr
	case 1:
		return known[0], nil
	}
	return entry.Key{}, fmt.Errorf("%w: %d members are known as %q", ErrAmbiguous, len(known), name)
}

// Members lists a group's members and invitees, from the local copy of
// its log.
func (n *Node) Members(ctx context.Context, group string) ([]Member, error) {
	sess, err := n.chatSession()
	if err != nil {
		return nil, err
	}
	g, err := n.groupRef(ctx, sess, group)
	if err != nil {
		return nil, err
	}
	ms, err := sess.chat.eng.Members(g)
	if err != nil {
		return nil, n.chatErr(err)
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, Member{Name: n.chatName(sess, m.Key), Key: m.Key.String(), Role: m.Role, Me: m.Key == sess.key})
	}
	return out, nil
}

// Conversations lists the account's conversations, most recently updated
// first, with unread counts.
func (n *Node) Conversations(ctx context.Context) ([]Conversation, error) {
	sess, err := n.chatSession()
	if err != nil {
		return nil, err
	}
	cs := sess.chat.eng.Conversations()
	out := make([]Conversation, 0, len(cs))
	for _, c := range cs {
		if c.DM && n.mod.Hidden(sess.key, c.Peer) {
			continue // a muted or blocked account's DM
		}
		out = append(out, n.conversation(sess, c))
	}
	return out, nil
}

// Conversation returns one conversation: ref is a group ID, a unique ID
// prefix of at least 8 hex digits, a group name the account is in, or a
// username (the DM with that user, which need not exist yet: it then has
// no messages).
func (n *Node) Conversation(ctx context.Context, ref string) (Conversation, error) {
	sess, err := n.chatSession()
	if err != nil {
		return Conversation{}, err
	}
	g, dmPeer, err := n.conversationRef(ctx, sess, ref)
	if err != nil {
		return Conversation{}, err
	}
	c, err := sess.chat.eng.Conversation(g)
	if errors.Is(err, chat.ErrUnknownGroup) && !dmPeer.IsZero() {
		return Conversation{ID: g.String(), DM: true, Name: n.chatName(sess, dmPeer), Peer: dmPeer.String(), Role: "admin", Members: 2}, nil
	}
	if err != nil {
		return Conversation{}, n.chatErr(err)
	}
	return n.conversation(sess, c), nil
}

// Messages returns a page of a conversation's history, newest first.
// cursor is empty for the newest page, or a MessagePage.Next; limit is
// 1 to 200 (0 means 50).
func (n *Node) Messages(ctx context.Context, conv, cursor string, limit int) (MessagePage, error) {
	sess, err := n.chatSession()
	if err != nil {
		return MessagePage{}, err
	}
	g, dmPeer, err := n.conversationRef(ctx, sess, conv)
	if err != nil {
		return MessagePage{}, err
	}
	switch {
	case limit <= 0:
		limit = defaultMsgPage
	case limit > maxMsgPage:
		limit = maxMsgPage
	}
	var cur []byte
	if cursor != "" {
		if cur, err = base64.RawURLEncoding.DecodeString(cursor); err != nil {
			return MessagePage{}, ErrBadCursor
		}
	}
	ms, next, err := sess.chat.eng.Messages(g, cur, limit)
	if errors.Is(err, chat.ErrUnknownGroup) && !dmPeer.IsZero() {
		return MessagePage{Messages: []Message{}}, nil // no DM yet
	}
	if err != nil {
		return MessagePage{}, n.chatErr(err)
	}
	page := MessagePage{Messages: make([]Message, 0, len(ms))}
	for _, m := range ms {
		page.Messages = append(page.Messages, n.message(sess, m))
	}
	if next != nil {
		page.Next = base64.RawURLEncoding.EncodeToString(next)
	}
	return page, nil
}

// MarkRead marks a conversation read up to its newest message.
func (n *Node) MarkRead(ctx context.Context, conv string) error {
	sess, err := n.chatSession()
	if err != nil {
		return err
	}
	g, dmPeer, err := n.conversationRef(ctx, sess, conv)
	if err != nil {
		return err
	}
	err = sess.chat.eng.MarkRead(g)
	if errors.Is(err, chat.ErrUnknownGroup) && !dmPeer.IsZero() {
		return nil
	}
	return n.chatErr(err)
}

// SearchGroups finds public groups whose name contains query: those the
// device knows, then those the relays' directories know. Private groups
// are never listed anywhere.
func (n *Node) SearchGroups(ctx context.Context, query string, limit int) ([]GroupResult, error) {
	sess, err := n.chatSession()
	if err != nil {
		return nil, err
	}
	if query, err = chatQuery(query); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxGroupResults {
		limit = maxGroupResults
	}
	lower := strings.ToLower(query)
	seen := make(map[string]bool)
	var out []GroupResult
	for _, c := range sess.chat.eng.Conversations() {
		if c.Public && strings.Contains(strings.ToLower(c.Name), lower) && len(out) < limit {
			id := c.Group.String()
			seen[id] = true
			out = append(out, GroupResult{ID: id, Name: c.Name, Members: c.Members, Joined: isMember(c.Role)})
		}
	}
	for _, r := range n.relayGroups(ctx, query, limit) {
		if len(out) == limit || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		if id, ok := parseGroupID(r.ID); ok {
			if c, err := sess.chat.eng.Conversation(id); err == nil {
				r.Joined = isMember(c.Role)
			}
			sess.chat.remember(id)
		}
		out = append(out, r)
	}
	return out, nil
}

// chatQuery checks a search of groups or messages: 1 to maxChatQuery
// characters once trimmed.
func chatQuery(query string) (string, error) {
	query = strings.TrimSpace(query)
	if query == "" || utf8.RuneCountInString(query) > maxChatQuery {
		return "", fmt.Errorf("%w: 1 to %d characters", ErrBadQuery, maxChatQuery)
	}
	return query, nil
}

// isMember reports whether a conversation role is a member's.
func isMember(role string) bool { return role == "admin" || role == "member" }

// SearchMessages finds the account's messages containing query, in its
// own store only.
func (n *Node) SearchMessages(ctx context.Context, query string, limit int) ([]Message, error) {
	sess, err := n.chatSession()
	if err != nil {
		return nil, err
	}
	if query, err = chatQuery(query); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxMsgPage {
		limit = defaultMsgPage
	}
	ms := sess.chat.eng.Search(query, limit)
	out := make([]Message, 0, len(ms))
	for _, m := range ms {
		out = append(out, n.message(sess, m))
	}
	return out, nil
}

// conversationRef maps a reference to a group: a full ID, a unique prefix,
// a group name of the account's, else a username, whose DM group it
// returns with the user's key.
func (n *Node) conversationRef(ctx context.Context, sess *session, ref string) (chatlog.GroupID, entry.Key, error) {
	g, err := n.groupRef(ctx, sess, ref)
	if err == nil || !errors.Is(err, ErrNoConversation) {
		if err == nil {
			if c, cerr := sess.chat.eng.Conversation(g); cerr == nil && c.DM {
				return g, c.Peer, nil
			}
		}
		return g, entry.Key{}, err
	}
	name := strings.TrimPrefix(strings.TrimSpace(ref), "@")
	if entry.ValidName(name) != nil {
		return chatlog.GroupID{}, entry.Key{}, fmt.Errorf("%w: %q", ErrNoConversation, ref)
	}
	k, rerr := n.resolve(ctx, sess, name)
	if rerr != nil {
		if errors.Is(rerr, ErrUnknownName) {
			return chatlog.GroupID{}, entry.Key{}, fmt.Errorf("%w: %q", ErrNoConversation, ref)
		}
		return chatlog.GroupID{}, entry.Key{}, rerr
	}
	if k == sess.key {
		return chatlog.GroupID{}, entry.Key{}, ErrSelfMessage
	}
	return chatlog.DMGroup(sess.key, k), k, nil
}

// groupRef maps a reference to one of the account's groups: a full ID, a
// unique ID prefix, or a unique group name.
func (n *Node) groupRef(_ context.Context, sess *session, ref string) (chatlog.GroupID, error) {
	ref = strings.TrimSpace(ref)
	if id, ok := parseGroupID(ref); ok {
		return id, nil
	}
	var found []chatlog.GroupID
	lower := strings.ToLower(ref)
	if len(ref) >= minIDPrefix && isHex(lower) {
		for _, g := range sess.chat.eng.Groups() {
			if strings.HasPrefix(g.String(), lower) {
				found = append(found, g)
			}
		}
		if len(found) == 0 {
			// A public group the account found by search but never held.
			sess.chat.mu.Lock()
			for g := range sess.chat.found {
				if strings.HasPrefix(g.String(), lower) {
					found = append(found, g)
				}
			}
			sess.chat.mu.Unlock()
		}
	}
	if len(found) == 0 {
		for _, c := range sess.chat.eng.Conversations() {
			if !c.DM && strings.EqualFold(c.Name, ref) {
				found = append(found, c.Group)
			}
		}
	}
	switch len(found) {
	case 0:
		return chatlog.GroupID{}, fmt.Errorf("%w: %q", ErrNoConversation, ref)
	case 1:
		return found[0], nil
	}
	return chatlog.GroupID{}, fmt.Errorf("%w: %q", ErrAmbiguous, ref)
}

// parseGroupID parses a full group ID.
func parseGroupID(s string) (chatlog.GroupID, bool) {
	var g chatlog.GroupID
	if len(s) != 2*len(g) {
		return g, false
	}
	if _, err := hex.Decode(g[:], []byte(s)); err != nil {
		return g, false
	}
	return g, true
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// chatErr maps the engine's errors to the API's.
func (n *Node) chatErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, chat.ErrUnknownGroup):
		return fmt.Errorf("%w: %w", ErrNoConversation, err)
	case errors.Is(err, chat.ErrNoKey):
		return fmt.Errorf("%w: %w", ErrNoPrekey, err)
	case errors.Is(err, chat.ErrBadCursor):
		return fmt.Errorf("%w: %w", ErrBadCursor, err)
	}
	return err
}

// conversation converts the engine's view of a group.
func (n *Node) conversation(sess *session, c chat.Conversation) Conversation {
	out := Conversation{
		ID:            c.Group.String(),
		DM:            c.DM,
		Name:          c.Name,
		Public:        c.Public,
		HistoryShared: c.HistoryShared,
		Role:          c.Role,
		Members:       c.Members,
		Unread:        c.Unread,
		Updated:       c.Updated,
	}
	if c.DM {
		out.Peer = c.Peer.String()
		out.Name = n.chatName(sess, c.Peer)
	}
	if c.Last != nil {
		m := n.message(sess, *c.Last)
		out.Last = &m
	}
	return out
}

// message converts one of the engine's messages.
func (n *Node) message(sess *session, m chat.Message) Message {
	out := Message{
		ID:           m.ID.String(),
		Conversation: m.Group.String(),
		Author:       n.chatName(sess, m.Author),
		AuthorKey:    m.Author.String(),
		Seq:          m.Seq,
		Time:         m.Time.Time(),
		Text:         m.Text,
		Mine:         m.Author == sess.key,
		Event:        m.Event,
		Missing:      m.Missing,
	}
	if m.ReplyTo != nil {
		out.ReplyTo = m.ReplyTo.String()
	}
	if m.Event != "" && m.Event != "gap" && m.Text == "" {
		out.Text = n.eventText(sess, m)
	}
	return out
}

// eventText describes a membership change for a person.
func (n *Node) eventText(sess *session, m chat.Message) string {
	who, target := n.chatName(sess, m.Author), n.chatName(sess, m.Target)
	switch m.Event {
	case "created":
		return who + " created the conversation"
	case "joined":
		return who + " joined"
	case "left":
		return who + " left"
	case "removed":
		return who + " removed " + target
	case "invited":
		return who + " invited " + target
	case "role":
		return who + " changed the role of " + target
	case "renamed":
		return who + " renamed the group"
	case "rekeyed":
		return who + " renewed the group's key"
	}
	return who + " changed the group"
}

// chatEvent turns an engine event into the node's.
func (n *Node) chatEvent(sess *session, ev chat.Event) {
	c, err := sess.chat.eng.Conversation(ev.Group)
	if err != nil {
		return
	}
	if c.DM && n.mod.Hidden(sess.key, c.Peer) {
		return
	}
	conv := n.conversation(sess, c)
	out := Event{Conversation: &conv}
	switch ev.Kind {
	case "message":
		if ev.Message == nil {
			return
		}
		if n.mod.Hidden(sess.key, ev.Message.Author) {
			return
		}
		m := n.message(sess, *ev.Message)
		out.Kind, out.Message = EventMessage, &m
	case "invite":
		out.Kind = EventInvite
	default:
		out.Kind = EventMembers
	}
	if out.Kind != EventMessage {
		// Look up now the names of members this device does not know,
		// rather than when someone first reads the group.
		if ms, err := sess.chat.eng.Members(ev.Group); err == nil {
			for _, m := range ms {
				n.chatName(sess, m.Key)
			}
		}
	}
	n.events.emit(out)
}
