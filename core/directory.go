package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/directory"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// The directory: a relay indexes the name records its registry holds and
// the profile entries clients publish to it, and answers substring
// queries (core/internal/directory); a client asks the relays and
// bootstrap peers its user configured, verifies every result and merges
// them by account.

// directoryTimeout bounds one relay's answer to a search or a publish.
const directoryTimeout = 5 * time.Second

// directoryStats counts what the directory's clients threw away.
type directoryStats struct {
	dropped atomic.Int64 // results that failed verification
	failed  atomic.Int64 // relays that failed to answer, or answered out of protocol
}

// openDirectory opens a relay's directory in its database, fills it with
// the claims its registry holds (records it holds already are skipped
// before any signature check), has it learn each record the registry
// stores from now on, and serves it on h.
func openDirectory(h *p2p.Host, kv store.KV, reg *names.Registry, maxAccounts int, plog *ratelimit.Log) (*directory.Directory, error) {
	dir, err := directory.Open(store.Prefix(kv, []byte{store.DirectoryPrefix}), maxAccounts, reg.Holds)
	if err != nil {
		return nil, err
	}
	reg.OnStore(func(rec []byte) { dir.AddRecord(rec) })
	if err := reg.Each(func(rec []byte) bool {
		dir.AddRecord(rec) // a claim it cannot take (full) is left out
		return true
	}); err != nil {
		return nil, err
	}
	srv := directory.NewServer(dir, directory.Limits{}, plog)
	h.SetStreamHandler(directory.ProtocolID, srv.Serve)
	return dir, nil
}

// directoryPeers returns the anchors connected now that may serve the
// directory: those whose protocols are not known yet, and those that list
// it.
func (n *Node) directoryPeers() []peer.ID {
	var out []peer.ID
	for _, p := range n.anchors() {
		if n.host.Network().Connectedness(p) != network.Connected {
			continue
		}
		if protos, err := n.host.Peerstore().GetProtocols(p); err == nil && len(protos) > 0 &&
			!slices.Contains(protos, directory.ProtocolID) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// directorySearch asks every connected anchor's directory for up to limit
// accounts whose name, display name or bio contains query, ignoring case,
// in parallel and within directoryTimeout each. It verifies every result
// (directory.Verify: the record's signature and work, the profile entry's
// signature by the record's account and kind, the match) and merges them
// by account; what fails is dropped, counted and logged. It fails with
// directory.ErrQuery for an invalid query or limit, ErrOffline when no
// anchor is connected, and the first relay's error when none answered.
func (n *Node) directorySearch(ctx context.Context, query string, limit int) ([]directory.Result, error) {
	if err := directory.CheckQuery(query, limit); err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	peers := n.directoryPeers()
	if len(peers) == 0 {
		return nil, fmt.Errorf("core: directory search: %w", ErrOffline)
	}
	batches, errs := askAll(ctx, peers, func(ctx context.Context, p peer.ID) ([]directory.Raw, error) {
		return directory.SearchPeer(ctx, n.host, p, query, limit)
	})
	for _, err := range errs {
		n.dirStats.failed.Add(1)
		n.plog.Debug("directory", "directory search failed", "err", err)
	}
	if len(batches) == 0 {
		return nil, fmt.Errorf("core: directory search: %w", errs[0])
	}
	res, dropped := directory.Merge(query, limit, batches, time.Now())
	if dropped > 0 {
		n.dirStats.dropped.Add(int64(dropped))
		n.plog.Warn("directory", "directory results dropped: they failed verification", "results", dropped)
	}
	return res, nil
}

// publishProfile sends e, the account's latest profile entry, to the
// directory of every connected anchor, in parallel and within
// directoryTimeout each. It succeeds if one of them holds it now (kept, or
// holding it or a newer one already); an anchor that does not hold the
// account's name record yet takes it once the record reaches it and the
// entry is published again (at the next login or profile change).
func (n *Node) publishProfile(ctx context.Context, e *entry.Entry) error {
	if e.Kind != entry.KindProfile || e.Redacted() {
		return fmt.Errorf("core: publish profile: %w", directory.ErrNotProfile)
	}
	peers := n.directoryPeers()
	if len(peers) == 0 {
		return fmt.Errorf("core: publish profile: %w", ErrOffline)
	}
	held, errs := askAll(ctx, peers, func(ctx context.Context, p peer.ID) (directory.Status, error) {
		st, err := directory.PublishPeer(ctx, n.host, p, e.Bytes())
		if err == nil && st != directory.StatusOK && st != directory.StatusStale {
			err = fmt.Errorf("directory: %s answered %s", p.ShortString(), st)
		}
		return st, err
	})
	if len(held) == 0 {
		return fmt.Errorf("core: publish profile: %w", errors.Join(errs...))
	}
	for _, err := range errs {
		n.log.Debug("profile not published to a relay", "err", err)
	}
	return nil
}

// askAll calls ask for every peer at once, each within directoryTimeout,
// and returns the answers of those that answered and the errors of the
// others.
func askAll[T any](ctx context.Context, peers []peer.ID, ask func(context.Context, peer.ID) (T, error)) ([]T, []error) {
	var (
		mu   sync.Mutex
		oks  []T
		errs []error
		wg   sync.WaitGroup
	)
	for _, p := range peers {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, directoryTimeout)
			defer cancel()
			v, err := ask(pctx, p)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			oks = append(oks, v)
		})
	}
	wg.Wait()
	return oks, errs
}

// publishOwnProfile publishes the session account's latest profile entry
// to the relays' directories unless that entry was published already in
// this session. publishName calls it once its anchors hold the name record,
// which a relay needs before it takes the profile: so a profile reaches the
// directories at login and, after SetProfile, with the name record that the
// log's growth republishes.
func (n *Node) publishOwnProfile(ctx context.Context, sess *session) {
	_, e, ok := n.profileOf(sess.key)
	if !ok || e.Seq <= sess.dirProfile.Load() {
		return
	}
	if err := n.publishProfile(ctx, e); err != nil {
		n.log.Debug("profile not published to a directory", "seq", e.Seq, "err", err)
		return
	}
	sess.dirProfile.Store(e.Seq)
}

// directoryUsers returns the users the relays' directories find for query,
// verified, as Search shows them: none, without an error, when no relay is
// connected or none answers.
func (n *Node) directoryUsers(ctx context.Context, query string, limit int) ([]User, error) {
	rs, err := n.directorySearch(ctx, strings.TrimSpace(query), min(limit, directory.MaxLimit))
	switch {
	case errors.Is(err, directory.ErrQuery):
		return nil, fmt.Errorf("%w: %w", ErrBadQuery, err)
	case err != nil:
		n.log.Debug("directory search failed", "err", err)
		return nil, nil
	}
	out := make([]User, 0, len(rs))
	for _, r := range rs {
		out = append(out, withProfile(User{Name: r.Name, Key: r.Account.String()}, r.Profile))
	}
	return out, nil
}
