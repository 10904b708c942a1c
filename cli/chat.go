package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// Commands of direct messages and group chats. A conversation (CONV) is
// named by a group ID or its first 8 or more hex digits (the brackets in
// conversations), a group name the account is in, or a username (@ or not)
// for the direct messages with that user.

// Message pages of the messages command.
const (
	defaultMessages = 50
	// chatHistory is how many messages chat shows before the live ones.
	chatHistory = 20
)

// convArg takes a conversation reference.
func convArg(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "@") }

type dmCmd struct {
	name, text string
}

func (*dmCmd) flags(*flag.FlagSet) {}

func (d *dmCmd) args(a []string) error {
	if len(a) == 0 || a[0] == "" {
		return errors.New("missing NAME")
	}
	d.name = strings.TrimPrefix(a[0], "@")
	if d.text = strings.Join(a[1:], " "); d.text == "" {
		return errors.New("missing TEXT")
	}
	return nil
}

func (d *dmCmd) run(ctx context.Context, e *env, c *api.Client) error {
	m, err := c.SendDM(ctx, d.name, d.text)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, messageLine(m))
	return nil
}

type sendCmd struct {
	conv, text string
}

func (*sendCmd) flags(*flag.FlagSet) {}

func (s *sendCmd) args(a []string) error {
	if len(a) == 0 || convArg(a[0]) == "" {
		return errors.New("missing CONV")
	}
	s.conv = convArg(a[0])
	if s.text = strings.Join(a[1:], " "); s.text == "" {
		return errors.New("missing TEXT")
	}
	return nil
}

func (s *sendCmd) run(ctx context.Context, e *env, c *api.Client) error {
	m, err := c.SendMessage(ctx, s.conv, s.text)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, messageLine(m))
	return nil
}

type messagesCmd struct {
	conv   string
	limit  int
	before string
	search string
	json   bool
}

func (m *messagesCmd) flags(fs *flag.FlagSet) {
	fs.IntVar(&m.limit, "limit", defaultMessages, fmt.Sprintf("show at most `N` messages (1 to %d)", api.MaxMessages))
	fs.StringVar(&m.before, "before", "", "show the messages before the cursor `C` of an \"earlier:\" line")
	fs.StringVar(&m.search, "search", "", "find your messages containing `QUERY`, in every conversation")
	jsonFlag(fs, &m.json)
}

func (m *messagesCmd) args(a []string) error {
	if m.search != "" {
		switch {
		case len(a) > 0:
			return fmt.Errorf("unexpected argument %q: --search looks in every conversation", a[0])
		case m.before != "":
			return errors.New("--before pages a conversation's history, not a search")
		case m.limit < 1 || m.limit > api.MaxChatResults:
			return fmt.Errorf("invalid --limit %d: use 1 to %d", m.limit, api.MaxChatResults)
		}
		return nil
	}
	if m.limit < 1 || m.limit > api.MaxMessages {
		return fmt.Errorf("invalid --limit %d: use 1 to %d", m.limit, api.MaxMessages)
	}
	if err := oneArg(a, "CONV", &m.conv); err != nil {
		return err
	}
	m.conv = convArg(m.conv)
	return nil
}

func (m *messagesCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if m.search != "" {
		return searchMessages(ctx, e, c, m.search, m.limit, m.json)
	}
	p, err := c.Messages(ctx, m.conv, m.before, m.limit)
	if err != nil {
		return err
	}
	if m.before == "" && len(p.Messages) > 0 {
		if err := c.MarkRead(ctx, m.conv); err != nil {
			return err
		}
	}
	if m.json {
		return writeJSON(e.stdout, p)
	}
	more := "skein messages " + shellQuote(m.conv)
	if m.limit != defaultMessages {
		more += fmt.Sprintf(" --limit %d", m.limit)
	}
	writeMessagePage(e.stdout, p, more)
	return nil
}

// searchMessages shows the account's messages containing query.
func searchMessages(ctx context.Context, e *env, c *api.Client, query string, limit int, json bool) error {
	res, err := c.SearchMessages(ctx, query, limit)
	if err != nil {
		return err
	}
	if json {
		return writeJSON(e.stdout, res)
	}
	writeFoundMessages(e.stdout, res.Messages)
	return nil
}

type conversationsCmd struct{ json bool }

func (cc *conversationsCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &cc.json) }
func (*conversationsCmd) args(a []string) error     { return noArgs(a) }

