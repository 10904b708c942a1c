package webui

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// BenchmarkBrowserDelivery times a post from one daemon to another
// daemon's feed page open in the browser: from the author's Post call to
// the moment the page inserts the post's <article> (a MutationObserver in
// the page notes performance.timeOrigin + performance.now(), the same
// wall clock as the test's). The same posts are watched in the same run
// as `skein watch` sees them: the local API's event stream, over a unix
// socket, read by api.Client.Events. 50 posts, one at a time; it reports
// p50 and p99 of both and their ratios.
func BenchmarkBrowserDelivery(b *testing.B) {
	const posts = 50
	needBrowser(b)
	n, err := newTestNet()
	if err != nil {
		b.Fatal(err)
	}
	defer n.close()
	reader, err := n.daemon("reader")
	if err != nil {
		b.Fatal(err)
	}
	author, err := n.daemon("author")
	if err != nil {
		b.Fatal(err)
	}
	reader.follow(b, "author")
	author.post(b, "warming up")
	reader.waitFeed(b, "warming up")

	// skein watch: the local API on a unix socket, and its client.
	sock := filepath.Join(b.TempDir(), "skein.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	apiSrv := api.NewServer(reader.node, nil)
	go apiSrv.Serve(l)
	defer apiSrv.Shutdown(context.Background())
	var mu sync.Mutex
	watched := make(map[string]time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- api.NewClient(sock).Events(ctx, func() { close(started) }, func(ev core.Event) error {
			if ev.Kind == core.EventPost && ev.Post != nil {
				mu.Lock()
				watched[ev.Post.ID] = time.Now()
				mu.Unlock()
			}
			return nil
		})
	}()
	defer func() { cancel(); <-done }()
	select {
	case <-started:
	case err := <-done:
		b.Fatalf("watching: %v", err)
	}

	tb := newTab(b)
	tb.open(reader, "/")
	tb.until("the feed", `!!document.getElementById("feed")`)
	tb.is(`(function () {
  window.__seen = {};
  new MutationObserver(function (ms) {
    var t = performance.timeOrigin + performance.now();
    ms.forEach(function (m) { m.addedNodes.forEach(function (a) {
      if (a.dataset && a.dataset.id && !window.__seen[a.dataset.id]) window.__seen[a.dataset.id] = t;
    }); });
  }).observe(document.getElementById("feed"), { childList: true });
  return true;
})()`)

	var inPage, inWatch []time.Duration
	for b.Loop() {
		for i := range posts {
			start := time.Now()
			p := author.post(b, fmt.Sprintf("delivery %d of the benchmark", i))
			tb.until("the post in the page", fmt.Sprintf(`!!window.__seen[%q]`, p.ID))
			ms := tb.num(fmt.Sprintf(`window.__seen[%q]`, p.ID))
			inPage = append(inPage, time.UnixMicro(int64(ms*1000)).Sub(start))
			if err := poll(waitLimit, func() bool {
				mu.Lock()
				defer mu.Unlock()
				_, ok := watched[p.ID]
				return ok
			}); err != nil {
				b.Fatalf("skein watch never saw post %d: %v", i, err)
			}
			mu.Lock()
			inWatch = append(inWatch, watched[p.ID].Sub(start))
			mu.Unlock()
		}
	}
	q := func(ds []time.Duration, f float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[int(f*float64(len(s)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(inPage, .5), "page-p50-ms")
	b.ReportMetric(q(inPage, .99), "page-p99-ms")
	b.ReportMetric(q(inWatch, .5), "watch-p50-ms")
	b.ReportMetric(q(inWatch, .99), "watch-p99-ms")
	b.ReportMetric(q(inPage, .5)/q(inWatch, .5), "page/watch-p50")
	b.ReportMetric(q(inPage, .99)/q(inWatch, .99), "page/watch-p99")
}
