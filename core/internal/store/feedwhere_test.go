package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// TestFeedWhere: skipped rows leave every page but the last full, the
// cursors go through every kept row once, and the skip budget ends a page
// early with a cursor that continues past what it skipped.
func TestFeedWhere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob, carol := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "carol")
		mustAccount(t, s, alice)
		mustFollow(t, s, alice, bob.following())
		mustFollow(t, s, alice, carol.following())
		var all []*entry.Entry
		for i := range 20 { // bob's 15 in a row between carol's
			w := bob
			if i%8 == 0 || i == 19 {
				w = carol
			}
			e := w.post(fmt.Sprintf("post %d", i))
			mustAppend(t, s, e)
			all = append(all, e)
		}
		keep := func(e *entry.Entry) bool { return e.Author != bob.key }
		var want []*entry.Entry
		for _, e := range newestFirst(all...) {
			if keep(e) {
				want = append(want, e)
			}
		}
		tests := []struct {
			limit, maxSkip int
			short          bool // pages may end early: the budget is below the run of skipped rows
		}{
			{1, 100, false}, {2, 100, false}, {3, 1000, false}, {100, 100, false},
			{1, 1, true}, {2, 3, true}, {10, 7, true},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("limit %d skip %d", tt.limit, tt.maxSkip), func(t *testing.T) {
				var got []*entry.Entry
				var cursor []byte
				for range 100 {
					es, next, err := s.FeedWhere(alice.key, cursor, tt.limit, keep, tt.maxSkip)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, es...)
					if next == nil {
						break
					}
					if !tt.short && len(es) != tt.limit {
						t.Fatalf("page of %d posts with a next page, want %d", len(es), tt.limit)
					}
					cursor = next
				}
				if !slices.Equal(ids(got), ids(want)) {
					t.Errorf("FeedWhere() pages = %v, want %v", ids(got), ids(want))
				}
			})
		}
		// nil keep is Feed.
		es, _, err := s.FeedWhere(alice.key, nil, 100, nil, 0)
		if err != nil || len(es) != 20 {
			t.Errorf("FeedWhere(nil) = %d rows, %v, want 20", len(es), err)
		}
	})
}
