package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The recovery screen: shows the account's 24-word recovery phrase, behind a
 * warning the user must confirm and the account's password, and saves its
 * key file. With either, the account can be restored on a new phone (the
 * login screen's Restore, {@link AuthPresenter#restorePhrase} and
 * {@link AuthPresenter#restoreKeyFile}).
 *
 * <p>The phrase is handed to the view and not kept here; {@link #hide}
 * takes it off the screen (call it when the screen is left).
 */
public final class RecoveryPresenter {
    /** Shown above the phrase; the user confirms having read it before the phrase is shown. */
    public static final String WARNING = "Anyone with these 24 words owns your account: they can post as you "
            + "and lock you out. Write them down on paper, in order, and keep them somewhere safe. Never share "
            + "them, never photograph them, never type them into a website, a chat or an email. Skein never "
            + "asks for them.";

    /** Shown next to the key file's button. */
    public static final String KEY_FILE_NOTE = "The key file holds your account, sealed with your password: "
            + "restoring from it needs that password. Keep it private anyway: whoever has it can try to guess "
            + "the password.";

    public interface View {
        void showWarning(String warning, String keyFileNote);

        /** The phrase, word by word, in order. */
        void showPhrase(List<String> words);

        /** Takes the phrase off the screen. */
        void hidePhrase();

        /** The key file to save, with a file name to suggest. */
        void showKeyFile(String fileName, byte[] keyFile);

        void showBusy(boolean busy);

        void showError(String message);
    }

    private final SkeinClient client;
    private final AppExecutors executors;
    private volatile View view;

    public RecoveryPresenter(SkeinClient client, AppExecutors executors) {
        this.client = client;
        this.executors = executors;
    }

    public void attach(View v) {
        view = v;
        onMain(new Action() {
            @Override
            public void on(View v) {
                v.showWarning(WARNING, KEY_FILE_NOTE);
            }
        });
    }

    public void detach() {
        view = null;
    }

    /**
     * Shows the phrase if the user confirmed the warning (understood) and
     * the password is the account's. Returns whether the node was asked.
     */
    public boolean revealPhrase(final String password, boolean understood) {
        if (!understood) {
            error("Confirm first that you have read the warning");
            return false;
        }
        String err = Validation.passwordError(password, false);
        if (err != null) {
            error(err);
            return false;
        }
        busy(true);
        executors.run(new AppExecutors.Call<List<String>>() {
            @Override
            public List<String> call() throws Exception {
                return words(client.exportPhrase(password));
            }
        }, new AppExecutors.Callback<List<String>>() {
            @Override
            public void onResult(List<String> words) {
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                    v.showPhrase(words);
                }
            }

            @Override
            public void onError(String message) {
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                    v.showError(message);
                }
            }
        });
        return true;
    }

    /** Takes the phrase off the screen. */
    public void hide() {
        onMain(new Action() {
            @Override
            public void on(View v) {
                v.hidePhrase();
            }
        });
    }

    /** A key file and the name to save it under. */
    private static final class KeyFile {
        final String name;
        final byte[] data;

        KeyFile(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }
    }

    /** Exports the key file if the password is the account's. Returns whether the node was asked. */
    public boolean exportKeyFile(final String password) {
        String err = Validation.passwordError(password, false);
        if (err != null) {
            error(err);
            return false;
        }
        busy(true);
        executors.run(new AppExecutors.Call<KeyFile>() {
            @Override
            public KeyFile call() throws Exception {
                byte[] data = client.exportKeyFile(password);
                return new KeyFile(keyFileName(client.status().account), data);
            }
        }, new AppExecutors.Callback<KeyFile>() {
            @Override
            public void onResult(KeyFile f) {
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                    v.showKeyFile(f.name, f.data);
                }
            }

            @Override
            public void onError(String message) {
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                    v.showError(message);
                }
            }
        });
        return true;
    }

    /** The file name to suggest for an account's key file. */
    public static String keyFileName(String account) {
        return (account == null || account.isEmpty() ? "skein" : account) + ".skeinkey";
    }

    /** A phrase's words, in order. */
    public static List<String> words(String phrase) {
        String p = phrase == null ? "" : phrase.trim();
        if (p.isEmpty()) {
            return Collections.emptyList();
        }
        return Collections.unmodifiableList(new ArrayList<String>(Arrays.asList(p.split("\\s+"))));
    }

    /** The words numbered, one a line ("1. abandon"), to write down in order. */
    public static String numbered(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                b.append('\n');
            }
            b.append(i + 1).append(". ").append(words.get(i));
        }
        return b.toString();
    }

    private interface Action {
        void on(View v);
    }

    private void onMain(final Action a) {
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    a.on(v);
                }
            }
        });
    }

    private void busy(final boolean b) {
        onMain(new Action() {
            @Override
            public void on(View v) {
                v.showBusy(b);
            }
        });
    }

    private void error(final String message) {
        onMain(new Action() {
            @Override
            public void on(View v) {
                v.showError(message);
            }
        });
    }
}
