package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// entries returns the number of entries of n's logged-in account's log.
func entries(t *testing.T, n *Node) uint64 {
	t.Helper()
	st, err := n.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Entries
}

// TestRequestIDs: a write retried with its request ID returns the first
// attempt's result and appends nothing; an ID reused for another write is
// refused.
func TestRequestIDs(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	bg := context.Background()
	id := func(s string) context.Context { return WithRequestID(bg, s) }
	target := mustPost(t, bob, "bob's post")
	waitFor(t, "bob's name record", func() bool { _, err := alice.Whois(bg, "bob"); return err == nil })

	steps := []struct {
		name string
		do   func(ctx context.Context) (string, error) // the result, as text
		adds uint64                                    // entries the first call appends
	}{
		{"post", func(ctx context.Context) (string, error) {
			p, err := alice.Post(ctx, "hello, once")
			return fmt.Sprint(p.ID, p.Text), err
		}, 1},
		{"follow", func(ctx context.Context) (string, error) {
			u, err := alice.Follow(ctx, "bob")
			return fmt.Sprint(u.Name, u.Key, u.Since), err
		}, 1},
		{"reply", func(ctx context.Context) (string, error) {
			waitFor(t, "alice holds bob's post", hasFeed(alice, "bob: bob's post"))
			p, err := alice.Reply(ctx, target.ID[:8], "a reply, once")
			return fmt.Sprint(p.ID, p.Text, p.ReplyTo), err
		}, 1},
		{"repost", func(ctx context.Context) (string, error) {
			p, err := alice.Repost(ctx, target.ID)
			return fmt.Sprint(p.ID, p.RepostOf), err
		}, 1},
		{"unfollow", func(ctx context.Context) (string, error) { return "", alice.Unfollow(ctx, "bob") }, 1},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			ctx := id(fmt.Sprintf("req-%d", i))
			before := entries(t, alice)
			first, err := st.do(ctx)
			if err != nil {
				t.Fatalf("first call: %v", err)
			}
			if got := entries(t, alice); got != before+st.adds {
				t.Fatalf("the first call took the log from %d to %d entries, want +%d", before, got, st.adds)
			}
			again, err := st.do(ctx)
			if err != nil || again != first {
				t.Errorf("retry = %q, %v; want %q, nil", again, err, first)
			}
			if got := entries(t, alice); got != before+st.adds {
				t.Errorf("the retry took the log to %d entries, want %d", got, before+st.adds)
			}
		})
	}

	// A delete retried succeeds; without the ID, the second is refused.
	doomed := mustPost(t, alice, "to delete")
	before := entries(t, alice)
	for range 2 {
		if err := alice.Delete(id("del-1"), doomed.ID); err != nil {
			t.Fatalf("Delete() with a request ID = %v", err)
		}
	}
	if got := entries(t, alice); got != before+1 {
		t.Errorf("two deletes with one request ID took the log from %d to %d entries", before, got)
	}
	if err := alice.Delete(bg, doomed.ID); !errors.Is(err, ErrNoPost) {
		t.Errorf("Delete() again without the ID = %v, want ErrNoPost", err)
	}

	// The same ID for another request, or for another kind, is refused.
	before = entries(t, alice)
	if _, err := alice.Post(id("req-0"), "hello, twice?"); !errors.Is(err, ErrRequestIDReused) {
		t.Errorf("Post(reused ID, other text) = %v, want ErrRequestIDReused", err)
	}
	if err := alice.Delete(id("req-0"), target.ID); !errors.Is(err, ErrRequestIDReused) {
		t.Errorf("Delete(ID of a post) = %v, want ErrRequestIDReused", err)
	}
	if got := entries(t, alice); got != before {
		t.Errorf("refused requests took the log from %d to %d entries", before, got)
	}
	// Another account has IDs of its own.
	if _, err := bob.Post(id("req-0"), "bob's own req-0"); err != nil {
		t.Errorf("bob's Post(req-0) = %v", err)
	}

	for _, bad := range []string{"has space", "ü", strings.Repeat("x", MaxRequestIDLen+1), "new\nline"} {
		if _, err := alice.Post(id(bad), "bad ID"); !errors.Is(err, ErrInvalidRequestID) {
			t.Errorf("Post(request ID %q) = %v, want ErrInvalidRequestID", bad, err)
		}
	}
	for _, good := range []string{"8e03978e-40d5-43e8-bc93-6894a57f9324", "a", "A.b:c_d-e", strings.Repeat("x", MaxRequestIDLen)} {
		if err := CheckRequestID(good); err != nil {
			t.Errorf("CheckRequestID(%q) = %v", good, err)
		}
	}
}

// TestRequestIDConcurrent: retries that arrive while the first attempt is
// still appending get its post; the log holds it once.
func TestRequestIDConcurrent(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	ctx := WithRequestID(context.Background(), "same-request")
	before := entries(t, alice)
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := alice.Post(ctx, "posted once, asked eight times")
			ids[i], errs[i] = p.ID, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("call %d = %s, %v; want %s, nil", i, ids[i], errs[i], ids[0])
		}
	}
	if got := entries(t, alice); got != before+1 {
		t.Errorf("%d concurrent calls took the log from %d to %d entries, want one more", n, before, got)
	}

	// A retry of a delete that finds the post already deleted by its
	// first attempt succeeds too.
	ctx = WithRequestID(context.Background(), "same-delete")
	before = entries(t, alice)
	for i := range n {
		wg.Go(func() { errs[i] = alice.Delete(ctx, ids[0]) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("delete %d = %v, want nil", i, errs[i])
		}
	}
	if got := entries(t, alice); got != before+1 {
		t.Errorf("%d concurrent deletes took the log from %d to %d entries, want one more", n, before, got)
	}
}

// TestRequestIDAfterRestart: the request is stored with its entry, so a
// retry after the node restarted (as after a daemon killed before it
// answered) gets the stored post.
func TestRequestIDAfterRestart(t *testing.T) {
	tn := newTestNet(t)
	dir := t.TempDir()
	n1 := tn.node(dir)
	ctx := WithRequestID(context.Background(), "before-the-crash")
	if _, err := n1.Register(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	first, err := n1.Post(ctx, "stored, answer lost")
	if err != nil {
		t.Fatal(err)
	}
	if err := n1.Close(); err != nil {
		t.Fatal(err)
	}
	n2 := tn.node(dir)
	if _, err := n2.Login(context.Background(), "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	again, err := n2.Post(ctx, "stored, answer lost")
	if err != nil || again.ID != first.ID {
		t.Fatalf("Post() retried after a restart = %s, %v; want %s", again.ID, err, first.ID)
	}
	if got := entries(t, n2); got != 1 {
		t.Errorf("the log holds %d entries, want 1", got)
	}
	if texts := feedTexts(t, n2); len(texts) != 1 {
		t.Errorf("the feed = %q, want the post once", texts)
	}
}
