package apitest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core"
)

// The fake's media: blobs named by the SHA-256 of their bytes (64 hex
// digits, like core's BLAKE3 roots), held here (imported or fetched) or
// only by other devices (AddRemoteMedia), and albums by author and slug.
// Fetching a blob held elsewhere reports two steps of progress and makes
// it held; there is no network.

// library is the fake's media state.
type library struct {
	blobs  map[string][]byte     // by root, held here or elsewhere
	meta   map[string]core.Media // by root, as imported or added
	held   map[string]bool       // held here
	own    map[string]bool       // imported by an account of this device
	albums map[string]map[string]*core.Album
}

func (n *Node) lib() *library {
	if n.media == nil {
		n.media = &library{blobs: map[string][]byte{}, meta: map[string]core.Media{}, held: map[string]bool{},
			own: map[string]bool{}, albums: map[string]map[string]*core.Album{}}
	}
	return n.media
}

func rootOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// AddRemoteMedia adds a blob that another device holds, as if an entry
// this node received named it, and returns its description: fetchable,
// not held.
func (n *Node) AddRemoteMedia(data []byte, in core.MediaInput) core.Media {
	n.mu.Lock()
	defer n.unlock()
	l := n.lib()
	m := core.Media{Root: rootOf(data), Size: uint64(len(data)), Type: in.Type, Width: in.Width, Height: in.Height, Alt: in.Alt, Blurhash: in.Blurhash, Name: in.Name}
	l.blobs[m.Root], l.meta[m.Root] = data, m
	return m
}

// AddPostMedia adds a post with media by the user name, as if received
// from the network.
func (n *Node) AddPostMedia(name, text string, ms []core.Media) core.Post {
	n.mu.Lock()
	defer n.unlock()
	n.attach = slices.Clone(ms)
	return n.addPost(n.users[name], core.KindPost, text, nil, "")
}

// AddAlbum adds (or adds items to) the album slug of the user name, a
// user added before, as if its entries came from the network. Its items
// are described by AddRemoteMedia.
func (n *Node) AddAlbum(name, slug, title string, items ...core.Media) core.Album {
	n.mu.Lock()
	defer n.unlock()
	l := n.lib()
	a := l.album(name, slug)
	if a == nil {
		u := n.users[name]
		a = &core.Album{Author: name, AuthorKey: u.Key, Slug: slug, Title: title}
		if l.albums[name] == nil {
			l.albums[name] = map[string]*core.Album{}
		}
		l.albums[name][slug] = a
	}
	l.add(a, items)
	a.Updated = n.tick()
	return l.show(a)
}

// Held reports whether the fake holds the blob root whole.
func (n *Node) Held(root string) bool {
	n.mu.Lock()
	defer n.unlock()
	return n.lib().held[root]
}

// ImportMedia implements api.Node.
func (n *Node) ImportMedia(ctx context.Context, r io.Reader, in core.MediaInput) (core.Media, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Media{}, err
	}
	if !allowedType(in.Type) {
		return core.Media{}, fmt.Errorf("%w: type %q is not allowed", core.ErrInvalidMedia, in.Type)
	}
	if in.Width < 0 || in.Height < 0 || in.Width > 1<<16 || in.Height > 1<<16 {
		return core.Media{}, fmt.Errorf("%w: dimensions %d×%d", core.ErrInvalidMedia, in.Width, in.Height)
	}
	if c := utf8.RuneCountInString(in.Alt); c > 1000 || !utf8.ValidString(in.Alt) {
		return core.Media{}, fmt.Errorf("%w: alt text of %d characters, limit 1000", core.ErrInvalidMedia, c)
	}
	data, err := io.ReadAll(io.LimitReader(r, core.MaxMediaSize+1))
	switch {
	case err != nil:
		return core.Media{}, err
	case len(data) > core.MaxMediaSize:
		return core.Media{}, fmt.Errorf("%w: more than %d bytes", core.ErrMediaTooLarge, core.MaxMediaSize)
	}
	if got := sniff(data); imageType(in.Type) && got != in.Type {
		return core.Media{}, fmt.Errorf("%w: the file says it is %s but its bytes are %s", core.ErrInvalidMedia, in.Type, got)
	}
	l := n.lib()
	m := core.Media{Root: rootOf(data), Size: uint64(len(data)), Type: in.Type, Width: in.Width, Height: in.Height,
		Alt: in.Alt, Blurhash: in.Blurhash, Name: in.Name, Local: true}
	if len(in.Thumb) > 0 {
		if len(in.Thumb) > 16<<10 || !imageType(sniff(in.Thumb)) {
			return core.Media{}, fmt.Errorf("%w: bad thumbnail", core.ErrInvalidMedia)
		}
		t := rootOf(in.Thumb)
		l.blobs[t], l.held[t], l.own[t] = in.Thumb, true, true
		m.Thumb, m.ThumbSize = t, len(in.Thumb)
	}
	l.blobs[m.Root], l.meta[m.Root], l.held[m.Root], l.own[m.Root] = data, m, true, true
	return m, nil
}

