package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/skein-p2p/skein/core"
)

// Chatter is the part of Node that sends and reads direct messages and
// group chats (core/chat.go). A conversation reference (conv, group) is a
// group ID, a unique ID prefix of at least 8 hex digits, a group name the
// account is in, or a username (the DM with that user).
type Chatter interface {
	SendDM(ctx context.Context, name, text string) (core.Message, error)
	SendMessage(ctx context.Context, conv, text string) (core.Message, error)
	CreateGroup(ctx context.Context, name string, opts core.GroupOptions) (core.Conversation, error)
	Invite(ctx context.Context, group, name string, opts core.InviteOptions) error
	Join(ctx context.Context, group string) (core.Conversation, error)
	Leave(ctx context.Context, group string) error
	Remove(ctx context.Context, group, name string) error
	SetRole(ctx context.Context, group, name string, admin bool) error
	Members(ctx context.Context, group string) ([]core.Member, error)
	Conversations(ctx context.Context) ([]core.Conversation, error)
	Conversation(ctx context.Context, ref string) (core.Conversation, error)
	Messages(ctx context.Context, conv, cursor string, limit int) (core.MessagePage, error)
	MarkRead(ctx context.Context, conv string) error
	SearchGroups(ctx context.Context, query string, limit int) ([]core.GroupResult, error)
	SearchMessages(ctx context.Context, query string, limit int) ([]core.Message, error)
}

// Limits of the messaging routes.
const (
	MaxMessages    = 200 // largest page of /v1/messages
	MaxChatResults = 100 // largest limit of /v1/groups/search and /v1/messages/search
	// MaxInviteExpiry is the longest an invitation may stay valid.
	MaxInviteExpiry = 30 * 24 * time.Hour
)

// SendRequest is the body of /v1/send: Text to the conversation Conv.
type SendRequest struct {
	Conv string `json:"conv"`
	Text string `json:"text"`
}

// DMRequest is the body of /v1/dm: Text to the user Name.
type DMRequest struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// GroupRequest is the body of /v1/groups/create: a group's name and
// options (core.GroupOptions).
type GroupRequest struct {
	Name          string `json:"name"`
	Public        bool   `json:"public,omitempty"`
	HistoryJoined bool   `json:"history_joined,omitempty"`
}

// InviteRequest is the body of /v1/groups/invite: invite Name to Group, as
// an admin if Admin is set, for Expires (a Go duration such as "72h"; ""
// for the node's default, 7 days).
type InviteRequest struct {
	Group   string `json:"group"`
	Name    string `json:"name"`
	Admin   bool   `json:"admin,omitempty"`
	Expires string `json:"expires,omitempty"`
}

// GroupRef is the body of /v1/groups/join and /v1/groups/leave.
type GroupRef struct {
	Group string `json:"group"`
}

// MemberRequest is the body of /v1/groups/remove and /v1/groups/role: the
// member Name of Group and, for role, the Role to give ("admin" or
// "member").
type MemberRequest struct {
	Group string `json:"group"`
	Name  string `json:"name"`
	Role  string `json:"role,omitempty"`
}

// ConvRef is the body of /v1/read.
type ConvRef struct {
	Conv string `json:"conv"`
}

// Conversations is the answer of /v1/conversations.
type Conversations struct {
	Conversations []core.Conversation `json:"conversations"`
}

// Members is the answer of /v1/groups/members.
type Members struct {
	Members []core.Member `json:"members"`
}

// Groups is the answer of /v1/groups/search.
type Groups struct {
	Groups []core.GroupResult `json:"groups"`
}

// Messages is the answer of /v1/messages/search.
type Messages struct {
	Messages []core.Message `json:"messages"`
}

// addChatRoutes adds the routes of Chatter to s.
func (s *Server) addChatRoutes() {
	m := map[string]route{
		"/v1/conversations":   {http.MethodGet, s.conversations},
		"/v1/conversation":    {http.MethodGet, s.conversation},
		"/v1/messages":        {http.MethodGet, s.messages},
		"/v1/send":            {http.MethodPost, s.send},
		"/v1/dm":              {http.MethodPost, s.dm},
		"/v1/read":            {http.MethodPost, s.markRead},
		"/v1/groups/create":   {http.MethodPost, s.createGroup},
		"/v1/groups/invite":   {http.MethodPost, s.invite},
		"/v1/groups/join":     {http.MethodPost, s.join},
		"/v1/groups/leave":    {http.MethodPost, s.leave},
		"/v1/groups/remove":   {http.MethodPost, s.remove},
		"/v1/groups/role":     {http.MethodPost, s.role},
		"/v1/groups/members":  {http.MethodGet, s.members},
		"/v1/groups/search":   {http.MethodGet, s.searchGroups},
		"/v1/messages/search": {http.MethodGet, s.searchMessages},
	}
	for path, rt := range m {
		s.routes[path] = rt
	}
}

