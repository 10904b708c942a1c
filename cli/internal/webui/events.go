package webui

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// Bounds of the event stream.
const (
	// ringSize is how many events the hub keeps for a tab that reconnects:
	// one that missed more is told to reset and reloads what it shows.
	ringSize = 512
	// pingEvery is how often an idle stream gets a comment line, so that a
	// dead connection is noticed.
	pingEvery = 20 * time.Second
	// watchRetry is how long the hub waits before watching the node again
	// after a watch ended with an error.
	watchRetry = time.Second
)

// uiEvent is an event in the hub's ring: a node event, or one the UI made
// itself (an account signed in or out).
type uiEvent struct {
	seq   uint64
	node  core.Event
	local string // "account" for a sign-in or sign-out; "" for a node event
}

// stored is an event in the ring with its SSE name and data, rendered once
// for every tab that streams it.
type stored struct {
	uiEvent
	once       sync.Once
	name, data string
}

// hub watches the node once and keeps its latest events numbered, so that
// every tab's stream can resume after a reconnection (Last-Event-ID).
// Event IDs are "EPOCH-SEQ": a daemon restart changes the epoch, and a tab
// that resumes with another epoch's ID is told to reset.
type hub struct {
	node  api.Node
	log   *slog.Logger
	epoch string

	mu      sync.Mutex
	seq     uint64
	ring    []*stored // the latest ringSize events, oldest first
	changed chan struct{}
}

func newHub(node api.Node, log *slog.Logger) *hub {
	b := make([]byte, 6)
	rand.Read(b)
	return &hub{node: node, log: log, epoch: hex.EncodeToString(b), changed: make(chan struct{})}
}

// run watches the node until ctx is done.
func (h *hub) run(ctx context.Context) {
	for ctx.Err() == nil {
		err := h.node.Watch(ctx, func(ev core.Event) { h.add(uiEvent{node: ev}) })
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("web UI: watching the node failed; retrying", "err", err)
		select {
		case <-time.After(watchRetry):
		case <-ctx.Done():
		}
	}
}

// add numbers ev and wakes the streams.
func (h *hub) add(ev uiEvent) {
	h.mu.Lock()
	h.seq++
	ev.seq = h.seq
	if len(h.ring) == ringSize {
		copy(h.ring, h.ring[1:])
		h.ring = h.ring[:ringSize-1]
	}
	h.ring = append(h.ring, &stored{uiEvent: ev})
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// since returns the events after seq and a channel closed on the next one.
// ok is false if events after seq were dropped from the ring; head is then
// the latest event's number, read under the same lock, so that a reader
// that resets to it misses nothing that comes after.
func (h *hub) since(seq uint64) (evs []*stored, changed <-chan struct{}, ok bool, head uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ring) > 0 && h.ring[0].seq > seq+1 {
		return nil, h.changed, false, h.seq
	}
	for _, ev := range h.ring {
		if ev.seq > seq {
			evs = append(evs, ev)
		}
	}
	return evs, h.changed, true, h.seq
}

// head returns the number of the latest event.
func (h *hub) head() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// position returns the ID of the latest event, "EPOCH-SEQ": a stream
// resumed from it gets every later event.
func (h *hub) position() string {
	return h.epoch + "-" + strconv.FormatUint(h.head(), 10)
}

// resumeFrom parses a Last-Event-ID: the seq to resume after, and whether
// it is one of this hub's IDs.
func (h *hub) resumeFrom(id string) (uint64, bool) {
	epoch, n, ok := strings.Cut(id, "-")
	if !ok || epoch != h.epoch {
		return 0, false
	}
	seq, err := strconv.ParseUint(n, 10, 64)
	return seq, err == nil
}

