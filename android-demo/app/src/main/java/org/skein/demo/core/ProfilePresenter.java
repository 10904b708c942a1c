package org.skein.demo.core;

/**
 * A profile page's header: who the user is ({@code Node.whois}: name, key,
 * online or last seen, pinned, how much of their log this phone holds) and
 * the follow/unfollow button. The page's list of their posts is a
 * {@link FeedPresenter} over {@link FeedPresenter#timeline}.
 */
public final class ProfilePresenter {
    /** How the account relates to the profile's user: what the button offers. */
    public enum Relation {
        /** The account's own profile: no button. */
        SELF,
        /** The account follows them: the button unfollows. */
        FOLLOWING,
        /** The account does not follow them: the button follows. */
        NOT_FOLLOWING
    }

    public interface View {
        /** The header: profile, and how the account relates to the user. */
        void showProfile(ProfileInfo profile, Relation relation);

        void showBusy(boolean busy);

        /** A confirmation, e.g. "You follow @alice". */
        void showMessage(String message);

        void showError(String message);
    }

    private final SkeinClient client;
    private final AppExecutors executors;
    private final String name;
    private volatile View view;
    private volatile ProfileInfo profile; // last loaded; null before
    private volatile Relation relation; // last loaded; null before
    private volatile boolean busy;

    /** The profile of the user with this name ("@Alice" means "alice"). */
    public ProfilePresenter(SkeinClient client, AppExecutors executors, String name) {
        this.client = client;
        this.executors = executors;
        this.name = Validation.normalizeName(name);
    }

    /** The profile's username, normalized. */
    public String name() {
        return name;
    }

    public void attach(View v) {
        view = v;
        load();
    }

    public void detach() {
        view = null;
    }

    /** The header as loaded, together. */
    private static final class Loaded {
        final ProfileInfo profile;
        final Relation relation;

        Loaded(ProfileInfo profile, Relation relation) {
            this.profile = profile;
            this.relation = relation;
        }
    }

    /** Looks the user up again, and whether the account follows them. */
    public void load() {
        String err = Validation.nameError(name);
        if (err != null) {
            error(err);
            return;
        }
        setBusy(true);
        executors.run(new AppExecutors.Call<Loaded>() {
            @Override
            public Loaded call() throws Exception {
                return lookUp();
            }
        }, new Shown(null));
    }

    /** Follows the user if the account does not, else unfollows them. Returns whether it was sent. */
    public boolean toggleFollow() {
        final Relation now = relation;
        if (now == null || now == Relation.SELF || busy) {
            return false;
        }
        setBusy(true);
        final boolean follow = now == Relation.NOT_FOLLOWING;
        executors.run(new AppExecutors.Call<Loaded>() {
            @Override
            public Loaded call() throws Exception {
                if (follow) {
                    client.follow(name);
                } else {
                    client.unfollow(name);
                }
                return lookUp(); // following pins the name: the header changes
            }
        }, new Shown(follow ? "You follow @" + name : "You no longer follow @" + name));
        return true;
    }

    private Loaded lookUp() throws Exception {
        ProfileInfo p = client.whois(name);
        if (name.equals(client.status().account)) {
            return new Loaded(p, Relation.SELF);
        }
        for (UserItem u : client.following()) {
            if (u.name.equals(name)) {
                return new Loaded(p, Relation.FOLLOWING);
            }
        }
        return new Loaded(p, Relation.NOT_FOLLOWING);
    }

    /** The profile last loaded, null before. */
    public ProfileInfo profile() {
        return profile;
    }

    /** How the account relates to the user, as last loaded; null before. */
    public Relation relation() {
        return relation;
    }

    public boolean isBusy() {
        return busy;
    }

    private final class Shown implements AppExecutors.Callback<Loaded> {
        private final String message; // shown once loaded, null for none

        Shown(String message) {
            this.message = message;
        }

        @Override
        public void onResult(Loaded l) {
            profile = l.profile;
            relation = l.relation;
            busy = false;
            View v = view;
            if (v != null) {
                v.showBusy(false);
                v.showProfile(l.profile, l.relation);
                if (message != null) {
                    v.showMessage(message);
                }
            }
        }

        @Override
        public void onError(String msg) {
            busy = false;
            View v = view;
            if (v != null) {
                v.showBusy(false);
                v.showError(msg);
            }
        }
    }

    private void setBusy(final boolean b) {
        busy = b;
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showBusy(b);
                }
            }
        });
    }

    private void error(final String message) {
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
