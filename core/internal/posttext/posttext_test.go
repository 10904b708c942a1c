package posttext

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	ok := []struct{ name, text string }{
		{"plain", "hello, skein"},
		{"newlines and tabs", "one\n\ttwo\nthree"},
		{"space and printable ASCII", " !~"},
		{"no-break space", "a\u00a0b"},
		{"right-to-left letters", "שלום עולם"},
		{"direction marks", "abc\u200e\u200f\u061c"},
		{"emoji with joiners and tags", "👩\u200d💻 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"},
		{"replacement character written out", "\ufffd"},
		{"around the refused ranges", "\u2027\u202f\u2065\u206a\u00a0~"},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.text); err != nil {
				t.Errorf("Check(%q) = %v, want nil", tt.text, err)
			}
		})
	}

	refused := []struct {
		name string
		text string
		r    rune
		pos  int
		msg  string // in the message
	}{
		{"NUL", "a\x00", 0, 2, "U+0000 (NUL), a control character"},
		{"BEL", "\a", 7, 1, "U+0007 (BEL)"},
		{"backspace", "ab\bc", 8, 3, "U+0008 (BS)"},
		{"vertical tab", "\va", 0x0b, 1, "U+000B (VT)"},
		{"form feed", "a\f", 0x0c, 2, "character 2 is U+000C (FF)"},
		{"carriage return", "@bob\rfake", '\r', 5, "character 5 is U+000D (CR)"},
		{"CRLF", "one\r\ntwo", '\r', 4, "U+000D (CR)"},
		{"escape", "é\x1b]0;title\a", 0x1b, 2, "character 2 is U+001B (ESC), a control character"},
		{"unit separator", "\x1f", 0x1f, 1, "U+001F"},
		{"DEL", "x\x7f", 0x7f, 2, "U+007F (DEL)"},
		{"C1 first", "\u0080", 0x80, 1, "U+0080"},
		{"next line", "a\u0085b", 0x85, 2, "U+0085 (NEL)"},
		{"C1 CSI", "\u009b31m", 0x9b, 1, "U+009B (CSI)"},
		{"C1 OSC", "\u009d0;t", 0x9d, 1, "U+009D (OSC)"},
		{"C1 last", "\u009f", 0x9f, 1, "U+009F"},
		{"line separator", "a\u2028b", 0x2028, 2, "a Unicode line break"},
		{"paragraph separator", "\u2029a", 0x2029, 1, "U+2029 (PARAGRAPH SEPARATOR)"},
		{"LRE", "\u202a", 0x202a, 1, "LEFT-TO-RIGHT EMBEDDING"},
		{"RLE", "\u202b", 0x202b, 1, "RIGHT-TO-LEFT EMBEDDING"},
		{"PDF", "\u202c", 0x202c, 1, "POP DIRECTIONAL FORMATTING"},
		{"LRO", "\u202d", 0x202d, 1, "LEFT-TO-RIGHT OVERRIDE"},
		{"RLO", "see gpj.\u202eexe", 0x202e, 9, "U+202E (RIGHT-TO-LEFT OVERRIDE), a bidirectional override or isolate"},
		{"LRI", "\u2066", 0x2066, 1, "LEFT-TO-RIGHT ISOLATE"},
		{"RLI", "\u2067", 0x2067, 1, "RIGHT-TO-LEFT ISOLATE"},
		{"FSI", "\u2068", 0x2068, 1, "FIRST STRONG ISOLATE"},
		{"PDI", "\u2069", 0x2069, 1, "POP DIRECTIONAL ISOLATE"},
		{"first of several", "\x1b\r", 0x1b, 1, "character 1"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.text)
			var ce *CharError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Check(%q) = %v, want a *CharError wrapping ErrInvalid", tt.text, err)
			}
			if ce.Rune != tt.r || ce.Pos != tt.pos {
				t.Errorf("Check(%q) = %+v, want rune %U at %d", tt.text, *ce, tt.r, tt.pos)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "invalid post: ") || !strings.Contains(msg, tt.msg) {
				t.Errorf("Check(%q) = %q, want it to contain %q", tt.text, msg, tt.msg)
			}
			for _, r := range msg {
				if refusedRune(r) {
					t.Errorf("the message %q holds the character %U it refuses", msg, r)
				}
			}
		})
	}

	// The older rules still hold, without a CharError.
	for _, text := range []string{"", " \n\t", strings.Repeat("a", 1001), "bad \xff"} {
		err := Check(text)
		var ce *CharError
		if !errors.Is(err, ErrInvalid) || errors.As(err, &ce) {
			t.Errorf("Check(%.20q) = %v, want ErrInvalid and no CharError", text, err)
		}
	}
}

func TestFirstRefused(t *testing.T) {
	tests := []struct {
		text  string
		lines bool
		r     rune
		pos   int
		ok    bool
	}{
		{"plain", false, 0, 0, false},
		{"two\nlines", true, 0, 0, false},
		{"two\nlines", false, '\n', 4, true},
		{"a\tb", false, '\t', 2, true},
		{"é\x1b[2J", true, 0x1b, 2, true},
		{"abc\u202e", true, 0x202e, 4, true},
	}
	for _, tt := range tests {
		r, pos, ok := FirstRefused(tt.text, tt.lines)
		if r != tt.r || pos != tt.pos || ok != tt.ok {
			t.Errorf("FirstRefused(%q, %v) = %U, %d, %v, want %U, %d, %v", tt.text, tt.lines, r, pos, ok, tt.r, tt.pos, tt.ok)
		}
	}
}
