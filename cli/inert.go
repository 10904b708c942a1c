package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// What reaches a terminal. Post texts, names, keys, addresses, peer IDs and
// error messages may come from other peers, written by any implementation,
// and a terminal obeys some of the characters they could hold: ESC and the
// C1 controls start commands (move the cursor, clear the screen, set the
// window title), a carriage return or a line separator starts the line
// afresh, and the bidirectional overrides reorder what follows. Every
// string from the daemon goes through inert or inertText before it is
// printed; writeJSON does the same for --json output.

// inert returns s ready to be printed on one line of a terminal: each
// character a terminal could obey, a line break included, is replaced by
// an inert escape, written as in Go: \n, \r, \t, \x1b for the C0 controls
// and DEL, \u009b for the C1 controls, \u202e for the bidirectional
// overrides and isolates and \u2028 for the Unicode line and paragraph
// separators. A byte that is not valid UTF-8 becomes \xff. Anything else,
// a backslash included, is kept, so the escapes are for reading, not for
// decoding back.
func inert(s string) string { return escape(s, false) }

// inertText is inert for the text of a post: newlines and tabs are kept,
// and a CRLF line ending is a newline. Whoever prints it indents the lines
// after the first (see indent), so that none can pass for a line of its
// own.
func inertText(s string) string {
	return escape(strings.ReplaceAll(s, "\r\n", "\n"), true)
}

// escape implements inert and inertText; text keeps newlines and tabs.
func escape(s string, text bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size, text) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !unsafeRune(r, size, text):
			b.WriteString(s[i : i+size])
		case size == 1 && r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether the rune r, of size bytes in its string, may
// not reach a terminal as it is: a byte that is not UTF-8, a C0 control
// (newline and tab too unless text), DEL, a C1 control, U+2028, U+2029, or
// a bidirectional embedding, override or isolate.
func unsafeRune(r rune, size int, text bool) bool {
	switch {
	case r == utf8.RuneError:
		return size == 1
	case r == '\n' || r == '\t':
		return !text
	case r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f:
		return true
	}
	return r == 0x2028 || r == 0x2029 || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

// inertJSON returns the encoding/json output b with the characters that
// encoding/json leaves raw but a terminal could obey (DEL, the C1
// controls, the bidirectional overrides and isolates) written as \u
// escapes. Such characters can only be inside JSON strings, where the
// escape means the same character, so the document is unchanged for any
// JSON reader. encoding/json already escapes the C0 controls, U+2028 and
// U+2029, and writes bytes that are not UTF-8 as U+FFFD; the newlines and
// tabs of its indentation are kept.
func inertJSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && r != utf8.RuneError && unsafeRune(r, size, false) {
			if out == nil {
				out = make([]byte, 0, len(b)+16)
			}
			out = append(out, b[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// errorLine returns err's message as one inert line.
func errorLine(err error) string {
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		msg = strings.Join(strings.Fields(msg), " ")
	}
	return inert(msg)
}
