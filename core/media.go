package core

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/medialib"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Errors of the media API.
var (
	// ErrInvalidMedia reports a file or descriptor refused: a type not on
	// the allow-list or not what the file's bytes are, too large, a bad
	// thumbnail or alt text, too many attachments.
	ErrInvalidMedia = media.ErrInvalid
	// ErrMediaTooLarge reports a file over the 64 MiB limit.
	ErrMediaTooLarge = blob.ErrTooLarge
	// ErrNoMedia reports media this node does not hold and could not
	// find: no entry it holds names it, or no peer that has it answered.
	ErrNoMedia = errors.New("media not found: no peer that holds it could be reached")
)

// MaxMediaSize is the largest file ImportMedia takes: 64 MiB.
const MaxMediaSize = blob.MaxSize

// MaxMediaPerPost is the most images one post or reply carries.
const MaxMediaPerPost = media.MaxPerPost

// MaxThumbSize is the largest thumbnail: 16 KiB, one verification unit.
const MaxThumbSize = media.MaxThumbSize

// MaxAvatarSize is the largest avatar or banner: 4 MiB.
const MaxAvatarSize = media.MaxAvatarSize

// MediaType returns the type of a file from its first bytes (512 are
// enough): one of the types ImportMedia takes other than
// application/octet-stream, or "" when the bytes are none of them. Apps
// use it to label a file before importing it; ImportMedia checks it again.
func MediaType(head []byte) string { return media.Sniff(head) }

// openMedia opens the node's media library: blobs under DataDir/blobs,
// served to peers and fetched from them.
func openMedia(dir string, kv store.KV, n *Node, lim blobstore.Limits) (*medialib.Library, error) {
	return medialib.Open(medialib.Config{
		Dir:       filepath.Join(dir, "blobs"),
		KV:        store.Prefix(kv, []byte{store.BlobPrefix}),
		Index:     store.Prefix(kv, []byte{store.MediaPrefix}),
		Host:      n.host.Host,
		Limits:    lim,
		Providers: n.mediaProviders,
		Log:       n.log,
	})
}

// maxMediaProviders bounds the peers one download asks.
const maxMediaProviders = 16

// mediaProviders returns the peers to ask for a blob of author's, best
// first: the author's device, the store-and-forward relay that keeps the
// followed logs, connected peers (the relays and followers among them),
// then, when deep and those are few, the holders of the author's log that
// the DHT names: a lookup that background thumbnail batches do not make.
func (n *Node) mediaProviders(ctx context.Context, author entry.Key, deep bool) []peer.ID {
	var ps []peer.ID
	add := func(p peer.ID) {
		if p != "" && p != n.host.ID() && !slices.Contains(ps, p) && len(ps) < maxMediaProviders {
			ps = append(ps, p)
		}
	}
	if !author.IsZero() {
		if p, ok := n.deviceOf(author); ok {
			add(p)
		}
	}
	n.mu.Lock()
	add(n.keeper.ID)
	n.mu.Unlock()
	for _, p := range n.host.Network().Peers() {
		add(p)
	}
	if deep && !author.IsZero() && len(ps) < 4 && len(n.host.Network().Peers()) > 0 {
		for _, p := range n.findHolders(ctx, author) {
			add(p)
		}
	}
	return ps
}

