package chatnet

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
)

// The client calls below each open one stream of h to peer p per request,
// within ctx (the caller sets its deadline), and check the answer against
// the request: a peer's answer that breaks the layout fails with
// ErrProtocol, one that does not match the request with ErrBadAnswer, and
// a status other than StatusOK with ErrRefused, ErrUnknownGroup,
// ErrBadRequest or ErrNotFound.

// Push sends entries of group g to p, which keeps what it wants, and
// returns how many it kept. Entries are sent in requests of at most
// MaxPushEntries and MaxRequest bytes, one after the other; on an error,
// the count is of the requests answered before it.
func Push(ctx context.Context, h host.Host, p peer.ID, g chatlog.GroupID, es []*chatlog.Entry) (int, error) {
	accepted := 0
	req := &Request{Op: OpPush, Group: g}
	size := 1 + 32 + 2
	flush := func() error {
		if len(req.Entries) == 0 {
			return nil
		}
		resp, err := call(ctx, h, p, req)
		if err != nil {
			return err
		}
		if resp.Accepted > len(req.Entries) {
			return fmt.Errorf("%w: %s accepted %d of %d entries", ErrBadAnswer, p.ShortString(), resp.Accepted, len(req.Entries))
		}
		accepted += resp.Accepted
		req.Entries, size = req.Entries[:0], 1+32+2
		return nil
	}
	for i, e := range es {
		if e.Group != g {
			return accepted, fmt.Errorf("chatnet: push to %s: entry %d is of group %s, not %s", p.ShortString(), i, e.Group.Short(), g.Short())
		}
		b := e.Encode()
		if len(b) > maxEntrySize {
			return accepted, fmt.Errorf("%w: entry %d of %d bytes, limit %d", ErrTooLarge, i, len(b), maxEntrySize)
		}
		if len(req.Entries) == MaxPushEntries || size+entryLenSize+len(b) > MaxRequest {
			if err := flush(); err != nil {
				return accepted, err
			}
		}
		req.Entries = append(req.Entries, b)
		size += entryLenSize + len(b)
	}
	return accepted, flush()
}

