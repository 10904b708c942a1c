package moderation_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/moderation"
	"github.com/skein-p2p/skein/core/internal/store"
)

func key(b byte) entry.Key {
	var k entry.Key
	k[0], k[31] = b, b
	return k
}

var (
	alice, carol      = key(1), key(2)
	bob, dave, mallet = key(10), key(11), key(12)
	t0                = time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
)

type op struct {
	add     bool // else remove
	account entry.Key
	kind    moderation.Kind
	k       entry.Key
	name    string
	want    bool // added or removed
}

func TestLists(t *testing.T) {
	tests := []struct {
		name    string
		ops     []op
		hidden  map[[2]entry.Key]bool // {account, key} → Hidden
		muted   map[entry.Key][]string
		blocked map[entry.Key][]string
	}{
		{
			name:   "empty",
			hidden: map[[2]entry.Key]bool{{alice, bob}: false},
		},
		{
			name: "mute and block are per account and independent",
			ops: []op{
				{true, alice, moderation.Mute, bob, "bob", true},
				{true, alice, moderation.Block, mallet, "mallet", true},
				{true, carol, moderation.Block, bob, "bob", true},
			},
			hidden: map[[2]entry.Key]bool{
				{alice, bob}: true, {alice, mallet}: true, {alice, dave}: false,
				{carol, bob}: true, {carol, mallet}: false,
			},
			muted:   map[entry.Key][]string{alice: {"bob"}, carol: nil},
			blocked: map[entry.Key][]string{alice: {"mallet"}, carol: {"bob"}},
		},
		{
			name: "adding twice keeps one, removing twice removes once",
			ops: []op{
				{true, alice, moderation.Mute, bob, "bob", true},
				{true, alice, moderation.Mute, bob, "bob", false},
				{false, alice, moderation.Mute, bob, "", true},
				{false, alice, moderation.Mute, bob, "", false},
			},
			hidden: map[[2]entry.Key]bool{{alice, bob}: false},
			muted:  map[entry.Key][]string{alice: nil},
		},
		{
			name: "unblock leaves a mute",
			ops: []op{
				{true, alice, moderation.Mute, bob, "bob", true},
				{true, alice, moderation.Block, bob, "bob", true},
				{false, alice, moderation.Block, bob, "", true},
			},
			hidden:  map[[2]entry.Key]bool{{alice, bob}: true},
			muted:   map[entry.Key][]string{alice: {"bob"}},
			blocked: map[entry.Key][]string{alice: nil},
		},
		{
			name: "sorted by name",
			ops: []op{
				{true, alice, moderation.Mute, mallet, "mallet", true},
				{true, alice, moderation.Mute, dave, "dave", true},
				{true, alice, moderation.Mute, bob, "bob", true},
			},
			muted: map[entry.Key][]string{alice: {"bob", "dave", "mallet"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := store.NewMemory()
			l, err := moderation.Open(kv)
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range tt.ops {
				var got bool
				if o.add {
					got, err = l.Add(o.account, o.kind, moderation.Item{Key: o.k, Name: o.name, Since: t0})
				} else {
					got, err = l.Remove(o.account, o.kind, o.k)
				}
				if err != nil || got != o.want {
					t.Fatalf("op %d = %v, %v, want %v", i, got, err, o.want)
				}
			}
			// Everything holds the same after reopening from kv.
			reopened, err := moderation.Open(kv)
			if err != nil {
				t.Fatal(err)
			}
			for which, l := range map[string]*moderation.Lists{"open": l, "reopened": reopened} {
				for pair, want := range tt.hidden {
					if got := l.Hidden(pair[0], pair[1]); got != want {
						t.Errorf("%s: Hidden(%s, %s) = %v, want %v", which, pair[0].Short(), pair[1].Short(), got, want)
					}
				}
				check := func(kind moderation.Kind, want map[entry.Key][]string) {
					for account, names := range want {
						items := l.List(account, kind)
						got := make([]string, 0, len(items))
						for _, it := range items {
							got = append(got, it.Name)
							if !it.Since.Equal(t0) {
								t.Errorf("%s: %s since %v, want %v", which, it.Name, it.Since, t0)
							}
							if f, ok := l.Find(account, kind, it.Name); !ok || f.Key != it.Key {
								t.Errorf("%s: Find(%s) = %v, %v", which, it.Name, f, ok)
							}
							if !l.Has(account, kind, it.Key) {
								t.Errorf("%s: Has(%s) = false", which, it.Name)
							}
						}
						if fmt.Sprint(got) != fmt.Sprint(names) && !(len(got) == 0 && len(names) == 0) {
							t.Errorf("%s: List(%s, %s) = %v, want %v", which, account.Short(), kind, got, names)
						}
						if len(got) > 0 && !l.Any(account) {
							t.Errorf("%s: Any(%s) = false with a non-empty list", which, account.Short())
						}
					}
				}
				check(moderation.Mute, tt.muted)
				check(moderation.Block, tt.blocked)
			}
		})
	}
}

func TestAny(t *testing.T) {
	l, _ := moderation.Open(store.NewMemory())
	if l.Any(alice) {
		t.Fatal("Any() = true on empty lists")
	}
	l.Add(alice, moderation.Block, moderation.Item{Key: bob, Name: "bob"})
	if !l.Any(alice) || l.Any(carol) {
		t.Fatalf("Any(alice), Any(carol) = %v, %v, want true, false", l.Any(alice), l.Any(carol))
	}
	l.Remove(alice, moderation.Block, bob)
	if l.Any(alice) {
		t.Fatal("Any() = true after removing the only block")
	}
}

func TestFull(t *testing.T) {
	l, _ := moderation.Open(store.NewMemory())
	for i := range moderation.MaxPerList {
		var k entry.Key
		k[0], k[1] = byte(i>>8), byte(i)
		if _, err := l.Add(alice, moderation.Mute, moderation.Item{Key: k, Name: "x"}); err != nil {
			t.Fatalf("Add #%d: %v", i, err)
		}
	}
	if _, err := l.Add(alice, moderation.Mute, moderation.Item{Key: key(200), Name: "y"}); !errors.Is(err, moderation.ErrFull) {
		t.Fatalf("Add beyond MaxPerList = %v, want ErrFull", err)
	}
	if _, err := l.Add(alice, moderation.Block, moderation.Item{Key: key(200), Name: "y"}); err != nil {
		t.Fatalf("Add to the other list = %v, want nil", err)
	}
}

func TestCorruptRow(t *testing.T) {
	kv := store.NewMemory()
	var b store.Batch
	b.Put([]byte("short"), nil)
	kv.Commit(&b, true)
	if _, err := moderation.Open(kv); err == nil {
		t.Fatal("Open over a corrupt row = nil error")
	}
}

func TestLevelDB(t *testing.T) {
	dir := t.TempDir()
	kv, err := store.OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := moderation.Open(store.Prefix(kv, []byte{store.ModerationPrefix}))
	l.Add(alice, moderation.Block, moderation.Item{Key: bob, Name: "bob", Since: t0})
	kv.Close()
	kv, err = store.OpenLevelDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	l, err = moderation.Open(store.Prefix(kv, []byte{store.ModerationPrefix}))
	if err != nil || !l.Has(alice, moderation.Block, bob) {
		t.Fatalf("after reopening LevelDB: Has(block bob) = false, %v", err)
	}
}
