package search

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Environment variables that size the benchmark's index.
const (
	benchPostsEnv    = "SKEIN_BENCH_SEARCH_POSTS"    // default 1,000,000
	benchAccountsEnv = "SKEIN_BENCH_SEARCH_ACCOUNTS" // default 100,000
	benchSlowEnv     = "SKEIN_BENCH_SEARCH_SLOW"     // if set, log each query over 20 ms
)

// vocabulary is the words of the benchmark's texts, drawn with a Zipf
// distribution: the first are the most frequent.
var vocabulary = strings.Fields(`
the a to and of in is it you that for on with this my be are was just so but
not have at me like all your what can do one from about out up we time if get
now day new good people they more how today will when know think some there
really love here back first still great make see go going because work need
want night life morning coffee city music friends weekend home world little
after again week never year always right something last thanks best long
better everyone tonight happy sure feel right team game read book news
network protocol decentralized timeline follower release version update
server client mobile android relay sync offline gossip message privacy
keyboard window garden river mountain bicycle kitchen weather sunshine
rainy thunderstorm breakfast dinner lunchtime espresso sandwich chocolate
strawberry vegetable football basketball marathon training exercise
programming javascript typescript database benchmark performance
distributed encryption signature algorithm framework library compiler
interface function variable document keyboard headphones television
photograph painting concert festival vacation airport suitcase passport
hospital pharmacy university professor student homework exam graduation
elephant giraffe penguin dolphin butterfly squirrel hedgehog kangaroo
`)

var benchTags = []string{"golang", "skein", "p2p", "music", "coffee", "running", "books", "photo", "travel", "news", "café", "日本"}

// benchText returns a post text of 6 to 25 words, with a hashtag in one of
// four and a mention in one of eight.
func benchText(r *rand.Rand, z *rand.Zipf, names []string) string {
	var sb strings.Builder
	n := 6 + r.IntN(20)
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
		}
		w := vocabulary[z.Uint64()]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		sb.WriteString(w)
	}
	if r.IntN(4) == 0 {
		sb.WriteString(" #" + benchTags[r.IntN(len(benchTags))])
	}
	if r.IntN(8) == 0 {
		sb.WriteString(" @" + names[r.IntN(len(names))])
	}
	return sb.String()
}

