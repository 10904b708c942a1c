package webui

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
)

// postCacheSize bounds each of the post cache's two generations: at most
// twice this many rendered posts (a few KB each) are kept.
const postCacheSize = 2000

// postKey is everything a post's <article> shows, but its position in a
// list: two posts with equal keys render to the same HTML. The text and
// author of an entry never change (entries are signed); what may change
// is here: counts, states, names learned later, the relative time.
type postKey struct {
	entry, id             string
	unavailable           bool
	likes                 int
	liked, bookmarked     bool
	mine, mineShown       bool
	author, displayName   string
	replyAuthor, repostBy string
	when                  string // ago's text: renders again when it changes
	avatar                string // the author's avatar thumbnail: renders again when it changes
}

// postCache keeps rendered posts: html/template spends microseconds on
// each escaped value, and a page of the feed shows 50 posts that rarely
// change between two renders. Two generations bound it: a hit in the old
// one moves to the new; when the new one is full, it becomes the old.
type postCache struct {
	mu       sync.Mutex
	cur, old map[postKey]template.HTML
}

func keyOf(v postView) postKey {
	k := postKey{
		entry: v.Entry, id: v.ID, unavailable: v.Unavailable, likes: v.Likes, liked: v.Liked,
		bookmarked: v.Bookmarked, mine: v.Mine, mineShown: v.MineShown, author: v.Author,
		displayName: v.AuthorDisplayName, repostBy: v.RepostBy, when: ago(v.Time),
	}
	if v.ReplyTo != nil {
		k.replyAuthor = v.ReplyTo.Author
	}
	if a := v.AuthorAvatar; a != nil {
		k.avatar = a.Thumb
	}
	return k
}

func (c *postCache) get(k postKey) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.cur[k]; ok {
		return h, true
	}
	h, ok := c.old[k]
	if ok {
		c.putLocked(k, h)
	}
	return h, ok
}

func (c *postCache) put(k postKey, h template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(k, h)
}

func (c *postCache) putLocked(k postKey, h template.HTML) {
	if len(c.cur) >= postCacheSize {
		c.old, c.cur = c.cur, nil
	}
	if c.cur == nil {
		c.cur = make(map[postKey]template.HTML, postCacheSize)
	}
	c.cur[k] = h
}

// post renders p's <article> (the "post" template, escaped by
// html/template like every page), from the cache when it can.
func (v *views) post(p postView) (template.HTML, error) {
	var b strings.Builder
	if err := v.writePost(&b, p); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// articlesMark stands, in a page's template output, for its list of posts
// (the "postpage" fragment's): render writes the posts there itself, so
// that tens of kilobytes of cached markup are not copied through the
// template's printing. Text from peers cannot make it: html/template
// escapes every '<' in it.
const articlesMark = "<!--skein:posts-->"

// lister is page data with a list of posts.
type lister interface{ postList() []postView }

func (p feedPage) postList() []postView    { return p.Posts }
func (p profilePage) postList() []postView { return p.Posts.Posts }

// articles renders a list of posts into b, as post does each.
func (v *views) articles(b *strings.Builder, ps []postView) error {
	b.Grow(len(ps) * 2048)
	for _, p := range ps {
		if err := v.writePost(b, p); err != nil {
			return err
		}
	}
	return nil
}

// writePost writes p's <article> to b. The cached markup is rendered
// without a position in a feed; p's is added to its opening tag.
func (v *views) writePost(b *strings.Builder, p postView) error {
	pos := p.Pos
	p.Pos = 0
	k := keyOf(p)
	h, ok := v.posts.get(k)
	if !ok {
		var buf bytes.Buffer
		if err := v.frags.ExecuteTemplate(&buf, "post", p.html()); err != nil {
			return err
		}
		h = template.HTML(buf.String())
		v.posts.put(k, h)
	}
	const open = "<article "
	if rest, found := strings.CutPrefix(strings.TrimLeft(string(h), " \n"), open); pos > 0 && found {
		// Our own markup starts with `<article `: the attributes go there.
		b.WriteString(open)
		b.WriteString(`aria-posinset="`)
		b.WriteString(strconv.Itoa(pos))
		b.WriteString(`" aria-setsize="-1" `)
		b.WriteString(rest)
		return nil
	}
	b.WriteString(string(h))
	return nil
}
