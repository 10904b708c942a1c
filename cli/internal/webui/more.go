package webui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// The limits of a profile, as core checks them (core/internal/entry): the
// edit form states them; core refuses what exceeds them with a message.
const (
	maxDisplayNameChars = 64  // code points
	maxBioChars         = 300 // code points
	maxLinkBytes        = 200
)

// searchLimit is how many accounts and how many posts a search shows.
const searchLimit = 30

// morePages adds the pages beyond the feed, the thread and the accounts:
// profiles, the people followed and following, notifications, search,
// bookmarks, moderation and the node's status.
func (s *Server) morePages(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/{name}", s.profile)
	mux.HandleFunc("GET /following", s.people)
	mux.HandleFunc("GET /followers", s.people)
	mux.HandleFunc("GET /notifications", s.notifications)
	mux.HandleFunc("POST /notifications/read", s.readNotifications)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /bookmarks", s.bookmarks)
	mux.HandleFunc("GET /moderation", s.moderation)
	mux.HandleFunc("GET /status", s.statusPage)
	mux.HandleFunc("GET /holders", s.holders)
	mux.HandleFunc("POST /power", s.setPower)
	mux.HandleFunc("POST /network", s.setNetwork)
}

// ---- shared helpers ---------------------------------------------------------

// pageOf loads one page of posts with load, the feed's way: the cursor and
// the position of the page's first post come from the request's query, and
// MoreURL, the next page's address, keeps the request's path.
func (s *Server) pageOf(r *http.Request, me string, load func(ctx context.Context, cursor string, limit int) (core.Page, error)) (feedPage, error) {
	q := r.URL.Query()
	pos := atoiOr(q.Get("from"), 0)
	p, err := load(r.Context(), q.Get("cursor"), feedPageSize)
	if err != nil {
		return feedPage{}, err
	}
	data := feedPage{Posts: postViews(p.Posts, me, pos+1), Next: p.Next}
	s.prefetchThumbs(r.Context(), data.Posts)
	if p.Next != "" {
		data.MoreURL = r.URL.EscapedPath() + "?" + url.Values{"cursor": {p.Next}, "from": {itoa(pos + len(p.Posts))}}.Encode()
	}
	return data, nil
}

// relations is the signed-in account's following, mute and block lists,
// read once to give the buttons of many users.
type relations struct {
	me                        string
	following, muted, blocked map[string]bool
}

// relations reads the signed-in account's lists.
func (s *Server) relations(ctx context.Context, me string) (relations, error) {
	rs := relations{me: me}
	set := func(us []core.User, err error) (map[string]bool, error) {
		m := make(map[string]bool, len(us))
		for _, u := range us {
			m[u.Name] = true
		}
		return m, err
	}
	var err error
	if rs.following, err = set(s.node.Following(ctx)); err != nil {
		return rs, err
	}
	if rs.muted, err = set(s.node.Muted(ctx)); err != nil {
		return rs, err
	}
	rs.blocked, err = set(s.node.Blocked(ctx))
	return rs, err
}

// of returns the buttons of the user name; their forms come back to back.
func (rs relations) of(name, back string) relation {
	return relation{Name: name, Self: name == rs.me, Following: rs.following[name],
		Muted: rs.muted[name], Blocked: rs.blocked[name], Back: back}
}

// userRow is a user in a list: the user, the buttons, and for a followed
// user how much of their log this device holds.
type userRow struct {
	core.User
	Rel  relation
	Held *logView
}

// rows makes the rows of users, with buttons whose forms come back to back.
func (rs relations) rows(us []core.User, back string) []userRow {
	out := make([]userRow, len(us))
	for i, u := range us {
		out[i] = userRow{User: u, Rel: rs.of(u.Name, back), Held: newLogView(u)}
	}
	return out
}

// logView is how complete a followed user's log is on this device.
type logView struct {
	Name             string
	From, To, Latest uint64
	Trimmed          bool
}

// newLogView returns u's log state, nil if the list has none.
func newLogView(u core.User) *logView {
	if u.Log == nil {
		return nil
	}
	return &logView{Name: u.Name, From: u.Log.From, To: u.Log.To, Latest: u.Log.Latest, Trimmed: u.Log.Trimmed}
}

// Max is the progress bar's maximum: the latest entry known, at least
// what is held.
func (l logView) Max() uint64 { return max(l.Latest, l.To, 1) }

