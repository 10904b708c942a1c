package apitest

import (
	"context"
	"fmt"

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
