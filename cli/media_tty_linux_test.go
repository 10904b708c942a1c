package cli

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// TestMirrorTerminal runs skein album mirror with its output on a
// pseudo-terminal: the progress is one line drawn again in place (a
// carriage return, the bar, an erase to the end of the line), ended by a
// newline, with the files done out of all.
func TestMirrorTerminal(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	var items []core.Media
	for _, s := range []string{"one", "two"} {
		items = append(items, node.AddRemoteMedia(bytes.Repeat([]byte(s), 200_000), core.MediaInput{Type: "application/octet-stream", Name: s + ".bin"}))
	}
	node.AddAlbum("bob", "pics", "Pics", items...)
	mustRun(t, home, "register", "alice")

	master, slave := openPTY(t)
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		io.Copy(&out, master) // ends with EIO once the slave is closed
	}()
	e, _, _ := testEnv(strings.NewReader(""), nil)
	e.stdout = slave
	err := e.run(t.Context(), []string{"--home", home, "album", "mirror", "bob/pics", filepath.Join(t.TempDir(), "m")})
	slave.Close()
	<-read
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	wantInOrder(t, got,
		"mirroring bob/pics (Pics): 2 files",
		"\r[", "files 0/2\x1b[K",
		"\r[########################] 100%", "files 2/2\x1b[K\r\n",
		"mirrored bob/pics: 2 of 2 files held")
	if strings.Contains(got, "one.bin: done") {
		t.Errorf("plain progress lines on a terminal:\n%q", got)
	}
}
