package syncproto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// span describes seqs lo..hi of one author as seqs() would.
func span(name string, lo, hi int) string {
	var parts []string
	for i := lo; i <= hi; i++ {
		parts = append(parts, fmt.Sprintf("%s%d", name, i))
	}
	return strings.Join(parts, " ")
}

func join(s ...string) string {
	return strings.Join(slices.DeleteFunc(s, func(x string) bool { return x == "" }), " ")
}

func TestFetchServe(t *testing.T) {
	aliceLog := newLog(t, alice, 30, func(seq uint64) string { return fmt.Sprintf("post %04d %s", seq, strings.Repeat("-", 200)) })
	bobLog := newLog(t, bob, 5, nil)
	carolLog := bigLog(t, carol, 5)
	src := newSource(aliceLog, bobLog)
	// A store-and-forward peer that kept only some of bob's entries.
	partial := newSource(aliceLog[:3], []*entry.Entry{bobLog[1], bobLog[3], bobLog[4]})
	size := len(aliceLog[0].Bytes()) // all of alice's entries are this long
	if 28*size <= entry.MaxSize {
		t.Fatalf("28 entries of %d bytes do not exceed the smallest byte limit %d", size, entry.MaxSize)
	}

	tests := []struct {
		name     string
		src      Source
		req      Request
		want     string
		wantMore bool
	}{
		{name: "no wants", src: src, req: Request{}, want: ""},
		{name: "one author from the start", src: src, req: Request{Wants: []Want{{Author: author(bob)}}}, want: span("b", 1, 5)},
		{name: "several authors in want order",
			req:  Request{Wants: []Want{{Author: author(bob), Have: 3}, {Author: author(carol)}, {Author: author(alice), Have: 27}}},
			src:  src,
			want: join(span("b", 4, 5), span("a", 28, 30))},
		{name: "have the whole log", src: src, req: Request{Wants: []Want{{Author: author(alice), Have: 30}}}, want: ""},
		{name: "have beyond the log", src: src, req: Request{Wants: []Want{{Author: author(alice), Have: 1 << 40}}}, want: ""},
		{name: "unknown author", src: src, req: Request{Wants: []Want{{Author: author(carol)}}}, want: ""},
		{name: "count limit", src: src, req: Request{Wants: []Want{{Author: author(alice)}}, MaxEntries: 10}, want: span("a", 1, 10), wantMore: true},
		{name: "count limit reached exactly", src: src, req: Request{Wants: []Want{{Author: author(alice), Have: 20}}, MaxEntries: 10}, want: span("a", 21, 30)},
		{name: "count limit across authors",
			src:      src,
			req:      Request{Wants: []Want{{Author: author(bob)}, {Author: author(alice)}}, MaxEntries: 7},
			want:     join(span("b", 1, 5), span("a", 1, 2)),
			wantMore: true},
		{name: "count limit at an author boundary",
			src:      src,
			req:      Request{Wants: []Want{{Author: author(bob)}, {Author: author(alice)}}, MaxEntries: 5},
			want:     span("b", 1, 5),
			wantMore: true},
		{name: "count limit at the end",
			src:  src,
			req:  Request{Wants: []Want{{Author: author(bob)}, {Author: author(carol)}}, MaxEntries: 5},
			want: span("b", 1, 5)},
		{name: "byte limit", src: src, req: Request{Wants: []Want{{Author: author(alice)}}, MaxBytes: uint32(28*size + size - 1)}, want: span("a", 1, 28), wantMore: true},
		{name: "byte limit reached exactly", src: src, req: Request{Wants: []Want{{Author: author(alice)}}, MaxBytes: uint32(30 * size)}, want: span("a", 1, 30)},
		{name: "byte limit below one entry", src: newSource(carolLog), req: Request{Wants: []Want{{Author: author(carol)}}, MaxBytes: 1}, want: "c1", wantMore: true},
		{name: "partial log", src: partial, req: Request{Wants: []Want{{Author: author(bob)}, {Author: author(alice), Have: 1}}}, want: "b2 b4 b5 a2 a3"},
		{name: "partial log after a gap", src: partial, req: Request{Wants: []Want{{Author: author(bob), Have: 2}}}, want: "b4 b5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := exchange(t, tt.src, tt.req)
			if res.err != nil || res.serveErr != nil {
				t.Fatalf("Fetch() = %v, Serve() = %v", res.err, res.serveErr)
			}
			if got := seqs(res.entries); got != tt.want {
				t.Errorf("Fetch() entries = %q, want %q", got, tt.want)
			}
			if res.more != tt.wantMore {
				t.Errorf("Fetch() more = %v, want %v", res.more, tt.wantMore)
			}
			for _, e := range res.entries {
				if err := e.Verify(); err != nil {
					t.Errorf("entry %s seq %d: Verify() = %v", e.Author.Short(), e.Seq, err)
				}
			}
		})
	}
}

