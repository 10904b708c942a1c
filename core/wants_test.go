package core

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func testKeys(n int) []entry.Key {
	out := make([]entry.Key, n)
	for i := range out {
		seed := make([]byte, 32)
		seed[0], seed[1] = byte(i), byte(i>>8)
		out[i] = keyOf(ed25519.NewKeyFromSeed(seed))
	}
	return out
}

func TestAnnouncedFollowed(t *testing.T) {
	keys := testKeys(300)
	tests := []struct {
		name  string
		n     int
		limit int
		want  int
	}{
		{"none", 0, 64, 0},
		{"fewer than the limit: all", 10, 64, 10},
		{"the limit: all", 64, 64, 64},
		{"more: the limit", 300, 64, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := announcedFollowed("self", keys[:tt.n], tt.limit)
			if len(got) != tt.want {
				t.Fatalf("announcedFollowed(%d, limit %d) gave %d", tt.n, tt.limit, len(got))
			}
			for _, k := range got {
				if !slices.Contains(keys[:tt.n], k) {
					t.Fatalf("announcedFollowed gave %s, not followed", k.Short())
				}
			}
			// The order of the follows does not change the choice.
			rev := slices.Clone(keys[:tt.n])
			slices.Reverse(rev)
			again := announcedFollowed("self", rev, tt.limit)
			if !sameSet(got, again) {
				t.Fatalf("the choice depends on the order of the follows")
			}
		})
	}
}

// TestAnnouncedFollowedStable: one more follow displaces at most one log
// announced, and followers of the same authors share them out: 40 nodes
// that each follow the same 300 authors and announce 64 of them cover
// every author.
func TestAnnouncedFollowedStable(t *testing.T) {
	keys := testKeys(300)
	before := announcedFollowed("self", keys[:299], 64)
	after := announcedFollowed("self", keys, 64)
	kept := 0
	for _, k := range before {
		if slices.Contains(after, k) {
			kept++
		}
	}
	if kept < 63 {
		t.Fatalf("one more follow changed %d of 64 logs announced", 64-kept)
	}
	covered := make(map[entry.Key]int)
	for i := range 40 {
		for _, k := range announcedFollowed(peer.ID(fmt.Sprintf("node-%d", i)), keys, 64) {
			covered[k]++
		}
	}
	if len(covered) != len(keys) {
		t.Fatalf("40 followers announce %d of the %d authors", len(covered), len(keys))
	}
}

func sameSet(a, b []entry.Key) bool {
	if len(a) != len(b) {
		return false
	}
	for _, k := range a {
		if !slices.Contains(b, k) {
			return false
		}
	}
	return true
}

// TestWantsFor: a sync asks an author's device for the author's log, a
// peer seen to hold or follow a log for that one, anyone for the local
// accounts' own logs, and a peer that is none of these for nothing.
func TestWantsFor(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	carol := tn.user("carol")
	mustFollow(t, carol, "alice")
	mustFollow(t, carol, "bob")
	ak, bk, ck := alice.session().key, bob.session().key, carol.session().key
	authors := []entry.Key{ak, bk, ck}
	stranger := peer.ID("stranger")
	tests := []struct {
		name string
		p    peer.ID
		want []entry.Key
	}{
		{"alice's device", alice.host.ID(), []entry.Key{ak, ck}},
		{"bob's device", bob.host.ID(), []entry.Key{bk, ck}},
		{"a stranger", stranger, []entry.Key{ck}},
	}
	for _, tt := range tests {
		if got := carol.wantsFor(tt.p, authors); !slices.Equal(got, tt.want) {
			t.Errorf("%s: wantsFor = %v, want %v", tt.name, got, tt.want)
		}
	}
	carol.hints.Add(stranger, bk)
	if got := carol.wantsFor(stranger, authors); !slices.Equal(got, []entry.Key{bk, ck}) {
		t.Errorf("a stranger seen to hold bob's log: wantsFor = %v", got)
	}
	if got := carol.wantsFor(stranger, []entry.Key{ak}); len(got) != 0 {
		t.Errorf("a stranger, alice's log only: wantsFor = %v, want nothing", got)
	}
	// After a restart the devices are not known until the name records are
	// looked up again: any peer may be the device of such an author.
	carol.mu.Lock()
	delete(carol.devices, ak)
	carol.mu.Unlock()
	if got := carol.wantsFor(stranger, []entry.Key{ak, bk}); !slices.Equal(got, []entry.Key{ak, bk}) {
		t.Errorf("a stranger, alice's device unknown: wantsFor = %v, want alice and bob (hinted)", got)
	}
	if got := carol.wantsFor(bob.host.ID(), []entry.Key{ak}); !slices.Equal(got, []entry.Key{ak}) {
		t.Errorf("bob's device, alice's device unknown: wantsFor = %v, want alice", got)
	}
}
