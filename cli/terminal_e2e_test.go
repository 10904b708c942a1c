package cli

// End-to-end tests of what reaches a terminal and of posting through the
// local API: real skein processes on 127.0.0.1, a peer that writes entries
// as another implementation would, and a proxy on the daemon's socket that
// loses answers. Skipped with -short.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/tyler-smith/go-bip39"

	"github.com/skein-p2p/skein/cli/internal/localnet"
)

// fakeHeader is how a line of a post would begin to pass for a post of
// its own: a date no real post of these tests has.
const fakeHeader = "1999-12-31 23:59  @carol  [deadbeef]"

// foreignText is the text of a post written by another implementation,
// which core would refuse to write: it mentions @alice, sets the window
// title, returns to the start of the line to write a fake header, starts
// a new line with another, clears the screen with a C1 control, reverses
// the rest with a bidi override, and has DEL and a line separator.
const foreignText = "@alice look\x1b]0;owned\x07\r" + fakeHeader + "  I am carol\n" + fakeHeader + "  me too\u009b2J\u202eexe.txt\x7f end\u2028tail"

// terminalSafe reports the first thing in out that a terminal could obey
// (anything but newlines and tabs) or a line that starts like a post that
// is not one, "" if none.
func terminalSafe(out string) string {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && size == 1,
			r < 0x20 && r != '\n' && r != '\t', r == 0x7f, 0x80 <= r && r <= 0x9f,
			r == 0x2028, r == 0x2029, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
			return fmt.Sprintf("%q at byte %d", out[i:i+size], i)
		}
		i += size
	}
	for _, l := range strings.Split(out, "\n") {
		// A notification line starts with "* " or "  "; the lines of a
		// multi-line post after the first are indented much further.
		for _, start := range []string{"", "* ", "  "} {
			if strings.HasPrefix(l, start+fakeHeader[:10]) {
				return fmt.Sprintf("the line %q", l)
			}
		}
	}
	return ""
}

// forgeEntry encodes and signs entry seq of priv's log, as docs/PROTOCOL.md
// specifies it, without Skein's code: as another implementation would.
func forgeEntry(priv ed25519.PrivateKey, seq uint64, prev [32]byte, wall uint64, kind byte, body []byte) []byte {
	h := make([]byte, 0, 184+len(body))
	h = append(h, 1)
	h = append(h, priv.Public().(ed25519.PublicKey)...)
	h = binary.BigEndian.AppendUint64(h, seq)
	h = append(h, prev[:]...)
	h = binary.BigEndian.AppendUint64(h, wall)
	h = binary.BigEndian.AppendUint32(h, 0)
	h = append(h, kind)
	h = binary.BigEndian.AppendUint16(h, uint16(len(body)))
	sum := sha256.Sum256(body)
	h = append(h, sum[:]...)
	sig := ed25519.Sign(priv, append([]byte("skein/entry/v1\x00"), h...))
	return append(append(h, sig...), body...)
}

