package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

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
// does in its messages.
func shortKey(k string) string {
	if len(k) > 8 {
		return k[:8]
	}
	return k
}

// handle names a user: @name, or the short key when the name is unknown.
func handle(name, key string) string {
	if name == "" {
		return shortKey(key)
	}
	return "@" + name
}

// postLine formats a post as "2026-11-22 03:41  @alice  hello, skein"; the
// lines of a multi-line post after the first are indented under the text.
func postLine(p core.Post) string {
	head := formatTime(p.Time) + "  " + handle(p.Author, p.AuthorKey) + "  "
	text := strings.ReplaceAll(p.Text, "\r\n", "\n")
	return head + strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", len(head)))
}

// writePage writes the posts of a page, then, if there is a next page, the
// line "more: <more> --cursor C".
func writePage(w io.Writer, p core.Page, empty, more string) {
	if len(p.Posts) == 0 {
		fmt.Fprintln(w, empty)
	}
	for _, post := range p.Posts {
		fmt.Fprintln(w, postLine(post))
	}
	if p.Next != "" {
		fmt.Fprintf(w, "more: %s --cursor %s\n", more, shellQuote(p.Next))
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

// writeUsers writes "@name  <key short>  since <time>" lines.
func writeUsers(w io.Writer, users []core.User, empty string) {
	if len(users) == 0 {
		fmt.Fprintln(w, empty)
	}
	for _, u := range users {
		line := handle(u.Name, u.Key) + "  " + shortKey(u.Key)
		if !u.Since.IsZero() {
			line += "  since " + formatTime(u.Since)
		}
		fmt.Fprintln(w, line)
	}
}

func notificationText(n core.Notification) string {
	who := handle(n.From.Name, n.From.Key)
	switch n.Kind {
	case core.NotifyFollower:
		return who + " followed you"
	case core.NotifyUnfollow:
		return who + " unfollowed you"
	}
	return fmt.Sprintf("%s: %s", who, n.Kind)
}

// writeNotifications writes one line per notification; unread ones end in
// "(new)".
func writeNotifications(w io.Writer, ns []core.Notification) {
	if len(ns) == 0 {
		fmt.Fprintln(w, "no notifications")
	}
	for _, n := range ns {
		line := formatTime(n.Time) + "  " + notificationText(n)
		if !n.Read {
			line += "  (new)"
		}
		fmt.Fprintln(w, line)
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
		account = "@" + st.Account
	}
	fmt.Fprintf(w, "account: %s\n", account)
	if st.Account != "" {
		fmt.Fprintf(w, "key: %s\n", st.Key)
		fmt.Fprintf(w, "entries: %d\n", st.Entries)
		fmt.Fprintf(w, "following: %d\n", st.Following)
		fmt.Fprintf(w, "followers: %d\n", st.Followers)
	}
	fmt.Fprintf(w, "accounts: %s\n", orNone(strings.Join(st.Accounts, ", ")))
	fmt.Fprintf(w, "peer: %s\n", st.PeerID)
	fmt.Fprintf(w, "dht: %s\n", st.DHTMode)
	fmt.Fprintf(w, "peers: %d\n", st.Peers)
	for _, a := range st.Addrs {
		fmt.Fprintf(w, "addr: %s\n", a)
	}
}

// writeProfile writes a profile as "key: value" lines.
func writeProfile(w io.Writer, p core.Profile) {
	fmt.Fprintf(w, "name: @%s\n", p.Name)
	fmt.Fprintf(w, "key: %s\n", p.Key)
	pinned := "no"
	if p.Pinned {
		pinned = "yes"
	}
	fmt.Fprintf(w, "pinned: %s\n", pinned)
	fmt.Fprintf(w, "entries: %d announced, %d held here\n", p.LatestSeq, p.Held)
	fmt.Fprintf(w, "updated: %s\n", formatTime(p.Updated))
	fmt.Fprintf(w, "peer: %s\n", orNone(p.PeerID))
	for _, a := range p.Addrs {
		fmt.Fprintf(w, "addr: %s\n", a)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
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
