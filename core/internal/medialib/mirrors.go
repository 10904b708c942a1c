package medialib

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
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

// Settle is settle for the items of a mirror that ends before they were
// held: their partial downloads go back to the cache.
func (l *Library) Settle(roots []blob.Root) {
	for _, r := range roots {
		if err := l.settle(r); err != nil && !errors.Is(err, blobstore.ErrNotFound) {
			l.log.Warn("media tier not lowered", "root", r.Short(), "err", err)
		}
	}
}