// sendNotice delivers entry to the daemon at addr (a /p2p/ multiaddr) as a
// notice on /skein/notify/1.0.0 (docs/PROTOCOL.md, "Notify") from a libp2p
// host of its own, and waits for the acknowledgement.
func sendNotice(t *testing.T, addr string, entry []byte) {
	t.Helper()
	info, err := peer.AddrInfoFromString(addr)
	if err != nil {
		t.Fatal(err)
	}
	h, err := libp2p.New(libp2p.NoListenAddrs, libp2p.Transport(tcp.NewTCPTransport),
		libp2p.DisableRelay(), libp2p.ResourceManager(&network.NullResourceManager{}))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx, cancel := context.WithTimeout(t.Context(), deliverWithin)
	defer cancel()
	if err := h.Connect(ctx, *info); err != nil {
		t.Fatalf("connecting to %s: %v", addr, err)
	}
	s, err := h.NewStream(ctx, info.ID, "/skein/notify/1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	payload := []byte{1}
	payload = binary.BigEndian.AppendUint16(payload, uint16(len(entry)))
	payload = append(payload, entry...)
	payload = binary.BigEndian.AppendUint16(payload, 0) // no name record
	frame := binary.AppendUvarint(nil, uint64(len(payload)))
	if _, err := s.Write(append(frame, payload...)); err != nil {
		t.Fatal(err)
	}
	s.CloseWrite()
	s.SetReadDeadline(time.Now().Add(deliverWithin))
	ack := make([]byte, 1)
	if _, err := io.ReadFull(s, ack); err != nil || ack[0] != 1 {
		t.Fatalf("the notice's acknowledgement: %x, %v", ack, err)
	}
}

// tcpAddr returns user's daemon's TCP address with its /p2p/ ID, from
// skein status --json.
func (n *testNet) tcpAddr(user string) string {
	n.t.Helper()
	var st struct{ Addrs []string }
	if err := json.Unmarshal([]byte(n.must(user, "status", "--json")), &st); err != nil {
		n.t.Fatal(err)
	}
	for _, a := range st.Addrs {
		if strings.Contains(a, "/tcp/") {
			return a
		}
	}
	n.t.Fatalf("%s's daemon has no TCP address: %q", user, st.Addrs)
	return ""
}

// TestEndToEndForeignEntry: bob's log holds a post that another
// implementation wrote, full of control characters; alice follows him and
// every way her CLI shows it (feed, timeline, notifications, watch, watch
// --json, the shell) prints it inert, and --json keeps it exact.
func TestEndToEndForeignEntry(t *testing.T) {
	n := newTestNet(t, "alice", "bob")
	n.must("alice", "register", "alice")
	n.must("bob", "register", "bob")
	n.eventually(deliverWithin, "alice follows bob", func() bool { return n.skein("alice", "follow", "bob").Code == 0 })
	// bob's key, from his recovery phrase; then his device goes away.
	words := strings.TrimSpace(n.must("bob", "export"))
	seed, err := bip39.EntropyFromMnemonic(words)
	if err != nil {
		t.Fatalf("bob's phrase %q: %v", words, err)
	}
	bobKey := ed25519.NewKeyFromSeed(seed)
	n.stop("bob")

	ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	watch, err := localnet.Start(ctx, "alice's watch", skeinBin, nil, "skein watch: watching", "--home", n.home("alice"), "watch")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watch.Stop(stopGrace) })
	watchJSON, err := localnet.Start(ctx, "alice's watch --json", skeinBin, nil, "skein watch: watching", "--home", n.home("alice"), "watch", "--json")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watchJSON.Stop(stopGrace) })

	sendNotice(t, n.tcpAddr("alice"), forgeEntry(bobKey, 1, [32]byte{}, uint64(time.Now().UnixMilli()), 1, []byte(foreignText)))
	n.eventually(deliverWithin, "alice's feed has bob's post", func() bool { return n.feedHas("alice", "@bob  [") })

	wctx, wcancel := context.WithTimeout(t.Context(), deliverWithin)
	defer wcancel()
	for _, w := range []struct {
		p    *localnet.Proc
		want string
	}{{watch, "@bob mentioned you: @alice look"}, {watch, "  @bob  ["}, {watchJSON, `"kind":"post"`}, {watchJSON, `"kind":"notification"`}} {
		if err := w.p.WaitFor(wctx, w.want); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range []*localnet.Proc{watch, watchJSON} {
		if err := w.Stop(stopGrace); err != nil {
			t.Errorf("%s: %v", w.Name, err)
		}
	}

	shell := n.skeinEnv("alice", nil, "0\n8\n9\nbob\nq\n", "shell")
	outputs := map[string]string{
		"feed":           n.must("alice", "feed"),
		"timeline":       n.must("alice", "timeline", "bob"),
		"notifications":  n.must("alice", "notifications"),
		"watch":          strings.Join(watch.Lines(), "\n"),
		"watch --json":   strings.Join(watchJSON.Lines(), "\n"),
		"shell":          shell.Stdout + shell.Stderr,
		"alice's daemon": strings.Join(n.daemons["alice"].Lines(), "\n"),
	}
	escaped := `look\x1b]0;owned\x07\r` + fakeHeader + `  I am carol`
	for name, out := range outputs {
		if bad := terminalSafe(out); bad != "" {
			t.Errorf("%s printed %s:\n%s", name, bad, out)
		}
		if name != "watch --json" && name != "alice's daemon" && !strings.Contains(out, escaped) {
			t.Errorf("%s does not show the post's controls as escapes (%q):\n%s", name, escaped, out)
		}
	}
	// Multi-line posts keep their lines, indented under the header.
	if !strings.Contains(outputs["feed"], "\n  ") || !strings.Contains(outputs["feed"], ` me too\u009b2J\u202eexe.txt\x7f end\u2028tail`) {
		t.Errorf("the feed does not indent the post's second line, or shows it wrong:\n%s", outputs["feed"])
	}
	// --json escapes everything but keeps the text exact.
	var p struct {
		Posts []struct{ Author, Text string }
	}
	if err := json.Unmarshal([]byte(n.must("alice", "feed", "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Posts) != 1 || p.Posts[0].Author != "bob" || p.Posts[0].Text != foreignText {
		t.Errorf("feed --json = %+v, want bob's post with its text exact", p.Posts)
	}
	for _, l := range watchJSON.Lines() {
		if strings.HasPrefix(l, "{") && !json.Valid([]byte(l)) {
			t.Errorf("watch --json printed invalid JSON: %q", l)
		}
	}

	// alice cannot post such a text herself.
	before := n.entriesOf("alice")
	wantError(t, "a post with an escape sequence", n.skein("alice", "post", "hi\x1b]0;owned\x07"),
		`invalid post: character 3 is U+001B (ESC), a control character`)
	wantError(t, "a post with a bidi override", n.skein("alice", "post", "txt.\u202eexe"),
		`character 5 is U+202E (RIGHT-TO-LEFT OVERRIDE), a bidirectional override or isolate`)
	if after := n.entriesOf("alice"); after != before {
		t.Errorf("refused posts took alice's log from %d to %d entries", before, after)
	}
}

// unixClient returns an HTTP client for the daemon's socket at sock.
func unixClient(sock string) *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "unix", sock)
	}}}
}

