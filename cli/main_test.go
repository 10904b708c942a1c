package cli

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// skeinBin is the skein binary built for the end-to-end tests; "" in
// -short mode, which skips them.
var skeinBin string

func TestMain(m *testing.M) {
	flag.Parse()
	time.Local = time.UTC // output formats local time; keep it fixed
	var dir string
	if !testing.Short() {
		var err error
		if dir, err = os.MkdirTemp("", "skein-bin"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		skeinBin = filepath.Join(dir, "skein")
		build := exec.Command("go", "build", "-o", skeinBin, "github.com/skein-p2p/skein/cli/cmd/skein")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building skein: %v\n", err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