// Pct is how far the held log reaches towards the latest entry known.
func (l logView) Pct() int {
	if l.Latest == 0 {
		return 100
	}
	return int(min(100, l.To*100/l.Latest))
}

// safeLink returns link if it is an http(s) URL with a host, else "": a
// profile's link comes from its owner, who may be an attacker, so only
// such a link is made a link; any other stays text.
func safeLink(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || strings.ContainsAny(link, " \t\r\n") {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return link
	}
	return ""
}

// ---- profile -----------------------------------------------------------------

// profilePage is the data of a user's page.
type profilePage struct {
	core.Profile
	Self      bool
	Rel       relation
	LinkURL   string // the profile's link if it may be a link, else ""
	Conflict  string // why the name is disputed, "" if it is not
	Blocked   bool   // the signed-in account blocked the user: no posts shown
	Posts     feedPage
	Following int // the signed-in account's counts, on its own page
	Followers int
	RequestID string
	MaxName   int
	MaxBio    int
	MaxLink   int
}

func (p profilePage) title() string {
	if p.DisplayName != "" {
		return p.DisplayName + " (@" + p.Name + ")"
	}
	return "@" + p.Name
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	ctx, name := r.Context(), r.PathValue("name")
	if n, ok := strings.CutPrefix(name, "@"); ok && n != "" { // /u/@bob, as people write it
		http.Redirect(w, r, "/u/"+url.PathEscape(n), http.StatusSeeOther)
		return
	}
	me := s.me(ctx)
	timeline := func(ctx context.Context, cursor string, limit int) (core.Page, error) {
		return s.node.Timeline(ctx, name, cursor, limit)
	}
	if fromScript(r) { // the next page, as the user scrolls
		posts, err := s.pageOf(r, me, timeline)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		s.renderFragment(w, http.StatusOK, "postpage", posts)
		return
	}
	prof, err := s.node.Whois(ctx, name)
	data := profilePage{Profile: prof, Self: name == me, RequestID: newRequestID(),
		MaxName: maxDisplayNameChars, MaxBio: maxBioChars, MaxLink: maxLinkBytes}
	switch {
	case errors.Is(err, core.ErrUnknownName):
		s.fail(w, r, http.StatusNotFound, "There is no user @"+name+" that this device or its peers know: check the spelling, or search for them.")
		return
	case errors.Is(err, core.ErrNameConflict):
		data.Conflict = err.Error()
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	data.Name = name
	data.LinkURL = safeLink(prof.Link)
	if data.Rel, err = s.relationTo(ctx, me, name); err != nil {
		s.failErr(w, r, err)
		return
	}
	data.Rel.Back = "/u/" + url.PathEscape(name)
	data.Posts, err = s.pageOf(r, me, timeline)
	switch {
	case errors.Is(err, core.ErrBlocked):
		data.Blocked = true
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	if data.Self {
		if st, err := s.status(ctx); err == nil {
			data.Following, data.Followers = st.Following, st.Followers
		}
	}
	s.render(w, r, http.StatusOK, "profile", data)
}

// ---- following and followers ---------------------------------------------

// peoplePage is the data of the following and followers pages.
type peoplePage struct {
	Followers bool // the followers list, else the following list
	Users     []userRow
}

func (p peoplePage) title() string {
	if p.Followers {
		return "Followers"
	}
	return "Following"
}

func (s *Server) people(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	ctx := r.Context()
	data := peoplePage{Followers: r.URL.Path == "/followers"}
	list := s.node.Following
	if data.Followers {
		list = s.node.Followers
	}
	us, err := list(ctx)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	rs, err := s.relations(ctx, s.me(ctx))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	data.Users = rs.rows(us, r.URL.Path)
	s.render(w, r, http.StatusOK, "people", data)
}

// ---- notifications ---------------------------------------------------------

// notificationsShown is how many notifications the page shows.
const notificationsShown = 100

// notesPage is the data of the notifications page.
type notesPage struct {
	Notes  []noteView
	Unread bool   // some are unread: the page's script marks them read
	Newest string // the newest shown notification's ID: only what was shown is marked read
}

// noteView is a notification as the page shows it.
type noteView struct {
	core.Notification
	Who  string    // the username, or a short key when the name is unknown
	What string    // what they did: "followed you", "liked your post"…
	Post *postView // the post concerned, the first time the page shows it
	Link string    // the post's thread when it is shown above
}

// noteWhat says what a notification of kind k is about.
func noteWhat(k core.NotificationKind) string {
	switch k {
	case core.NotifyFollower:
		return "followed you"
	case core.NotifyUnfollow:
		return "stopped following you"
	case core.NotifyReply:
		return "replied to your post"
	case core.NotifyRepost:
		return "reposted your post"
	case core.NotifyMention:
		return "mentioned you"
	case core.NotifyLike:
		return "liked your post"
	case core.NotifyFork:
		return "has two different entries at one place in their log: their key may be in the hands of two devices"
	}
	return "did something this version does not know (" + string(k) + ")"
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	ctx := r.Context()
	ns, err := s.node.Notifications(ctx, notificationsShown, false) // GET changes nothing
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	me := s.me(ctx)
	data := notesPage{Notes: make([]noteView, len(ns))}
	if len(ns) > 0 {
		data.Newest = ns[0].ID
	}
	shown := map[string]bool{} // a post is shown once: its element IDs are unique
	for i, n := range ns {
		v := noteView{Notification: n, Who: n.From.Name, What: noteWhat(n.Kind)}
		if v.Who == "" {
			v.Who = shortID(n.From.Key)
		}
		if p := n.Post; p != nil {
			if shown[p.ID] {
				v.Link = "/post/" + p.ID
			} else {
				shown[p.ID] = true
				pv := newPostView(*p, me, 0)
				v.Post = &pv
			}
		}
		data.Unread = data.Unread || !n.Read
		data.Notes[i] = v
	}
	s.render(w, r, http.StatusOK, "notifications", data)
}

// readNotifications marks read the notifications the page showed: the
// notificationsShown newest, if the newest of them is still the form's
// "newest" (core marks those it returns). When more came since, it marks
// nothing: the reader has not seen them, and the badge stays.
func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	newest := r.PostFormValue("newest")
	ns, err := s.node.Notifications(ctx, 1, false)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if len(ns) > 0 && ns[0].ID == newest {
		if _, err := s.node.Notifications(ctx, notificationsShown, true); err != nil {
			s.failErr(w, r, err)
			return
		}
	}
	s.doneOn(w, r, "/notifications")
}

// ---- search ------------------------------------------------------------------

// searchPage is the data of the search page.
type searchPage struct {
	Q        string
	Kind     string
	Kinds    []searchKind
	Searched bool // a query was given and answered
	Users    []userRow
	Posts    []postView
	Error    string
}

func (p searchPage) title() string {
	if p.Q == "" {
		return "Search"
	}
	return "Search: " + p.Q
}

// searchKind is one choice of the search form.
type searchKind struct {
	Value, Label string
	Checked      bool
}

var searchKinds = []searchKind{
	{Value: string(core.SearchAll), Label: "Everything"},
	{Value: string(core.SearchUsers), Label: "Accounts"},
	{Value: string(core.SearchPosts), Label: "Posts"},
	{Value: string(core.SearchTag), Label: "One #tag"},
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = string(core.SearchAll)
	}
	data := searchPage{Q: q, Kind: kind, Kinds: slices.Clone(searchKinds)}
	for i := range data.Kinds {
		data.Kinds[i].Checked = data.Kinds[i].Value == kind
	}
	if q == "" {
		s.render(w, r, http.StatusOK, "search", data)
		return
	}
	res, err := s.node.Search(ctx, q, core.SearchKind(kind), searchLimit)
	if errors.Is(err, core.ErrBadQuery) {
		data.Error = "This search cannot be made: " + err.Error() + "."
		s.render(w, r, http.StatusBadRequest, "search", data)
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	me := s.me(ctx)
	back := r.URL.RequestURI()
	if len(res.Users) > 0 {
		rs, err := s.relations(ctx, me)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		data.Users = rs.rows(res.Users, back)
	}
	data.Posts = make([]postView, len(res.Posts))
	for i, p := range res.Posts { // a list, not a feed: no positions
		data.Posts[i] = newPostView(p, me, 0)
	}
	data.Searched = true
	s.render(w, r, http.StatusOK, "search", data)
}

// ---- bookmarks -----------------------------------------------------------------

func (s *Server) bookmarks(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	data, err := s.pageOf(r, s.me(r.Context()), s.node.Bookmarks)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if fromScript(r) {
		s.renderFragment(w, http.StatusOK, "postpage", data)
		return
	}
	s.render(w, r, http.StatusOK, "bookmarks", data)
}

// ---- moderation ----------------------------------------------------------------

// moderationPage is the data of the muted and blocked lists' page.
type moderationPage struct {
	Muted   []userRow
	Blocked []userRow
}

// holdersPage is the data of the holders page.
type holdersPage struct {
	Holders []core.Holder
	Error   string // the lookup failed: why
}

// holders asks the network which devices hold the account's log.
func (s *Server) holders(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	hs, err := s.node.Holders(r.Context())
	if err != nil {
		if errors.Is(err, core.ErrOffline) {
			s.render(w, r, http.StatusServiceUnavailable, "holders", holdersPage{Error: err.Error()})
			return
		}
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "holders", holdersPage{Holders: hs})
}

func (s *Server) moderation(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	ctx := r.Context()
	rs, err := s.relations(ctx, s.me(ctx))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	muted, err := s.node.Muted(ctx)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	blocked, err := s.node.Blocked(ctx)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "moderation", moderationPage{
		Muted: rs.rows(muted, "/moderation"), Blocked: rs.rows(blocked, "/moderation")})
}

