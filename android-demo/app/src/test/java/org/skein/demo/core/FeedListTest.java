package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.Test;

/** The feed's pure list logic: de-duplication by ID and newest-first order. */
public class FeedListTest {
    @Test
    public void deduplicatesByIdAndSortsNewestFirst() {
        PostItem a = PostItem.of("a", "x", "first", 100);
        PostItem b = PostItem.of("b", "x", "second", 200);
        PostItem c = PostItem.of("c", "y", "third", 300);
        FeedList l = FeedList.of(Arrays.asList(a, b, a));
        assertEquals(Arrays.asList(b, a), l.posts());
        l = l.plus(Arrays.asList(c, b));
        assertEquals(Arrays.asList(c, b, a), l.posts());
        assertEquals(3, l.size());
        assertTrue(l.contains("b"));
        assertFalse(l.contains("z"));
    }

    @Test
    public void laterCopyReplacesEarlier() {
        PostItem v1 = PostItem.of("a", "", "text", 100);
        PostItem v2 = PostItem.of("a", "alice", "text", 100); // the author's name became known
        FeedList l = FeedList.of(Collections.singletonList(v1)).plus(v2);
        assertEquals(1, l.size());
        assertEquals("alice", l.posts().get(0).author);
    }

    @Test
    public void equalTimesHaveAStableOrder() {
        PostItem x = new PostItem("x", "post", "a", "", "1", 1, 50, "", "");
        PostItem y = new PostItem("y", "post", "a", "", "2", 2, 50, "", "");
        PostItem z = new PostItem("z", "post", "b", "", "3", 2, 50, "", "");
        assertEquals(Arrays.asList(y, z, x), FeedList.of(Arrays.asList(x, z, y)).posts());
        assertEquals(Arrays.asList(y, z, x), FeedList.of(Arrays.asList(z, y, x)).posts());
    }

    @Test(expected = UnsupportedOperationException.class)
    public void listIsImmutable() {
        List<PostItem> posts = FeedList.of(Arrays.asList(PostItem.of("a", "x", "t", 1))).posts();
        posts.clear();
    }

    @Test
    public void addingNothingKeepsTheList() {
        FeedList l = FeedList.of(Arrays.asList(PostItem.of("a", "x", "t", 1)));
        assertSame(l, l.plus(Collections.<PostItem>emptyList()));
        assertSame(FeedList.empty(), FeedList.of(Collections.<PostItem>emptyList()));
    }

    @Test
    public void minusTakesPostsOutAndOrphansTheirReposts() {
        PostItem a = PostItem.of("a", "x", "first", 100);
        PostItem b = PostItem.of("b", "x", "second", 200);
        PostItem r = PostItem.repostOf("r", "y", 300, a);
        FeedList l = FeedList.of(Arrays.asList(a, b, r));
        assertSame(l, l.minus("nothing"));
        FeedList m = l.minus("a");
        assertEquals(Arrays.asList("r", "b"), FeedPresenterTest.ids(m.posts()));
        PostItem orphan = m.posts().get(0);
        assertFalse(orphan.originalAvailable());
        assertEquals("a", orphan.repostOfId);
        assertEquals("x", orphan.repostOf.author); // who wrote it is still known
        assertTrue(orphan.displayText().startsWith("(the original post is not available"));
        assertSame(orphan, orphan.withDeleted("a")); // once is enough
        assertEquals(Arrays.asList("r"), FeedPresenterTest.ids(l.minus(Arrays.asList("a", "b")).posts()));
    }

    @Test
    public void repostsShowAndTargetTheirOriginal() {
        PostItem a = PostItem.of("a", "alice", "hello", 100);
        PostItem r = PostItem.repostOf("r", "bob", 200, a);
        assertEquals("hello", r.displayText());
        assertEquals("", r.text);
        assertEquals("a", r.targetId());
        assertEquals("@alice", r.targetByline());
        assertEquals("a", a.targetId());
        assertFalse(a.isBy("k"));
        assertTrue(new PostItem("x", "post", "", "k", "", 0, 0, "", "").isBy("k"));
        assertFalse(new PostItem("x", "post", "", "", "", 0, 0, "", "").isBy(""));
    }

    @Test
    public void bylineFallsBackToTheKey() {
        assertEquals("@alice", PostItem.of("a", "alice", "t", 1).byline());
        PostItem anon = new PostItem("a", "post", "", "0123456789abcdef", "t", 1, 1, "", "");
        assertEquals("0123456789ab…", anon.byline());
    }
}
