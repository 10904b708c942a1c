package entry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/media"
)

// Sizes of the fixed-width bodies.
const (
	refSize    = len(Key{}) + 8 + len(ID{})
	deleteSize = 8 + len(ID{})
)

// MaxMentions is the most usernames Mentions returns for one text.
const MaxMentions = 16

// Text returns the text of a post or reply, without its media section;
// it is empty for a post or reply of media only. It reports false for
// other kinds and for redacted entries. It does not validate the body
// again: every Entry comes from New, Decode or Parse, which validate it,
// or from ParseStored, whose bytes passed one of them before they were
// stored.
func Text(e *Entry) (string, bool) {
	b, ok := textAndSection(e)
	if !ok {
		return "", false
	}
	text, _, _ := media.SplitSection(b)
	return string(text), true
}

// Media returns the media descriptors of a post or reply, in order, or nil
// if it has none, is redacted or is of another kind.
func Media(e *Entry) []media.Descriptor {
	b, ok := textAndSection(e)
	if !ok {
		return nil
	}
	_, section, ok := media.SplitSection(b)
	if !ok {
		return nil
	}
	ds, err := media.ParseSection(section)
	if err != nil {
		return nil
	}
	return ds
}

// textAndSection returns the part of a post's or reply's body after the
// parent, if any: the text and the media section. It reports false for
// other kinds and for redacted entries.
func textAndSection(e *Entry) ([]byte, bool) {
	switch {
	case e.Redacted():
	case e.Kind == KindPost && len(e.Body) > 0:
		return e.Body, true
	case e.Kind == KindReply && len(e.Body) > refSize:
		return e.Body[refSize:], true
	}
	return nil, false
}

// ParsePost validates a post body and returns its text. The body is the
// text, then, if the post carries media, 0x00 and a media section that
// media.ParseSection accepts (see media.AppendSection). The text is valid
// UTF-8 of 1 to MaxPostChars code points, not only white space, without
// 0x00; with media it may instead be empty.
func ParsePost(body []byte) (string, error) {
	text, _, err := parseTextMedia("post", body)
	return text, err
}

// parseTextMedia validates the text and the media section of a post or
// reply (after its parent); what names it in errors.
func parseTextMedia(what string, b []byte) (string, []media.Descriptor, error) {
	text, section, ok := media.SplitSection(b)
	if !ok {
		s, err := parseText(what, b)
		return s, nil, err
	}
	ds, err := media.ParseSection(section)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s holds 0x00 but no valid media section after it: %s", ErrInvalidBody, what, err)
	}
	if len(text) == 0 {
		return "", ds, nil
	}
	s, err := parseText(what, text)
	if err != nil {
		return "", nil, err
	}
	return s, ds, nil
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
// text, under the same rules as a post's. A reply with media has, after
// its Bytes, 0x00 and a media section (media.AppendSection); ParseReply
// validates it, and Media returns it.
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
	text, _, err := parseTextMedia("reply", body[refSize:])
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

// Limits of a profile's fields.
const (
	// MaxDisplayNameChars is the longest display name, in code points.
	MaxDisplayNameChars = 64
	// MaxBioChars is the longest bio, in code points.
	MaxBioChars = 300
	// MaxLinkLen is the longest link, in bytes.
	MaxLinkLen = 200
)

// Profile field tags. Tags a reader does not know are skipped, so a later
// version can add fields without breaking older nodes.
const (
	ProfileDisplayName = 1
	ProfileBio         = 2
	ProfileLink        = 3
	// ProfileAvatar and ProfileBanner hold a media descriptor (media
	// Descriptor.Bytes) of an image of at most media.MaxAvatarSize bytes.
	ProfileAvatar = 4
	ProfileBanner = 5
)

// Profile is the body of a profile entry: how an account presents itself.
// The latest profile entry of a log replaces every earlier one; an empty
// field is not set.
type Profile struct {
	DisplayName string
	Bio         string
	Link        string
	// Avatar and Banner are images, nil if not set.
	Avatar, Banner *media.Descriptor
	// Unknown holds the fields this version does not know, as encoded
	// (tag, length, value), in tag order. Bytes keeps them, so a profile
	// rewritten by an older node does not lose them.
	Unknown []byte
}

