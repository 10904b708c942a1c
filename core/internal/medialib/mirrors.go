package medialib

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/store"
)

// MaxMirrors bounds the albums one node mirrors.
const MaxMirrors = 256

// Mirror is an album this node mirrors: it pins every item and fetches what
// the author adds, writing the files to Dir when it is set.
type Mirror struct {
	Author entry.Key
	Slug   string
	Dir    string
}

func mirrorKey(author entry.Key, slug string) []byte {
	return append(append([]byte{'m'}, author[:]...), slug...)
}

// SetMirror records a mirror, or updates its directory.
func (l *Library) SetMirror(m Mirror) error {
	if _, ok := l.MirrorOf(m.Author, m.Slug); !ok && len(l.Mirrors()) >= MaxMirrors {
		return fmt.Errorf("medialib: already mirroring %d albums: stop mirroring one first", MaxMirrors)
	}
	if len(m.Dir) > 4096 {
		return fmt.Errorf("medialib: mirror directory of %d bytes is too long", len(m.Dir))
	}
	v := binary.BigEndian.AppendUint16(nil, uint16(len(m.Dir)))
	var b store.Batch
	b.Put(mirrorKey(m.Author, m.Slug), append(v, m.Dir...))
	return l.cfg.Index.Commit(&b, true)
}

// RemoveMirror forgets a mirror; Release its items first.
func (l *Library) RemoveMirror(author entry.Key, slug string) error {
	var b store.Batch
	b.Delete(mirrorKey(author, slug))
	return l.cfg.Index.Commit(&b, true)
}

// MirrorOf returns the mirror of an album, if this node mirrors it.
func (l *Library) MirrorOf(author entry.Key, slug string) (Mirror, bool) {
	v, err := l.cfg.Index.Get(mirrorKey(author, slug))
	if err != nil {
		return Mirror{}, false
	}
	m, ok := parseMirror(mirrorKey(author, slug), v)
	return m, ok
}

// Mirrors returns every mirror, by author and slug.
func (l *Library) Mirrors() []Mirror {
	it := l.cfg.Index.Find([]byte{'m'}, []byte{'n'}, false)
	defer it.Close()
	var ms []Mirror
	for it.Next() {
		if m, ok := parseMirror(it.Key(), it.Value()); ok {
			ms = append(ms, m)
		}
	}
	return ms
}

func parseMirror(k, v []byte) (Mirror, bool) {
	if len(k) < 1+32+1 || len(v) < 2 || len(v) != 2+int(binary.BigEndian.Uint16(v)) {
		return Mirror{}, false
	}
	var m Mirror
	copy(m.Author[:], k[1:])
	m.Slug = string(k[33:])
	m.Dir = string(v[2:])
	return m, true
}

// itemKey is the row of a mirror's item: 'e', the author, the slug's
// length and the slug, the root.
func itemKey(author entry.Key, slug string, root blob.Root) []byte {
	return append(itemPrefix(author, slug), root[:]...)
}

func itemPrefix(author entry.Key, slug string) []byte {
	k := append([]byte{'e'}, author[:]...)
	k = append(k, byte(len(slug)))
	return append(k, slug...)
}

// Hold records that a mirror holds root, exported (if at all) under name,
// and pins the blob the first time: each mirror pins an item once, however
// often it is mirrored again.
func (l *Library) Hold(author entry.Key, slug string, root blob.Root, name string) error {
	key := itemKey(author, slug, root)
	if _, err := l.cfg.Index.Get(key); err != nil {
		if err := l.blobs.Pin(root); err != nil {
			return err
		}
	}
	// A mirror downloads as TierPinned, outside the cache's budget; from
	// now on the pin count keeps it, and a release leaves it to the cache.
	if err := l.settle(root); err != nil {
		return err
	}
	if len(name) > 4096 {
		name = name[:4096]
	}
	var b store.Batch
	b.Put(key, []byte(name))
	return l.cfg.Index.Commit(&b, true)
}

// Held returns what a mirror holds: each root and the name its file was
// written under ("" for none).
func (l *Library) Held(author entry.Key, slug string) map[blob.Root]string {
	p := itemPrefix(author, slug)
	it := l.cfg.Index.Find(p, store.PrefixEnd(p), false)
	defer it.Close()
	out := make(map[blob.Root]string)
	for it.Next() {
		if k := it.Key(); len(k) == len(p)+32 {
			out[blob.Root(k[len(p):])] = string(it.Value())
		}
	}
	return out
}

