package webui

// Messaging: the conversations list (/messages), a conversation
// (/messages/{ref}: its history, oldest at the top, paged with "Load
// older", a compose box and, for a group, its members and their
// management), the public groups' search, and the actions, each a POST of
// a form that redirects back, or answers a fragment to the page's script.
//
// Messages, names and group names come from peers: they are rendered by
// html/template only, as text (a message's http(s) URLs, @names and #tags
// become links, as in posts).

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// Bounds of the messaging pages.
const (
	msgPageSize     = 50   // messages a page of history shows
	maxMessageChars = 4000 // code points of a message, as core checks them
	previewChars    = 90   // code points of a last message's preview
	groupSearchSize = 30   // public groups a search shows
)

func (s *Server) chatRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /messages", s.conversations)
	mux.HandleFunc("GET /messages/search", s.groupSearch)
	mux.HandleFunc("GET /messages/badge", s.chatBadge)
	mux.HandleFunc("GET /messages/{ref}", s.conversation)
	mux.HandleFunc("GET /messages/{ref}/members", s.membersPanel)
	mux.HandleFunc("POST /messages/dm", s.newDM)
	mux.HandleFunc("POST /messages/group", s.newGroup)
	mux.HandleFunc("POST /messages/send", s.sendMessage)
	mux.HandleFunc("POST /messages/read", s.markRead)
	mux.HandleFunc("POST /messages/join", s.joinGroup)
	mux.HandleFunc("POST /messages/leave", s.leaveGroup)
	mux.HandleFunc("POST /messages/invite", s.inviteMember)
	mux.HandleFunc("POST /messages/remove", s.removeMember)
	mux.HandleFunc("POST /messages/role", s.setRole)
}

// ---- views -------------------------------------------------------------------

// convView is a conversation as the list shows it.
type convView struct {
	ID       string
	DM       bool
	Name     string // the group's name, or the other account's username
	Public   bool
	Invited  bool // an invitation waiting for Join
	Admin    bool
	Members  int
	Unread   int
	Preview  string // the newest message, shortened to one line
	LastFrom string // its author in a group ("@name"), "You" for one's own
	ISO      string // when the newest message or change arrived
	Full     string
	Ago      string
}

func newConvView(c core.Conversation) convView {
	v := convView{
		ID: c.ID, DM: c.DM, Name: c.Name, Public: c.Public, Invited: c.Role == "invited",
		Admin: c.Role == "admin", Members: c.Members, Unread: c.Unread,
	}
	if !c.Updated.IsZero() {
		v.ISO, v.Full, v.Ago = isoTime(c.Updated), fullTime(c.Updated), ago(c.Updated)
	}
	if m := c.Last; m != nil {
		v.Preview = preview(m.Text)
		switch {
		case m.Mine:
			v.LastFrom = "You"
		case !c.DM:
			v.LastFrom = label(authorName(*m))
		}
	}
	return v
}

// Kind says what the conversation is, for the list.
func (v convView) Kind() string {
	switch {
	case v.DM:
		return "Direct message"
	case v.Public:
		return "Public group"
	}
	return "Private group"
}

// preview is text on one line, shortened to previewChars.
func preview(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= previewChars {
		return text
	}
	r := []rune(text)
	return strings.TrimSpace(string(r[:previewChars-1])) + "…"
}

// named reports whether name, as the node gives it, is a username: the
// node names an account whose name it does not know "@" and a short key.
func named(name string) bool { return name != "" && !strings.HasPrefix(name, "@") }

// label is how a page names an account: "@name", or what the node gave
// for an account whose name it does not know.
func label(name string) string {
	if named(name) {
		return "@" + name
	}
	return name
}

// Named reports whether the conversation is a DM with an account whose
// username is known (its title links to the profile).
func (v convView) Named() bool { return v.DM && named(v.Name) }

// Label is the conversation's name as the list shows it.
func (v convView) Label() string {
	if v.DM {
		return label(v.Name)
	}
	return v.Name
}

