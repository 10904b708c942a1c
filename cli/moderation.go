package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/skein-p2p/skein/cli/internal/api"
)

// Commands that mute, block and bookmark: local to the device, private.

type muteCmd struct {
	name  string
	block bool // block rather than mute
}

func (*muteCmd) flags(*flag.FlagSet)     {}
func (m *muteCmd) args(a []string) error { return oneArg(a, "NAME", &m.name) }

func (m *muteCmd) run(ctx context.Context, e *env, c *api.Client) error {
	do, what := c.Mute, "muted"
	if m.block {
		do, what = c.Block, "blocked"
	}
	u, err := do(ctx, m.name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s @%s (key %s)\n", what, inert(u.Name), shortKey(u.Key))
	return nil
}

type unmuteCmd struct {
	name  string
	block bool // unblock rather than unmute
}

func (*unmuteCmd) flags(*flag.FlagSet)     {}
func (m *unmuteCmd) args(a []string) error { return oneArg(a, "NAME", &m.name) }

func (m *unmuteCmd) run(ctx context.Context, e *env, c *api.Client) error {
	do, what := c.Unmute, "unmuted"
	if m.block {
		do, what = c.Unblock, "unblocked"
	}
	if err := do(ctx, m.name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s @%s\n", what, inert(m.name))
	return nil
}

type mutedCmd struct {
	json  bool
	block bool // the blocked list rather than the muted one
}

func (m *mutedCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &m.json) }
func (*mutedCmd) args(a []string) error    { return noArgs(a) }

func (m *mutedCmd) run(ctx context.Context, e *env, c *api.Client) error {
	list, none := c.Muted, "nobody muted"
	if m.block {
		list, none = c.Blocked, "nobody blocked"
	}
	u, err := list(ctx)
	if err != nil {
		return err
	}
	if m.json {
		return writeJSON(e.stdout, u)
	}
	writeUsers(e.stdout, u.Users, none)
	return nil
}

type bookmarkCmd struct{ id string }

func (*bookmarkCmd) flags(*flag.FlagSet)     {}
func (b *bookmarkCmd) args(a []string) error { return postIDArg(a, &b.id) }

func (b *bookmarkCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Bookmark(ctx, b.id)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "bookmarked:", postLine(p))
	return nil
}

type unbookmarkCmd struct{ id string }

func (*unbookmarkCmd) flags(*flag.FlagSet)     {}
func (b *unbookmarkCmd) args(a []string) error { return postIDArg(a, &b.id) }

func (b *unbookmarkCmd) run(ctx context.Context, e *env, c *api.Client) error {
	if err := c.Unbookmark(ctx, b.id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "removed bookmark [%s]\n", shortID(b.id))
	return nil
}

type bookmarksCmd struct {
	limit  int
	cursor string
	json   bool
}

func (b *bookmarksCmd) flags(fs *flag.FlagSet) { pageFlags(fs, &b.limit, &b.cursor, &b.json) }

func (b *bookmarksCmd) args(a []string) error {
	if err := checkLimit(b.limit); err != nil {
		return err
	}
	return noArgs(a)
}

func (b *bookmarksCmd) run(ctx context.Context, e *env, c *api.Client) error {
	p, err := c.Bookmarks(ctx, b.cursor, b.limit)
	if err != nil {
		return err
	}
	if b.json {
		return writeJSON(e.stdout, p)
	}
	writePage(e.stdout, p, "no bookmarks yet: save a post with: skein bookmark ID", moreCommand("bookmarks", b.limit))
	return nil
}
