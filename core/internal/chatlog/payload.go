package chatlog

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/posttext"
)

// Payload tags.
const (
	payloadText    = 1
	payloadReplyTo = 2
)

// Payload is the plaintext of a message: the body of a public group's
// KindMsg entry, or what a private one's body seals. Its encoding is a
// canonical TLV (see the package documentation).
type Payload struct {
	// Text is the message: 1 to MaxTextChars code points, not only white
	// space, with the character rules of posts (newlines and tabs allowed,
	// no other control, line separator or bidirectional override).
	Text string
	// ReplyTo is the ID of the message this one answers; zero for none.
	ReplyTo ID
}

// Encode returns p's canonical encoding. It does not check p.
func (p Payload) Encode() []byte {
	b := make([]byte, 0, len(p.Text)+3+2+32)
	if p.Text != "" {
		b = appendField(b, payloadText, []byte(p.Text))
	}
	if !p.ReplyTo.IsZero() {
		b = appendField(b, payloadReplyTo, p.ReplyTo[:])
	}
	return b
}

// DecodePayload decodes and checks a message payload.
func DecodePayload(b []byte) (Payload, error) {
	var p Payload
	if len(b) > MaxBody {
		return p, fmt.Errorf("%w: payload of %d bytes, limit %d", ErrTooLarge, len(b), MaxBody)
	}
	r := tlvReader{b: b}
	for {
		tag, val, done, err := r.next()
		if err != nil {
			return Payload{}, err
		}
		if done {
			break
		}
		switch tag {
		case payloadText:
			if len(val) == 0 {
				return Payload{}, fmt.Errorf("%w: empty text field must be left out", ErrMalformed)
			}
			p.Text = string(val)
		case payloadReplyTo:
			if err := fixed(tag, val, len(p.ReplyTo)); err != nil {
				return Payload{}, err
			}
			copy(p.ReplyTo[:], val)
		default:
			return Payload{}, fmt.Errorf("%w: unknown payload tag %d", ErrMalformed, tag)
		}
	}
	if err := CheckText(p.Text); err != nil {
		return Payload{}, err
	}
	return p, nil
}

// CheckText checks a message text: valid UTF-8, 1 to MaxTextChars code
// points, not only white space, and none of the characters posttext
// refuses (newlines and tabs are allowed). The error wraps ErrInvalidBody.
func CheckText(s string) error {
	return checkString("text", s, MaxTextChars, true)
}

// CheckName checks a group name: as CheckText, but 1 to MaxNameChars code
// points on one line (no newline or tab).
func CheckName(s string) error {
	return checkString("name", s, MaxNameChars, false)
}

func checkString(what, s string, limit int, lines bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidBody, what)
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalidBody, what)
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Errorf("%w: %s is %d characters, limit %d", ErrInvalidBody, what, n, limit)
	}
	if r, pos, ok := posttext.FirstRefused(s, lines); ok {
		return fmt.Errorf("%w: %s character %d is %s, which a %s may not hold", ErrInvalidBody, what, pos, posttext.RuneName(r), what)
	}
	return nil
}
