package webui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// BenchmarkFeedRender times the server side of the feed page: GET / as the
// browser asks for it (50 posts with display names and like counts,
// rendered by html/template in the layout, with the node's status for the
// badge), against the same 50 posts as JSON from the local API's
// GET /v1/feed?limit=50, in the same run: each iteration does both, on
// one real node (LevelDB on disk, no peers). It reports the p50s and the
// ratio of the page's to the JSON's (target ≤ 2, issue 13), and the p50
// of the page rendered with an empty post cache (a tab's first visit
// after the daemon started, or a page of posts never shown).
func BenchmarkFeedRender(b *testing.B) {
	ctx := context.Background()
	node, err := core.New(ctx, core.Config{DataDir: b.TempDir(), ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		b.Fatal(err)
	}
	defer node.Close()
	if _, err := node.Register(ctx, "alice", "pw-alice"); err != nil {
		b.Fatal(err)
	}
	if _, err := node.SetProfile(ctx, "Alice Example ✨", "writes benchmark posts", "https://example.com/alice"); err != nil {
		b.Fatal(err)
	}
	for i := range feedPageSize {
		p, err := node.Post(ctx, fmt.Sprintf("post %d: a line of text about #skein with a link https://example.com/%d and @alice", i, i))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := node.Like(ctx, p.ID); err != nil {
			b.Fatal(err)
		}
	}
	ui, err := New(node, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ui.Listen(0); err != nil {
		b.Fatal(err)
	}
	defer ui.Shutdown(ctx)
	apiSrv := api.NewServer(node, nil)

	page := func() time.Duration {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = fmt.Sprintf("127.0.0.1:%d", ui.Port())
		r.AddCookie(&http.Cookie{Name: ui.cookieName(), Value: ui.session()})
		w := httptest.NewRecorder()
		start := time.Now()
		ui.handler.ServeHTTP(w, r)
		d := time.Since(start)
		if w.Code != http.StatusOK || w.Body.Len() < 10_000 {
			b.Fatalf("GET /: %d, %d bytes", w.Code, w.Body.Len())
		}
		return d
	}
	json := func() time.Duration {
		r := httptest.NewRequest("GET", fmt.Sprintf("/v1/feed?limit=%d", feedPageSize), nil)
		w := httptest.NewRecorder()
		start := time.Now()
		apiSrv.ServeHTTP(w, r)
		d := time.Since(start)
		if w.Code != http.StatusOK {
			b.Fatalf("GET /v1/feed: %d", w.Code)
		}
		return d
	}
	// The first render of a page renders every post with html/template;
	// later ones take the posts that did not change from the cache.
	var colds []time.Duration
	for range 20 {
		ui.views.posts.mu.Lock()
		ui.views.posts.cur, ui.views.posts.old = nil, nil
		ui.views.posts.mu.Unlock()
		colds = append(colds, page())
		json()
	}
	var pages, jsons []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 { // alternate the order, so neither always goes first
			pages = append(pages, page())
			jsons = append(jsons, json())
		} else {
			jsons = append(jsons, json())
			pages = append(pages, page())
		}
	}
	b.StopTimer()
	p50 := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	hp, jp := p50(pages), p50(jsons)
	b.ReportMetric(float64(p50(colds).Microseconds()), "cold-page-p50-µs")
	b.ReportMetric(float64(hp.Microseconds()), "page-p50-µs")
	b.ReportMetric(float64(jp.Microseconds()), "json-p50-µs")
	b.ReportMetric(float64(hp)/float64(jp), "page/json")
}
