package medialib

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/media"
)

// TestExport: an item is written under its name, next to a file of the
// same name it did not write, over a file it wrote before, never as a
// hidden file, and not again when the file holds its bytes.
func TestExport(t *testing.T) {
	l := open(t, nil)
	ctx := context.Background()
	add := func(data []byte, name string) media.Descriptor {
		root, size, err := l.Import(ctx, bytes.NewReader(data), blob.MaxSize, blobstore.TierOwn)
		if err != nil {
			t.Fatal(err)
		}
		return media.Descriptor{Root: root, Size: size, Type: "application/octet-stream", Name: name}
	}
	v1 := add(randomBytes(1, 40000), "a.bin")
	v2 := add(randomBytes(2, 40000), "a.bin")
	other := add(randomBytes(3, 100), "b.bin")
	dot := add([]byte("alias ls=rm"), ".bashrc")
	tests := []struct {
		name     string
		before   map[string][]byte // files in the directory first
		held     map[blob.Root]string
		d        media.Descriptor
		want     string // the name it is written under
		wantKept string // a file that must keep its bytes ("" for none)
	}{
		{name: "new file", d: v1, want: "a.bin"},
		{name: "same bytes already there", before: map[string][]byte{"a.bin": randomBytes(1, 40000)}, d: v1, want: "a.bin"},
		{name: "someone else's file", before: map[string][]byte{"a.bin": []byte("mine")}, d: v1, want: "a (" + v1.Root.Short() + ").bin", wantKept: "a.bin"},
		{name: "replacing what the mirror wrote", before: map[string][]byte{"a.bin": randomBytes(1, 40000)}, held: map[blob.Root]string{v1.Root: "a.bin"}, d: v2, want: "a.bin"},
		{name: "the mirror's file edited since", before: map[string][]byte{"a.bin": []byte("edited")}, held: map[blob.Root]string{v1.Root: "a.bin"}, d: v2, want: "a (" + v2.Root.Short() + ").bin", wantKept: "a.bin"},
		{name: "hidden name", d: dot, want: "_.bashrc"},
		{name: "small blob", d: other, want: "b.bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.before {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := l.Export(tt.d, dir, tt.held)
			if err != nil || got != tt.want {
				t.Fatalf("Export() = %q, %v; want %q", got, err, tt.want)
			}
			want, _ := l.Blobs().Bytes(tt.d.Root, blob.MaxSize)
			if b, err := os.ReadFile(filepath.Join(dir, got)); err != nil || !bytes.Equal(b, want) {
				t.Errorf("%s holds %d bytes, %v; want the blob's %d", got, len(b), err, len(want))
			}
			if tt.wantKept != "" {
				if b, _ := os.ReadFile(filepath.Join(dir, tt.wantKept)); !bytes.Equal(b, tt.before[tt.wantKept]) {
					t.Errorf("%s was overwritten", tt.wantKept)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, ".bashrc")); err == nil {
				t.Error("a hidden file was written")
			}
		})
	}
}
