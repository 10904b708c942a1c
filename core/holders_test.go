package core

import (
	"context"
	"slices"
	"testing"
	"time"
)

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
