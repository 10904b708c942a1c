package org.skein.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/** Compose: 1..1000 characters (code points), checked before the node; posting on a real node. */
public class ComposePresenterTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    private TestNodes nodes;
    private UiThread ui;

    @After
    public void tearDown() throws Exception {
        if (ui != null) {
            ui.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    static String repeat(String s, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(s);
        }
        return b.toString();
    }

    @Test
    public void postsOnRealNodeAndTheNodeAgreesOnTheLimit() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        NodeClient client = nodes.started("");
        client.register("frank", "frank-password");
        ComposePresenter compose = new ComposePresenter(client, ui.executors);
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);

        String longest = repeat("é", Validation.MAX_POST_CHARS); // 1000 code points
        assertTrue(compose.submit(longest));
        Poll.until("posted", () -> view.posted.get() != null || !view.errors.isEmpty());
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        PostItem p = view.posted.get();
        assertEquals(longest, p.text);
        assertEquals("frank", p.author);
        assertFalse(p.id.isEmpty());

        // The node itself refuses one more character: the presenter's limit is the node's.
        try {
            client.post(longest + "é");
            throw new AssertionError("the node accepted 1001 characters");
        } catch (Exception e) {
            assertTrue(e.getMessage(), e.getMessage().contains("1001 characters"));
        }
        PostPage page = client.feed("", 10);
        assertEquals(1, page.posts.size());
        assertEquals(p.id, page.posts.get(0).id);
    }

    /** A 2×2 PNG, as a phone's gallery would hand it over. */
    static final byte[] PNG = {
        (byte) 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00,
        0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, (byte) 0xfd,
        (byte) 0xd4, (byte) 0x9a, 0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41,
        0x54, 0x78, (byte) 0x9c, 0x63, (byte) 0xf8, (byte) 0xcf, (byte) 0xc0, 0x00, 0x44, 0x0c,
        0x10, 0x0a, 0x00, 0x1f, (byte) 0xee, 0x03, (byte) 0xfd, (byte) 0x8b, 0x5f, 0x14,
        (byte) 0xd4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, (byte) 0xae,
        0x42, 0x60, (byte) 0x82,
    };

    @Test
    public void postsAnImageOnRealNode() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        NodeClient client = nodes.started("");
        client.register("gina", "gina-password");
        ComposePresenter compose = new ComposePresenter(client, ui.executors);
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);
        assertEquals(null, compose.attachImage(new Attachment(PNG, "image/png", 2, 2, PNG, "two by two")));
        assertTrue("with an image, the text may be empty", compose.submit(""));
        Poll.until("posted", () -> view.posted.get() != null || !view.errors.isEmpty());
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        PostItem p = view.posted.get();
        assertEquals(1, p.images.size());
        assertEquals("two by two", p.images.get(0).alt);
        assertEquals("\uD83D\uDDBC 1 image", p.imageSummary());
        assertArrayEquals(PNG, client.mediaBytes(p.images.get(0).root));
        assertArrayEquals(PNG, client.mediaBytes(p.images.get(0).thumb));
        PostItem inFeed = client.feed("", 10).posts.get(0);
        assertEquals(p.images.get(0).root, inFeed.images.get(0).root);

        // A PNG said to be a JPEG is refused by the node.
        compose.attachImage(new Attachment(PNG, "image/jpeg", 2, 2, null, ""));
        view.posted.set(null);
        assertTrue(compose.submit("liar"));
        Poll.until("refused", () -> !view.errors.isEmpty());
        Poll.until("ready again", () -> !compose.isPosting());
        assertEquals(null, view.posted.get());
    }

    @Test
    public void badImagesNeverReachTheNode() {
        FakeClient fake = new FakeClient();
        ComposePresenter compose = new ComposePresenter(fake, AppExecutors.direct());
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);
        assertTrue(compose.attachImage(new Attachment(PNG, "image/svg+xml", 2, 2, null, "")) != null);
        assertTrue(compose.attachImage(new Attachment(new byte[Attachment.MAX_BYTES + 1], "image/png", 2, 2, null, "")) != null);
        assertEquals(null, compose.image());
        assertFalse(compose.submit(""));
        assertEquals(null, compose.attachImage(new Attachment(PNG, "image/png", 2, 2, null, "")));
        assertTrue(compose.submit(""));
        assertEquals(Arrays.asList("postWithImage   image/png"), fake.calls);
    }

    @Test
    public void nodeErrorIsShown() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        NodeClient client = nodes.started(""); // nobody logged in
        ComposePresenter compose = new ComposePresenter(client, ui.executors);
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);
        assertTrue(compose.submit("hello?"));
        Poll.until("refused", () -> !view.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeNotLoggedIn, ""), view.errors.get(0));
        Poll.until("ready again", () -> !compose.isPosting());
    }

    @Test
    public void invalidTextNeverReachesTheNode() {
        FakeClient fake = new FakeClient();
        ComposePresenter compose = new ComposePresenter(fake, AppExecutors.direct());
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);
        assertFalse(compose.submit(""));
        assertFalse(compose.submit(" \n\t "));
        assertFalse(compose.submit(null));
        assertFalse(compose.submit(repeat("x", 1001)));
        assertEquals(4, view.errors.size());
        assertEquals("Write something first", view.errors.get(0));
        assertEquals("A post has at most 1000 characters (this one has 1001)", view.errors.get(3));
        assertTrue(fake.calls.isEmpty());

        // Emoji are two UTF-16 chars but one code point each: 1000 of them fit.
        String emoji = repeat("\uD83D\uDE00", 1000);
        assertTrue(compose.submit(emoji));
        assertTrue(compose.submit("  padded  "));
        assertEquals(Arrays.asList("post " + emoji, "post padded"), fake.calls);
    }

    @Test
    public void replyModeRepliesToThePost() {
        FakeClient fake = new FakeClient();
        ComposePresenter compose = new ComposePresenter(fake, AppExecutors.direct());
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);
        compose.replyTo(" p9 ");
        assertEquals("p9", compose.replyToId());
        assertTrue(compose.submit(" yes "));
        assertEquals(PostItem.REPLY, view.posted.get().kind);
        assertEquals("p9", view.posted.get().replyToId);
        compose.replyTo(null);
        assertTrue(compose.submit("own"));
        assertEquals(Arrays.asList("reply p9 yes", "post own"), fake.calls);
    }

    @Test
    public void counterFollowsText() {
        ComposePresenter compose = new ComposePresenter(new FakeClient(), AppExecutors.direct());
        FeedPresenterTest.RecordingComposeView view = new FeedPresenterTest.RecordingComposeView();
        compose.attach(view);
        compose.textChanged("");
        assertEquals(0, view.used);
        assertFalse(view.canPost);
        compose.textChanged(" hi ");
        assertEquals(2, view.used);
        assertTrue(view.canPost);
        compose.textChanged(repeat("a", 1000) + "  ");
        assertEquals(1000, view.used);
        assertTrue(view.canPost);
        compose.textChanged(repeat("a", 1001));
        assertEquals(1001, view.used);
        assertFalse(view.canPost);
    }
}
