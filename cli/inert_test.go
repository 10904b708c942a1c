package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

func TestInert(t *testing.T) {
	tests := []struct {
		name, in       string
		line, text     string // inert(in), inertText(in)
		lineSameAsText bool
	}{
		{name: "plain", in: "hello, skein", line: "hello, skein", text: "hello, skein"},
		{name: "unicode kept", in: "héllo 世界 👩\u200d💻 שלום \u200f \ufffd", line: "héllo 世界 👩\u200d💻 שלום \u200f \ufffd", text: "héllo 世界 👩\u200d💻 שלום \u200f \ufffd"},
		{name: "backslash kept", in: `a\x1b`, line: `a\x1b`, text: `a\x1b`},
		{name: "newline", in: "one\ntwo", line: `one\ntwo`, text: "one\ntwo"},
		{name: "tab", in: "a\tb", line: `a\tb`, text: "a\tb"},
		{name: "CRLF", in: "one\r\ntwo", line: `one\r\ntwo`, text: "one\ntwo"},
		{name: "lone CR", in: "real\r2026-01-01  @eve  fake", line: `real\r2026-01-01  @eve  fake`, text: `real\r2026-01-01  @eve  fake`},
		{name: "NUL and BEL", in: "\x00\a", line: `\x00\x07`, text: `\x00\x07`},
		{name: "backspace", in: "ab\b\bxy", line: `ab\x08\x08xy`, text: `ab\x08\x08xy`},
		{name: "vertical tab and form feed", in: "a\vb\fc", line: `a\x0bb\x0cc`, text: `a\x0bb\x0cc`},
		{name: "OSC title", in: "\x1b]0;owned\x07hi", line: `\x1b]0;owned\x07hi`, text: `\x1b]0;owned\x07hi`},
		{name: "CSI clear", in: "\x1b[2J\x1b[H", line: `\x1b[2J\x1b[H`, text: `\x1b[2J\x1b[H`},
		{name: "unit separator", in: "\x1f", line: `\x1f`, text: `\x1f`},
		{name: "DEL", in: "a\x7f", line: `a\x7f`, text: `a\x7f`},
		{name: "C1 as characters", in: "\u0080\u0085\u009b31m\u009d0;t\u009f", line: `\u0080\u0085\u009b31m\u009d0;t\u009f`, text: `\u0080\u0085\u009b31m\u009d0;t\u009f`},
		{name: "C1 as raw bytes", in: "a\x9b31m\x85", line: `a\x9b31m\x85`, text: `a\x9b31m\x85`},
		{name: "invalid UTF-8", in: "bad \xff\xfe, cut \xe4\xb8", line: `bad \xff\xfe, cut \xe4\xb8`, text: `bad \xff\xfe, cut \xe4\xb8`},
		{name: "line separators", in: "a\u2028b\u2029c", line: `a\u2028b\u2029c`, text: `a\u2028b\u2029c`},
		{name: "bidi embeddings and overrides", in: "\u202a\u202b\u202c\u202d\u202e", line: `\u202a\u202b\u202c\u202d\u202e`, text: `\u202a\u202b\u202c\u202d\u202e`},
		{name: "bidi isolates", in: "\u2066\u2067\u2068\u2069", line: `\u2066\u2067\u2068\u2069`, text: `\u2066\u2067\u2068\u2069`},
		{name: "around the ranges", in: " ~\u00a0\u2027\u202f\u2065\u206a", line: " ~\u00a0\u2027\u202f\u2065\u206a", text: " ~\u00a0\u2027\u202f\u2065\u206a"},
		{name: "multi-line post with a fake header", in: "hi\n2026-01-01 00:00  @eve  [deadbeef]  fake\x1b[1A",
			line: `hi\n2026-01-01 00:00  @eve  [deadbeef]  fake\x1b[1A`, text: "hi\n2026-01-01 00:00  @eve  [deadbeef]  fake\\x1b[1A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inert(tt.in); got != tt.line {
				t.Errorf("inert(%q) = %q, want %q", tt.in, got, tt.line)
			}
			if got := inertText(tt.in); got != tt.text {
				t.Errorf("inertText(%q) = %q, want %q", tt.in, got, tt.text)
			}
			for _, s := range []string{inert(tt.in), inertText(tt.in)} {
				if bad := rawControls(s, true); bad != "" {
					t.Errorf("output %q holds %s", s, bad)
				}
			}
		})
	}
}