// TestFetchServeRedacted checks that redacted entries, as a holder keeps
// them after a delete, go through Serve and Fetch as they are: without
// their bodies, verifiable, chained, and counted at their redacted size.
func TestFetchServeRedacted(t *testing.T) {
	log := newLog(t, alice, 3, nil)
	del, err := entry.New(alice, 4, log[2].ID(), hlc.Timestamp{Wall: t0.Wall + 4}, entry.KindDelete,
		entry.Delete{Seq: 2, ID: log[1].ID()}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	held := append(redacted(log, 1), del)
	big := redacted(bigLog(t, carol, 3), 0, 1, 2)

	tests := []struct {
		name     string
		held     []*entry.Entry
		req      Request
		want     string
		wantMore bool
	}{
		{"redacted among full entries", held, Request{Wants: []Want{{Author: author(alice)}}}, "a1 a2 a3 a4", false},
		{"redacted first", held, Request{Wants: []Want{{Author: author(alice), Have: 1}}, MaxEntries: 1}, "a2", true},
		// Three redacted entries of entry.MaxSize bytes each fit the
		// smallest byte limit: what counts is the bytes sent.
		{"byte limit counts the redacted size", big, Request{Wants: []Want{{Author: author(carol)}}, MaxBytes: 1}, "c1 c2 c3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := exchange(t, newSource(tt.held), tt.req)
			if res.err != nil || res.serveErr != nil {
				t.Fatalf("Fetch() = %v, Serve() = %v", res.err, res.serveErr)
			}
			if got := seqs(res.entries); got != tt.want || res.more != tt.wantMore {
				t.Fatalf("Fetch() = %q, more %v; want %q, %v", got, res.more, tt.want, tt.wantMore)
			}
			byID := map[entry.ID]*entry.Entry{}
			for _, e := range tt.held {
				byID[e.ID()] = e
			}
			var prev *entry.Entry
			for _, e := range res.entries {
				h := byID[e.ID()]
				if h == nil || !bytes.Equal(e.Bytes(), h.Bytes()) || e.Redacted() != h.Redacted() || e.Redacted() != (e.Body == nil) {
					t.Fatalf("Fetch() seq %d = %x, Redacted() %v; want it as held", e.Seq, e.Bytes(), e.Redacted())
				}
				if err := e.Verify(); err != nil {
					t.Errorf("seq %d: Verify() = %v", e.Seq, err)
				}
				if prev != nil && prev.Seq+1 == e.Seq {
					if err := e.Follows(prev); err != nil {
						t.Errorf("seq %d: Follows() = %v", e.Seq, err)
					}
				}
				prev = e
			}
		})
	}
	if got := exchange(t, newSource(held), Request{Wants: []Want{{Author: author(alice)}}}).entries[1]; !got.Redacted() || len(got.Bytes()) != entry.BaseSize {
		t.Fatalf("entry 2 arrived with %d bytes, Redacted() %v; want %d, true", len(got.Bytes()), got.Redacted(), entry.BaseSize)
	}
}

// syncAll is what a node does: fetch until the server has nothing more,
// advancing each want's Have to what arrived, and check the chain.
func syncAll(t *testing.T, src Source, req Request) (got []*entry.Entry, rounds int) {
	t.Helper()
	have := map[entry.Key]*entry.Entry{}
	for {
		rounds++
		res := exchange(t, src, req)
		if res.err != nil || res.serveErr != nil {
			t.Fatalf("round %d: Fetch() = %v, Serve() = %v", rounds, res.err, res.serveErr)
		}
		for _, e := range res.entries {
			if err := e.Verify(); err != nil {
				t.Fatalf("round %d: Verify() = %v", rounds, err)
			}
			if prev := have[e.Author]; prev != nil {
				if err := e.Follows(prev); err != nil {
					t.Fatalf("round %d: Follows() = %v", rounds, err)
				}
			}
			have[e.Author] = e
		}
		got = append(got, res.entries...)
		if !res.more {
			return got, rounds
		}
		for i, w := range req.Wants {
			if e := have[w.Author]; e != nil {
				req.Wants[i].Have = e.Seq
			}
		}
		if rounds > 100 {
			t.Fatalf("still more after %d rounds", rounds)
		}
	}
}

