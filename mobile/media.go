package mobile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core"
)

// Limits of media an app may show or check before calling.
const (
	// MaxMediaSize is the largest file ImportMedia takes and MediaBytes
	// returns: 64 MiB.
	MaxMediaSize = core.MaxMediaSize
	// MaxMediaPerPost is the most images one post or reply carries (4).
	MaxMediaPerPost = core.MaxMediaPerPost
	// MaxThumbSize is the largest thumbnail MediaInput.SetThumb takes:
	// 16 KiB.
	MaxThumbSize = core.MaxThumbSize
	// MaxAvatarSize is the largest image SetAvatar and SetBanner take:
	// 4 MiB.
	MaxAvatarSize = core.MaxAvatarSize
	// MediaTimeoutMinutes bounds FetchMedia, MediaBytes and MirrorAlbum,
	// which may move many megabytes: a call gives up after it (what was
	// verified stays; calling again resumes).
	MediaTimeoutMinutes = 10
)

// mediaTimeout bounds a call that downloads media.
const mediaTimeout = MediaTimeoutMinutes * time.Minute

// MediaInput describes an image given to ImportMedia. The app reads the
// dimensions and makes the thumbnail and blurhash natively (BitmapFactory
// on Android, ImageIO on iOS): the library links no image decoder.
// Create it with NewMediaInput, then set what else is known:
//
//	val in = Mobile.newMediaInput("image/jpeg", w.toLong(), h.toLong())
//	in.setAlt("a cat asleep on a keyboard")
//	in.setThumb(thumbJpegBytes) // at most MaxThumbSize bytes
//	val m = node.importMedia(bytes, in)
type MediaInput struct {
	typ           string
	width, height int
	alt           string
	thumb         []byte
	blurhash      string
	name          string
}

// NewMediaInput returns a MediaInput for a file of MIME type mime
// ("image/jpeg", "image/png", "image/gif", "image/webp"; albums take other
// files too) of width × height pixels (0 × 0 if not an image or not known).
func NewMediaInput(mime string, width, height int) *MediaInput {
	return &MediaInput{typ: mime, width: width, height: height}
}

// SetAlt sets the alt text that describes the image to people who cannot
// see it.
func (in *MediaInput) SetAlt(alt string) { in.alt = alt }

// SetThumb sets a thumbnail (JPEG, PNG or WebP) of at most MaxThumbSize
// bytes: what feeds show first. null or empty removes it.
func (in *MediaInput) SetThumb(thumb []byte) { in.thumb = bytes.Clone(thumb) }

// SetBlurhash sets a blurhash placeholder shown until the thumbnail
// arrives.
func (in *MediaInput) SetBlurhash(hash string) { in.blurhash = hash }

// SetName sets a file name, which an album item needs.
func (in *MediaInput) SetName(name string) { in.name = name }

func (in *MediaInput) core() core.MediaInput {
	return core.MediaInput{
		Type:     in.typ,
		Width:    in.width,
		Height:   in.height,
		Alt:      in.alt,
		Thumb:    in.thumb,
		Blurhash: in.blurhash,
		Name:     in.name,
	}
}

// Media describes an image attached to a post, an avatar or banner, or an
// album item. Its bytes are named by Root and verified against it before
// they are stored or returned.
type Media struct {
	Root   string // BLAKE3 root of the bytes, 64 hex digits: MediaBytes takes it
	Size   int64  // bytes
	Type   string // MIME type
	Width  int    // pixels, 0 if not known
	Height int
	Alt    string // alt text
	// Thumb is the root of a thumbnail of at most MaxThumbSize bytes
	// (MediaBytes takes it too), "" if none; ThumbSize its size.
	Thumb     string
	ThumbSize int
	// Blurhash is a placeholder to show until the thumbnail arrives, ""
	// if none.
	Blurhash string
	// Name is the file name of an album item.
	Name string
	// Local says this device holds the whole file, verified: MediaBytes
	// returns it without the network.
	Local bool
}

