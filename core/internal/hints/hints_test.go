package hints

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// testKeys returns n distinct keys.
func testKeys(n int) []entry.Key {
	ks := make([]entry.Key, n)
	for i := range ks {
		ks[i] = entry.Key(sha256.Sum256(fmt.Appendf(nil, "key %d", i)))
	}
	return ks
}

func TestBounded(t *testing.T) {
	var h Hints
	keys := testKeys(3)
	h.Add("p", keys[0])
	h.Add("p", keys[1])
	h.Add("p", keys[1])
	h.Add("q", keys[2])
	if got := h.Of("p"); len(got) != 2 {
		t.Fatalf("p holds %d logs, want 2", len(got))
	}
	if got := h.Of("nobody"); len(got) != 0 {
		t.Fatalf("an unknown peer holds %d logs", len(got))
	}
	for i := range MaxPeers + 10 {
		h.Add(peer.ID(fmt.Sprintf("peer-%d", i)), keys[0])
	}
	if len(h.peers) > MaxPeers {
		t.Fatalf("%d peers remembered, bound %d", len(h.peers), MaxPeers)
	}
	many := testKeys(MaxAuthors + 5)
	for _, k := range many {
		h.Add("r", k)
	}
	if got := len(h.Of("r")); got > MaxAuthors {
		t.Fatalf("%d logs remembered for one peer, bound %d", got, MaxAuthors)
	}
}