// authorName is the name a message shows for its author: the username
// (or what the node gives for an unknown one), else a short key.
func authorName(m core.Message) string {
	if m.Author != "" {
		return m.Author
	}
	return shortID(m.AuthorKey)
}

// msgView is a row of a conversation's history: a message, a change
// (joined, left, removed…) or a gap.
type msgView struct {
	ID     string
	Author string // username, or a short key
	Named  bool   // Author is a username (a link to the profile)
	Mine   bool
	Event  string // "" for a message; "gap" for missing messages
	Text   string // an event's description
	Segs   []seg  // a message's text, linkified
	Gap    int    // for a gap, how many messages are missing
	T      int64  // Unix ms: the page's script keeps rows in this order
	ISO    string
	Full   string
	Clock  string
}

func newMsgView(m core.Message) msgView {
	v := msgView{
		ID: m.ID, Author: authorName(m), Named: named(m.Author), Mine: m.Mine, Event: m.Event,
		Gap: m.Missing, T: m.Time.UnixMilli(),
		ISO: isoTime(m.Time), Full: fullTime(m.Time), Clock: clock(m.Time),
	}
	if m.Event == "" {
		v.Segs = segments(m.Text)
	} else {
		v.Text = m.Text
	}
	return v
}

// Class is the row's CSS classes.
func (v msgView) Class() string {
	switch {
	case v.Event == "gap":
		return "msg gap"
	case v.Event != "":
		return "msg event ev-" + v.Event
	case v.Mine:
		return "msg mine"
	}
	return "msg"
}

// clock is a message's time as a chat shows it: the time of day for
// today's, else the date too.
func clock(t time.Time) string {
	t = t.Local()
	now := time.Now().Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	if t.Year() == now.Year() {
		return t.Format("2 Jan, 15:04")
	}
	return t.Format("2 Jan 2006, 15:04")
}

// msgViews returns a page of history (newest first) oldest first.
func msgViews(ms []core.Message) []msgView {
	out := make([]msgView, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = newMsgView(m)
	}
	return out
}

// ---- the unread count ------------------------------------------------------------

// chatKey is the context key of a request's chatCache.
type chatKey struct{}

// chatCache holds the conversations list for one request: the nav's badge
// and the list page both need it.
type chatCache struct {
	once  sync.Once
	convs []core.Conversation
	err   error
}

// conversationsOf returns the account's conversations, read once per
// request.
func (s *Server) conversationsOf(ctx context.Context) ([]core.Conversation, error) {
	c, ok := ctx.Value(chatKey{}).(*chatCache)
	if !ok {
		return s.node.Conversations(ctx)
	}
	c.once.Do(func() { c.convs, c.err = s.node.Conversations(ctx) })
	return c.convs, c.err
}

// withChatCache returns r with a fresh chatCache.
func withChatCache(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), chatKey{}, &chatCache{}))
}

// unreadTotal is the number the nav's Messages badge shows: unread
// messages in every conversation, plus invitations waiting for an answer.
func unreadTotal(cs []core.Conversation) int {
	n := 0
	for _, c := range cs {
		n += c.Unread
		if c.Role == "invited" {
			n++
		}
	}
	return n
}

// chatUnread returns the badge's number, 0 if the conversations cannot be
// read (no account signed in, say).
func (s *Server) chatUnread(ctx context.Context) int {
	cs, err := s.conversationsOf(ctx)
	if err != nil {
		return 0
	}
	return unreadTotal(cs)
}

// chatBadge answers the badge's number, for a tab catching up.
func (s *Server) chatBadge(w http.ResponseWriter, r *http.Request) {
	cs, err := s.conversationsOf(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(itoa(unreadTotal(cs))))
}

// ---- the conversations list ----------------------------------------------------------

// convsPage is the data of /messages.
type convsPage struct {
	Convs   []convView
	Invites []convView
	To      string // the new message form's recipient, kept after an error
	Error   string
}

func (convsPage) title() string { return "Messages" }