func (s *Server) conversations(r *http.Request) (any, error) {
	cs, err := s.node.Conversations(r.Context())
	return Conversations{Conversations: nonNil(cs)}, err
}

func (s *Server) conversation(r *http.Request) (any, error) {
	return s.node.Conversation(r.Context(), r.FormValue("ref"))
}

// messages answers /v1/messages?conv=&cursor=&limit=: limit 1 to
// MaxMessages, the node's default (50) when absent.
func (s *Server) messages(r *http.Request) (any, error) {
	limit, err := optLimit(r, MaxMessages)
	if err != nil {
		return nil, err
	}
	p, err := s.node.Messages(r.Context(), r.FormValue("conv"), r.FormValue("cursor"), limit)
	p.Messages = nonNil(p.Messages)
	return p, err
}

func (s *Server) send(r *http.Request) (any, error) {
	var x SendRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	return s.node.SendMessage(r.Context(), x.Conv, x.Text)
}

func (s *Server) dm(r *http.Request) (any, error) {
	var x DMRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	return s.node.SendDM(r.Context(), x.Name, x.Text)
}

func (s *Server) markRead(r *http.Request) (any, error) {
	var x ConvRef
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	return Empty{}, s.node.MarkRead(r.Context(), x.Conv)
}

func (s *Server) createGroup(r *http.Request) (any, error) {
	var x GroupRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	return s.node.CreateGroup(r.Context(), x.Name, core.GroupOptions{Public: x.Public, HistoryJoined: x.HistoryJoined})
}

func (s *Server) invite(r *http.Request) (any, error) {
	var x InviteRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	var d time.Duration
	if x.Expires != "" {
		var err error
		if d, err = ParseExpiry(x.Expires); err != nil {
			return nil, &Error{Code: CodeBadRequest, Message: err.Error()}
		}
	}
	return Empty{}, s.node.Invite(r.Context(), x.Group, x.Name, core.InviteOptions{Admin: x.Admin, Expires: d})
}

// ParseExpiry reads an invitation's validity: a Go duration such as 72h or
// 30m, from 1 minute to MaxInviteExpiry.
func ParseExpiry(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("invalid expiry %q: use a duration such as 72h or 30m", s)
	case d < time.Minute || d > MaxInviteExpiry:
		return 0, fmt.Errorf("invalid expiry %q: use 1m to 720h (30 days)", s)
	}
	return d, nil
}

func (s *Server) join(r *http.Request) (any, error) {
	var x GroupRef
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	return s.node.Join(r.Context(), x.Group)
}

func (s *Server) leave(r *http.Request) (any, error) {
	var x GroupRef
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	return Empty{}, s.node.Leave(r.Context(), x.Group)
}

func (s *Server) remove(r *http.Request) (any, error) {
	var x MemberRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	if x.Role != "" {
		return nil, &Error{Code: CodeBadRequest, Message: "remove takes no role"}
	}
	return Empty{}, s.node.Remove(r.Context(), x.Group, x.Name)
}

func (s *Server) role(r *http.Request) (any, error) {
	var x MemberRequest
	if err := decode(r, &x); err != nil {
		return nil, err
	}
	var admin bool
	switch x.Role {
	case "admin":
		admin = true
	case "member":
	default:
		return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("invalid role %q: use admin or member", x.Role)}
	}
	return Empty{}, s.node.SetRole(r.Context(), x.Group, x.Name, admin)
}

func (s *Server) members(r *http.Request) (any, error) {
	ms, err := s.node.Members(r.Context(), r.FormValue("group"))
	return Members{Members: nonNil(ms)}, err
}

func (s *Server) searchGroups(r *http.Request) (any, error) {
	limit, err := optLimit(r, MaxChatResults)
	if err != nil {
		return nil, err
	}
	gs, err := s.node.SearchGroups(r.Context(), r.FormValue("q"), limit)
	return Groups{Groups: nonNil(gs)}, err
}

func (s *Server) searchMessages(r *http.Request) (any, error) {
	limit, err := optLimit(r, MaxChatResults)
	if err != nil {
		return nil, err
	}
	ms, err := s.node.SearchMessages(r.Context(), r.FormValue("q"), limit)
	return Messages{Messages: nonNil(ms)}, err
}

// optLimit returns the request's limit parameter, 1 to max, or 0 (the
// node's default) when absent.
func optLimit(r *http.Request, max int) (int, error) {
	v := r.FormValue("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("invalid limit %q: use 1 to %d", v, max)}
	}
	return n, nil
}

