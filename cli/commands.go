package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// Commands that talk to the daemon. Each type holds its flags and
// arguments; see the commands table for their synopsis.

type registerCmd struct {
	name         string
	passwordFile string
}

func (r *registerCmd) flags(fs *flag.FlagSet) { passwordFlag(fs, &r.passwordFile) }
func (r *registerCmd) args(a []string) error  { return oneArg(a, "NAME", &r.name) }

func (r *registerCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if _, err := c.Status(ctx); err != nil { // no password prompt without a daemon
		return err
	}
	pw, err := e.password(ctx, r.passwordFile, true)
	if err != nil {
		return err
	}
	u, err := c.Register(ctx, r.name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "registered @%s (key %s) and logged in\n", inert(u.Name), shortKey(u.Key))
	return nil
}

type loginCmd struct {
	name         string
	passwordFile string
}

func (r *loginCmd) flags(fs *flag.FlagSet) { passwordFlag(fs, &r.passwordFile) }
func (r *loginCmd) args(a []string) error  { return oneArg(a, "NAME", &r.name) }

func (r *loginCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if _, err := c.Status(ctx); err != nil {
		return err
	}
	pw, err := e.password(ctx, r.passwordFile, false)
	if err != nil {
		return err
	}
	u, err := c.Login(ctx, r.name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "logged in as @%s\n", inert(u.Name))
	return nil
}

type logoutCmd struct{}

func (*logoutCmd) flags(*flag.FlagSet)   {}
func (*logoutCmd) args(a []string) error { return noArgs(a) }

func (*logoutCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if err := c.Logout(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "logged out")
	return nil
}

// requestFlag is the --request-id flag of the commands that append to the
// account's log. Each run sends a request ID, this one or a new one, so
// that the daemon does the request once however often the client retries.
type requestFlag struct{ id string }

func (r *requestFlag) flags(fs *flag.FlagSet) {
	fs.StringVar(&r.id, "request-id", "", "send the request ID `ID` (default: a new one); run a command again with the ID of one whose answer was lost to finish it without doing it twice")
}

// check checks the flag's value.
func (r *requestFlag) check() error {
	if r.id == "" {
		return nil
	}
	if err := core.CheckRequestID(r.id); err != nil {
		return fmt.Errorf("--request-id: %v", err)
	}
	return nil
}

// with returns ctx carrying the request ID to send.
func (r *requestFlag) with(ctx context.Context) context.Context {
	if r.id != "" {
		return core.WithRequestID(ctx, r.id)
	}
	return withNewRequestID(ctx)
}

// withNewRequestID returns ctx carrying a new random request ID.
func withNewRequestID(ctx context.Context) context.Context {
	b := make([]byte, 16)
	rand.Read(b)
	return core.WithRequestID(ctx, hex.EncodeToString(b))
}

type postCmd struct {
	requestFlag
	images imageFlags
	text   string
}

func (p *postCmd) flags(fs *flag.FlagSet) {
	p.requestFlag.flags(fs)
	p.images.flags(fs)
}

func (p *postCmd) args(a []string) error {
	p.text = strings.Join(a, " ")
	if p.text == "" && len(p.images.images) == 0 {
		return errors.New("missing TEXT (or an --image)")
	}
	return firstErr(p.images.check(), p.check())
}

func (p *postCmd) run(ctx context.Context, e *env, c *api.Client) error {
	var post core.Post
	var err error
	if len(p.images.images) > 0 {
		var ms []core.Media
		if ms, err = p.images.upload(ctx, c); err != nil {
			return err
		}
		post, err = c.PostMedia(p.with(ctx), p.text, ms)
	} else {
		post, err = c.Post(p.with(ctx), p.text)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, postLine(post))
	return nil
}

type replyCmd struct {
	requestFlag
	images   imageFlags
	id, text string
}

func (r *replyCmd) flags(fs *flag.FlagSet) {
	r.requestFlag.flags(fs)
	r.images.flags(fs)
}

func (r *replyCmd) args(a []string) error {
	if len(a) == 0 || a[0] == "" {
		return errors.New("missing ID")
	}
	var err error
	if r.id, err = postID(a[0]); err != nil {
		return err
	}
	if r.text = strings.Join(a[1:], " "); r.text == "" && len(r.images.images) == 0 {
		return errors.New("missing TEXT (or an --image)")
	}
	return firstErr(r.images.check(), r.check())
}

func (r *replyCmd) run(ctx context.Context, e *env, c *api.Client) error {
	var p core.Post
	var err error
	if len(r.images.images) > 0 {
		var ms []core.Media
		if ms, err = r.images.upload(ctx, c); err != nil {
			return err
		}
		p, err = c.ReplyMedia(r.with(ctx), r.id, r.text, ms)
	} else {
		p, err = c.Reply(r.with(ctx), r.id, r.text)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, postLine(p))
	return nil
}

