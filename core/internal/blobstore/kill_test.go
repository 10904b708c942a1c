package blobstore

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/store"
)

// childEnv names the directory TestHelperChild downloads into; set only in
// the child process TestKill9 starts.
const childEnv = "SKEIN_BLOBSTORE_KILL_CHILD"

const killBlobSize = 32 << 20

// TestHelperChild is the process TestKill9 kills: it downloads a 32 MiB
// blob piece by piece into the store in $SKEIN_BLOBSTORE_KILL_CHILD,
// printing "wrote i" after each piece, until it is killed.
func TestHelperChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("the child process of TestKill9")
	}
	kv, err := store.OpenLevelDB(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(dir, "blobs"), store.Prefix(kv, []byte{store.BlobPrefix}), Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := testData(42, killBlobSize)
	root, ob := encode(t, data)
	p, err := s.Begin(root, killBlobSize, TierCache)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetOutboard(ob); err != nil {
		t.Fatal(err)
	}
	for i := range blob.Pieces(killBlobSize) {
		writePiece(t, p, data, i)
		fmt.Fprintf(os.Stdout, "wrote %d\n", i)
		time.Sleep(2 * time.Millisecond) // a network's pace
	}
	fmt.Fprintln(os.Stdout, "done")
	time.Sleep(time.Hour) // wait to be killed
}

// TestKill9 kills a process mid-download with SIGKILL, reopens its store,
// and checks that every piece the bitfield claims verifies, and that the
// pieces written but not claimed (fetched again) are at most the sync
// stretch of 4 MiB and one piece.
func TestKill9(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pieces := blob.Pieces(killBlobSize)
	written := -1
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "wrote ")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		written = max(written, i)
		// Kill at about half, off the 4 MiB sync boundaries (every 16
		// pieces), where the most is lost.
		if !killed && written+1 >= pieces/2+14 {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	if !killed {
		t.Fatalf("the child ended before it was killed: %v", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}

	kv, err := store.OpenLevelDB(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	s, err := Open(filepath.Join(dir, "blobs"), store.Prefix(kv, []byte{store.BlobPrefix}), Limits{}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data := testData(42, killBlobSize)
	root := blob.Sum(data)
	_, have, ok := s.Have(root)
	if !ok {
		t.Fatal("Have() = not ok: nothing survived")
	}
	claimed := 0
	for i := range pieces {
		if !have.Has(i) {
			continue
		}
		claimed++
		got, err := s.ReadPiece(root, i, nil)
		off, n := blob.PieceSpan(killBlobSize, i)
		if err != nil || !bytes.Equal(got, data[off:off+uint64(n)]) {
			t.Fatalf("claimed piece %d does not verify: %v", i, err)
		}
		if i > written {
			t.Logf("piece %d claimed, written after the child's last report", i)
		}
	}
	lost := 0
	for i := 0; i <= written; i++ {
		if !have.Has(i) {
			lost++
		}
	}
	refetch := int64(lost) * blob.PieceSize
	t.Logf("killed after %d of %d pieces written; %d claimed; refetch bytes: %d", written+1, pieces, claimed, refetch)
	if refetch > syncBytes+blob.PieceSize {
		t.Fatalf("refetch bytes %d > 4 MiB + one piece", refetch)
	}
	// The download resumes from the claimed pieces and completes.
	p, err := s.Begin(root, killBlobSize, TierCache)
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Written(); !bytes.Equal(w, have) {
		t.Fatalf("Written() on resume = %x, want the claimed %x", w, have)
	}
	for i := range pieces {
		if !have.Has(i) {
			writePiece(t, p, data, i)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Bytes(root, blob.MaxSize); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Bytes() after resuming = %v", err)
	}
}
