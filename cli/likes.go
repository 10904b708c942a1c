package cli

import (
	"context"
	"fmt"

	"github.com/skein-p2p/skein/cli/internal/api"
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