// ImportMedia stores a file the logged-in account is about to attach to a
// post, an album or its profile, and returns its descriptor to pass to
// PostMedia, AddToAlbum or SetAvatar. The file is at most 64 MiB, a
// thumbnail at most 16 KiB. Unless the type is application/octet-stream,
// the file's first bytes must be of that type. The account's own media is
// never evicted.
func (n *Node) ImportMedia(ctx context.Context, r io.Reader, in MediaInput) (Media, error) {
	if _, err := n.requireSession(); err != nil {
		return Media{}, err
	}
	if !media.AllowedType(in.Type) {
		return Media{}, fmt.Errorf("%w: type %s is not allowed", ErrInvalidMedia, entry.Quote(in.Type))
	}
	br := bufio.NewReaderSize(r, 512)
	head, _ := br.Peek(512)
	// A typed file must be what it says: its bytes are the only proof a
	// reader has. Only application/octet-stream is any file.
	if got := media.Sniff(head); in.Type != "application/octet-stream" && got != in.Type {
		if got == "" {
			got = "not recognised"
		}
		return Media{}, fmt.Errorf("%w: the file says it is %s but its bytes are %s", ErrInvalidMedia, in.Type, got)
	}
	w, h, err := dimensions(in.Width, in.Height)
	if err != nil {
		return Media{}, err
	}
	d := media.Descriptor{
		Type:     in.Type,
		Width:    w,
		Height:   h,
		Alt:      in.Alt,
		Blurhash: in.Blurhash,
		Name:     in.Name,
	}
	if len(in.Thumb) > 0 {
		if len(in.Thumb) > media.MaxThumbSize {
			return Media{}, fmt.Errorf("%w: thumbnail of %d bytes, limit %d", ErrInvalidMedia, len(in.Thumb), media.MaxThumbSize)
		}
		if t := media.Sniff(in.Thumb); !media.ImageType(t) {
			return Media{}, fmt.Errorf("%w: the thumbnail is not a JPEG, PNG, GIF or WebP image", ErrInvalidMedia)
		}
		root, size, err := n.lib.Import(ctx, bytes.NewReader(in.Thumb), media.MaxThumbSize, blobstore.TierOwn)
		if err != nil {
			return Media{}, fmt.Errorf("core: thumbnail: %w", err)
		}
		d.Thumb, d.ThumbSize = root, uint32(size)
	}
	// A placeholder root and size let Check judge the rest before the
	// file is copied.
	d.Root, d.Size = blob.Root{1}, 1
	if err := d.Check(); err != nil {
		return Media{}, err
	}
	root, size, err := n.lib.Import(ctx, br, MaxMediaSize, blobstore.TierOwn)
	if err != nil {
		return Media{}, fmt.Errorf("core: %w", err)
	}
	d.Root, d.Size = root, size
	if err := d.Check(); err != nil {
		return Media{}, err
	}
	return n.mediaOf(d), nil
}

