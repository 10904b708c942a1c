package blobstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

var testSizes = []int{0, 100, blob.GroupSize, blob.GroupSize + 1, 3*blob.PieceSize + 5}

func TestAddAndRead(t *testing.T) {
	for _, disk := range []bool{false, true} {
		for _, size := range testSizes {
			t.Run(fmt.Sprintf("disk=%v/%d", disk, size), func(t *testing.T) {
				e := newEnv(t, disk, Limits{})
				data := testData(byte(size), size)
				root := e.add(data, TierOwn)
				check := func() {
					t.Helper()
					info, ok := e.s.Info(root)
					want := Info{Root: root, Size: uint64(size), Tier: TierOwn, Complete: true,
						Pieces: blob.Pieces(uint64(size)), Have: blob.Pieces(uint64(size)), Added: t0, Used: t0}
					if !ok || info != want {
						t.Fatalf("Info() = %+v, %v; want %+v", info, ok, want)
					}
					got, err := e.s.Bytes(root, blob.MaxSize)
					if err != nil || !bytes.Equal(got, data) {
						t.Fatalf("Bytes() = %d bytes, %v; want the %d added", len(got), err, size)
					}
					if gs, have, ok := e.s.Have(root); !ok || have != nil || gs != uint64(size) {
						t.Fatalf("Have() = %d, %x, %v; want %d, nil, true", gs, have, ok, size)
					}
					ob, err := e.s.Outboard(root)
					if err != nil || len(ob) != blob.OutboardSize(uint64(size)) {
						t.Fatalf("Outboard() = %d bytes, %v; want %d", len(ob), err, blob.OutboardSize(uint64(size)))
					}
					if err := blob.CheckOutboard(root, uint64(size), ob); err != nil {
						t.Fatalf("CheckOutboard(Outboard()) = %v", err)
					}
					for i := range blob.Pieces(uint64(size)) {
						b, err := e.s.ReadPiece(root, i, nil)
						off, n := blob.PieceSpan(uint64(size), i)
						if err != nil || !bytes.Equal(b, data[off:off+uint64(n)]) {
							t.Fatalf("ReadPiece(%d) = %d bytes, %v", i, len(b), err)
						}
					}
					r, err := e.s.Open(root)
					if err != nil {
						t.Fatalf("Open() error %v", err)
					}
					defer r.Close()
					if r.Size() != int64(size) {
						t.Fatalf("Size() = %d, want %d", r.Size(), size)
					}
					if size > 10 {
						if _, err := r.Seek(-10, io.SeekEnd); err != nil {
							t.Fatal(err)
						}
						tail, err := io.ReadAll(r)
						if err != nil || !bytes.Equal(tail, data[size-10:]) {
							t.Fatalf("ReadAll after Seek(-10, end) = %x, %v", tail, err)
						}
					}
				}
				check()
				if size <= blob.GroupSize && len(e.files()) != 0 {
					t.Fatalf("a small blob has files %v", e.files())
				}
				if size > blob.GroupSize && len(e.files()) != 2 {
					t.Fatalf("files = %v, want .data and .obao", e.files())
				}
				if disk {
					e.reopen()
					check()
				}
			})
		}
	}
}

func TestAddErrors(t *testing.T) {
	e := newEnv(t, false, Limits{})
	tests := []struct {
		name string
		size int
		max  int64
		want error
	}{
		{"small over max", 2000, 1000, ErrTooLarge},
		{"large over max", 3 * blob.GroupSize, 2 * blob.GroupSize, ErrTooLarge},
		{"at max", 2 * blob.GroupSize, 2 * blob.GroupSize, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.s.Add(t.Context(), bytes.NewReader(testData(1, tt.size)), tt.max, TierCache)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Add() error %v, want %v", err, tt.want)
			}
			for _, name := range e.files() {
				if strings.HasPrefix(name, "tmp-") {
					t.Fatalf("temporary file %s left", name)
				}
			}
		})
	}
	if got := e.s.Usage().Blobs; got != 1 {
		t.Fatalf("Usage().Blobs = %d, want 1", got)
	}
}