func newMedia(m core.Media) *Media {
	return &Media{
		Root:      m.Root,
		Size:      int64(m.Size),
		Type:      m.Type,
		Width:     m.Width,
		Height:    m.Height,
		Alt:       m.Alt,
		Thumb:     m.Thumb,
		ThumbSize: m.ThumbSize,
		Blurhash:  m.Blurhash,
		Name:      m.Name,
		Local:     m.Local,
	}
}

// newMediaPtr converts an optional image; nil stays nil.
func newMediaPtr(m *core.Media) *Media {
	if m == nil {
		return nil
	}
	return newMedia(*m)
}

// core converts m back for core, which checks it again.
func (m *Media) core() (core.Media, error) {
	if m == nil {
		return core.Media{}, newError(CodeInvalidInput, "media is missing (null)")
	}
	if m.Size < 0 {
		return core.Media{}, newError(CodeInvalidMedia, fmt.Sprintf("media size %d", m.Size))
	}
	return core.Media{
		Root:      m.Root,
		Size:      uint64(m.Size),
		Type:      m.Type,
		Width:     m.Width,
		Height:    m.Height,
		Alt:       m.Alt,
		Thumb:     m.Thumb,
		ThumbSize: m.ThumbSize,
		Blurhash:  m.Blurhash,
		Name:      m.Name,
		Local:     m.Local,
	}, nil
}

// JSON returns the media's descriptor as the daemon's API and `skein
// feed --json` give it: {"root", "size", "type", "width", "height", "alt",
// "thumb", "thumb_size", "blurhash", "name", "local"}.
func (m *Media) JSON() []byte {
	c, err := m.core()
	if err != nil {
		return []byte("null")
	}
	return mustJSON(c)
}

// MediaList is a list of media: a post's images, an album's items, or the
// images an app gathers for PostWithMedia and AddToAlbum (NewMediaList, then
// Add).
type MediaList struct{ items []core.Media }

// NewMediaList returns an empty list to Add to.
func NewMediaList() *MediaList { return &MediaList{} }

func newMediaList(ms []core.Media) *MediaList { return &MediaList{items: ms} }

// Len returns the number of media.
func (l *MediaList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.items)
}

// Get returns media i, 0 ≤ i < Len, or null if i is out of range.
func (l *MediaList) Get(i int) *Media {
	if l == nil || i < 0 || i >= len(l.items) {
		return nil
	}
	return newMedia(l.items[i])
}

// Add appends m (as ImportMedia returned it) to the list. Errors:
// CodeInvalidInput for null, CodeInvalidMedia for a negative size.
func (l *MediaList) Add(m *Media) error {
	c, err := m.core()
	if err != nil {
		return err
	}
	l.items = append(l.items, c)
	return nil
}

// JSON returns the list as a JSON array of descriptors (see Media.JSON).
func (l *MediaList) JSON() []byte {
	if l == nil || l.items == nil {
		return []byte("[]")
	}
	return mustJSON(l.items)
}

// list returns the items of l, nil for a null list.
func (l *MediaList) list() []core.Media {
	if l == nil {
		return nil
	}
	return l.items
}

// mustJSON encodes v, which always encodes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("mobile: does not encode: " + err.Error())
	}
	return b
}

// MediaProgress reports a download (FetchMedia, MirrorAlbum) to a
// MediaListener.
type MediaProgress struct {
	Root      string  // the file being fetched
	Name      string  // its name, for an album item
	Size      int64   // bytes in all
	Verified  int64   // bytes verified and stored
	Pieces    int     // pieces in all
	Have      int     // pieces held
	Peers     int     // peers sending
	Rate      float64 // bytes per second
	Duplicate int64   // bytes received twice
	Bad       int     // peers dropped for sending bad bytes
	Done      bool    // the file is held whole
}

func newMediaProgress(p core.MediaProgress) *MediaProgress {
	return &MediaProgress{
		Root:      p.Root,
		Name:      p.Name,
		Size:      p.Size,
		Verified:  p.Verified,
		Pieces:    p.Pieces,
		Have:      p.Have,
		Peers:     p.Peers,
		Rate:      p.Rate,
		Duplicate: p.Duplicate,
		Bad:       p.Bad,
		Done:      p.Done,
	}
}