// entriesOf returns the number of entries of user's log, from skein status.
func (n *testNet) entriesOf(user string) int {
	n.t.Helper()
	var st struct{ Entries int }
	if err := json.Unmarshal([]byte(n.must(user, "status", "--json")), &st); err != nil {
		n.t.Fatal(err)
	}
	return st.Entries
}

// TestEndToEndNotUTF8: text that is not UTF-8 is refused with a clear
// error, by the CLI and by the daemon's API, and nothing is posted.
func TestEndToEndNotUTF8(t *testing.T) {
	n := newTestNet(t, "alice")
	n.must("alice", "register", "alice")
	wantError(t, "skein post $'bad \\xff'", n.skein("alice", "post", "bad \xff"), `post: argument "bad \xff" is not valid UTF-8 (byte 0xff at offset 4)`)
	wantError(t, "skein reply with Latin-1", n.skein("alice", "reply", "3f2a91c0", "caf\xe9"), `reply: argument "caf\xe9" is not valid UTF-8`)

	hc := unixClient(filepath.Join(n.home("alice"), "skein.sock"))
	defer hc.CloseIdleConnections()
	for _, body := range []string{"{\"text\":\"bad \xff\"}", `{"text":"lone \ud800"}`} {
		resp, err := hc.Post("http://skein/v1/post", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error, Code string }
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 400 || e.Code != "bad_request" || !strings.Contains(e.Error, "request body") {
			t.Errorf("POST /v1/post %q = %d %+v, want 400 bad_request", body, resp.StatusCode, e)
		}
	}
	if got := n.entriesOf("alice"); got != 0 {
		t.Errorf("alice's log holds %d entries, want none", got)
	}
	if out := n.must("alice", "feed"); strings.Contains(out, "bad") || strings.Contains(out, "lone") {
		t.Errorf("alice's feed = %q, want nothing posted", out)
	}
}

// cutProxy listens on a daemon's socket path and forwards each connection
// to the daemon's socket, moved aside, except that it loses the answer to
// the first cut requests to POST /v1/post: it forwards the request, waits
// for the daemon to start answering, and closes the connection.
type cutProxy struct {
	l      net.Listener
	daemon string // the daemon's socket

	cuts  atomic.Int32 // answers still to lose
	lost  atomic.Int32 // answers lost
	posts atomic.Int32 // POST /v1/post requests seen
	onCut func()       // called once an answer is lost; may be nil
	wg    sync.WaitGroup
}

