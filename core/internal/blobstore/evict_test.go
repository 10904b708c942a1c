package blobstore

import (
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
)

func TestEvict(t *testing.T) {
	const unit = 10000 // bytes of each test blob (kept inline)
	lim := Limits{CacheBudget: 3*unit + unit/2, ThumbBudget: 2*unit + unit/2, Immunity: time.Hour, TTL: 30 * 24 * time.Hour}
	type blobs map[string]blob.Root
	tests := []struct {
		name  string
		setup func(e *env, b blobs)
		gone  []string
		kept  []string
		freed int64
	}{
		{
			name: "LRU within the cache budget",
			setup: func(e *env, b blobs) {
				for i, n := range []string{"a", "b", "c", "d", "e"} {
					b[n] = e.add(testData(byte(i), unit), TierCache)
					e.clock.Add(time.Minute)
				}
				e.clock.Add(2 * time.Hour)
				e.s.Touch(b["a"]) // a becomes the most recently used
				e.clock.Add(2 * time.Hour)
			},
			gone:  []string{"b", "c"},
			kept:  []string{"a", "d", "e"},
			freed: 2 * unit,
		},
		{
			name: "immunity: recently used blobs stay over budget",
			setup: func(e *env, b blobs) {
				for i, n := range []string{"a", "b", "c", "d", "e"} {
					b[n] = e.add(testData(byte(i), unit), TierCache)
				}
				e.clock.Add(2 * time.Hour)
				e.s.Touch(b["a"])
				e.s.Touch(b["b"])
				e.s.Touch(b["c"])
				e.clock.Add(30 * time.Minute)
			},
			gone: []string{"d", "e"},
			kept: []string{"a", "b", "c"},
		},
		{
			name: "own and pinned are never evicted",
			setup: func(e *env, b blobs) {
				b["own"] = e.add(testData(1, unit), TierOwn)
				b["pinned"] = e.add(testData(2, unit), TierPinned)
				b["pin"] = e.add(testData(3, unit), TierCache)
				e.s.Pin(b["pin"])
				for i, n := range []string{"a", "b", "c", "d"} {
					b[n] = e.add(testData(byte(10+i), unit), TierCache)
				}
				e.clock.Add(40 * 24 * time.Hour)
			},
			gone: []string{"a", "b", "c", "d"}, // all past the TTL
			kept: []string{"own", "pinned", "pin"},
		},
		{
			name: "TTL evicts within budget; thumbnails have none",
			setup: func(e *env, b blobs) {
				b["old"] = e.add(testData(1, unit), TierCache)
				b["thumb"] = e.add(testData(2, unit), TierThumb)
				e.clock.Add(29 * 24 * time.Hour)
				b["new"] = e.add(testData(3, unit), TierCache)
				e.clock.Add(2 * 24 * time.Hour)
			},
			gone: []string{"old"},
			kept: []string{"new", "thumb"},
		},
		{
			name: "thumbnails LRU within their budget, after the cache",
			setup: func(e *env, b blobs) {
				for i, n := range []string{"t1", "t2", "t3", "t4"} {
					b[n] = e.add(testData(byte(i), unit), TierThumb)
					e.clock.Add(time.Minute)
				}
				b["c"] = e.add(testData(9, unit), TierCache)
				e.clock.Add(2 * time.Hour)
			},
			gone: []string{"t1", "t2"},
			kept: []string{"t3", "t4", "c"},
		},
		{
			name: "in flight and open blobs are never evicted",
			setup: func(e *env, b blobs) {
				data := testData(1, 2*blob.PieceSize)
				root, ob := encode(e.t, data)
				p, err := e.s.Begin(root, uint64(len(data)), TierCache)
				if err != nil {
					e.t.Fatal(err)
				}
				e.t.Cleanup(func() { p.Close() })
				p.SetOutboard(ob)
				writePiece(e.t, p, data, 0)
				writePiece(e.t, p, data, 1) // complete, still open
				b["inflight"] = root
				b["reading"] = e.add(testData(2, 5*unit), TierCache)
				r, err := e.s.Open(b["reading"])
				if err != nil {
					e.t.Fatal(err)
				}
				e.t.Cleanup(func() { r.Close() })
				b["a"] = e.add(testData(3, unit), TierCache)
				e.clock.Add(2 * time.Hour)
			},
			gone: []string{"a"},
			kept: []string{"inflight", "reading"},
		},
		{
			name: "partial blobs count and are evicted whole",
			setup: func(e *env, b blobs) {
				data := testData(1, 3*blob.PieceSize)
				root, ob := encode(e.t, data)
				p, err := e.s.Begin(root, uint64(len(data)), TierCache)
				if err != nil {
					e.t.Fatal(err)
				}
				p.SetOutboard(ob)
				writePiece(e.t, p, data, 0)
				p.Close()
				b["partial"] = root
				e.clock.Add(time.Minute)
				b["a"] = e.add(testData(2, unit), TierCache)
				e.clock.Add(2 * time.Hour)
			},
			gone: []string{"partial"},
			kept: []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Admission would keep the tiers within budget: set up
			// within large ones, then lower them (as a new Limits would).
			e := newEnv(t, false, Limits{CacheBudget: 1 << 40, ThumbBudget: 1 << 40, Immunity: lim.Immunity, TTL: lim.TTL})
			b := blobs{}
			tt.setup(e, b)
			e.s.mu.Lock()
			e.s.lim.CacheBudget, e.s.lim.ThumbBudget = lim.CacheBudget, lim.ThumbBudget
			e.s.mu.Unlock()
			freed, err := e.s.Evict()
			if err != nil {
				t.Fatalf("Evict() error %v", err)
			}
			for _, n := range tt.gone {
				if _, ok := e.s.Info(b[n]); ok {
					t.Errorf("%s kept, want evicted", n)
				}
			}
			for _, n := range tt.kept {
				if _, ok := e.s.Info(b[n]); !ok {
					t.Errorf("%s evicted, want kept", n)
				}
			}
			if tt.freed != 0 && freed != tt.freed {
				t.Errorf("Evict() freed %d, want %d", freed, tt.freed)
			}
			if freed <= 0 && len(tt.gone) > 0 {
				t.Errorf("Evict() freed %d", freed)
			}
			u := e.s.Usage()
			if u.Cache > lim.CacheBudget && len(tt.kept) > 0 && tt.name != "in flight and open blobs are never evicted" {
				t.Errorf("Usage().Cache = %d over the budget %d", u.Cache, lim.CacheBudget)
			}
			if u.Thumb > lim.ThumbBudget {
				t.Errorf("Usage().Thumb = %d over the budget %d", u.Thumb, lim.ThumbBudget)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	e := newEnv(t, false, Limits{CacheBudget: 1 << 20})
	e.add(testData(1, 100), TierOwn)
	big := testData(2, 2*blob.PieceSize)
	e.add(big, TierPinned)
	e.add(testData(3, 300), TierThumb)
	e.add(testData(4, 400), TierCache)
	data := testData(5, 3*blob.PieceSize)
	root, ob := encode(t, data)
	p, err := e.s.Begin(root, uint64(len(data)), TierCache)
	if err != nil {
		t.Fatal(err)
	}
	p.SetOutboard(ob)
	writePiece(t, p, data, 1)
	p.Close()
	want := Usage{Own: 100, Pinned: int64(len(big) + blob.OutboardSize(uint64(len(big)))), Thumb: 300, Cache: 400,
		Partial: blob.PieceSize + int64(blob.OutboardSize(uint64(len(data)))), Blobs: 5,
		CacheBudget: 1 << 20, ThumbBudget: DefaultThumbBudget}
	if got := e.s.Usage(); got != want {
		t.Fatalf("Usage() = %+v, want %+v", got, want)
	}
}

func TestDefaultLimits(t *testing.T) {
	e := newEnv(t, false, Limits{})
	u := e.s.Usage()
	if u.CacheBudget <= 0 || u.CacheBudget > DefaultMaxCache || u.ThumbBudget != DefaultThumbBudget {
		t.Fatalf("default budgets %d, %d", u.CacheBudget, u.ThumbBudget)
	}
	if free, ok := freeSpace(e.dir); ok && u.CacheBudget != min(DefaultMaxCache, int64(free/10)) {
		// The free space moves as other tests write; allow 10 %.
		want := min(DefaultMaxCache, int64(free/10))
		if d := u.CacheBudget - want; d > want/10 || -d > want/10 {
			t.Fatalf("CacheBudget = %d, want about min(1 GiB, free/10) = %d", u.CacheBudget, want)
		}
	}
}