// PostMedia implements api.Node.
func (n *Node) PostMedia(ctx context.Context, text string, ms []core.Media) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Post{}, err
	}
	return once(n, ctx, "post-media", append([]string{text}, roots(ms)...), func() (core.Post, error) {
		if err := n.checkAttachments(text, ms); err != nil {
			return core.Post{}, err
		}
		n.attach = n.described(ms)
		return n.addPost(n.current, core.KindPost, text, nil, ""), nil
	})
}

// ReplyMedia implements api.Node.
func (n *Node) ReplyMedia(ctx context.Context, postID, text string, ms []core.Media) (core.Post, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Post{}, err
	}
	return once(n, ctx, "reply-media", append([]string{postID, text}, roots(ms)...), func() (core.Post, error) {
		parent, err := n.find(postID)
		if err != nil {
			return core.Post{}, err
		}
		if err := n.checkAttachments(text, ms); err != nil {
			return core.Post{}, err
		}
		n.attach = n.described(ms)
		return n.addPost(n.current, core.KindReply, text, parent, ""), nil
	})
}

// checkAttachments checks a post's text and images as core does.
func (n *Node) checkAttachments(text string, ms []core.Media) error {
	if len(ms) > core.MaxMediaPerPost {
		return fmt.Errorf("%w: %d images, limit %d", core.ErrInvalidMedia, len(ms), core.MaxMediaPerPost)
	}
	for _, m := range ms {
		if err := n.checkHeld(m); err != nil {
			return err
		}
		if !imageType(m.Type) {
			return fmt.Errorf("%w: a post carries only images, not %s", core.ErrInvalidMedia, m.Type)
		}
	}
	if len(ms) > 0 && text == "" {
		return nil
	}
	return checkText(text)
}

// checkHeld checks that m was imported here.
func (n *Node) checkHeld(m core.Media) error {
	if !n.lib().own[m.Root] {
		return fmt.Errorf("%w: %.8s is not on this device: import it first", core.ErrInvalidMedia, m.Root)
	}
	return nil
}

// described returns ms as their entry would describe them: Local is the
// reader's to say.
func (n *Node) described(ms []core.Media) []core.Media {
	out := slices.Clone(ms)
	for i := range out {
		out[i].Local = false
	}
	return out
}

func roots(ms []core.Media) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Root, m.Alt, m.Name)
	}
	return out
}

// SetAvatar implements api.Node.
func (n *Node) SetAvatar(ctx context.Context, m *core.Media) (core.User, error) {
	return n.setImage(ctx, m, false)
}

// SetBanner implements api.Node.
func (n *Node) SetBanner(ctx context.Context, m *core.Media) (core.User, error) {
	return n.setImage(ctx, m, true)
}

