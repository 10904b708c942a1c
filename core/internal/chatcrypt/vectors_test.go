package chatcrypt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// The fixed inputs of the test vectors shown in docs/PROTOCOL.md.
var (
	// vectorSecret is the epoch secret 00 01 02 … 1f.
	vectorSecret = func() (s Secret) {
		for i := range s {
			s[i] = byte(i)
		}
		return s
	}()
	// vectorAccount is alice's Ed25519 key (seed 01 × 32), vectorAuthor
	// bob's public key (seed 02 × 32).
	vectorAccount = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x01}, 32))
	vectorAuthor  = [32]byte(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x02}, 32)).Public().(ed25519.PublicKey))
	// vectorPrekey is alice's X25519 prekey, private key 03 × 32.
	vectorPrekey = func() *Prekey {
		p, err := ParsePrivate(bytes.Repeat([]byte{0x03}, 32))
		if err != nil {
			panic(err)
		}
		return p
	}()
	vectorGroup   = [32]byte(bytes.Repeat([]byte{0x04}, 32))
	vectorCreated = time.UnixMilli(1_767_225_600_000) // 2026-01-01 00:00:00 UTC
	vectorExpires = vectorCreated.Add(7 * 24 * time.Hour)
)

// A wrap of vectorSecret to vectorPrekey for vectorGroup, made once by Wrap
// (HPKE's ephemeral key is random, so Wrap cannot reproduce it; Unwrap
// must open it).
const (
	vectorWrapEnc    = "b134fa7d3d001334c18cfa6e52cf911ea4cde5210ac7c0c950c65b0259438578"
	vectorWrapSealed = "1bc1afa22ac9717c063850053d46853956589814361ac3603aa6ea43e5ec9b0b8ddfbe3e26e1537065108e19ad119b87"
)

type vector struct {
	name string
	hex  string
	want string
}

func vectors(t *testing.T) []vector {
	s := vectorSecret
	id := s.ID()
	ck0 := chainStart(s, vectorAuthor, 0)
	ck3 := ck0
	for range 3 {
		ck3 = chainNext(ck3)
	}
	k0, n0 := messageMaterial(ck0)
	k3, n3 := messageMaterial(ck3)
	msg, err := NewChains(0).Seal(s, vectorAuthor, 3, []byte("skein header"), []byte("hello, chat"))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := SealWith(s, "meta", []byte("skein header"), []byte("skein group"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := SignPrekey(vectorAccount, vectorPrekey.Public, vectorCreated, vectorExpires)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := EncodeBundle([]Epoch{{ID: id, Secret: s}})
	if err != nil {
		t.Fatal(err)
	}
	pid := vectorPrekey.ID()
	h := hex.EncodeToString
	return []vector{
		{"epoch ID", h(id[:]), "633090338388ec6a7ac40a5b1bb2a3ae"},
		{"CK(0)", h(ck0[:]), "18c24729520620adf1967eaf3291d076567427ab7a77976b50e9ee7b53d826d6"},
		{"MK(0) key", h(k0[:]), "a008fd04e76d08cdfff04d7f5f8313b6f9a3e0e0a4a1b48dfe354a137e310a15"},
		{"MK(0) nonce", h(n0[:]), "03c1484927eabd2d4cf4cd87dcd88b1ff22a6a84e5b71785"},
		{"CK(3)", h(ck3[:]), "0dd6db5c2af4213af4594b7d5932aff7093e2037979a72318cb99c6d23c5e3a6"},
		{"MK(3) key", h(k3[:]), "f2d7bbcd0a806bb61a53b88ac054bbc55e03b9a025245f569c61e522d7ebc0b8"},
		{"MK(3) nonce", h(n3[:]), "5ee12fa634ac638c5b1e13865332696055b3cebaede43dc3"},
		{"message 3", h(msg), "562fbf05e9774d9f967c269e388a70c377c1d237646ac38a61bdce"},
		{"sealed meta", h(sealed), "d2fb1bfe106a6326c58c64b07adae3076fa0e9bb9b805d33dcd03e"},
		{"prekey public", h(vectorPrekey.Public[:]), "5dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22"},
		{"prekey ID", h(pid[:]), "3d74359e38a88a42"},
		{"prekey record", h(rec.Encode()), "01" + // version
			"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // account
			"5dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22" + // X25519 public key
			"0000019b76daa800" + // created
			"0000019b9ae72c00" + // expires
			"9ed9c7cb5318603eed9bfbaeaf9359282d5306b56ebba7730f652d91de195f27" + // signature R
			"6d463ccab84ba09e8e2b8a55b98aa6beccf5377aab406638fa692517bdb0c80e", // signature S
		},
		{"bundle", h(bundle), "01" + // count
			"633090338388ec6a7ac40a5b1bb2a3ae" + // epoch ID
			"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", // secret
		},
	}
}

func TestVectors(t *testing.T) {
	vs := vectors(t)
	for _, v := range vs {
		t.Logf("%s: %s", v.name, v.hex)
		if v.hex != v.want {
			t.Errorf("%s = %s, want %s", v.name, v.hex, v.want)
		}
	}
	enc, sealed := [EncSize]byte(mustHex(t, vectorWrapEnc)), [WrappedSize]byte(mustHex(t, vectorWrapSealed))
	got, err := Unwrap(vectorPrekey, vectorGroup, vectorSecret.ID(), enc, sealed)
	if err != nil || got != vectorSecret {
		t.Errorf("Unwrap(wrap vector) = %x, %v, want %x", got, err, vectorSecret)
	}
	doc := flatDraft(t)
	for _, v := range append(vs, vector{"wrap enc", vectorWrapEnc, vectorWrapEnc}, vector{"wrap sealed", vectorWrapSealed, vectorWrapSealed}) {
		if !strings.Contains(doc, v.want) {
			t.Errorf("docs/PROTOCOL.md does not show %s %s", v.name, v.want)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flatDraft returns docs/PROTOCOL.md with all white space removed.
func flatDraft(t *testing.T) string { return protocoldoc.Flat(t) }
