package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// albumCmd is "skein album": share, mirror, list, show, unmirror, remove
// and drop.
type albumCmd struct {
	sub   string
	dir   string   // share, mirror
	name  string   // the author: mirror, list, show, unmirror
	slug  string   // share (--name), mirror, show, unmirror, remove, drop
	title string   // share
	roots []string // remove
	json  bool
}

// albumSubs are the subcommands of album, in the order help lists them.
var albumSubs = []string{"share", "mirror", "list", "show", "unmirror", "remove", "drop"}

func (a *albumCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&a.slug, "name", "", "share: the album's `SLUG` (1 to 32 of a-z, 0-9, - and _; default: from the directory's name)")
	fs.StringVar(&a.title, "title", "", "share: the album's title `T` when it is created (default: the directory's name)")
	fs.BoolVar(&a.json, "json", false, "list, show: print the API's JSON document")
}

func (a *albumCmd) args(args []string) error {
	if len(args) == 0 || args[0] == "" {
		return fmt.Errorf("missing an album command: %s", strings.Join(albumSubs, ", "))
	}
	a.sub, args = args[0], args[1:]
	if !slices.Contains(albumSubs, a.sub) {
		return fmt.Errorf("unknown album command %q: use %s", a.sub, strings.Join(albumSubs, ", "))
	}
	switch {
	case a.sub != "share" && (a.slug != "" || a.title != ""):
		return errors.New("--name and --title: only for album share")
	case a.json && a.sub != "list" && a.sub != "show":
		return errors.New("--json: only for album list and show")
	}
	if err := checkUTF8("--title", a.title); err != nil {
		return err
	}
	switch a.sub {
	case "share":
		if err := oneArg(args, "DIR", &a.dir); err != nil {
			return err
		}
		if a.slug == "" {
			a.slug = slugOf(filepath.Base(filepath.Clean(a.dir)))
		}
		if a.title == "" {
			a.title = titleOf(filepath.Base(filepath.Clean(a.dir)))
		}
		return checkSlug(a.slug)
	case "mirror":
		switch {
		case len(args) < 2:
			return errors.New("missing NAME/ALBUM and DIR")
		case len(args) > 2:
			return fmt.Errorf("unexpected argument %q after DIR", args[2])
		}
		a.dir = args[1]
		return a.albumRef(args[0])
	case "show", "unmirror":
		var ref string
		if err := oneArg(args, "NAME/ALBUM", &ref); err != nil {
			return err
		}
		return a.albumRef(ref)
	case "list":
		if len(args) > 1 {
			return fmt.Errorf("unexpected argument %q after NAME", args[1])
		}
		if len(args) == 1 {
			a.name = strings.TrimPrefix(args[0], "@")
		}
		return nil
	case "remove":
		if len(args) < 2 {
			return errors.New("missing SLUG and ROOT")
		}
		a.slug = args[0]
		for _, r := range args[1:] {
			root, err := mediaRoot(r)
			if err != nil {
				return err
			}
			a.roots = append(a.roots, root)
		}
		return checkSlug(a.slug)
	}
	// drop
	if err := oneArg(args, "SLUG", &a.slug); err != nil {
		return err
	}
	return checkSlug(a.slug)
}

// albumRef takes NAME/ALBUM: a user's name, a slash and the album's slug;
// a plain ALBUM is one of the account's own.
func (a *albumCmd) albumRef(ref string) error {
	name, slug, ok := strings.Cut(strings.TrimPrefix(ref, "@"), "/")
	if !ok {
		name, slug = "", name
	}
	a.name, a.slug = name, slug
	return checkSlug(slug)
}

// checkSlug checks an album's slug as core does: 1 to 32 of a-z, 0-9, -
// and _, starting with a letter or digit.
func checkSlug(s string) error {
	ok := s != "" && len(s) <= 32
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		case (r == '-' || r == '_') && i > 0:
		default:
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("invalid album name %q: use 1 to 32 of a-z, 0-9, - and _, starting with a letter or digit", s)
	}
	return nil
}

