package mobile

import (
	"context"

	"github.com/skein-p2p/skein/core"
)

// Follow follows the user with this name and returns them. Errors:
// CodeInvalidName, CodeUnknownName, CodeNameConflict, CodeSelfFollow.
func (n *Node) Follow(name string) (*User, error) { return n.follow("", name) }

func (n *Node) follow(id, name string) (*User, error) {
	if err := required("name", name); err != nil {
		return nil, err
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.Follow(ctx, name)
	}, newUser)
}

// Unfollow stops following the user with this name. Errors:
// CodeNotFollowing.
func (n *Node) Unfollow(name string) error { return n.unfollow("", name) }

func (n *Node) unfollow(id, name string) error {
	if err := required("name", name); err != nil {
		return err
	}
	return n.callID(id, func(ctx context.Context, cn *core.Node) error { return cn.Unfollow(ctx, name) })
}

// Following returns the users the account follows, with how much of each
// one's log this device holds (User.Log).
func (n *Node) Following() (*UserList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.User, error) {
		return cn.Following(ctx)
	}, newUserList)
}

// Followers returns the users who follow the account.
func (n *Node) Followers() (*UserList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.User, error) {
		return cn.Followers(ctx)
	}, newUserList)
}

// Holders asks the network which devices hold a copy of the account's log
// (at most 8, within about 15 seconds): the devices its posts are fetched
// from while this one is offline. Errors: CodeNotLoggedIn, CodeOffline.
func (n *Node) Holders() (*HolderList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Holder, error) {
		return cn.Holders(ctx)
	}, newHolderList)
}

// Whois looks a user up by name: a profile page's header. Errors:
// CodeInvalidName, CodeUnknownName, CodeNameConflict (several keys claim
// the name; the message says which this device pinned, if any).
func (n *Node) Whois(name string) (*Profile, error) {
	if err := required("name", name); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Profile, error) {
		return cn.Whois(ctx, name)
	}, newProfile)
}

// Notifications returns up to limit notifications, newest first (limit ≤ 0
// means 50), and marks them read if markRead.
func (n *Node) Notifications(limit int, markRead bool) (*NotificationList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Notification, error) {
		return cn.Notifications(ctx, limit, markRead)
	}, func(ns []core.Notification) *NotificationList { return &NotificationList{items: ns} })
}

// Status describes the node and the logged-in account.
func (n *Node) Status() (*Status, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.Status, error) {
		return cn.Status(ctx)
	}, newStatus)
}

// Peers lists the node's open connections, oldest first: direct, or
// relayed through a circuit relay.
func (n *Node) Peers() (*ConnectionList, error) {
	cn, err := n.core()
	if err != nil {
		return nil, err
	}
	return &ConnectionList{items: cn.Connections()}, nil
}