func (s *Server) conversations(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	cs, err := s.conversationsOf(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	data := convsPage{To: strings.TrimPrefix(r.URL.Query().Get("to"), "@")}
	for _, c := range cs {
		v := newConvView(c)
		if v.Invited {
			data.Invites = append(data.Invites, v)
		} else {
			data.Convs = append(data.Convs, v)
		}
	}
	s.render(w, r, http.StatusOK, "messages", data)
}

// ---- a conversation ------------------------------------------------------------------

// chatPage is the data of /messages/{ref}, and of a page of its history
// fetched by the script ("Load older").
type chatPage struct {
	Conv     convView
	Ref      string // what the page's forms name the conversation by
	To       string // for a DM, the other account's username (the compose form sends a DM)
	Msgs     []msgView
	OlderURL string // the previous page's address, "" at the start
	NewerURL string // the newest page's address, when this is an older one
	Panel    *membersView
	Back     string
}

func (p chatPage) title() string {
	if p.Conv.DM {
		return "Messages with " + p.Conv.Label()
	}
	return p.Conv.Name
}

// membersView is a group's members panel.
type membersView struct {
	ID      string
	Name    string
	Admin   bool // the signed-in account may invite, remove and make admins
	Member  bool // the signed-in account may leave
	Members []memberView
	Back    string
	Open    bool // the panel shows open (after one of its forms)
}

// memberView is a row of the members panel.
type memberView struct {
	core.Member
	Named bool // Name is a username: a link, and the admin's buttons can name it
}

// ref is the path value naming a conversation: a group ID, a unique ID
// prefix, a group name, or a username (with or without @).
func ref(r *http.Request) string { return strings.TrimSpace(r.PathValue("ref")) }

// lookup resolves a conversation reference; @name names the DM with name.
func (s *Server) lookup(ctx context.Context, ref string) (core.Conversation, error) {
	return s.node.Conversation(ctx, strings.TrimPrefix(ref, "@"))
}

func (s *Server) conversation(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	ctx := r.Context()
	c, err := s.lookup(ctx, ref(r))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	data := chatPage{Conv: newConvView(c), Ref: c.ID, Back: "/messages/" + c.ID}
	cursor := r.URL.Query().Get("cursor")
	p, err := s.node.Messages(ctx, c.ID, cursor, msgPageSize)
	switch {
	case err != nil && c.DM && cursor == "" && errors.Is(err, core.ErrNoConversation) && named(c.Name):
		// A DM not started yet: its first message, sent to the user by
		// name, starts it.
		data.Back = "/messages/@" + url.PathEscape(c.Name)
		data.To = c.Name
	case err != nil && data.Conv.Invited && cursor == "":
		// An invitation to a private group: nothing to read before Accept.
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	data.Msgs = msgViews(p.Messages)
	if p.Next != "" {
		data.OlderURL = "/messages/" + url.PathEscape(c.ID) + "?" + url.Values{"cursor": {p.Next}}.Encode()
	}
	if cursor != "" {
		data.NewerURL = "/messages/" + url.PathEscape(c.ID)
	}
	if fromScript(r) {
		s.renderFragment(w, http.StatusOK, "msgpage", data)
		return
	}
	if !c.DM && !data.Conv.Invited {
		if data.Panel, err = s.members(ctx, c); err != nil {
			s.failErr(w, r, err)
			return
		}
		data.Panel.Open = r.URL.Query().Has("members")
	}
	s.render(w, r, http.StatusOK, "chat", data)
}

// members reads a group's members panel.
func (s *Server) members(ctx context.Context, c core.Conversation) (*membersView, error) {
	ms, err := s.node.Members(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	views := make([]memberView, len(ms))
	for i, m := range ms {
		views[i] = memberView{Member: m, Named: named(m.Name)}
	}
	return &membersView{ID: c.ID, Name: c.Name, Admin: c.Role == "admin",
		Member: c.Role == "admin" || c.Role == "member", Members: views,
		Back: "/messages/" + c.ID + "?members=1#members"}, nil
}

// membersPanel answers a group's members panel, for a page whose group
// changed (a "members" event).
func (s *Server) membersPanel(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	if !fromScript(r) { // a person following the address: the page, panel open
		http.Redirect(w, r, convPath(ref(r))+"?members=1#members", http.StatusSeeOther)
		return
	}
	c, err := s.lookup(r.Context(), ref(r))
	if err == nil && c.DM {
		err = core.ErrNoConversation
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p, err := s.members(r.Context(), c)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.renderFragment(w, http.StatusOK, "members", p)
}

// ---- group search ----------------------------------------------------------------------

// groupSearchPage is the data of /messages/search: public groups by
// name, and the account's own messages (searched on this device only).
type groupSearchPage struct {
	Q        string
	Groups   []core.GroupResult
	Messages []foundMessage
	Error    string
	Results  bool // a search ran
}

// foundMessage is a message a search found, with its conversation.
type foundMessage struct {
	msgView
	Conv string
}

func (groupSearchPage) title() string { return "Search messages and groups" }

func (s *Server) groupSearch(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	data := groupSearchPage{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	status := http.StatusOK
	if data.Q != "" {
		gs, err := s.node.SearchGroups(r.Context(), data.Q, groupSearchSize)
		var ms []core.Message
		if err == nil {
			ms, err = s.node.SearchMessages(r.Context(), data.Q, groupSearchSize)
		}
		if err != nil {
			status, data.Error = errStatus(err), err.Error()
		}
		data.Groups, data.Results = gs, err == nil
		for _, m := range ms {
			data.Messages = append(data.Messages, foundMessage{msgView: newMsgView(m), Conv: m.Conversation})
		}
	}
	s.render(w, r, status, "chatsearch", data)
}

// errStatus is the HTTP status the local API gives err.
func errStatus(err error) int {
	if _, status, ok := api.CodeOf(err); ok {
		return status
	}
	return http.StatusInternalServerError
}

// ---- actions ----------------------------------------------------------------------------

// messageText reads the form's "text": CRLF as LF, checked for length so
// that the answer can say what is wrong before the node does.
func messageText(r *http.Request) (string, string) {
	text := strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return "", "Write something first: the message is empty."
	}
	if n := utf8.RuneCountInString(text); n > maxMessageChars {
		return "", "The message is " + itoa(n) + " characters long; the limit is " + itoa(maxMessageChars) + ". Nothing was sent."
	}
	return text, ""
}

// formName is the form's field key as a username, without an @.
func formName(r *http.Request, key string) string {
	return strings.TrimPrefix(strings.TrimSpace(r.PostFormValue(key)), "@")
}

// convPath is the address of a conversation.
func convPath(id string) string { return "/messages/" + url.PathEscape(id) }

// newDM sends the first (or next) message to a user, from the list's
// "New message" form, and opens the conversation.
func (s *Server) newDM(w http.ResponseWriter, r *http.Request) {
	name := formName(r, "name")
	if name == "" {
		s.fail(w, r, http.StatusBadRequest, "Give the username of the person to write to.")
		return
	}
	text, msg := messageText(r)
	if msg != "" {
		s.fail(w, r, http.StatusBadRequest, msg)
		return
	}
	m, err := s.node.SendDM(r.Context(), name, text)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, convPath(m.Conversation), http.StatusSeeOther)
}

// newGroup creates a group and opens it.
func (s *Server) newGroup(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		s.fail(w, r, http.StatusBadRequest, "Give the group a name.")
		return
	}
	c, err := s.node.CreateGroup(r.Context(), name, core.GroupOptions{
		Public:        r.PostFormValue("public") != "",
		HistoryJoined: r.PostFormValue("history_joined") != "",
	})
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, convPath(c.ID), http.StatusSeeOther)
}

// sendMessage sends the form's text to the conversation "conv", or as a
// DM to "to"; the script gets the message's row.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	text, msg := messageText(r)
	if msg != "" {
		s.fail(w, r, http.StatusBadRequest, msg)
		return
	}
	var m core.Message
	var err error
	if to := formName(r, "to"); to != "" {
		m, err = s.node.SendDM(r.Context(), to, text)
	} else {
		m, err = s.node.SendMessage(r.Context(), strings.TrimSpace(r.PostFormValue("conv")), text)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if !fromScript(r) {
		http.Redirect(w, r, back(r), http.StatusSeeOther)
		return
	}
	m.Mine = true
	s.renderFragment(w, http.StatusOK, "msgrow", newMsgView(m))
}

// markRead marks the conversation "conv" read; the page's script sends
// it when the conversation is shown, and when a message arrives in a
// visible tab.
func (s *Server) markRead(w http.ResponseWriter, r *http.Request) {
	if err := s.node.MarkRead(r.Context(), strings.TrimSpace(r.PostFormValue("conv"))); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.done(w, r, "", nil)
}

// joinGroup accepts an invitation, or joins a public group, and opens it.
func (s *Server) joinGroup(w http.ResponseWriter, r *http.Request) {
	c, err := s.node.Join(r.Context(), strings.TrimSpace(r.PostFormValue("group")))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, convPath(c.ID), http.StatusSeeOther)
}

