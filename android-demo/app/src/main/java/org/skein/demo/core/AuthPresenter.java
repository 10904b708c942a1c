package org.skein.demo.core;

/**
 * The register/login screen. Checks the input, starts the node if needed
 * (with the bootstrap addresses typed in the settings field, if any), then
 * registers or logs in. A failure shows the message {@link Messages} has for
 * its error code, e.g. "Wrong password. Check it (it is case-sensitive) and
 * try again."
 */
public final class AuthPresenter {
    public interface View {
        void showBusy(boolean busy);

        void showError(String message);

        void showLoggedIn(UserItem user);

        void showLoggedOut();
    }

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
                return st.loggedIn() ? new UserItem(st.account, "", 0) : null;
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

    public void login(String name, String password) {
        submit(false, name, password, null);
    }

    /** Logs in after joining the network through bootstrapAddrs (null: keep the current ones). */
    public void login(String name, String password, String bootstrapAddrs) {
        submit(false, name, password, bootstrapAddrs);
    }

    public void register(String name, String password) {
        submit(true, name, password, null);
    }

    /** Registers after joining the network through bootstrapAddrs (null: keep the current ones). */
    public void register(String name, String password, String bootstrapAddrs) {
        submit(true, name, password, bootstrapAddrs);
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

    /** The last error shown, null if none. */
    public String lastError() {
        return lastError;
    }

    public boolean isBusy() {
        return busy;
    }

    private void submit(final boolean newAccount, String rawName, final String password, final String bootstrap) {
        final String name = Validation.normalizeName(rawName);
        String err = Validation.nameError(name);
        if (err == null) {
            err = Validation.passwordError(password, newAccount);
        }
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
                if (bootstrap != null) {
                    client.setBootstrapAddrs(bootstrap);
                }
                client.ensureStarted();
                return newAccount ? client.register(name, password) : client.login(name, password);
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