// slugOf makes a slug of a directory's name: lower case, each run of
// other characters made one '-', at most 32.
func slugOf(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '_':
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := strings.TrimLeft(b.String(), "-_")
	if len(s) > 32 {
		s = s[:32]
	}
	if s = strings.TrimRight(s, "-"); s == "" {
		s = "album"
	}
	return s
}

// titleOf makes a title of a directory's name: at most 100 characters.
func titleOf(name string) string {
	if !utf8.ValidString(name) || strings.TrimSpace(name) == "" {
		return "Album"
	}
	if r := []rune(name); len(r) > 100 {
		return string(r[:100])
	}
	return name
}

func (a *albumCmd) run(ctx context.Context, e *env, c *api.Client) error {
	switch a.sub {
	case "share":
		return a.share(ctx, e, c)
	case "mirror":
		return a.mirror(ctx, e, c)
	case "list":
		as, err := c.Albums(ctx, a.name)
		if err != nil {
			return err
		}
		if a.json {
			return writeJSON(e.stdout, api.Albums{Albums: nonNil(as)})
		}
		writeAlbums(e.stdout, as, "No albums.")
		return nil
	case "show":
		al, err := c.Album(ctx, a.name, a.slug)
		if err != nil {
			return err
		}
		if a.json {
			return writeJSON(e.stdout, al)
		}
		writeAlbum(e.stdout, al)
		return nil
	case "unmirror":
		if err := c.Unmirror(ctx, a.name, a.slug); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "stopped mirroring %s; the files written stay\n", albumName(a.name, a.slug))
		return nil
	case "remove":
		al, err := c.RemoveFromAlbum(ctx, a.slug, a.roots)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "album %s: %d file%s, %s\n", inert(al.Slug), len(al.Items), plural(len(al.Items)), formatBytes(al.Size))
		return nil
	}
	if err := c.DropAlbum(ctx, a.slug); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "dropped album %s; those who mirror it keep their copies\n", inert(a.slug))
	return nil
}

// maxAddBody bounds the JSON of the files one /v1/albums/add sends, below
// api.MaxBody.
const maxAddBody = api.MaxBody - 4<<10

// share publishes the regular files of a.dir (no dotfiles, no
// subdirectories) as the album a.slug, creating it if needed; files
// already in it, by name and content, are not sent again.
func (a *albumCmd) share(ctx context.Context, e *env, c *api.Client) error {
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if st.Account == "" {
		return core.ErrNotLoggedIn
	}
	names, err := sortedFiles(a.dir)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("%s holds no files to share (subdirectories and dotfiles are left out)", a.dir)
	}
	al, err := c.Album(ctx, "", a.slug)
	switch {
	case errors.Is(err, core.ErrNoAlbum):
		if al, err = c.CreateAlbum(ctx, a.slug, a.title); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created album %s (%s)\n", inert(al.Slug), oneLine(al.Title))
	case err != nil:
		return err
	}
	have := map[string]string{} // name → root
	for _, it := range al.Items {
		have[it.Name] = it.Root
	}
	var add []core.Media
	for i, name := range names {
		m, err := importFile(ctx, c, filepath.Join(a.dir, name), importOpts{name: name})
		if err != nil {
			return err
		}
		state := "new"
		switch root, ok := have[name]; {
		case ok && root == m.Root:
			state = "already shared"
		case ok:
			state = "changed"
		}
		fmt.Fprintf(e.stdout, "%d/%d %s: %s, %s (%s)\n", i+1, len(names), inert(name), typeLabel(m), formatBytes(m.Size), state)
		if state != "already shared" {
			add = append(add, m)
		}
	}
	for len(add) > 0 {
		k := len(add)
		for k > 1 && jsonSize(add[:k]) > maxAddBody {
			k /= 2
		}
		if al, err = c.AddToAlbum(ctx, a.slug, add[:k]); err != nil {
			return err
		}
		add = add[k:]
	}
	fmt.Fprintf(e.stdout, "album %s: %d file%s, %s; others mirror it with: skein album mirror %s/%s DIR\n",
		inert(al.Slug), len(al.Items), plural(len(al.Items)), formatBytes(al.Size), inert(st.Account), inert(al.Slug))
	return nil
}

