package syncproto

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// key returns the deterministic test key whose seed is b repeated 32 times.
func key(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func author(priv ed25519.PrivateKey) entry.Key {
	return entry.KeyOf(priv.Public().(ed25519.PublicKey))
}

var (
	alice = key(0x01)
	bob   = key(0x02)
	carol = key(0x03)
	t0    = hlc.Timestamp{Wall: 1_767_225_600_000}
)

// newLog returns the first n entries of priv's log: posts whose text is
// text(seq), or "post <seq>" when text is nil.
func newLog(t testing.TB, priv ed25519.PrivateKey, n int, text func(seq uint64) string) []*entry.Entry {
	t.Helper()
	log := make([]*entry.Entry, 0, n)
	var prev entry.ID
	for seq := uint64(1); seq <= uint64(n); seq++ {
		body := fmt.Sprintf("post %d", seq)
		if text != nil {
			body = text(seq)
		}
		e, err := entry.New(priv, seq, prev, hlc.Timestamp{Wall: t0.Wall + seq}, entry.KindPost, []byte(body))
		if err != nil {
			t.Fatalf("entry.New(seq %d) = %v", seq, err)
		}
		log = append(log, e)
		prev = e.ID()
	}
	return log
}

// bigPost returns the text of the longest post.
func bigPost(seq uint64) string { return strings.Repeat("😀", entry.MaxPostChars) }

// bigLog returns the first n entries of priv's log, each of entry.MaxSize
// bytes: entries of a kind this version does not know, with the longest
// body.
func bigLog(t testing.TB, priv ed25519.PrivateKey, n int) []*entry.Entry {
	t.Helper()
	log := make([]*entry.Entry, 0, n)
	var prev entry.ID
	for seq := uint64(1); seq <= uint64(n); seq++ {
		body := bytes.Repeat([]byte{byte(seq)}, entry.MaxBody)
		e, err := entry.New(priv, seq, prev, hlc.Timestamp{Wall: t0.Wall + seq}, entry.Kind(200), body)
		if err != nil {
			t.Fatalf("entry.New(seq %d) = %v", seq, err)
		}
		log = append(log, e)
		prev = e.ID()
	}
	return log
}

// redacted returns es with the entries at the given indexes redacted.
func redacted(es []*entry.Entry, at ...int) []*entry.Entry {
	out := slices.Clone(es)
	for _, i := range at {
		out[i] = out[i].Redact()
	}
	return out
}

// memSource is an in-memory Source holding whole or partial logs.
type memSource struct {
	logs  map[entry.Key][]*entry.Entry // by increasing seq
	calls int
}

func newSource(logs ...[]*entry.Entry) *memSource {
	s := &memSource{logs: make(map[entry.Key][]*entry.Entry)}
	for _, log := range logs {
		for _, e := range log {
			s.logs[e.Author] = append(s.logs[e.Author], e)
		}
	}
	for _, log := range s.logs {
		sort.Slice(log, func(i, j int) bool { return log[i].Seq < log[j].Seq })
	}
	return s
}

func (s *memSource) Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error) {
	s.calls++
	var out []*entry.Entry
	for _, e := range s.logs[author] {
		if e.Seq <= after {
			continue
		}
		if len(out) == maxCount || len(e.Bytes()) > maxBytes {
			break
		}
		maxBytes -= len(e.Bytes())
		out = append(out, e)
	}
	return out, nil
}

// result is what one Fetch against Serve produced.
type result struct {
	entries  []*entry.Entry
	batches  []int
	more     bool
	err      error // Fetch's
	serveErr error
}

// exchange runs Fetch against Serve over a synchronous in-memory
// connection.
func exchange(t *testing.T, src Source, req Request) result {
	t.Helper()
	c, s := net.Pipe()
	serveErr := make(chan error, 1)
	go func() {
		defer s.Close()
		serveErr <- Serve(s, s, src)
	}()
	var res result
	res.more, res.err = Fetch(c, c, req, func(batch []*entry.Entry) error {
		res.batches = append(res.batches, len(batch))
		res.entries = append(res.entries, batch...)
		return nil
	})
	c.Close()
	res.serveErr = <-serveErr
	return res
}

// seqs describes entries as "a1 a2 b3", by the first letter of their
// author's name.
func seqs(es []*entry.Entry) string {
	names := map[entry.Key]string{author(alice): "a", author(bob): "b", author(carol): "c"}
	var parts []string
	for _, e := range es {
		parts = append(parts, fmt.Sprintf("%s%d", names[e.Author], e.Seq))
	}
	return strings.Join(parts, " ")
}

// entryFrame and endFrame build response frames by hand, for servers that
// misbehave.
func entryFrame(b []byte) []byte {
	return append(appendLen(nil, 1+len(b)), append([]byte{frameEntry}, b...)...)
}

func endFrame(flags byte) []byte { return []byte{2, frameEnd, flags} }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// requestBytes returns req's encoding, bypassing WriteRequest's checks.
func requestBytes(req Request) []byte { return appendRequest(nil, req) }
