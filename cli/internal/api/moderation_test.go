package api

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

func (n errNode) Mute(context.Context, string) (core.User, error)     { return core.User{}, n.err }
func (n errNode) Unmute(context.Context, string) error                { return n.err }
func (n errNode) Block(context.Context, string) (core.User, error)    { return core.User{}, n.err }
func (n errNode) Unblock(context.Context, string) error               { return n.err }
func (n errNode) Muted(context.Context) ([]core.User, error)          { return nil, n.err }
func (n errNode) Blocked(context.Context) ([]core.User, error)        { return nil, n.err }
func (n errNode) Bookmark(context.Context, string) (core.Post, error) { return core.Post{}, n.err }
func (n errNode) Unbookmark(context.Context, string) error            { return n.err }
func (n errNode) Bookmarks(context.Context, string, int) (core.Page, error) {
	return core.Page{}, n.err
}

var _ Node = (*apitest.Node)(nil)

func TestModerationRoundTrip(t *testing.T) {
	ctx := context.Background()
	node := apitest.NewNode(time.Unix(1e9, 0))
	node.AddUser("bob")
	node.AddUser("carol")
	bobs := node.AddPost("bob", "from bob")
	cl, _, _ := serve(t, node)
	if _, err := cl.Mute(ctx, "bob"); !errors.Is(err, core.ErrNotLoggedIn) {
		t.Fatalf("Mute() logged out = %v, want ErrNotLoggedIn", err)
	}
	cl.Register(ctx, "alice", "pw")
	if u, err := cl.Mute(ctx, "bob"); err != nil || u.Name != "bob" {
		t.Fatalf("Mute(bob) = %+v, %v", u, err)
	}
	if _, err := cl.Mute(ctx, "alice"); !errors.Is(err, core.ErrSelfMute) {
		t.Errorf("Mute(alice) = %v, want ErrSelfMute", err)
	}
	if _, err := cl.Block(ctx, "nobody"); !errors.Is(err, core.ErrUnknownName) {
		t.Errorf("Block(nobody) = %v, want ErrUnknownName", err)
	}
	if u, err := cl.Block(ctx, "carol"); err != nil || u.Name != "carol" {
		t.Fatalf("Block(carol) = %+v, %v", u, err)
	}
	if m, err := cl.Muted(ctx); err != nil || len(m.Users) != 1 || m.Users[0].Name != "bob" {
		t.Errorf("Muted() = %+v, %v", m, err)
	}
	if b, err := cl.Blocked(ctx); err != nil || len(b.Users) != 1 || b.Users[0].Name != "carol" {
		t.Errorf("Blocked() = %+v, %v", b, err)
	}
	if err := cl.Unmute(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := cl.Unblock(ctx, "carol"); err != nil {
		t.Fatal(err)
	}
	if m, _ := cl.Muted(ctx); len(m.Users) != 0 {
		t.Errorf("Muted() after Unmute = %+v", m)
	}
	if p, err := cl.Bookmark(ctx, bobs.ID[:8]); err != nil || p.ID != bobs.ID || !p.Bookmarked {
		t.Fatalf("Bookmark() = %+v, %v", p, err)
	}
	if pg, err := cl.Bookmarks(ctx, "", 10); err != nil || len(pg.Posts) != 1 || pg.Posts[0].Text != "from bob" {
		t.Fatalf("Bookmarks() = %+v, %v", pg, err)
	}
	if err := cl.Unbookmark(ctx, bobs.ID); err != nil {
		t.Fatal(err)
	}
	if err := cl.Unbookmark(ctx, bobs.ID); !errors.Is(err, core.ErrNoPost) {
		t.Errorf("Unbookmark() twice = %v, want ErrNoPost", err)
	}
	if pg, err := cl.Bookmarks(ctx, "", 10); err != nil || len(pg.Posts) != 0 || pg.Posts == nil {
		t.Errorf("Bookmarks() after Unbookmark = %+v, %v, want an empty list", pg, err)
	}
}