// descriptors converts media given back by an app into descriptors, each
// held whole by this node (an author attaches only what it can serve).
func (n *Node) descriptors(ms []Media) ([]media.Descriptor, error) {
	ds := make([]media.Descriptor, 0, len(ms))
	for _, m := range ms {
		d, err := descriptorOf(m)
		if err != nil {
			return nil, err
		}
		if !n.lib.Has(d.Root) {
			return nil, fmt.Errorf("%w: %s is not on this device: import it first", ErrInvalidMedia, d.Root.Short())
		}
		if !d.Thumb.IsZero() && !n.lib.Has(d.Thumb) {
			return nil, fmt.Errorf("%w: thumbnail %s is not on this device: import it first", ErrInvalidMedia, d.Thumb.Short())
		}
		if err := d.Check(); err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// dimensions checks an image's width and height, 0 for unknown, as a
// descriptor holds them.
func dimensions(w, h int) (uint16, uint16, error) {
	if w < 0 || h < 0 || w > 0xffff || h > 0xffff {
		return 0, 0, fmt.Errorf("%w: dimensions %d×%d", ErrInvalidMedia, w, h)
	}
	return uint16(w), uint16(h), nil
}

// descriptorOf parses the roots of m.
func descriptorOf(m Media) (media.Descriptor, error) {
	root, err := blob.ParseRoot(m.Root)
	if err != nil {
		return media.Descriptor{}, fmt.Errorf("%w: %w", ErrInvalidMedia, err)
	}
	d := media.Descriptor{Root: root, Size: m.Size, Type: m.Type, Alt: m.Alt, Blurhash: m.Blurhash, Name: m.Name}
	if d.Width, d.Height, err = dimensions(m.Width, m.Height); err != nil {
		return media.Descriptor{}, err
	}
	if m.Thumb != "" {
		if d.Thumb, err = blob.ParseRoot(m.Thumb); err != nil {
			return media.Descriptor{}, fmt.Errorf("%w: thumbnail: %w", ErrInvalidMedia, err)
		}
		if m.ThumbSize <= 0 || m.ThumbSize > media.MaxThumbSize {
			return media.Descriptor{}, fmt.Errorf("%w: thumbnail size %d", ErrInvalidMedia, m.ThumbSize)
		}
		d.ThumbSize = uint32(m.ThumbSize)
	}
	return d, nil
}

// mediaOf converts a descriptor for display.
func (n *Node) mediaOf(d media.Descriptor) Media {
	m := describe(d)
	m.Local = n.lib.Has(d.Root)
	return m
}

// describe converts a descriptor for display, without looking at what is
// held.
func describe(d media.Descriptor) Media {
	m := Media{
		Root:     d.Root.String(),
		Size:     d.Size,
		Type:     d.Type,
		Width:    int(d.Width),
		Height:   int(d.Height),
		Alt:      d.Alt,
		Blurhash: d.Blurhash,
		Name:     d.Name,
	}
	if !d.Thumb.IsZero() {
		m.Thumb, m.ThumbSize = d.Thumb.String(), int(d.ThumbSize)
	}
	return m
}

// mediaList converts an entry's descriptors for display; nil for none.
func (n *Node) mediaList(ds []media.Descriptor) []Media {
	if len(ds) == 0 {
		return nil
	}
	ms := make([]Media, len(ds))
	for i, d := range ds {
		ms[i] = n.mediaOf(d)
	}
	return ms
}

// PostMedia posts text with up to 4 images, each returned by ImportMedia.
// The text may be empty when there is an image; otherwise it follows the
// rules of Post. A request ID in ctx makes a retry return the first
// attempt's post (WithRequestID).
func (n *Node) PostMedia(ctx context.Context, text string, ms []Media) (Post, error) {
	if len(ms) == 0 {
		return n.Post(ctx, text)
	}
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	req, prior, err := n.replay(ctx, sess, "post", append([]string{text}, mediaRoots(ms)...)...)
	switch {
	case err != nil:
		return Post{}, err
	case prior != nil:
		return n.post(prior), nil
	}
	body, ds, err := n.mediaBody(text, ms)
	if err != nil {
		return Post{}, err
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindPost, body)
	if err != nil {
		return Post{}, err
	}
	if !replayed {
		n.lib.Note(sess.key, ds, medialib.Own)
		n.tell(sess, e, sess.key)
	}
	return n.post(e), nil
}

// ReplyMedia is Reply with up to 4 images, as PostMedia.
func (n *Node) ReplyMedia(ctx context.Context, postID, text string, ms []Media) (Post, error) {
	if len(ms) == 0 {
		return n.Reply(ctx, postID, text)
	}
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	req, prior, err := n.replay(ctx, sess, "reply", append([]string{postID, text}, mediaRoots(ms)...)...)
	switch {
	case err != nil:
		return Post{}, err
	case prior != nil:
		return n.post(prior), nil
	}
	textBody, ds, err := n.mediaBody(text, ms)
	if err != nil {
		return Post{}, err
	}
	parent, err := n.findPost(postID)
	if errors.Is(err, ErrNoPost) {
		parent, err = n.keptReply(postID, err)
	}
	if err != nil {
		return Post{}, err
	}
	body := append(entry.Reply{Parent: refOf(parent)}.Bytes(), textBody...)
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindReply, body)
	if err != nil {
		return Post{}, err
	}
	if !replayed {
		n.lib.Note(sess.key, ds, medialib.Own)
		n.tell(sess, e, parent.Author)
	}
	return n.post(e), nil
}

// mediaBody checks text and media and returns the text with its media
// section.
func (n *Node) mediaBody(text string, ms []Media) ([]byte, []media.Descriptor, error) {
	if len(ms) > media.MaxPerPost {
		return nil, nil, fmt.Errorf("%w: %d images, limit %d", ErrInvalidMedia, len(ms), media.MaxPerPost)
	}
	if text != "" {
		if err := CheckPostText(text); err != nil {
			return nil, nil, err
		}
	}
	ds, err := n.descriptors(ms)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		if !media.ImageType(d.Type) {
			return nil, nil, fmt.Errorf("%w: a post carries images only, not %s", ErrInvalidMedia, d.Type)
		}
	}
	body := media.AppendSection([]byte(text), ds)
	if len(body) > entry.MaxBody-200 {
		return nil, nil, fmt.Errorf("%w: the text, alt texts and descriptors take %d bytes, limit %d: shorten the alt texts", ErrInvalidMedia, len(body), entry.MaxBody-200)
	}
	return body, ds, nil
}

