package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/imaging"
	"github.com/skein-p2p/skein/core"
)

// Media on the command line: files given to post, reply, profile and album
// share are read here, described (an image's type, dimensions, thumbnail
// and blurhash by package imaging; any other file's type by its first
// bytes) and sent to the daemon, which stores them; downloads show their
// progress as a bar on a terminal and as plain lines otherwise.

// imageArg is one --image of post or reply, with its --alt.
type imageArg struct {
	path   string
	alt    string
	hasAlt bool
}

// imageFlags are the repeatable --image FILE [--alt TEXT] flags: each
// --alt describes the --image before it.
type imageFlags struct{ images []imageArg }

func (f *imageFlags) flags(fs *flag.FlagSet) {
	fs.Func("image", fmt.Sprintf("attach the image `FILE` (JPEG, PNG, GIF or WebP; up to %d, repeat the flag)", core.MaxMediaPerPost), func(s string) error {
		if s == "" {
			return errors.New("empty file name")
		}
		if len(f.images) == core.MaxMediaPerPost {
			return fmt.Errorf("at most %d images", core.MaxMediaPerPost)
		}
		f.images = append(f.images, imageArg{path: s})
		return nil
	})
	fs.Func("alt", "describe the --image before it with `TEXT` (alt text, for those who cannot see it)", func(s string) error {
		if len(f.images) == 0 {
			return errors.New("--alt describes the --image before it: give --image FILE first")
		}
		last := &f.images[len(f.images)-1]
		if last.hasAlt {
			return fmt.Errorf("--image %s has an --alt already", last.path)
		}
		last.alt, last.hasAlt = s, true
		return nil
	})
}

// check checks the alt texts.
func (f *imageFlags) check() error {
	for _, im := range f.images {
		if err := checkUTF8("--alt", im.alt); err != nil {
			return err
		}
	}
	return nil
}