// Sync asks p for the entries of group g beyond have (for each author,
// the seq up to which the caller holds its sub-log; an author that is
// absent or at 0 is asked for from its start) and returns them, decoded
// and verified, with whether p holds more: ask again with the frontier
// advanced. have may name at most MaxFrontier authors with a seq above 0.
func Sync(ctx context.Context, h host.Host, p peer.ID, g chatlog.GroupID, have map[entry.Key]uint64) ([]*chatlog.Entry, bool, error) {
	req := &Request{Op: OpSync, Group: g}
	for _, a := range slices.SortedFunc(maps.Keys(have), func(a, b entry.Key) int { return bytes.Compare(a[:], b[:]) }) {
		if have[a] > 0 {
			req.Frontier = append(req.Frontier, Pair{Author: a, Seq: have[a]})
		}
	}
	resp, err := call(ctx, h, p, req)
	if err != nil {
		return nil, false, err
	}
	es, err := decodeAnswer(p, g, resp.Entries, func(e *chatlog.Entry, _ chatlog.ID) error {
		if e.Seq <= have[e.Author] {
			return fmt.Errorf("%w: %s sent %s seq %d, not beyond %d", ErrBadAnswer, p.ShortString(), e.Author.Short(), e.Seq, have[e.Author])
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return es, resp.More, nil
}

// Get asks p for the entries of group g with the given IDs (at most
// MaxGetIDs, after duplicates are removed) and returns those it sent,
// decoded and verified. p may leave out entries it does not hold, or that
// do not fit MaxAnswerBytes: ask again for those.
func Get(ctx context.Context, h host.Host, p peer.ID, g chatlog.GroupID, ids []chatlog.ID) ([]*chatlog.Entry, error) {
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, func(a, b chatlog.ID) int { return bytes.Compare(a[:], b[:]) })
	sorted = slices.Compact(sorted)
	if len(sorted) == 0 {
		return nil, nil
	}
	resp, err := call(ctx, h, p, &Request{Op: OpGet, Group: g, IDs: sorted})
	if err != nil {
		return nil, err
	}
	return decodeAnswer(p, g, resp.Entries, func(_ *chatlog.Entry, id chatlog.ID) error {
		if _, ok := slices.BinarySearchFunc(sorted, id, func(a, b chatlog.ID) int { return bytes.Compare(a[:], b[:]) }); !ok {
			return fmt.Errorf("%w: %s sent entry %s, not asked for", ErrBadAnswer, p.ShortString(), id)
		}
		return nil
	})
}

// decodeAnswer decodes and verifies the entries of a sync or get answer
// from p for group g, refusing duplicates, entries of another group and
// those check refuses.
func decodeAnswer(p peer.ID, g chatlog.GroupID, raw [][]byte, check func(*chatlog.Entry, chatlog.ID) error) ([]*chatlog.Entry, error) {
	out := make([]*chatlog.Entry, 0, len(raw))
	seen := make(map[chatlog.ID]bool, len(raw))
	for _, b := range raw {
		e, err := chatlog.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%w: from %s: %w", ErrBadAnswer, p.ShortString(), err)
		}
		if e.Group != g {
			return nil, fmt.Errorf("%w: %s sent an entry of group %s for %s", ErrBadAnswer, p.ShortString(), e.Group.Short(), g.Short())
		}
		id := chatlog.ID(sha256.Sum256(b))
		if seen[id] {
			return nil, fmt.Errorf("%w: %s sent entry %s twice", ErrBadAnswer, p.ShortString(), id)
		}
		seen[id] = true
		if err := check(e, id); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// FetchPrekey asks p for the latest prekey record of account and returns
// it, verified. The record may have expired: the caller checks with
// Expired. ErrNotFound means p holds none.
func FetchPrekey(ctx context.Context, h host.Host, p peer.ID, account entry.Key) (*chatcrypt.PrekeyRecord, error) {
	resp, err := call(ctx, h, p, &Request{Op: OpPrekey, Account: account})
	if err != nil {
		return nil, err
	}
	r, err := chatcrypt.ParsePrekey(resp.Record, time.Now())
	if err != nil {
		return nil, fmt.Errorf("%w: prekey record from %s: %w", ErrBadAnswer, p.ShortString(), err)
	}
	if r.Account != account {
		return nil, fmt.Errorf("%w: %s sent the prekey record of %s for %s", ErrBadAnswer, p.ShortString(), entry.Key(r.Account).Short(), account.Short())
	}
	return r, nil
}

// PutPrekey publishes prekey record r to p.
func PutPrekey(ctx context.Context, h host.Host, p peer.ID, r *chatcrypt.PrekeyRecord) error {
	_, err := call(ctx, h, p, &Request{Op: OpPutKey, Record: r.Encode()})
	return err
}

// FetchInbox asks relay p, with a request signed by priv, for the groups
// with entries addressed to priv's account since cursor since, and returns
// them with the cursor to ask with next. An answer of fewer than
// MaxInboxItems items is the end of the inbox for now.
func FetchInbox(ctx context.Context, h host.Host, p peer.ID, priv ed25519.PrivateKey, since uint64) ([]InboxItem, uint64, error) {
	req, err := SignInbox(priv, since, time.Now(), p)
	if err != nil {
		return nil, 0, err
	}
	resp, err := call(ctx, h, p, req)
	if err != nil {
		return nil, 0, err
	}
	seen := make(map[chatlog.GroupID]bool, len(resp.Items))
	for _, it := range resp.Items {
		if seen[it.Group] {
			return nil, 0, fmt.Errorf("%w: %s listed group %s twice", ErrBadAnswer, p.ShortString(), it.Group.Short())
		}
		seen[it.Group] = true
	}
	return resp.Items, resp.Next, nil
}

// FetchRecord asks p for the signed name record of account and returns
// it, raw, once it verifies (names.Decode: layout, work, signature) and is
// of the account asked. ErrNotFound means p holds none. Whether it is the
// newest record of the account is for the caller to judge (Updated).
func FetchRecord(ctx context.Context, h host.Host, p peer.ID, account entry.Key) ([]byte, error) {
	resp, err := call(ctx, h, p, &Request{Op: OpRecord, Account: account})
	if err != nil {
		return nil, err
	}
	return checkRecord(p, account, resp.NameRecord)
}

// checkRecord checks the name record p answered for account.
func checkRecord(p peer.ID, account entry.Key, rec []byte) ([]byte, error) {
	r, err := names.Decode(rec)
	if err != nil {
		return nil, fmt.Errorf("%w: name record from %s: %w", ErrBadAnswer, p.ShortString(), err)
	}
	if r.Account != account {
		return nil, fmt.Errorf("%w: %s sent the name record of %s for %s", ErrBadAnswer, p.ShortString(), r.Account.Short(), account.Short())
	}
	return rec, nil
}

// SearchGroups asks p for at most limit (1 to MaxGroupHits) public groups
// whose name contains query (1 to MaxQueryChars code points of UTF-8
// without control characters), ignoring case, and returns them. Every
// create entry decodes and verifies, is the create of a public group whose
// name matches (NameMatches), and names a group no other does; there are
// at most limit: else the whole answer is ErrBadAnswer. Members is p's
// claim, unverified: a server can lie about it, and leave groups out.
func SearchGroups(ctx context.Context, h host.Host, p peer.ID, query string, limit int) ([]GroupHit, error) {
	resp, err := call(ctx, h, p, &Request{Op: OpGroups, Limit: limit, Query: query})
	if err != nil {
		return nil, err
	}
	return checkGroups(p, query, limit, resp.Groups)
}

// checkGroups decodes and checks the groups p answered to a search for
// query of at most limit groups.
func checkGroups(p peer.ID, query string, limit int, groups []RawGroup) ([]GroupHit, error) {
	if len(groups) > limit {
		return nil, fmt.Errorf("%w: %s sent %d groups, %d asked", ErrBadAnswer, p.ShortString(), len(groups), limit)
	}
	out := make([]GroupHit, 0, len(groups))
	seen := make(map[chatlog.GroupID]bool, len(groups))
	for _, g := range groups {
		e, err := chatlog.Decode(g.Create)
		if err != nil {
			return nil, fmt.Errorf("%w: from %s: %w", ErrBadAnswer, p.ShortString(), err)
		}
		if e.Kind != chatlog.KindCreate {
			return nil, fmt.Errorf("%w: %s sent a %v entry for a create", ErrBadAnswer, p.ShortString(), e.Kind)
		}
		body, err := e.Control()
		if err != nil {
			return nil, fmt.Errorf("%w: from %s: %w", ErrBadAnswer, p.ShortString(), err)
		}
		if body.Flags&chatlog.FlagPublic == 0 {
			return nil, fmt.Errorf("%w: %s sent group %s, which is not public", ErrBadAnswer, p.ShortString(), e.Group.Short())
		}
		if !NameMatches(body.Name, query) {
			return nil, fmt.Errorf("%w: %s sent group %q for %q", ErrBadAnswer, p.ShortString(), body.Name, query)
		}
		if seen[e.Group] {
			return nil, fmt.Errorf("%w: %s sent group %s twice", ErrBadAnswer, p.ShortString(), e.Group.Short())
		}
		seen[e.Group] = true
		out = append(out, GroupHit{Create: e, Members: int(min(g.Members, math.MaxInt32))})
	}
	return out, nil
}

// call sends req to p over a new stream of h and returns the response,
// with a status of StatusOK.
func call(ctx context.Context, h host.Host, p peer.ID, req *Request) (*Response, error) {
	payload, err := AppendRequest(nil, req)
	if err != nil {
		return nil, err
	}
	s, err := h.NewStream(ctx, p, ProtocolID)
	if err != nil {
		return nil, fmt.Errorf("chatnet: %s to %s: %w", req.Op, p.ShortString(), err)
	}
	defer s.Close()
	if d, ok := ctx.Deadline(); ok {
		s.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	if _, err := s.Write(AppendFrame(make([]byte, 0, len(payload)+4), payload)); err != nil {
		s.Reset()
		return nil, fmt.Errorf("chatnet: %s to %s: %w", req.Op, p.ShortString(), err)
	}
	s.CloseWrite()
	out, err := ReadFrame(bufio.NewReader(s), MaxResponse)
	if err != nil {
		s.Reset()
		return nil, fmt.Errorf("chatnet: %s from %s: %w", req.Op, p.ShortString(), err)
	}
	resp, err := ParseResponse(req.Op, out)
	if err != nil {
		return nil, fmt.Errorf("chatnet: %s from %s: %w", req.Op, p.ShortString(), err)
	}
	if resp.Status != StatusOK {
		return nil, fmt.Errorf("chatnet: %s answered %s: %w", p.ShortString(), req.Op, resp.Status.err())
	}
	return resp, nil
}