func TestAddRaisesTier(t *testing.T) {
	e := newEnv(t, false, Limits{})
	data := testData(3, 2*blob.GroupSize)
	small := testData(4, 200)
	tests := []struct {
		data []byte
		tier Tier
		want Tier
	}{
		{data, TierThumb, TierThumb},
		{data, TierCache, TierThumb},
		{data, TierOwn, TierOwn},
		{data, TierCache, TierOwn},
		{small, TierCache, TierCache},
		{small, TierPinned, TierPinned},
		{small, TierThumb, TierPinned},
	}
	for _, tt := range tests {
		root := e.add(tt.data, tt.tier)
		if info, _ := e.s.Info(root); info.Tier != tt.want {
			t.Fatalf("Add(%d bytes, %v): tier %v, want %v", len(tt.data), tt.tier, info.Tier, tt.want)
		}
	}
}

func TestTiersAndPins(t *testing.T) {
	e := newEnv(t, true, Limits{})
	root := e.add(testData(5, 3*blob.GroupSize), TierCache)
	steps := []struct {
		op   func() error
		want Tier
	}{
		{func() error { return e.s.Pin(root) }, TierPinned},
		{func() error { return e.s.Pin(root) }, TierPinned},
		{func() error { return e.s.Unpin(root) }, TierPinned},
		{func() error { return e.s.Unpin(root) }, TierCache},
		{func() error { return e.s.Unpin(root) }, TierCache},
		{func() error { return e.s.SetTier(root, TierOwn) }, TierOwn},
		{func() error { return e.s.Pin(root) }, TierOwn},
		{func() error { return e.s.SetTier(root, TierThumb) }, TierPinned},
		{func() error { return e.s.Unpin(root) }, TierThumb},
	}
	for i, st := range steps {
		if err := st.op(); err != nil {
			t.Fatalf("step %d: error %v", i, err)
		}
		e.reopen()
		if info, _ := e.s.Info(root); info.Tier != st.want {
			t.Fatalf("step %d: tier %v, want %v", i, info.Tier, st.want)
		}
	}
	var unknown blob.Root
	for _, err := range []error{e.s.Pin(unknown), e.s.Unpin(unknown), e.s.SetTier(unknown, TierOwn), e.s.Remove(unknown)} {
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("operation on an unknown blob: error %v, want ErrNotFound", err)
		}
	}
	if err := e.s.SetTier(root, TierOwn+1); err == nil {
		t.Fatal("SetTier(unknown tier) succeeded")
	}
}