func TestSyncContinues(t *testing.T) {
	src := newSource(newLog(t, alice, 25, nil), newLog(t, bob, 12, nil), bigLog(t, carol, 3))
	tests := []struct {
		name       string
		req        Request
		want       string
		wantRounds int
	}{
		{"by count", Request{Wants: []Want{{Author: author(alice)}, {Author: author(bob), Have: 2}}, MaxEntries: 10},
			join(span("a", 1, 25), span("b", 3, 12)), 4},
		{"by bytes", Request{Wants: []Want{{Author: author(carol)}, {Author: author(bob), Have: 10}}, MaxBytes: 1},
			join(span("c", 1, 3), span("b", 11, 12)), 4},
		{"no limits", Request{Wants: []Want{{Author: author(carol)}, {Author: author(bob)}, {Author: author(alice)}}},
			join(span("c", 1, 3), span("b", 1, 12), span("a", 1, 25)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rounds := syncAll(t, src, tt.req)
			if s := seqs(got); s != tt.want {
				t.Errorf("entries = %q, want %q", s, tt.want)
			}
			if rounds != tt.wantRounds {
				t.Errorf("rounds = %d, want %d", rounds, tt.wantRounds)
			}
		})
	}
}

func TestFetchBatches(t *testing.T) {
	log := newLog(t, alice, 600, nil)
	res := exchange(t, newSource(log), Request{Wants: []Want{{Author: author(alice)}}})
	if res.err != nil || res.serveErr != nil {
		t.Fatalf("Fetch() = %v, Serve() = %v", res.err, res.serveErr)
	}
	if want := []int{256, 256, 88}; !slices.Equal(res.batches, want) {
		t.Errorf("batch sizes = %v, want %v", res.batches, want)
	}
	if got, want := seqs(res.entries), span("a", 1, 600); got != want {
		t.Errorf("Fetch() entries out of order")
	}
}

func TestServeLimits(t *testing.T) {
	src := newSource(newLog(t, alice, MaxEntries+5, func(uint64) string { return "x" }))
	res := exchange(t, src, Request{Wants: []Want{{Author: author(alice)}}, MaxEntries: MaxEntries * 2})
	if res.err != nil || res.serveErr != nil {
		t.Fatalf("Fetch() = %v, Serve() = %v", res.err, res.serveErr)
	}
	if len(res.entries) != MaxEntries || !res.more {
		t.Fatalf("Fetch() = %d entries, more %v; want %d, true", len(res.entries), res.more, MaxEntries)
	}
}

func TestFetchCallbackError(t *testing.T) {
	errStop := errors.New("disk full")
	log := newLog(t, alice, 600, nil)
	var resp bytes.Buffer
	for _, e := range log {
		resp.Write(entryFrame(e.Bytes()))
	}
	resp.Write(endFrame(0))
	calls := 0
	_, err := Fetch(&resp, io.Discard, Request{Wants: []Want{{Author: author(alice)}}}, func([]*entry.Entry) error {
		calls++
		return errStop
	})
	if err != errStop {
		t.Fatalf("Fetch() = %v, want %v as is", err, errStop)
	}
	if calls != 1 {
		t.Fatalf("fn called %d times after failing, want 1", calls)
	}
}

func TestFetchIOError(t *testing.T) {
	errBroken := errors.New("stream reset")
	e := newLog(t, alice, 1, nil)[0]
	r := io.MultiReader(bytes.NewReader(entryFrame(e.Bytes())), &failReader{errBroken})
	var got []*entry.Entry
	_, err := Fetch(r, io.Discard, Request{Wants: []Want{{Author: author(alice)}}}, func(b []*entry.Entry) error {
		got = append(got, b...)
		return nil
	})
	if !errors.Is(err, errBroken) || errors.Is(err, ErrProtocol) {
		t.Fatalf("Fetch() = %v, want %v and no protocol violation", err, errBroken)
	}
	if len(got) != 1 {
		t.Fatalf("Fetch() handed %d entries to fn before the error, want 1", len(got))
	}
}

// badResponse is a response that breaks the protocol.
type badResponse struct {
	name          string
	req           Request
	resp          []byte
	also          error // besides ErrProtocol; nil: none checked
	wantDelivered string
}

