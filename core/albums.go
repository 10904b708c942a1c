package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/medialib"
)

// ErrNoAlbum reports an album its author does not have (or that this node
// has not seen).
var ErrNoAlbum = errors.New("no such album")

// CreateAlbum starts an album in the logged-in account's log. slug names
// it among the account's albums (1 to 32 of a-z, 0-9, '-' and '_', starting
// with a letter or digit); title is 1 to 100 characters.
func (n *Node) CreateAlbum(ctx context.Context, slug, title string) (Album, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Album{}, err
	}
	if _, err := n.albumsOf(sess.key); err != nil {
		return Album{}, err
	}
	if a, ok := n.foldAlbum(sess.key, slug); ok {
		return Album{}, fmt.Errorf("%w: you already have an album %s (%s)", ErrInvalidMedia, entry.Quote(slug), entry.Quote(a.Title))
	}
	if err := n.appendAlbum(ctx, sess, media.AlbumOp{Op: media.OpCreate, Album: slug, Title: title}); err != nil {
		return Album{}, err
	}
	return n.Album(ctx, sess.name, slug)
}

// AddToAlbum adds files, each returned by ImportMedia with a Name, to one
// of the logged-in account's albums, in as many entries as they need (64
// per entry). A file with the name of one already in the album replaces
// it.
func (n *Node) AddToAlbum(ctx context.Context, slug string, ms []Media) (Album, error) {
	sess, err := n.ownAlbum(slug)
	if err != nil {
		return Album{}, err
	}
	ds, err := n.descriptors(ms)
	if err != nil {
		return Album{}, err
	}
	for len(ds) > 0 {
		k := min(len(ds), media.MaxItemsPerAdd)
		// Alt texts and names make descriptors long: fewer fit an entry.
		for k > 1 && len(media.AlbumOp{Op: media.OpAdd, Album: slug, Items: ds[:k]}.Bytes()) > entry.MaxBody {
			k /= 2
		}
		op := media.AlbumOp{Op: media.OpAdd, Album: slug, Items: ds[:k]}
		if err := n.appendAlbum(ctx, sess, op); err != nil {
			return Album{}, err
		}
		ds = ds[k:]
	}
	return n.Album(ctx, sess.name, slug)
}

// RemoveFromAlbum removes the items with the given roots from one of the
// logged-in account's albums.
func (n *Node) RemoveFromAlbum(ctx context.Context, slug string, roots []string) (Album, error) {
	sess, err := n.ownAlbum(slug)
	if err != nil {
		return Album{}, err
	}
	rs := make([]blob.Root, 0, len(roots))
	for _, s := range roots {
		r, err := blob.ParseRoot(s)
		if err != nil {
			return Album{}, fmt.Errorf("%w: %w", ErrInvalidMedia, err)
		}
		rs = append(rs, r)
	}
	for len(rs) > 0 {
		k := min(len(rs), media.MaxItemsPerAdd)
		if err := n.appendAlbum(ctx, sess, media.AlbumOp{Op: media.OpRemove, Album: slug, Roots: rs[:k]}); err != nil {
			return Album{}, err
		}
		rs = rs[k:]
	}
	return n.Album(ctx, sess.name, slug)
}

// DropAlbum deletes one of the logged-in account's albums. Its files stay
// on the devices that mirror it.
func (n *Node) DropAlbum(ctx context.Context, slug string) error {
	sess, err := n.ownAlbum(slug)
	if err != nil {
		return err
	}
	return n.appendAlbum(ctx, sess, media.AlbumOp{Op: media.OpDrop, Album: slug})
}

// ownAlbum returns the session of the logged-in account if it has the
// album slug.
func (n *Node) ownAlbum(slug string) (*session, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	if _, ok := n.foldAlbum(sess.key, slug); !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoAlbum, entry.Quote(slug))
	}
	return sess, nil
}

// appendAlbum appends one album entry after checking that the fold takes
// it.
func (n *Node) appendAlbum(ctx context.Context, sess *session, op media.AlbumOp) error {
	body := op.Bytes()
	if _, err := media.ParseAlbumOp(body); err != nil {
		return err
	}
	as, err := n.albumsOf(sess.key)
	if err != nil {
		return err
	}
	if err := as.Apply(^uint64(0), op); err != nil {
		return err
	}
	if _, _, err := n.appendRequest(ctx, sess, nil, entry.KindAlbum, body); err != nil {
		return err
	}
	n.lib.Note(sess.key, op.Items, medialib.Own)
	return nil
}