// events streams the hub's events as Server-Sent Events:
//
//	post          data: the post's <article>, for the feed
//	delete        data: the deleted post's ID
//	notification  data: the number of unread notifications
//	peers         data: the number of connected peers
//	chat          data: a message's row and its conversation's (chatevent)
//	members       data: a group's row, for a change of its members
//	invite        data: the row of a group the account was invited to
//	account       data: "" (an account signed in or out: reload)
//	reset         data: "" (events were missed: reload what is shown)
//
// A tab that reconnects with Last-Event-ID gets what it missed, or reset.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.streams, cancel)
	defer stop()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)

	// The node's status is read without the request's cache, which would
	// keep the stream's first answer.
	account := s.me(s.streams)

	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		// A stream the page opened again itself (after the browser gave
		// up reconnecting) names the last event it saw in the address.
		last = r.URL.Query().Get("last")
	}
	seq, resumed := s.hub.resumeFrom(last)
	var buf bytes.Buffer
	if !resumed {
		seq = s.hub.head()
		if last != "" {
			writeEvent(&buf, s.hub.epoch, seq, "reset", "")
		} else {
			// Name the stream's position at once, so that a reconnection
			// before the first event resumes from here.
			fmt.Fprintf(&buf, "id: %s-%d\nretry: 2000\n\n", s.hub.epoch, seq)
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil || rc.Flush() != nil {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		evs, changed, ok, head := s.hub.since(seq)
		buf.Reset()
		if !ok {
			seq = head
			writeEvent(&buf, s.hub.epoch, seq, "reset", "")
		}
		for _, ev := range evs {
			seq = ev.seq
			ev.once.Do(func() { ev.name, ev.data = s.eventData(s.streams, ev.uiEvent) })
			writeEvent(&buf, s.hub.epoch, seq, ev.name, ev.data)
		}
		if buf.Len() > 0 {
			if _, err := w.Write(buf.Bytes()); err != nil || rc.Flush() != nil {
				return
			}
		}
		select {
		case <-changed:
		case <-ping.C:
			if now := s.me(s.streams); now != account {
				// Another account was signed in (by the CLI, say): the
				// page is the old account's.
				buf.Reset()
				writeEvent(&buf, s.hub.epoch, seq, "account", "")
				w.Write(buf.Bytes())
				rc.Flush()
				return
			}
			if _, err := w.Write([]byte(": ping\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// eventData returns an event's SSE name and data, the same for every tab:
// the node has one signed-in account. Events a page does not use become
// "ignore", which still moves the tab's Last-Event-ID on.
func (s *Server) eventData(ctx context.Context, ev uiEvent) (string, string) {
	if ev.local != "" {
		return ev.local, ""
	}
	e := ev.node
	switch e.Kind {
	case core.EventPost:
		if e.Post == nil {
			break
		}
		me := s.me(ctx)
		h, err := s.views.post(newPostView(*e.Post, me, 0))
		if err != nil {
			s.log.Warn("web UI: rendering a live post", "err", err)
			break
		}
		return "post", string(h)
	case core.EventDelete:
		if e.Post != nil {
			return "delete", e.Post.ID
		}
	case core.EventNotification:
		st, err := s.node.Status(ctx)
		if err == nil {
			return "notification", strconv.Itoa(st.Unread)
		}
	case core.EventConnectivity:
		return "peers", strconv.Itoa(e.Peers)
	case core.EventMessage, core.EventMembers, core.EventInvite:
		// "chat" rather than "message", the name EventSource gives an
		// event without one.
		name := "chat"
		if e.Kind != core.EventMessage {
			name = string(e.Kind)
		}
		if data, ok := s.chatEventData(ctx, e); ok {
			return name, data
		}
	}
	return "ignore", ""
}

// writeEvent writes one Server-Sent Event; data's lines each get a "data:"
// line, so no line of it can end the event early.
func writeEvent(b *bytes.Buffer, epoch string, seq uint64, kind, data string) {
	fmt.Fprintf(b, "id: %s-%d\nevent: %s\n", epoch, seq, kind)
	for _, l := range strings.Split(strings.ReplaceAll(data, "\r", ""), "\n") {
		b.WriteString("data: ")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}
