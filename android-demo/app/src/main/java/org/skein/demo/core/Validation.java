package org.skein.demo.core;

import java.util.Locale;

/**
 * Input checks done before a node call, with the node's own rules (core
 * checks them again): usernames are 3 to 32 characters of a-z, 0-9 and _,
 * a post is 1 to 1000 Unicode code points and not only white space, a
 * recovery phrase has 24 words.
 * Each check returns null if the input is fine, else a message to show.
 */
public final class Validation {
    public static final int MAX_POST_CHARS = 1000;
    public static final int MIN_NAME_LEN = 3;
    public static final int MAX_NAME_LEN = 32;
    /** The demo asks new accounts for a password of at least this many characters. */
    public static final int MIN_NEW_PASSWORD_LEN = 8;

    private Validation() {}

    /** The name as the user probably meant it: trimmed, without a leading '@', lower case. */
    public static String normalizeName(String raw) {
        if (raw == null) {
            return "";
        }
        String s = raw.trim();
        if (s.startsWith("@")) {
            s = s.substring(1).trim();
        }
        return s.toLowerCase(Locale.ROOT);
    }

    public static String nameError(String name) {
        if (name == null || name.isEmpty()) {
            return "Enter a username";
        }
        if (name.length() < MIN_NAME_LEN || name.length() > MAX_NAME_LEN) {
            return "A username has 3 to 32 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return "A username uses only a-z, 0-9 and _";
            }
        }
        return null;
    }

    public static String passwordError(String password, boolean newAccount) {
        if (password == null || password.isEmpty()) {
            return "Enter a password";
        }
        if (newAccount && password.length() < MIN_NEW_PASSWORD_LEN) {
            return "Choose a password of at least " + MIN_NEW_PASSWORD_LEN + " characters";
        }
        return null;
    }

    /** The length of a post as the node counts it: Unicode code points. */
    public static int postLength(String text) {
        return text == null ? 0 : text.codePointCount(0, text.length());
    }

    public static String postError(String text) {
        if (text == null || text.trim().isEmpty()) {
            return "Write something first";
        }
        int n = postLength(text);
        if (n > MAX_POST_CHARS) {
            return "A post has at most " + MAX_POST_CHARS + " characters (this one has " + n + ")";
        }
        return null;
    }

    /** The number of words of a recovery phrase. */
    public static final int PHRASE_WORDS = 24;

    /**
     * A recovery phrase as typed or pasted, made plain: lower case, one space
     * between words, without the numbers of a numbered copy ("1. abandon
     * 2. ability" or one word a line with "1)" before it) and without commas.
     */
    public static String normalizePhrase(String raw) {
        if (raw == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String w : raw.toLowerCase(Locale.ROOT).split("[\\s,;]+")) {
            if (w.isEmpty() || w.matches("\\d+[.):]?")) {
                continue;
            }
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(w);
        }
        return out.toString();
    }

    /**
     * Checks a phrase made plain by {@link #normalizePhrase}: 24 words of
     * letters. Whether the words are the right ones only the node can tell
     * (CodeBadSecret). The message never repeats a word: they are secret.
     */
    public static String phraseError(String phrase) {
        if (phrase == null || phrase.trim().isEmpty()) {
            return "Enter your " + PHRASE_WORDS + "-word recovery phrase";
        }
        String[] words = phrase.trim().split(" +");
        if (words.length != PHRASE_WORDS) {
            return "A recovery phrase has " + PHRASE_WORDS + " words; this one has " + words.length;
        }
        for (int i = 0; i < words.length; i++) {
            if (!words[i].matches("[a-z]+")) {
                return "Word " + (i + 1) + " of the phrase has characters other than letters";
            }
        }
        return null;
    }

    /**
     * Bootstrap addresses, separated by spaces, commas or newlines: each a
     * multiaddr starting with '/' and naming its peer (/p2p/...). Empty is
     * fine: the node then joins nothing on its own.
     */
    public static String bootstrapError(String addrs) {
        String norm = NodeSettings.normalizeAddrs(addrs);
        if (norm.isEmpty()) {
            return null;
        }
        for (String a : norm.split("\n")) {
            if (!a.startsWith("/") || !a.contains("/p2p/")) {
                return "Not a full relay address (/ip4/…/tcp/…/p2p/…): " + a;
            }
        }
        return null;
    }
}