// rawControls describes the first character of s that could reach a
// terminal as a command, "" if none; newlines and tabs count only if not
// text.
func rawControls(s string, text bool) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size, text) {
			return fmt.Sprintf("%q at byte %d", s[i:i+size], i)
		}
		i += size
	}
	return ""
}

func TestInertJSON(t *testing.T) {
	in := map[string]string{"text": "esc\x1b cr\r nl\n del\x7f c1\u009b\u0085 ls\u2028 ps\u2029 rlo\u202e pdi\u2069 bad\xff ok é世👩\u200d💻"}
	for _, indent := range []bool{false, true} {
		var b bytes.Buffer
		var err error
		if indent {
			err = writeJSON(&b, in)
		} else {
			err = writeJSONLine(&b, in)
		}
		if err != nil {
			t.Fatal(err)
		}
		out := b.String()
		// encoding/json escapes these itself; inertJSON the rest.
		for _, want := range []string{`esc\u001b`, `cr\r`, `nl\n`, `del\u007f`, `c1\u009b\u0085`, `ls\u2028`, `ps\u2029`, `rlo\u202e`, `pdi\u2069`, `bad\ufffd`, "ok é世👩\u200d💻"} {
			if !strings.Contains(out, want) {
				t.Errorf("JSON output %q lacks %q", out, want)
			}
		}
		if bad := rawControls(strings.TrimSuffix(out, "\n"), indent); bad != "" {
			t.Errorf("JSON output %q holds %s", out, bad)
		}
		var back map[string]string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatalf("the output is not JSON: %v\n%s", err, out)
		}
		if want := strings.ToValidUTF8(in["text"], "\ufffd"); back["text"] != want {
			t.Errorf("JSON output decodes to %q, want %q", back["text"], want)
		}
	}
}

// hostile is a peer's string that tries everything: a window title, a
// carriage return and a newline followed by a fake post header, a clear
// screen through a C1 control, line separators, bidi overrides, DEL, a
// byte that is not UTF-8.
const hostile = "x\x1b]0;owned\x07\r2026-01-01 00:00  @eve  [deadbeef]  fake\n2026-01-01 00:00  @eve  [deadbeef]  fake2\u2028" +
	"2026-01-01 00:00  @eve  fake3\u0085\u009b2J\u202eexe.txt\x7f\xff\tend"

// fill sets every string of v, a pointer, to s, recursively: pointers get
// a value (down to depth pointers deep, as a Post holds a Post), slices
// one element, times a fixed time.
func fill(v reflect.Value, s string, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth == 0 {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), s, depth-1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 22, 4, 10, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s, depth)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), s, depth)
	case reflect.String:
		v.SetString(s)
	}
}

// label names a kind in test names: "hostile" for the hostile string.
func label[K ~string](k K) string {
	if string(k) == hostile {
		return "hostile"
	}
	return string(k)
}

func hostileValue[T any]() T {
	var v T
	fill(reflect.ValueOf(&v), hostile, 3)
	return v
}

