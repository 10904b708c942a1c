package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// How messages, conversations, members and groups are printed. Every
// string from the daemon goes through inert, inertText or oneLine.

// messageLine formats a message, chat style:
//
//	2026-11-22 04:10  @alice: hello, book club
//	2026-11-22 04:11  @bob: ↳ 3f2a91c0 welcome!
//	2026-11-22 04:12  · @alice invited @carol
//	2026-11-22 04:13  · 2 messages from @carol missing; they appear when they arrive
//
// Event rows and gaps start with "·", which no message can: a message's
// lines after the first are indented under its text.
func messageLine(m core.Message) string {
	head := formatTime(m.Time) + "  "
	who := chatHandle(m.Author, m.AuthorKey)
	switch m.Event {
	case "":
	case "gap":
		return fmt.Sprintf("%s· %d message%s from %s missing; they appear when they arrive", head, m.Missing, plural(m.Missing), who)
	default:
		text := oneLine(m.Text)
		if text == "" {
			text = who + " " + inert(m.Event)
		}
		return head + "· " + text
	}
	head += who + ": "
	if m.ReplyTo != "" {
		head += "↳ " + shortID(m.ReplyTo) + " "
	}
	return indent(head, inertText(m.Text))
}

// writeMessagePage writes a page of history oldest first, as a chat reads,
// after an "earlier:" line with the command that shows the page before it
// (more, then --before C) when there is one.
func writeMessagePage(w io.Writer, p core.MessagePage, more string) {
	if p.Next != "" {
		fmt.Fprintf(w, "earlier: %s --before %s\n", inert(more), inert(shellQuote(p.Next)))
	}
	if len(p.Messages) == 0 {
		fmt.Fprintln(w, "no messages yet")
	}
	for _, m := range slices.Backward(p.Messages) {
		fmt.Fprintln(w, messageLine(m))
	}
}

// writeFoundMessages writes the messages a search found, each after the
// short ID of its conversation.
func writeFoundMessages(w io.Writer, ms []core.Message) {
	if len(ms) == 0 {
		fmt.Fprintln(w, "no message found")
	}
	for _, m := range ms {
		fmt.Fprintln(w, indent("["+shortID(m.Conversation)+"]  ", messageLine(m)))
	}
}

// conversationLine formats a conversation for the inbox:
//
//   - @bob  [1a2b3c4d]  direct  2 unread  2026-11-22 04:10  @bob: see you
//     book-club  [7c01d2e4]  private group, 3 members, admin  2026-11-22 04:09  @alice: hi
//   - reading  [a9f0c3b1]  public group, 9 members, invited: skein group join a9f0c3b1
//
// The star marks unread messages; the short ID names the conversation for
// every command.
func conversationLine(c core.Conversation) string {
	mark := "  "
	if c.Unread > 0 || c.Role == "invited" {
		mark = "* "
	}
	var line string
	if c.DM {
		line = chatHandle(c.Name, c.Peer) + "  [" + shortID(c.ID) + "]  direct"
	} else {
		line = inert(c.Name) + "  [" + shortID(c.ID) + "]  " + groupKind(c)
		switch c.Role {
		case "admin":
			line += ", admin"
		case "invited":
			line += ", invited: skein group join " + shortID(c.ID)
		case "member":
		case "":
			line += ", left"
		default:
			line += ", " + inert(c.Role)
		}
	}
	if c.Unread > 0 {
		line += fmt.Sprintf("  %d unread", c.Unread)
	}
	if l := c.Last; l != nil {
		line += "  " + formatTime(l.Time) + "  " + chatHandle(l.Author, l.AuthorKey) + ": " + clip(oneLine(l.Text), 60)
	}
	return mark + line
}

// clip shortens s to n characters, ending it with "…" if it was longer.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func writeConversations(w io.Writer, cs []core.Conversation, empty string) {
	if len(cs) == 0 {
		fmt.Fprintln(w, empty)
	}
	for _, c := range cs {
		fmt.Fprintln(w, conversationLine(c))
	}
}

// writeMembers writes "@name  key  role" lines, "(you)" after the
// account's.
func writeMembers(w io.Writer, ms []core.Member) {
	if len(ms) == 0 {
		fmt.Fprintln(w, "no members")
	}
	for _, m := range ms {
		line := chatHandle(m.Name, m.Key) + "  " + shortKey(m.Key) + "  " + inert(m.Role)
		if m.Me {
			line += "  (you)"
		}
		fmt.Fprintln(w, line)
	}
}

// writeGroups writes the public groups a search found.
func writeGroups(w io.Writer, gs []core.GroupResult) {
	if len(gs) == 0 {
		fmt.Fprintln(w, "no public group found")
	}
	for _, g := range gs {
		line := fmt.Sprintf("%s  [%s]  %d member%s", inert(g.Name), shortID(g.ID), g.Members, plural(g.Members))
		if g.Joined {
			line += "  (joined)"
		} else {
			line += "  join with: skein group join " + shortID(g.ID)
		}
		fmt.Fprintln(w, line)
	}
}

// chatTitle names a conversation at the top of a chat.
func chatTitle(c core.Conversation) string {
	if c.DM {
		return "direct messages with " + chatHandle(c.Name, c.Peer)
	}
	return inert(c.Name) + " [" + shortID(c.ID) + "], " + groupKind(c)
}

// blank reports whether a line typed in a chat is empty.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// chatHandle names a user in a conversation: @name, or the short key when
// the name is unknown. The node may already give "@" and the short key
// for a name it does not know; that is kept as it is. The result is inert.
func chatHandle(name, key string) string {
	if strings.HasPrefix(name, "@") {
		return inert(name)
	}
	return handle(name, key)
}

// conversationName is how a conversation is named in one line: the other
// account's handle for a DM, the group's name otherwise (terminal-safe).
func conversationName(c core.Conversation) string {
	if c.DM {
		return chatHandle(c.Name, c.Peer)
	}
	return inert(oneLine(c.Name))
}