func TestDownload(t *testing.T) {
	for _, disk := range []bool{false, true} {
		t.Run(fmt.Sprint("disk=", disk), func(t *testing.T) {
			e := newEnv(t, disk, Limits{})
			e.s.syncBytes = 1 << 40 // sync only when told
			e.s.syncEvery = 1 << 62
			data := testData(6, 5*blob.PieceSize+3*blob.GroupSize+17)
			size := uint64(len(data))
			root, ob := encode(t, data)
			p, err := e.s.Begin(root, size, TierCache)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := p.Outboard(); ok {
				t.Fatal("Outboard() ok before SetOutboard")
			}
			if err := p.WriteChunks(0, data[:blob.GroupSize]); err == nil {
				t.Fatal("WriteChunks before SetOutboard succeeded")
			}
			bad := bytes.Clone(ob)
			bad[100] ^= 1
			if err := p.SetOutboard(bad); !errors.Is(err, blob.ErrBadOutboard) {
				t.Fatalf("SetOutboard(bad) = %v, want ErrBadOutboard", err)
			}
			if err := p.SetOutboard(ob); err != nil {
				t.Fatal(err)
			}
			if _, _, ok := e.s.Have(root); ok {
				t.Fatal("Have() ok with no piece")
			}
			// Bad bytes: refused, nothing written.
			corrupt := bytes.Clone(data[:blob.PieceSize])
			corrupt[5] ^= 1
			if err := p.WriteChunks(0, corrupt); !errors.Is(err, ErrBadData) {
				t.Fatalf("WriteChunks(corrupt) = %v, want ErrBadData", err)
			}
			// Piece 1 group by group, last group first; piece 5 (short) whole.
			for g := 15; g >= 0; g-- {
				off := uint64(blob.PieceSize + g*blob.GroupSize)
				if got := p.Written().Has(1); got {
					t.Fatalf("piece 1 written after %d of 16 groups", 15-g)
				}
				if err := p.WriteChunks(off, data[off:off+blob.GroupSize]); err != nil {
					t.Fatal(err)
				}
			}
			writePiece(t, p, data, 5)
			if w, h := p.Written(), p.Have(); !w.Has(1) || !w.Has(5) || w.Count() != 2 || h.Count() != 0 {
				t.Fatalf("Written() = %08b, Have() = %08b; want pieces 1 and 5 written, none durable", w, h)
			}
			if err := p.dl.sync(); err != nil {
				t.Fatal(err)
			}
			if h := p.Have(); h.Count() != 2 || !h.Has(1) || !h.Has(5) {
				t.Fatalf("Have() after sync = %08b", h)
			}
			if _, have, ok := e.s.Have(root); !ok || !slices.Equal(have, p.Have()) {
				t.Fatalf("Store.Have() = %08b, %v", have, ok)
			}
			if _, err := e.s.Open(root); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Open(partial) = %v, want ErrIncomplete", err)
			}
			if _, err := e.s.ReadPiece(root, 0, nil); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("ReadPiece(missing) = %v, want ErrIncomplete", err)
			}
			if got, err := e.s.ReadPiece(root, 1, nil); err != nil || !bytes.Equal(got, data[blob.PieceSize:2*blob.PieceSize]) {
				t.Fatalf("ReadPiece(1) = %v", err)
			}
			if err := e.s.Remove(root); !errors.Is(err, ErrInFlight) {
				t.Fatalf("Remove(in flight) = %v, want ErrInFlight", err)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if err := p.WriteChunks(0, data[:blob.PieceSize]); !errors.Is(err, ErrClosed) {
				t.Fatalf("WriteChunks after Close = %v, want ErrClosed", err)
			}
			if disk {
				e.reopen()
			}
			// Resume: the outboard and pieces 1 and 5 are kept.
			p, err = e.s.Begin(root, size, TierThumb)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := p.Outboard(); !ok {
				t.Fatal("outboard lost on resume")
			}
			if w := p.Written(); w.Count() != 2 || !w.Has(1) || !w.Has(5) {
				t.Fatalf("Written() on resume = %08b", w)
			}
			p2, err := e.s.Begin(root, size, TierCache) // shares the download
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range []int{0, 2, 3, 4} {
				writePiece(t, p2, data, i)
			}
			if p.Complete() {
				t.Fatal("Complete() before the pieces are synced")
			}
			p2.Close()
			if !p.Complete() {
				t.Fatal("not Complete() after the last Partial... before it closed")
			}
			p.Close()
			got, err := e.s.Bytes(root, blob.MaxSize)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Bytes() after download = %v", err)
			}
			if info, _ := e.s.Info(root); info.Tier != TierThumb || !info.Complete {
				t.Fatalf("Info() = %+v", info)
			}
			if _, err := e.s.Begin(root, size+1, TierCache); !errors.Is(err, ErrBadData) {
				t.Fatalf("Begin(wrong size) = %v, want ErrBadData", err)
			}
			// A wrong size with nothing verified is replaced by the next.
			other := blob.Sum([]byte("other"))
			q, err := e.s.Begin(other, 5*blob.PieceSize, TierCache)
			if err != nil {
				t.Fatal(err)
			}
			q.Close()
			q, err = e.s.Begin(other, 2*blob.PieceSize, TierCache)
			if err != nil {
				t.Fatalf("Begin(another size, nothing verified) = %v", err)
			}
			q.Close()
			if info, _ := e.s.Info(other); info.Size != 2*blob.PieceSize {
				t.Fatalf("Info().Size = %d, want the second size", info.Size)
			}
			// Begin of a complete blob: complete at once.
			p, err = e.s.Begin(root, size, TierCache)
			if err != nil || !p.Complete() || !p.Written().Full(blob.Pieces(size)) {
				t.Fatalf("Begin(complete) = %v, complete %v", err, p.Complete())
			}
			writePiece(t, p, data, 0)
			p.Close()
		})
	}
}

