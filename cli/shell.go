package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/skein-p2p/skein/cli/internal/api"
)

// shell is the interactive menu of "skein shell", in the style of the
// seeds: a numbered menu, an "Option -> " prompt, and questions for what an
// option needs. Everything goes to stdout; input is read line by line from
// stdin. It ends on the quit option, at the end of input, or when ctx is
// done.
type shell struct {
	e *env
	c *api.Client
}

// menuItem is one option of the menu.
type menuItem struct {
	key     string   // what selects it: a digit, or q
	label   string   // what the menu shows
	aliases []string // words that select it too
	do      func(ctx context.Context) error
}

func (s *shell) run(ctx context.Context) error {
	out := s.e.stdout
	st, err := s.c.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Skein shell (%s)\n", s.e.home)
	for {
		items := s.menu(st.Account != "")
		if st.Account != "" {
			fmt.Fprintf(out, "\nLogged in: %s\n\n", inert(st.Account))
		} else {
			fmt.Fprint(out, "\nNot logged in\n\n")
		}
		for _, it := range items {
			fmt.Fprintf(out, "[%s] %s\n", it.key, it.label)
		}
		fmt.Fprint(out, "\nOption -> ")
		line, err := s.e.readLine(ctx)
		if err != nil {
			return s.end(ctx, err)
		}
		choice := strings.ToLower(strings.TrimSpace(line))
		it, ok := pick(items, choice)
		switch {
		case choice == "":
			continue
		case !ok:
			fmt.Fprintf(out, "unknown option %q\n", choice)
			continue
		case it.do == nil:
			fmt.Fprintln(out, "Bye.")
			return nil
		}
		if err := it.do(ctx); err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return s.end(ctx, err)
			}
			if errors.Is(err, api.ErrNoDaemon) {
				return err
			}
			fmt.Fprintf(out, "error: %s\n", errorLine(err))
		}
		if st, err = s.c.Status(ctx); err != nil {
			if ctx.Err() != nil {
				return s.end(ctx, err)
			}
			return err
		}
	}
}

// end ends the shell at the end of input or when ctx is done; other errors
// are returned.
func (s *shell) end(ctx context.Context, err error) error {
	if errors.Is(err, io.EOF) || ctx.Err() != nil {
		fmt.Fprintln(s.e.stdout)
		return nil
	}
	return err
}

func (s *shell) menu(loggedIn bool) []menuItem {
	quit := menuItem{key: "q", label: "Quit", aliases: []string{"quit", "exit"}}
	if !loggedIn {
		return []menuItem{
			{"0", "Login", []string{"login"}, s.login},
			{"1", "Register", []string{"register"}, s.register},
			{"2", "Status", []string{"status"}, s.status},
			{"3", "Web UI", []string{"ui", "web"}, s.webUI},
			quit,
		}
	}
	return []menuItem{
		{"0", "Feed", []string{"feed"}, s.feed},
		{"1", "Follow user", []string{"follow"}, s.follow},
		{"2", "Unfollow user", []string{"unfollow"}, s.unfollow},
		{"3", "Create new post", []string{"post"}, s.post},
		{"4", "Reply to a post", []string{"reply"}, s.reply},
		{"5", "Repost a post", []string{"repost"}, s.repost},
		{"6", "Delete one of your posts", []string{"delete"}, s.delete},
		{"7", "See following and followers", []string{"following", "followers"}, s.lists},
		{"8", "Notifications", []string{"notifications"}, s.notifications},
		{"9", "User timeline", []string{"timeline"}, s.timeline},
		{"10", "Who is", []string{"whois"}, s.whois},
		{"11", "Status", []string{"status"}, s.status},
		{"12", "Logout", []string{"logout"}, s.logout},
		{"13", "Profile", []string{"profile"}, s.profile},
		{"14", "Mute or block", []string{"mute", "block", "muted", "blocked"}, s.moderation},
		{"15", "Bookmarks", []string{"bookmark", "bookmarks"}, s.bookmarks},
		{"16", "Like a post", []string{"like"}, s.like},
		{"17", "Unlike a post", []string{"unlike"}, s.unlike},
		{"18", "Open a thread", []string{"thread"}, s.thread},
		{"19", "Search", []string{"search"}, s.search},
		{"20", "Web UI", []string{"ui", "web"}, s.webUI},
		{"21", "Who holds my posts", []string{"holders"}, s.holders},
		{"22", "Conversations", []string{"conversations", "inbox"}, s.conversations},
		{"23", "Open a chat", []string{"chat"}, s.chat},
		{"24", "Send a direct message", []string{"dm"}, s.dm},
		{"25", "New group", []string{"group", "create"}, s.newGroup},
		{"26", "Invite to a group", []string{"invite"}, s.invite},
		{"27", "Join a group", []string{"join"}, s.join},
		{"28", "Leave a group", []string{"leave"}, s.leave},
		{"29", "Group members", []string{"members"}, s.members},
		{"30", "Search groups", []string{"groups"}, s.searchGroups},
		{"31", "Post with images", []string{"image", "images"}, s.postImages},
		{"32", "Get a file", []string{"media", "get"}, s.getMedia},
		{"33", "Share a directory as an album", []string{"share"}, s.shareAlbum},
		{"34", "Mirror an album", []string{"mirror"}, s.mirrorAlbum},
		{"35", "Albums", []string{"albums", "album", "mirrors"}, s.albums},
		quit,
	}
}

