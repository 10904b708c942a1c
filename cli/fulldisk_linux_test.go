package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/localnet"
)

// mountTmpfs mounts a tmpfs of size bytes on dir until the test ends. The
// mount is removed even if the test fails, after the processes the test
// started later have stopped (cleanups run last first), lazily if
// something still holds it.
func mountTmpfs(t *testing.T, dir string, size int) {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		if errors.Is(err, syscall.EPERM) {
			// Root without CAP_SYS_ADMIN, as in some containers.
			t.Skipf("SKIP: cannot mount a tmpfs here (%v); the store's full-disk test (core/internal/store TestLevelDBFullDisk) still runs", err)
		}
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Logf("unmount %s: %v; detaching it", dir, err)
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
			}
		}
	})
}

// fillDisk writes junk to path until the disk holding it is full, and
// returns the number of bytes written.
func fillDisk(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total int64
	for _, chunk := range []int{1 << 20, 4 << 10, 512, 1} {
		junk := make([]byte, chunk)
		for range 1 << 12 { // 4 GiB at most of the largest chunk: bounded, and far more than the disk
			n, err := f.Write(junk)
			total += int64(n)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				t.Fatalf("filling the disk: %v", err)
			}
		}
	}
	return total
}

// TestFullDisk runs alice's daemon with its home on a small tmpfs, fills
// the disk until a post fails with "no space left on device", frees it,
// and posts again: the post works without a restart, a follow (whose
// notice the daemon stores) works too, and every post that was
// acknowledged is in the feed, after a restart as well; none that failed
// is.
func TestFullDisk(t *testing.T) {
	if skeinBin == "" {
		t.Skip("-short: no end-to-end tests")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs for the daemon's home (make test runs as root in CI)")
	}
	n := newTestNet(t, "bob")
	home := n.home("alice")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, home, 8<<20)
	n.start("alice")
	n.must("alice", "register", "alice")
	n.must("bob", "register", "bob")

	var acked, failed []string
	post := func(text string) localnet.Result {
		t.Helper()
		r := n.skein("alice", "post", text)
		if r.Code == 0 {
			acked = append(acked, text)
		} else {
			failed = append(failed, text)
		}
		return r
	}
	for i := range 10 {
		if r := post(fmt.Sprintf("before the disk fills %d", i)); r.Code != 0 {
			t.Fatalf("post before the disk fills: %s", r)
		}
	}

	junk := filepath.Join(home, "junk")
	filled := fillDisk(t, junk)
	var full localnet.Result
	worked := 0 // posts that worked on the full disk: the journal's last page had room
	for ; worked < 200; worked++ {
		if full = post(fmt.Sprintf("while the disk is full %d", worked)); full.Code != 0 {
			break
		}
		fillDisk(t, junk)
	}
	if full.Code == 0 {
		t.Fatalf("200 posts on a full disk all worked")
	}
	wantError(t, "post on a full disk", full, "no space left on device")
	for _, says := range []string{"free some space", "writes resume by themselves"} {
		if !strings.Contains(full.Stderr, says) {
			t.Errorf("post on a full disk: %q, want it to say %q", full.Stderr, says)
		}
	}
	// Reads go on; other writes fail the same way and wedge nothing.
	if !n.feedHas("alice", acked...) {
		t.Errorf("alice's feed on a full disk lacks some of the %d acknowledged posts", len(acked))
	}
	var whois localnet.Result
	n.eventually(deliverWithin, "bob's name to be found on a full disk", func() bool {
		whois = n.skein("alice", "whois", "bob")
		return whois.Code == 0
	})
	if !strings.Contains(whois.Stdout, "name: @bob\n") {
		t.Errorf("whois bob on a full disk printed %q", whois.Stdout)
	}
	followFull := n.skein("alice", "follow", "bob")
	if followFull.Code == 0 {
		t.Errorf("follow on a full disk worked: %s", followFull)
	} else {
		wantError(t, "follow on a full disk", followFull, "no space left on device")
	}
	if r := post("still full"); r.Code == 0 {
		t.Fatal("a post worked on a full disk before space was freed")
	}

	if err := os.Remove(junk); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	tries := 0
	n.eventually(deliverWithin, "a post to work once space is freed", func() bool {
		tries++
		return post(fmt.Sprintf("after space returned %d", tries)).Code == 0
	})
	recovered := time.Since(freed)
	for i := range 5 {
		if r := post(fmt.Sprintf("and after that %d", i)); r.Code != 0 {
			t.Fatalf("post after space returned: %s", r)
		}
	}
	n.must("alice", "follow", "bob")
	n.eventually(deliverWithin, "bob to learn alice follows him", func() bool {
		return strings.Contains(n.must("bob", "followers"), "@alice")
	})
	t.Logf("filled %d bytes of junk; %d posts acknowledged before the disk filled, %d more until one failed; "+
		"%d failed in all, and a follow; the first post after freeing space worked at try %d, %v after it was freed; "+
		"%d acknowledged in all; no restart", filled, 10, worked, len(failed), tries, recovered.Round(time.Millisecond), len(acked))

	check := func(when string) {
		t.Helper()
		feed := n.must("alice", "feed", "--limit", "500")
		for _, text := range acked {
			if !strings.Contains(feed, text+"\n") {
				t.Errorf("%s: alice's feed lacks the acknowledged post %q", when, text)
			}
		}
		for _, text := range failed {
			if strings.Contains(feed, text+"\n") {
				t.Errorf("%s: alice's feed has %q, whose post failed", when, text)
			}
		}
	}
	check("before a restart")
	n.stop("alice")
	n.start("alice")
	n.must("alice", "login", "alice")
	check("after a restart")
}
