package apitest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// Search implements api.Node: a plain case-insensitive substring search
// over every user's name and posts, checking the query as core does (a
// tag matches "#tag" anywhere in a text, which core refines).
func (n *Node) Search(ctx context.Context, query string, kind core.SearchKind, limit int) (core.SearchResults, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.SearchResults{}, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	switch {
	case q == "" || utf8.RuneCountInString(q) > 100:
		return core.SearchResults{}, fmt.Errorf("%w: give 1 to 100 characters", core.ErrBadQuery)
	case limit < 0 || limit > 100:
		return core.SearchResults{}, fmt.Errorf("%w: limit %d", core.ErrBadQuery, limit)
	case kind != "" && kind != core.SearchAll && kind != core.SearchUsers && kind != core.SearchPosts && kind != core.SearchTag:
		return core.SearchResults{}, fmt.Errorf("%w: unknown kind %q", core.ErrBadQuery, kind)
	}
	if limit == 0 {
		limit = 20
	}
	if kind == core.SearchTag {
		q = "#" + strings.TrimPrefix(q, "#")
	}
	res := core.SearchResults{Users: []core.User{}, Posts: []core.Post{}}
	for _, u := range n.users {
		if kind != core.SearchPosts && kind != core.SearchTag && strings.Contains("@"+u.Name, q) {
			res.Users = append(res.Users, u.User)
		}
		if kind != core.SearchUsers {
			for _, p := range n.shown(u) {
				if strings.Contains(strings.ToLower(p.Text), q) {
					res.Posts = append(res.Posts, p)
				}
			}
		}
	}
	slices.SortFunc(res.Users, func(a, b core.User) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(res.Posts, func(a, b core.Post) int { return cmp.Compare(b.Time.UnixNano(), a.Time.UnixNano()) })
	res.Users = res.Users[:min(limit, len(res.Users))]
	res.Posts = res.Posts[:min(limit, len(res.Posts))]
	return res, nil
}
