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
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// The fake's messaging: conversations shared by every user of the fake
// (the accounts of this device and the users of other devices added with
// AddUser), with members, invitations, messages and event rows in one
// order (event rows worded as core words them), per-account read marks and
// history visibility. There is no
// encryption and no network: a message is delivered to every member at
// once. Other devices' users act through AddDM, AddGroup, AddInvite,
// AddJoin and AddMessage.

// Roles of the fake's members, as core names them.
const (
	roleAdmin   = "admin"
	roleMember  = "member"
	roleInvited = "invited"
)

// conv is one conversation of the fake.
type conv struct {
	id            string
	dm            bool
	name          string // a group's name; "" for a DM
	public        bool
	historyShared bool
	created       time.Time
	updated       time.Time
	role          map[string]string // by username: admin, member or invited
	invite        map[string]invite // pending invitations, by username
	from          map[string]int    // index of msgs a member reads from (history joined)
	until         map[string]int    // index of msgs a former member read up to
	read          map[string]int    // index of msgs read up to, by username
	seq           map[string]uint64 // per author
	msgs          []core.Message    // in display order, events included
}

type invite struct {
	admin   bool
	expires time.Time
}

// chatState returns the fake's conversations, made on first use. The
// caller holds mu.
func (n *Node) chatState() map[string]*conv {
	if n.convs == nil {
		n.convs = map[string]*conv{}
	}
	return n.convs
}

// AddDM sends text from the user from to the user to as a direct message,
// as if it came from the network.
func (n *Node) AddDM(from, to, text string) (core.Message, error) {
	n.mu.Lock()
	defer n.unlock()
	u, err := n.chatUser(from)
	if err != nil {
		return core.Message{}, err
	}
	return n.sendDM(u, to, text)
}

// AddGroup creates a group whose admin is the user admin.
func (n *Node) AddGroup(admin, name string, public bool) (core.Conversation, error) {
	n.mu.Lock()
	defer n.unlock()
	u, err := n.chatUser(admin)
	if err != nil {
		return core.Conversation{}, err
	}
	return n.createGroup(u, name, core.GroupOptions{Public: public})
}

// AddInvite invites the user name to group as the user from.
func (n *Node) AddInvite(from, group, name string, admin bool) error {
	n.mu.Lock()
	defer n.unlock()
	u, err := n.chatUser(from)
	if err != nil {
		return err
	}
	return n.invite(u, group, name, core.InviteOptions{Admin: admin})
}

// AddJoin makes the user name accept its invitation to group, or join it
// if it is public.
func (n *Node) AddJoin(name, group string) error {
	n.mu.Lock()
	defer n.unlock()
	u, err := n.chatUser(name)
	if err != nil {
		return err
	}
	_, err = n.join(u, group)
	return err
}

// AddMessage sends text to the conversation ref as the user from.
func (n *Node) AddMessage(from, ref, text string) (core.Message, error) {
	n.mu.Lock()
	defer n.unlock()
	u, err := n.chatUser(from)
	if err != nil {
		return core.Message{}, err
	}
	return n.sendMessage(u, ref, text)
}

func (n *Node) chatUser(name string) (*user, error) {
	if err := n.check(false); err != nil {
		return nil, err
	}
	u, ok := n.users[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	return u, nil
}

// SendDM implements api.Node.
func (n *Node) SendDM(ctx context.Context, name, text string) (core.Message, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Message{}, err
	}
	return n.sendDM(n.current, strings.TrimPrefix(name, "@"), text)
}

// SendMessage implements api.Node.
func (n *Node) SendMessage(ctx context.Context, ref, text string) (core.Message, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Message{}, err
	}
	return n.sendMessage(n.current, ref, text)
}

// CreateGroup implements api.Node.
func (n *Node) CreateGroup(ctx context.Context, name string, opts core.GroupOptions) (core.Conversation, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Conversation{}, err
	}
	return n.createGroup(n.current, name, opts)
}

// Invite implements api.Node.
func (n *Node) Invite(ctx context.Context, group, name string, opts core.InviteOptions) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	return n.invite(n.current, group, strings.TrimPrefix(name, "@"), opts)
}

