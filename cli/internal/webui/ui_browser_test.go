package webui

import (
	"testing"
)

// TestBrowserFeedLive: a post from bob on daemon B appears in alice's open
// feed on daemon A without a reload.
func TestBrowserFeedLive(t *testing.T) {
	_, alice, bob := sharedNet(t)
	tb := newTab(t)
	tb.open(alice, "/")
	tb.until("alice's feed", `document.body.dataset.page === "feed" && document.body.dataset.me === "alice"`)
	bob.post(t, "live from bob 1")
	tb.until("bob's post in the feed", `[...document.querySelectorAll("#feed article.post .text")].some(p => p.textContent === "live from bob 1")`)
	tb.axe("the feed")
	tb.dark()
	tb.axe("the feed, dark")
}
