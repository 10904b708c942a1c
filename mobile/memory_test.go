package mobile

import (
	"runtime/debug"
	"testing"
	"time"
)

func TestApplyMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	const start = 1 << 40
	tests := []struct {
		mib  int
		want int64
	}{
		{64, 64 << 20},
		{0, DefaultMemoryLimitMiB << 20},
		{-1, start}, // left as it was
		{1 << 62, 1<<63 - 1},
	}
	for _, tt := range tests {
		debug.SetMemoryLimit(start)
		applyMemoryLimit(tt.mib)
		if got := debug.SetMemoryLimit(-1); got != tt.want {
			t.Errorf("applyMemoryLimit(%d): limit %d, want %d", tt.mib, got, tt.want)
		}
	}
}

func TestStartSetsMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	cfg := NewConfig()
	if cfg.MemoryLimitMiB != DefaultMemoryLimitMiB {
		t.Fatalf("NewConfig().MemoryLimitMiB = %d, want %d", cfg.MemoryLimitMiB, DefaultMemoryLimitMiB)
	}
	cfg.DataDir = t.TempDir()
	cfg.ListenAddrs = loopback
	cfg.MemoryLimitMiB = 77
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got == 77<<20 {
		t.Fatal("NewNode set the memory limit; Start should")
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if got := debug.SetMemoryLimit(-1); got != 77<<20 {
		t.Fatalf("memory limit after Start = %d, want %d", got, 77<<20)
	}
}

// BenchmarkFeedPage reads a page of 100 posts the way an app does through
// the binding: Feed, then Get and every field of each post. Its B/op and
// allocs/op are what a Java or Swift caller leaves for the Go collector.
func BenchmarkFeedPage(b *testing.B) {
	const posts, limit = 200, 100
	a := newNode(b, "", true)
	r := newNode(b, a.Addrs(), false)
	if _, err := a.Register("alice", "pw-alice"); err != nil {
		b.Fatal(err)
	}
	if _, err := r.Register("bob", "pw-bob"); err != nil {
		b.Fatal(err)
	}
	for i := range posts {
		if _, err := a.Post("a post of the feed benchmark, about as long as a short post " + string(rune('a'+i%26))); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := r.Follow("alice"); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		page, err := r.Feed("", limit)
		if err != nil {
			b.Fatal(err)
		}
		if page.Len() == limit {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("Feed() = %d posts after 30 s, want %d", page.Len(), limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sum int64
	for b.Loop() {
		page, err := r.Feed("", limit)
		if err != nil {
			b.Fatal(err)
		}
		for i := range page.Len() {
			p := page.Get(i)
			sum += int64(len(p.ID)+len(p.Kind)+len(p.Author)+len(p.AuthorKey)+len(p.Text)+
				len(p.ReplyToID)+len(p.RepostOfID)) + p.Seq + p.TimeMillis
		}
	}
	if sum == 0 {
		b.Fatal("read nothing")
	}
}
