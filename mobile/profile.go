package mobile

import (
	"context"

	"github.com/skein-p2p/skein/core"
)

// SetProfile sets the account's profile, whole: its display name (at most
// 64 characters, one line), bio (at most 300 characters, newlines
// allowed) and link (an http:// or https:// URL of at most 200 bytes).
// An empty argument leaves that field not set, so pass the current values
// (Whois of the account's own name) of the fields that do not change. It
// returns the account with its new profile. Errors: CodeInvalidProfile (the
// message says which field and why), CodeNotLoggedIn.
func (n *Node) SetProfile(displayName, bio, link string) (*User, error) {
	return n.setProfile("", displayName, bio, link)
}

func (n *Node) setProfile(id, displayName, bio, link string) (*User, error) {
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.SetProfile(ctx, displayName, bio, link)
	}, newUser)
}

// SetProfile is Node.SetProfile, done at most once for this request.
func (r *Request) SetProfile(displayName, bio, link string) (*User, error) {
	return r.n.setProfile(r.id, displayName, bio, link)
}
