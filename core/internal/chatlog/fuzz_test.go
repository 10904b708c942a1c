package chatlog

import (
	"bytes"
	"errors"
	"testing"
)

// isTyped reports whether err wraps one of the package's errors.
func isTyped(err error) bool {
	return errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrBadSignature) || errors.Is(err, ErrInvalidBody)
}

// FuzzDecode checks that Decode never panics, fails only with the
// package's errors, and that what it accepts encodes back to the same
// bytes.
func FuzzDecode(f *testing.F) {
	for _, e := range validEntries() {
		if len(e.Body) < 1024 {
			f.Add(signed(f, alice, e).Encode())
		}
	}
	for _, v := range vectors() {
		f.Add(v.entry(f).Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(b []byte) {
			e, err := Decode(b)
			if err != nil {
				if !isTyped(err) {
					t.Fatalf("Decode() = %v, not a typed error", err)
				}
				return
			}
			if got := e.Encode(); !bytes.Equal(got, b) {
				t.Fatalf("Decode(%x).Encode() = %x", b, got)
			}
			if e.Kind.Control() {
				if _, err := e.Control(); err != nil {
					t.Fatalf("Control() of a decoded entry = %v", err)
				}
			}
		}
		check(b)
		if e, err := DecodeStored(b); err == nil && !bytes.Equal(e.Encode(), b) {
			t.Fatalf("DecodeStored(%x).Encode() = %x", b, e.Encode())
		}
		// The same bytes by alice, signed: the fuzzer reaches the
		// structure and body rules, which a bad signature would hide.
		if len(b) >= minSize && len(b) <= MaxSize {
			a := keyOf(alice)
			b = bytes.Clone(b)
			copy(b[offAuthor:], a[:])
			check(resign(alice, b))
		}
	})
}

// FuzzDecodeBody checks DecodeBody the same way, for every control kind
// with and without an epoch.
func FuzzDecodeBody(f *testing.F) {
	for _, e := range validEntries() {
		if e.Kind.Control() {
			f.Add(uint8(e.Kind), !e.Epoch.IsZero(), e.Seq, e.Group == testGroup, e.Body)
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, sealed bool, seq uint64, ours bool, b []byte) {
		var epoch EpochID
		if sealed {
			epoch = epoch1
			if parsed, err := parseBody(b); err == nil && !parsed.NewEpoch.IsZero() {
				epoch = parsed.NewEpoch
			}
		}
		group := testGroup
		if !ours {
			group = dmCreate().Group
		}
		body, err := DecodeBody(Kind(kind), epoch, seq, group, b)
		if err != nil {
			if !isTyped(err) {
				t.Fatalf("DecodeBody() = %v, not a typed error", err)
			}
			return
		}
		if got := body.Encode(); !bytes.Equal(got, b) {
			t.Fatalf("DecodeBody(%x).Encode() = %x", b, got)
		}
	})
}

// FuzzDecodePayload checks DecodePayload the same way.
func FuzzDecodePayload(f *testing.F) {
	f.Add(Payload{Text: "hello"}.Encode())
	f.Add(Payload{Text: "yes\nno", ReplyTo: someID}.Encode())
	f.Add([]byte{payloadText, 0x82, 0x00, 'h', 'i'})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePayload(b)
		if err != nil {
			if !isTyped(err) {
				t.Fatalf("DecodePayload() = %v, not a typed error", err)
			}
			return
		}
		if got := p.Encode(); !bytes.Equal(got, b) {
			t.Fatalf("DecodePayload(%x).Encode() = %x", b, got)
		}
	})
}
