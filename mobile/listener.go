package mobile

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/skein-p2p/skein/core"
)

// Listener receives the node's events. Its methods are called one at a
// time, in order, on a thread the node owns (not the UI thread): hand the
// event to the UI thread and return quickly.
type Listener interface {
	// OnPost reports a new post in the feed.
	OnPost(p *Post)
	// OnFollower reports a new follower of the account.
	OnFollower(u *User)
	// OnUnfollow reports that someone stopped following the account.
	OnUnfollow(u *User)
	// OnDelete reports that the author of a post in the feed deleted it:
	// remove it from the screen. Only its ID, Author, AuthorKey and Seq
	// are set.
	OnDelete(p *Post)
	// OnNotification reports a new notification.
	OnNotification(n *Notification)
	// OnConnectivity reports the number of connected peers when it
	// changes, and once when the listener is set.
	OnConnectivity(peers int)
	// OnMessage reports a message delivered to one of the account's
	// conversations (its own sent from this device too), or a change row
	// (Message.Event), with the conversation as it is now (its Unread and
	// Last included).
	OnMessage(m *Message, c *Conversation)
	// OnMembers reports that a group's members or roles changed.
	OnMembers(c *Conversation)
	// OnInvite reports an invitation of the account to a group: c.Role is
	// "invited" and Join accepts it.
	OnInvite(c *Conversation)
}

// SetListener makes l receive the node's events from now on, replacing the
// previous listener; nil removes it. Once it returns, the previous listener
// is called no more, except for a call that is running at that moment. A
// listener set before Start receives events once the node is started.
func (n *Node) SetListener(l Listener) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.unwatch()
	n.listener = l
	if l != nil && n.node != nil && !n.closed {
		n.watch(l)
	}
}

// watcher is the goroutine that calls a listener.
type watcher struct {
	cancel  context.CancelFunc
	stopped atomic.Bool // no call may start once set
}

// watch starts the goroutine that calls l for each event. n.mu is held.
func (n *Node) watch(l Listener) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{cancel: cancel}
	n.watcher = w
	cn := n.node
	n.watchers.Add(1)
	go func() {
		// Locked for good, the thread that calls the listener exits with
		// the goroutine, which detaches it from the JVM.
		runtime.LockOSThread()
		defer n.watchers.Done()
		cn.Watch(ctx, func(ev core.Event) {
			if !w.stopped.Load() {
				dispatch(l, ev)
			}
		})
	}()
}

// unwatch stops the listener goroutine without waiting for it, so that a
// listener method may call SetListener. n.mu is held.
func (n *Node) unwatch() {
	if w := n.watcher; w != nil {
		w.stopped.Store(true)
		w.cancel()
		n.watcher = nil
	}
}

// dispatch calls the Listener method for ev.
func dispatch(l Listener, ev core.Event) {
	switch ev.Kind {
	case core.EventPost:
		if ev.Post != nil {
			l.OnPost(newPost(*ev.Post))
		}
	case core.EventFollower:
		if ev.User != nil {
			l.OnFollower(newUser(*ev.User))
		}
	case core.EventUnfollow:
		if ev.User != nil {
			l.OnUnfollow(newUser(*ev.User))
		}
	case core.EventDelete:
		if ev.Post != nil {
			l.OnDelete(newPost(*ev.Post))
		}
	case core.EventNotification:
		if ev.Notification != nil {
			l.OnNotification(newNotification(*ev.Notification))
		}
	case core.EventConnectivity:
		l.OnConnectivity(ev.Peers)
	case core.EventMessage:
		if ev.Message != nil && ev.Conversation != nil {
			l.OnMessage(newMessage(*ev.Message), newConversation(*ev.Conversation))
		}
	case core.EventMembers:
		if ev.Conversation != nil {
			l.OnMembers(newConversation(*ev.Conversation))
		}
	case core.EventInvite:
		if ev.Conversation != nil {
			l.OnInvite(newConversation(*ev.Conversation))
		}
	}
}