// ---- status ----------------------------------------------------------------------

// statusPage is the data of the status page.
type statusPage struct {
	core.Status
	Conns    []core.Connection
	Logs     []logView
	Powers   []selectOption
	Networks []selectOption
}

// selectOption is one choice of a select.
type selectOption struct {
	Value, Label string
	Selected     bool
}

func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := s.status(ctx)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	data := statusPage{Status: st, Conns: s.node.Connections()}
	for _, m := range []core.PowerMode{core.PowerForeground, core.PowerBackground, core.PowerOff} {
		data.Powers = append(data.Powers, selectOption{Value: m.String(), Label: powerLabel(m), Selected: m == st.Power})
	}
	for _, t := range []core.NetworkType{core.NetworkWiFi, core.NetworkCellular, core.NetworkNone} {
		data.Networks = append(data.Networks, selectOption{Value: t.String(), Label: networkLabel(t), Selected: t == st.Network})
	}
	if st.Account != "" {
		us, err := s.node.Following(ctx)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		for _, u := range us {
			if l := newLogView(u); l != nil {
				data.Logs = append(data.Logs, *l)
			}
		}
	}
	s.render(w, r, http.StatusOK, "status", data)
}

func powerLabel(m core.PowerMode) string {
	switch m {
	case core.PowerForeground:
		return "Foreground: always connected"
	case core.PowerBackground:
		return "Background: wakes now and then to sync"
	case core.PowerOff:
		return "Off: no network"
	}
	return m.String()
}