func mediaRoots(ms []Media) []string {
	rs := make([]string, len(ms))
	for i, m := range ms {
		rs[i] = m.Root + "\x00" + m.Alt
	}
	return rs
}

// FetchMedia makes sure this node holds the blob with the given root
// (64 hex digits) whole: if it does not, it downloads it from every peer
// that has it (the author's device, holders of the author's log, relays),
// verifying every 16 KiB. progress, if not nil, receives the download's
// progress. It fails with ErrNoMedia when no peer has it.
func (n *Node) FetchMedia(ctx context.Context, root string, progress func(MediaProgress)) (Media, error) {
	if err := n.alive(); err != nil {
		return Media{}, err
	}
	r, err := blob.ParseRoot(root)
	if err != nil {
		return Media{}, fmt.Errorf("%w: %w", ErrInvalidMedia, err)
	}
	tier := blobstore.TierCache
	if _, size, _, ok := n.lib.Lookup(r); ok && size <= media.MaxThumbSize {
		tier = blobstore.TierThumb
	}
	var fn func(blobnet.Progress)
	if progress != nil {
		fn = func(p blobnet.Progress) { progress(mediaProgress(p, "")) }
	}
	if err := n.lib.Fetch(ctx, r, tier, fn); err != nil {
		if errors.Is(err, medialib.ErrUnavailable) || errors.Is(err, medialib.ErrUnknown) {
			return Media{}, fmt.Errorf("%w: %s: %w", ErrNoMedia, r.Short(), err)
		}
		return Media{}, err
	}
	return n.heldMedia(r), nil
}

// heldMedia describes a held blob from what the index knows of it.
func (n *Node) heldMedia(r blob.Root) Media {
	m := Media{Root: r.String(), Local: n.lib.Has(r)}
	if _, size, typ, ok := n.lib.Lookup(r); ok {
		m.Size, m.Type = size, typ
	}
	if info, ok := n.lib.Blobs().Info(r); ok {
		m.Size = info.Size
	}
	return m
}

// mediaProgress converts a download's progress.
func mediaProgress(p blobnet.Progress, name string) MediaProgress {
	return MediaProgress{
		Root:      p.Root.String(),
		Name:      name,
		Size:      p.Size,
		Verified:  p.Verified,
		Pieces:    p.Pieces,
		Have:      p.Done,
		Peers:     p.Peers,
		Rate:      p.Rate,
		Duplicate: p.Duplicate,
		Bad:       p.Bad,
		Done:      p.Pieces > 0 && p.Done == p.Pieces,
	}
}

// MediaFile is a held blob opened for reading.
type MediaFile struct {
	io.ReadSeekCloser
	Size int64
	// Type is the type the entry naming it declared, checked against the
	// file's first bytes: an image type only if both agree.
	Type string
}