func (cc *conversationsCmd) run(ctx context.Context, e *env, c *api.Client) error {
	cs, err := c.Conversations(ctx)
	if err != nil {
		return err
	}
	if cc.json {
		return writeJSON(e.stdout, cs)
	}
	writeConversations(e.stdout, cs.Conversations, "no conversations yet: write to someone with: skein dm NAME TEXT")
	return nil
}

type chatCmd struct{ conv string }

func (*chatCmd) flags(*flag.FlagSet) {}

func (ch *chatCmd) args(a []string) error {
	if err := oneArg(a, "CONV", &ch.conv); err != nil {
		return err
	}
	ch.conv = convArg(ch.conv)
	return nil
}

func (ch *chatCmd) run(ctx context.Context, e *env, c *api.Client) error {
	return runChat(ctx, e, c, ch.conv)
}

// groupCmd is "skein group SUBCOMMAND ...": its flags are those of every
// subcommand, and args refuses those that are not the subcommand's.
type groupCmd struct {
	sub     string
	group   string // the group, a reference
	name    string // create: the new group's name; invite, remove, admin, member: the user
	query   string // search
	public  bool
	history string // create: "shared" (default) or "joined"
	admin   bool
	expires string // invite: a duration
	expiry  time.Duration
	json    bool
}

// groupSubs are the subcommands of group, in the order help lists them.
var groupSubs = []string{"create", "invite", "join", "leave", "remove", "admin", "member", "members", "search", "list"}

func (g *groupCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&g.public, "public", false, "create: a public group, unencrypted, that anyone can find and join")
	fs.StringVar(&g.history, "history", "", "create: `WHO` reads what was sent before they joined: shared (everyone, the default) or joined (only from their join)")
	fs.BoolVar(&g.admin, "admin", false, "invite: make the invitee an admin")
	fs.StringVar(&g.expires, "expires", "", "invite: the invitation is valid for `D` (such as 72h; default 7 days, at most 720h)")
	fs.BoolVar(&g.json, "json", false, "members, search, list: print the API's JSON document")
}

func (g *groupCmd) args(a []string) error {
	if len(a) == 0 || a[0] == "" {
		return fmt.Errorf("missing a group command: %s", strings.Join(groupSubs, ", "))
	}
	g.sub, a = a[0], a[1:]
	if !slices.Contains(groupSubs, g.sub) {
		return fmt.Errorf("unknown group command %q: use %s", g.sub, strings.Join(groupSubs, ", "))
	}
	only := func(ok bool, flags string) error {
		if !ok {
			return fmt.Errorf("%s: only for group %s", flags, map[string]string{"--public and --history": "create", "--admin and --expires": "invite", "--json": "members, search and list"}[flags])
		}
		return nil
	}
	if err := firstErr(
		only(g.sub == "create" || !g.public && g.history == "", "--public and --history"),
		only(g.sub == "invite" || !g.admin && g.expires == "", "--admin and --expires"),
		only(g.sub == "members" || g.sub == "search" || g.sub == "list" || !g.json, "--json"),
	); err != nil {
		return err
	}
	switch g.history {
	case "", "shared", "joined":
	default:
		return fmt.Errorf("invalid --history %q: use shared or joined", g.history)
	}
	if g.expires != "" {
		d, err := api.ParseExpiry(g.expires)
		if err != nil {
			return fmt.Errorf("--expires: %v", err)
		}
		g.expiry = d
	}
	args := func(names ...string) error {
		for i, n := range names {
			if i >= len(a) || strings.TrimSpace(a[i]) == "" {
				return fmt.Errorf("missing %s", n)
			}
		}
		if len(a) > len(names) {
			return fmt.Errorf("unexpected argument %q after %s", a[len(names)], names[len(names)-1])
		}
		return nil
	}
	switch g.sub {
	case "create":
		if err := args("NAME"); err != nil {
			return err
		}
		g.name = strings.TrimSpace(a[0])
	case "invite", "remove", "admin", "member":
		if err := args("GROUP", "NAME"); err != nil {
			return err
		}
		g.group, g.name = convArg(a[0]), strings.TrimPrefix(a[1], "@")
	case "join", "leave", "members":
		if err := args("GROUP"); err != nil {
			return err
		}
		g.group = convArg(a[0])
	case "search":
		if g.query = strings.TrimSpace(strings.Join(a, " ")); g.query == "" {
			return errors.New("missing QUERY")
		}
	case "list":
		return noArgs(a)
	}
	return nil
}

