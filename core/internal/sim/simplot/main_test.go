package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/sim"
)

func wellFormed(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs.json")
	idle := filepath.Join(dir, "idle.json")
	var buf bytes.Buffer
	if err := sim.WriteResults(&buf, []sim.Result{{Label: "skein", N: 50, Posts: 7, Duration: time.Minute}, {Label: "skein", N: 100, Posts: 9}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(runs, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ib, _ := json.Marshal([]sim.IdleResult{{Mode: "background", Follows: 10, BytesPerHour: 1e4}})
	if err := os.WriteFile(idle, ib, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		args    []string
		want    string
		svg     bool
		wantErr bool
	}{
		{"text", []string{"-in", runs}, "skein   50", false, false},
		{"markdown and svg", []string{"-in", runs, "-md", "-svg", filepath.Join(dir, "c.svg")}, "| skein | 100 |", true, false},
		{"idle", []string{"-idle", "-in", idle, "-svg", filepath.Join(dir, "i.svg")}, "background", true, false},
		{"no input", nil, "", false, true},
		{"missing file", []string{"-in", filepath.Join(dir, "none.json")}, "", false, true},
		{"bad json", []string{"-in", bad}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tt.args, &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("output has no %q:\n%s", tt.want, out.String())
			}
			if tt.svg {
				wellFormed(t, tt.args[len(tt.args)-1])
			}
		})
	}
}