// MediaListener receives the progress of a download. OnProgress is called
// on a thread the library owns (not the UI thread), one call at a time; a
// slow listener misses intermediate reports, never the last one of a
// file.
type MediaListener interface {
	OnProgress(p *MediaProgress)
}

// progressRelay hands a download's reports to a MediaListener from a
// goroutine locked to its own thread, so that the thread, attached to the
// JVM by the call, exits (and detaches) when the download ends. It keeps
// the newest report of each file and the last one whole.
type progressRelay struct {
	l      MediaListener
	mu     sync.Mutex
	queue  []core.MediaProgress // pending reports: at most one not Done per file
	wake   chan struct{}
	closed chan struct{}
	done   chan struct{}
}

// newProgressRelay starts a relay to l; nil for a null listener.
func newProgressRelay(l MediaListener) *progressRelay {
	if l == nil {
		return nil
	}
	r := &progressRelay{l: l, wake: make(chan struct{}, 1), closed: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

// report queues p, replacing a pending report of the same file that is
// not its last.
func (r *progressRelay) report(p core.MediaProgress) {
	r.mu.Lock()
	replaced := false
	for i := range r.queue {
		if r.queue[i].Root == p.Root && !r.queue[i].Done {
			r.queue[i], replaced = p, true
			break
		}
	}
	if !replaced {
		r.queue = append(r.queue, p)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// fn returns r.report, or nil for a nil relay.
func (r *progressRelay) fn() func(core.MediaProgress) {
	if r == nil {
		return nil
	}
	return r.report
}

func (r *progressRelay) run() {
	runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
	defer close(r.done)
	for {
		r.mu.Lock()
		q := r.queue
		r.queue = nil
		r.mu.Unlock()
		for _, p := range q {
			r.l.OnProgress(newMediaProgress(p))
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-r.wake:
		case <-r.closed:
			r.mu.Lock()
			empty := len(r.queue) == 0
			r.mu.Unlock()
			if empty {
				return
			}
		}
	}
}

// close delivers what is pending and waits for the last call to return.
func (r *progressRelay) close() {
	if r == nil {
		return
	}
	close(r.closed)
	<-r.done
}

// MediaUsage says how much space media takes on this device, in bytes, by
// tier.
type MediaUsage struct {
	Own     int64 // the account's own media: never evicted
	Pinned  int64 // mirrored albums: never evicted
	Thumbs  int64 // thumbnails and avatars
	Cache   int64 // everything else, evicted least recently used first
	Partial int64 // downloads not finished
	Blobs   int   // files held
	// CacheBudget and ThumbBudget bound Cache and Thumbs (Config's
	// MediaCacheMiB and ThumbCacheMiB).
	CacheBudget int64
	ThumbBudget int64
}

// Album is a named collection of files in its author's log, which others
// may mirror.
type Album struct {
	Author    string // username
	AuthorKey string // account key, hex
	Slug      string // the album's name among its author's albums
	Title     string
	Items     *MediaList
	Size      int64 // bytes of all items
	// UpdatedMillis is when the album last changed, 0 if unknown.
	UpdatedMillis int64
	// Mirrored says this device keeps a copy, and fetches what is added.
	Mirrored bool
	// MirrorDir is where the mirror writes the files: "" on phones, which
	// keep them in the library (MediaBytes).
	MirrorDir string
	// Held is how many items this device holds whole.
	Held int
}

func newAlbum(a core.Album) *Album {
	return &Album{
		Author:        a.Author,
		AuthorKey:     a.AuthorKey,
		Slug:          a.Slug,
		Title:         a.Title,
		Items:         newMediaList(a.Items),
		Size:          int64(a.Size),
		UpdatedMillis: millis(a.Updated),
		Mirrored:      a.Mirrored,
		MirrorDir:     a.MirrorDir,
		Held:          a.Held,
	}
}

// AlbumList is a list of albums.
type AlbumList struct{ items []core.Album }

func newAlbumList(as []core.Album) *AlbumList { return &AlbumList{items: as} }

// Len returns the number of albums.
func (l *AlbumList) Len() int { return len(l.items) }

// Get returns album i, 0 ≤ i < Len, or null if i is out of range.
func (l *AlbumList) Get(i int) *Album {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return newAlbum(l.items[i])
}

// callFor is callID with its own timeout.
func (n *Node) callFor(timeout time.Duration, id string, fn func(ctx context.Context, cn *core.Node) error) error {
	cn, err := n.core()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if id != "" {
		ctx = core.WithRequestID(ctx, id)
	}
	return coded(fn(ctx, cn))
}

// ImportMedia stores an image (or, for an album, any file) the account is
// about to post, add to an album or make its avatar, and returns its
// descriptor to pass on. data is the whole file, at most MaxMediaSize
// bytes; in says its type, dimensions, alt text and thumbnail. The type
// must be one of the allowed ones and agree with the file's first bytes:
// bytes of a PNG declared "image/jpeg" are refused. The account's own
// media is never evicted. Errors: CodeInvalidMedia, CodeMediaTooLarge,
// CodeNotLoggedIn.
func (n *Node) ImportMedia(data []byte, in *MediaInput) (*Media, error) {
	switch {
	case in == nil:
		return nil, newError(CodeInvalidInput, "media input is missing (null): use Mobile.newMediaInput")
	case len(data) == 0:
		return nil, newError(CodeInvalidInput, "media bytes are missing (null or empty)")
	case len(data) > MaxMediaSize:
		return nil, newError(CodeMediaTooLarge, fmt.Sprintf("a file of %d bytes: the limit is %d (64 MiB)", len(data), MaxMediaSize))
	}
	ci := in.core()
	return getID(n, "", func(ctx context.Context, cn *core.Node) (core.Media, error) {
		return cn.ImportMedia(ctx, bytes.NewReader(data), ci)
	}, newMedia)
}

// PostWithMedia posts text with 1 to MaxMediaPerPost images, each returned
// by ImportMedia; the text may be empty when there is an image (else it
// follows Post's rules). With an empty or null list it is Post. Errors:
// CodeInvalidMedia, CodeInvalidPost.
func (n *Node) PostWithMedia(text string, media *MediaList) (*Post, error) {
	return n.postWithMedia("", text, media)
}

func (n *Node) postWithMedia(id, text string, media *MediaList) (*Post, error) {
	ms := media.list()
	if len(ms) == 0 {
		return n.post(id, text)
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.PostMedia(ctx, text, ms)
	}, newPost)
}

// ReplyWithMedia is Reply with images, as PostWithMedia.
func (n *Node) ReplyWithMedia(postID, text string, media *MediaList) (*Post, error) {
	return n.replyWithMedia("", postID, text, media)
}

func (n *Node) replyWithMedia(id, postID, text string, media *MediaList) (*Post, error) {
	ms := media.list()
	if len(ms) == 0 {
		return n.reply(id, postID, text)
	}
	if err := required("post ID", postID); err != nil {
		return nil, err
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.ReplyMedia(ctx, postID, text, ms)
	}, newPost)
}

// PostWithMedia is Node.PostWithMedia, done at most once for this request.
func (r *Request) PostWithMedia(text string, media *MediaList) (*Post, error) {
	return r.n.postWithMedia(r.id, text, media)
}

// ReplyWithMedia is Node.ReplyWithMedia, done at most once for this
// request.
func (r *Request) ReplyWithMedia(postID, text string, media *MediaList) (*Post, error) {
	return r.n.replyWithMedia(r.id, postID, text, media)
}

// SetAvatar sets the account's avatar to an image returned by ImportMedia
// (at most MaxAvatarSize; give it a thumbnail, which apps show beside posts) and
// returns the account with its new profile; the rest of the profile stays.
// Errors: CodeInvalidMedia, CodeInvalidInput for null (RemoveAvatar
// removes it).
func (n *Node) SetAvatar(m *Media) (*User, error) {
	return n.setProfileImage(m, false)
}

// SetBanner is SetAvatar for the profile's banner.
func (n *Node) SetBanner(m *Media) (*User, error) {
	return n.setProfileImage(m, true)
}

func (n *Node) setProfileImage(m *Media, banner bool) (*User, error) {
	c, err := m.core()
	if err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		if banner {
			return cn.SetBanner(ctx, &c)
		}
		return cn.SetAvatar(ctx, &c)
	}, newUser)
}