type repostCmd struct {
	requestFlag
	id string
}

func (r *repostCmd) args(a []string) error { return firstErr(postIDArg(a, &r.id), r.check()) }

func (r *repostCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Repost(r.with(ctx), r.id)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, postLine(p))
	return nil
}

type deleteCmd struct {
	requestFlag
	id string
}

func (d *deleteCmd) args(a []string) error { return firstErr(postIDArg(a, &d.id), d.check()) }

func (d *deleteCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if err := c.Delete(d.with(ctx), d.id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted post [%s]\n", shortID(d.id))
	return nil
}

type followCmd struct {
	requestFlag
	name string
}

func (f *followCmd) args(a []string) error { return firstErr(oneArg(a, "NAME", &f.name), f.check()) }

func (f *followCmd) run(ctx context.Context, e *env, c *api.Client) error {
	u, err := c.Follow(f.with(ctx), f.name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "following @%s (key %s)\n", inert(u.Name), shortKey(u.Key))
	return nil
}

type unfollowCmd struct {
	requestFlag
	name string
}

func (f *unfollowCmd) args(a []string) error { return firstErr(oneArg(a, "NAME", &f.name), f.check()) }

func (f *unfollowCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if err := c.Unfollow(f.with(ctx), f.name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "unfollowed @%s\n", inert(f.name))
	return nil
}

type feedCmd struct {
	limit  int
	cursor string
	json   bool
}

func (f *feedCmd) flags(fs *flag.FlagSet) { pageFlags(fs, &f.limit, &f.cursor, &f.json) }

func (f *feedCmd) args(a []string) error {
	if err := checkLimit(f.limit); err != nil {
		return err
	}
	return noArgs(a)
}

func (f *feedCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Feed(ctx, f.cursor, f.limit)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, p)
	}
	writePage(e.stdout, p, "no posts yet: follow someone with: skein follow NAME", moreCommand("feed", f.limit))
	return nil
}

type timelineCmd struct {
	name   string
	limit  int
	cursor string
	json   bool
}

func (t *timelineCmd) flags(fs *flag.FlagSet) { pageFlags(fs, &t.limit, &t.cursor, &t.json) }

func (t *timelineCmd) args(a []string) error {
	if err := checkLimit(t.limit); err != nil {
		return err
	}
	return oneArg(a, "NAME", &t.name)
}

func (t *timelineCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Timeline(ctx, t.name, t.cursor, t.limit)
	if err != nil {
		return err
	}
	if t.json {
		return writeJSON(e.stdout, p)
	}
	writePage(e.stdout, p, "no posts from @"+t.name, moreCommand("timeline "+shellQuote(t.name), t.limit))
	return nil
}

type followingCmd struct{ json bool }

func (f *followingCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &f.json) }
func (*followingCmd) args(a []string) error    { return noArgs(a) }

func (f *followingCmd) run(ctx context.Context, e *env, c *api.Client) error {
	u, err := c.Following(ctx)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, u)
	}
	writeUsers(e.stdout, u.Users, "not following anyone: follow someone with: skein follow NAME")
	return nil
}

type followersCmd struct{ json bool }

func (f *followersCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &f.json) }
func (*followersCmd) args(a []string) error    { return noArgs(a) }

func (f *followersCmd) run(ctx context.Context, e *env, c *api.Client) error {
	u, err := c.Followers(ctx)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.stdout, u)
	}
	writeUsers(e.stdout, u.Users, "no followers yet")
	return nil
}

type notificationsCmd struct {
	limit int
	json  bool
}

func (n *notificationsCmd) flags(fs *flag.FlagSet) {
	fs.IntVar(&n.limit, "limit", api.DefaultLimit, fmt.Sprintf("show at most `N` notifications (1 to %d)", api.MaxLimit))
	jsonFlag(fs, &n.json)
}

func (n *notificationsCmd) args(a []string) error {
	if err := checkLimit(n.limit); err != nil {
		return err
	}
	return noArgs(a)
}

func (n *notificationsCmd) run(ctx context.Context, e *env, c *api.Client) error {
	ns, err := c.Notifications(ctx, n.limit, true)
	if err != nil {
		return err
	}
	if n.json {
		return writeJSON(e.stdout, ns)
	}
	writeNotifications(e.stdout, ns.Notifications)
	return nil
}

type whoisCmd struct {
	name string
	json bool
}

func (w *whoisCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &w.json) }
func (w *whoisCmd) args(a []string) error  { return oneArg(a, "NAME", &w.name) }