func networkLabel(t core.NetworkType) string {
	switch t {
	case core.NetworkWiFi:
		return "Wi-Fi or wired: fetch everything"
	case core.NetworkCellular:
		return "Cellular: fetch only the followed posts"
	case core.NetworkNone:
		return "None: offline"
	}
	return t.String()
}

// setPower sets the node's power mode to the form's "mode".
func (s *Server) setPower(w http.ResponseWriter, r *http.Request) {
	m, err := core.ParsePowerMode(r.PostFormValue("mode"))
	if err == nil {
		err = s.node.SetPowerMode(m)
	}
	s.settingDone(w, r, err)
}

// setNetwork sets the node's network type to the form's "type".
func (s *Server) setNetwork(w http.ResponseWriter, r *http.Request) {
	t, err := core.ParseNetworkType(r.PostFormValue("type"))
	if err == nil {
		err = s.node.SetNetworkType(t)
	}
	s.settingDone(w, r, err)
}

// settingDone ends a change of a setting: a bad value is 400, and success
// goes back to the status page.
func (s *Server) settingDone(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		if _, _, ok := api.CodeOf(err); ok {
			s.failErr(w, r, err)
		} else {
			s.fail(w, r, http.StatusBadRequest, "This setting cannot be set: "+err.Error()+".")
		}
		return
	}
	s.doneOn(w, r, "/status")
}

// doneOn ends an action that changes no list in place: 204 for the page's
// script, else a redirect to the form's "back", or to page when it has
// none.
func (s *Server) doneOn(w http.ResponseWriter, r *http.Request, page string) {
	if fromScript(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	to := back(r)
	if to == "/" {
		to = page
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
