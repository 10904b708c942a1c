package core

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// abuseDirSize returns the bytes of the files under dir.
func abuseDirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return size
}

// abuseFor runs send on workers goroutines until d has passed and returns
// how many notices were acknowledged and refused.
func abuseFor(d time.Duration, workers int, send func() error) (acked, refused, failed int64) {
	var a, r, f atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				switch err := send(); {
				case err == nil:
					a.Add(1)
				case errors.Is(err, syncproto.ErrRefused):
					r.Add(1)
				default:
					f.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return a.Load(), r.Load(), f.Load()
}

// TestAbuseMeasure repeats the attacks of issue 10 at their original scale
// and logs what they achieve. It takes about a minute and a half, so it runs
// only with SKEIN_ABUSE_MEASURE=1:
//
//	SKEIN_ABUSE_MEASURE=1 go test -run TestAbuseMeasure -v -count=1 ./core/
func TestAbuseMeasure(t *testing.T) {
	if os.Getenv("SKEIN_ABUSE_MEASURE") == "" {
		t.Skip("set SKEIN_ABUSE_MEASURE=1 to measure the attacks")
	}
	tn := newTestNet(t)

	t.Run("notices of unknown authors, 15 s", func(t *testing.T) {
		dir := t.TempDir()
		victim := tn.nodeWith("alice", func(c *Config) { abuseTCP("127.0.0.1")(c); c.DataDir = dir })
		x := newHostile(t, "127.0.50.1", dht.ModeClient)
		x.Connect(context.Background(), addrInfo(victim))
		size0, _ := victim.store.Usage()
		disk0 := abuseDirSize(t, dir)
		acked, refused, failed := abuseFor(15*time.Second, 4, func() error {
			var es []*entry.Entry
			for range syncproto.MaxNoticeEntries {
				es = append(es, newAbuseAccount(t).next(t, entry.Kind(200), make([]byte, entry.MaxBody)))
			}
			return abuseNotify(x, victim, es, nil)
		})
		size1, _ := victim.store.Usage()
		t.Logf("MEASURE notices of unknown authors, 15 s, one peer: %d acked, %d refused, %d failed; disk %+d bytes; entries held %+d",
			acked, refused, failed, abuseDirSize(t, dir)-disk0, size1-size0)
	})

	for _, withRecords := range []bool{false, true} {
		t.Run(fmt.Sprintf("follows and mentions, records %v, 15 s", withRecords), func(t *testing.T) {
			victim := tn.nodeWith("", abuseTCP("127.0.0.1"))
			name := "bob"
			if withRecords {
				name = "carol"
			}
			if _, err := victim.Register(context.Background(), name, "pw"); err != nil {
				t.Fatal(err)
			}
			key := victim.session().key
			x := newHostile(t, "127.0.51.1", dht.ModeClient)
			var i atomic.Int64
			acked, refused, failed := abuseFor(15*time.Second, 4, func() error {
				a := newAbuseAccount(t)
				var rec []byte
				if withRecords {
					rec = a.record(t, x.ID())
				}
				e := abuseFollow(t, a, key, name)
				if i.Add(1)%2 == 0 {
					e = abuseMention(t, a, name)
				}
				return abuseNotify(x, victim, []*entry.Entry{e}, rec)
			})
			st, _ := victim.Status(context.Background())
			t.Logf("MEASURE throwaway follows and mentions (records %v), 15 s, one peer: %d acked, %d refused, %d failed; %d followers, %d unread",
				withRecords, acked, refused, failed, st.Followers, st.Unread)
		})
	}

	t.Run("invalid gossip, 30 s", func(t *testing.T) {
		var info, debug abuseLogBytes
		log := slog.New(abuseTee{
			slog.NewTextHandler(&info, &slog.HandlerOptions{Level: slog.LevelInfo}),
			slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}),
		})
		victim := tn.nodeWith("dave", func(c *Config) { abuseTCP("127.0.0.1")(c); c.Logger = log })
		author := tn.user("erin")
		mustFollow(t, victim, "erin")
		x := newHostile(t, "127.0.52.1", dht.ModeClient)
		topic := abuseGossipJoin(t, x, victim, author.session().key)
		stop := make(chan struct{})
		time.AfterFunc(30*time.Second, func() { close(stop) })
		i0, d0 := info.n.Load(), debug.n.Load()
		sent := abuseGossipJunk(topic, 0, stop) // as fast as it can
		// Closing the victim writes the counts of the lines held back.
		victim.Close()
		t.Logf("MEASURE invalid gossip, 30 s, one peer: %d messages sent; log %d bytes at info, %d at debug",
			sent, info.n.Load()-i0, debug.n.Load()-d0)
	})

	t.Run("connection hold", func(t *testing.T) {
		victim := tn.nodeWith("frank", abuseTCP("127.0.0.1"))
		for i := range 6 {
			abuseHold(t, victim, fmt.Sprintf("127.0.53.%d", i+1), 10)
		}
		joined := abuseJoins(newHostile(t, "127.0.54.1", dht.ModeClient), victim)
		t.Logf("MEASURE connection hold: 60 fresh peer IDs from 6 addresses of one /24 hold %d inbound connections; a newcomer from another network joins: %v",
			abuseInbound(victim, netip.MustParsePrefix("127.0.53.0/24")), joined)
	})
}

// abuseTee sends every record to each of its handlers.
type abuseTee []slog.Handler

func (h abuseTee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, x := range h {
		if x.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (h abuseTee) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range h {
		if x.Enabled(ctx, r.Level) {
			x.Handle(ctx, r.Clone())
		}
	}
	return nil
}

func (h abuseTee) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(abuseTee, len(h))
	for i, x := range h {
		out[i] = x.WithAttrs(as)
	}
	return out
}

func (h abuseTee) WithGroup(name string) slog.Handler {
	out := make(abuseTee, len(h))
	for i, x := range h {
		out[i] = x.WithGroup(name)
	}
	return out
}
