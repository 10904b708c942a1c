package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

type likeCmd struct {
	requestFlag
	id string
}

func (l *likeCmd) args(a []string) error { return firstErr(postIDArg(a, &l.id), l.check()) }

func (l *likeCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Like(l.with(ctx), l.id)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "liked: "+postLine(p))
	return nil
}

type unlikeCmd struct {
	requestFlag
	id string
}

func (u *unlikeCmd) args(a []string) error { return firstErr(postIDArg(a, &u.id), u.check()) }

func (u *unlikeCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if err := c.Unlike(u.with(ctx), u.id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "unliked post [%s]\n", shortID(u.id))
	return nil
}

func (s *shell) like(ctx context.Context) error {
	id, err := s.askPostID(ctx, "Like post (its ID from the feed, Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	p, err := s.c.Like(withNewRequestID(ctx), id)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Liked:")
	fmt.Fprintln(s.e.stdout, postLine(p))
	return nil
}

func (s *shell) unlike(ctx context.Context) error {
	id, err := s.askPostID(ctx, "Unlike post (its ID from the feed, Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	if err := s.c.Unlike(withNewRequestID(ctx), id); err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Unliked post [%s].\n", shortID(id))
	return nil
}

type threadCmd struct {
	id   string
	json bool
}

func (t *threadCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &t.json) }
func (t *threadCmd) args(a []string) error  { return postIDArg(a, &t.id) }

func (t *threadCmd) run(ctx context.Context, e *env, c *api.Client) error {
	th, err := c.Thread(ctx, t.id)
	if err != nil {
		return err
	}
	if t.json {
		return writeJSON(e.stdout, th)
	}
	writeThread(e.stdout, th)
	return nil
}

// writeThread writes a thread: its ancestors, root first, then the post
// marked with "▶", then its replies, each level indented by two more
// spaces. Every peer's string is inert (postLine).
func writeThread(w io.Writer, th core.Thread) {
	for _, p := range th.Ancestors {
		if p.Unavailable {
			fmt.Fprintf(w, "  [%s]  a post that is not available\n", shortID(p.ID))
			continue
		}
		fmt.Fprintln(w, indentLines("  ", postLine(p)))
	}
	fmt.Fprintln(w, indentLines("▶ ", postLine(th.Post)))
	var replies func(rs []core.ThreadReply, depth int)
	replies = func(rs []core.ThreadReply, depth int) {
		for _, r := range rs {
			fmt.Fprintln(w, indentLines(strings.Repeat("  ", depth+1), postLine(r.Post)))
			replies(r.Replies, depth+1)
		}
	}
	replies(th.Replies, 1)
	if len(th.Replies) == 0 {
		fmt.Fprintln(w, "    no replies")
	}
	if !th.Fetched {
		fmt.Fprintln(w, "(what this device holds: the author's device and the holders of their posts did not answer)")
	}
}

// indentLines puts prefix before every line of s.
func indentLines(prefix, s string) string {
	pad := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	return prefix + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func (s *shell) thread(ctx context.Context) error {
	id, err := s.askPostID(ctx, "Open the thread of post (its ID from the feed, Enter to cancel): ")
	if err != nil || id == "" {
		return err
	}
	th, err := s.c.Thread(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "|= Thread =|")
	writeThread(s.e.stdout, th)
	return nil
}
