package org.skein.demo.ui;

import android.content.Context;
import android.content.Intent;
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

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.ComposePresenter;
import org.skein.demo.core.PostItem;

/** Write a post of 1 to 1000 characters, or a reply to a post ({@link #startReply}). */
public final class ComposeActivity extends AppCompatActivity implements ComposePresenter.View {
    private static final String EXTRA_REPLY_TO = "reply_to"; // the post's ID
    private static final String EXTRA_REPLY_BYLINE = "reply_byline";
    private static final String EXTRA_REPLY_TEXT = "reply_text";

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
