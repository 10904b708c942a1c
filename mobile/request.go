package mobile

import (
	"github.com/skein-p2p/skein/core"
)

// Request makes writes that are safe to retry: a post, reply, repost,
// delete, like, unlike, follow, unfollow, profile, or post or reply with
// media made through it with the same ID is done at most once. An app that queues a write (to send it when the network is
// back, or after its process was killed) gives it an ID when it is queued,
// keeps the ID with it, and retries through Node.Request(id) until it
// succeeds; a retry of a write that was done returns the first one's
// result. The node remembers the IDs of the account's 1,000 newest
// entries.
type Request struct {
	n  *Node
	id string
}

// Request returns the writes carrying the request ID id: 1 to 64 ASCII
// letters, digits, '-', '_', '.' or ':' (a UUID fits). Errors:
// CodeInvalidInput. Reusing an ID for another write fails with
// CodeInvalidInput too.
func (n *Node) Request(id string) (*Request, error) {
	if err := required("request ID", id); err != nil {
		return nil, err
	}
	if err := core.CheckRequestID(id); err != nil {
		return nil, coded(err)
	}
	return &Request{n: n, id: id}, nil
}

// ID returns the request's ID.
func (r *Request) ID() string { return r.id }

// Post is Node.Post, done at most once for this request.
func (r *Request) Post(text string) (*Post, error) { return r.n.post(r.id, text) }

// Reply is Node.Reply, done at most once for this request.
func (r *Request) Reply(postID, text string) (*Post, error) { return r.n.reply(r.id, postID, text) }

// Repost is Node.Repost, done at most once for this request.
func (r *Request) Repost(postID string) (*Post, error) { return r.n.repost(r.id, postID) }

// Delete is Node.Delete, done at most once for this request.
func (r *Request) Delete(postID string) error { return r.n.delete(r.id, postID) }

// Follow is Node.Follow, done at most once for this request.
func (r *Request) Follow(name string) (*User, error) { return r.n.follow(r.id, name) }

// Unfollow is Node.Unfollow, done at most once for this request.
func (r *Request) Unfollow(name string) error { return r.n.unfollow(r.id, name) }