// Release unpins what a mirror holds of roots and forgets it.
func (l *Library) Release(author entry.Key, slug string, roots []blob.Root) error {
	var b store.Batch
	var errs []error
	for _, r := range roots {
		key := itemKey(author, slug, r)
		if _, err := l.cfg.Index.Get(key); err != nil {
			continue
		}
		if err := l.blobs.Unpin(r); err != nil && !errors.Is(err, blobstore.ErrNotFound) {
			errs = append(errs, err)
		}
		b.Delete(key)
	}
	errs = append(errs, l.cfg.Index.Commit(&b, true))
	return errors.Join(errs...)
}

// settle lowers a blob downloaded for a mirror to the cache tier, where
// only its pins keep it; the account's own blobs stay own.
func (l *Library) settle(root blob.Root) error {
	info, ok := l.blobs.Info(root)
	if !ok || info.Tier == blobstore.TierOwn {
		return nil
	}
	return l.blobs.SetTier(root, blobstore.TierCache)
}

// mirrorWorkers is how many items of an album a mirror fetches at once;
// each fetch is itself multi-source.
const mirrorWorkers = 2

// MirrorItems fetches items for the mirror m, mirrorWorkers at a time,
// pins each once for m (Hold) and writes it to m.Dir when that is set
// (Export). progress, if not nil, receives each item's reports one at a
// time, the last with every piece done, also for an item held already. It
// returns the first error, after the items in flight end; what was
// fetched stays.
func (l *Library) MirrorItems(ctx context.Context, m Mirror, items []media.Descriptor, progress func(media.Descriptor, blobnet.Progress)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		reportMu sync.Mutex // one report at a time
		exportMu sync.Mutex // one export at a time: names are chosen against the directory
		errMu    sync.Mutex
		firstErr error
	)
	report := func(d media.Descriptor, p blobnet.Progress) {
		if progress != nil {
			reportMu.Lock()
			defer reportMu.Unlock()
			progress(d, p)
		}
	}
	held := l.Held(m.Author, m.Slug)
	work := make(chan media.Descriptor)
	var wg sync.WaitGroup
	for range mirrorWorkers {
		wg.Go(func() {
			for d := range work {
				if err := l.mirrorItem(ctx, m, d, held, &exportMu, report); err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%q: %w", d.Name, err)
						cancel()
					}
					errMu.Unlock()
				}
			}
		})
	}
	for _, d := range items {
		select {
		case work <- d:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// mirrorItem fetches one item for m, reports it done, writes it and holds
// it. It downloads as TierPinned, outside the cache's budget; Hold pins it
// and lowers the tier, so that only the pin keeps it.
func (l *Library) mirrorItem(ctx context.Context, m Mirror, d media.Descriptor, held map[blob.Root]string, exportMu *sync.Mutex, report func(media.Descriptor, blobnet.Progress)) error {
	var last blobnet.Progress
	err := l.Fetch(ctx, d.Root, blobstore.TierPinned, func(p blobnet.Progress) {
		last = p
		report(d, p)
	})
	if err != nil {
		return err
	}
	if n := blob.Pieces(d.Size); last.Pieces == 0 || last.Done < last.Pieces {
		// Held already, or fetched by a download another caller
		// started: reported done all the same.
		report(d, blobnet.Progress{Root: d.Root, Size: int64(d.Size), Verified: int64(d.Size), Pieces: n, Done: n, Peers: last.Peers})
	}
	exportMu.Lock()
	defer exportMu.Unlock()
	written := held[d.Root]
	if m.Dir != "" {
		if written, err = l.Export(d, m.Dir, held); err != nil {
			return err
		}
	}
	return l.Hold(m.Author, m.Slug, d.Root, written)
}

// ReleaseGone releases what the mirror of author's album slug holds that
// is not among items, the album's items now.
func (l *Library) ReleaseGone(author entry.Key, slug string, items []media.Descriptor) error {
	in := make(map[blob.Root]bool, len(items))
	for _, d := range items {
		in[d.Root] = true
	}
	var gone []blob.Root
	for r := range l.Held(author, slug) {
		if !in[r] {
			gone = append(gone, r)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return l.Release(author, slug, gone)
}

// EndMirror ends the mirror of author's album slug: it releases what the
// mirror holds, returns to the cache the downloads it began among items
// (the album's items) and never finished, and forgets the mirror. Files it
// wrote stay.
func (l *Library) EndMirror(author entry.Key, slug string, items []media.Descriptor) error {
	if err := l.ReleaseGone(author, slug, nil); err != nil {
		return err
	}
	for _, d := range items {
		if err := l.settle(d.Root); err != nil && !errors.Is(err, blobstore.ErrNotFound) {
			l.log.Warn("media tier not lowered", "root", d.Root.Short(), "err", err)
		}
	}
	return l.RemoveMirror(author, slug)
}