// OpenMedia opens a blob for reading, fetching it first if this node does
// not hold it whole (as FetchMedia). Close the file after use.
func (n *Node) OpenMedia(ctx context.Context, root string) (*MediaFile, error) {
	m, err := n.FetchMedia(ctx, root, nil)
	if err != nil {
		return nil, err
	}
	r, _ := blob.ParseRoot(m.Root)
	rd, err := n.lib.Blobs().Open(r)
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	n.lib.Blobs().Touch(r)
	var head [512]byte
	k, _ := io.ReadFull(rd, head[:])
	if _, err := rd.Seek(0, io.SeekStart); err != nil {
		rd.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	typ := media.Sniff(head[:k])
	if typ == "" || (m.Type != "" && m.Type != typ) {
		typ = "application/octet-stream"
	}
	return &MediaFile{ReadSeekCloser: rd, Size: rd.Size(), Type: typ}, nil
}

// MediaUsage reports the space media takes on this device, by tier.
func (n *Node) MediaUsage(ctx context.Context) (MediaUsage, error) {
	if err := n.alive(); err != nil {
		return MediaUsage{}, err
	}
	u := n.lib.Blobs().Usage()
	return MediaUsage{Own: u.Own, Pinned: u.Pinned, Thumbs: u.Thumb, Cache: u.Cache, Partial: u.Partial,
		Blobs: u.Blobs, CacheBudget: u.CacheBudget, ThumbBudget: u.ThumbBudget}, nil
}

// PruneMedia evicts cached media beyond the budgets now (it also runs by
// itself), and returns the bytes freed. Own media, mirrored albums and
// downloads in progress are never evicted.
func (n *Node) PruneMedia(ctx context.Context) (int64, error) {
	if err := n.alive(); err != nil {
		return 0, err
	}
	return n.lib.Blobs().Evict()
}

// noteMedia hands the media an ingested entry names to the library: it
// remembers whose they are and fetches the thumbnails; an album entry may
// also add to an album this node mirrors.
func (n *Node) noteMedia(e *entry.Entry) {
	if e.Kind == entry.KindAlbum && !e.Redacted() {
		n.noteAlbum(e)
		return
	}
	if ds := mediaIn(e); len(ds) > 0 {
		n.lib.Note(e.Author, ds, n.noteWhy(e.Author))
	}
}

// noteWhy is why the node notes an entry of author's media: its own
// accounts' entries describe their blobs with authority.
func (n *Node) noteWhy(author entry.Key) medialib.Why {
	if n.store.IsLocal(author) {
		return medialib.Own
	}
	return medialib.Seen
}

// mediaIn returns the descriptors an entry names: a post's or reply's
// images, a profile's avatar and banner, the items an album entry adds.
func mediaIn(e *entry.Entry) []media.Descriptor {
	if e.Redacted() {
		return nil
	}
	switch e.Kind {
	case entry.KindPost, entry.KindReply:
		return entry.Media(e)
	case entry.KindProfile:
		p, err := entry.ParseProfile(e.Body)
		if err != nil {
			return nil
		}
		var ds []media.Descriptor
		for _, d := range []*media.Descriptor{p.Avatar, p.Banner} {
			if d != nil {
				ds = append(ds, *d)
			}
		}
		return ds
	case entry.KindAlbum:
		if op, err := media.ParseAlbumOp(e.Body); err == nil {
			return op.Items
		}
	}
	return nil
}

// profileMedia converts a profile image for display; Local is not set.
func profileMedia(d *media.Descriptor) *Media {
	if d == nil {
		return nil
	}
	m := describe(*d)
	return &m
}

// SetAvatar sets the logged-in account's avatar to an image returned by
// ImportMedia (at most 4 MiB; give it a thumbnail, which is what apps show
// beside posts), or removes it when m is nil. The rest of the profile is
// kept.
func (n *Node) SetAvatar(ctx context.Context, m *Media) (User, error) {
	return n.setProfileImage(ctx, m, false)
}

// SetBanner is SetAvatar for the profile's banner.
func (n *Node) SetBanner(ctx context.Context, m *Media) (User, error) {
	return n.setProfileImage(ctx, m, true)
}

func (n *Node) setProfileImage(ctx context.Context, m *Media, banner bool) (User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return User{}, err
	}
	var d *media.Descriptor
	if m != nil {
		ds, err := n.descriptors([]Media{*m})
		if err != nil {
			return User{}, err
		}
		if !media.ImageType(ds[0].Type) || ds[0].Size > media.MaxAvatarSize {
			return User{}, fmt.Errorf("%w: a profile image is a JPEG, PNG, GIF or WebP image of at most %d bytes", ErrInvalidMedia, media.MaxAvatarSize)
		}
		d = &ds[0]
	}
	p, _, _ := n.profileOf(sess.key)
	if banner {
		p.Banner = d
	} else {
		p.Avatar = d
	}
	e, _, err := n.appendRequest(ctx, sess, nil, entry.KindProfile, p.Bytes())
	if err != nil {
		return User{}, err
	}
	got, err := entry.ParseProfile(e.Body)
	if err != nil {
		return User{}, fmt.Errorf("core: own profile entry: %w", err)
	}
	if d != nil {
		n.lib.Note(sess.key, []media.Descriptor{*d}, medialib.Own)
	}
	return withProfile(User{Name: sess.name, Key: sess.key.String()}, got), nil
}
