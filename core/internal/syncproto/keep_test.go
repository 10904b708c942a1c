package syncproto

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestKeepRoundTrip(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	req := KeepRequest{Time: 1234, Authors: []entry.Key{{1}, {2}, {3}}}
	if err := req.Sign(priv); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteKeep(&buf, req); err != nil {
		t.Fatal(err)
	}
	wire := bytes.Clone(buf.Bytes())
	off := len(wire) - (1 + 32 + 8 + 2 + 3*32 + 64) // the frame's length prefix
	got, err := ReadKeep(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Verify() || got.Time != 1234 || len(got.Authors) != 3 || got.Authors[2] != (entry.Key{3}) || got.Account != req.Account {
		t.Fatalf("read back %+v", got)
	}

	for _, tc := range []struct {
		name   string
		mangle func(b []byte) []byte
		parse  bool // still parses, but the signature no longer holds
	}{
		{"author changed", func(b []byte) []byte { b[len(b)-64-1] ^= 1; return b }, true},
		{"time changed", func(b []byte) []byte { b[off+1+32+7] ^= 1; return b }, true},
		{"signature changed", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, true},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, false},
		{"count too high", func(b []byte) []byte { b[off+1+32+8+1]++; return b }, false},
		{"wrong version", func(b []byte) []byte { b[off] = 2; return b }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ReadKeep(bytes.NewReader(tc.mangle(bytes.Clone(wire))))
			if !tc.parse {
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("ReadKeep = %v, want a protocol violation", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Verify() {
				t.Fatal("a changed request still verifies")
			}
		})
	}
}

func TestKeepReply(t *testing.T) {
	for _, reason := range []string{"", "relay full"} {
		var buf bytes.Buffer
		if err := WriteKeepReply(&buf, reason); err != nil {
			t.Fatal(err)
		}
		err := ReadKeepReply(&buf)
		if reason == "" && err != nil || reason != "" && !errors.Is(err, ErrRefused) {
			t.Fatalf("reply %q read back as %v", reason, err)
		}
	}
	if err := ReadKeepReply(bytes.NewReader([]byte{1, 7})); !errors.Is(err, ErrProtocol) {
		t.Fatalf("malformed reply read as %v", err)
	}
}

// TestKeepSmallOrderAccount: a keep request "by" the identity point with
// the signature that fits every message (R = the identity, S = 0) does not
// verify, though crypto/ed25519 alone accepts it.
func TestKeepSmallOrderAccount(t *testing.T) {
	identity := entry.Key{1}
	universal := make([]byte, ed25519.SignatureSize)
	universal[0] = 1 // R = the identity point, S = 0
	req := KeepRequest{Account: identity, Time: 1, Authors: []entry.Key{{7}}}
	copy(req.Sig[:], universal)
	msg := append([]byte(keepContext), req.unsigned()...)
	if !ed25519.Verify(identity[:], msg, universal) {
		t.Fatal("ed25519.Verify refuses the universal signature: the test no longer shows the attack")
	}
	if req.Verify() {
		t.Error("Verify() = true for a keep request by the small-order identity key, want false")
	}
}
