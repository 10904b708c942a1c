package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

func TestWriteStatusConnectivity(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   core.Status
		want []string // lines that must appear
		not  []string // lines that must not
	}{
		{"public", core.Status{Reachability: "public"}, []string{"reachability: public"}, []string{"hole punching:"}},
		{"behind a NAT, not ready", core.Status{Reachability: "private"},
			[]string{"reachability: private", "hole punching: waiting for peers to observe a public address"}, nil},
		{"behind a NAT, ready", core.Status{Reachability: "private", HolePunch: true},
			[]string{"reachability: private", "hole punching: ready"}, []string{"waiting"}},
		{"unknown", core.Status{Reachability: "unknown"}, []string{"reachability: unknown"}, []string{"hole punching:", "relays:"}},
		{"reserved on relays", core.Status{Reachability: "private", Relays: []string{"12D3KooWA", "12D3KooWB"}},
			[]string{"relays: 12D3KooWA, 12D3KooWB"}, nil},
		{"no reservation", core.Status{Reachability: "private"}, []string{"relays: none yet"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			writeStatus(&b, tc.st)
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w+"\n") {
					t.Errorf("status output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("status output has %q:\n%s", w, out)
				}
			}
		})
	}
}