// RemoveAvatar removes the account's avatar.
func (n *Node) RemoveAvatar() (*User, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.SetAvatar(ctx, nil)
	}, newUser)
}

// RemoveBanner removes the account's banner.
func (n *Node) RemoveBanner() (*User, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.SetBanner(ctx, nil)
	}, newUser)
}

// FetchMedia makes sure this device holds the file root (a Media's Root or
// Thumb) whole: if not, it downloads it from every peer that has it,
// verifying every 16 KiB, and reports progress to listener (null for
// none). It blocks until done, for at most MediaTimeoutMinutes; what was
// verified stays, so calling again resumes. Errors: CodeNoMedia (nobody
// that has it answers), CodeInvalidMedia (not a root), CodeNetwork.
func (n *Node) FetchMedia(root string, listener MediaListener) (*Media, error) {
	if err := required("media root", root); err != nil {
		return nil, err
	}
	var m core.Media
	relay := newProgressRelay(listener)
	err := n.callFor(mediaTimeout, "", func(ctx context.Context, cn *core.Node) (err error) {
		m, err = cn.FetchMedia(ctx, root, relay.fn())
		return err
	})
	relay.close()
	if err != nil {
		return nil, err
	}
	return newMedia(m), nil
}

// MediaBytes returns the bytes of the file root (a Media's Root, or its
// Thumb for the thumbnail), fetching them first if this device does not
// hold them (as FetchMedia, without progress). Every byte returned was
// verified against root. Decode them natively (BitmapFactory.decodeByteArray
// on Android). Errors: CodeNoMedia, CodeMediaTooLarge (over MaxMediaSize),
// CodeInvalidMedia, CodeNetwork.
func (n *Node) MediaBytes(root string) ([]byte, error) {
	if err := required("media root", root); err != nil {
		return nil, err
	}
	var data []byte
	err := n.callFor(mediaTimeout, "", func(ctx context.Context, cn *core.Node) error {
		f, err := cn.OpenMedia(ctx, root)
		if err != nil {
			return err
		}
		defer f.Close()
		if f.Size > MaxMediaSize {
			return newError(CodeMediaTooLarge, fmt.Sprintf("a file of %d bytes: the limit is %d (64 MiB)", f.Size, MaxMediaSize))
		}
		// Exactly the file's size, read in place: a growing buffer would
		// hold up to three times a 64 MiB image at once.
		data = make([]byte, max(f.Size, 0))
		if _, err := io.ReadFull(f, data); err != nil {
			return err
		}
		if k, _ := f.Read(make([]byte, 1)); k != 0 {
			return newError(CodeMediaTooLarge, fmt.Sprintf("a file longer than its %d bytes", f.Size))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// MediaUsage returns the space media takes on this device, by tier.
func (n *Node) MediaUsage() (*MediaUsage, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.MediaUsage, error) {
		return cn.MediaUsage(ctx)
	}, func(u core.MediaUsage) *MediaUsage {
		return &MediaUsage{Own: u.Own, Pinned: u.Pinned, Thumbs: u.Thumbs, Cache: u.Cache, Partial: u.Partial,
			Blobs: u.Blobs, CacheBudget: u.CacheBudget, ThumbBudget: u.ThumbBudget}
	})
}

// PruneMedia evicts cached media beyond the budgets now (the node also
// does it by itself) and returns the bytes freed. Own media, mirrored
// albums and downloads in progress are never evicted. Call it when the
// system asks the app to trim its memory or storage.
func (n *Node) PruneMedia() (int64, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (int64, error) {
		return cn.PruneMedia(ctx)
	}, func(b int64) int64 { return b })
}

// CreateAlbum starts an album of the account's. slug names it among the
// account's albums: 1 to 32 of a-z, 0-9, '-' and '_', starting with a
// letter or digit; title is 1 to 100 characters. Errors: CodeInvalidMedia
// (a bad slug or title, or an album of that slug exists).
func (n *Node) CreateAlbum(slug, title string) (*Album, error) {
	if err := firstMissing("album slug", slug, "album title", title); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Album, error) {
		return cn.CreateAlbum(ctx, slug, title)
	}, newAlbum)
}