// leaveGroup leaves a group, and goes back to the list.
func (s *Server) leaveGroup(w http.ResponseWriter, r *http.Request) {
	if err := s.node.Leave(r.Context(), strings.TrimSpace(r.PostFormValue("group"))); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/messages", http.StatusSeeOther)
}

// inviteMember invites the form's "name" to the group, as an admin if
// "admin" is set.
func (s *Server) inviteMember(w http.ResponseWriter, r *http.Request) {
	name := formName(r, "name")
	if name == "" {
		s.fail(w, r, http.StatusBadRequest, "Give the username of the person to invite.")
		return
	}
	err := s.node.Invite(r.Context(), strings.TrimSpace(r.PostFormValue("group")), name,
		core.InviteOptions{Admin: r.PostFormValue("admin") != ""})
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

// removeMember removes the form's "name" from the group.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	if err := s.node.Remove(r.Context(), strings.TrimSpace(r.PostFormValue("group")), formName(r, "name")); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

// setRole makes the form's "name" an admin ("role" admin) or a member.
func (s *Server) setRole(w http.ResponseWriter, r *http.Request) {
	role := r.PostFormValue("role")
	if role != "admin" && role != "member" {
		s.fail(w, r, http.StatusBadRequest, "A role is admin or member.")
		return
	}
	if err := s.node.SetRole(r.Context(), strings.TrimSpace(r.PostFormValue("group")), formName(r, "name"), role == "admin"); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

// ---- live updates ------------------------------------------------------------------------

// chatEvent is the data of the "chat", "members" and "invite" events: the
// conversation's ID, the badge's number, and the rows rendered once for
// every tab (the conversation's row for the list; the message's for a tab
// that shows the conversation).
type chatEvent struct {
	Conv  string
	Total int
	Row   *convView
	Msg   *msgView
	Say   string // what a screen reader hears
}

// chatEventData renders a messaging event for the stream.
func (s *Server) chatEventData(ctx context.Context, e core.Event) (string, bool) {
	ev := chatEvent{}
	if c := e.Conversation; c != nil {
		v := newConvView(*c)
		ev.Conv, ev.Row = c.ID, &v
	}
	switch e.Kind {
	case core.EventMessage:
		if e.Message == nil {
			return "", false
		}
		m := newMsgView(*e.Message)
		ev.Msg = &m
		if ev.Conv == "" {
			ev.Conv = e.Message.Conversation
		}
		if m.Event == "" && !m.Mine {
			ev.Say = "New message from " + label(m.Author) + ": " + preview(e.Message.Text)
		}
	case core.EventInvite:
		if ev.Row != nil {
			ev.Say = "You were invited to the group " + ev.Row.Name + "."
		}
	}
	if ev.Conv == "" {
		return "", false
	}
	if cs, err := s.node.Conversations(ctx); err == nil {
		ev.Total = unreadTotal(cs)
	}
	out, err := s.views.fragment("chatevent", ev)
	if err != nil {
		s.log.Warn("web UI: rendering a messaging event", "err", err)
		return "", false
	}
	var b strings.Builder
	out.writeTo(&b)
	return b.String(), true
}

// Back is the search's own address, for its Join forms.
func (p groupSearchPage) Back() string {
	return "/messages/search?" + url.Values{"q": {p.Q}}.Encode()
}
