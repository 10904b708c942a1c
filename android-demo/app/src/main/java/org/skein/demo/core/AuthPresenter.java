package org.skein.demo.core;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.skein.mobile.Mobile;

/**
 * The register/login screen and the restore screen. Checks the input, starts
 * the node if needed (with the bootstrap addresses typed in the settings
 * field, if any), then registers, logs in, or restores an account on this
 * phone: from its 24-word recovery phrase with a new password, or from a key
 * file with the password it was sealed with. A failure shows the message
 * {@link Messages} has for its error code, e.g. "Wrong password. Check it
 * (it is case-sensitive) and try again."
 */
public final class AuthPresenter {
    public interface View {
        void showBusy(boolean busy);

        void showError(String message);

        void showLoggedIn(UserItem user);

        void showLoggedOut();

        /** The names of the accounts stored on this phone (Login takes any of them). */
        void showAccounts(List<String> names);
    }

    /** What a submit does once the input is checked and the node started. */
    private interface Op {
        /** fresh: the node was started (or restarted) for this submit a moment ago. */
        UserItem run(boolean fresh) throws Exception;
    }

    /**
     * How long a restore from a phrase waits for the node's first peer: it
     * must find the name's record in the network, and a node started (or
     * restarted with new bootstrap addresses) a moment ago is not connected
     * yet.
     */
    static final long RESTORE_PEER_WAIT_MILLIS = 15_000; // also how long it tries again

    private final SkeinClient client;
    private final AppExecutors executors;
    private volatile View view;
    private volatile boolean busy; // only changed on the main executor and in submit
    private volatile String lastError;

    public AuthPresenter(SkeinClient client, AppExecutors executors) {
        this.client = client;
        this.executors = executors;
    }

    public void attach(View v) {
        view = v;
    }

    public void detach() {
        view = null;
    }

    /**
     * Tells the view whether an account is logged in: showLoggedIn if one is
     * (the process outlived the login screen), showLoggedOut if none is (the
     * process was restarted, e.g. for the background job, and forgot the
     * session: the password is never stored).
     */
    public void checkSession() {
        executors.run(new AppExecutors.Call<UserItem>() {
            @Override
            public UserItem call() throws Exception {
                if (!client.isStarted()) {
                    return null;
                }
                StatusInfo st = client.status();
                return st.loggedIn() ? new UserItem(st.account, st.key, 0) : null;
            }
        }, new AppExecutors.Callback<UserItem>() {
            @Override
            public void onResult(UserItem user) {
                View v = view;
                if (v == null) {
                    return;
                }
                if (user != null) {
                    v.showLoggedIn(user);
                } else {
                    v.showLoggedOut();
                }
            }

            @Override
            public void onError(String message) {
                View v = view;
                if (v != null) {
                    v.showLoggedOut();
                }
            }
        });
    }

    /** Starts the node if need be and shows the accounts stored on this phone. */
    public void loadAccounts() {
        executors.run(new AppExecutors.Call<List<String>>() {
            @Override
            public List<String> call() throws Exception {
                client.ensureStarted();
                return Collections.unmodifiableList(client.accounts());
            }
        }, new AppExecutors.Callback<List<String>>() {
            @Override
            public void onResult(List<String> names) {
                View v = view;
                if (v != null) {
                    v.showAccounts(names);
                }
            }

            @Override
            public void onError(String message) {
                fail(message);
            }
        });
    }

    public void login(String name, String password) {
        login(name, password, null);
    }

    /** Logs in after joining the network through bootstrapAddrs (null: keep the current ones). */
    public void login(String rawName, final String password, String bootstrapAddrs) {
        final String name = Validation.normalizeName(rawName);
        String err = Validation.nameError(name);
        if (err == null) {
            err = Validation.passwordError(password, false);
        }
        submit(err, bootstrapAddrs, new Op() {
            @Override
            public UserItem run(boolean fresh) throws Exception {
                return client.login(name, password);
            }
        });
    }

    public void register(String name, String password) {
        register(name, password, null);
    }

    /** Registers after joining the network through bootstrapAddrs (null: keep the current ones). */
    public void register(String rawName, final String password, String bootstrapAddrs) {
        final String name = Validation.normalizeName(rawName);
        String err = Validation.nameError(name);
        if (err == null) {
            err = Validation.passwordError(password, true);
        }
        submit(err, bootstrapAddrs, new Op() {
            @Override
            public UserItem run(boolean fresh) throws Exception {
                return client.register(name, password);
            }
        });
    }