// Join implements api.Node.
func (n *Node) Join(ctx context.Context, group string) (core.Conversation, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Conversation{}, err
	}
	return n.join(n.current, group)
}

// Leave implements api.Node.
func (n *Node) Leave(ctx context.Context, group string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	c, err := n.resolveGroup(n.current, group)
	if err != nil {
		return err
	}
	if !isMember(c, n.current.Name) {
		return fmt.Errorf("%w: %s", core.ErrNotMember, c.name)
	}
	n.event(c, n.current, "left", n.current.Name+" left")
	n.drop(c, n.current.Name)
	return nil
}

// Remove implements api.Node.
func (n *Node) Remove(ctx context.Context, group, name string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	name = strings.TrimPrefix(name, "@")
	c, err := n.adminOf(group)
	if err != nil {
		return err
	}
	if _, ok := c.role[name]; !ok {
		return fmt.Errorf("%w: @%s is not in %s", core.ErrNotMember, name, c.name)
	}
	if c.role[name] == roleAdmin && admins(c) == 1 {
		return fmt.Errorf("%w: @%s is the last admin", core.ErrNotAdmin, name)
	}
	n.event(c, n.current, "removed", n.current.Name+" removed "+name)
	n.drop(c, name)
	return nil
}

// SetRole implements api.Node.
func (n *Node) SetRole(ctx context.Context, group, name string, admin bool) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	name = strings.TrimPrefix(name, "@")
	c, err := n.adminOf(group)
	if err != nil {
		return err
	}
	if !isMember(c, name) {
		return fmt.Errorf("%w: @%s is not a member of %s", core.ErrNotMember, name, c.name)
	}
	role, text := roleMember, n.current.Name+" changed the role of "+name
	if admin {
		role = roleAdmin
	}
	if !admin && c.role[name] == roleAdmin && admins(c) == 1 {
		return fmt.Errorf("%w: @%s is the last admin", core.ErrNotAdmin, name)
	}
	if c.role[name] == role {
		return nil
	}
	c.role[name] = role
	n.event(c, n.current, "role", text)
	n.membersChanged(c)
	return nil
}

