package org.skein.demo.ui;

import android.content.Context;
import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.net.Uri;
import android.os.Bundle;
import android.text.Editable;
import android.text.TextWatcher;
import android.view.View;
import android.widget.Button;
import android.widget.EditText;
import android.widget.ProgressBar;
import android.widget.TextView;
import android.widget.Toast;

import androidx.appcompat.app.AppCompatActivity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.AppExecutors;
import org.skein.demo.core.Attachment;
import org.skein.demo.core.ComposePresenter;
import org.skein.demo.core.PostItem;

/** Write a post of 1 to 1000 characters, or a reply to a post ({@link #startReply}). */
public final class ComposeActivity extends AppCompatActivity implements ComposePresenter.View {
    private static final String EXTRA_REPLY_TO = "reply_to"; // the post's ID
    private static final String EXTRA_REPLY_BYLINE = "reply_byline";
    private static final String EXTRA_REPLY_TEXT = "reply_text";
    private static final int REQUEST_IMAGE = 1;
    /** The longest side of the thumbnail made here, in pixels. */
    private static final int THUMB_PX = 160;

    /** Opens the compose screen to reply to post (for a repost: to its original). */
    static void startReply(Context context, PostItem post) {
        context.startActivity(new Intent(context, ComposeActivity.class)
                .putExtra(EXTRA_REPLY_TO, post.targetId())
                .putExtra(EXTRA_REPLY_BYLINE, post.targetByline())
                .putExtra(EXTRA_REPLY_TEXT, post.displayText()));
    }

    private ComposePresenter presenter;
    private EditText text;
    private TextView counter;
    private Button post;
    private ProgressBar progress;
    private Button attach;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_compose);
        SkeinApp app = SkeinApp.get(this);
        presenter = new ComposePresenter(app.client(), app.executors());
        text = findViewById(R.id.text);
        counter = findViewById(R.id.counter);
        post = findViewById(R.id.post);
        progress = findViewById(R.id.progress);
        attach = findViewById(R.id.attach);
        attach.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                Intent pick = new Intent(Intent.ACTION_GET_CONTENT)
                        .addCategory(Intent.CATEGORY_OPENABLE)
                        .setType("image/*");
                startActivityForResult(pick, REQUEST_IMAGE);
            }
        });
        String replyTo = getIntent().getStringExtra(EXTRA_REPLY_TO);
        if (replyTo != null && !replyTo.isEmpty()) {
            presenter.replyTo(replyTo);
            setTitle(R.string.reply);
            text.setHint(R.string.reply_hint);
            TextView header = findViewById(R.id.reply_to);
            header.setVisibility(View.VISIBLE);
            header.setText(getString(R.string.replying_to,
                    getIntent().getStringExtra(EXTRA_REPLY_BYLINE), getIntent().getStringExtra(EXTRA_REPLY_TEXT)));
        }
        text.addTextChangedListener(new TextWatcher() {
            @Override
            public void beforeTextChanged(CharSequence s, int start, int count, int after) {}

            @Override
            public void onTextChanged(CharSequence s, int start, int before, int count) {}

            @Override
            public void afterTextChanged(Editable s) {
                presenter.textChanged(s.toString());
            }
        });
        post.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                presenter.submit(LoginActivity.text(text));
            }
        });
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        final Uri uri = data == null ? null : data.getData();
        if (requestCode != REQUEST_IMAGE || resultCode != RESULT_OK || uri == null) {
            return;
        }
        final String type = getContentResolver().getType(uri);
        SkeinApp.get(this).executors().run(new AppExecutors.Call<Attachment>() {
            @Override
            public Attachment call() throws Exception {
                return prepare(read(uri), type);
            }
        }, new AppExecutors.Callback<Attachment>() {
            @Override
            public void onResult(Attachment a) {
                if (presenter.attachImage(a) == null) {
                    attach.setText(getString(R.string.image_attached, a.bytes.length / 1024));
                    presenter.textChanged(LoginActivity.text(text));
                }
            }

            @Override
            public void onError(String message) {
                showError(getString(R.string.image_unreadable) + ": " + message);
            }
        });
    }

    /** Reads the picked file, refusing one over Attachment.MAX_BYTES. */
    private byte[] read(Uri uri) throws IOException {
        try (InputStream in = getContentResolver().openInputStream(uri)) {
            if (in == null) {
                throw new IOException("cannot open " + uri);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) != -1; ) {
                out.write(buf, 0, n);
                if (out.size() > Attachment.MAX_BYTES) {
                    throw new IOException("the image is larger than " + (Attachment.MAX_BYTES >> 20) + " MB");
                }
            }
            return out.toByteArray();
        }
    }

    /**
     * Reads the image's size and makes its thumbnail here, natively: the
     * Skein library links no image decoder.
     */
    static Attachment prepare(byte[] bytes, String type) throws IOException {
        BitmapFactory.Options bounds = new BitmapFactory.Options();
        bounds.inJustDecodeBounds = true;
        BitmapFactory.decodeByteArray(bytes, 0, bytes.length, bounds);
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) {
            throw new IOException("not an image");
        }
        String mime = bounds.outMimeType != null ? bounds.outMimeType : type;
        BitmapFactory.Options opts = new BitmapFactory.Options();
        opts.inSampleSize = 1;
        while (Math.max(bounds.outWidth, bounds.outHeight) / (opts.inSampleSize * 2) >= THUMB_PX) {
            opts.inSampleSize *= 2;
        }
        Bitmap sampled = BitmapFactory.decodeByteArray(bytes, 0, bytes.length, opts);
        byte[] thumb = null;
        if (sampled != null) {
            float scale = Math.min(1f, (float) THUMB_PX / Math.max(sampled.getWidth(), sampled.getHeight()));
            Bitmap small = Bitmap.createScaledBitmap(sampled,
                    Math.max(1, Math.round(sampled.getWidth() * scale)),
                    Math.max(1, Math.round(sampled.getHeight() * scale)), true);
            for (int quality = 80; quality >= 20 && thumb == null; quality -= 20) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                small.compress(Bitmap.CompressFormat.JPEG, quality, out);
                if (out.size() <= Attachment.MAX_THUMB_BYTES) {
                    thumb = out.toByteArray();
                }
            }
        }
        return new Attachment(bytes, mime, bounds.outWidth, bounds.outHeight, thumb, "");
    }

    @Override
    protected void onStart() {
        super.onStart();
        presenter.attach(this);
        presenter.textChanged(LoginActivity.text(text));
    }

    @Override
    protected void onStop() {
        presenter.detach();
        super.onStop();
    }

    @Override
    public void showCounter(int used, int max, boolean canPost) {
        counter.setText(getString(R.string.counter, used, max));
        post.setEnabled(canPost);
    }

    @Override
    public void showPosting(boolean posting) {
        progress.setVisibility(posting ? View.VISIBLE : View.GONE);
        post.setEnabled(!posting);
    }

    @Override
    public void showPosted(PostItem p) {
        Toast.makeText(this, R.string.posted, Toast.LENGTH_SHORT).show();
        finish(); // the feed shows it: the node reports it through onPost
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }
}