func pick(items []menuItem, choice string) (menuItem, bool) {
	for _, it := range items {
		if it.key == choice {
			return it, true
		}
		for _, a := range it.aliases {
			if a == choice {
				return it, true
			}
		}
	}
	return menuItem{}, false
}

// ask writes prompt and returns the line typed, trimmed. A line that is
// not valid UTF-8 is an error.
func (s *shell) ask(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(s.e.stdout, prompt)
	line, err := s.e.readLine(ctx)
	if err == nil {
		err = checkUTF8("the line typed", line)
	}
	return strings.TrimSpace(line), err
}

func (s *shell) askName(ctx context.Context, prompt string) (string, error) {
	name, err := s.ask(ctx, prompt)
	return strings.TrimPrefix(name, "@"), err
}

func (s *shell) login(ctx context.Context) error {
	name, err := s.askName(ctx, "Username: ")
	if err != nil || name == "" {
		return err
	}
	pw, err := s.e.promptPassword(ctx, s.e.stdout, false)
	if err != nil {
		return err
	}
	u, err := s.c.Login(ctx, name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Logged in as @%s.\n", inert(u.Name))
	return nil
}

func (s *shell) register(ctx context.Context) error {
	name, err := s.askName(ctx, "Username: ")
	if err != nil || name == "" {
		return err
	}
	pw, err := s.e.promptPassword(ctx, s.e.stdout, true)
	if err != nil {
		return err
	}
	u, err := s.c.Register(ctx, name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Registered and logged in as @%s (key %s).\n", inert(u.Name), shortKey(u.Key))
	return nil
}

func (s *shell) logout(ctx context.Context) error {
	if err := s.c.Logout(ctx); err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Logged out.")
	return nil
}

func (s *shell) feed(ctx context.Context) error {
	cursor := ""
	for {
		p, err := s.c.Feed(ctx, cursor, api.DefaultLimit)
		if err != nil {
			return err
		}
		fmt.Fprintln(s.e.stdout, "\n|= Feed =|")
		if cursor == "" && len(p.Posts) == 0 {
			fmt.Fprintln(s.e.stdout, "No posts yet: follow someone.")
		}
		for _, post := range p.Posts {
			fmt.Fprintln(s.e.stdout, postLine(post))
		}
		if p.Next == "" {
			return nil
		}
		more, err := s.ask(ctx, "More? [y/N] ")
		if err != nil || !strings.HasPrefix(strings.ToLower(more), "y") {
			return err
		}
		cursor = p.Next
	}
}

func (s *shell) follow(ctx context.Context) error {
	name, err := s.askName(ctx, "Username to follow: ")
	if err != nil || name == "" {
		return err
	}
	u, err := s.c.Follow(withNewRequestID(ctx), name)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Now following @%s.\n", inert(u.Name))
	return nil
}

func (s *shell) unfollow(ctx context.Context) error {
	fl, err := s.c.Following(ctx)
	if err != nil {
		return err
	}
	if len(fl.Users) == 0 {
		fmt.Fprintln(s.e.stdout, "You are not following anyone.")
		return nil
	}
	fmt.Fprintln(s.e.stdout, "\n|= Following =|")
	for i, u := range fl.Users {
		fmt.Fprintf(s.e.stdout, "[%d] %s\n", i+1, handle(u.Name, u.Key))
	}
	name, err := s.askName(ctx, "Unfollow (number or username, Enter to cancel): ")
	if err != nil || name == "" {
		return err
	}
	if i, err := strconv.Atoi(name); err == nil {
		if i < 1 || i > len(fl.Users) {
			return fmt.Errorf("no user number %d", i)
		}
		name = fl.Users[i-1].Name
	}
	if err := s.c.Unfollow(withNewRequestID(ctx), name); err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Unfollowed @%s.\n", inert(name))
	return nil
}

func (s *shell) post(ctx context.Context) error {
	text, err := s.ask(ctx, "Post text: ")
	if err != nil {
		return err
	}
	if text == "" {
		fmt.Fprintln(s.e.stdout, "Nothing posted.")
		return nil
	}
	if _, err := s.c.Post(withNewRequestID(ctx), text); err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Posted.")
	return nil
}

// askPostID asks for a post ID; "" means the user cancelled.
func (s *shell) askPostID(ctx context.Context, prompt string) (string, error) {
	id, err := s.ask(ctx, prompt)
	if err != nil || id == "" {
		return "", err
	}
	return postID(id)
}

func (s *shell) reply(ctx context.Context) error {
	id, err := s.askPostID(ctx, "Reply to post (its ID from the feed, Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	text, err := s.ask(ctx, "Reply text: ")
	if err != nil {
		return err
	}
	if text == "" {
		fmt.Fprintln(s.e.stdout, "Nothing posted.")
		return nil
	}
	p, err := s.c.Reply(withNewRequestID(ctx), id, text)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Replied:")
	fmt.Fprintln(s.e.stdout, postLine(p))
	return nil
}

func (s *shell) repost(ctx context.Context) error {
	id, err := s.askPostID(ctx, "Repost post (its ID from the feed, Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	p, err := s.c.Repost(withNewRequestID(ctx), id)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Reposted:")
	fmt.Fprintln(s.e.stdout, postLine(p))
	return nil
}

func (s *shell) delete(ctx context.Context) error {
	id, err := s.askPostID(ctx, "Delete your post (its ID from the feed, Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	if err := s.c.Delete(withNewRequestID(ctx), id); err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Deleted post [%s].\n", shortID(id))
	return nil
}

func (s *shell) lists(ctx context.Context) error {
	fl, err := s.c.Following(ctx)
	if err != nil {
		return err
	}
	fr, err := s.c.Followers(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "\n|= Following =|")
	writeUsers(s.e.stdout, fl.Users, "nobody")
	fmt.Fprintln(s.e.stdout, "\n|= Followers =|")
	writeUsers(s.e.stdout, fr.Users, "nobody")
	return nil
}

func (s *shell) notifications(ctx context.Context) error {
	ns, err := s.c.Notifications(ctx, api.DefaultLimit, true)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "\n|= Notifications =|")
	writeNotifications(s.e.stdout, ns.Notifications)
	return nil
}

func (s *shell) timeline(ctx context.Context) error {
	name, err := s.askName(ctx, "Username: ")
	if err != nil || name == "" {
		return err
	}
	p, err := s.c.Timeline(ctx, name, "", api.DefaultLimit)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "\n|= @%s =|\n", inert(name))
	writePage(s.e.stdout, p, "No posts.", moreCommand("timeline "+shellQuote(name), api.DefaultLimit))
	return nil
}

func (s *shell) whois(ctx context.Context) error {
	name, err := s.askName(ctx, "Username: ")
	if err != nil || name == "" {
		return err
	}
	p, err := s.c.Whois(ctx, name)
	if err != nil {
		return err
	}
	writeProfile(s.e.stdout, p)
	return nil
}

func (s *shell) holders(ctx context.Context) error {
	fmt.Fprintln(s.e.stdout, "Asking the network (up to 15 s)…")
	hs, err := s.c.Holders(ctx)
	if err != nil {
		return err
	}
	writeHolders(s.e.stdout, hs)
	return nil
}

func (s *shell) status(ctx context.Context) error {
	st, err := s.c.Status(ctx)
	if err != nil {
		return err
	}
	writeStatus(s.e.stdout, st)
	return nil
}