func (n *Node) setImage(ctx context.Context, m *core.Media, banner bool) (core.User, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.User{}, err
	}
	if m != nil {
		if err := n.checkHeld(*m); err != nil {
			return core.User{}, err
		}
		if !imageType(m.Type) {
			return core.User{}, fmt.Errorf("%w: a profile image must be an image, not %s", core.ErrInvalidMedia, m.Type)
		}
		c := *m
		c.Local = false
		m = &c
	}
	u := n.current
	if banner {
		u.Banner = m
	} else {
		u.Avatar = m
	}
	n.tick()
	return u.User, nil
}

// FetchMedia implements api.Node.
func (n *Node) FetchMedia(ctx context.Context, root string, progress func(core.MediaProgress)) (core.Media, error) {
	n.mu.Lock()
	m, reports, err := n.fetch(root)
	n.unlock()
	if err != nil {
		return core.Media{}, err
	}
	for _, p := range reports {
		if progress != nil {
			progress(p)
		}
	}
	return m, nil
}

// fetch makes root held and returns the reports of its download.
func (n *Node) fetch(root string) (core.Media, []core.MediaProgress, error) {
	if err := n.check(true); err != nil {
		return core.Media{}, nil, err
	}
	if len(root) != 64 {
		return core.Media{}, nil, fmt.Errorf("%w: root %q is not 64 hex digits", core.ErrInvalidMedia, root)
	}
	if _, err := hex.DecodeString(root); err != nil {
		return core.Media{}, nil, fmt.Errorf("%w: root %q is not 64 hex digits", core.ErrInvalidMedia, root)
	}
	l := n.lib()
	data, ok := l.blobs[root]
	if !ok {
		return core.Media{}, nil, fmt.Errorf("%w: %.8s", core.ErrNoMedia, root)
	}
	m := l.meta[root]
	if m.Root == "" {
		m = core.Media{Root: root, Size: uint64(len(data)), Type: "application/octet-stream"}
	}
	size := int64(len(data))
	pieces := int((size + 256<<10 - 1) / (256 << 10))
	var reports []core.MediaProgress
	if !l.held[root] {
		half := core.MediaProgress{Root: root, Name: m.Name, Size: size, Verified: size / 2, Pieces: pieces, Have: pieces / 2, Peers: 1, Rate: 1 << 20}
		reports = append(reports, half)
	}
	reports = append(reports, core.MediaProgress{Root: root, Name: m.Name, Size: size, Verified: size, Pieces: pieces, Have: pieces, Peers: 1, Rate: 1 << 20, Done: true})
	l.held[root] = true
	m.Local = true
	return m, reports, nil
}

// OpenMedia implements api.Node.
func (n *Node) OpenMedia(ctx context.Context, root string) (*core.MediaFile, error) {
	n.mu.Lock()
	defer n.unlock()
	m, _, err := n.fetch(root)
	if err != nil {
		return nil, err
	}
	data := n.lib().blobs[root]
	typ := sniff(data)
	if typ != m.Type {
		typ = "application/octet-stream"
	}
	return &core.MediaFile{ReadSeekCloser: nopCloser{bytes.NewReader(data)}, Size: int64(len(data)), Type: typ}, nil
}

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

// MediaUsage implements api.Node.
func (n *Node) MediaUsage(ctx context.Context) (core.MediaUsage, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return core.MediaUsage{}, err
	}
	l := n.lib()
	u := core.MediaUsage{CacheBudget: 1 << 30, ThumbBudget: 64 << 20}
	for root := range l.held {
		u.Blobs++
		if l.own[root] {
			u.Own += int64(len(l.blobs[root]))
		} else {
			u.Cache += int64(len(l.blobs[root]))
		}
	}
	return u, nil
}

