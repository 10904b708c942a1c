package search

import (
	"crypto/ed25519"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

func TestChanges(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	var prev entry.ID
	next := func(kind entry.Kind, body []byte) *entry.Entry {
		seq := uint64(1)
		if !prev.IsZero() {
			seq = 2
		}
		e, err := entry.New(priv, seq, prev, hlc.Timestamp{Wall: 1_767_225_600_000 + seq}, kind, body)
		if err != nil {
			t.Fatal(err)
		}
		prev = e.ID()
		return e
	}
	post := next(entry.KindPost, []byte("hello #skein"))
	del := next(entry.KindDelete, entry.Delete{Seq: 1, ID: post.ID()}.Bytes())
	ps, gone := Changes([]*entry.Entry{post, del})
	if len(ps) != 1 || ps[0].Author != post.Author || ps[0].Seq != 1 {
		t.Errorf("Changes() posts = %+v, want the post", ps)
	}
	if len(gone) != 1 || gone[0] != (Ref{Author: del.Author, Seq: 1}) {
		t.Errorf("Changes() gone = %+v, want the post the delete names, in its author's log", gone)
	}
	if ps, gone := Changes(nil); ps != nil || gone != nil {
		t.Errorf("Changes(nil) = %v, %v", ps, gone)
	}
}
