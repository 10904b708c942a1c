package chat

import (
	"strings"
	"testing"
)

func TestPublicGroups(t *testing.T) {
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	plaza, _, err := a.e.CreateGroup("Town Plaza", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.e.CreateGroup("plaza insiders", false, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.e.CreateGroup("market", true, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.e.StartDM(b.key, tn.keys); err != nil {
		t.Fatal(err)
	}
	match := func(q string) func(string) bool {
		return func(name string) bool { return strings.Contains(strings.ToLower(name), q) }
	}
	got := a.e.PublicGroups(match("plaza"), 10)
	if len(got) != 1 || got[0].Create.Group != plaza || got[0].Members != 1 {
		t.Fatalf("PublicGroups(plaza) = %+v (private groups and DMs must never be listed)", got)
	}
	if got := a.e.PublicGroups(match(""), 1); len(got) != 1 {
		t.Fatalf("limit 1: %d groups", len(got))
	}
	if got := a.e.PublicGroups(match("zzz"), 10); len(got) != 0 {
		t.Fatalf("no match: %+v", got)
	}
}