func (w *whoisCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Whois(ctx, w.name)
	if err != nil {
		return err
	}
	if w.json {
		return writeJSON(e.stdout, p)
	}
	writeProfile(e.stdout, p)
	return nil
}

type statusCmd struct{ json bool }

func (s *statusCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &s.json) }
func (*statusCmd) args(a []string) error    { return noArgs(a) }

func (s *statusCmd) run(ctx context.Context, e *env, c *api.Client) error {
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if s.json {
		return writeJSON(e.stdout, st)
	}
	writeStatus(e.stdout, st)
	return nil
}

type holdersCmd struct{ json bool }

func (h *holdersCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &h.json) }
func (*holdersCmd) args(a []string) error    { return noArgs(a) }

func (h *holdersCmd) run(ctx context.Context, e *env, c *api.Client) error {
	hs, err := c.Holders(ctx)
	if err != nil {
		return err
	}
	if h.json {
		if hs == nil {
			hs = []core.Holder{}
		}
		return writeJSON(e.stdout, api.Holders{Holders: hs})
	}
	writeHolders(e.stdout, hs)
	return nil
}

type peersCmd struct{ json bool }

func (p *peersCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &p.json) }
func (*peersCmd) args(a []string) error    { return noArgs(a) }

func (p *peersCmd) run(ctx context.Context, e *env, c *api.Client) error {
	cs, err := c.Connections(ctx)
	if err != nil {
		return err
	}
	if p.json {
		return writeJSON(e.stdout, api.Connections{Connections: nonNilConns(cs)})
	}
	writeConnections(e.stdout, cs)
	return nil
}

func nonNilConns(cs []core.Connection) []core.Connection {
	if cs == nil {
		return []core.Connection{}
	}
	return cs
}

type powerCmd struct {
	mode core.PowerMode
	set  bool // a mode was given
	json bool
}

func (p *powerCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &p.json) }

func (p *powerCmd) args(a []string) error {
	switch {
	case len(a) == 0:
		return nil
	case len(a) > 1:
		return fmt.Errorf("unexpected argument %q after the power mode", a[1])
	}
	m, err := core.ParsePowerMode(a[0])
	if err != nil {
		return fmt.Errorf("invalid power mode %q: use foreground, background or off", a[0])
	}
	p.mode, p.set = m, true
	return nil
}

func (p *powerCmd) run(ctx context.Context, e *env, c *api.Client) error {
	var pw api.Power
	if p.set {
		var err error
		if pw, err = c.SetPowerMode(ctx, p.mode); err != nil {
			return err
		}
	} else {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		pw = api.Power{Power: st.Power, Network: st.Network}
	}
	if p.json {
		return writeJSON(e.stdout, pw)
	}
	fmt.Fprintln(e.stdout, powerLine(pw.Power, pw.Network))
	return nil
}

type networkCmd struct {
	network core.NetworkType
	json    bool
}

func (n *networkCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &n.json) }

func (n *networkCmd) args(a []string) error {
	switch {
	case len(a) == 0 || a[0] == "":
		return errors.New("missing network type: use wifi, cellular or none")
	case len(a) > 1:
		return fmt.Errorf("unexpected argument %q after the network type", a[1])
	}
	t, err := core.ParseNetworkType(a[0])
	if err != nil {
		return fmt.Errorf("invalid network type %q: use wifi, cellular or none", a[0])
	}
	n.network = t
	return nil
}

func (n *networkCmd) run(ctx context.Context, e *env, c *api.Client) error {
	pw, err := c.SetNetworkType(ctx, n.network)
	if err != nil {
		return err
	}
	if n.json {
		return writeJSON(e.stdout, pw)
	}
	fmt.Fprintln(e.stdout, powerLine(pw.Power, pw.Network))
	return nil
}

type watchCmd struct{ json bool }

func (w *watchCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&w.json, "json", false, "print each event as one line of JSON")
}
func (*watchCmd) args(a []string) error { return noArgs(a) }

func (w *watchCmd) run(ctx context.Context, e *env, c *api.Client) error {
	started := func() {
		fmt.Fprintln(e.stderr, "skein watch: watching for events; press Ctrl-C to stop")
	}
	err := c.Events(ctx, started, func(ev core.Event) error {
		if w.json {
			return writeJSONLine(e.stdout, ev)
		}
		if line := eventLine(ev, time.Now()); line != "" {
			_, err := fmt.Fprintln(e.stdout, line)
			return err
		}
		return nil
	})
	if ctx.Err() != nil {
		return nil // interrupted: the normal way to stop
	}
	return err
}

type shellCmd struct{}

func (*shellCmd) flags(*flag.FlagSet)   {}
func (*shellCmd) args(a []string) error { return noArgs(a) }