func TestDownloadSmall(t *testing.T) {
	for _, size := range []int{0, 1, blob.GroupSize} {
		e := newEnv(t, false, Limits{})
		data := testData(7, size)
		root := blob.Sum(data)
		p, err := e.s.Begin(root, uint64(size), TierThumb)
		if err != nil {
			t.Fatal(err)
		}
		if ob, ok := p.Outboard(); !ok || len(ob) != 0 {
			t.Fatalf("Outboard() of a small blob = %d bytes, %v", len(ob), ok)
		}
		if err := p.SetOutboard(nil); err != nil {
			t.Fatalf("SetOutboard(nil) = %v", err)
		}
		if size > 0 {
			bad := bytes.Clone(data)
			bad[0] ^= 1
			if err := p.WriteChunks(0, bad); !errors.Is(err, ErrBadData) {
				t.Fatalf("WriteChunks(bad) = %v", err)
			}
		}
		if err := p.WriteChunks(0, data); err != nil {
			t.Fatal(err)
		}
		if !p.Complete() || !p.Have().Full(blob.Pieces(uint64(size))) {
			t.Fatalf("size %d: not complete after the write", size)
		}
		p.Close()
		got, err := e.s.Bytes(root, 1<<20)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Bytes() = %v", err)
		}
		if info, _ := e.s.Info(root); info.Tier != TierThumb {
			t.Fatalf("tier %v, want thumb", info.Tier)
		}
		if len(e.files()) != 0 {
			t.Fatalf("files %v for a small blob", e.files())
		}
	}
}

func TestConcurrentWrites(t *testing.T) {
	e := newEnv(t, true, Limits{})
	e.s.syncBytes = 1 << 20
	data := testData(8, 40*blob.PieceSize+999)
	size := uint64(len(data))
	root, ob := encode(t, data)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			p, err := e.s.Begin(root, size, TierCache)
			if err != nil {
				t.Error(err)
				return
			}
			defer p.Close()
			if err := p.SetOutboard(ob); err != nil {
				t.Error(err)
				return
			}
			for i := w; i < blob.Pieces(size); i += 3 { // overlapping
				off, n := blob.PieceSpan(size, i)
				if err := p.WriteChunks(off, data[off:off+uint64(n)]); err != nil {
					t.Error(err)
				}
				_ = p.Written()
				_, _, _ = e.s.Have(root)
			}
		})
	}
	wg.Wait()
	if info, _ := e.s.Info(root); !info.Complete {
		t.Fatalf("Info() = %+v, want complete", info)
	}
	if got, err := e.s.Bytes(root, blob.MaxSize); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Bytes() = %v", err)
	}
}

func TestCorruptOnDisk(t *testing.T) {
	e := newEnv(t, true, Limits{})
	data := testData(9, 4*blob.PieceSize+100)
	root := e.add(data, TierCache)
	flip := func(off int64) {
		t.Helper()
		f, err := os.OpenFile(e.path(root, ".data"), os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b [1]byte
		f.ReadAt(b[:], off)
		b[0] ^= 0x10
		if _, err := f.WriteAt(b[:], off); err != nil {
			t.Fatal(err)
		}
	}
	flip(2*blob.PieceSize + 7)
	if _, err := e.s.ReadPiece(root, 1, nil); err != nil {
		t.Fatalf("ReadPiece(1) = %v", err)
	}
	if b, err := e.s.ReadPiece(root, 2, nil); !errors.Is(err, ErrBadData) || b != nil {
		t.Fatalf("ReadPiece(corrupt piece) = %d bytes, %v; want ErrBadData", len(b), err)
	}
	_, have, ok := e.s.Have(root)
	if !ok || have.Has(2) || have.Count() != 4 {
		t.Fatalf("Have() after the corrupt read = %08b, %v; want all but piece 2", have, ok)
	}
	if _, err := e.s.ReadPiece(root, 2, nil); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("ReadPiece(dropped piece) = %v, want ErrIncomplete", err)
	}
	if _, err := e.s.Open(root); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Open() = %v, want ErrIncomplete", err)
	}
	e.reopen() // the drop is durable
	if info, _ := e.s.Info(root); info.Complete || info.Have != 4 {
		t.Fatalf("Info() after reopen = %+v", info)
	}
	// A download repairs it.
	p, err := e.s.Begin(root, uint64(len(data)), TierCache)
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Written(); w.Has(2) || w.Count() != 4 {
		t.Fatalf("Written() = %08b", w)
	}
	writePiece(t, p, data, 2)
	p.Close()
	if got, err := e.s.Bytes(root, blob.MaxSize); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Bytes() after repair = %v", err)
	}
	// A Reader finds corruption too, and returns no byte of the piece.
	flip(3*blob.PieceSize + 1)
	r, err := e.s.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if !errors.Is(err, ErrBadData) || len(got) != 3*blob.PieceSize {
		t.Fatalf("ReadAll() = %d bytes, %v; want %d, ErrBadData", len(got), err, 3*blob.PieceSize)
	}
	if _, have, _ := e.s.Have(root); have.Has(3) {
		t.Fatal("corrupt piece 3 still claimed")
	}
}

