package directory

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// benchAccounts is how many profiles the benchmark's directory holds;
// $SKEIN_BENCH_PROFILES changes it.
func benchAccounts() int {
	if n, err := strconv.Atoi(os.Getenv("SKEIN_BENCH_PROFILES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchWords returns a vocabulary of n made-up words of 4 to 10 letters.
func benchWords(rng *rand.Rand, n int) []string {
	const consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
	words := make([]string, n)
	for i := range words {
		var b strings.Builder
		for l := 4 + rng.IntN(7); b.Len() < l; {
			b.WriteByte(consonants[rng.IntN(len(consonants))])
			b.WriteByte(vowels[rng.IntN(len(vowels))])
		}
		words[i] = b.String()
	}
	return words
}

// benchDirectory fills a directory over a LevelDB on disk with n accounts:
// a name, a display name of two words and a bio of 12 to 40 words from a
// vocabulary of 5,000. The relay signed nothing here: it stores records and
// entries it verified before, so the benchmark stores real-sized stand-ins
// without their signature checks, which cost only the relay's writes.
func benchDirectory(b *testing.B, n int) (d *Directory, words, phrases []string) {
	b.Helper()
	kv, err := store.OpenLevelDB(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { kv.Close() })
	d, err = Open(kv, n, nil)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words = benchWords(rng, 5000)
	rec := record(b, 1, "alice", t0+1000)
	ent := profileEntry(b, 1, 2, entry.Profile{DisplayName: "Alice Liddell", Bio: strings.Repeat("rabbit ", 20)})
	for i := range n {
		var a entry.Key
		for j := 0; j < len(a); j += 8 {
			binary.LittleEndian.PutUint64(a[j:], rng.Uint64())
		}
		name := fmt.Sprintf("%s%d", words[rng.IntN(len(words))], i)
		if len(name) > 32 {
			name = name[len(name)-32:]
		}
		if err := d.putRecord(a, name, t0, rec); err != nil {
			b.Fatal(err)
		}
		bio := make([]string, 12+rng.IntN(29))
		for j := range bio {
			bio[j] = words[rng.IntN(len(words))]
		}
		p := entry.Profile{
			DisplayName: strings.ToUpper(words[rng.IntN(len(words))][:1]) + words[rng.IntN(len(words))],
			Bio:         strings.Join(bio, " "),
		}
		if _, err := d.putProfile(a, 2, ent, p); err != nil {
			b.Fatal(err)
		}
		if i%100 == 0 { // 12 characters across two words of the bio
			j := strings.IndexByte(p.Bio, ' ') // after a word of 4 or more letters
			phrases = append(phrases, p.Bio[j-4:j+8])
		}
	}
	return d, words, phrases
}

// BenchmarkDirectorySearch runs searches against a relay directory of
// 100,000 profiles over libp2p on loopback, beside a search that matches
// nothing on the same connection (its cost is the round trip and a
// trigram lookup): p50 and p99 of 3-character, 10-character and
// 1-character (a scan of every account) queries, and of 12 characters
// across two words of a bio (no name has a space: the texts are searched),
// in ms, and the searches in process alone.
func BenchmarkDirectorySearch(b *testing.B) {
	n := benchAccounts()
	start := time.Now()
	d, words, phrases := benchDirectory(b, n)
	b.Logf("directory of %d profiles built in %v", d.Len(), time.Since(start))
	relay, client := newHost(b), newHost(b)
	srv := NewServer(d, Limits{PeerRate: 1e6, PeerBurst: 1e6, NetRate: 1e6, NetBurst: 1e6}, ratelimit.NewLog(nil))
	relay.SetStreamHandler(ProtocolID, srv.Serve)
	connect(b, client, relay)
	rng := rand.New(rand.NewPCG(3, 4))
	queries := map[string]func() string{
		"none": func() string { return "qqq" },
		"3ch":  func() string { w := words[rng.IntN(len(words))]; return w[:3] },
		"10ch": func() string {
			for {
				if w := words[rng.IntN(len(words))]; len(w) >= 10 {
					return w[:10]
				}
			}
		},
		"1ch":    func() string { return string("aeioubcdst"[rng.IntN(10)]) },
		"phrase": func() string { return phrases[rng.IntN(len(phrases))] },
	}
	order := []string{"none", "3ch", "10ch", "phrase", "1ch"}
	times := make(map[string][]float64)
	local := make(map[string][]float64)
	results := make(map[string]int)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		for _, k := range order { // interleaved, so that noise hits every kind alike
			q := queries[k]()
			t := time.Now()
			raw, err := SearchPeer(ctx, client, relay.ID(), q, 20)
			times[k] = append(times[k], float64(time.Since(t))/1e6)
			if err != nil {
				b.Fatal(err)
			}
			results[k] += len(raw)
			t = time.Now()
			if _, err := d.Search(q, 20); err != nil {
				b.Fatal(err)
			}
			local[k] = append(local[k], float64(time.Since(t))/1e6)
		}
	}
	b.StopTimer()
	for _, k := range order {
		b.ReportMetric(percentile(times[k], 50), k+"-p50-ms")
		b.ReportMetric(percentile(times[k], 99), k+"-p99-ms")
		b.ReportMetric(percentile(local[k], 99), k+"-local-p99-ms")
		b.ReportMetric(float64(results[k])/float64(b.N), k+"-results")
	}
	b.ReportMetric(percentile(times["3ch"], 99)-percentile(times["none"], 99), "3ch-p99-over-rtt-ms")
	b.ReportMetric(percentile(times["10ch"], 99)-percentile(times["none"], 99), "10ch-p99-over-rtt-ms")
	b.ReportMetric(percentile(times["phrase"], 99)-percentile(times["none"], 99), "phrase-p99-over-rtt-ms")
}

// percentile returns the p-th percentile of xs (nearest rank).
func percentile(xs []float64, p float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// BenchmarkDirectoryLocal runs the searches of BenchmarkDirectorySearch in
// process, one kind of query per sub-benchmark.
func BenchmarkDirectoryLocal(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, words, phrases := benchDirectory(b, benchAccounts())
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("%d accounts: the directory's heap is %.1f MiB", d.Len(), float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []struct {
		name string
		q    func() string
	}{
		{"1ch", func() string { return string("aeioubcdst"[rng.IntN(10)]) }},
		{"3ch", func() string { return words[rng.IntN(len(words))][:3] }},
		{"10ch", func() string {
			for {
				if w := words[rng.IntN(len(words))]; len(w) >= 10 {
					return w[:10]
				}
			}
		}},
		{"phrase", func() string { return phrases[rng.IntN(len(phrases))] }},
	} {
		b.Run(k.name, func(b *testing.B) {
			var ts []float64
			for range b.N {
				t := time.Now()
				if _, err := d.Search(k.q(), 20); err != nil {
					b.Fatal(err)
				}
				ts = append(ts, float64(time.Since(t))/1e6)
			}
			b.ReportMetric(percentile(ts, 50), "p50-ms")
			b.ReportMetric(percentile(ts, 99), "p99-ms")
		})
	}
}
