package entry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Sizes of the fixed-width bodies.
const (
	refSize    = len(Key{}) + 8 + len(ID{})
	deleteSize = 8 + len(ID{})
)

// MaxMentions is the most usernames Mentions returns for one text.
const MaxMentions = 16

// Text returns the text of a post or reply. It reports false for other
// kinds, for redacted entries and for bodies that do not decode.
func Text(e *Entry) (string, bool) {
	if e.Redacted() {
		return "", false
	}
	switch e.Kind {
	case KindPost:
		s, err := ParsePost(e.Body)
		return s, err == nil
	case KindReply:
		r, err := ParseReply(e.Body)
		return r.Text, err == nil
	}
	return "", false
}

// ParsePost validates a post body and returns its text: valid UTF-8 of 1 to
// MaxPostChars code points, not only white space.
func ParsePost(body []byte) (string, error) {
	return parseText("post", body)
}

// parseText validates the text of a post or reply; what names it in
// errors.
func parseText(what string, b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidBody, what)
	}
	n := utf8.RuneCount(b)
	if n > MaxPostChars {
		return "", fmt.Errorf("%w: %s is %d characters, limit %d", ErrInvalidBody, what, n, MaxPostChars)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "", fmt.Errorf("%w: %s is empty", ErrInvalidBody, what)
	}
	return string(b), nil
}

// Ref names one entry of any log: its author, seq and ID. It is 72 bytes
// on the wire: author, seq, ID.
type Ref struct {
	Author Key
	Seq    uint64
	ID     ID
}

func (r Ref) appendTo(b []byte) []byte {
	b = append(b, r.Author[:]...)
	b = binary.BigEndian.AppendUint64(b, r.Seq)
	return append(b, r.ID[:]...)
}

// parseRef decodes the Ref at the start of b, which holds at least refSize
// bytes, and validates it: seq >= 1 and a non-zero ID. what names the body
// in errors.
func parseRef(what string, b []byte) (Ref, error) {
	var r Ref
	copy(r.Author[:], b)
	r.Seq = binary.BigEndian.Uint64(b[len(r.Author):])
	copy(r.ID[:], b[len(r.Author)+8:])
	switch {
	case r.Seq == 0:
		return Ref{}, fmt.Errorf("%w: %s names seq 0", ErrInvalidBody, what)
	case r.ID.IsZero():
		return Ref{}, fmt.Errorf("%w: %s names a zero ID", ErrInvalidBody, what)
	}
	return r, nil
}

// Reply is the body of a reply entry: the post or reply it answers and its
// text, under the same rules as a post's.
type Reply struct {
	Parent Ref
	Text   string
}

// Bytes encodes r as: the parent Ref (72 bytes), then the text.
func (r Reply) Bytes() []byte {
	b := make([]byte, 0, refSize+len(r.Text))
	return append(r.Parent.appendTo(b), r.Text...)
}

// ParseReply decodes and validates a reply body.
func ParseReply(body []byte) (Reply, error) {
	if len(body) < refSize {
		return Reply{}, fmt.Errorf("%w: reply body of %d bytes is too short", ErrInvalidBody, len(body))
	}
	parent, err := parseRef("reply", body)
	if err != nil {
		return Reply{}, err
	}
	text, err := parseText("reply", body[refSize:])
	if err != nil {
		return Reply{}, err
	}
	return Reply{Parent: parent, Text: text}, nil
}

// Repost is the body of a repost entry: the post or reply reposted.
type Repost struct {
	Of Ref
}

// Bytes encodes r as one Ref (72 bytes).
func (r Repost) Bytes() []byte { return r.Of.appendTo(make([]byte, 0, refSize)) }

// ParseRepost decodes and validates a repost body.
func ParseRepost(body []byte) (Repost, error) {
	if len(body) != refSize {
		return Repost{}, fmt.Errorf("%w: repost body of %d bytes, want %d", ErrInvalidBody, len(body), refSize)
	}
	of, err := parseRef("repost", body)
	if err != nil {
		return Repost{}, err
	}
	return Repost{Of: of}, nil
}