func jsonSize(v any) int {
	b, _ := json.Marshal(v)
	return len(b)
}

// typeLabel is a file's type for a progress line: "image 40×30 png",
// "video mp4", "file".
func typeLabel(m core.Media) string {
	kind, sub, _ := strings.Cut(m.Type, "/")
	switch {
	case kind == "application" || kind == "":
		return "file"
	case m.Width > 0 && m.Height > 0:
		return fmt.Sprintf("%s %d×%d %s", inert(kind), m.Width, m.Height, inert(sub))
	}
	return inert(kind) + " " + inert(sub)
}

// mirror mirrors the album into a.dir, with its progress, until every file
// is held. Running it again resumes.
func (a *albumCmd) mirror(ctx context.Context, e *env, c *api.Client) error {
	dir, err := filepath.Abs(a.dir)
	if err != nil {
		return err
	}
	al, err := c.Album(ctx, a.name, a.slug)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "mirroring %s (%s): %d file%s, %s, %d held here, into %s\n", albumName(al.Author, al.Slug), oneLine(al.Title),
		len(al.Items), plural(len(al.Items)), formatBytes(al.Size), al.Held, inert(dir))
	pv := newProgressView(e.stdout, len(al.Items))
	al, err = c.MirrorAlbum(ctx, a.name, a.slug, dir, pv.report)
	pv.end()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(e.stdout, "stopped: run the same command again to resume")
			return err
		}
		return fmt.Errorf("%w (run the same command again to resume)", err)
	}
	fmt.Fprintf(e.stdout, "mirrored %s: %d of %d file%s held, %s, in %s; new files the author adds will follow\n",
		albumName(al.Author, al.Slug), al.Held, len(al.Items), plural(len(al.Items)), formatBytes(al.Size), inert(dir))
	return nil
}

// albumName is NAME/SLUG, inert.
func albumName(name, slug string) string {
	if name == "" {
		return inert(slug)
	}
	return inert(name) + "/" + inert(slug)
}

// writeAlbums lists albums, one a line:
//
//	alice/memes  Memes  120 files, 48 MB  (mirrored into /home/bob/memes, 120 held)
func writeAlbums(w io.Writer, as []core.Album, empty string) {
	if len(as) == 0 {
		fmt.Fprintln(w, empty)
		return
	}
	for _, al := range as {
		line := fmt.Sprintf("%s  %s  %d file%s, %s", albumName(al.Author, al.Slug), clipText(oneLine(al.Title), 60),
			len(al.Items), plural(len(al.Items)), formatBytes(al.Size))
		switch {
		case al.Mirrored && al.MirrorDir != "":
			line += fmt.Sprintf("  (mirrored into %s, %d held)", inert(al.MirrorDir), al.Held)
		case al.Mirrored:
			line += fmt.Sprintf("  (mirrored, %d held)", al.Held)
		}
		fmt.Fprintln(w, line)
	}
}

// writeAlbum shows an album and its files.
func writeAlbum(w io.Writer, al core.Album) {
	writeAlbums(w, []core.Album{al}, "")
	fmt.Fprintf(w, "updated %s\n", formatTime(al.Updated))
	for _, it := range al.Items {
		held := ""
		if it.Local {
			held = "  (held)"
		}
		fmt.Fprintf(w, "  %s%s\n", attachmentLine(it), held)
	}
}

// mirrorsCmd is "skein mirrors".
type mirrorsCmd struct{ json bool }

func (m *mirrorsCmd) flags(fs *flag.FlagSet) { jsonFlag(fs, &m.json) }
func (m *mirrorsCmd) args(a []string) error  { return noArgs(a) }

func (m *mirrorsCmd) run(ctx context.Context, e *env, c *api.Client) error {
	as, err := c.Mirrors(ctx)
	if err != nil {
		return err
	}
	if m.json {
		return writeJSON(e.stdout, api.Albums{Albums: nonNil(as)})
	}
	writeAlbums(e.stdout, as, "No mirrored albums: mirror one with skein album mirror NAME/ALBUM DIR.")
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
