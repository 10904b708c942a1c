package meet

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeNet answers dials to the peers in up, records every dial and nudge,
// and moves followers: a lookup of a follower finds it at moved[name].
type fakeNet struct {
	mu      sync.Mutex
	up      map[peer.ID]bool
	conn    map[peer.ID]bool
	moved   map[string]peer.ID
	dialed  []peer.ID
	nudged  []peer.ID
	lookups []string
}

func (f *fakeNet) config(holders []peer.ID, followers []Follower, maxLookups int) Config {
	return Config{
		Holders: func(context.Context) []peer.ID { return holders },
		Followers: func(limit int) []Follower {
			return followers[:min(limit, len(followers))]
		},
		MaxFollowers: 128,
		Connected: func(p peer.ID) bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.conn[p]
		},
		Nudge: func(p peer.ID) {
			f.mu.Lock()
			f.nudged = append(f.nudged, p)
			f.mu.Unlock()
		},
		Dial: func(_ context.Context, p peer.ID) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.dialed = append(f.dialed, p)
			if !f.up[p] {
				return errors.New("no answer")
			}
			return nil
		},
		Workers: 2,
		Lookup: func(_ context.Context, fl Follower) (peer.ID, bool) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.lookups = append(f.lookups, fl.Name)
			p, ok := f.moved[fl.Name]
			return p, ok
		},
		MaxLookups: maxLookups,
	}
}

func follower(name string, dev peer.ID) Follower {
	var k entry.Key
	copy(k[:], name)
	return Follower{Name: name, Key: k, Device: dev}
}

func TestOnce(t *testing.T) {
	tests := []struct {
		name       string
		holders    []peer.ID
		followers  []Follower
		up, conn   []peer.ID
		moved      map[string]peer.ID
		maxLookups int
		met        int
		dialed     []peer.ID // sorted
		nudged     []peer.ID
		lookups    []string // sorted
	}{
		{
			name:      "holders and followers, a follower also a holder dialled once",
			holders:   []peer.ID{"h1", "f1"},
			followers: []Follower{follower("ann", "f1"), follower("bob", "f2")},
			up:        []peer.ID{"h1", "f1", "f2"},
			met:       3, dialed: []peer.ID{"f1", "f2", "h1"},
		},
		{
			name:      "connected already: nudged, not dialled",
			holders:   []peer.ID{"h1"},
			followers: []Follower{follower("ann", "f1")},
			up:        []peer.ID{"h1"}, conn: []peer.ID{"f1"},
			met: 2, dialed: []peer.ID{"h1"}, nudged: []peer.ID{"f1"},
		},
		{
			name:       "a follower that moved is looked up and dialled where it is now",
			followers:  []Follower{follower("ann", "old"), follower("bob", "f2")},
			up:         []peer.ID{"new", "f2"},
			moved:      map[string]peer.ID{"ann": "new"},
			maxLookups: 16,
			met:        2, dialed: []peer.ID{"f2", "new", "old"}, lookups: []string{"ann"},
		},
		{
			name:       "a holder that does not answer is not looked up",
			holders:    []peer.ID{"h1"},
			maxLookups: 16,
			met:        0, dialed: []peer.ID{"h1"},
		},
		{
			name:       "lookups bounded",
			followers:  []Follower{follower("ann", "a"), follower("bob", "b"), follower("cid", "c")},
			moved:      map[string]peer.ID{"ann": "x", "bob": "x", "cid": "x"},
			up:         []peer.ID{"x"},
			maxLookups: 2,
			met:        1, dialed: []peer.ID{"a", "b", "c", "x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeNet{up: map[peer.ID]bool{}, conn: map[peer.ID]bool{}, moved: tt.moved}
			for _, p := range tt.up {
				f.up[p] = true
			}
			for _, p := range tt.conn {
				f.conn[p] = true
			}
			got := Once(context.Background(), f.config(tt.holders, tt.followers, tt.maxLookups))
			if got != tt.met {
				t.Errorf("Once() = %d, want %d", got, tt.met)
			}
			slices.Sort(f.dialed)
			if !slices.Equal(f.dialed, tt.dialed) {
				t.Errorf("dialled %v, want %v", f.dialed, tt.dialed)
			}
			if !slices.Equal(f.nudged, tt.nudged) {
				t.Errorf("nudged %v, want %v", f.nudged, tt.nudged)
			}
			if tt.lookups != nil {
				slices.Sort(f.lookups)
				if !slices.Equal(f.lookups, tt.lookups) {
					t.Errorf("looked up %v, want %v", f.lookups, tt.lookups)
				}
			}
			if len(f.lookups) > tt.maxLookups {
				t.Errorf("%d lookups, want at most %d", len(f.lookups), tt.maxLookups)
			}
		})
	}
}

// TestRetry: a meeting that reaches nobody is tried again, until one
// reaches a peer or ctx ends.
func TestRetry(t *testing.T) {
	f := &fakeNet{up: map[peer.ID]bool{}, conn: map[peer.ID]bool{}}
	cfg := f.config([]peer.ID{"h1"}, nil, 0)
	dial := cfg.Dial
	cfg.Dial = func(ctx context.Context, p peer.ID) error {
		f.mu.Lock()
		f.up[p] = len(f.dialed) == 1 // the second attempt answers
		f.mu.Unlock()
		return dial(ctx, p)
	}
	Retry(context.Background(), cfg, 4)
	if len(f.dialed) != 2 {
		t.Errorf("%d attempts, want 2 (the first failed, the second reached h1)", len(f.dialed))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := &fakeNet{up: map[peer.ID]bool{}, conn: map[peer.ID]bool{}}
	Retry(ctx, g.config([]peer.ID{"h1"}, nil, 0), 4)
	if len(g.dialed) != 1 {
		t.Errorf("%d attempts with ctx done, want 1", len(g.dialed))
	}
}
