package blobstore

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Usage is the space the store uses, by tier. Own, Pinned, Thumb and Cache
// count complete blobs (with their outboards); Partial counts the pieces
// held of incomplete blobs, whatever their tier.
type Usage struct {
	Own, Pinned, Thumb, Cache, Partial int64
	// Blobs is the number of blobs held, whole or in part.
	Blobs int
	// CacheBudget and ThumbBudget are the limits in force.
	CacheBudget, ThumbBudget int64
}

// diskBytes returns the bytes m takes: pieces held and outboard.
func diskBytes(m *meta) int64 {
	n := m.haveBytes()
	if m.inline == nil && (m.obOK || m.complete) {
		n += int64(blob.OutboardSize(m.size))
	}
	return n
}

// Usage returns the space used, by tier.
func (s *Store) Usage() Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := Usage{Blobs: len(s.metas), CacheBudget: s.lim.CacheBudget, ThumbBudget: s.lim.ThumbBudget}
	for _, m := range s.metas {
		n := diskBytes(m)
		if !m.complete {
			u.Partial += n
			continue
		}
		switch m.effTier() {
		case TierOwn:
			u.Own += n
		case TierPinned:
			u.Pinned += n
		case TierThumb:
			u.Thumb += n
		default:
			u.Cache += n
		}
	}
	return u
}

// Evict removes whole blobs to keep each evictable tier within its budget:
// first cache blobs unused for Limits.TTL, then the least recently used
// cache blobs while TierCache (complete and partial) exceeds CacheBudget,
// then the least recently used thumbnails while TierThumb exceeds
// ThumbBudget. It never removes own or pinned blobs, blobs with an open
// Partial or Reader, or blobs used within Limits.Immunity. It returns the
// bytes freed.
func (s *Store) Evict() (freed int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	now := unixMs(s.now())
	immune := now - s.lim.Immunity.Milliseconds()
	expired := now - s.lim.TTL.Milliseconds()
	type cand struct {
		root blob.Root
		m    *meta
	}
	var cache, thumbs []cand
	var cacheUsed, thumbUsed int64
	for root, m := range s.metas {
		switch m.effTier() {
		case TierCache:
			cacheUsed += diskBytes(m)
			cache = append(cache, cand{root, m})
		case TierThumb:
			thumbUsed += diskBytes(m)
			thumbs = append(thumbs, cand{root, m})
		}
	}
	lru := func(a, b cand) int {
		if c := cmp.Compare(a.m.used, b.m.used); c != 0 {
			return c
		}
		return slices.Compare(a.root[:], b.root[:])
	}
	slices.SortFunc(cache, lru)
	slices.SortFunc(thumbs, lru)
	evictable := func(c cand) bool {
		return s.dls[c.root] == nil && s.busy[c.root] == 0 && c.m.used < immune
	}
	remove := func(c cand) error {
		n := diskBytes(c.m)
		if _, err := s.removeLocked(c.root); err != nil {
			return err
		}
		freed += n
		s.log.Debug("blobstore: evicted", "root", c.root.Short(), "tier", c.m.effTier(), "bytes", n)
		return nil
	}
	for _, c := range cache {
		if evictable(c) && (c.m.used < expired || cacheUsed > s.lim.CacheBudget) {
			n := diskBytes(c.m)
			if err := remove(c); err != nil {
				return freed, err
			}
			cacheUsed -= n
		}
	}
	for _, c := range thumbs {
		if thumbUsed <= s.lim.ThumbBudget {
			break
		}
		if evictable(c) {
			n := diskBytes(c.m)
			if err := remove(c); err != nil {
				return freed, err
			}
			thumbUsed -= n
		}
	}
	if len(s.dirty) > 0 {
		if err := s.flushLocked(); err != nil {
			return freed, err
		}
	}
	return freed, nil
}

// fullBytes returns the bytes m takes once complete: data and outboard.
func fullBytes(m *meta) int64 {
	n := int64(m.size)
	if m.inline == nil && m.size > blob.GroupSize {
		n += int64(blob.OutboardSize(m.size))
	}
	return n
}

// blobBytes returns the bytes a blob of size takes once complete.
func blobBytes(size uint64) int64 {
	return fullBytes(&meta{size: size})
}

// admitLocked admits a blob of size bytes into tier (the tier it will be
// evicted as) before Begin or Add commits it: pending is the part of its
// bytes not yet on disk. For TierCache and TierThumb, if the tier's usage
// (complete blobs, and in-flight ones at their full size) would exceed
// its budget, it evicts blobs of that tier, least recently used first and
// regardless of Limits.Immunity (never one with an open Partial or
// Reader), and fails with ErrBudget if that cannot make room; and it
// fails with ErrNoSpace if the free space would fall below
// Limits.MinFree. It evicts nothing unless the blob is then admitted.
// Own and pinned blobs are always admitted.
func (s *Store) admitLocked(root blob.Root, size uint64, tier Tier, pending int64) error {
	var budget int64
	switch tier {
	case TierCache:
		budget = s.lim.CacheBudget
	case TierThumb:
		budget = s.lim.ThumbBudget
	default:
		return nil
	}
	need := blobBytes(size)
	type cand struct {
		root blob.Root
		m    *meta
	}
	var cands []cand
	var used, reserved int64
	for r, m := range s.metas {
		if r == root {
			continue
		}
		inFlight := s.dls[r] != nil
		if inFlight && !m.complete {
			// It may still write the rest of its bytes.
			reserved += fullBytes(m) - diskBytes(m)
		}
		if m.effTier() != tier {
			continue
		}
		if inFlight && !m.complete {
			used += fullBytes(m)
		} else {
			used += diskBytes(m)
		}
		if !inFlight && s.busy[r] == 0 {
			cands = append(cands, cand{r, m})
		}
	}
	var plan []cand
	var freed int64
	if used+need > budget {
		slices.SortFunc(cands, func(a, b cand) int {
			if c := cmp.Compare(a.m.used, b.m.used); c != 0 {
				return c
			}
			return slices.Compare(a.root[:], b.root[:])
		})
		for _, c := range cands {
			if used-freed+need <= budget {
				break
			}
			plan = append(plan, c)
			freed += diskBytes(c.m)
		}
		if used-freed+need > budget {
			return fmt.Errorf("%w: %s of %d bytes: the %s tier holds %d of its %d, %d of them in use",
				ErrBudget, root.Short(), need, tier, used, budget, used-freed)
		}
	}
	if s.lim.MinFree > 0 {
		if free, _, ok := s.space(s.dir); ok && int64(free)+freed-reserved-pending < s.lim.MinFree {
			return fmt.Errorf("blobstore: %s: %w: %d more bytes would leave less than %d free (%d free, %d promised to downloads)",
				root.Short(), ErrNoSpace, pending, s.lim.MinFree, free, reserved)
		}
	}
	for _, c := range plan {
		n := diskBytes(c.m)
		if _, err := s.removeLocked(c.root); err != nil {
			return err
		}
		s.log.Debug("blobstore: evicted to admit a blob", "root", c.root.Short(), "tier", tier, "bytes", n, "for", root.Short())
	}
	return nil
}

// admitTier returns the tier a blob begun or added with t will be evicted
// as, given its row m (nil if none).
func admitTier(m *meta, t Tier) Tier {
	if m == nil {
		return t
	}
	e := *m
	e.tier = max(m.tier, t)
	return e.effTier()
}
