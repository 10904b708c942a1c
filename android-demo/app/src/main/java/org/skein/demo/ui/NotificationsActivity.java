package org.skein.demo.ui;

import android.os.Bundle;
import android.view.View;
import android.widget.TextView;
import android.widget.Toast;

import androidx.appcompat.app.AppCompatActivity;
import androidx.recyclerview.widget.LinearLayoutManager;
import androidx.recyclerview.widget.RecyclerView;

import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.NotificationItem;
import org.skein.demo.core.NotificationsPresenter;

/** Followers, replies, reposts and mentions; opening the screen marks them read. */
public final class NotificationsActivity extends AppCompatActivity implements NotificationsPresenter.View {
    private NotificationsPresenter presenter;
    private NotificationAdapter adapter;
    private TextView empty;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_notifications);
        SkeinApp app = SkeinApp.get(this);
        presenter = new NotificationsPresenter(app.client(), app.executors(), true);
        adapter = new NotificationAdapter(new NotificationAdapter.OnClick() {
            @Override
            public void onClick(NotificationItem n) {
                ProfileActivity.start(NotificationsActivity.this, n.fromName);
            }
        });
        empty = findViewById(R.id.empty);
        RecyclerView list = findViewById(R.id.notifications);
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
    public void showNotifications(List<NotificationItem> items) {
        adapter.submit(items);
        empty.setVisibility(items.isEmpty() ? View.VISIBLE : View.GONE);
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }
}