func benchSize(env string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(env)); err == nil && v > 0 {
		return v
	}
	return def
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// BenchmarkSearch measures queries of 3 and 10 characters over an index of
// SKEIN_BENCH_SEARCH_ACCOUNTS accounts and SKEIN_BENCH_SEARCH_POSTS posts
// in LevelDB, built once per run with a seeded RNG. It reports each
// query's p50 and p99 latency, and the size on disk of the posts' index
// as a fraction of the size of the entries it indexes.
func BenchmarkSearch(b *testing.B) {
	nPosts := benchSize(benchPostsEnv, 1_000_000)
	nAccounts := benchSize(benchAccountsEnv, 100_000)
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(vocabulary)-1))

	// Accounts: names from two words and a number, display names and
	// short bios from the vocabulary.
	start := time.Now()
	adir := b.TempDir()
	akv, err := store.OpenLevelDB(adir)
	if err != nil {
		b.Fatal(err)
	}
	defer akv.Close()
	aix, err := Open(akv)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, nAccounts)
	var batch []Account
	for i := range nAccounts {
		w1, w2 := vocabulary[r.IntN(len(vocabulary))], vocabulary[r.IntN(len(vocabulary))]
		names[i] = fmt.Sprintf("%s_%s%d", w1, w2, i%1000)
		if len(names[i]) > entry.MaxNameLen {
			names[i] = names[i][:entry.MaxNameLen]
		}
		var k entry.Key
		binary.BigEndian.PutUint64(k[:], r.Uint64())
		binary.BigEndian.PutUint64(k[8:], uint64(i))
		a := Account{Key: k, Name: names[i], DisplayName: strings.ToUpper(w1[:1]) + w1[1:] + " " + w2}
		if r.IntN(2) == 0 {
			a.Bio = benchText(r, z, []string{"x_y"})
		}
		batch = append(batch, a)
		if len(batch) == 1000 || i == nAccounts-1 {
			if err := aix.PutAccounts(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("search benchmark: %d accounts indexed in %v", nAccounts, time.Since(start).Round(time.Second))

	start = time.Now()
	pdir := b.TempDir()
	pkv, err := store.OpenLevelDB(pdir)
	if err != nil {
		b.Fatal(err)
	}
	defer pkv.Close()
	pix, err := Open(pkv)
	if err != nil {
		b.Fatal(err)
	}
	var ps []Post
	var entryBytes int64
	var sample []string // texts to draw 10-character queries from
	wall := uint64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	authors := 5000
	seqs := make([]uint64, authors)
	for i := range nPosts {
		a := r.IntN(authors)
		seqs[a]++
		var k entry.Key
		binary.BigEndian.PutUint64(k[:], uint64(a)+1)
		wall += uint64(r.IntN(60_000))
		p := Post{Ref: Ref{Author: k, Seq: seqs[a]}, Time: hlc.Timestamp{Wall: wall}, Text: benchText(r, z, names)}
		// A post's entry: header, signature, and a body of the text's
		// length and the text.
		entryBytes += int64(entry.BaseSize + 2 + len(p.Text))
		if i%1000 == 0 {
			sample = append(sample, p.Text)
		}
		ps = append(ps, p)
		if len(ps) == 2000 || i == nPosts-1 {
			if err := pix.AddPosts(ps); err != nil {
				b.Fatal(err)
			}
			ps = ps[:0]
		}
	}
	b.Logf("search benchmark: %d posts indexed in %v", nPosts, time.Since(start).Round(time.Second))
	indexBytes := dirSize(pdir)

	// Queries: substrings of the vocabulary (3 characters) and of posted
	// texts (10 characters), and some that match nothing.
	qr := rand.New(rand.NewPCG(3, 4))
	pick := func(n int, from []string) []string {
		var qs []string
		for len(qs) < 200 {
			s := Fold(from[qr.IntN(len(from))])
			if len(s) < n {
				continue
			}
			i := qr.IntN(len(s) - n + 1)
			if q, err := Normalize(s[i : i+n]); err == nil && len(q) == n {
				qs = append(qs, q)
			}
		}
		return qs
	}
	queries := map[string][]string{
		"3":  append(pick(3, vocabulary), "zqx", "qqq"),
		"10": append(pick(10, sample), "zqxzqxzqxz", "bicycle el"),
	}
	accountQueries := map[string][]string{
		"3":  append(pick(3, names), "zqx"),
		"10": append(pick(10, names), "zqxzqxzqxz"),
	}
	for _, n := range []string{"3", "10"} {
		b.Run("posts/chars="+n, func(b *testing.B) {
			benchQueries(b, queries[n], func(q string) (int, error) {
				found := 0
				err := pix.Posts(q, func(Ref) (bool, bool) { found++; return true, found < DefaultLimit })
				return found, err
			})
			b.ReportMetric(float64(indexBytes)/float64(entryBytes), "index/entries")
			b.ReportMetric(float64(indexBytes)/(1<<20), "index-MiB")
		})
		b.Run("accounts/chars="+n, func(b *testing.B) {
			benchQueries(b, accountQueries[n], func(q string) (int, error) {
				as, err := aix.Accounts(q, DefaultLimit)
				return len(as), err
			})
			b.ReportMetric(float64(dirSize(adir))/(1<<20), "index-MiB")
		})
	}
}

// benchQueries runs b.N queries from qs in turn and reports the p50 and
// p99 latency of one and the mean number of results.
func benchQueries(b *testing.B, qs []string, run func(q string) (int, error)) {
	lat := make([]time.Duration, 0, b.N)
	results := 0
	b.ResetTimer()
	for i := range b.N {
		t := time.Now()
		n, err := run(qs[i%len(qs)])
		lat = append(lat, time.Since(t))
		if err != nil {
			b.Fatal(err)
		}
		results += n
	}
	b.StopTimer()
	if os.Getenv(benchSlowEnv) != "" {
		for i, l := range lat {
			if l > 20*time.Millisecond {
				b.Logf("slow %q %v", qs[i%len(qs)], l)
			}
		}
	}
	slices.Sort(lat)
	ms := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(results)/float64(b.N), "results/query")
}