// upload imports the images, in order.
func (f *imageFlags) upload(ctx context.Context, c *api.Client) ([]core.Media, error) {
	var ms []core.Media
	for _, im := range f.images {
		m, err := importFile(ctx, c, im.path, importOpts{alt: im.alt, image: true})
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// importOpts says how importFile describes a file.
type importOpts struct {
	alt   string
	name  string // an album item's name
	image bool   // refuse a file that is not an image
}

// importFile reads the file at path, describes it and has the daemon
// store it.
func importFile(ctx context.Context, c *api.Client, path string, o importOpts) (core.Media, error) {
	data, in, err := readMedia(path, o)
	if err != nil {
		return core.Media{}, err
	}
	m, err := c.ImportMedia(ctx, bytes.NewReader(data), int64(len(data)), in)
	if err != nil {
		return core.Media{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// readMedia reads the file at path and describes it.
func readMedia(path string, o importOpts) ([]byte, core.MediaInput, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, core.MediaInput{}, err
	case !fi.Mode().IsRegular():
		return nil, core.MediaInput{}, fmt.Errorf("%s is not a regular file", path)
	case fi.Size() > core.MaxMediaSize:
		return nil, core.MediaInput{}, fmt.Errorf("%s: %w: %s, limit %s", path, core.ErrMediaTooLarge, formatBytes(fi.Size()), formatBytes(core.MaxMediaSize))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, core.MediaInput{}, err
	}
	if len(data) > core.MaxMediaSize {
		return nil, core.MediaInput{}, fmt.Errorf("%s: %w", path, core.ErrMediaTooLarge)
	}
	in := core.MediaInput{Alt: o.alt, Name: o.name, Type: sniffType(data, path)}
	if !imageType(in.Type) {
		if o.image {
			return nil, core.MediaInput{}, fmt.Errorf("%s is not a JPEG, PNG, GIF or WebP image", path)
		}
		return data, in, nil
	}
	img, err := imaging.Prepare(data)
	if err != nil {
		if o.image {
			return nil, core.MediaInput{}, fmt.Errorf("%s: %w", path, err)
		}
		// An album keeps the file as it is, without a thumbnail.
		return data, in, nil
	}
	in.Type, in.Width, in.Height, in.Thumb, in.Blurhash = img.Type, img.Width, img.Height, img.Thumb, img.Blurhash
	return data, in, nil
}

// Media types, as the daemon names them.
const (
	typeJPEG  = "image/jpeg"
	typePNG   = "image/png"
	typeGIF   = "image/gif"
	typeWebP  = "image/webp"
	typeMP4   = "video/mp4"
	typeWebM  = "video/webm"
	typeOctet = "application/octet-stream"
)

func imageType(t string) bool {
	return t == typeJPEG || t == typePNG || t == typeGIF || t == typeWebP
}

// sniffType returns the type of a file: what its first bytes show, as the
// daemon's check reads them (an image, MP4 or WebM video), else
// application/octet-stream. The daemon refuses a type its check disagrees
// with, so the name's extension is not trusted.
func sniffType(data []byte, path string) string {
	if t := core.MediaType(data[:min(len(data), 512)]); t != "" {
		return t
	}
	return typeOctet
}

// formatBytes writes a size for people: 143 KB, 1.2 MB (powers of 1000).
func formatBytes[T int | int64 | uint64 | float64](n T) string {
	v := float64(n)
	units := []string{"B", "KB", "MB", "GB", "TB"}
	i := 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%d B", int64(v))
	case v < 10:
		return fmt.Sprintf("%.1f %s", v, units[i])
	}
	return fmt.Sprintf("%.0f %s", v, units[i])
}

// attachmentLine describes one attachment for feeds, timelines and
// threads:
//
//	[image 1200×800 jpeg, 143 KB: alt text…] 3f2a9c1b
//
// The short root is what "skein media get" takes (with the rest of it,
// from --json); the alt text is cut to one line of maxAlt characters.
// Every string is inert.
func attachmentLine(m core.Media) string {
	var b strings.Builder
	kind, sub, _ := strings.Cut(m.Type, "/")
	if kind == "application" || kind == "" {
		kind, sub = "file", ""
	}
	b.WriteString("[" + inert(kind))
	if m.Width > 0 && m.Height > 0 {
		fmt.Fprintf(&b, " %d×%d", m.Width, m.Height)
	}
	if sub != "" {
		b.WriteString(" " + inert(sub))
	}
	b.WriteString(", " + formatBytes(m.Size))
	if m.Name != "" {
		b.WriteString(": " + clipText(oneLine(m.Name), maxAlt))
	}
	if m.Alt != "" {
		b.WriteString(": " + clipText(oneLine(m.Alt), maxAlt))
	}
	b.WriteString("] " + shortID(m.Root))
	return b.String()
}

// maxAlt is how many characters of an alt text a feed line shows.
const maxAlt = 60

// clipText cuts s, which is inert, to n characters and an ellipsis.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n]), " ") + "…"
}

// attachments returns the lines of a post's attachments, each indented by
// two spaces and starting with a newline, "" without any.
func attachments(ms []core.Media) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("\n  " + attachmentLine(m))
	}
	return b.String()
}

// mediaCmd is "skein media": get, usage and prune.
type mediaCmd struct {
	sub  string
	root string
	out  string
	json bool
}

var mediaSubs = []string{"get", "usage", "prune"}

func (m *mediaCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&m.out, "o", "", "get: write the file to `FILE` (default: its root, with the extension of its type, in the current directory)")
	jsonFlag(fs, &m.json)
}

func (m *mediaCmd) args(a []string) error {
	if len(a) == 0 || a[0] == "" {
		return fmt.Errorf("missing a media command: %s", strings.Join(mediaSubs, ", "))
	}
	m.sub, a = a[0], a[1:]
	switch m.sub {
	case "get":
		if err := oneArg(a, "ROOT", &m.root); err != nil {
			return err
		}
		root, err := mediaRoot(m.root)
		m.root = root
		return err
	case "usage", "prune":
		if m.out != "" {
			return errors.New("-o: only for media get")
		}
		return noArgs(a)
	}
	return fmt.Errorf("unknown media command %q: use %s", m.sub, strings.Join(mediaSubs, ", "))
}