// PruneMedia implements api.Node: it drops every fetched blob no mirrored
// album holds.
func (n *Node) PruneMedia(ctx context.Context) (int64, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(false); err != nil {
		return 0, err
	}
	l := n.lib()
	pinned := map[string]bool{}
	for _, as := range l.albums {
		for _, a := range as {
			if a.Mirrored {
				for _, it := range a.Items {
					pinned[it.Root] = true
				}
			}
		}
	}
	var freed int64
	for root := range l.held {
		if !l.own[root] && !pinned[root] {
			delete(l.held, root)
			freed += int64(len(l.blobs[root]))
		}
	}
	return freed, nil
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// CreateAlbum implements api.Node.
func (n *Node) CreateAlbum(ctx context.Context, slug, title string) (core.Album, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Album{}, err
	}
	if !slugRE.MatchString(slug) {
		return core.Album{}, fmt.Errorf("%w: album name %q: use 1 to 32 of a-z, 0-9, - and _", core.ErrInvalidMedia, slug)
	}
	if c := utf8.RuneCountInString(title); c < 1 || c > 100 {
		return core.Album{}, fmt.Errorf("%w: album title of %d characters: use 1 to 100", core.ErrInvalidMedia, c)
	}
	l := n.lib()
	name := n.current.Name
	if l.album(name, slug) != nil {
		return core.Album{}, fmt.Errorf("%w: you already have an album %q", core.ErrInvalidMedia, slug)
	}
	if l.albums[name] == nil {
		l.albums[name] = map[string]*core.Album{}
	}
	a := &core.Album{Author: name, AuthorKey: n.current.Key, Slug: slug, Title: title, Updated: n.tick()}
	l.albums[name][slug] = a
	return l.show(a), nil
}

// AddToAlbum implements api.Node.
func (n *Node) AddToAlbum(ctx context.Context, slug string, ms []core.Media) (core.Album, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Album{}, err
	}
	l := n.lib()
	a := l.album(n.current.Name, slug)
	if a == nil {
		return core.Album{}, fmt.Errorf("%w: %q", core.ErrNoAlbum, slug)
	}
	for _, m := range ms {
		if err := n.checkHeld(m); err != nil {
			return core.Album{}, err
		}
		if m.Name == "" {
			return core.Album{}, fmt.Errorf("%w: an album item needs a name", core.ErrInvalidMedia)
		}
	}
	l.add(a, n.described(ms))
	a.Updated = n.tick()
	return l.show(a), nil
}

// RemoveFromAlbum implements api.Node.
func (n *Node) RemoveFromAlbum(ctx context.Context, slug string, rs []string) (core.Album, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return core.Album{}, err
	}
	l := n.lib()
	a := l.album(n.current.Name, slug)
	if a == nil {
		return core.Album{}, fmt.Errorf("%w: %q", core.ErrNoAlbum, slug)
	}
	a.Items = slices.DeleteFunc(a.Items, func(m core.Media) bool { return slices.Contains(rs, m.Root) })
	a.Updated = n.tick()
	return l.show(a), nil
}

// DropAlbum implements api.Node.
func (n *Node) DropAlbum(ctx context.Context, slug string) error {
	n.mu.Lock()
	defer n.unlock()
	if err := n.checkWrite(); err != nil {
		return err
	}
	l := n.lib()
	if l.album(n.current.Name, slug) == nil {
		return fmt.Errorf("%w: %q", core.ErrNoAlbum, slug)
	}
	delete(l.albums[n.current.Name], slug)
	return nil
}

// Albums implements api.Node.
func (n *Node) Albums(ctx context.Context, name string) ([]core.Album, error) {
	n.mu.Lock()
	defer n.unlock()
	name, err := n.albumAuthor(name)
	if err != nil {
		return nil, err
	}
	l := n.lib()
	var out []core.Album
	for _, a := range l.albums[name] {
		out = append(out, l.show(a))
	}
	slices.SortFunc(out, func(a, b core.Album) int { return cmp.Compare(a.Slug, b.Slug) })
	return out, nil
}

// Album implements api.Node.
func (n *Node) Album(ctx context.Context, name, slug string) (core.Album, error) {
	n.mu.Lock()
	defer n.unlock()
	name, err := n.albumAuthor(name)
	if err != nil {
		return core.Album{}, err
	}
	l := n.lib()
	a := l.album(name, slug)
	if a == nil {
		return core.Album{}, fmt.Errorf("%w: %s/%q", core.ErrNoAlbum, name, slug)
	}
	return l.show(a), nil
}

