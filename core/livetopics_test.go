package core

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestLiveAuthors(t *testing.T) {
	keys := testKeys(4)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	follows := []store.Follow{
		{Target: keys[0], Since: at(0)},
		{Target: keys[1], Since: at(1)},
		{Target: keys[2], Since: at(2)},
		{Target: keys[3], Since: at(3)},
	}
	tests := []struct {
		name   string
		active map[entry.Key]time.Time
		limit  int
		want   []entry.Key
	}{
		{"within the bound: all", nil, 4, keys},
		{"the newest follows", nil, 2, []entry.Key{keys[3], keys[2]}},
		{"an author who posted ranks by the post", map[entry.Key]time.Time{keys[0]: at(5)}, 2, []entry.Key{keys[0], keys[3]}},
		{"a post older than the follow counts as the follow", map[entry.Key]time.Time{keys[3]: at(-1)}, 1, []entry.Key{keys[3]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := liveAuthors(follows, func(a entry.Key) time.Time { return tt.active[a] }, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("liveAuthors = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLiveTopicsBounded: an account following more authors than it has
// live topics subscribes to the most recently active ones; a post by
// another reaches its feed all the same (by a notice from the author's
// device or by the periodic sync), and its author then takes the live
// topic from the least active one.
func TestLiveTopicsBounded(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	carol := tn.nodeWith("carol", func(c *Config) {
		c.liveTopics = 1
		c.SyncInterval = 300 * time.Millisecond
	})
	ak, bk := alice.session().key, bob.session().key
	subscribed := func(k entry.Key) bool {
		sess := carol.session()
		sess.mu.Lock()
		defer sess.mu.Unlock()
		_, ok := sess.subs[k]
		return ok && len(sess.subs) == 1
	}
	mustFollow(t, carol, "alice")
	waitFor(t, "carol subscribes to alice's topic", func() bool { return subscribed(ak) })
	mustFollow(t, carol, "bob")
	waitFor(t, "carol's one live topic is bob's, the newest follow", func() bool { return subscribed(bk) })
	mustPost(t, alice, "alice posts while carol follows her by sync")
	waitFor(t, "alice's post reaches carol", hasFeed(carol, "alice: alice posts while carol follows her by sync"))
	waitFor(t, "alice, active now, has carol's live topic", func() bool { return subscribed(ak) })
	mustPost(t, bob, "bob posts in turn")
	waitFor(t, "bob's post reaches carol", hasFeed(carol, "bob: bob posts in turn"))
	if _, err := carol.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
}