// mediaRoot checks a blob root given by the user: 64 hex digits.
func mediaRoot(s string) (string, error) {
	r := strings.ToLower(s)
	if len(r) != 64 || strings.Trim(r, "0123456789abcdef") != "" {
		return "", fmt.Errorf("invalid media root %q: use the 64 hex digits that feed --json shows", s)
	}
	return r, nil
}

func (m *mediaCmd) run(ctx context.Context, e *env, c *api.Client) error {
	switch m.sub {
	case "usage":
		u, err := c.MediaUsage(ctx)
		if err != nil {
			return err
		}
		if m.json {
			return writeJSON(e.stdout, u)
		}
		writeUsage(e.stdout, u)
		return nil
	case "prune":
		n, err := c.PruneMedia(ctx)
		if err != nil {
			return err
		}
		if m.json {
			return writeJSON(e.stdout, api.Freed{Freed: n})
		}
		fmt.Fprintf(e.stdout, "freed %s\n", formatBytes(n))
		return nil
	}
	return getMedia(ctx, e, c, m.root, m.out)
}

// getMedia fetches the blob root from whoever holds it, with its progress,
// and writes it to out through a temporary file renamed when complete.
func getMedia(ctx context.Context, e *env, c *api.Client, root, out string) error {
	pv := newProgressView(e.stdout, 1)
	m, err := c.FetchMedia(ctx, root, pv.report)
	pv.end()
	if err != nil {
		return err
	}
	if out == "" {
		out = root + extensions[m.Type]
	}
	rc, size, err := c.OpenMedia(ctx, root)
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := writeFileAtomic(out, rc)
	if err != nil {
		return err
	}
	if size >= 0 && n != size {
		os.Remove(out)
		return fmt.Errorf("the daemon sent %d bytes of %d: try again", n, size)
	}
	fmt.Fprintf(e.stdout, "saved %s (%s) to %s\n", shortID(root), formatBytes(n), inert(out))
	return nil
}

// extensions are the file name extensions of the media types.
var extensions = map[string]string{typeJPEG: ".jpg", typePNG: ".png", typeGIF: ".gif", typeWebP: ".webp", typeMP4: ".mp4", typeWebM: ".webm"}

// writeFileAtomic writes r to path through a temporary file in the same
// directory, synced and renamed over path only when complete.
func writeFileAtomic(path string, r io.Reader) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return n, err
	}
	return n, nil
}

// writeUsage writes the space media takes, by tier.
func writeUsage(w io.Writer, u core.MediaUsage) {
	fmt.Fprintf(w, "own:      %s (never evicted)\n", formatBytes(u.Own))
	fmt.Fprintf(w, "pinned:   %s (mirrored albums)\n", formatBytes(u.Pinned))
	fmt.Fprintf(w, "thumbs:   %s of %s\n", formatBytes(u.Thumbs), formatBytes(u.ThumbBudget))
	fmt.Fprintf(w, "cache:    %s of %s\n", formatBytes(u.Cache), formatBytes(u.CacheBudget))
	if u.Partial > 0 {
		fmt.Fprintf(w, "partial:  %s (downloads to resume)\n", formatBytes(u.Partial))
	}
	fmt.Fprintf(w, "files:    %d\n", u.Blobs)
}

// progressView shows downloads: on a terminal one line redrawn in place,
// a bar with pieces, rate, peers and files done; otherwise a plain line
// now and then and one for each file done.
type progressView struct {
	w     io.Writer
	term  bool
	files int // files to fetch, 0 if unknown
	done  map[string]bool
	cur   map[string]core.MediaProgress // by root, files in progress
	last  time.Time
	drawn bool
	now   func() time.Time
}

// redraw is how often the view is updated: the bar's line, or a plain
// line per file.
const (
	redrawTerm  = 100 * time.Millisecond
	redrawPlain = 2 * time.Second
)

func newProgressView(w io.Writer, files int) *progressView {
	f, ok := w.(*os.File)
	return &progressView{w: w, term: ok && isTerminal(f), files: files, done: map[string]bool{}, cur: map[string]core.MediaProgress{}, now: time.Now}
}

