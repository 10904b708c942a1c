package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// timeLayout is how times are shown, in local time.
const timeLayout = "2006-01-02 15:04"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(timeLayout)
}

// shortKey abbreviates an account key to its first 8 hex digits, as core
// does in its messages. The result is inert.
func shortKey(k string) string {
	if len(k) > 8 {
		k = k[:8]
	}
	return inert(k)
}

// handle names a user: @name, or the short key when the name is unknown.
// The result is inert.
func handle(name, key string) string {
	if name == "" {
		return shortKey(key)
	}
	return "@" + inert(name)
}

// shortID abbreviates a post ID to its first 8 hex digits, the shortest
// prefix that commands accept. The result is inert.
func shortID(id string) string {
	if len(id) > 8 {
		id = id[:8]
	}
	return inert(id)
}

// postLine formats a post, reply or repost for feeds and timelines:
//
//	2026-11-22 04:10  @alice  [3f2a91c0]  hello, skein
//	2026-11-22 04:12  @bob  [7c01d2e4]  ↳ @alice: welcome!
//	2026-11-22 04:13  @bob  [a9f0c3b1]  reposted @alice: hello, skein
//	2026-11-22 04:15  @alice  [5be0a7d2]  my cat
//	  [image 1200×800 jpeg, 143 KB: a grey cat asleep] 3f2a9c1b
//
// The bracketed short ID is what reply, repost and delete take; each
// attachment has a line of its own (attachmentLine). The lines of
// a multi-line text after the first are indented under its start, so that
// no line of a text can pass for a post of its own; every peer's string is
// inert.
func postLine(p core.Post) string {
	head := formatTime(p.Time) + "  " + userLabel(p.AuthorDisplayName, p.Author, p.AuthorKey) + "  "
	if p.ID != "" {
		head += "[" + shortID(p.ID) + "]  "
	}
	return indent(head, postBody(p)) + likesSuffix(p) + attachments(postMedia(p))
}

// postMedia returns the attachments a post shows: a repost's are the
// original's.
func postMedia(p core.Post) []core.Media {
	if p.Kind == core.KindRepost {
		if p.RepostOf == nil || p.RepostOf.Unavailable {
			return nil
		}
		return p.RepostOf.Media
	}
	return p.Media
}

// likesSuffix is "  ♥ N" for a post with likes, "  ♥ N, you" when the
// account likes it too, "" without likes.
func likesSuffix(p core.Post) string {
	switch {
	case p.Likes <= 0:
		return ""
	case p.Liked:
		return fmt.Sprintf("  ♥ %d, you", p.Likes)
	}
	return fmt.Sprintf("  ♥ %d", p.Likes)
}

// postBody is what postLine shows after the author and ID: inert, with
// the text's newlines.
func postBody(p core.Post) string {
	switch p.Kind {
	case core.KindReply:
		if r := p.ReplyTo; r != nil && (r.Author != "" || r.AuthorKey != "") {
			return "↳ " + handle(r.Author, r.AuthorKey) + ": " + inertText(p.Text)
		}
		return "↳ " + inertText(p.Text)
	case core.KindRepost:
		o := p.RepostOf
		if o == nil || o.Unavailable {
			return "reposted a post that is not available"
		}
		return "reposted " + userLabel(o.AuthorDisplayName, o.Author, o.AuthorKey) + ": " + inertText(o.Text)
	}
	if p.Unavailable {
		return "(deleted by its author)"
	}
	return inertText(p.Text)
}

// indent returns head followed by text, the lines of text after the first
// indented by the width of head. text must be inert (inertText), so that
// newlines are its only line breaks.
func indent(head, text string) string {
	return head + strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", utf8.RuneCountInString(head)))
}

// oneLine joins the lines of text with spaces, for one-line summaries, and
// makes the rest inert.
func oneLine(text string) string {
	lines := strings.FieldsFunc(inertText(text), func(r rune) bool { return r == '\n' })
	return strings.Join(lines, " ")
}

// writePage writes the posts of a page, then, if there is a next page, the
// line "more: <more> --cursor C".
func writePage(w io.Writer, p core.Page, empty, more string) {
	if len(p.Posts) == 0 {
		fmt.Fprintln(w, inert(empty))
	}
	for _, post := range p.Posts {
		fmt.Fprintln(w, postLine(post))
	}
	if p.Next != "" {
		fmt.Fprintf(w, "more: %s --cursor %s\n", inert(more), inert(shellQuote(p.Next)))
	}
}

// moreCommand is the command that shows the next page of command.
func moreCommand(command string, limit int) string {
	s := "skein " + command
	if limit != api.DefaultLimit {
		s += fmt.Sprintf(" --limit %d", limit)
	}
	return s
}

// writeUsers writes "@name  <key short>  since <time>" lines, followed, for
// the following list, by how much of the user's log this node holds.
func writeUsers(w io.Writer, users []core.User, empty string) {
	if len(users) == 0 {
		fmt.Fprintln(w, inert(empty))
	}
	for _, u := range users {
		line := userLabel(u.DisplayName, u.Name, u.Key) + "  " + shortKey(u.Key)
		if !u.Since.IsZero() {
			line += "  since " + formatTime(u.Since)
		}
		if u.Log != nil {
			line += "  " + logState(*u.Log)
		}
		fmt.Fprintln(w, line)
	}
}

