package org.skein.demo.core;

/**
 * The compose screen: counts characters as the node does (code points),
 * refuses empty or over-long posts before any node call, then posts, or
 * replies to a post if {@link #replyTo} named one (the post's author is
 * notified).
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
    private volatile String replyToId = ""; // "" = a post of its own
    private volatile Attachment image; // null = no image

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

    /**
     * Makes the next submit a reply to the post postId (for a repost, pass
     * {@link PostItem#targetId()}: the reply goes to the original); null or ""
     * makes it a post of its own again.
     */
    public void replyTo(String postId) {
        replyToId = postId == null ? "" : postId.trim();
    }

    /** The ID of the post being replied to, "" for a post of its own. */
    public String replyToId() {
        return replyToId;
    }

    /**
     * Attaches image to the next submit (null removes it). With an image
     * the text may be empty. Returns why the image cannot be attached, or
     * null if it is.
     */
    public String attachImage(Attachment a) {
        if (a != null) {
            String err = a.error();
            if (err != null) {
                error(err);
                return err;
            }
        }
        image = a;
        return null;
    }

    /** The image attached, or null. */
    public Attachment image() {
        return image;
    }

    /** Why body cannot be posted (with the image if one is attached), or null. */
    private String bodyError(String body) {
        if (image != null && body.isEmpty()) {
            return null;
        }
        return Validation.postError(body);
    }

    /** Call as the text changes: updates the counter and the button. */
    public void textChanged(String text) {
        String body = text == null ? "" : text.trim();
        final int used = Validation.postLength(body);
        final boolean ok = bodyError(body) == null && !posting;
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
     * Posts text (or replies with it), trimmed, unless it is empty or longer
     * than 1000 characters. Returns whether it was sent to the node.
     */
    public boolean submit(String text) {
        final String body = text == null ? "" : text.trim();
        String err = bodyError(body);
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
        final String to = replyToId;
        final Attachment img = image;
        executors.run(new AppExecutors.Call<PostItem>() {
            @Override
            public PostItem call() throws Exception {
                if (img != null) {
                    return client.postWithImage(to, body, img);
                }
                return to.isEmpty() ? client.post(body) : client.reply(to, body);
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