// Bytes encodes p as a list of fields in ascending tag order, each a tag
// (1 byte), a value length (2 bytes) and the value; empty fields are left
// out. Unknown fields are merged in by tag.
func (p Profile) Bytes() []byte {
	var b []byte
	unknown := p.Unknown
	// Unknown fields with tags below t go before the field t.
	flush := func(t byte) {
		for len(unknown) >= 3 && unknown[0] < t {
			n := 3 + int(binary.BigEndian.Uint16(unknown[1:]))
			if n > len(unknown) {
				n = len(unknown)
			}
			b = append(b, unknown[:n]...)
			unknown = unknown[n:]
		}
	}
	field := func(t byte, v string) {
		flush(t)
		if v == "" {
			return
		}
		b = append(b, t)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	field(ProfileDisplayName, p.DisplayName)
	field(ProfileBio, p.Bio)
	field(ProfileLink, p.Link)
	for _, f := range []struct {
		t byte
		d *media.Descriptor
	}{{ProfileAvatar, p.Avatar}, {ProfileBanner, p.Banner}} {
		if f.d != nil {
			field(f.t, string(f.d.Bytes()))
		}
	}
	return append(b, unknown...)
}

// ParseProfile decodes and validates a profile body: fields in strictly
// ascending tag order, each within the body; a display name of 1 to
// MaxDisplayNameChars code points and a bio of 1 to MaxBioChars, both valid
// UTF-8; a link of at most MaxLinkLen bytes that CheckLink accepts; an
// avatar and a banner that are valid image descriptors of at most
// media.MaxAvatarSize bytes. Unknown tags are kept in Unknown and not otherwise checked.
func ParseProfile(body []byte) (Profile, error) {
	var p Profile
	last := -1
	for rest := body; len(rest) > 0; {
		if len(rest) < 3 {
			return Profile{}, fmt.Errorf("%w: profile field header of %d bytes", ErrInvalidBody, len(rest))
		}
		t := rest[0]
		n := int(binary.BigEndian.Uint16(rest[1:]))
		if 3+n > len(rest) {
			return Profile{}, fmt.Errorf("%w: profile field %d of %d bytes overruns the body", ErrInvalidBody, t, n)
		}
		if int(t) <= last {
			return Profile{}, fmt.Errorf("%w: profile field %d after field %d: tags must ascend", ErrInvalidBody, t, last)
		}
		last = int(t)
		v := rest[3 : 3+n]
		var err error
		switch t {
		case ProfileDisplayName:
			p.DisplayName, err = profileText("display name", v, MaxDisplayNameChars)
		case ProfileBio:
			p.Bio, err = profileText("bio", v, MaxBioChars)
		case ProfileLink:
			if err = CheckLink(string(v)); err == nil {
				p.Link = string(v)
			}
		case ProfileAvatar:
			p.Avatar, err = profileImage("avatar", v)
		case ProfileBanner:
			p.Banner, err = profileImage("banner", v)
		default:
			p.Unknown = append(p.Unknown, rest[:3+n]...)
		}
		if err != nil {
			return Profile{}, err
		}
		rest = rest[3+n:]
	}
	return p, nil
}

// profileImage decodes and validates an avatar or banner: a descriptor of
// an image type of at most media.MaxAvatarSize bytes.
func profileImage(what string, v []byte) (*media.Descriptor, error) {
	d, err := media.ParseDescriptor(v)
	if err == nil {
		err = d.Check()
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalidBody, what, err)
	case !media.ImageType(d.Type):
		return nil, fmt.Errorf("%w: %s of type %q: use a JPEG, PNG, GIF or WebP image", ErrInvalidBody, what, d.Type)
	case d.Size > media.MaxAvatarSize:
		return nil, fmt.Errorf("%w: %s of %d bytes, limit %d", ErrInvalidBody, what, d.Size, media.MaxAvatarSize)
	}
	return &d, nil
}

// profileText validates a display name or bio: valid UTF-8 of 1 to max
// code points.
func profileText(what string, v []byte, max int) (string, error) {
	switch n := utf8.RuneCount(v); {
	case !utf8.Valid(v):
		return "", fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidBody, what)
	case n == 0:
		return "", fmt.Errorf("%w: empty %s field: leave it out", ErrInvalidBody, what)
	case n > max:
		return "", fmt.Errorf("%w: %s is %d characters, limit %d", ErrInvalidBody, what, n, max)
	}
	return string(v), nil
}

// CheckLink checks a profile link: at most MaxLinkLen bytes of printable
// ASCII without spaces, starting with http:// or https:// (either case)
// followed by a host. Anything else, a javascript: or data: URL among
// them, is refused.
func CheckLink(link string) error {
	if len(link) == 0 || len(link) > MaxLinkLen {
		return fmt.Errorf("%w: link of %d bytes, want 1 to %d", ErrInvalidBody, len(link), MaxLinkLen)
	}
	for i := 0; i < len(link); i++ {
		if c := link[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' {
			return fmt.Errorf("%w: link %s holds a character a URL may not: use printable ASCII without spaces, quotes or angle brackets", ErrInvalidBody, Quote(link))
		}
	}
	lower := strings.ToLower(link)
	var rest string
	switch {
	case strings.HasPrefix(lower, "https://"):
		rest = link[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		rest = link[len("http://"):]
	default:
		return fmt.Errorf("%w: link %s is not an http:// or https:// URL", ErrInvalidBody, Quote(link))
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if host == "" || host[0] == ':' || host[0] == '.' {
		return fmt.Errorf("%w: link %s has no host", ErrInvalidBody, Quote(link))
	}
	return nil
}

// Like is the body of a like or an unlike entry: the post, reply or repost
// liked, or no longer liked. Of a liker's like and unlike entries naming
// one post, the one with the highest seq decides.
type Like struct {
	Of Ref
}

// Bytes encodes l as one Ref (72 bytes).
func (l Like) Bytes() []byte { return l.Of.appendTo(make([]byte, 0, refSize)) }

// ParseLike decodes and validates a like or unlike body.
func ParseLike(body []byte) (Like, error) {
	if len(body) != refSize {
		return Like{}, fmt.Errorf("%w: like body of %d bytes, want %d", ErrInvalidBody, len(body), refSize)
	}
	of, err := parseRef("like", body)
	if err != nil {
		return Like{}, err
	}
	return Like{Of: of}, nil
}
