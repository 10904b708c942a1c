package api

import (
	"context"
	"net/http"

	"github.com/skein-p2p/skein/core"
)

// Moderator is the part of Node that mutes, blocks and bookmarks, all
// local to the device.
type Moderator interface {
	Mute(ctx context.Context, name string) (core.User, error)
	Unmute(ctx context.Context, name string) error
	Block(ctx context.Context, name string) (core.User, error)
	Unblock(ctx context.Context, name string) error
	Muted(ctx context.Context) ([]core.User, error)
	Blocked(ctx context.Context) ([]core.User, error)
	Bookmark(ctx context.Context, postID string) (core.Post, error)
	Unbookmark(ctx context.Context, postID string) error
	Bookmarks(ctx context.Context, cursor string, limit int) (core.Page, error)
}

// addModerationRoutes adds the routes of Moderator to s.
func (s *Server) addModerationRoutes() {
	name := func(do func(context.Context, string) error) func(*http.Request) (any, error) {
		return func(r *http.Request) (any, error) {
			var n NameRequest
			if err := decode(r, &n); err != nil {
				return nil, err
			}
			return Empty{}, do(r.Context(), n.Name)
		}
	}
	user := func(do func(context.Context, string) (core.User, error)) func(*http.Request) (any, error) {
		return func(r *http.Request) (any, error) {
			var n NameRequest
			if err := decode(r, &n); err != nil {
				return nil, err
			}
			return do(r.Context(), n.Name)
		}
	}
	users := func(do func(context.Context) ([]core.User, error)) func(*http.Request) (any, error) {
		return func(r *http.Request) (any, error) {
			u, err := do(r.Context())
			return Users{Users: nonNil(u)}, err
		}
	}
	m := map[string]route{
		"/v1/mute":       {http.MethodPost, user(s.node.Mute)},
		"/v1/unmute":     {http.MethodPost, name(s.node.Unmute)},
		"/v1/block":      {http.MethodPost, user(s.node.Block)},
		"/v1/unblock":    {http.MethodPost, name(s.node.Unblock)},
		"/v1/muted":      {http.MethodGet, users(s.node.Muted)},
		"/v1/blocked":    {http.MethodGet, users(s.node.Blocked)},
		"/v1/bookmark":   {http.MethodPost, s.bookmark},
		"/v1/unbookmark": {http.MethodPost, s.unbookmark},
		"/v1/bookmarks":  {http.MethodGet, s.bookmarks},
	}
	for path, rt := range m {
		s.routes[path] = rt
	}
}

func (s *Server) bookmark(r *http.Request) (any, error) {
	var p PostIDRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return s.node.Bookmark(r.Context(), p.ID)
}

func (s *Server) unbookmark(r *http.Request) (any, error) {
	var p PostIDRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return Empty{}, s.node.Unbookmark(r.Context(), p.ID)
}

func (s *Server) bookmarks(r *http.Request) (any, error) {
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	p, err := s.node.Bookmarks(r.Context(), r.FormValue("cursor"), limit)
	return page(p), err
}

// Mute mutes the user name.
func (c *Client) Mute(ctx context.Context, name string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/mute", nil, NameRequest{name}, &u)
	return u, err
}

// Unmute ends the mute of the user name.
func (c *Client) Unmute(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodPost, "/v1/unmute", nil, NameRequest{name}, nil)
}

// Block blocks the user name.
func (c *Client) Block(ctx context.Context, name string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/block", nil, NameRequest{name}, &u)
	return u, err
}

// Unblock ends the block of the user name.
func (c *Client) Unblock(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodPost, "/v1/unblock", nil, NameRequest{name}, nil)
}

// Muted returns the users the logged-in account muted.
func (c *Client) Muted(ctx context.Context) (Users, error) {
	var u Users
	err := c.call(ctx, http.MethodGet, "/v1/muted", nil, nil, &u)
	return u, err
}

// Blocked returns the users the logged-in account blocked.
func (c *Client) Blocked(ctx context.Context) (Users, error) {
	var u Users
	err := c.call(ctx, http.MethodGet, "/v1/blocked", nil, nil, &u)
	return u, err
}

// Bookmark bookmarks the post id.
func (c *Client) Bookmark(ctx context.Context, id string) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/bookmark", nil, PostIDRequest{ID: id}, &p)
	return p, err
}

// Unbookmark removes the bookmark of the post id.
func (c *Client) Unbookmark(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/unbookmark", nil, PostIDRequest{ID: id}, nil)
}

// Bookmarks returns a page of the logged-in account's bookmarks.
func (c *Client) Bookmarks(ctx context.Context, cursor string, limit int) (core.Page, error) {
	var p core.Page
	err := c.call(ctx, http.MethodGet, "/v1/bookmarks", pageQuery(nil, cursor, limit), nil, &p)
	return p, err
}