func (*shellCmd) run(ctx context.Context, e *env, c *api.Client) error {
	return (&shell{e: e, c: c}).run(ctx)
}

// Flag and argument helpers.

func passwordFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "password-file", "", "read the password from the first line of `F`")
}

func jsonFlag(fs *flag.FlagSet, p *bool) {
	fs.BoolVar(p, "json", false, "print the API's JSON document")
}

func pageFlags(fs *flag.FlagSet, limit *int, cursor *string, json *bool) {
	fs.IntVar(limit, "limit", api.DefaultLimit, fmt.Sprintf("show at most `N` posts (1 to %d)", api.MaxLimit))
	fs.StringVar(cursor, "cursor", "", "start at the page `C` named by a previous \"more:\" line")
	jsonFlag(fs, json)
}

func checkLimit(n int) error {
	if n < 1 || n > api.MaxLimit {
		return fmt.Errorf("invalid --limit %d: use 1 to %d", n, api.MaxLimit)
	}
	return nil
}

func noArgs(a []string) error {
	if len(a) > 0 {
		return fmt.Errorf("unexpected argument %q", a[0])
	}
	return nil
}

// firstErr returns the first of errs that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// postIDArg takes the one argument ID, a post ID.
func postIDArg(a []string, p *string) error {
	switch {
	case len(a) == 0 || a[0] == "":
		return errors.New("missing ID")
	case len(a) > 1:
		return fmt.Errorf("unexpected argument %q after ID", a[1])
	}
	var err error
	*p, err = postID(a[0])
	return err
}

// postID checks a post ID given by the user: a full ID or a prefix of at
// least 8 hex digits, as feeds show it; brackets around it are dropped.
func postID(s string) (string, error) {
	id := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if len(id) < 8 || len(id) > 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", fmt.Errorf("invalid post ID %q: use the 8 hex digits in brackets that feed and timeline show, or more", s)
	}
	return id, nil
}

func oneArg(a []string, what string, p *string) error {
	switch {
	case len(a) == 0 || a[0] == "":
		return fmt.Errorf("missing %s", what)
	case len(a) > 1:
		return fmt.Errorf("unexpected argument %q after %s", a[1], what)
	}
	*p = strings.TrimPrefix(a[0], "@")
	return nil
}

type searchCmd struct {
	users, posts, tag bool
	messages          bool // the account's messages, not users and posts
	limit             int
	json              bool
	query             string
}

func (s *searchCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&s.users, "users", false, "search users only")
	fs.BoolVar(&s.posts, "posts", false, "search posts only")
	fs.BoolVar(&s.tag, "tag", false, "find the posts carrying the hashtag QUERY, with or without #")
	fs.BoolVar(&s.messages, "messages", false, "search your direct and group messages only (on this device)")
	fs.IntVar(&s.limit, "limit", 20, "show at most `N` users and N posts (1 to 100)")
	jsonFlag(fs, &s.json)
}

func (s *searchCmd) args(a []string) error {
	switch n := btoi(s.users) + btoi(s.posts) + btoi(s.tag) + btoi(s.messages); {
	case n > 1:
		return errors.New("give at most one of --users, --posts, --tag and --messages")
	case s.limit < 1 || s.limit > 100:
		return fmt.Errorf("invalid --limit %d: use 1 to 100", s.limit)
	case len(a) == 0:
		return errors.New("missing QUERY")
	}
	s.query = strings.Join(a, " ")
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *searchCmd) kind() core.SearchKind {
	switch {
	case s.users:
		return core.SearchUsers
	case s.posts:
		return core.SearchPosts
	case s.tag:
		return core.SearchTag
	}
	return core.SearchAll
}

func (s *searchCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if s.messages {
		return searchMessages(ctx, e, c, s.query, s.limit, s.json)
	}
	res, err := c.Search(ctx, s.query, s.kind(), s.limit)
	if err != nil {
		return err
	}
	if s.json {
		return writeJSON(e.stdout, res)
	}
	writeSearch(e.stdout, res, s.kind())
	return nil
}

// writeSearch writes the users found, then the posts, each under a heading
// when the search was for both.
func writeSearch(w io.Writer, res core.SearchResults, kind core.SearchKind) {
	if len(res.Users) == 0 && len(res.Posts) == 0 {
		fmt.Fprintln(w, "nothing found")
		return
	}
	both := kind == core.SearchAll
	if len(res.Users) > 0 {
		if both {
			fmt.Fprintln(w, "users:")
		}
		writeUsers(w, res.Users, "")
	}
	if len(res.Posts) > 0 {
		if both {
			fmt.Fprintln(w, "posts:")
		}
		for _, p := range res.Posts {
			fmt.Fprintln(w, postLine(p))
		}
	}
}
