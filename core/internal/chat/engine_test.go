package chat

import (
	"slices"
	"testing"
)

func TestCreateInviteJoinSend(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(map[bool]string{true: "shared", false: "joined"}[shared], func(t *testing.T) {
			tn := newNet(t)
			a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
			g := tn.privateGroup(shared, a, b, c)
			names := tn.names()
			for i, n := range []*node{a, b, c, a} {
				_, es, err := n.e.Send(g, "hello "+n.name, nil, tn.keys)
				if err != nil {
					t.Fatalf("%d: %s.Send = %v", i, n.name, err)
				}
				tn.send(es, a, b, c)
				tn.clock.Advance(1)
			}
			want := []string{"a:hello a", "b:hello b", "c:hello c", "a:hello a"}
			for _, n := range []*node{a, b, c} {
				if got := msgs(t, n, g, names); !slices.Equal(got, want) {
					t.Errorf("%s: messages = %q, want %q", n.name, got, want)
				}
				ms, err := n.e.Members(g)
				if err != nil || len(ms) != 3 || ms[0].Role != "admin" || ms[0].Key != a.key {
					t.Errorf("%s: Members = %+v, %v", n.name, ms, err)
				}
				conv, err := n.e.Conversation(g)
				if err != nil || conv.Name != "team" || conv.Members != 3 {
					t.Errorf("%s: Conversation = %+v, %v", n.name, conv, err)
				}
			}
			ta, tb := texts(t, a, g, names), texts(t, b, g, names)
			if !slices.Equal(ta, tb) {
				t.Errorf("histories differ:\na %q\nb %q", ta, tb)
			}
			if s := c.e.Stats(); s.Undecryptable != 0 || len(s.Dropped) != 0 {
				t.Errorf("c.Stats = %+v", s)
			}
		})
	}
}
