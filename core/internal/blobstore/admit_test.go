package blobstore

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// TestAdmission: Begin and Add keep the cache and thumbnail tiers within
// their budgets at once, evicting least recently used blobs even within
// Limits.Immunity but never blobs in use, refuse with ErrBudget when they
// cannot, and keep Limits.MinFree free.
func TestAdmission(t *testing.T) {
	const unit = 10000 // bytes of each small blob (kept inline)
	big := func(seed byte, pieces int) ([]byte, blob.Root, []byte) {
		data := testData(seed, pieces*blob.PieceSize)
		root, ob := encode(t, data)
		return data, root, ob
	}
	addErr := func(e *env, data []byte, tier Tier) error {
		_, _, err := e.s.Add(e.t.Context(), bytes.NewReader(data), 0, tier)
		return err
	}
	has := func(e *env, root blob.Root) bool { _, ok := e.s.Info(root); return ok }
	tests := []struct {
		name string
		lim  Limits
		free int64 // free space the store sees; 0: the real one
		run  func(t *testing.T, e *env)
	}{
		{"cache: LRU evicted at admission, immunity ignored", Limits{CacheBudget: 3*unit + unit/2}, 0, func(t *testing.T, e *env) {
			var roots []blob.Root
			for i := range 5 {
				roots = append(roots, e.add(testData(byte(i), unit), TierCache))
				e.clock.Add(time.Minute) // all within Immunity
			}
			for i, want := range []bool{false, false, true, true, true} {
				if has(e, roots[i]) != want {
					t.Errorf("blob %d held %v, want %v", i, !want, want)
				}
			}
		}},
		{"thumbnails within their budget", Limits{ThumbBudget: 2 * unit}, 0, func(t *testing.T, e *env) {
			a := e.add(testData(1, unit), TierThumb)
			e.clock.Add(time.Second)
			b := e.add(testData(2, unit), TierThumb)
			e.clock.Add(time.Second)
			e.s.Touch(a)
			e.add(testData(3, unit), TierThumb)
			if !has(e, a) || has(e, b) {
				t.Errorf("a held %v, b held %v; want the least recently used (b) evicted", has(e, a), has(e, b))
			}
			if u := e.s.Usage(); u.Thumb > 2*unit {
				t.Errorf("Usage().Thumb = %d over the budget", u.Thumb)
			}
		}},
		{"fresh partial blobs make room for the next", Limits{CacheBudget: 3 * blob.PieceSize}, 0, func(t *testing.T, e *env) {
			// The attack: a peer makes the node fetch many fresh blobs.
			for i := range 8 {
				data, root, ob := big(byte(i), 2)
				p, err := e.s.Begin(root, uint64(len(data)), TierCache)
				if err != nil {
					t.Fatalf("Begin(%d) = %v", i, err)
				}
				p.SetOutboard(ob)
				writePiece(t, p, data, 0)
				p.Close()
				if u := e.s.Usage(); u.Cache+u.Partial > 3*blob.PieceSize {
					t.Fatalf("after %d blobs the cache uses %d, over its budget", i+1, u.Cache+u.Partial)
				}
			}
		}},
		{"blobs in use are not evicted: ErrBudget", Limits{CacheBudget: 3 * blob.PieceSize}, 0, func(t *testing.T, e *env) {
			data, root, ob := big(1, 2)
			p, err := e.s.Begin(root, uint64(len(data)), TierCache)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			p.SetOutboard(ob)
			a := e.add(testData(2, unit), TierCache)
			r, err := e.s.Open(a)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			_, root2, _ := big(3, 1)
			if _, err := e.s.Begin(root2, blob.PieceSize, TierCache); !errors.Is(err, ErrBudget) {
				t.Fatalf("Begin over a budget full of blobs in use = %v, want ErrBudget", err)
			}
			if err := addErr(e, testData(4, blob.PieceSize), TierCache); !errors.Is(err, ErrBudget) {
				t.Fatalf("Add over a budget full of blobs in use = %v, want ErrBudget", err)
			}
			if !has(e, a) || !has(e, root) {
				t.Error("a refused admission evicted a blob in use")
			}
			if _, ok := e.s.Info(root2); ok {
				t.Error("a refused Begin left a row")
			}
		}},
		{"a blob larger than the budget", Limits{CacheBudget: blob.PieceSize}, 0, func(t *testing.T, e *env) {
			a := e.add(testData(1, unit), TierCache)
			_, root, _ := big(2, 2)
			if _, err := e.s.Begin(root, 2*blob.PieceSize, TierCache); !errors.Is(err, ErrBudget) {
				t.Fatalf("Begin of a blob over the whole budget = %v, want ErrBudget", err)
			}
			if !has(e, a) {
				t.Error("a hopeless admission evicted a blob")
			}
		}},
		{"own and pinned are admitted beyond the budgets", Limits{CacheBudget: unit, ThumbBudget: unit}, 0, func(t *testing.T, e *env) {
			c := e.add(testData(1, unit), TierCache)
			for i := range 3 {
				e.add(testData(byte(10+i), unit), TierOwn)
				e.add(testData(byte(20+i), unit), TierPinned)
			}
			data, root, _ := big(2, 2)
			p, err := e.s.Begin(root, uint64(len(data)), TierOwn)
			if err != nil {
				t.Fatalf("Begin(own) over the budgets = %v", err)
			}
			p.Close()
			if !has(e, c) {
				t.Error("own or pinned blobs evicted a cache blob")
			}
		}},
		{"free-space floor", Limits{MinFree: 64 << 20}, 64<<20 + blobBytes(blob.PieceSize) + 5000, func(t *testing.T, e *env) {
			data, root, ob := big(1, 1)
			p, err := e.s.Begin(root, uint64(len(data)), TierCache)
			if err != nil {
				t.Fatalf("Begin within the floor = %v", err)
			}
			defer p.Close()
			p.SetOutboard(ob)
			// The first download may still write its piece: nothing more
			// fits above the floor.
			_, root2, _ := big(2, 1)
			if _, err := e.s.Begin(root2, blob.PieceSize, TierThumb); !errors.Is(err, ErrNoSpace) {
				t.Errorf("Begin(thumb) under the floor = %v, want ErrNoSpace", err)
			}
			if err := addErr(e, testData(3, unit), TierCache); !errors.Is(err, ErrNoSpace) {
				t.Errorf("Add(cache) under the floor = %v, want ErrNoSpace", err)
			}
			p2, err := e.s.Begin(root2, blob.PieceSize, TierOwn)
			if err != nil {
				t.Fatalf("Begin(own) under the floor = %v", err)
			}
			p2.Close()
			e.add(testData(5, unit), TierPinned)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, false, tt.lim)
			if tt.free > 0 {
				e.s.space = func(string) (uint64, uint64, bool) { return uint64(tt.free), 1 << 40, true }
			}
			tt.run(t, e)
		})
	}
}

func TestDefaultMinFree(t *testing.T) {
	e := newEnv(t, false, Limits{})
	want := int64(DefaultMinFree)
	if _, total, ok := diskSpace(e.dir); ok {
		want = max(want, int64(total/50))
	}
	if e.s.lim.MinFree != want {
		t.Errorf("default MinFree = %d, want max(256 MiB, 2 %% of the file system) = %d", e.s.lim.MinFree, want)
	}
}
