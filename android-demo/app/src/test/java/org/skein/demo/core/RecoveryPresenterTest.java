package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/**
 * Export of the recovery phrase and the key file behind the warning and the
 * password, and restore on a new phone from either, on real nodes.
 */
public class RecoveryPresenterTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(120);

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

    static final class RecoveryView implements RecoveryPresenter.View {
        final UiThread ui;
        final List<String> errors = new CopyOnWriteArrayList<>();
        final AtomicReference<List<String>> phrase = new AtomicReference<>();
        final AtomicReference<byte[]> keyFile = new AtomicReference<>();
        final AtomicInteger hidden = new AtomicInteger();
        volatile String warning;
        volatile String fileName;
        volatile boolean busy;

        RecoveryView(UiThread ui) {
            this.ui = ui;
        }

        private void check(String call) {
            if (ui != null) {
                ui.check(call);
            }
        }

        @Override
        public void showWarning(String w, String keyFileNote) {
            check("showWarning");
            warning = w;
        }

        @Override
        public void showPhrase(List<String> words) {
            check("showPhrase");
            phrase.set(words);
        }

        @Override
        public void hidePhrase() {
            check("hidePhrase");
            phrase.set(null);
            hidden.incrementAndGet();
        }

        @Override
        public void showKeyFile(String name, byte[] data) {
            check("showKeyFile");
            fileName = name;
            keyFile.set(data);
        }

        @Override
        public void showBusy(boolean b) {
            check("showBusy");
            busy = b;
        }

        @Override
        public void showError(String message) {
            check("showError");
            errors.add(message);
        }
    }

    @Test
    public void exportBehindWarningAndPasswordThenRestoreOnNewPhones() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        UserItem alice = a.register("alice", "alice-password");
        PostItem before = a.post("written before the restore");

        RecoveryPresenter recovery = new RecoveryPresenter(a, ui.executors);
        RecoveryView view = new RecoveryView(ui);
        recovery.attach(view);
        Poll.until("warning shown", () -> view.warning != null);
        assertTrue(view.warning.contains("Anyone with these 24 words owns your account"));
        assertTrue(view.warning.contains("Never share them"));
        assertTrue(view.warning.contains("Skein never asks for them"));

        // Neither without confirming the warning, nor without the right password.
        assertFalse(recovery.revealPhrase("alice-password", false));
        assertFalse(recovery.revealPhrase("", true));
        assertTrue(recovery.revealPhrase("wrong password", true));
        Poll.until("three refusals", () -> view.errors.size() == 3);
        assertEquals("Confirm first that you have read the warning", view.errors.get(0));
        assertEquals("Enter a password", view.errors.get(1));
        assertEquals(Messages.forCode(Mobile.CodeWrongPassword, ""), view.errors.get(2));
        assertNull(view.phrase.get());

        assertTrue(recovery.revealPhrase("alice-password", true));
        Poll.until("phrase shown", () -> view.phrase.get() != null);
        List<String> words = view.phrase.get();
        assertEquals(Validation.PHRASE_WORDS, words.size());
        recovery.hide();
        Poll.until("phrase hidden", () -> view.hidden.get() == 1 && view.phrase.get() == null);

        assertTrue(recovery.exportKeyFile("alice-password"));
        Poll.until("key file", () -> view.keyFile.get() != null);
        assertEquals("alice.skeinkey", view.fileName);
        byte[] keyFile = view.keyFile.get();
        assertTrue(view.errors.toString(), view.errors.size() == 3);
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());

        // A new phone: restore from the phrase as written down, numbered, one word a line.
        NodeClient c = nodes.client(nodes.config(relay + "\n" + a.addrs())); // not started: the presenter starts it
        AuthPresenter restore = new AuthPresenter(c, ui.executors);
        AuthPresenterTest.AuthView restoreView = new AuthPresenterTest.AuthView(ui);
        restore.attach(restoreView);
        String written = RecoveryPresenter.numbered(words).toUpperCase();
        assertTrue(written.startsWith("1. "));
        restore.restorePhrase("@Alice", written, "a new password", null);
        Poll.until("restored", () -> restoreView.loggedIn.get() != null || !restoreView.errors.isEmpty());
        assertTrue(restoreView.errors.toString(), restoreView.errors.isEmpty());
        assertEquals("alice", restoreView.loggedIn.get().name);
        assertEquals(alice.key, restoreView.loggedIn.get().key);
        assertEquals(alice.key, c.status().key);
        // Her log is fetched in the background; then her old post is on the new phone.
        Poll.until("restoring done", () -> !c.status().restoring);
        Poll.until("her old post arrived", () -> {
            for (PostItem p : c.timeline("alice", "", 10).posts) {
                if (p.id.equals(before.id)) {
                    return true;
                }
            }
            return false;
        });
        // The new password is hers on this phone now.
        c.logout();
        restore.login("alice", "alice-password");
        Poll.until("old password refused", () -> !restoreView.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeWrongPassword, ""), restoreView.errors.get(0));
        restoreView.loggedIn.set(null);
        Poll.until("not busy", () -> !restore.isBusy());
        restore.login("alice", "a new password");
        Poll.until("logged in with the new password", () -> restoreView.loggedIn.get() != null);

        // Another phone: from the key file, with the password it was sealed with.
        NodeClient d = nodes.client(nodes.config(relay));
        AuthPresenter fromFile = new AuthPresenter(d, ui.executors);
        AuthPresenterTest.AuthView fileView = new AuthPresenterTest.AuthView(ui);
        fromFile.attach(fileView);
        fromFile.restoreKeyFile("junk".getBytes("UTF-8"), "alice-password", null);
        Poll.until("junk refused", () -> fileView.errors.size() == 1);
        assertTrue(fileView.errors.get(0), fileView.errors.get(0).startsWith(Messages.forCode(Mobile.CodeBadSecret, "")));
        Poll.until("not busy", () -> !fromFile.isBusy());
        fromFile.restoreKeyFile(keyFile, "wrong password", null);
        Poll.until("wrong password refused", () -> fileView.errors.size() == 2);
        assertEquals(Messages.forCode(Mobile.CodeWrongPassword, ""), fileView.errors.get(1));
        Poll.until("not busy", () -> !fromFile.isBusy());
        fromFile.restoreKeyFile(keyFile, "alice-password", null);
        Poll.until("restored from the file", () -> fileView.loggedIn.get() != null || fileView.errors.size() > 2);
        assertEquals(2, fileView.errors.size());
        assertEquals("alice", fileView.loggedIn.get().name);
        assertEquals(alice.key, d.status().key);
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());
    }

    @Test
    public void wrongPhraseShowsWhichWordWithoutRepeatingIt() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        NodeClient c = nodes.client(nodes.config(""));
        AuthPresenter restore = new AuthPresenter(c, ui.executors);
        AuthPresenterTest.AuthView view = new AuthPresenterTest.AuthView(ui);
        restore.attach(view);
        String phrase = FakeClient.PHRASE.replace("absent", "zzzzqq"); // word 6 is not a BIP-39 word
        restore.restorePhrase("alice", phrase, "a new password", null);
        Poll.until("refused", () -> !view.errors.isEmpty());
        String msg = view.errors.get(0);
        assertTrue(msg, msg.startsWith(Messages.forCode(Mobile.CodeBadSecret, "")));
        assertTrue(msg, msg.contains("word 6"));
        assertFalse("the message repeats the secret word: " + msg, msg.contains("zzzzqq"));
    }

    @Test
    public void phraseAsWrittenDown() {
        String p = FakeClient.PHRASE;
        assertEquals(p, Validation.normalizePhrase(p));
        assertEquals(p, Validation.normalizePhrase(RecoveryPresenter.numbered(RecoveryPresenter.words(p))));
        assertEquals(p, Validation.normalizePhrase("  " + p.toUpperCase().replace(" ", ",\n ") + "\n"));
        assertEquals("a b", Validation.normalizePhrase("1) a 2: b"));
        assertNull(Validation.phraseError(p));
        assertEquals("Enter your 24-word recovery phrase", Validation.phraseError(""));
        assertEquals("A recovery phrase has 24 words; this one has 23",
                Validation.phraseError(p.substring(p.indexOf(' ') + 1)));
        assertEquals("Word 2 of the phrase has characters other than letters",
                Validation.phraseError(p.replace("ability", "abil1ty")));
        assertEquals(24, RecoveryPresenter.words(" " + p + " ").size());
        assertEquals(Arrays.asList("x", "y"), RecoveryPresenter.words("x\n y"));
        assertEquals("1. x\n2. y", RecoveryPresenter.numbered(Arrays.asList("x", "y")));
        assertEquals("skein.skeinkey", RecoveryPresenter.keyFileName(""));
        assertNotNull(RecoveryPresenter.KEY_FILE_NOTE);
    }
}