func TestCorruptOutboardFile(t *testing.T) {
	e := newEnv(t, true, Limits{})
	data := testData(10, 2*blob.PieceSize)
	root := e.add(data, TierCache)
	e.reopen() // empty the outboard cache
	b, err := os.ReadFile(e.path(root, ".obao"))
	if err != nil {
		t.Fatal(err)
	}
	b[40] ^= 1
	os.WriteFile(e.path(root, ".obao"), b, 0o600)
	if _, err := e.s.ReadPiece(root, 0, nil); !errors.Is(err, ErrBadData) {
		t.Fatalf("ReadPiece() with a corrupt outboard = %v, want ErrBadData", err)
	}
	if _, _, ok := e.s.Have(root); ok {
		t.Fatal("Have() ok after the outboard was found corrupt")
	}
}

func TestOpenCleansUp(t *testing.T) {
	e := newEnv(t, true, Limits{})
	kept := e.add(testData(11, 3*blob.GroupSize), TierCache)
	lost := e.add(testData(12, 3*blob.GroupSize), TierCache)
	orphan := blob.Sum([]byte("orphan"))
	e.s.Close()
	for _, name := range []string{"tmp-123.data", "tmp-9.obao", orphan.String() + ".data", orphan.String() + ".obao"} {
		os.WriteFile(e.dir+"/blobs/"+name, []byte("x"), 0o600)
	}
	os.WriteFile(e.dir+"/blobs/notes.txt", []byte("x"), 0o600)
	os.Remove(e.path(lost, ".data"))
	e.open()
	want := []string{kept.String() + ".data", kept.String() + ".obao", "notes.txt"}
	slices.Sort(want)
	if got := e.files(); !slices.Equal(got, want) {
		t.Fatalf("files after Open = %v, want %v", got, want)
	}
	if _, ok := e.s.Info(lost); ok {
		t.Fatal("blob with a missing data file still listed")
	}
	if _, ok := e.s.Info(kept); !ok {
		t.Fatal("intact blob dropped")
	}
}

func TestRemove(t *testing.T) {
	e := newEnv(t, false, Limits{})
	root := e.add(testData(13, 3*blob.GroupSize), TierOwn)
	small := e.add(testData(14, 10), TierOwn)
	r, err := e.s.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []blob.Root{root, small} {
		if err := e.s.Remove(x); err != nil {
			t.Fatal(err)
		}
		if _, ok := e.s.Info(x); ok {
			t.Fatal("removed blob still listed")
		}
	}
	if len(e.files()) != 0 {
		t.Fatalf("files left: %v", e.files())
	}
	// The open Reader still reads the removed bytes.
	if got, err := io.ReadAll(r); err != nil || len(got) != 3*blob.GroupSize {
		t.Fatalf("ReadAll on a removed blob = %d bytes, %v", len(got), err)
	}
	r.Close()
	if err := e.s.Remove(root); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Remove() = %v", err)
	}
	if u := e.s.Usage(); u.Blobs != 0 || u.Own != 0 {
		t.Fatalf("Usage() = %+v", u)
	}
}

// failWriter fails writes once limit bytes were written, like a full disk.
type failWriter struct {
	mu      sync.Mutex
	limit   int64
	written int64
}

