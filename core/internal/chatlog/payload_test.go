package chatlog

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPayload(t *testing.T) {
	tests := []struct {
		name string
		p    Payload
		want error
	}{
		{"text", Payload{Text: "hello"}, nil},
		{"reply", Payload{Text: "yes", ReplyTo: someID}, nil},
		{"lines and tabs", Payload{Text: "a\n\tb\n"}, nil},
		{"unicode", Payload{Text: "grüße 你好 🌍 \u200f"}, nil},
		{"4000 chars", Payload{Text: strings.Repeat("🌍", MaxTextChars)}, nil},
		{"4001 chars", Payload{Text: strings.Repeat("a", MaxTextChars+1)}, ErrInvalidBody},
		{"no text", Payload{ReplyTo: someID}, ErrInvalidBody},
		{"empty", Payload{}, ErrInvalidBody},
		{"blank", Payload{Text: " \n\t"}, ErrInvalidBody},
		{"escape", Payload{Text: "a\x1b[31mb"}, ErrInvalidBody},
		{"carriage return", Payload{Text: "a\rb"}, ErrInvalidBody},
		{"C1 control", Payload{Text: "a\u009bb"}, ErrInvalidBody},
		{"line separator", Payload{Text: "a\u2028b"}, ErrInvalidBody},
		{"bidi override", Payload{Text: "a\u202eb"}, ErrInvalidBody},
		{"bidi isolate", Payload{Text: "a\u2067b"}, ErrInvalidBody},
		{"invalid utf-8", Payload{Text: "a\xc3"}, ErrInvalidBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := tt.p.Encode()
			got, err := DecodePayload(enc)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("DecodePayload() = %v, want %v", err, tt.want)
			}
			if err == nil && (got != tt.p || !bytes.Equal(got.Encode(), enc)) {
				t.Errorf("DecodePayload() = %+v, want %+v", got, tt.p)
			}
			if (CheckText(tt.p.Text) == nil) != (tt.want == nil) {
				t.Errorf("CheckText() disagrees with DecodePayload()")
			}
		})
	}
}

func TestPayloadMalformed(t *testing.T) {
	text := []byte{payloadText, 2, 'h', 'i'}
	reply := append([]byte{payloadReplyTo, 32}, someID[:]...)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"reply before text", cat(reply, text), ErrMalformed},
		{"text twice", cat(text, text), ErrMalformed},
		{"unknown tag", cat(text, []byte{3, 0}), ErrMalformed},
		{"empty text field", []byte{payloadText, 0}, ErrMalformed},
		{"zero reply", cat(text, []byte{payloadReplyTo, 32}, make([]byte, 32)), ErrMalformed},
		{"short reply", cat(text, []byte{payloadReplyTo, 31}, someID[:31]), ErrMalformed},
		{"non-minimal length", []byte{payloadText, 0x82, 0x00, 'h', 'i'}, ErrMalformed},
		{"past the end", []byte{payloadText, 3, 'h', 'i'}, ErrMalformed},
		{"trailing tag", cat(text, []byte{payloadReplyTo}), ErrMalformed},
		{"too large", make([]byte, MaxBody+1), ErrTooLarge},
		{"empty", nil, ErrInvalidBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodePayload(tt.b); !errors.Is(err, tt.want) {
				t.Errorf("DecodePayload(%x) = %v, want %v", tt.b, err, tt.want)
			}
		})
	}
	if p, err := DecodePayload(cat(text, reply)); err != nil || p.Text != "hi" || p.ReplyTo != someID {
		t.Errorf("DecodePayload(valid) = %+v, %v", p, err)
	}
}
