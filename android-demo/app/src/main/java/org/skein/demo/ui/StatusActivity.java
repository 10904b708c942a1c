package org.skein.demo.ui;

import android.graphics.Typeface;
import android.os.Bundle;
import android.text.SpannableStringBuilder;
import android.text.Spanned;
import android.text.style.StyleSpan;
import android.widget.TextView;
import android.widget.Toast;

import androidx.appcompat.app.AppCompatActivity;

import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.ConnectionItem;
import org.skein.demo.core.StatusInfo;
import org.skein.demo.core.StatusPresenter;

/**
 * The node's status: the account, reachability and relays, power mode and
 * network, addresses, and the open connections, kept current as peers come
 * and go.
 */
public final class StatusActivity extends AppCompatActivity implements StatusPresenter.View {
    private StatusPresenter presenter;
    private TextView status;
    private TextView connections;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_status);
        SkeinApp app = SkeinApp.get(this);
        presenter = new StatusPresenter(app.client(), app.executors());
        status = findViewById(R.id.status);
        connections = findViewById(R.id.connections);
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
    public void showStatus(StatusInfo st, List<String[]> rows, List<ConnectionItem> conns) {
        SpannableStringBuilder b = new SpannableStringBuilder();
        for (String[] row : rows) {
            if (b.length() > 0) {
                b.append("\n\n");
            }
            int start = b.length();
            b.append(row[0]);
            b.setSpan(new StyleSpan(Typeface.BOLD), start, b.length(), Spanned.SPAN_EXCLUSIVE_EXCLUSIVE);
            b.append('\n').append(row[1]);
        }
        status.setText(b);
        StringBuilder c = new StringBuilder();
        for (ConnectionItem item : conns) {
            c.append(item.describe()).append("\n\n");
        }
        connections.setText(conns.isEmpty() ? getString(R.string.no_connections) : c.toString().trim());
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }
}
