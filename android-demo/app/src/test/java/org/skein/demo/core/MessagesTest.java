package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Config;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;

/**
 * Error codes → messages: every Code* constant of the binding has one, and
 * real errors of real nodes get theirs.
 */
public class MessagesTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    private TestNodes nodes;

    @After
    public void tearDown() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    /** Every public static long Code* field of org.skein.mobile.Mobile, by name. */
    static Map<String, Long> codeConstants() throws IllegalAccessException {
        Map<String, Long> out = new TreeMap<>();
        for (Field f : Mobile.class.getFields()) {
            if (f.getName().startsWith("Code") && Modifier.isStatic(f.getModifiers()) && f.getType() == long.class) {
                out.put(f.getName(), f.getLong(null));
            }
        }
        return out;
    }

    @Test
    public void everyCodeConstantHasItsOwnMessage() throws Exception {
        Map<String, Long> codes = codeConstants();
        assertTrue("found only " + codes, codes.size() >= 25);
        Map<String, String> byMessage = new HashMap<>();
        long max = 0;
        for (Map.Entry<String, Long> c : codes.entrySet()) {
            long code = c.getValue();
            max = Math.max(max, code);
            assertFalse(c.getKey() + " has no stable name", Mobile.errorCodeName(code).isEmpty());
            String msg = Messages.forCode(code, "DETAIL");
            assertNotNull(c.getKey() + " (" + code + ") has no message", msg);
            assertFalse(c.getKey() + " has an empty message", msg.trim().isEmpty());
            if (code == Mobile.CodeOK || code == Mobile.CodeInternal) {
                assertEquals("DETAIL", msg); // the node's own message says what
                continue;
            }
            assertTrue(c.getKey() + ": " + msg, Character.isUpperCase(msg.charAt(0)));
            String other = byMessage.put(Messages.forCode(code, ""), c.getKey());
            assertNull(c.getKey() + " and " + other + " share a message", other);
        }
        // The constants cover every code number: none is missing from the reflection.
        for (long code = 0; code <= max; code++) {
            assertTrue("code " + code + " has no Code* constant", codes.containsValue(code));
        }
        assertEquals("codes beyond " + max + " exist", "", Mobile.errorCodeName(max + 1));
        assertNull(Messages.forCode(max + 1, "DETAIL"));
        assertNull(Messages.forCode(-1, "DETAIL"));
        assertNull(Messages.forCode(Long.MAX_VALUE, "DETAIL"));
    }

    @Test
    public void javaExceptionsShowTheirOwnMessage() {
        assertEquals(Mobile.CodeOK, Messages.code(null));
        assertEquals(Mobile.CodeInternal, Messages.code(new IllegalStateException("x")));
        assertEquals("wrong password for alice", Messages.of(new Exception(" wrong password for alice ")));
        assertEquals("IllegalStateException", Messages.of(new IllegalStateException()));
        assertEquals("inner", Messages.of(new RuntimeException(null, new Exception("inner"))));
        assertEquals("Something went wrong.", Messages.of(null));
        assertEquals(Mobile.CodeInternal, Messages.code(new AssertionError("an Error, not an Exception")));
    }

    interface Call {
        void run() throws Exception;
    }

    /** What call threw; fails the test if it threw nothing. */
    static Exception thrown(String what, Call call) {
        try {
            call.run();
        } catch (Exception e) {
            return e;
        }
        fail(what + " did not fail");
        return null;
    }

    /** Checks that e has code want and shows that code's message; records it in seen. */
    static void check(Set<Long> seen, long want, Exception e) {
        assertEquals(e.getMessage() + ": code " + Mobile.errorCodeName(Messages.code(e)),
                Mobile.errorCodeName(want), Mobile.errorCodeName(Messages.code(e)));
        String msg = Messages.of(e);
        assertEquals(Messages.forCode(want, e.getMessage()), msg);
        // Wrapped in a Java exception, the node's error keeps its message.
        assertEquals(msg, Messages.of(new RuntimeException("wrapper", e)));
        seen.add(want);
    }

    @Test
    public void realErrorsOfOneNodeGetTheirCodesMessages() throws Exception {
        nodes = new TestNodes();
        Set<Long> seen = new HashSet<>();
        Config cfg = nodes.config("");
        NodeClient client = nodes.client(cfg);
        final Node node = client.node();

        check(seen, Mobile.CodeNotStarted, thrown("status before start", node::status));
        client.ensureStarted();
        check(seen, Mobile.CodeStarted, thrown("second start", node::start));
        final Node twin = Mobile.newNode(cfg); // the same data directory
        try {
            check(seen, Mobile.CodeDataDirInUse, thrown("a second node on the data directory", twin::start));
        } finally {
            twin.close();
        }
        check(seen, Mobile.CodeNotLoggedIn, thrown("post logged out", () -> client.post("hello")));
        check(seen, Mobile.CodeInvalidInput, thrown("delete of no ID", () -> client.delete("")));
        check(seen, Mobile.CodeInvalidName, thrown("register Bad-Name", () -> client.register("Bad-Name", "password1")));
        check(seen, Mobile.CodeNoAccount, thrown("login of nobody", () -> client.login("nobody", "password1")));

        client.register("alice", "alice-password");
        final PostItem post = client.post("alice's post");
        check(seen, Mobile.CodeLoggedIn, thrown("register while logged in", () -> client.register("bob", "bob-password")));
        check(seen, Mobile.CodeInvalidPost, thrown("1001 characters",
                () -> client.post(ComposePresenterTest.repeat("x", Validation.MAX_POST_CHARS + 1))));
        check(seen, Mobile.CodeNoPost, thrown("delete of no post", () -> client.delete("deadbeefdeadbeef")));
        check(seen, Mobile.CodeNotFollowing, thrown("unfollow of a stranger", () -> client.unfollow("stranger")));
        check(seen, Mobile.CodeWrongPassword, thrown("export with a wrong password", () -> client.exportPhrase("wrong")));
        check(seen, Mobile.CodeNetwork, thrown("follow with no peer", () -> client.follow("stranger")));

        client.logout();
        check(seen, Mobile.CodeAccountExists, thrown("register alice again", () -> client.register("alice", "password1")));
        check(seen, Mobile.CodeBadSecret, thrown("restore from three words",
                () -> client.restorePhrase("carol", "three wrong words", "password1")));
        check(seen, Mobile.CodeBadSecret, thrown("restore from a junk key file",
                () -> client.restoreKeyFile("junk".getBytes("UTF-8"), "password1")));
        client.register("bob", "bob-password");
        check(seen, Mobile.CodeNotYours, thrown("bob deletes alice's post", () -> client.delete(post.id)));

        client.close();
        check(seen, Mobile.CodeClosed, thrown("status after close", client::status));
        check(seen, Mobile.CodeClosed, thrown("start after close", client::ensureStarted));
        assertTrue(seen.toString(), seen.size() >= 16);
    }

    @Test
    public void realErrorsOfTheNetworkGetTheirCodesMessages() throws Exception {
        nodes = new TestNodes();
        Set<Long> seen = new HashSet<>();
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        final NodeClient b = nodes.started(relay + "\n" + a.addrs());
        a.register("alice", "alice-password");
        check(seen, Mobile.CodeNameTaken, thrown("a second alice", () -> b.register("alice", "other-password")));
        b.register("bob", "bob-password");
        check(seen, Mobile.CodeUnknownName, thrown("whois nobody", () -> b.whois("nobody")));
        check(seen, Mobile.CodeSelfFollow, thrown("bob follows bob", () -> b.follow("bob")));
    }
}
