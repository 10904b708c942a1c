package p2p

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The tests in this file guard what the mobile library links: package
// mobile as gomobile builds it for Android (android/arm64, cgo on), plus the
// gobind glue's own imports.

const mobilePkg = "github.com/skein-p2p/skein/mobile"

// glueImports are the packages that gobind's generated glue imports besides
// package mobile and the standard library.
var glueImports = []string{"golang.org/x/mobile/bind/java", "golang.org/x/mobile/bind/seq"}

// goCommand returns the go command's path, skipping the test if there is
// none. go test puts its own GOROOT/bin first on PATH.
func goCommand(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	return gocmd
}

// goList runs `go list -deps -f format pkgs...` for android/arm64 in this
// module and returns its output lines.
func goList(t *testing.T, format string, pkgs ...string) []string {
	t.Helper()
	cmd := exec.Command(goCommand(t), append([]string{"list", "-deps", "-f", format}, pkgs...)...)
	cmd.Env = append(os.Environ(), "GOOS=android", "GOARCH=arm64", "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", strings.Join(pkgs, " "), err, stderr.Bytes())
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestNoUnwantedTransports fails when the mobile library would link a
// transport or a package that Skein does not use, as it did while the host
// was built by go-libp2p's top-level package (see host.go).
func TestNoUnwantedTransports(t *testing.T) {
	unwanted := []struct {
		prefix, what string
	}{
		{"github.com/pion/", "WebRTC (pion)"},
		{"github.com/libp2p/go-libp2p/p2p/transport/webrtc", "the WebRTC transport"},
		{"github.com/libp2p/go-libp2p/p2p/transport/websocket", "the WebSocket transport"},
		{"github.com/gorilla/websocket", "WebSocket"},
		{"github.com/libp2p/go-libp2p/p2p/transport/webtransport", "the WebTransport transport"},
		{"github.com/quic-go/webtransport-go", "WebTransport"},
		{"github.com/quic-go/quic-go/http3", "HTTP/3"},
		{"go.uber.org/fx", "the fx dependency injector"},
		{"go.uber.org/dig", "the dig dependency injector"},
		{"github.com/libp2p/go-libp2p/config", "go-libp2p's config package, which links the WebRTC transport and fx"},
		{"github.com/skein-p2p/skein/cli/", "the CLI and the web UI"},
		{"html/template", "the web UI's templates"},
	}
	pkgs := goList(t, "{{.ImportPath}}", mobilePkg)
	if len(pkgs) < 100 {
		t.Fatalf("go list -deps %s listed %d packages, want many more", mobilePkg, len(pkgs))
	}
	for _, p := range pkgs {
		if p == "github.com/libp2p/go-libp2p" {
			t.Errorf("mobile links go-libp2p's top-level package, which links every default transport: build the host in host.go")
		}
		for _, u := range unwanted {
			if strings.HasPrefix(p, u.prefix) {
				t.Errorf("mobile links %s (%s)", p, u.what)
			}
		}
	}
}

// TestDepsList fails when bind/deps.txt no longer lists the modules that the
// mobile library links.
func TestDepsList(t *testing.T) {
	const format = "{{with .Module}}{{if not .Main}}{{with .Replace}}{{.Path}} {{.Version}}{{else}}{{.Path}} {{.Version}}{{end}}{{end}}{{end}}"
	got := goList(t, format, append([]string{mobilePkg}, glueImports...)...)
	slices.Sort(got)
	got = slices.Compact(got)

	gomod, err := exec.Command(goCommand(t), "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	path := filepath.Join(filepath.Dir(strings.TrimSpace(string(gomod))), "bind", "deps.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v: generate it with scripts/libsize.sh --deps", err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)

	for _, m := range got {
		if !slices.Contains(want, m) {
			t.Errorf("mobile links %s, missing from bind/deps.txt", m)
		}
	}
	for _, m := range want {
		if !slices.Contains(got, m) {
			t.Errorf("bind/deps.txt lists %s, which mobile no longer links", m)
		}
	}
	if t.Failed() {
		t.Logf("if the change is meant, regenerate the list with scripts/libsize.sh --deps and say why in docs/DEPENDENCIES.md")
	}
}
