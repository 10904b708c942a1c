//go:build linux

package blobstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/skein-p2p/skein/core/internal/store"
)

// fsizeEnv names the directory of TestFileSizeLimitChild; set only in the
// child process TestFileSizeLimit starts.
const fsizeEnv = "SKEIN_BLOBSTORE_FSIZE_CHILD"

// TestFileSizeLimitChild runs with a 1 MiB file size limit (RLIMIT_FSIZE):
// the kernel refuses to grow a file past it, as a full disk refuses any
// write. It prints one line per check; TestFileSizeLimit reads them.
func TestFileSizeLimitChild(t *testing.T) {
	dir := os.Getenv(fsizeEnv)
	if dir == "" {
		t.Skip("the child process of TestFileSizeLimit")
	}
	signal.Ignore(syscall.SIGXFSZ) // get EFBIG instead of dying
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 1 << 20, Max: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	kv := store.NewMemory()
	defer kv.Close()
	s, err := Open(dir, kv, Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	report := func(what string, err error) {
		fmt.Fprintf(os.Stdout, "%s nospace=%v err=%v\n", what, errors.Is(err, ErrNoSpace), err)
	}
	data := testData(1, 3<<20)
	_, _, err = s.Add(t.Context(), bytes.NewReader(data), 0, TierOwn)
	report("add", err)
	root, _ := encode(t, data)
	_, err = s.Begin(root, uint64(len(data)), TierCache)
	report("begin", err)
	small := testData(2, 1000)
	_, _, err = s.Add(t.Context(), bytes.NewReader(small), 0, TierOwn)
	report("small", err)
	names, _ := os.ReadDir(dir)
	fmt.Fprintf(os.Stdout, "files %d blobs %d\n", len(names), s.Usage().Blobs)
}

// TestFileSizeLimit checks the full-disk path against the kernel: a child
// process with a 1 MiB file size limit adds a 3 MiB blob and begins a
// download of one; both fail with ErrNoSpace and leave no file, while a
// small blob (kept in its row) still goes in.
func TestFileSizeLimit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileSizeLimitChild$", "-test.v")
	cmd.Env = append(os.Environ(), fsizeEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"add nospace=true", "begin nospace=true", "small nospace=false err=<nil>", "files 0 blobs 1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}
