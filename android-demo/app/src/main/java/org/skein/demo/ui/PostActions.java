package org.skein.demo.ui;

import android.app.Activity;
import android.content.DialogInterface;

import androidx.appcompat.app.AlertDialog;

import org.skein.demo.R;
import org.skein.demo.core.FeedPresenter;
import org.skein.demo.core.PostItem;

/**
 * What a post row's buttons do, the same on the feed and on a profile: an
 * author opens their profile, reply opens the compose screen in reply mode, repost and delete go to the
 * list's {@link FeedPresenter} (delete after a confirmation).
 */
final class PostActions implements PostAdapter.Actions {
    private final Activity activity;
    private final FeedPresenter presenter;

    PostActions(Activity activity, FeedPresenter presenter) {
        this.activity = activity;
        this.presenter = presenter;
    }

    @Override
    public void onAuthor(String name) {
        ProfileActivity.start(activity, name);
    }

    @Override
    public void onReply(PostItem post) {
        ComposeActivity.startReply(activity, post);
    }

    @Override
    public void onRepost(PostItem post) {
        presenter.repost(post);
    }

    @Override
    public void onDelete(final PostItem post) {
        new AlertDialog.Builder(activity)
                .setMessage(post.isRepost() ? R.string.delete_repost_confirm : R.string.delete_confirm)
                .setNegativeButton(android.R.string.cancel, null)
                .setPositiveButton(R.string.delete, new DialogInterface.OnClickListener() {
                    @Override
                    public void onClick(DialogInterface d, int which) {
                        presenter.delete(post);
                    }
                })
                .show();
    }

    @Override
    public boolean canDelete(PostItem post) {
        return presenter.canDelete(post);
    }
}
