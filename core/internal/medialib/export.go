package medialib

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/media"
)

// Export writes the held blob d names into dir, for a mirror, and returns
// the file name it is under. It writes through a temporary file renamed
// into place, and never over a file the mirror did not write: held maps
// the roots the mirror holds to the names it wrote them under, and a file
// of the item's name with other bytes makes it go to "name (ROOT8).ext".
// A name starting with "." gets a "_" before it. A file that already holds
// the same bytes is kept as it is.
func (l *Library) Export(d media.Descriptor, dir string, held map[blob.Root]string) (string, error) {
	name := d.Name
	if name == "" {
		name = d.Root.String()
	}
	if strings.HasPrefix(name, ".") {
		name = "_" + name // no hidden files: .bashrc must not become one
	}
	ours := func(name string) bool {
		for r, written := range held {
			if written == name && sameFile(filepath.Join(dir, name), r) {
				return true
			}
		}
		return false
	}
	candidates := []string{name}
	ext := filepath.Ext(name)
	candidates = append(candidates, strings.TrimSuffix(name, ext)+" ("+d.Root.Short()+")"+ext)
	for _, cand := range candidates {
		path := filepath.Join(dir, cand)
		if filepath.Dir(path) != filepath.Clean(dir) {
			return "", fmt.Errorf("%w: file name %q leaves the directory", media.ErrInvalid, cand)
		}
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return "", err
		case fi.Mode().IsRegular() && sameFile(path, d.Root):
			return cand, nil
		case !fi.Mode().IsRegular() || !ours(cand):
			continue // somebody else's file: left alone
		}
		return cand, l.writeFile(d.Root, dir, path)
	}
	return "", fmt.Errorf("medialib: %q and %q exist in %s with other bytes: left alone", candidates[0], candidates[1], dir)
}

// sameFile reports whether the file at path holds exactly the blob root.
func sameFile(path string, root blob.Root) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > blob.MaxSize {
		return false
	}
	got, _, err := blob.Encode(f, uint64(fi.Size()))
	return err == nil && got == root
}

// writeFile copies a held blob to path through a temporary file in dir.
func (l *Library) writeFile(root blob.Root, dir, path string) error {
	rd, err := l.blobs.Open(root)
	if err != nil {
		return err
	}
	defer rd.Close()
	tmp, err := os.CreateTemp(dir, ".skein-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rd); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
