package org.skein.demo.ui;

import android.content.Intent;
import android.os.Bundle;
import android.view.View;
import android.widget.Button;
import android.widget.EditText;
import android.widget.ProgressBar;
import android.widget.TextView;

import androidx.appcompat.app.AppCompatActivity;

import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.AuthPresenter;
import org.skein.demo.core.UserItem;

/**
 * Register or log in (the accounts stored on this phone are listed), or go
 * to Restore; the relay's address is the "Bootstrap addresses" field.
 */
public final class LoginActivity extends AppCompatActivity implements AuthPresenter.View {
    private AuthPresenter presenter;
    private EditText name;
    private EditText password;
    private EditText bootstrap;
    private Button login;
    private Button register;
    private ProgressBar progress;
    private TextView error;
    private TextView accounts;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_login);
        SkeinApp app = SkeinApp.get(this);
        presenter = new AuthPresenter(app.client(), app.executors());
        name = findViewById(R.id.name);
        password = findViewById(R.id.password);
        bootstrap = findViewById(R.id.bootstrap);
        login = findViewById(R.id.login);
        register = findViewById(R.id.register);
        progress = findViewById(R.id.progress);
        error = findViewById(R.id.error);
        accounts = findViewById(R.id.accounts);
        findViewById(R.id.restore).setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                // With the relay typed in the settings field: a restore needs the network.
                startActivity(new Intent(LoginActivity.this, RestoreActivity.class)
                        .putExtra(RestoreActivity.EXTRA_BOOTSTRAP, text(bootstrap)));
            }
        });
        if (savedInstanceState == null) {
            bootstrap.setText(app.savedBootstrapAddrs());
        }
        login.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                error.setText("");
                presenter.login(text(name), text(password), text(bootstrap));
            }
        });
        register.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                error.setText("");
                presenter.register(text(name), text(password), text(bootstrap));
            }
        });
    }

    @Override
    protected void onStart() {
        super.onStart();
        presenter.attach(this);
        presenter.checkSession();
        presenter.loadAccounts(); // starts the node, so it is connected by the time the user logs in
    }

    @Override
    protected void onStop() {
        presenter.detach();
        super.onStop();
    }

    @Override
    public void showBusy(boolean busy) {
        progress.setVisibility(busy ? View.VISIBLE : View.GONE);
        login.setEnabled(!busy);
        register.setEnabled(!busy);
    }

    @Override
    public void showError(String message) {
        error.setText(message);
    }

    @Override
    public void showLoggedIn(UserItem user) {
        SkeinApp.get(this).saveBootstrapAddrs(text(bootstrap));
        password.setText("");
        startActivity(new Intent(this, FeedActivity.class));
        finish();
    }

    @Override
    public void showLoggedOut() {
        // Nothing to do: this is the logged-out screen.
    }

    @Override
    public void showAccounts(List<String> names) {
        if (names.isEmpty()) {
            accounts.setVisibility(View.GONE);
            return;
        }
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            b.append(b.length() == 0 ? "@" : ", @").append(n);
        }
        accounts.setText(getString(R.string.accounts_here, b));
        accounts.setVisibility(View.VISIBLE);
        if (LoginActivity.text(name).isEmpty() && names.size() == 1) {
            name.setText(names.get(0));
        }
    }

    static String text(EditText e) {
        return e.getText() == null ? "" : e.getText().toString();
    }
}