    /**
     * Restores the account name on this phone from its recovery phrase (as
     * typed: numbered, on several lines, in any case), protects it here with
     * newPassword and logs in, after joining the network through
     * bootstrapAddrs (null: keep the current ones): the name's record must be
     * found there (if the node is not connected yet, or was started a moment
     * ago and finds no record, it waits for a peer and tries again, for up to
     * 15 s).
     * The account's posts are then fetched in the background.
     */
    public void restorePhrase(String rawName, String rawPhrase, final String newPassword, String bootstrapAddrs) {
        final String name = Validation.normalizeName(rawName);
        final String phrase = Validation.normalizePhrase(rawPhrase);
        String err = Validation.nameError(name);
        if (err == null) {
            err = Validation.phraseError(phrase);
        }
        if (err == null) {
            err = Validation.passwordError(newPassword, true);
        }
        submit(err, bootstrapAddrs, new Op() {
            @Override
            public UserItem run(boolean fresh) throws Exception {
                long deadline = System.nanoTime() + RESTORE_PEER_WAIT_MILLIS * 1_000_000L;
                while (true) {
                    try {
                        return client.restorePhrase(name, phrase, newPassword);
                    } catch (Exception e) {
                        // A node started a moment ago may have no peer yet (CodeNetwork), or
                        // peers but no DHT routes to the name's record yet (CodeUnknownName).
                        long code = Messages.code(e);
                        long left = (deadline - System.nanoTime()) / 1_000_000L;
                        if (!(code == Mobile.CodeNetwork || fresh && code == Mobile.CodeUnknownName) || left <= 0) {
                            throw e;
                        }
                        awaitPeer(left);
                        Thread.sleep(Math.min(1000, Math.max(0, left)));
                    }
                }
            }
        });
    }

    /**
     * Restores the account of a key file (made by Export on another phone)
     * and logs in; password is the one it was sealed with, and stays the
     * account's.
     */
    public void restoreKeyFile(final byte[] keyFile, final String password, String bootstrapAddrs) {
        String err = keyFile == null || keyFile.length == 0 ? "Choose a key file first" : null;
        if (err == null) {
            err = Validation.passwordError(password, false);
        }
        submit(err, bootstrapAddrs, new Op() {
            @Override
            public UserItem run(boolean fresh) throws Exception {
                return client.restoreKeyFile(keyFile, password);
            }
        });
    }

    public void logout() {
        executors.run(new AppExecutors.Call<Boolean>() {
            @Override
            public Boolean call() throws Exception {
                client.logout();
                return Boolean.TRUE;
            }
        }, new AppExecutors.Callback<Boolean>() {
            @Override
            public void onResult(Boolean ok) {
                View v = view;
                if (v != null) {
                    v.showLoggedOut();
                }
            }

            @Override
            public void onError(String message) {
                fail(message);
            }
        });
    }

    /**
     * Waits up to timeoutMillis for the node to be connected to a peer, and
     * returns whether it is.
     */
    private boolean awaitPeer(long timeoutMillis) throws Exception {
        final CountDownLatch connected = new CountDownLatch(1);
        SkeinEvents watch = new SkeinEvents() {
            @Override
            public void onConnectivity(long peers) {
                if (peers > 0) {
                    connected.countDown();
                }
            }
        };
        client.addEvents(watch); // first, so that no connection is missed
        try {
            return client.status().peers > 0 || connected.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            client.removeEvents(watch);
        }
    }

    /** The last error shown, null if none. */
    public String lastError() {
        return lastError;
    }

    public boolean isBusy() {
        return busy;
    }

    /**
     * Shows inputError if there is one; else joins the network through
     * bootstrap (checked first; null keeps the current addresses), starts the
     * node and runs op, one attempt at a time.
     */
    private void submit(String inputError, final String bootstrap, final Op op) {
        String err = inputError;
        if (err == null && bootstrap != null) {
            err = Validation.bootstrapError(bootstrap);
        }
        if (err != null) {
            fail(err);
            return;
        }
        synchronized (this) {
            if (busy) {
                return; // one attempt at a time
            }
            busy = true;
        }
        lastError = null;
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showBusy(true);
                }
            }
        });
        executors.run(new AppExecutors.Call<UserItem>() {
            @Override
            public UserItem call() throws Exception {
                boolean wasStarted = client.isStarted();
                String before = client.bootstrapAddrs();
                if (bootstrap != null) {
                    client.setBootstrapAddrs(bootstrap);
                }
                client.ensureStarted();
                return op.run(!wasStarted || !before.equals(client.bootstrapAddrs()));
            }
        }, new AppExecutors.Callback<UserItem>() {
            @Override
            public void onResult(UserItem user) {
                busy = false;
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                    v.showLoggedIn(user);
                }
            }

            @Override
            public void onError(String message) {
                busy = false;
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                }
                fail(message);
            }
        });
    }

    private void fail(final String message) {
        lastError = message;
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showError(message);
                }
            }
        });
    }
}
