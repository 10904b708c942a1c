// Package posttext holds the rules for the text of a new post or reply:
// beyond what the entry format accepts, no character a terminal or a
// bidirectional renderer could take as a command.
package posttext

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// ErrInvalid is wrapped by every error of Check.
var ErrInvalid = errors.New("invalid post")

// CharError is the error of a text that Post or Reply refuse for a
// character in it: a control character other than a newline or a tab, a
// Unicode line or paragraph separator, or a bidirectional override or
// isolate. It wraps ErrInvalid.
//
// These rules are for new posts only. The entry format (docs/PROTOCOL.md,
// "Bodies") accepts any valid UTF-8, so that logs written before the rules,
// or by other implementations, still verify and sync; whoever shows a
// received text must render such characters inertly, as the skein command
// does.
type CharError struct {
	Rune rune // the character refused
	Pos  int  // its position in the text, in characters (code points), from 1
}

// Error says which character was refused, where, and why.
func (e *CharError) Error() string {
	what, why := "a control character", "a post may hold newlines and tabs but no other control characters, which a terminal could take as commands"
	switch {
	case isLineSeparator(e.Rune):
		what, why = "a Unicode line break", "use a newline (\\n) to end a line"
	case isBidiControl(e.Rune):
		what, why = "a bidirectional override or isolate", "it can make the text show in another order than it was written; the letters give the direction (the marks U+200E and U+200F are allowed)"
	}
	return fmt.Sprintf("%v: character %d is %s, %s: %s", ErrInvalid, e.Pos, runeName(e.Rune), what, why)
}

// Unwrap returns ErrInvalid.
func (e *CharError) Unwrap() error { return ErrInvalid }

// Check checks the text of a new post or reply: valid UTF-8, 1 to
// entry.MaxPostChars characters, not only white space, and none of the
// characters CharError describes. It returns nil or an error wrapping
// ErrInvalid (a *CharError for a refused character).
func Check(text string) error {
	// Characters first: a NUL would otherwise read as the start of a media
	// section and be refused for that, which says less.
	if utf8.ValidString(text) {
		pos := 0
		for _, r := range text {
			pos++
			if refusedRune(r) {
				return &CharError{Rune: r, Pos: pos}
			}
		}
	}
	if _, err := entry.ParsePost([]byte(text)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// refusedRune reports whether new posts may not hold r: C0 controls but
// newline and tab, DEL, C1 controls, the Unicode line and paragraph
// separators, and the bidirectional overrides, embeddings and isolates.
func refusedRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f:
		return true
	}
	return isLineSeparator(r) || isBidiControl(r)
}

// isLineSeparator reports whether r is U+2028 LINE SEPARATOR or U+2029
// PARAGRAPH SEPARATOR.
func isLineSeparator(r rune) bool { return r == 0x2028 || r == 0x2029 }

// isBidiControl reports whether r is one of the explicit bidirectional
// formatting characters that reorder text (Unicode UAX #9): the embeddings
// and overrides U+202A–U+202E and the isolates U+2066–U+2069. The marks
// U+200E, U+200F and U+061C only give a direction and are not included.
func isBidiControl(r rune) bool {
	return 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

// controlNames are the abbreviations of the controls users meet most.
var controlNames = map[rune]string{
	0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0b: "VT", 0x0c: "FF", 0x0d: "CR",
	0x1b: "ESC", 0x7f: "DEL", 0x85: "NEL", 0x9b: "CSI", 0x9d: "OSC",
	0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
	0x202a: "LEFT-TO-RIGHT EMBEDDING", 0x202b: "RIGHT-TO-LEFT EMBEDDING",
	0x202c: "POP DIRECTIONAL FORMATTING", 0x202d: "LEFT-TO-RIGHT OVERRIDE",
	0x202e: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
}

// runeName writes r as U+XXXX, with its name when it has a common one:
// "U+001B (ESC)".
func runeName(r rune) string {
	s := fmt.Sprintf("U+%04X", r)
	if name, ok := controlNames[r]; ok {
		s += " (" + name + ")"
	}
	return s
}

// FirstRefused returns the first character of text that a new post may not
// hold (see CharError) and its position in characters, from 1. With lines
// false, newlines and tabs are refused too, for a one-line field such as a
// display name. ok is false if text holds none.
func FirstRefused(text string, lines bool) (r rune, pos int, ok bool) {
	for _, r := range text {
		pos++
		if refusedRune(r) || !lines && (r == '\n' || r == '\t') {
			return r, pos, true
		}
	}
	return 0, 0, false
}

// RuneName returns r as U+XXXX, with its name when it has a common one:
// "U+001B (ESC)".
func RuneName(r rune) string { return runeName(r) }