// TestOutputsInert gives every formatter values whose every string is
// hostile: none may print a raw control, and no line may start with the
// fake header.
func TestOutputsInert(t *testing.T) {
	now := time.Date(2026, 11, 22, 4, 10, 0, 0, time.UTC)
	outputs := map[string]string{}
	for _, kind := range []core.PostKind{core.KindPost, core.KindReply, core.KindRepost, hostile} {
		p := hostileValue[core.Post]()
		p.Kind = kind
		p.RepostOf.Kind, p.RepostOf.Unavailable = core.KindPost, false
		outputs["postLine "+label(kind)] = postLine(p)
		var b bytes.Buffer
		writePage(&b, core.Page{Posts: []core.Post{p}, Next: hostile}, hostile, hostile)
		outputs["writePage "+label(kind)] = b.String()
		for _, ek := range []core.EventKind{core.EventPost, core.EventDelete} {
			ev := hostileValue[core.Event]()
			ev.Kind, ev.Post = ek, &p
			outputs["eventLine "+label(ek)+" "+label(kind)] = eventLine(ev, now)
		}
	}
	for _, kind := range []core.NotificationKind{core.NotifyFollower, core.NotifyUnfollow, core.NotifyReply, core.NotifyRepost, core.NotifyMention, core.NotifyFork, hostile} {
		n := hostileValue[core.Notification]()
		n.Kind = kind
		n.Post.RepostOf.Unavailable = false
		var b bytes.Buffer
		writeNotifications(&b, []core.Notification{n})
		outputs["notification "+label(kind)] = b.String()
		ev := core.Event{Kind: core.EventNotification, Notification: &n}
		outputs["eventLine notification "+label(kind)] = eventLine(ev, now)
	}
	for _, ek := range []core.EventKind{core.EventFollower, core.EventUnfollow, core.EventConnectivity, hostile} {
		ev := hostileValue[core.Event]()
		ev.Kind = ek
		outputs["eventLine "+label(ek)] = eventLine(ev, now)
	}
	for _, ek := range []core.EventKind{core.EventMessage, core.EventInvite, core.EventMembers} {
		ev := hostileValue[core.Event]()
		ev.Kind = ek
		m, c := hostileValue[core.Message](), hostileValue[core.Conversation]()
		m.Mine = false
		ev.Message, ev.Conversation = &m, &c
		outputs["eventLine "+label(ek)] = eventLine(ev, now)
	}
	var b bytes.Buffer
	writeUsers(&b, []core.User{hostileValue[core.User]()}, hostile)
	outputs["writeUsers"] = b.String()
	b.Reset()
	writeStatus(&b, hostileValue[core.Status]())
	outputs["writeStatus"] = b.String()
	b.Reset()
	writeConnections(&b, []core.Connection{hostileValue[core.Connection]()})
	outputs["writeConnections"] = b.String()
	b.Reset()
	writeProfile(&b, hostileValue[core.Profile]())
	outputs["writeProfile"] = b.String()
	outputs["errorLine"] = errorLine(errors.New(hostile))
	e, _, _ := testEnv(strings.NewReader(""), nil)
	outputs["explain"] = e.explain(t.Context(), fmt.Errorf("wrapped: %w", errors.New(hostile))).Error()

	for name, out := range outputs {
		if bad := rawControls(strings.ReplaceAll(out, "\n", ""), true); bad != "" {
			t.Errorf("%s printed %s:\n%s", name, bad, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "2026-01-01") {
				t.Errorf("%s printed a line that passes for a post:\n%s", name, out)
			}
		}
		if out != "" && !strings.Contains(out, `\x1b]0;owned\x07`) && !strings.HasPrefix(name, "eventLine connectivity") {
			t.Errorf("%s does not show the escape sequence visibly:\n%s", name, out)
		}
	}
	// The error keeps what it wraps.
	if err := e.explain(t.Context(), fmt.Errorf("x: %w", core.ErrNoPost)); !errors.Is(err, core.ErrNoPost) {
		t.Errorf("explain(…) = %v, want it to wrap ErrNoPost", err)
	}
	if err := e.explain(t.Context(), fmt.Errorf("x\x1b: %w", core.ErrNoPost)); !errors.Is(err, core.ErrNoPost) || err.Error() != `x\x1b: no such post` {
		t.Errorf("explain(…) = %q, want it inert and wrapping ErrNoPost", err)
	}
}

func TestMultiLinePostIndented(t *testing.T) {
	tm := time.Date(2026, 11, 22, 4, 10, 0, 0, time.UTC)
	p := core.Post{ID: "3f2a91c0" + strings.Repeat("ab", 28), Author: "bob", Time: tm,
		Text: "first\r\n2026-01-01 00:00  @alice  [deadbeef]  not alice\rthird\u2028fourth\n\tfifth"}
	pad := strings.Repeat(" ", len("2026-11-22 04:10  @bob  [3f2a91c0]  "))
	want := "2026-11-22 04:10  @bob  [3f2a91c0]  first\n" +
		pad + "2026-01-01 00:00  @alice  [deadbeef]  not alice\\rthird\\u2028fourth\n" +
		pad + "\tfifth"
	if got := postLine(p); got != want {
		t.Errorf("postLine() =\n%s\nwant\n%s", got, want)
	}
}

// FuzzInert: whatever a string holds, inert leaves nothing a terminal
// would obey, and inertText nothing but newlines and tabs; both keep safe
// strings as they are.
func FuzzInert(f *testing.F) {
	for _, s := range []string{"", "hello", hostile, "a\r\nb", "\xff\xfe", "\u202e\u2066", "é\u0085", `\x1b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := inert(s), inertText(s)
		if bad := rawControls(line, false); bad != "" {
			t.Errorf("inert(%q) = %q holds %s", s, line, bad)
		}
		if bad := rawControls(text, true); bad != "" {
			t.Errorf("inertText(%q) = %q holds %s", s, text, bad)
		}
		if rawControls(s, false) == "" && line != s {
			t.Errorf("inert(%q) = %q, want it unchanged", s, line)
		}
		if inert(line) != line || inertText(text) != text {
			t.Errorf("inert is not idempotent on %q", s)
		}
	})
}
