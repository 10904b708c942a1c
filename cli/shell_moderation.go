package cli

import (
	"context"
	"fmt"
	"strings"
)

// moderation is the shell's "Mute or block" option: it shows the muted
// and blocked users, then asks what to do.
func (s *shell) moderation(ctx context.Context) error {
	out := s.e.stdout
	m, err := s.c.Muted(ctx)
	if err != nil {
		return err
	}
	b, err := s.c.Blocked(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n|= Muted =|")
	writeUsers(out, m.Users, "nobody")
	fmt.Fprintln(out, "\n|= Blocked =|")
	writeUsers(out, b.Users, "nobody")
	action, err := s.ask(ctx, "[m]ute, [u]nmute, [b]lock, u[n]block (Enter to go back): ")
	if err != nil {
		return err
	}
	action = strings.ToLower(action)
	if action == "" {
		return nil
	}
	name, err := s.askName(ctx, "Username: ")
	if err != nil || name == "" {
		return err
	}
	switch action {
	case "m", "mute":
		_, err = s.c.Mute(ctx, name)
	case "u", "unmute":
		err = s.c.Unmute(ctx, name)
	case "b", "block":
		_, err = s.c.Block(ctx, name)
	case "n", "unblock":
		err = s.c.Unblock(ctx, name)
	default:
		fmt.Fprintf(out, "unknown action %q\n", action)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Done: %s @%s.\n", action, inert(name))
	return nil
}

// bookmarks is the shell's "Bookmarks" option: it shows the newest
// bookmarks, then offers to add or remove one.
func (s *shell) bookmarks(ctx context.Context) error {
	out := s.e.stdout
	p, err := s.c.Bookmarks(ctx, "", 50)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\n|= Bookmarks =|")
	if len(p.Posts) == 0 {
		fmt.Fprintln(out, "No bookmarks yet.")
	}
	for _, post := range p.Posts {
		fmt.Fprintln(out, postLine(post))
	}
	action, err := s.ask(ctx, "[a]dd or [r]emove a bookmark (Enter to go back): ")
	if err != nil || action == "" {
		return err
	}
	id, err := s.askPostID(ctx, "Post ID (Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	switch strings.ToLower(action) {
	case "a", "add":
		post, err := s.c.Bookmark(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "Bookmarked:")
		fmt.Fprintln(out, postLine(post))
	case "r", "remove":
		if err := s.c.Unbookmark(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(out, "Removed bookmark [%s].\n", shortID(id))
	default:
		fmt.Fprintf(out, "unknown action %q\n", action)
	}
	return nil
}