// newCutProxy moves the daemon's socket in home aside and puts a proxy in
// its place, closed at the end of the test. onCut, if not nil, is called
// once an answer is lost, before the client's connection closes.
func newCutProxy(t *testing.T, home string, cuts int32, onCut func()) *cutProxy {
	t.Helper()
	sock := filepath.Join(home, "skein.sock")
	moved := filepath.Join(home, "daemon.sock")
	if err := os.Rename(sock, moved); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, daemon: moved, onCut: onCut}
	p.cuts.Store(cuts)
	p.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.forward(c) })
		}
	})
	t.Cleanup(func() {
		p.close()
		// Give the daemon its socket back if it still has it.
		if _, err := os.Stat(sock); errors.Is(err, os.ErrNotExist) {
			os.Rename(moved, sock)
		}
	})
	return p
}

func (p *cutProxy) close() {
	p.l.Close()
	p.wg.Wait()
}

func (p *cutProxy) forward(c net.Conn) {
	defer c.Close()
	d, err := net.Dial("unix", p.daemon)
	if err != nil {
		return // the daemon is gone: the client sees the connection close
	}
	defer d.Close()
	// The client's first bytes say what it asks.
	buf := make([]byte, 64<<10)
	c.SetReadDeadline(time.Now().Add(commandTimeout))
	k, err := c.Read(buf)
	if err != nil {
		return
	}
	c.SetReadDeadline(time.Time{})
	if _, err := d.Write(buf[:k]); err != nil {
		return
	}
	isPost := bytes.HasPrefix(buf[:k], []byte("POST /v1/post "))
	if isPost {
		p.posts.Add(1)
	}
	p.wg.Go(func() {
		io.Copy(d, c)
		d.(*net.UnixConn).CloseWrite()
	})
	if isPost && p.cuts.Add(-1) >= 0 {
		// Lose the answer once the daemon starts it: it has done the
		// request by then.
		d.SetReadDeadline(time.Now().Add(commandTimeout))
		if _, err := d.Read(make([]byte, 1)); err == nil {
			p.lost.Add(1)
			if p.onCut != nil {
				p.onCut()
			}
		}
		return
	}
	io.Copy(c, d)
}

// TestEndToEndPostOnce: the connection to the daemon breaks after alice's
// post was stored and before its answer; skein post retries with its
// request ID and prints the post once, and her log holds it once. Then
// the daemon is killed after storing a post and before answering; the
// command fails saying how to finish it, and doing so after a restart
// gives the stored post.
func TestEndToEndPostOnce(t *testing.T) {
	n := newTestNet(t, "alice")
	n.must("alice", "register", "alice")

	t.Run("the answer is lost", func(t *testing.T) {
		n := n.with(t)
		proxy := newCutProxy(t, n.home("alice"), 1, nil)
		out := n.must("alice", "post", "hello,", "once")
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "]  hello, once\n") {
			t.Errorf("post printed %q, want the post on one line", out)
		}
		if proxy.lost.Load() != 1 || proxy.posts.Load() < 2 {
			t.Fatalf("the proxy lost %d answers of %d posts, want 1 of 2 or more", proxy.lost.Load(), proxy.posts.Load())
		}
		if got := n.entriesOf("alice"); got != 1 {
			t.Errorf("alice's log holds %d entries, want 1", got)
		}
		if out := n.must("alice", "feed"); strings.Count(out, "hello, once") != 1 {
			t.Errorf("alice's feed =\n%s\nwant the post once", out)
		}
	})

	t.Run("the daemon dies before answering", func(t *testing.T) {
		n := n.with(t)
		daemon := n.daemons["alice"]
		proxy := newCutProxy(t, n.home("alice"), 1, func() {
			daemon.Signal(syscall.SIGKILL)
			<-daemon.Exited() // before the client learns anything
		})
		r := n.skein("alice", "post", "--request-id", "e2e-kill-1", "stored,", "unanswered")
		wantError(t, "post while the daemon dies", r,
			"the request may have been done; to finish it without doing it twice, run the same command again with --request-id e2e-kill-1")
		<-daemon.Exited()
		proxy.close()
		n.start("alice")
		n.must("alice", "login", "alice")
		out := n.must("alice", "post", "--request-id", "e2e-kill-1", "stored,", "unanswered")
		if !strings.HasSuffix(out, "]  stored, unanswered\n") {
			t.Errorf("post again printed %q", out)
		}
		if got := n.entriesOf("alice"); got != 2 {
			t.Errorf("alice's log holds %d entries, want 2", got)
		}
		if out := n.must("alice", "feed"); strings.Count(out, "stored, unanswered") != 1 {
			t.Errorf("alice's feed =\n%s\nwant the post once", out)
		}
	})
}