// SendDM sends text to the user name as a direct message.
func (c *Client) SendDM(ctx context.Context, name, text string) (core.Message, error) {
	var m core.Message
	err := c.call(ctx, http.MethodPost, "/v1/dm", nil, DMRequest{Name: name, Text: text}, &m)
	return m, err
}

// SendMessage sends text to the conversation conv.
func (c *Client) SendMessage(ctx context.Context, conv, text string) (core.Message, error) {
	var m core.Message
	err := c.call(ctx, http.MethodPost, "/v1/send", nil, SendRequest{Conv: conv, Text: text}, &m)
	return m, err
}

// CreateGroup creates a group with the logged-in account as its admin.
func (c *Client) CreateGroup(ctx context.Context, name string, opts core.GroupOptions) (core.Conversation, error) {
	var cv core.Conversation
	err := c.call(ctx, http.MethodPost, "/v1/groups/create", nil, GroupRequest{Name: name, Public: opts.Public, HistoryJoined: opts.HistoryJoined}, &cv)
	return cv, err
}

// Invite invites the user name to group; opts.Expires 0 is the node's
// default.
func (c *Client) Invite(ctx context.Context, group, name string, opts core.InviteOptions) error {
	x := InviteRequest{Group: group, Name: name, Admin: opts.Admin}
	if opts.Expires != 0 {
		x.Expires = opts.Expires.String()
	}
	return c.call(ctx, http.MethodPost, "/v1/groups/invite", nil, x, nil)
}

// Join accepts an invitation to group, or joins a public group.
func (c *Client) Join(ctx context.Context, group string) (core.Conversation, error) {
	var cv core.Conversation
	err := c.call(ctx, http.MethodPost, "/v1/groups/join", nil, GroupRef{Group: group}, &cv)
	return cv, err
}

// Leave leaves group.
func (c *Client) Leave(ctx context.Context, group string) error {
	return c.call(ctx, http.MethodPost, "/v1/groups/leave", nil, GroupRef{Group: group}, nil)
}

// Remove removes the user name from group.
func (c *Client) Remove(ctx context.Context, group, name string) error {
	return c.call(ctx, http.MethodPost, "/v1/groups/remove", nil, MemberRequest{Group: group, Name: name}, nil)
}

// SetRole makes the member name of group an admin, or a member.
func (c *Client) SetRole(ctx context.Context, group, name string, admin bool) error {
	role := "member"
	if admin {
		role = "admin"
	}
	return c.call(ctx, http.MethodPost, "/v1/groups/role", nil, MemberRequest{Group: group, Name: name, Role: role}, nil)
}

// Members lists the members and invitees of group.
func (c *Client) Members(ctx context.Context, group string) (Members, error) {
	var m Members
	err := c.call(ctx, http.MethodGet, "/v1/groups/members", url.Values{"group": {group}}, nil, &m)
	return m, err
}

// Conversations lists the logged-in account's conversations, most
// recently updated first.
func (c *Client) Conversations(ctx context.Context) (Conversations, error) {
	var cs Conversations
	err := c.call(ctx, http.MethodGet, "/v1/conversations", nil, nil, &cs)
	return cs, err
}

// Conversation returns the conversation ref.
func (c *Client) Conversation(ctx context.Context, ref string) (core.Conversation, error) {
	var cv core.Conversation
	err := c.call(ctx, http.MethodGet, "/v1/conversation", url.Values{"ref": {ref}}, nil, &cv)
	return cv, err
}

// Messages returns a page of the history of conv, newest first; cursor ""
// is the newest page, limit 0 the node's default.
func (c *Client) Messages(ctx context.Context, conv, cursor string, limit int) (core.MessagePage, error) {
	var p core.MessagePage
	err := c.call(ctx, http.MethodGet, "/v1/messages", pageQuery(url.Values{"conv": {conv}}, cursor, limit), nil, &p)
	return p, err
}

// MarkRead marks conv read up to its newest message.
func (c *Client) MarkRead(ctx context.Context, conv string) error {
	return c.call(ctx, http.MethodPost, "/v1/read", nil, ConvRef{Conv: conv}, nil)
}

// SearchGroups finds public groups whose name contains query; limit 0 is
// the node's default.
func (c *Client) SearchGroups(ctx context.Context, query string, limit int) (Groups, error) {
	var g Groups
	err := c.call(ctx, http.MethodGet, "/v1/groups/search", pageQuery(url.Values{"q": {query}}, "", limit), nil, &g)
	return g, err
}

// SearchMessages finds the account's messages containing query; limit 0
// is the node's default.
func (c *Client) SearchMessages(ctx context.Context, query string, limit int) (Messages, error) {
	var m Messages
	err := c.call(ctx, http.MethodGet, "/v1/messages/search", pageQuery(url.Values{"q": {query}}, "", limit), nil, &m)
	return m, err
}