// AddToAlbum adds files, each returned by ImportMedia with a name
// (MediaInput.SetName), to one of the account's albums; a file with the
// name of an item replaces it. Errors: CodeNoAlbum, CodeInvalidMedia.
func (n *Node) AddToAlbum(slug string, media *MediaList) (*Album, error) {
	if err := required("album slug", slug); err != nil {
		return nil, err
	}
	ms := media.list()
	if len(ms) == 0 {
		return nil, newError(CodeInvalidInput, "no media to add (null or empty list)")
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Album, error) {
		return cn.AddToAlbum(ctx, slug, ms)
	}, newAlbum)
}

// RemoveFromAlbum removes items from one of the account's albums; roots
// are their Roots, separated by spaces, commas or newlines. Errors:
// CodeNoAlbum, CodeInvalidMedia.
func (n *Node) RemoveFromAlbum(slug, roots string) (*Album, error) {
	if err := firstMissing("album slug", slug, "media roots", strings.TrimSpace(roots)); err != nil {
		return nil, err
	}
	rs := splitAddrs(roots)
	return get(n, func(ctx context.Context, cn *core.Node) (core.Album, error) {
		return cn.RemoveFromAlbum(ctx, slug, rs)
	}, newAlbum)
}

// DropAlbum deletes one of the account's albums; its files stay on the
// devices that mirror it. Errors: CodeNoAlbum.
func (n *Node) DropAlbum(slug string) error {
	if err := required("album slug", slug); err != nil {
		return err
	}
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.DropAlbum(ctx, slug) })
}