// logState says which part of a followed user's log is held: "have 1–40,
// latest known 42", "have 1–42 (complete)", "have nothing yet, latest known
// 42". A log that starts after 1 is not complete, even when it reaches the
// latest entry: "have 120–200 (older entries not kept)" when retention
// keeps nothing below (core.LogState.Trimmed), else "have 120–200, latest
// known 200" while they may still be fetched.
func logState(l core.LogState) string {
	latest := max(l.Latest, l.To)
	var have string
	switch {
	case l.To == 0:
		have = "have nothing yet"
		if latest == 0 {
			return have
		}
		return fmt.Sprintf("%s, latest known %d", have, latest)
	case l.From == l.To:
		have = fmt.Sprintf("have %d", l.To)
	default:
		have = fmt.Sprintf("have %d–%d", max(l.From, 1), l.To)
	}
	switch {
	case l.From <= 1 && l.To >= latest:
		return have + " (complete)"
	case l.Trimmed && l.To >= latest:
		return have + " (older entries not kept)"
	}
	return fmt.Sprintf("%s, latest known %d", have, latest)
}

// notificationText says what a notification is about, on one line:
// "@bob replied to your post: <text>".
func notificationText(n core.Notification) string {
	who := userLabel(n.From.DisplayName, n.From.Name, n.From.Key)
	withText := func(s, text string) string {
		if text = oneLine(text); text != "" {
			s += ": " + text
		}
		return s
	}
	switch n.Kind {
	case core.NotifyFollower:
		return who + " followed you"
	case core.NotifyUnfollow:
		return who + " unfollowed you"
	case core.NotifyReply:
		if n.Post != nil {
			return withText(who+" replied to your post", n.Post.Text)
		}
		return who + " replied to your post"
	case core.NotifyRepost:
		if n.Post != nil && n.Post.RepostOf != nil && !n.Post.RepostOf.Unavailable {
			return withText(who+" reposted your post", n.Post.RepostOf.Text)
		}
		return who + " reposted your post"
	case core.NotifyMention:
		if n.Post != nil {
			return withText(who+" mentioned you", n.Post.Text)
		}
		return who + " mentioned you"
	case core.NotifyLike:
		if n.Post != nil {
			return withText(who+" liked your post", n.Post.Text)
		}
		return who + " liked your post"
	case core.NotifyFork:
		return fmt.Sprintf("%s's log has two different entries in one place (a fork): their key may be in use on another device", who)
	}
	return fmt.Sprintf("%s: %s", who, inert(string(n.Kind)))
}

// notificationLine formats a notification as "* 2026-11-22 04:10  <text>",
// the star marking it unread ("  " when read).
func notificationLine(n core.Notification) string {
	mark := "  "
	if !n.Read {
		mark = "* "
	}
	return mark + formatTime(n.Time) + "  " + notificationText(n)
}

// writeNotifications writes one line per notification.
func writeNotifications(w io.Writer, ns []core.Notification) {
	if len(ns) == 0 {
		fmt.Fprintln(w, "no notifications")
	}
	for _, n := range ns {
		fmt.Fprintln(w, notificationLine(n))
	}
}