func (g *groupCmd) run(ctx context.Context, e *env, c *api.Client) error {
	out := e.stdout
	switch g.sub {
	case "create":
		cv, err := c.CreateGroup(ctx, g.name, core.GroupOptions{Public: g.public, HistoryJoined: g.history == "joined"})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created %s [%s], a %s; invite people with: skein group invite %s NAME\n",
			inert(cv.Name), shortID(cv.ID), groupKind(cv), inert(shellQuote(groupRef(cv))))
	case "invite":
		cv, err := c.Conversation(ctx, g.group)
		if err != nil {
			return err
		}
		if err := c.Invite(ctx, cv.ID, g.name, core.InviteOptions{Admin: g.admin, Expires: g.expiry}); err != nil {
			return err
		}
		valid := "7 days"
		if g.expiry != 0 {
			valid = g.expires
		}
		as := ""
		if g.admin {
			as = " as an admin"
		}
		fmt.Fprintf(out, "invited @%s to %s [%s]%s, valid for %s; they join with: skein group join %s\n",
			inert(g.name), inert(cv.Name), shortID(cv.ID), as, inert(valid), shortID(cv.ID))
	case "join":
		cv, err := c.Join(ctx, g.group)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "joined %s [%s], %s; talk with: skein chat %s\n", inert(cv.Name), shortID(cv.ID), groupKind(cv), inert(shellQuote(groupRef(cv))))
	case "leave", "remove", "admin", "member":
		cv, err := c.Conversation(ctx, g.group)
		if err != nil {
			return err
		}
		return g.change(ctx, out, c, cv)
	case "members":
		ms, err := c.Members(ctx, g.group)
		if err != nil {
			return err
		}
		if g.json {
			return writeJSON(out, ms)
		}
		writeMembers(out, ms.Members)
	case "search":
		gs, err := c.SearchGroups(ctx, g.query, 0)
		if err != nil {
			return err
		}
		if g.json {
			return writeJSON(out, gs)
		}
		writeGroups(out, gs.Groups)
	case "list":
		cs, err := c.Conversations(ctx)
		if err != nil {
			return err
		}
		groups := api.Conversations{Conversations: []core.Conversation{}}
		for _, cv := range cs.Conversations {
			if !cv.DM {
				groups.Conversations = append(groups.Conversations, cv)
			}
		}
		if g.json {
			return writeJSON(out, groups)
		}
		writeConversations(out, groups.Conversations, "no groups yet: create one with: skein group create NAME")
	}
	return nil
}

// change leaves cv, removes a member, or sets a member's role.
func (g *groupCmd) change(ctx context.Context, out io.Writer, c *api.Client, cv core.Conversation) error {
	if cv.DM {
		return fmt.Errorf("%w: @%s is a direct conversation, not a group", core.ErrNoConversation, cv.Name)
	}
	label := inert(cv.Name) + " [" + shortID(cv.ID) + "]"
	switch g.sub {
	case "leave":
		if err := c.Leave(ctx, cv.ID); err != nil {
			return err
		}
		fmt.Fprintf(out, "left %s\n", label)
	case "remove":
		if err := c.Remove(ctx, cv.ID, g.name); err != nil {
			return err
		}
		fmt.Fprintf(out, "removed @%s from %s\n", inert(g.name), label)
	default:
		admin := g.sub == "admin"
		if err := c.SetRole(ctx, cv.ID, g.name, admin); err != nil {
			return err
		}
		role := "a member"
		if admin {
			role = "an admin"
		}
		fmt.Fprintf(out, "@%s is now %s of %s\n", inert(g.name), role, label)
	}
	return nil
}

// groupRef is how commands can name a group: its name if it is a plain
// word, else its short ID.
func groupRef(cv core.Conversation) string {
	if shellSafe.MatchString(cv.Name) && !strings.HasPrefix(cv.Name, "@") {
		return cv.Name
	}
	return shortID(cv.ID)
}

// groupKind says what a group is: "private group" or "public group",
// with its member count when known.
func groupKind(cv core.Conversation) string {
	kind := "private group"
	if cv.Public {
		kind = "public group"
	}
	if cv.Members > 0 {
		kind += fmt.Sprintf(", %d member%s", cv.Members, plural(cv.Members))
	}
	return kind
}