// Members implements api.Node: members and invitees, admins first, then
// by name.
func (n *Node) Members(ctx context.Context, group string) ([]core.Member, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	c, err := n.resolveGroup(n.current, group)
	if err != nil {
		return nil, err
	}
	if _, ok := c.role[n.current.Name]; !ok && !c.public {
		return nil, fmt.Errorf("%w: %s", core.ErrNotMember, c.name)
	}
	rank := map[string]int{roleAdmin: 0, roleMember: 1, roleInvited: 2}
	var out []core.Member
	for name, role := range c.role {
		out = append(out, core.Member{Name: name, Key: n.users[name].Key, Role: role, Me: name == n.current.Name})
	}
	slices.SortFunc(out, func(a, b core.Member) int {
		return cmp.Or(cmp.Compare(rank[a.Role], rank[b.Role]), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Conversations implements api.Node: the conversations the account is in,
// was invited to or left, most recently updated first.
func (n *Node) Conversations(ctx context.Context) ([]core.Conversation, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	var out []core.Conversation
	for _, c := range n.chatState() {
		if n.concerns(c, n.current.Name) {
			out = append(out, n.view(c, n.current))
		}
	}
	slices.SortFunc(out, func(a, b core.Conversation) int {
		return cmp.Or(b.Updated.Compare(a.Updated), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Conversation implements api.Node.
func (n *Node) Conversation(ctx context.Context, ref string) (core.Conversation, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.Conversation{}, err
	}
	c, peer, err := n.resolve(n.current, ref)
	if err != nil {
		return core.Conversation{}, err
	}
	if c == nil { // a DM not started yet
		return core.Conversation{ID: dmID(n.current, peer), DM: true, Name: peer.Name, Peer: peer.Key, HistoryShared: true, Role: roleMember, Members: 2}, nil
	}
	return n.view(c, n.current), nil
}

// Messages implements api.Node: newest first, what the account may read;
// the cursor is an offset.
func (n *Node) Messages(ctx context.Context, ref, cursor string, limit int) (core.MessagePage, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.MessagePage{}, err
	}
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > 200:
		return core.MessagePage{}, fmt.Errorf("%w: limit %d: use 1 to 200", core.ErrBadQuery, limit)
	}
	c, _, err := n.resolve(n.current, ref)
	if err != nil {
		return core.MessagePage{}, err
	}
	var msgs []core.Message
	if c != nil {
		if !n.concerns(c, n.current.Name) && !c.public {
			return core.MessagePage{}, fmt.Errorf("%w: %s", core.ErrNotMember, c.name)
		}
		msgs = n.visible(c, n.current)
		slices.Reverse(msgs)
	}
	start := 0
	if cursor != "" {
		start, err = strconv.Atoi(cursor)
		if err != nil || start < 0 || start > len(msgs) {
			return core.MessagePage{}, fmt.Errorf("%w: %q", core.ErrBadCursor, cursor)
		}
	}
	end := min(start+limit, len(msgs))
	p := core.MessagePage{Messages: msgs[start:end]}
	if end < len(msgs) {
		p.Next = strconv.Itoa(end)
	}
	return p, nil
}

// MarkRead implements api.Node.
func (n *Node) MarkRead(ctx context.Context, ref string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return err
	}
	c, _, err := n.resolve(n.current, ref)
	if err != nil || c == nil {
		return err
	}
	c.read[n.current.Name] = len(c.msgs)
	return nil
}

// SearchGroups implements api.Node: public groups whose name contains
// query, case-insensitively.
func (n *Node) SearchGroups(ctx context.Context, query string, limit int) ([]core.GroupResult, error) {
	n.mu.Lock()
	defer n.unlock()
	q, limit, err := n.chatQuery(query, limit, false)
	if err != nil {
		return nil, err
	}
	var out []core.GroupResult
	for _, c := range n.chatState() {
		if c.public && strings.Contains(strings.ToLower(c.name), q) {
			joined := n.current != nil && isMember(c, n.current.Name)
			out = append(out, core.GroupResult{ID: c.id, Name: c.name, Members: len(members(c)), Joined: joined})
		}
	}
	slices.SortFunc(out, func(a, b core.GroupResult) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out[:min(limit, len(out))], nil
}

// SearchMessages implements api.Node: the messages the account may read
// containing query, case-insensitively, newest first.
func (n *Node) SearchMessages(ctx context.Context, query string, limit int) ([]core.Message, error) {
	n.mu.Lock()
	defer n.unlock()
	q, limit, err := n.chatQuery(query, limit, true)
	if err != nil {
		return nil, err
	}
	var out []core.Message
	for _, c := range n.chatState() {
		if !n.concerns(c, n.current.Name) {
			continue
		}
		for _, m := range n.visible(c, n.current) {
			if m.Event == "" && strings.Contains(strings.ToLower(m.Text), q) {
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b core.Message) int { return cmp.Or(b.Time.Compare(a.Time), cmp.Compare(a.ID, b.ID)) })
	return out[:min(limit, len(out))], nil
}

func (n *Node) chatQuery(query string, limit int, loggedIn bool) (string, int, error) {
	if err := n.check(loggedIn); err != nil {
		return "", 0, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	switch {
	case q == "" || utf8.RuneCountInString(q) > 100:
		return "", 0, fmt.Errorf("%w: give 1 to 100 characters", core.ErrBadQuery)
	case limit < 0 || limit > 100:
		return "", 0, fmt.Errorf("%w: limit %d", core.ErrBadQuery, limit)
	case limit == 0:
		limit = 20
	}
	return q, limit, nil
}

// sendDM sends text from u to the user to, starting their DM if needed.
func (n *Node) sendDM(u *user, to, text string) (core.Message, error) {
	if err := checkName(to); err != nil {
		return core.Message{}, err
	}
	peer, ok := n.users[to]
	switch {
	case !ok:
		return core.Message{}, fmt.Errorf("%w: %s", core.ErrUnknownName, to)
	case peer == u:
		return core.Message{}, core.ErrSelfMessage
	}
	if err := checkMessage(text); err != nil {
		return core.Message{}, err
	}
	c := n.chatState()[dmID(u, peer)]
	if c == nil {
		c = n.newConv(dmID(u, peer), true, "", false, true)
		c.role[u.Name], c.role[peer.Name] = roleMember, roleMember
		c.from[u.Name], c.from[peer.Name] = 0, 0
	}
	return n.post(c, u, text), nil
}

func (n *Node) sendMessage(u *user, ref, text string) (core.Message, error) {
	c, peer, err := n.resolve(u, ref)
	if err != nil {
		return core.Message{}, err
	}
	if c == nil {
		return n.sendDM(u, peer.Name, text)
	}
	if !isMember(c, u.Name) {
		return core.Message{}, fmt.Errorf("%w: %s", core.ErrNotMember, c.label())
	}
	if err := checkMessage(text); err != nil {
		return core.Message{}, err
	}
	return n.post(c, u, text), nil
}

func (n *Node) createGroup(u *user, name string, opts core.GroupOptions) (core.Conversation, error) {
	name = strings.TrimSpace(name)
	if c := utf8.RuneCountInString(name); c < 1 || c > 64 || core.CheckPostText(name) != nil || strings.ContainsAny(name, "\n\t") {
		return core.Conversation{}, fmt.Errorf("%w: a group name is 1 to 64 characters on one line", core.ErrInvalidMessage)
	}
	n.nextID++
	sum := sha256.Sum256(fmt.Appendf(nil, "group/%d/%s", n.nextID, name))
	c := n.newConv(hex.EncodeToString(sum[:]), false, name, opts.Public, !opts.HistoryJoined)
	c.role[u.Name] = roleAdmin
	c.from[u.Name] = 0
	n.event(c, u, "created", u.Name+" created the conversation")
	return n.view(c, u), nil
}

func (n *Node) invite(u *user, ref, name string, opts core.InviteOptions) error {
	switch {
	case opts.Expires < 0 || opts.Expires > 30*24*time.Hour:
		return fmt.Errorf("%w: an invitation lasts at most 30 days", core.ErrInviteInvalid)
	case opts.Expires == 0:
		opts.Expires = 7 * 24 * time.Hour
	}
	c, err := n.resolveGroup(u, ref)
	if err != nil {
		return err
	}
	if c.role[u.Name] != roleAdmin {
		if !isMember(c, u.Name) {
			return fmt.Errorf("%w: %s", core.ErrNotMember, c.name)
		}
		return fmt.Errorf("%w: inviting to %s", core.ErrNotAdmin, c.name)
	}
	if err := checkName(name); err != nil {
		return err
	}
	invitee, ok := n.users[name]
	if !ok {
		return fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	if isMember(c, name) {
		return nil // already in
	}
	c.role[name] = roleInvited
	delete(c.until, name)
	c.invite[name] = invite{admin: opts.Admin, expires: n.now.Add(opts.Expires)}
	n.event(c, u, "invited", u.Name+" invited "+name)
	if n.current == invitee {
		v := n.view(c, invitee)
		n.pending = append(n.pending, core.Event{Kind: core.EventInvite, Conversation: &v})
	}
	n.membersChanged(c)
	return nil
}

func (n *Node) join(u *user, ref string) (core.Conversation, error) {
	c, err := n.resolveGroup(u, ref)
	if err != nil {
		return core.Conversation{}, err
	}
	if isMember(c, u.Name) {
		return n.view(c, u), nil
	}
	inv, invited := c.invite[u.Name]
	switch {
	case invited && n.now.After(inv.expires):
		return core.Conversation{}, fmt.Errorf("%w: the invitation to %s expired", core.ErrInviteInvalid, c.label())
	case !invited && !c.public:
		return core.Conversation{}, fmt.Errorf("%w: to %s", core.ErrInviteInvalid, c.label())
	}
	delete(c.invite, u.Name)
	c.role[u.Name] = roleMember
	if inv.admin {
		c.role[u.Name] = roleAdmin
	}
	delete(c.until, u.Name)
	c.from[u.Name] = 0
	if !c.historyShared {
		c.from[u.Name] = len(c.msgs)
	}
	c.read[u.Name] = len(c.msgs)
	n.event(c, u, "joined", u.Name+" joined")
	n.membersChanged(c)
	return n.view(c, u), nil
}

// drop ends name's membership or invitation of c: it reads nothing sent
// after.
func (n *Node) drop(c *conv, name string) {
	if isMember(c, name) {
		c.until[name] = len(c.msgs)
	}
	delete(c.role, name)
	delete(c.invite, name)
	n.membersChanged(c)
}

func (n *Node) newConv(id string, dm bool, name string, public, historyShared bool) *conv {
	c := &conv{
		id: id, dm: dm, name: name, public: public, historyShared: historyShared,
		created: n.tick(),
		role:    map[string]string{}, invite: map[string]invite{}, from: map[string]int{},
		until: map[string]int{}, read: map[string]int{}, seq: map[string]uint64{},
	}
	c.updated = c.created
	n.chatState()[id] = c
	return c
}

// post appends a message by u to c and reports it.
func (n *Node) post(c *conv, u *user, text string) core.Message {
	return n.add(c, u, "", text)
}

// event appends an event row by u to c.
func (n *Node) event(c *conv, u *user, kind, text string) {
	n.add(c, u, kind, text)
}

func (n *Node) add(c *conv, u *user, event, text string) core.Message {
	c.seq[u.Name]++
	t := n.tick()
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d", c.id, u.Key, c.seq[u.Name]))
	m := core.Message{
		ID: hex.EncodeToString(sum[:]), Conversation: c.id, Author: u.Name, AuthorKey: u.Key,
		Seq: c.seq[u.Name], Time: t, Text: text, Event: event,
	}
	c.msgs = append(c.msgs, m)
	c.updated = t
	c.read[u.Name] = len(c.msgs) // one's own messages are read
	if cur := n.current; cur != nil && n.readable(c, cur.Name, len(c.msgs)-1) {
		shown := m
		shown.Mine = m.Author == cur.Name
		v := n.view(c, cur)
		n.pending = append(n.pending, core.Event{Kind: core.EventMessage, Message: &shown, Conversation: &v})
	}
	return m
}

// membersChanged reports a change of c's members to the logged-in
// account if it is in c.
func (n *Node) membersChanged(c *conv) {
	if cur := n.current; cur != nil && isMember(c, cur.Name) {
		v := n.view(c, cur)
		n.pending = append(n.pending, core.Event{Kind: core.EventMembers, Conversation: &v})
	}
}

// readable reports whether the user name may read c's message i: while a
// member (from its join on if the history is not shared), up to its
// removal.
func (n *Node) readable(c *conv, name string, i int) bool {
	if until, ok := c.until[name]; ok && !isMember(c, name) {
		return i < until && i >= c.from[name]
	}
	if !isMember(c, name) {
		return c.public
	}
	return i >= c.from[name]
}

// visible returns c's messages u may read, oldest first.
func (n *Node) visible(c *conv, u *user) []core.Message {
	var out []core.Message
	for i, m := range c.msgs {
		if n.readable(c, u.Name, i) {
			m.Mine = m.Author == u.Name
			out = append(out, m)
		}
	}
	return out
}

// concerns reports whether c is among the conversations of the user name:
// a member, an invitee, or a former member.
func (n *Node) concerns(c *conv, name string) bool {
	_, in := c.role[name]
	_, was := c.until[name]
	return in || was
}

// view returns c as u sees it.
func (n *Node) view(c *conv, u *user) core.Conversation {
	v := core.Conversation{
		ID: c.id, DM: c.dm, Name: c.name, Public: c.public, HistoryShared: c.historyShared,
		Role: c.role[u.Name], Members: len(members(c)), Updated: c.updated,
	}
	if c.dm {
		for name := range c.role {
			if name != u.Name {
				v.Name, v.Peer = name, n.users[name].Key
			}
		}
	}
	vis := n.visible(c, u)
	for i := len(vis) - 1; i >= 0; i-- {
		if vis[i].Event == "" {
			last := vis[i]
			v.Last = &last
			break
		}
	}
	for i := c.read[u.Name]; i < len(c.msgs); i++ {
		if c.msgs[i].Event == "" && n.readable(c, u.Name, i) {
			v.Unread++
		}
	}
	return v
}

// resolve finds the conversation ref names for u: a full ID, a unique ID
// prefix of 8 or more hex digits, a group name u is in or invited to, or a
// username, whose DM may not exist yet (c nil, peer set).
func (n *Node) resolve(u *user, ref string) (c *conv, peer *user, err error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, nil, fmt.Errorf("%w: give a group ID, a group name or a username", core.ErrNoConversation)
	}
	var found []*conv
	if lower := strings.ToLower(ref); len(lower) >= 8 && strings.Trim(lower, "0123456789abcdef") == "" {
		for _, c := range n.chatState() {
			// A full ID names any group the fake holds; a prefix only
			// the account's and public ones.
			if c.id == lower || strings.HasPrefix(c.id, lower) && (n.concerns(c, u.Name) || c.public) {
				found = append(found, c)
			}
		}
	}
	if len(found) == 0 {
		for _, c := range n.chatState() {
			if !c.dm && n.concerns(c, u.Name) && strings.EqualFold(c.name, ref) {
				found = append(found, c)
			}
		}
	}
	switch {
	case len(found) > 1:
		return nil, nil, fmt.Errorf("%w: %q", core.ErrAmbiguous, ref)
	case len(found) == 1:
		return found[0], nil, nil
	}
	name := strings.TrimPrefix(ref, "@")
	p, ok := n.users[name]
	switch {
	case !ok:
		return nil, nil, fmt.Errorf("%w: %q", core.ErrNoConversation, ref)
	case p == u:
		return nil, nil, core.ErrSelfMessage
	}
	return n.chatState()[dmID(u, p)], p, nil
}

// resolveGroup is resolve for a group.
func (n *Node) resolveGroup(u *user, ref string) (*conv, error) {
	c, _, err := n.resolve(u, ref)
	switch {
	case err != nil:
		return nil, err
	case c == nil || c.dm:
		return nil, fmt.Errorf("%w: %q is not a group", core.ErrNoConversation, ref)
	}
	return c, nil
}

// adminOf returns the group ref if the logged-in account is its admin.
func (n *Node) adminOf(ref string) (*conv, error) {
	c, err := n.resolveGroup(n.current, ref)
	if err != nil {
		return nil, err
	}
	switch c.role[n.current.Name] {
	case roleAdmin:
		return c, nil
	case roleMember:
		return nil, fmt.Errorf("%w: %s", core.ErrNotAdmin, c.name)
	}
	return nil, fmt.Errorf("%w: %s", core.ErrNotMember, c.name)
}

func (c *conv) label() string {
	if c.dm {
		return "this conversation"
	}
	return c.name
}

func isMember(c *conv, name string) bool {
	r := c.role[name]
	return r == roleAdmin || r == roleMember
}

func members(c *conv) []string {
	var out []string
	for name := range c.role {
		if isMember(c, name) {
			out = append(out, name)
		}
	}
	return out
}

func admins(c *conv) int {
	k := 0
	for _, r := range c.role {
		if r == roleAdmin {
			k++
		}
	}
	return k
}

// dmID is the ID of the DM of a and b, the same both ways.
func dmID(a, b *user) string {
	x, y := a.Key, b.Key
	if x > y {
		x, y = y, x
	}
	sum := sha256.Sum256([]byte("skein/dm/v1\x00" + x + y))
	return hex.EncodeToString(sum[:])
}

// checkMessage checks a message's text as core does: 1 to 4,000
// characters, not only spaces, none forbidden.
func checkMessage(text string) error {
	switch c := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text):
		return fmt.Errorf("%w: not valid UTF-8", core.ErrInvalidMessage)
	case strings.TrimSpace(text) == "":
		return fmt.Errorf("%w: the message is empty", core.ErrInvalidMessage)
	case c > 4000:
		return fmt.Errorf("%w: %d characters, limit 4000", core.ErrInvalidMessage, c)
	}
	// The characters posts refuse, one at a time: CheckPostText of the
	// whole text would also apply a post's limit of 1,000 characters.
	for _, r := range text {
		if r == '\n' || r == '\t' {
			continue
		}
		if err := core.CheckPostText("a" + string(r)); err != nil {
			return fmt.Errorf("%w: %v", core.ErrInvalidMessage, err)
		}
	}
	return nil
}
