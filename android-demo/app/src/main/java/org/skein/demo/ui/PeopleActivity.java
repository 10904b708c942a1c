package org.skein.demo.ui;

import android.os.Bundle;
import android.view.View;
import android.widget.Button;
import android.widget.EditText;
import android.widget.ProgressBar;
import android.widget.Toast;

import androidx.appcompat.app.AppCompatActivity;
import androidx.recyclerview.widget.LinearLayoutManager;
import androidx.recyclerview.widget.RecyclerView;

import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.PeoplePresenter;
import org.skein.demo.core.UserItem;

/** Follow or unfollow by name; who you follow and who follows you (tap one for their profile). */
public final class PeopleActivity extends AppCompatActivity implements PeoplePresenter.View {
    private PeoplePresenter presenter;
    private EditText name;
    private Button follow;
    private Button unfollow;
    private ProgressBar progress;
    private UserAdapter following;
    private UserAdapter followers;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_people);
        SkeinApp app = SkeinApp.get(this);
        presenter = new PeoplePresenter(app.client(), app.executors());
        name = findViewById(R.id.name);
        follow = findViewById(R.id.follow);
        unfollow = findViewById(R.id.unfollow);
        progress = findViewById(R.id.progress);
        UserAdapter.OnUserClick open = new UserAdapter.OnUserClick() {
            @Override
            public void onClick(UserItem user) {
                ProfileActivity.start(PeopleActivity.this, user.name);
            }
        };
        following = new UserAdapter(open);
        followers = new UserAdapter(open);
        setUpList(R.id.following, following);
        setUpList(R.id.followers, followers);
        follow.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                presenter.follow(LoginActivity.text(name));
            }
        });
        unfollow.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                presenter.unfollow(LoginActivity.text(name));
            }
        });
    }

    private void setUpList(int id, UserAdapter adapter) {
        RecyclerView list = findViewById(id);
        list.setLayoutManager(new LinearLayoutManager(this));
        list.setAdapter(adapter);
    }

    @Override
    protected void onStart() {
        super.onStart();
        presenter.attach(this);
    }

    @Override
    protected void onStop() {
        presenter.detach();
        super.onStop();
    }

    @Override
    public void showFollowing(List<UserItem> users) {
        following.submit(users);
    }

    @Override
    public void showFollowers(List<UserItem> users) {
        followers.submit(users);
    }

    @Override
    public void showBusy(boolean busy) {
        progress.setVisibility(busy ? View.VISIBLE : View.GONE);
        follow.setEnabled(!busy);
        unfollow.setEnabled(!busy);
    }

    @Override
    public void showMessage(String message) {
        name.setText("");
        Toast.makeText(this, message, Toast.LENGTH_SHORT).show();
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }
}
