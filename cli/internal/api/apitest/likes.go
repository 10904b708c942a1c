package apitest

import (
	"context"
	"fmt"
	"slices"

	"github.com/skein-p2p/skein/core"
)

// Like implements api.Node.
func (n *Node) Like(ctx context.Context, postID string) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Post{}, err
	}
	return once(n, ctx, "like", []string{postID}, func() (core.Post, error) {
		p, err := n.find(postID)
		if err != nil {
			return core.Post{}, err
		}
		if p.repostOf != "" {
			if p = n.byID(p.repostOf); p == nil || p.deleted {
				return core.Post{}, fmt.Errorf("%w: the reposted post is not available", core.ErrNoPost)
			}
		}
		if !p.likers[n.current.Name] {
			if p.likers == nil {
				p.likers = map[string]bool{}
			}
			p.likers[n.current.Name] = true
			out := n.show(p)
			n.note(n.users[p.Author], core.NotifyLike, n.current.User, n.tick(), &out)
		}
		return n.show(p), nil
	})
}

// Unlike implements api.Node.
func (n *Node) Unlike(ctx context.Context, postID string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	_, err := once(n, ctx, "unlike", []string{postID}, func() (struct{}, error) {
		p, err := n.find(postID)
		if err != nil {
			return struct{}{}, err
		}
		if p.repostOf != "" {
			if p = n.byID(p.repostOf); p == nil {
				return struct{}{}, fmt.Errorf("%w: the reposted post is not available", core.ErrNoPost)
			}
		}
		if !p.likers[n.current.Name] {
			return struct{}{}, fmt.Errorf("%w: %s", core.ErrNotLiked, p.ID)
		}
		delete(p.likers, n.current.Name)
		n.tick()
		return struct{}{}, nil
	})
	return err
}

// Thread implements api.Node: the post's ancestors and the replies under
// it among the fake's posts. Fetched is always true.
func (n *Node) Thread(ctx context.Context, postID string) (core.Thread, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return core.Thread{}, err
	}
	p, err := n.find(postID)
	if err != nil {
		return core.Thread{}, err
	}
	if p.repostOf != "" {
		if p = n.byID(p.repostOf); p == nil || p.deleted {
			return core.Thread{}, fmt.Errorf("%w: the reposted post is not available", core.ErrNoPost)
		}
	}
	th := core.Thread{Post: n.show(p), Ancestors: []core.Post{}, Fetched: true}
	for cur := p; cur.ReplyTo != nil; {
		parent := n.byID(cur.ReplyTo.ID)
		if parent == nil || parent.deleted {
			th.Ancestors = append([]core.Post{{ID: cur.ReplyTo.ID, Author: cur.ReplyTo.Author, AuthorKey: cur.ReplyTo.AuthorKey, Seq: cur.ReplyTo.Seq, Unavailable: true}}, th.Ancestors...)
			break
		}
		th.Ancestors = append([]core.Post{n.show(parent)}, th.Ancestors...)
		cur = parent
	}
	th.Replies = n.replies(p.ID)
	return th, nil
}

// replies returns the undeleted replies to id, oldest first, with theirs.
func (n *Node) replies(id string) []core.ThreadReply {
	out := []core.ThreadReply{}
	var all []*post
	for _, u := range n.users {
		for _, q := range u.posts {
			if !q.deleted && q.ReplyTo != nil && q.ReplyTo.ID == id {
				all = append(all, q)
			}
		}
	}
	slices.SortFunc(all, func(a, b *post) int { return a.Time.Compare(b.Time) })
	for _, q := range all {
		r := core.ThreadReply{Post: n.show(q), Replies: n.replies(q.ID)}
		if len(r.Replies) == 0 {
			r.Replies = nil
		}
		out = append(out, r)
	}
	return out
}