// eventLine formats an event of watch, "" for kinds it does not know.
func eventLine(ev core.Event, now time.Time) string {
	switch ev.Kind {
	case core.EventPost:
		if ev.Post != nil {
			return postLine(*ev.Post)
		}
	case core.EventFollower, core.EventUnfollow:
		if ev.User != nil {
			verb := " followed you"
			if ev.Kind == core.EventUnfollow {
				verb = " unfollowed you"
			}
			return formatTime(now) + "  " + handle(ev.User.Name, ev.User.Key) + verb
		}
	case core.EventConnectivity:
		return fmt.Sprintf("%s  connected to %d peer%s", formatTime(now), ev.Peers, plural(ev.Peers))
	case core.EventNotification:
		// A new follower or unfollow comes as its own event too.
		if n := ev.Notification; n != nil && n.Kind != core.NotifyFollower && n.Kind != core.NotifyUnfollow {
			return formatTime(n.Time) + "  " + notificationText(*n)
		}
	case core.EventDelete:
		if p := ev.Post; p != nil {
			return fmt.Sprintf("%s  %s deleted a post [%s]", formatTime(now), handle(p.Author, p.AuthorKey), shortID(p.ID))
		}
	case core.EventMessage:
		if m, c := ev.Message, ev.Conversation; m != nil && c != nil && !m.Mine {
			return indent("["+shortID(c.ID)+"] "+conversationName(*c)+"  ", messageLine(*m))
		}
	case core.EventInvite:
		if c := ev.Conversation; c != nil {
			return fmt.Sprintf("%s  invited to %s [%s]; join with: skein group join %s", formatTime(now), conversationName(*c), shortID(c.ID), shortID(c.ID))
		}
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// writeStatus writes the status as "key: value" lines.
func writeStatus(w io.Writer, st core.Status) {
	account := "(not logged in)"
	if st.Account != "" {
		account = "@" + inert(st.Account)
	}
	fmt.Fprintf(w, "account: %s\n", account)
	if st.Account != "" {
		fmt.Fprintf(w, "key: %s\n", inert(st.Key))
		if st.Restoring {
			fmt.Fprintln(w, "restoring: yes")
		}
		fmt.Fprintf(w, "entries: %d\n", st.Entries)
		fmt.Fprintf(w, "following: %d\n", st.Following)
		fmt.Fprintf(w, "followers: %d\n", st.Followers)
		fmt.Fprintf(w, "notifications: %d unread\n", st.Unread)
	}
	fmt.Fprintf(w, "accounts: %s\n", inert(orNone(strings.Join(st.Accounts, ", "))))
	fmt.Fprintln(w, powerLine(st.Power, st.Network))
	fmt.Fprintf(w, "peer: %s\n", inert(st.PeerID))
	fmt.Fprintf(w, "dht: %s\n", inert(st.DHTMode))
	if st.Reachability != "" {
		fmt.Fprintf(w, "reachability: %s\n", inert(st.Reachability))
	}
	switch {
	case st.HolePunch:
		fmt.Fprintln(w, "hole punching: ready")
	case st.Reachability == "private":
		fmt.Fprintln(w, "hole punching: waiting for peers to observe a public address")
	}
	if len(st.Relays) > 0 {
		fmt.Fprintf(w, "relays: %s\n", inert(strings.Join(st.Relays, ", ")))
	} else if st.Reachability == "private" {
		fmt.Fprintln(w, "relays: none yet")
	}
	fmt.Fprintf(w, "peers: %d\n", st.Peers)
	for _, a := range st.Addrs {
		fmt.Fprintf(w, "addr: %s\n", inert(a))
	}
}

// writeHolders prints one line per device holding the account's log: its
// peer ID, the follower using it if known, and whether it is connected.
func writeHolders(w io.Writer, hs []core.Holder) {
	if len(hs) == 0 {
		fmt.Fprintln(w, "no device announced a copy of your posts yet (followers announce theirs within minutes)")
		return
	}
	for _, h := range hs {
		who := "a device"
		if h.Account != "" {
			who = "@" + inert(h.Account) + "'s device"
		}
		state := "offline"
		if h.Online {
			state = "connected"
		}
		fmt.Fprintf(w, "%s %s, %s\n", inert(h.PeerID), who, state)
	}
}

// writeConnections prints one line per connection: the peer, direct or
// relayed, the direction and the remote address.
func writeConnections(w io.Writer, cs []core.Connection) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no connections")
		return
	}
	for _, c := range cs {
		via := "direct"
		if c.Relayed {
			via = "relayed"
		}
		fmt.Fprintf(w, "%s %s %s %s\n", inert(c.Peer), via, inert(c.Direction), inert(c.Addr))
	}
}

// powerLine describes a power mode and network type on one line, saying
// when the lack of a network keeps the node offline whatever its mode.
func powerLine(m core.PowerMode, t core.NetworkType) string {
	line := fmt.Sprintf("power: %s, network: %s", m, t)
	if t == core.NetworkNone && m != core.PowerOff {
		line += " (offline until the network returns)"
	}
	return line
}

// writeProfile writes a profile as "key: value" lines.
func writeProfile(w io.Writer, p core.Profile) {
	fmt.Fprintf(w, "name: @%s\n", inert(p.Name))
	fmt.Fprintf(w, "key: %s\n", inert(p.Key))
	pinned := "no"
	if p.Pinned {
		pinned = "yes"
	}
	fmt.Fprintf(w, "pinned: %s\n", pinned)
	fmt.Fprintf(w, "online: %s\n", presence(p))
	fmt.Fprintf(w, "entries: %d announced, %d held here\n", p.LatestSeq, p.Held)
	fmt.Fprintf(w, "updated: %s\n", formatTime(p.Updated))
	fmt.Fprintf(w, "peer: %s\n", inert(orNone(p.PeerID)))
	for _, a := range p.Addrs {
		fmt.Fprintf(w, "addr: %s\n", inert(a))
	}
}

// presence says whether a user is online: "yes", or "no (last seen
// 2026-11-22 04:10)".
func presence(p core.Profile) string {
	switch {
	case p.Online:
		return "yes"
	case p.LastSeen.IsZero():
		return "no"
	}
	return "no (last seen " + formatTime(p.LastSeen) + ")"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// writeJSON writes v as indented JSON, inert (inertJSON).
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(inertJSON(b), '\n'))
	return err
}

// writeJSONLine writes v as one line of JSON, inert (inertJSON).
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(inertJSON(b), '\n'))
	return err
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=+,@%-]+$`)

// shellQuote quotes s for a POSIX shell if it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
