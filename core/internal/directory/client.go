package directory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
)

// Errors of result verification. Verify's errors wrap one of them.
var (
	// ErrForged means a result's name record or profile entry does not
	// verify, or the entry is not a profile of the record's account.
	ErrForged = errors.New("directory: forged result")
	// ErrNoMatch means a result does not contain the query.
	ErrNoMatch = errors.New("directory: result does not match the query")
)

// Result is a verified search result: an account, its name as its record
// claims it, and its profile, with the bytes they were verified from.
type Result struct {
	Name    string
	Account entry.Key
	Updated uint64        // the name record's Updated, ms since the Unix epoch
	Profile entry.Profile // zero without a profile entry
	Seq     uint64        // the profile entry's seq; 0 without one
	Record  []byte        // the name record, as signed
	Entry   []byte        // the profile entry, as signed; nil without one
}

// Verify checks a result against the query it answers: the name record
// decodes, carries its work and its signature verifies, and is not dated
// more than names.MaxClockSkew ahead of now; the profile entry, if any, is
// a full profile entry signed by the record's account; and the name,
// display name or bio contains the query, ignoring case. A relay can
// therefore neither invent an account nor alter its profile; it can only
// leave results out or return an account's older profile.
func Verify(query string, r Raw, now time.Time) (Result, error) {
	rec, err := names.Decode(r.Record)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrForged, err)
	}
	if limit := now.Add(names.MaxClockSkew).UnixMilli(); limit < 0 || rec.Updated > uint64(limit) {
		return Result{}, fmt.Errorf("%w: record of %q dated in the future", ErrForged, rec.Name)
	}
	res := Result{Name: rec.Name, Account: rec.Account, Updated: rec.Updated, Record: r.Record}
	if len(r.Entry) > 0 {
		if len(r.Entry) > MaxProfileEntry {
			return Result{}, fmt.Errorf("%w: profile entry of %d bytes", ErrForged, len(r.Entry))
		}
		e, err := entry.Decode(r.Entry)
		if err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrForged, err)
		}
		switch {
		case e.Author != rec.Account:
			return Result{}, fmt.Errorf("%w: profile entry of %s with the record of %s", ErrForged, e.Author.Short(), rec.Account.Short())
		case e.Kind != entry.KindProfile || e.Redacted():
			return Result{}, fmt.Errorf("%w: %s entry for a profile", ErrForged, e.Kind)
		}
		if res.Profile, err = entry.ParseProfile(e.Body); err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrForged, err)
		}
		res.Seq, res.Entry = e.Seq, r.Entry
	}
	if !strings.Contains(docText(res.Name, res.Profile), strings.ToLower(query)) {
		return Result{}, fmt.Errorf("%w: %q for %q", ErrNoMatch, res.Name, query)
	}
	return res, nil
}

// Merge verifies the results that several relays gave to query, keeps one
// per account (its latest profile, then its latest record), and returns
// the best limit of them in the order of Directory.Search, with the number
// of results dropped because they failed Verify.
func Merge(query string, limit int, batches [][]Raw, now time.Time) ([]Result, int) {
	dropped := 0
	best := make(map[entry.Key]Result)
	for _, batch := range batches {
		for _, raw := range batch {
			r, err := Verify(query, raw, now)
			if err != nil {
				dropped++
				continue
			}
			if old, ok := best[r.Account]; !ok || r.Seq > old.Seq || r.Seq == old.Seq && r.Updated > old.Updated {
				best[r.Account] = r
			}
		}
	}
	q := strings.ToLower(query)
	out := make([]Result, 0, len(best))
	for _, r := range best {
		out = append(out, r)
	}
	rank := func(r Result) hit {
		h := hit{score: 3, name: r.Name}
		i := strings.Index(docText(r.Name, r.Profile), q)
		switch {
		case len(q) == len(r.Name) && i == 0:
			h.score = 0
		case i == 0:
			h.score = 1
		case i+len(q) <= len(r.Name):
			h.score = 2
		}
		return h
	}
	slices.SortFunc(out, func(a, b Result) int {
		ha, hb := rank(a), rank(b)
		switch {
		case ha.less(hb):
			return -1
		case hb.less(ha):
			return 1
		}
		return slices.Compare(a.Account[:], b.Account[:])
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, dropped
}

// SearchPeer asks peer p's directory for up to limit accounts matching
// query, over a new stream of h, within ctx. The results are unverified.
func SearchPeer(ctx context.Context, h host.Host, p peer.ID, query string, limit int) ([]Raw, error) {
	if err := CheckQuery(query, limit); err != nil {
		return nil, err
	}
	payload, err := exchange(ctx, h, p, AppendSearch(nil, query, limit), MaxResponse)
	if err != nil {
		return nil, err
	}
	st, res, err := ParseResults(payload, limit)
	if err != nil {
		return nil, err
	}
	if st != StatusOK {
		return nil, fmt.Errorf("directory: %s answered %s", p.ShortString(), st)
	}
	return res, nil
}

// PublishPeer sends a profile entry to peer p's directory over a new
// stream of h, within ctx, and returns its answer.
func PublishPeer(ctx context.Context, h host.Host, p peer.ID, e []byte) (Status, error) {
	if len(e) == 0 || len(e) > MaxProfileEntry {
		return 0, fmt.Errorf("%w: profile entry of %d bytes, limit %d", ErrNotProfile, len(e), MaxProfileEntry)
	}
	payload, err := exchange(ctx, h, p, AppendPublish(nil, e), 1)
	if err != nil {
		return 0, err
	}
	if len(payload) != 1 {
		return 0, fmt.Errorf("%w: publish answer of %d bytes", ErrProtocol, len(payload))
	}
	return Status(payload[0]), nil
}

// exchange sends one request frame to p and reads the response payload of
// at most max bytes.
func exchange(ctx context.Context, h host.Host, p peer.ID, req []byte, max int) ([]byte, error) {
	s, err := h.NewStream(ctx, p, ProtocolID)
	if err != nil {
		return nil, fmt.Errorf("directory: %s: %w", p.ShortString(), err)
	}
	defer s.Close()
	if d, ok := ctx.Deadline(); ok {
		s.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	if _, err := s.Write(req); err != nil {
		s.Reset()
		return nil, fmt.Errorf("directory: %s: %w", p.ShortString(), err)
	}
	s.CloseWrite()
	payload, err := ReadFrame(bufio.NewReader(s), max)
	if err != nil {
		s.Reset()
		return nil, fmt.Errorf("directory: %s: %w", p.ShortString(), err)
	}
	return payload, nil
}
