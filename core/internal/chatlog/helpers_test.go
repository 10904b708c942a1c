package chatlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// Test accounts: Ed25519 keys from seeds of one repeated byte, as in the
// entry package's vectors.
var (
	alice = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x01}, 32))
	bob   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x02}, 32))
	carol = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x03}, 32))
)

func keyOf(priv ed25519.PrivateKey) entry.Key { return entry.KeyOf(priv.Public().(ed25519.PublicKey)) }

// t0 is 2026-01-01T00:00:00Z.
var t0 = hlc.Timestamp{Wall: 1_767_225_600_000}

// Fixed values for tests and vectors.
var (
	// saltA is the salt of alice's create of testGroup.
	saltA     = [SaltSize]byte(bytes.Repeat([]byte{0x5a}, SaltSize))
	testGroup = GroupFor(keyOf(alice), saltA)
	epoch1    = EpochID(bytes.Repeat([]byte{0xe1}, 16))
	epoch2    = EpochID(bytes.Repeat([]byte{0xe2}, 16))
	someID    = ID(bytes.Repeat([]byte{0x1d}, 32))
)

// fakeWrap returns a wrap for the recipient with fixed, opaque bytes: the
// chatlog package never opens them.
func fakeWrap(to ed25519.PrivateKey, fill byte) Wrap {
	w := Wrap{Recipient: keyOf(to)}
	copy(w.PrekeyID[:], bytes.Repeat([]byte{fill}, 8))
	copy(w.Enc[:], bytes.Repeat([]byte{fill + 1}, 32))
	copy(w.Sealed[:], bytes.Repeat([]byte{fill + 2}, 48))
	return w
}

// wrapsFor returns fake wraps for the keys, ascending by recipient.
func wrapsFor(keys ...ed25519.PrivateKey) []Wrap {
	ws := make([]Wrap, len(keys))
	for i, k := range keys {
		ws[i] = fakeWrap(k, byte(0x10*(i+1)))
	}
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && bytes.Compare(ws[j-1].Recipient[:], ws[j].Recipient[:]) > 0; j-- {
			ws[j-1], ws[j] = ws[j], ws[j-1]
		}
	}
	return ws
}

// signed signs e with priv (setting its author), failing the test on error.
func signed(t testing.TB, priv ed25519.PrivateKey, e Entry) *Entry {
	t.Helper()
	e.Author = keyOf(priv)
	if err := Sign(&e, priv); err != nil {
		t.Fatalf("Sign(%v seq %d) = %v", e.Kind, e.Seq, err)
	}
	return &e
}

// forge encodes e as it is, unchecked, and signs the bytes with priv, so
// that Decode gets past the signature only if it checks the structure
// first (or finds a valid signature over a broken structure).
func forge(priv ed25519.PrivateKey, e Entry) []byte {
	e.Author = keyOf(priv)
	return resign(priv, e.Encode())
}

// resign replaces the signature at the end of b with priv's signature of
// the rest, as a malicious author would.
func resign(priv ed25519.PrivateKey, b []byte) []byte {
	b = bytes.Clone(b)
	signedPart := b[:len(b)-SigSize]
	sig := ed25519.Sign(priv, append([]byte(SigContext), signedPart...))
	copy(b[len(b)-SigSize:], sig)
	return b
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Valid bodies of each kind, for the tests and the vectors.

func privateCreate() Entry {
	b := Body{Flags: FlagHistoryShared, NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: bytes.Repeat([]byte{0x5e}, 40), Salt: saltA}
	return Entry{Group: testGroup, Seq: 1, Time: t0, Kind: KindCreate, Epoch: epoch1, Body: b.Encode()}
}

func publicCreate() Entry {
	b := Body{Flags: FlagPublic | FlagHistoryShared, Name: "Köln hikers", Salt: saltA}
	return Entry{Group: testGroup, Seq: 1, Time: t0, Kind: KindCreate, Body: b.Encode()}
}

func dmCreate() Entry {
	m := []entry.Key{keyOf(alice), keyOf(bob)}
	if bytes.Compare(m[0][:], m[1][:]) > 0 {
		m[0], m[1] = m[1], m[0]
	}
	b := Body{Flags: FlagDM, Members: m, NewEpoch: epoch1, Wraps: wrapsFor(alice, bob)}
	return Entry{Group: DMGroup(m[0], m[1]), Seq: 1, Time: t0, Kind: KindCreate, Epoch: epoch1, Body: b.Encode()}
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