// albumScan bounds the bytes of entries read per step of a fold.
const albumScan = 1 << 20

// albumsOf folds the album entries of author's log held here.
func (n *Node) albumsOf(author entry.Key) (*media.Albums, error) {
	as := new(media.Albums)
	var after uint64
	for {
		es, err := n.store.Entries(author, after, 4096, albumScan)
		if err != nil {
			return nil, err
		}
		if len(es) == 0 {
			return as, nil
		}
		for _, e := range es {
			after = e.Seq
			if e.Kind != entry.KindAlbum || e.Redacted() {
				continue
			}
			op, err := media.ParseAlbumOp(e.Body)
			if err != nil {
				continue
			}
			// An entry the fold refuses (an add to an unknown album)
			// changes nothing: every node folds alike.
			_ = as.Apply(e.Seq, op)
		}
	}
}

// foldAlbum returns author's album slug as held here.
func (n *Node) foldAlbum(author entry.Key, slug string) (media.Album, bool) {
	as, err := n.albumsOf(author)
	if err != nil {
		return media.Album{}, false
	}
	return as.Get(slug)
}

// Albums lists the albums of the user with this name ("" for the
// logged-in account), after fetching what this node misses of their log.
func (n *Node) Albums(ctx context.Context, name string) ([]Album, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	author, name, err := n.albumAuthor(ctx, sess, name)
	if err != nil {
		return nil, err
	}
	as, err := n.albumsOf(author)
	if err != nil {
		return nil, err
	}
	out := []Album{}
	for _, a := range as.List() {
		out = append(out, n.album(author, name, a))
	}
	return out, nil
}

// Album returns one album of the user with this name ("" for the
// logged-in account).
func (n *Node) Album(ctx context.Context, name, slug string) (Album, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Album{}, err
	}
	author, name, err := n.albumAuthor(ctx, sess, name)
	if err != nil {
		return Album{}, err
	}
	a, ok := n.foldAlbum(author, slug)
	if !ok {
		return Album{}, fmt.Errorf("%w: %s/%s", ErrNoAlbum, name, entry.Quote(slug))
	}
	return n.album(author, name, a), nil
}

// albumAuthor resolves name ("" for the account itself) and fetches what
// this node misses of the author's log.
func (n *Node) albumAuthor(ctx context.Context, sess *session, name string) (entry.Key, string, error) {
	if name == "" || name == sess.name {
		return sess.key, sess.name, nil
	}
	if err := entry.ValidName(name); err != nil {
		return entry.Key{}, "", err
	}
	author, err := n.resolve(ctx, sess, name)
	if err != nil && !errors.Is(err, ErrNameConflict) {
		return entry.Key{}, "", err
	}
	if n.blockedBy(sess.key, author) {
		return entry.Key{}, "", fmt.Errorf("%w: %s", ErrBlocked, name)
	}
	n.catchUp(ctx, author)
	return author, name, nil
}

// album converts a folded album for display.
func (n *Node) album(author entry.Key, name string, a media.Album) Album {
	out := Album{
		Author:    name,
		AuthorKey: author.String(),
		Slug:      a.Slug,
		Title:     a.Title,
		Items:     n.mediaList(a.Items),
		Size:      a.Size,
	}
	if out.Items == nil {
		out.Items = []Media{}
	}
	if e, err := n.store.Entry(author, a.Updated); err == nil {
		out.Updated = e.Time.Time().UTC()
	}
	for _, m := range out.Items {
		if m.Local {
			out.Held++
		}
	}
	if m, ok := n.lib.MirrorOf(author, a.Slug); ok {
		out.Mirrored, out.MirrorDir = true, m.Dir
	}
	return out
}

