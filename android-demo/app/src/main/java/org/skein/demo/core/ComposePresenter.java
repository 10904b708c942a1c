package org.skein.demo.core;

/**
 * The compose screen: counts characters as the node does (code points),
 * refuses empty or over-long posts before any node call, then posts.
 */
public final class ComposePresenter {
    public interface View {
        /** used characters of max, and whether the post button should be enabled. */
        void showCounter(int used, int max, boolean canPost);

        void showPosting(boolean posting);

        void showPosted(PostItem post);

        void showError(String message);
    }

    private final SkeinClient client;
    private final AppExecutors executors;
    private volatile View view;
    private volatile boolean posting;

    public ComposePresenter(SkeinClient client, AppExecutors executors) {
        this.client = client;
        this.executors = executors;
    }

    public void attach(View v) {
        view = v;
    }

    public void detach() {
        view = null;
    }

    /** Call as the text changes: updates the counter and the button. */
    public void textChanged(String text) {
        String body = text == null ? "" : text.trim();
        final int used = Validation.postLength(body);
        final boolean ok = Validation.postError(body) == null && !posting;
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showCounter(used, Validation.MAX_POST_CHARS, ok);
                }
            }
        });
    }

    /**
     * Posts text, trimmed, unless it is empty or longer than 1000
     * characters. Returns whether a post was sent to the node.
     */
    public boolean submit(String text) {
        final String body = text == null ? "" : text.trim();
        String err = Validation.postError(body);
        if (err != null) {
            error(err);
            return false;
        }
        synchronized (this) {
            if (posting) {
                return false;
            }
            posting = true;
        }
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showPosting(true);
                }
            }
        });
        executors.run(new AppExecutors.Call<PostItem>() {
            @Override
            public PostItem call() throws Exception {
                return client.post(body);
            }
        }, new AppExecutors.Callback<PostItem>() {
            @Override
            public void onResult(PostItem post) {
                posting = false;
                View v = view;
                if (v != null) {
                    v.showPosting(false);
                    v.showPosted(post);
                }
            }

            @Override
            public void onError(String message) {
                posting = false;
                View v = view;
                if (v != null) {
                    v.showPosting(false);
                    v.showError(message);
                }
            }
        });
        return true;
    }

    public boolean isPosting() {
        return posting;
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
