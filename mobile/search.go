package mobile

import (
	"context"

	"github.com/skein-p2p/skein/core"
)

// Search kinds, for Search.
const (
	SearchAll   = "all"   // users and posts
	SearchUsers = "users" // users: name, display name, bio
	SearchPosts = "posts" // posts and replies: text, #hashtags, @mentions
	SearchTag   = "tag"   // posts carrying one #hashtag, with or without '#'
)

// Search looks for query among the users this device knows and the posts
// it holds: case-insensitive substring matching, literal ('%', '_', '.*'
// match themselves). kind is SearchAll ("" too), SearchUsers, SearchPosts
// or SearchTag; limit is the most results of each kind, 1 to 100 (≤ 0
// means 20). Errors: CodeBadQuery for an empty query, one of more than 100
// characters, an unknown kind or a limit above 100.
func (n *Node) Search(query, kind string, limit int) (*SearchResults, error) {
	limit = max(limit, 0)
	return get(n, func(ctx context.Context, cn *core.Node) (core.SearchResults, error) {
		return cn.Search(ctx, query, core.SearchKind(kind), limit)
	}, func(r core.SearchResults) *SearchResults {
		return &SearchResults{Users: newUserList(r.Users), Posts: &PostList{posts: r.Posts}}
	})
}

// SearchResults is what Search found.
type SearchResults struct {
	// Users are the users found: the exact name first, then names that
	// start with the query, then the others.
	Users *UserList
	// Posts are the posts found, newest first.
	Posts *PostList
}

// PostList is a list of posts.
type PostList struct{ posts []core.Post }

// Len returns the number of posts.
func (l *PostList) Len() int { return len(l.posts) }

// Get returns post i, 0 ≤ i < Len, or null if i is out of range.
func (l *PostList) Get(i int) *Post {
	if i < 0 || i >= len(l.posts) {
		return nil
	}
	return newPost(l.posts[i])
}