// Delete is the body of a delete entry: a tombstone for the entry at Seq,
// with ID ID, of the delete's own log. A delete names an earlier entry than
// itself; Parse checks that.
type Delete struct {
	Seq uint64
	ID  ID
}

// Bytes encodes d as: seq (8 bytes), ID (32 bytes).
func (d Delete) Bytes() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, deleteSize), d.Seq)
	return append(b, d.ID[:]...)
}

// ParseDelete decodes and validates a delete body: seq >= 1 and a non-zero
// ID. Whether seq is before the delete's own is checked by Parse and New.
func ParseDelete(body []byte) (Delete, error) {
	var d Delete
	if len(body) != deleteSize {
		return d, fmt.Errorf("%w: delete body of %d bytes, want %d", ErrInvalidBody, len(body), deleteSize)
	}
	d.Seq = binary.BigEndian.Uint64(body)
	copy(d.ID[:], body[8:])
	switch {
	case d.Seq == 0:
		return Delete{}, fmt.Errorf("%w: delete names seq 0", ErrInvalidBody)
	case d.ID.IsZero():
		return Delete{}, fmt.Errorf("%w: delete names a zero ID", ErrInvalidBody)
	}
	return d, nil
}

// Follow is the body of a follow or unfollow entry: the followed account's
// key and the name it was resolved from.
type Follow struct {
	Target Key
	Name   string
}

// Bytes encodes f as: 32-byte target key, 1-byte name length, name.
func (f Follow) Bytes() []byte {
	b := make([]byte, 0, len(f.Target)+1+len(f.Name))
	b = append(b, f.Target[:]...)
	b = append(b, byte(len(f.Name)))
	return append(b, f.Name...)
}

// ParseFollow decodes and validates a follow or unfollow body.
func ParseFollow(body []byte) (Follow, error) {
	var f Follow
	if len(body) < len(f.Target)+1 {
		return f, fmt.Errorf("%w: follow body of %d bytes is too short", ErrInvalidBody, len(body))
	}
	copy(f.Target[:], body)
	n := int(body[len(f.Target)])
	name := body[len(f.Target)+1:]
	if len(name) != n {
		return f, fmt.Errorf("%w: follow name length %d does not match %d bytes", ErrInvalidBody, n, len(name))
	}
	if err := ValidName(string(name)); err != nil {
		return f, fmt.Errorf("%w: %w", ErrInvalidBody, err)
	}
	f.Name = string(name)
	return f, nil
}

// ErrInvalidName is returned for usernames that break the naming rules.
var ErrInvalidName = errors.New("invalid username")

// ValidName checks a username: 3 to 32 characters of a-z, 0-9 and _.
func ValidName(name string) error {
	if len(name) < 3 || len(name) > MaxNameLen {
		return fmt.Errorf("%w %s: use 3 to 32 characters", ErrInvalidName, Quote(name))
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return fmt.Errorf("%w %s: use only a-z, 0-9 and _", ErrInvalidName, Quote(name))
		}
	}
	return nil
}

// nameByte reports whether c may appear in a username.
func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_'
}

// Mentions returns the distinct usernames text mentions, in order of first
// appearance, at most MaxMentions of them. A mention is '@' at the start of
// the text or after a character that cannot be part of a name (so that
// e-mail addresses do not count), followed by a valid username: the longest
// run of a-z, 0-9 and _ after the '@', which must be 3 to 32 characters
// long. It returns nil if there are none.
func Mentions(text string) []string {
	var names []string
	for i := 0; i < len(text) && len(names) < MaxMentions; i++ {
		if text[i] != '@' || i > 0 && nameByte(text[i-1]) {
			continue
		}
		j := i + 1
		for j < len(text) && nameByte(text[j]) {
			j++
		}
		// Every byte in the run is a name byte, so only the length
		// can make it invalid.
		if name := text[i+1 : j]; len(name) >= 3 && len(name) <= MaxNameLen && !slices.Contains(names, name) {
			names = append(names, name)
		}
		i = j - 1
	}
	return names
}