// report takes one progress report.
func (v *progressView) report(p core.MediaProgress) {
	if p.Done {
		if v.done[p.Root] {
			return
		}
		v.done[p.Root] = true
		delete(v.cur, p.Root)
	} else {
		v.cur[p.Root] = p
	}
	now := v.now()
	if v.term {
		if p.Done || now.Sub(v.last) >= redrawTerm {
			v.last = now
			fmt.Fprint(v.w, "\r"+v.bar(p)+"\x1b[K")
			v.drawn = true
		}
		return
	}
	if p.Done || now.Sub(v.last) >= redrawPlain {
		v.last = now
		fmt.Fprintln(v.w, v.plain(p))
	}
}

// end ends the view's line on a terminal.
func (v *progressView) end() {
	if v.drawn {
		fmt.Fprintln(v.w)
		v.drawn = false
	}
}

// plain is a progress line for a pipe:
//
//	cat.png: 12/40 pieces, 3.1 MB of 10 MB, 2.4 MB/s from 3 peers
//	cat.png: done, 10 MB from 2 peers (file 2 of 5)
func (v *progressView) plain(p core.MediaProgress) string {
	name := shortID(p.Root)
	if p.Name != "" {
		name = inert(p.Name)
	}
	if p.Done {
		s := fmt.Sprintf("%s: done, %s", name, formatBytes(p.Size))
		if p.Peers > 0 {
			s += fmt.Sprintf(" from %d peer%s", p.Peers, plural(p.Peers))
		}
		if v.files > 1 {
			s += fmt.Sprintf(" (file %d of %d)", len(v.done), v.files)
		}
		return s + badSuffix(p)
	}
	return fmt.Sprintf("%s: %d/%d pieces, %s of %s, %s/s from %d peer%s", name, p.Have, p.Pieces,
		formatBytes(p.Verified), formatBytes(p.Size), formatBytes(p.Rate), p.Peers, plural(p.Peers)) + badSuffix(p)
}

func badSuffix(p core.MediaProgress) string {
	if p.Bad > 0 {
		return fmt.Sprintf(", %d peer%s dropped for bad data", p.Bad, plural(p.Bad))
	}
	return ""
}

// barWidth is the bar's width in characters.
const barWidth = 24

// bar is the terminal line:
//
//	[#########...............]  38%  15/40 pieces  2.4 MB/s  3 peers  files 2/5
//
// It sums the files in progress; the files done count whole.
func (v *progressView) bar(p core.MediaProgress) string {
	var have, pieces, peers int
	var rate float64
	for _, q := range v.cur {
		have, pieces, rate = have+q.Have, pieces+q.Pieces, rate+q.Rate
		peers = max(peers, q.Peers)
	}
	if len(v.cur) == 0 { // the last report was a file done
		have, pieces, peers = p.Have, p.Pieces, p.Peers
	}
	frac := 0.0
	switch {
	case v.files > 1:
		part := 0.0
		for _, q := range v.cur {
			if q.Pieces > 0 {
				part += float64(q.Have) / float64(q.Pieces)
			}
		}
		frac = (float64(len(v.done)) + part) / float64(v.files)
	case pieces > 0:
		frac = float64(have) / float64(pieces)
	}
	frac = min(max(frac, 0), 1)
	n := int(frac * barWidth)
	s := fmt.Sprintf("[%s%s] %3d%%  %d/%d pieces  %s/s  %d peer%s", strings.Repeat("#", n), strings.Repeat(".", barWidth-n),
		int(frac*100), have, pieces, formatBytes(rate), peers, plural(peers))
	if v.files > 1 {
		s += fmt.Sprintf("  files %d/%d", len(v.done), v.files)
	}
	return s + badSuffix(p)
}

// sortedFiles returns the regular files of dir that album share takes:
// no directories, no dotfiles, no links, sorted by name.
func sortedFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range ents {
		if strings.HasPrefix(d.Name(), ".") || !d.Type().IsRegular() {
			continue
		}
		names = append(names, d.Name())
	}
	slices.Sort(names)
	return names, nil
}
