package cli

// End-to-end tests of the power modes: real daemons on 127.0.0.1, as in
// e2e_test.go. Skipped with -short.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// offWithin bounds how long leaving the network may take.
const offWithin = 5 * time.Second

// powerStatus is what the power tests read of status --json.
type powerStatus struct {
	Power, Network string
	Peers          int
}

func (n *testNet) powerStatus(user string) powerStatus {
	n.t.Helper()
	var st powerStatus
	if out := n.must(user, "status", "--json"); json.Unmarshal([]byte(out), &st) != nil {
		n.t.Fatalf("%s's status --json is not JSON:\n%s", user, out)
	}
	return st
}

func TestEndToEndPower(t *testing.T) {
	n := newTestNet(t, "alice", "bob")
	for _, u := range []string{"alice", "bob"} {
		n.must(u, "register", u)
	}
	n.eventually(deliverWithin, "bob follows alice", func() bool { return n.skein("bob", "follow", "alice").Code == 0 })

	if out := n.must("bob", "power", "off"); out != "power: off, network: wifi\n" {
		t.Errorf("power off printed %q", out)
	}
	var st powerStatus
	n.eventually(offWithin, `bob's status says "power":"off" and 0 peers`, func() bool {
		st = n.powerStatus("bob")
		return st.Power == "off" && st.Peers == 0
	})
	if st.Network != "wifi" {
		t.Errorf("bob's status while off = %+v, want network wifi", st)
	}
	if out := n.must("bob", "status"); !strings.Contains(out, "\npower: off, network: wifi\n") || !strings.Contains(out, "\npeers: 0\n") {
		t.Errorf("bob's status while off:\n%s", out)
	}

	n.must("alice", "post", "while bob is off")
	time.Sleep(time.Second) // on loopback, time enough for the post to reach bob, were he online
	if n.feedHas("bob", "while bob is off") {
		t.Error("bob's feed got a post while his daemon was off")
	}
	if out := n.must("bob", "power"); out != "power: off, network: wifi\n" {
		t.Errorf("power printed %q", out)
	}

	if out := n.must("bob", "power", "foreground"); out != "power: foreground, network: wifi\n" {
		t.Errorf("power foreground printed %q", out)
	}
	n.eventually(deliverWithin, "bob's feed gets the post made while he was off", func() bool {
		return n.feedHas("bob", "while bob is off")
	})
	if st := n.powerStatus("bob"); st.Power != "foreground" || st.Peers == 0 {
		t.Errorf("bob's status back in foreground = %+v, want foreground with peers", st)
	}
	wantError(t, "an unknown power mode", n.skein("bob", "power", "turbo"), `invalid power mode "turbo": use foreground, background or off`)
}

func TestEndToEndBackground(t *testing.T) {
	n := newTestNet(t)
	n.start("dave", "--power", "background", "--background-sync", "1s")
	if st := n.powerStatus("dave"); st.Power != "background" || st.Network != "wifi" {
		t.Errorf("dave's status = %+v, want background on wifi", st)
	}
	if out := n.must("dave", "network", "cellular"); out != "power: background, network: cellular\n" {
		t.Errorf("network cellular printed %q", out)
	}
	if out := n.must("dave", "status"); !strings.Contains(out, "\npower: background, network: cellular\n") {
		t.Errorf("dave's status:\n%s", out)
	}
	var p struct{ Power, Network string }
	if err := json.Unmarshal([]byte(n.must("dave", "power", "--json")), &p); err != nil || p.Power != "background" || p.Network != "cellular" {
		t.Errorf("power --json = %+v, %v, want background, cellular", p, err)
	}
	// A wake a second: the first at once, then one every --background-sync.
	n.eventually(10*time.Second, "dave's daemon wakes twice", func() bool {
		wakes := 0
		for _, l := range n.daemons["dave"].Lines() {
			if strings.Contains(l, `msg="background wake"`) {
				wakes++
			}
		}
		return wakes >= 2
	})
	wantError(t, "an unknown network type", n.skein("dave", "network", "5g"), `invalid network type "5g": use wifi, cellular or none`)
}