func (w *failWriter) writeAt(f *os.File, p []byte, off int64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.written+int64(len(p)) > w.limit {
		n := int(w.limit - w.written)
		n, _ = f.WriteAt(p[:n], off)
		w.written += int64(n)
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	n, err := f.WriteAt(p, off)
	w.written += int64(n)
	return n, err
}

func TestNoSpace(t *testing.T) {
	e := newEnv(t, true, Limits{})
	fw := &failWriter{limit: 300 << 10}
	e.s.writeAt = fw.writeAt
	data := testData(15, 2*blob.PieceSize)
	_, _, err := e.s.Add(t.Context(), bytes.NewReader(data), 0, TierOwn)
	if !errors.Is(err, ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Add() on a full disk = %v, want ErrNoSpace", err)
	}
	if files := e.files(); len(files) != 0 {
		t.Fatalf("files left after a failed Add: %v", files)
	}
	if u := e.s.Usage(); u.Blobs != 0 {
		t.Fatalf("Usage() after a failed Add = %+v", u)
	}

	// A download: the piece that does not fit is not claimed; once space
	// is back the download goes on.
	fw.written, fw.limit = 0, blob.PieceSize+1000
	root, ob := encode(t, data)
	p, err := e.s.Begin(root, uint64(len(data)), TierCache)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SetOutboard(ob); err != nil {
		t.Fatal(err)
	}
	fw.written = 0
	writePiece(t, p, data, 0)
	off, n := blob.PieceSpan(uint64(len(data)), 1)
	if err := p.WriteChunks(off, data[off:off+uint64(n)]); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("WriteChunks on a full disk = %v, want ErrNoSpace", err)
	}
	if err := p.dl.sync(); err != nil {
		t.Fatal(err)
	}
	if w, h := p.Written(), p.Have(); w.Has(1) || !h.Has(0) || h.Count() != 1 {
		t.Fatalf("after the failed write: Written %08b, Have %08b", w, h)
	}
	fw.limit = 1 << 40
	writePiece(t, p, data, 1)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := e.s.Bytes(root, blob.MaxSize); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Bytes() after space came back = %v", err)
	}
}

func TestRowCodec(t *testing.T) {
	m := &meta{size: 3*blob.PieceSize + 1, tier: TierThumb, pins: 3, obOK: true, have: blob.Bitfield{0xa0}, added: 5, used: 9}
	small := &meta{size: 3, tier: TierCache, complete: true, have: blob.Bitfield{0x80}, inline: []byte("abc")}
	for _, want := range []*meta{m, small} {
		got, err := decodeRow(want.encode())
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("decodeRow(encode(%+v)) = %+v, %v", want, got, err)
		}
	}
	good := m.encode()
	tests := []struct {
		name string
		row  []byte
	}{
		{"empty", nil},
		{"short", good[:rowHeader-1]},
		{"version", append([]byte{2}, good[1:]...)},
		{"flags", append([]byte{1, 0x80}, good[2:]...)},
		{"tier", append([]byte{1, 2, 9}, good[3:]...)},
		{"no bitfield", good[:rowHeader]},
		{"trailing", append(bytes.Clone(good), 0)},
		{"complete not full", append([]byte{1, 3}, good[2:]...)},
		{"inline too long", append(bytes.Clone(small.encode()), 'd')},
		{"bit past the last piece", append(bytes.Clone(good[:rowHeader]), 0xa8)},
	}
	for _, tt := range tests {
		if _, err := decodeRow(tt.row); err == nil {
			t.Errorf("decodeRow(%s) succeeded", tt.name)
		}
	}
}

func FuzzDecodeRow(f *testing.F) {
	f.Add((&meta{size: 3*blob.PieceSize + 1, have: blob.Bitfield{0xa0}}).encode())
	f.Add((&meta{size: 3, complete: true, have: blob.Bitfield{0x80}, inline: []byte("abc")}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeRow(b)
		if err != nil {
			return
		}
		if !bytes.Equal(m.encode(), b) {
			t.Fatalf("decodeRow is not canonical: %x re-encodes as %x", b, m.encode())
		}
	})
}
