package core

import (
	"context"
	"runtime"
	"sync"
)

// hub fans events out to Watch callbacks. Emitting never blocks the node.
type hub struct {
	mu       sync.Mutex
	closed   bool
	watchers map[chan Event]struct{}
	done     chan struct{}
}

func (h *hub) emit(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.watchers {
		select {
		case ch <- ev:
		default: // the watcher is behind; it loses this event
		}
	}
}

func (h *hub) add() (chan Event, <-chan struct{}, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, false
	}
	if h.watchers == nil {
		h.watchers = make(map[chan Event]struct{})
		h.done = make(chan struct{})
	}
	ch := make(chan Event, WatchBuffer)
	h.watchers[ch] = struct{}{}
	return ch, h.done, true
}

func (h *hub) remove(ch chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.watchers, ch)
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	if h.done != nil {
		close(h.done)
	}
}

// Watch calls fn, on the calling goroutine, for each event from now on until
// ctx is done (it returns ctx.Err()) or the node closes (ErrClosed). The
// first call reports the current connectivity, once the watcher is
// registered: no event after it is missed. Events reach fn in order; if fn
// falls more than 256 events behind, newer events are dropped for this
// watcher.
func (n *Node) Watch(ctx context.Context, fn func(Event)) error {
	ch, done, ok := n.events.add()
	if !ok {
		return ErrClosed
	}
	defer n.events.remove(ch)
	fn(Event{Kind: EventConnectivity, Peers: len(n.host.Network().Peers())})
	for {
		select {
		case ev := <-ch:
			fn(ev)
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return ErrClosed
		}
	}
}

func maxProcs() int { return runtime.GOMAXPROCS(0) }