// Albums lists the albums of the user with this name ("" or null for the
// account's own), after fetching what this device misses of their log.
// Errors: CodeUnknownName.
func (n *Node) Albums(name string) (*AlbumList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Album, error) {
		return cn.Albums(ctx, name)
	}, newAlbumList)
}

// Album returns one album of the user with this name ("" or null for the
// account's own). Errors: CodeNoAlbum, CodeUnknownName.
func (n *Node) Album(name, slug string) (*Album, error) {
	if err := required("album slug", slug); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Album, error) {
		return cn.Album(ctx, name, slug)
	}, newAlbum)
}

// MirrorAlbum keeps a copy of the album slug of the user name on this
// device: it pins every item (never evicted), fetches what it misses from
// everyone who holds it, reporting each file's progress to listener (null
// for none), and from then on fetches what the author adds. The files stay
// in the library (MediaBytes of an item's Root), not in a directory. It
// blocks until every item is held, for at most MediaTimeoutMinutes; what
// was fetched stays, and calling again resumes. Errors: CodeNoAlbum,
// CodeNoMedia, CodeNetwork.
func (n *Node) MirrorAlbum(name, slug string, listener MediaListener) (*Album, error) {
	if err := firstMissing("name", name, "album slug", slug); err != nil {
		return nil, err
	}
	var a core.Album
	relay := newProgressRelay(listener)
	err := n.callFor(mediaTimeout, "", func(ctx context.Context, cn *core.Node) (err error) {
		a, err = cn.MirrorAlbum(ctx, name, slug, "", relay.fn())
		return err
	})
	relay.close()
	if err != nil {
		return nil, err
	}
	return newAlbum(a), nil
}

// Unmirror stops keeping a copy of an album: its files are no longer
// pinned (they stay in the cache until evicted) and new items are not
// fetched. Errors: CodeNoAlbum (not mirrored).
func (n *Node) Unmirror(name, slug string) error {
	if err := firstMissing("name", name, "album slug", slug); err != nil {
		return err
	}
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.Unmirror(ctx, name, slug) })
}

// Mirrors lists the albums this device mirrors.
func (n *Node) Mirrors() (*AlbumList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.Album, error) {
		return cn.Mirrors(ctx)
	}, newAlbumList)
}