// MirrorAlbum keeps a copy of an album: it pins every item, fetching what
// it misses from everyone who holds it, writes the files to dir (when dir
// is not "") and from then on fetches what the author adds. progress, if
// not nil, receives each item's progress, one report at a time, items
// fetched in parallel interleaved. It returns when every item is
// held, or with the first error; what was fetched stays, and running it
// again resumes.
//
// A file the mirror did not write is never replaced: a file of the same
// name with other bytes makes the item go to "name (ROOT8).ext" instead,
// and a name starting with "." is written with a "_" before it.
func (n *Node) MirrorAlbum(ctx context.Context, name, slug, dir string, progress func(MediaProgress)) (Album, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Album{}, err
	}
	author, name, err := n.albumAuthor(ctx, sess, name)
	if err != nil {
		return Album{}, err
	}
	a, ok := n.foldAlbum(author, slug)
	if !ok {
		return Album{}, fmt.Errorf("%w: %s/%s", ErrNoAlbum, name, entry.Quote(slug))
	}
	if dir != "" {
		if dir, err = filepath.Abs(dir); err != nil {
			return Album{}, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return Album{}, fmt.Errorf("core: mirror directory: %w", err)
		}
	}
	m := medialib.Mirror{Author: author, Slug: slug, Dir: dir}
	if err := n.lib.SetMirror(m); err != nil {
		return Album{}, err
	}
	n.lib.Note(author, a.Items, medialib.Seen)
	if err := n.mirrorItems(ctx, m, a.Items, progress); err != nil {
		return n.album(author, name, a), err
	}
	return n.album(author, name, a), nil
}

// mirrorItems has the library fetch, pin and write items for the mirror
// m, and gives progress the reports as MediaProgress.
func (n *Node) mirrorItems(ctx context.Context, m medialib.Mirror, items []media.Descriptor, progress func(MediaProgress)) error {
	var fn func(media.Descriptor, blobnet.Progress)
	if progress != nil {
		fn = func(d media.Descriptor, p blobnet.Progress) { progress(mediaProgress(p, d.Name)) }
	}
	if err := n.lib.MirrorItems(ctx, m, items, fn); err != nil {
		return fmt.Errorf("core: %w", err)
	}
	return nil
}

// Unmirror stops mirroring an album: its files are no longer pinned (they
// stay in the cache until evicted) and new items are not fetched. Files
// written to the mirror's directory stay.
func (n *Node) Unmirror(ctx context.Context, name, slug string) error {
	sess, err := n.requireSession()
	if err != nil {
		return err
	}
	author, name, err := n.albumAuthor(ctx, sess, name)
	if err != nil {
		return err
	}
	if _, ok := n.lib.MirrorOf(author, slug); !ok {
		return fmt.Errorf("%w: you do not mirror %s/%s", ErrNoAlbum, name, entry.Quote(slug))
	}
	var items []media.Descriptor
	if a, ok := n.foldAlbum(author, slug); ok {
		items = a.Items
	}
	return n.lib.EndMirror(author, slug, items)
}

// Mirrors lists the albums this node mirrors.
func (n *Node) Mirrors(ctx context.Context) ([]Album, error) {
	if _, err := n.requireSession(); err != nil {
		return nil, err
	}
	out := []Album{}
	for _, m := range n.lib.Mirrors() {
		a, ok := n.foldAlbum(m.Author, m.Slug)
		if !ok {
			a = media.Album{Slug: m.Slug}
		}
		out = append(out, n.album(m.Author, n.nameOf(m.Author), a))
	}
	return out, nil
}

// noteAlbum handles an ingested album entry. For an album this node
// mirrors, the items it adds are fetched, pinned and written to the
// mirror's directory, and what is no longer in the album (removed,
// replaced by name, or the album dropped) is unpinned.
func (n *Node) noteAlbum(e *entry.Entry) {
	op, err := media.ParseAlbumOp(e.Body)
	if err != nil {
		return
	}
	n.lib.Note(e.Author, op.Items, n.noteWhy(e.Author))
	m, ok := n.lib.MirrorOf(e.Author, op.Album)
	if !ok {
		return
	}
	sess := n.session()
	if sess == nil {
		return // mirror it again to catch up
	}
	items := op.Items
	n.goSession(sess, func(ctx context.Context) {
		// Export first: a file replaced by name is recognised as the
		// mirror's own by the version it replaces, released after.
		if len(items) > 0 {
			if err := n.mirrorItems(ctx, m, items, nil); err != nil {
				n.log.Warn("mirror: new album items not fetched", "album", op.Album, "err", err)
			}
		}
		n.releaseGone(m, op.Op == media.OpDrop)
	})
}

// releaseGone unpins what the mirror m holds that its album no longer
// has; dropped says the album was dropped. An album the fold cannot find
// otherwise (its first entries collected under retention) releases
// nothing.
func (n *Node) releaseGone(m medialib.Mirror, dropped bool) {
	a, ok := n.foldAlbum(m.Author, m.Slug)
	if !ok && !dropped {
		return
	}
	if err := n.lib.ReleaseGone(m.Author, m.Slug, a.Items); err != nil {
		n.log.Warn("mirror: items not released", "album", m.Slug, "err", err)
	}
}
