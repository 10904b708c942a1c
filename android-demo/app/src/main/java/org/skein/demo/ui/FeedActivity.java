package org.skein.demo.ui;

import android.content.Intent;
import android.os.Bundle;
import android.view.Menu;
import android.view.MenuItem;
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
import org.skein.demo.core.AuthPresenter;
import org.skein.demo.core.FeedPresenter;
import org.skein.demo.core.PostItem;
import org.skein.demo.core.UserItem;

/**
 * The feed: updates itself as the node reports new and deleted posts; pages
 * load as you scroll. Each post can be replied to and reposted, and deleted
 * if it is the account's own.
 */
public final class FeedActivity extends AppCompatActivity implements FeedPresenter.View {
    private FeedPresenter feed;
    private AuthPresenter auth;
    private PostAdapter adapter;
    private ProgressBar progress;
    private TextView status;
    private TextView empty;
    private String account = ""; // the logged-in account's name, once checkSession found it

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_feed);
        SkeinApp app = SkeinApp.get(this);
        feed = new FeedPresenter(app.client(), app.executors());
        auth = new AuthPresenter(app.client(), app.executors());
        progress = findViewById(R.id.progress);
        status = findViewById(R.id.status);
        empty = findViewById(R.id.empty);
        adapter = new PostAdapter(new PostActions(this, feed));
        final RecyclerView list = findViewById(R.id.posts);
        final LinearLayoutManager layout = new LinearLayoutManager(this);
        list.setLayoutManager(layout);
        list.setAdapter(adapter);
        list.addOnScrollListener(new RecyclerView.OnScrollListener() {
            @Override
            public void onScrolled(@NonNull RecyclerView rv, int dx, int dy) {
                if (dy > 0 && layout.findLastVisibleItemPosition() >= adapter.getItemCount() - 5) {
                    feed.loadMore();
                }
            }
        });
        Button compose = findViewById(R.id.compose);
        compose.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                startActivity(new Intent(FeedActivity.this, ComposeActivity.class));
            }
        });
    }

    @Override
    protected void onStart() {
        super.onStart();
        feed.attach(this); // listens for onPost and reloads the first page
        auth.attach(new AuthPresenter.View() {
            @Override
            public void showBusy(boolean busy) {}

            @Override
            public void showError(String message) {
                FeedActivity.this.showError(message);
            }

            @Override
            public void showLoggedIn(UserItem user) {
                account = user.name;
            }

            @Override
            public void showLoggedOut() {
                startActivity(new Intent(FeedActivity.this, LoginActivity.class));
                finish();
            }

            @Override
            public void showAccounts(List<String> names) {}
        });
        auth.checkSession(); // back to the login screen if the process forgot the session
    }

    @Override
    protected void onStop() {
        feed.detach();
        auth.detach();
        super.onStop();
    }

    @Override
    public boolean onCreateOptionsMenu(Menu menu) {
        getMenuInflater().inflate(R.menu.feed_menu, menu);
        return true;
    }

    @Override
    public boolean onOptionsItemSelected(MenuItem item) {
        int id = item.getItemId();
        if (id == R.id.action_refresh) {
            feed.refresh();
            return true;
        } else if (id == R.id.action_people) {
            startActivity(new Intent(this, PeopleActivity.class));
            return true;
        } else if (id == R.id.action_notifications) {
            startActivity(new Intent(this, NotificationsActivity.class));
            return true;
        } else if (id == R.id.action_profile) {
            ProfileActivity.start(this, account);
            return true;
        } else if (id == R.id.action_recovery) {
            startActivity(new Intent(this, RecoveryActivity.class));
            return true;
        } else if (id == R.id.action_status) {
            startActivity(new Intent(this, StatusActivity.class));
            return true;
        } else if (id == R.id.action_logout) {
            auth.logout();
            return true;
        }
        return super.onOptionsItemSelected(item);
    }

    @Override
    public void showPosts(List<PostItem> posts) {
        adapter.submit(posts);
        empty.setVisibility(posts.isEmpty() ? View.VISIBLE : View.GONE);
    }

    @Override
    public void showLoading(boolean loading) {
        progress.setVisibility(loading ? View.VISIBLE : View.GONE);
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }

    @Override
    public void showMessage(String message) {
        Toast.makeText(this, message, Toast.LENGTH_SHORT).show();
    }

    @Override
    public void showPeers(long peers) {
        status.setText(getResources().getQuantityString(R.plurals.peers, (int) Math.min(peers, Integer.MAX_VALUE), (int) peers));
    }
}