func badResponses(t testing.TB) []badResponse {
	a := newLog(t, alice, 5, nil)
	b := newLog(t, bob, 5, nil)
	big := bigLog(t, carol, 3)
	wantAB := []Want{{Author: author(alice), Have: 1}, {Author: author(bob)}}
	frames := func(es ...*entry.Entry) []byte {
		var out []byte
		for _, e := range es {
			out = append(out, entryFrame(e.Bytes())...)
		}
		return out
	}
	malformed := bytes.Clone(a[2].Bytes())
	malformed[33+7] = 0 // seq 3 -> seq 0
	oversize := append(appendLen(nil, maxResponseFrame+1), frameEntry)

	return []badResponse{
		{name: "author not asked for", req: Request{Wants: wantAB}, resp: cat(frames(a[1], b[0]), frames(newLog(t, carol, 1, nil)...), endFrame(0)), wantDelivered: "a2 b1"},
		{name: "seq equal to have", req: Request{Wants: wantAB}, resp: cat(frames(a[0]), endFrame(0))},
		{name: "seq below have", req: Request{Wants: []Want{{Author: author(alice), Have: 4}}}, resp: cat(frames(a[2]), endFrame(0))},
		{name: "seq repeated", req: Request{Wants: wantAB}, resp: cat(frames(a[1], a[2], a[2]), endFrame(0)), wantDelivered: "a2 a3"},
		{name: "seq decreasing", req: Request{Wants: wantAB}, resp: cat(frames(a[3], b[0], a[2]), endFrame(0)), wantDelivered: "a4 b1"},
		{name: "too many entries", req: Request{Wants: wantAB, MaxEntries: 2}, resp: cat(frames(a[1], a[2], a[3]), endFrame(0)), also: ErrTooLarge, wantDelivered: "a2 a3"},
		{name: "too many bytes", req: Request{Wants: []Want{{Author: author(carol)}}, MaxBytes: 1}, resp: cat(frames(big[0], big[1]), endFrame(1)), also: ErrTooLarge, wantDelivered: "c1"},
		{name: "oversize frame", req: Request{Wants: wantAB}, resp: cat(frames(a[1]), oversize, make([]byte, maxResponseFrame+1)), also: ErrTooLarge, wantDelivered: "a2"},
		{name: "entry that does not parse", req: Request{Wants: wantAB}, resp: cat(frames(a[1]), entryFrame(malformed), endFrame(0)), also: entry.ErrMalformed, wantDelivered: "a2"},
		{name: "entry too short", req: Request{Wants: wantAB}, resp: cat(entryFrame(a[1].Bytes()[:100]), endFrame(0)), also: entry.ErrMalformed},
		{name: "entry with trailing byte", req: Request{Wants: wantAB}, resp: cat(entryFrame(append(bytes.Clone(a[1].Bytes()), 0)), endFrame(0)), also: entry.ErrMalformed},
		{name: "redacted entry with trailing byte", req: Request{Wants: wantAB}, resp: cat(entryFrame(append(bytes.Clone(a[1].Redact().Bytes()), 0)), endFrame(0)), also: entry.ErrMalformed},
		{name: "redacted entry cut short", req: Request{Wants: wantAB}, resp: cat(entryFrame(a[1].Redact().Bytes()[:entry.BaseSize-1]), endFrame(0)), also: entry.ErrMalformed},
		{name: "empty frame", req: Request{Wants: wantAB}, resp: cat([]byte{0}, endFrame(0))},
		{name: "unknown frame type", req: Request{Wants: wantAB}, resp: cat([]byte{2, 9, 0}, endFrame(0))},
		{name: "final frame too short", req: Request{Wants: wantAB}, resp: []byte{1, frameEnd}},
		{name: "final frame too long", req: Request{Wants: wantAB}, resp: []byte{3, frameEnd, 0, 0}},
		{name: "final frame unknown flag", req: Request{Wants: wantAB}, resp: cat(frames(a[1]), endFrame(2)), wantDelivered: "a2"},
		{name: "non-minimal length", req: Request{Wants: wantAB}, resp: []byte{0x82, 0x00, frameEnd, 0}},
		{name: "no final frame", req: Request{Wants: wantAB}, resp: frames(a[1], a[2]), also: io.ErrUnexpectedEOF, wantDelivered: "a2 a3"},
		{name: "nothing at all", req: Request{Wants: wantAB}, resp: nil, also: io.ErrUnexpectedEOF},
		{name: "garbage", req: Request{Wants: wantAB}, resp: []byte("HTTP/1.1 200 OK\r\n\r\n")},
		{name: "garbage after entries", req: Request{Wants: wantAB}, resp: cat(frames(a[1]), []byte("\x05hello")), wantDelivered: "a2"},
	}
}