// MirrorAlbum implements api.Node: it fetches every item, writes each to
// dir (if not "") and marks the album mirrored.
func (n *Node) MirrorAlbum(ctx context.Context, name, slug, dir string, progress func(core.MediaProgress)) (core.Album, error) {
	n.mu.Lock()
	name, err := n.albumAuthor(name)
	if err != nil {
		n.unlock()
		return core.Album{}, err
	}
	l := n.lib()
	a := l.album(name, slug)
	if a == nil {
		n.unlock()
		return core.Album{}, fmt.Errorf("%w: %s/%q", core.ErrNoAlbum, name, slug)
	}
	a.Mirrored, a.MirrorDir = true, dir
	items := slices.Clone(a.Items)
	n.unlock()
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return core.Album{}, err
		}
	}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return core.Album{}, err
		}
		n.mu.Lock()
		_, reports, err := n.fetch(it.Root)
		data := l.blobs[it.Root]
		n.unlock()
		if err != nil {
			return core.Album{}, err
		}
		for _, p := range reports {
			p.Name = it.Name
			if progress != nil {
				progress(p)
			}
		}
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(it.Name)), data, 0o644); err != nil {
				return core.Album{}, err
			}
		}
	}
	n.mu.Lock()
	defer n.unlock()
	return l.show(a), nil
}

// Unmirror implements api.Node.
func (n *Node) Unmirror(ctx context.Context, name, slug string) error {
	n.mu.Lock()
	defer n.unlock()
	name, err := n.albumAuthor(name)
	if err != nil {
		return err
	}
	a := n.lib().album(name, slug)
	if a == nil || !a.Mirrored {
		return fmt.Errorf("%w: %s/%q is not mirrored", core.ErrNoAlbum, name, slug)
	}
	a.Mirrored, a.MirrorDir = false, ""
	return nil
}

// Mirrors implements api.Node.
func (n *Node) Mirrors(ctx context.Context) ([]core.Album, error) {
	n.mu.Lock()
	defer n.unlock()
	if err := n.check(true); err != nil {
		return nil, err
	}
	l := n.lib()
	var out []core.Album
	for _, as := range l.albums {
		for _, a := range as {
			if a.Mirrored {
				out = append(out, l.show(a))
			}
		}
	}
	slices.SortFunc(out, func(a, b core.Album) int { return cmp.Compare(a.Author+"/"+a.Slug, b.Author+"/"+b.Slug) })
	return out, nil
}

// albumAuthor returns the name of an album's author: name, or the
// logged-in account's for "".
func (n *Node) albumAuthor(name string) (string, error) {
	if err := n.check(true); err != nil {
		return "", err
	}
	if name == "" {
		return n.current.Name, nil
	}
	if _, ok := n.users[name]; !ok {
		return "", fmt.Errorf("%w: %s", core.ErrUnknownName, name)
	}
	return name, nil
}

func (l *library) album(name, slug string) *core.Album {
	return l.albums[name][slug]
}

// add appends items to a, an item replacing one of the same name.
func (l *library) add(a *core.Album, items []core.Media) {
	for _, it := range items {
		a.Items = slices.DeleteFunc(a.Items, func(m core.Media) bool { return m.Name == it.Name })
		a.Items = append(a.Items, it)
	}
}

// show returns a copy of a with its size, what is held and Local set.
func (l *library) show(a *core.Album) core.Album {
	out := *a
	out.Items = slices.Clone(a.Items)
	out.Size, out.Held = 0, 0
	for i, it := range out.Items {
		out.Size += it.Size
		out.Items[i].Local = l.held[it.Root]
		if l.held[it.Root] {
			out.Held++
		}
	}
	return out
}

func imageType(t string) bool {
	switch t {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

func allowedType(t string) bool {
	switch t {
	case "video/mp4", "video/webm", "application/octet-stream":
		return true
	}
	return imageType(t)
}

// sniff returns the type data's first bytes show, as core's sniffer does
// for images; application/octet-stream for anything else.
func sniff(data []byte) string {
	t := http.DetectContentType(data)
	if imageType(t) {
		return t
	}
	return "application/octet-stream"
}
