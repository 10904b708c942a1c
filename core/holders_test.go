package core

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// The holder key of alice's log (alice of the entry test vectors: seed 01
// × 32), as docs/PROTOCOL.md ("Holder records") shows it.
const (
	aliceLogMultihash = "1220bef2e0417d90977e0ad75967633bc3e097d307e93d7c47e6f1313c5afcaa9223"
	aliceLogCID       = "01551220bef2e0417d90977e0ad75967633bc3e097d307e93d7c47e6f1313c5afcaa9223"
	aliceLogCIDString = "bafkreif66lqec7mqs57avv2zm5rtxq7as7jqp2j5prd6n4jrhrnpzkusem"
)

func TestLogKeyVector(t *testing.T) {
	alice := keyOf(ed25519.NewKeyFromSeed(bytes32(0x01)))
	c := logKey(alice)
	if got := hex.EncodeToString(c.Hash()); got != aliceLogMultihash {
		t.Errorf("logKey(alice).Hash() = %s, want %s", got, aliceLogMultihash)
	}
	if got := hex.EncodeToString(c.Bytes()); got != aliceLogCID {
		t.Errorf("logKey(alice).Bytes() = %s, want %s", got, aliceLogCID)
	}
	if got := c.String(); got != aliceLogCIDString {
		t.Errorf("logKey(alice).String() = %s, want %s", got, aliceLogCIDString)
	}
	doc := protocoldoc.Flat(t)
	for _, v := range []string{aliceLogMultihash, aliceLogCID, aliceLogCIDString} {
		if !strings.Contains(doc, v) {
			t.Errorf("docs/PROTOCOL.md does not hold the holder-record vector %s (line breaks allowed)", v)
		}
	}
}

func bytes32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestOwnLogAnnouncedAtOnce: a new account's own log is announced as held
// as soon as the account exists, not at the announce loop's next pass over
// the accounts a minute later; so is a restored or logged-in one's.
func TestOwnLogAnnouncedAtOnce(t *testing.T) {
	tn := newTestNet(t)
	probe := tn.node("")
	// The node's announce loop has made its first pass, finding no
	// account, before Register; its next one is a minute later, beyond
	// waitFor's 20 s.
	alice := tn.node("")
	time.Sleep(announceSpacing)
	if _, err := alice.Register(context.Background(), "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	key := alice.session().key
	waitFor(t, "alice's device announced as a holder of her log", func() bool {
		return slices.Contains(probe.findHolders(context.Background(), key), alice.host.ID())
	})
}

func TestHolders(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	ctx := context.Background()
	if _, err := alice.Holders(ctx); err != nil {
		t.Fatalf("Holders with nobody holding: %v", err)
	}
	mustFollow(t, bob, "alice")
	mustPost(t, alice, "held by bob")
	waitFor(t, "bob's device among alice's holders", func() bool {
		hs, err := alice.Holders(ctx)
		if err != nil {
			t.Fatalf("Holders: %v", err)
		}
		for _, h := range hs {
			if h.PeerID == bob.PeerID() {
				return h.Account == "bob" && h.Online
			}
		}
		return false
	})

	// Errors: nobody signed in; no peer to ask.
	if err := bob.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Holders(ctx); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Holders signed out: %v, want ErrNotLoggedIn", err)
	}
	setPower(t, alice, PowerOff)
	if _, err := alice.Holders(ctx); !errors.Is(err, ErrOffline) {
		t.Errorf("Holders while off: %v, want ErrOffline", err)
	}
}
