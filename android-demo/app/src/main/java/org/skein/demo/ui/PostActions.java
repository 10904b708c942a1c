package org.skein.demo.ui;

import android.app.Activity;
import android.content.DialogInterface;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.view.View;
import android.widget.ImageView;

import androidx.appcompat.app.AlertDialog;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.AppExecutors;
import org.skein.demo.core.FeedPresenter;
import org.skein.demo.core.ImageItem;
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

    /** The largest image without a thumbnail a row loads whole: 1 MiB. */
    private static final long MAX_THUMBLESS = 1L << 20;

    @Override
    public void loadThumb(final ImageItem image, final ImageView into) {
        if (image.thumb.isEmpty() && image.size > MAX_THUMBLESS) {
            // A row never loads a large image whole: the post's page does.
            into.setVisibility(View.GONE);
            return;
        }
        final String root = image.thumb.isEmpty() ? image.root : image.thumb;
        into.setTag(root);
        into.setImageDrawable(null);
        into.setContentDescription(image.alt.isEmpty() ? null : image.alt);
        into.setVisibility(View.VISIBLE);
        final SkeinApp app = SkeinApp.get(activity);
        // The node fetches the bytes if the phone lacks them and returns
        // only verified ones; the phone decodes them, not the library.
        app.executors().run(new AppExecutors.Call<Bitmap>() {
            @Override
            public Bitmap call() throws Exception {
                byte[] b = app.client().mediaBytes(root);
                BitmapFactory.Options opts = new BitmapFactory.Options();
                opts.inJustDecodeBounds = true;
                BitmapFactory.decodeByteArray(b, 0, b.length, opts);
                opts.inJustDecodeBounds = false;
                opts.inSampleSize = 1;
                while (opts.outWidth / (opts.inSampleSize * 2) >= 192 && opts.outHeight / (opts.inSampleSize * 2) >= 192) {
                    opts.inSampleSize *= 2;
                }
                return BitmapFactory.decodeByteArray(b, 0, b.length, opts);
            }
        }, new AppExecutors.Callback<Bitmap>() {
            @Override
            public void onResult(Bitmap bmp) {
                if (root.equals(into.getTag()) && bmp != null) { // the row was not reused meanwhile
                    into.setImageBitmap(bmp);
                }
            }

            @Override
            public void onError(String message) {
                if (root.equals(into.getTag())) {
                    into.setVisibility(View.GONE);
                }
            }
        });
    }
}
