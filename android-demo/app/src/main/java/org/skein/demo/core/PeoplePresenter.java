package org.skein.demo.core;

import java.util.Collections;
import java.util.List;

/**
 * The people screen: follow and unfollow by name, and the following and
 * followers lists (the followers list reloads when the listener reports a
 * new follower or an unfollow).
 */
public final class PeoplePresenter {
    public interface View {
        void showFollowing(List<UserItem> users);

        void showFollowers(List<UserItem> users);

        void showBusy(boolean busy);

        /** A confirmation, e.g. "You follow @bob". */
        void showMessage(String message);

        void showError(String message);
    }

    private final SkeinClient client;
    private final AppExecutors executors;
    private final SkeinEvents events = new SkeinEvents() {
        @Override
        public void onFollower(UserItem user) {
            loadFollowers();
        }

        @Override
        public void onUnfollow(UserItem user) {
            loadFollowers();
        }
    };
    private volatile View view;
    private volatile List<UserItem> following = Collections.emptyList();
    private volatile List<UserItem> followers = Collections.emptyList();

    public PeoplePresenter(SkeinClient client, AppExecutors executors) {
        this.client = client;
        this.executors = executors;
    }

    public void attach(View v) {
        view = v;
        client.addEvents(events);
        load();
    }

    public void detach() {
        client.removeEvents(events);
        view = null;
    }

    /** Reloads both lists. */
    public void load() {
        loadFollowing();
        loadFollowers();
    }

    public void loadFollowing() {
        executors.run(new AppExecutors.Call<List<UserItem>>() {
            @Override
            public List<UserItem> call() throws Exception {
                return client.following();
            }
        }, new ListCallback(true));
    }

    public void loadFollowers() {
        executors.run(new AppExecutors.Call<List<UserItem>>() {
            @Override
            public List<UserItem> call() throws Exception {
                return client.followers();
            }
        }, new ListCallback(false));
    }

    /** Follows the user with this name ("@bob" and "Bob" mean "bob"). Returns whether it was sent. */
    public boolean follow(String rawName) {
        return change(true, rawName);
    }

    /** Stops following the user with this name. Returns whether it was sent. */
    public boolean unfollow(String rawName) {
        return change(false, rawName);
    }

    /** The following list last loaded: unmodifiable. */
    public List<UserItem> following() {
        return following;
    }

    /** The followers list last loaded: unmodifiable. */
    public List<UserItem> followers() {
        return followers;
    }

    /** Whether name is in the following list last loaded. */
    public boolean isFollowing(String name) {
        for (UserItem u : following) {
            if (u.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private boolean change(final boolean follow, String rawName) {
        final String name = Validation.normalizeName(rawName);
        String err = Validation.nameError(name);
        if (err != null) {
            onMain(null, err);
            return false;
        }
        onMainBusy(true);
        executors.run(new AppExecutors.Call<List<UserItem>>() {
            @Override
            public List<UserItem> call() throws Exception {
                if (follow) {
                    client.follow(name);
                } else {
                    client.unfollow(name);
                }
                return client.following();
            }
        }, new AppExecutors.Callback<List<UserItem>>() {
            @Override
            public void onResult(List<UserItem> users) {
                following = Collections.unmodifiableList(users);
                View v = view;
                if (v != null) {
                    v.showBusy(false);
                    v.showFollowing(following);
                    v.showMessage(follow ? "You follow @" + name : "You no longer follow @" + name);
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

    private void onMainBusy(final boolean busy) {
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showBusy(busy);
                }
            }
        });
    }

    private void onMain(final String message, final String error) {
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v == null) {
                    return;
                }
                if (error != null) {
                    v.showError(error);
                } else {
                    v.showMessage(message);
                }
            }
        });
    }

    private final class ListCallback implements AppExecutors.Callback<List<UserItem>> {
        private final boolean isFollowing;

        ListCallback(boolean isFollowing) {
            this.isFollowing = isFollowing;
        }

        @Override
        public void onResult(List<UserItem> users) {
            List<UserItem> list = Collections.unmodifiableList(users);
            View v = view;
            if (isFollowing) {
                following = list;
                if (v != null) {
                    v.showFollowing(list);
                }
            } else {
                followers = list;
                if (v != null) {
                    v.showFollowers(list);
                }
            }
        }

        @Override
        public void onError(String message) {
            View v = view;
            if (v != null) {
                v.showError(message);
            }
        }
    }
}
