package org.skein.demo.ui;

import android.content.Context;
import android.content.Intent;
import android.os.Bundle;
import android.view.View;
import android.widget.Button;
import android.widget.ProgressBar;
import android.widget.TextView;
import android.widget.Toast;

import androidx.annotation.NonNull;
import androidx.appcompat.app.AppCompatActivity;
import androidx.recyclerview.widget.LinearLayoutManager;
import androidx.recyclerview.widget.RecyclerView;

import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.FeedPresenter;
import org.skein.demo.core.PostItem;
import org.skein.demo.core.ProfileInfo;
import org.skein.demo.core.ProfilePresenter;

/**
 * A user's profile: who they are (name, key, online or last seen, pinned,
 * how much of their log this phone holds), a follow/unfollow button, and
 * their posts, paged as you scroll. Opened by tapping an author.
 */
public final class ProfileActivity extends AppCompatActivity implements ProfilePresenter.View, FeedPresenter.View {
    private static final String EXTRA_NAME = "name";

    /** Opens the profile of the user with this name; nothing for an unknown author (""). */
    static void start(Context context, String name) {
        if (name == null || name.isEmpty()) {
            return;
        }
        context.startActivity(new Intent(context, ProfileActivity.class).putExtra(EXTRA_NAME, name));
    }

    private ProfilePresenter profile;
    private FeedPresenter timeline;
    private PostAdapter adapter;
    private TextView name;
    private TextView key;
    private TextView presence;
    private TextView pinned;
    private TextView held;
    private Button follow;
    private ProgressBar progress;
    private ProgressBar loading;
    private TextView empty;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_profile);
        SkeinApp app = SkeinApp.get(this);
        profile = new ProfilePresenter(app.client(), app.executors(), getIntent().getStringExtra(EXTRA_NAME));
        timeline = new FeedPresenter(app.client(), app.executors(),
                FeedPresenter.timeline(profile.name()), FeedPresenter.DEFAULT_PAGE_SIZE);
        setTitle("@" + profile.name());
        name = findViewById(R.id.name);
        key = findViewById(R.id.key);
        presence = findViewById(R.id.presence);
        pinned = findViewById(R.id.pinned);
        held = findViewById(R.id.held);
        follow = findViewById(R.id.follow);
        progress = findViewById(R.id.progress);
        loading = findViewById(R.id.loading);
        empty = findViewById(R.id.empty);
        name.setText("@" + profile.name());
        adapter = new PostAdapter(new PostActions(this, timeline));
        RecyclerView list = findViewById(R.id.posts);
        final LinearLayoutManager layout = new LinearLayoutManager(this);
        list.setLayoutManager(layout);
        list.setAdapter(adapter);
        list.addOnScrollListener(new RecyclerView.OnScrollListener() {
            @Override
            public void onScrolled(@NonNull RecyclerView rv, int dx, int dy) {
                if (dy > 0 && layout.findLastVisibleItemPosition() >= adapter.getItemCount() - 5) {
                    timeline.loadMore();
                }
            }
        });
        follow.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                profile.toggleFollow();
            }
        });
    }

    @Override
    protected void onStart() {
        super.onStart();
        profile.attach(this);
        timeline.attach(this);
    }

    @Override
    protected void onStop() {
        profile.detach();
        timeline.detach();
        super.onStop();
    }

    // ---- ProfilePresenter.View ----

    @Override
    public void showProfile(ProfileInfo p, ProfilePresenter.Relation relation) {
        name.setText("@" + p.name);
        key.setText(getString(R.string.profile_key, p.key));
        presence.setText(p.presence(System.currentTimeMillis()));
        pinned.setText(p.pinnedDescription());
        held.setText(p.heldDescription());
        if (relation == ProfilePresenter.Relation.SELF) {
            follow.setVisibility(View.GONE);
        } else {
            follow.setVisibility(View.VISIBLE);
            follow.setText(relation == ProfilePresenter.Relation.FOLLOWING ? R.string.unfollow : R.string.follow);
            follow.setEnabled(true);
        }
    }

    @Override
    public void showBusy(boolean busy) {
        progress.setVisibility(busy ? View.VISIBLE : View.GONE);
        follow.setEnabled(!busy && profile.relation() != null);
    }

    // ---- FeedPresenter.View (the timeline) ----

    @Override
    public void showPosts(List<PostItem> posts) {
        adapter.submit(posts);
        empty.setVisibility(posts.isEmpty() && !timeline.isLoading() ? View.VISIBLE : View.GONE);
    }

    @Override
    public void showLoading(boolean busy) {
        loading.setVisibility(busy ? View.VISIBLE : View.GONE);
    }

    @Override
    public void showPeers(long peers) {
        // Not shown here: the feed's status line shows it.
    }

    // ---- both ----

    @Override
    public void showMessage(String message) {
        Toast.makeText(this, message, Toast.LENGTH_SHORT).show();
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }
}
