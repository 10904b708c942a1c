package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Input rules: the node's own (names, post length) and the demo's (new passwords, addresses). */
public class ValidationTest {
    @Test
    public void names() {
        assertEquals("alice", Validation.normalizeName("  @Alice "));
        assertEquals("", Validation.normalizeName(null));
        assertNull(Validation.nameError("abc"));
        assertNull(Validation.nameError("a_very_long_name_of_32_chars_xyz"));
        assertEquals("A username has 3 to 32 characters", Validation.nameError("a_very_long_name_of_33_chars_xyzw"));
        assertEquals("A username has 3 to 32 characters", Validation.nameError("ab"));
        assertEquals("A username uses only a-z, 0-9 and _", Validation.nameError("Alice"));
        assertEquals("A username uses only a-z, 0-9 and _", Validation.nameError("al-ice"));
        assertEquals("Enter a username", Validation.nameError(""));
    }

    @Test
    public void passwords() {
        assertNull(Validation.passwordError("x", false)); // an existing account's password may be short
        assertEquals("Enter a password", Validation.passwordError("", false));
        assertTrue(Validation.passwordError("1234567", true).startsWith("Choose a password"));
        assertNull(Validation.passwordError("12345678", true));
    }

    @Test
    public void posts() {
        assertEquals("Write something first", Validation.postError("   "));
        assertNull(Validation.postError("x"));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            b.append("\uD83D\uDE00"); // one code point, two chars
        }
        assertEquals(1000, Validation.postLength(b.toString()));
        assertNull(Validation.postError(b.toString()));
        b.append('!');
        assertEquals("A post has at most 1000 characters (this one has 1001)", Validation.postError(b.toString()));
    }

    @Test
    public void bootstrapAddresses() {
        String r = "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWabc";
        assertNull(Validation.bootstrapError(""));
        assertNull(Validation.bootstrapError(r));
        assertNull(Validation.bootstrapError(r + ", " + r.replace("4001", "4002")));
        assertTrue(Validation.bootstrapError("/ip4/127.0.0.1/tcp/4001").startsWith("Not a full relay address"));
        assertTrue(Validation.bootstrapError("relay.example.org").startsWith("Not a full relay address"));
        assertEquals(r + "\n/dns4/x/tcp/1/p2p/Q", NodeSettings.normalizeAddrs(" " + r + ",\n" + r + " /dns4/x/tcp/1/p2p/Q "));
    }
}
