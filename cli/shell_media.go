package cli

import (
	"context"
	"fmt"

	"github.com/skein-p2p/skein/core"
)

// The shell's items for media: a post with images, fetching a file, and
// albums shared, mirrored and listed.

func (s *shell) postImages(ctx context.Context) error {
	var images imageFlags
	for len(images.images) < core.MaxMediaPerPost {
		path, err := s.ask(ctx, fmt.Sprintf("Image file %d (Enter when done): ", len(images.images)+1))
		if err != nil {
			return err
		}
		if path == "" {
			break
		}
		alt, err := s.ask(ctx, "Alt text (what it shows, Enter for none): ")
		if err != nil {
			return err
		}
		images.images = append(images.images, imageArg{path: path, alt: alt, hasAlt: alt != ""})
	}
	if len(images.images) == 0 {
		fmt.Fprintln(s.e.stdout, "Nothing posted.")
		return nil
	}
	text, err := s.ask(ctx, "Post text (Enter for none): ")
	if err != nil {
		return err
	}
	ms, err := images.upload(ctx, s.c)
	if err != nil {
		return err
	}
	p, err := s.c.PostMedia(withNewRequestID(ctx), text, ms)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Posted:")
	fmt.Fprintln(s.e.stdout, postLine(p))
	return nil
}

func (s *shell) getMedia(ctx context.Context) error {
	r, err := s.ask(ctx, "Media root (64 hex digits, from feed --json; Enter to cancel): ")
	if err != nil || r == "" {
		return err
	}
	root, err := mediaRoot(r)
	if err != nil {
		return err
	}
	out, err := s.ask(ctx, "Save to file (Enter for the root's name): ")
	if err != nil {
		return err
	}
	return getMedia(ctx, s.e, s.c, root, out)
}

func (s *shell) shareAlbum(ctx context.Context) error {
	dir, err := s.ask(ctx, "Directory to share (Enter to cancel): ")
	if err != nil || dir == "" {
		return err
	}
	a := &albumCmd{sub: "share"}
	if err := a.args([]string{"share", dir}); err != nil {
		return err
	}
	slug, err := s.ask(ctx, fmt.Sprintf("Album name (Enter for %s): ", a.slug))
	if err != nil {
		return err
	}
	if slug != "" {
		if err := checkSlug(slug); err != nil {
			return err
		}
		a.slug = slug
	}
	return a.share(ctx, s.e, s.c)
}

func (s *shell) mirrorAlbum(ctx context.Context) error {
	ref, err := s.ask(ctx, "Album to mirror (NAME/ALBUM, Enter to cancel): ")
	if err != nil || ref == "" {
		return err
	}
	dir, err := s.ask(ctx, "Into directory: ")
	if err != nil {
		return err
	}
	a := &albumCmd{}
	if err := a.args([]string{"mirror", ref, dir}); err != nil {
		return err
	}
	return a.mirror(ctx, s.e, s.c)
}

func (s *shell) albums(ctx context.Context) error {
	name, err := s.askName(ctx, "Whose albums (username, Enter for your own): ")
	if err != nil {
		return err
	}
	as, err := s.c.Albums(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "\n|= Albums =|")
	writeAlbums(s.e.stdout, as, "No albums.")
	ms, err := s.c.Mirrors(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "|= Mirrored here =|")
	writeAlbums(s.e.stdout, ms, "None.")
	return nil
}