// TestFetchRejects plays servers that break the protocol.
func TestFetchRejects(t *testing.T) {
	tests := badResponses(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent bytes.Buffer
			var got []*entry.Entry
			more, err := Fetch(bytes.NewReader(tt.resp), &sent, tt.req, func(b []*entry.Entry) error {
				got = append(got, b...)
				return nil
			})
			if !errors.Is(err, ErrProtocol) || more {
				t.Fatalf("Fetch() = %v, %v; want false, %v", more, err, ErrProtocol)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Fatalf("Fetch() = %v, want %v", err, tt.also)
			}
			if s := seqs(got); s != tt.wantDelivered {
				t.Errorf("Fetch() delivered %q before the violation, want %q", s, tt.wantDelivered)
			}
			if !bytes.Equal(sent.Bytes(), requestBytes(tt.req)) {
				t.Errorf("Fetch() sent %x, want the request %x", sent.Bytes(), requestBytes(tt.req))
			}
		})
	}
}

// TestFetchTruncated cuts a valid response at every byte.
func TestFetchTruncated(t *testing.T) {
	log := newLog(t, alice, 3, nil)
	var resp []byte
	for _, e := range log {
		resp = append(resp, entryFrame(e.Bytes())...)
	}
	resp = append(resp, endFrame(flagMore)...)
	req := Request{Wants: []Want{{Author: author(alice)}}}
	for cut := 0; cut <= len(resp); cut++ {
		n := 0
		more, err := Fetch(bytes.NewReader(resp[:cut]), io.Discard, req, func(b []*entry.Entry) error {
			n += len(b)
			return nil
		})
		if cut == len(resp) {
			if err != nil || !more || n != 3 {
				t.Fatalf("Fetch(whole response) = %v, %v with %d entries; want true, nil with 3", more, err, n)
			}
			continue
		}
		if !errors.Is(err, ErrProtocol) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("Fetch(response cut at %d) = %v, want %v and %v", cut, err, ErrProtocol, io.ErrUnexpectedEOF)
		}
	}
}

func TestServeRejects(t *testing.T) {
	for _, tt := range badRequests() {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			src := newSource()
			err := Serve(bytes.NewReader(tt.b), &out, src)
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("Serve() = %v, want %v", err, ErrProtocol)
			}
			if out.Len() != 0 || src.calls != 0 {
				t.Fatalf("Serve() wrote %d bytes and asked the source %d times for a bad request", out.Len(), src.calls)
			}
		})
	}
}

type funcSource func(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error)

func (f funcSource) Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error) {
	return f(author, after, maxCount, maxBytes)
}

// TestServeBadSource checks that Serve does not pass on what a broken
// source returns, and leaves the response unfinished.
func TestServeBadSource(t *testing.T) {
	a := newLog(t, alice, 3, nil)
	b := newLog(t, bob, 1, nil)
	errDisk := errors.New("disk on fire")
	tests := []struct {
		name    string
		entries []*entry.Entry
		err     error
	}{
		{"error", a[:1], errDisk},
		{"wrong author", []*entry.Entry{a[1], b[0]}, nil},
		{"seq not after", []*entry.Entry{a[0]}, nil},
		{"seq not increasing", []*entry.Entry{a[2], a[1]}, nil},
	}
	req := Request{Wants: []Want{{Author: author(alice), Have: 1}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in, out bytes.Buffer
			if err := WriteRequest(&in, req); err != nil {
				t.Fatal(err)
			}
			err := Serve(&in, &out, funcSource(func(entry.Key, uint64, int, int) ([]*entry.Entry, error) {
				return tt.entries, tt.err
			}))
			if err == nil || errors.Is(err, ErrProtocol) || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("Serve() = %v, want a source error", err)
			}
			_, ferr := Fetch(&out, io.Discard, req, func([]*entry.Entry) error { return nil })
			if !errors.Is(ferr, io.ErrUnexpectedEOF) {
				t.Fatalf("Fetch(what Serve wrote) = %v, want %v", ferr, io.ErrUnexpectedEOF)
			}
		})
	}
}

// TestServeAsksForOneMore pins how Serve detects a cut response: it asks
// the source for one entry beyond each limit.
func TestServeAsksForOneMore(t *testing.T) {
	var calls []string
	src := funcSource(func(a entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error) {
		calls = append(calls, fmt.Sprintf("%d %d", maxCount, maxBytes))
		return nil, nil
	})
	var in bytes.Buffer
	WriteRequest(&in, Request{Wants: []Want{{Author: author(alice)}}, MaxEntries: 7, MaxBytes: 10_000})
	if err := Serve(&in, io.Discard, src); err != nil {
		t.Fatal(err)
	}
	if want := []string{fmt.Sprintf("8 %d", 10_000+entry.MaxSize)}; !slices.Equal(calls, want) {
		t.Fatalf("source asked for %q, want %q", calls, want)
	}
}
