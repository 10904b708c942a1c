package org.skein.demo.ui;

import android.content.Intent;
import android.net.Uri;
import android.os.Bundle;
import android.view.View;
import android.view.WindowManager;
import android.widget.Button;
import android.widget.EditText;
import android.widget.ProgressBar;
import android.widget.TextView;
import android.widget.Toast;

import androidx.appcompat.app.AppCompatActivity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.AuthPresenter;
import org.skein.demo.core.UserItem;

/**
 * Restore an account on this phone, from the login screen: with its name,
 * its 24-word recovery phrase and a new password, or from a key file (picked
 * with the system's file picker) and the password it was sealed with. It
 * joins the network through the relay typed on the login screen.
 */
public final class RestoreActivity extends AppCompatActivity implements AuthPresenter.View {
    /** The bootstrap addresses to join through, from the login screen's settings field. */
    static final String EXTRA_BOOTSTRAP = "bootstrap";
    private static final int REQUEST_OPEN_KEY_FILE = 1;
    private static final int MAX_KEY_FILE_BYTES = 64 * 1024; // a key file is a few hundred bytes

    private AuthPresenter presenter;
    private EditText name;
    private EditText phrase;
    private EditText password;
    private Button fromPhrase;
    private Button fromKeyFile;
    private ProgressBar progress;
    private TextView error;
    private String bootstrap;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        getWindow().setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE);
        setContentView(R.layout.activity_restore);
        SkeinApp app = SkeinApp.get(this);
        presenter = new AuthPresenter(app.client(), app.executors());
        bootstrap = getIntent().getStringExtra(EXTRA_BOOTSTRAP);
        if (bootstrap == null) {
            bootstrap = app.savedBootstrapAddrs();
        }
        name = findViewById(R.id.name);
        phrase = findViewById(R.id.phrase);
        password = findViewById(R.id.password);
        fromPhrase = findViewById(R.id.restore_phrase);
        fromKeyFile = findViewById(R.id.restore_key_file);
        progress = findViewById(R.id.progress);
        error = findViewById(R.id.error);
        fromPhrase.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                error.setText("");
                presenter.restorePhrase(LoginActivity.text(name), LoginActivity.text(phrase),
                        LoginActivity.text(password), bootstrap);
            }
        });
        fromKeyFile.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                error.setText("");
                Intent open = new Intent(Intent.ACTION_OPEN_DOCUMENT)
                        .addCategory(Intent.CATEGORY_OPENABLE)
                        .setType("*/*");
                startActivityForResult(open, REQUEST_OPEN_KEY_FILE);
            }
        });
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        Uri uri = data == null ? null : data.getData();
        if (requestCode != REQUEST_OPEN_KEY_FILE || resultCode != RESULT_OK || uri == null) {
            return;
        }
        byte[] file;
        try {
            file = read(uri);
        } catch (IOException e) {
            showError(getString(R.string.key_file_not_read, e.getMessage()));
            return;
        }
        // The password field holds the key file's password (it stays the account's).
        presenter.restoreKeyFile(file, LoginActivity.text(password), bootstrap);
    }

    private byte[] read(Uri uri) throws IOException {
        try (InputStream in = getContentResolver().openInputStream(uri)) {
            if (in == null) {
                throw new IOException("cannot open " + uri);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) != -1; ) {
                out.write(buf, 0, n);
                if (out.size() > MAX_KEY_FILE_BYTES) {
                    throw new IOException("this file is too large to be a key file");
                }
            }
            return out.toByteArray();
        }
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
    public void showBusy(boolean busy) {
        progress.setVisibility(busy ? View.VISIBLE : View.GONE);
        fromPhrase.setEnabled(!busy);
        fromKeyFile.setEnabled(!busy);
    }

    @Override
    public void showError(String message) {
        error.setText(message);
    }

    @Override
    public void showLoggedIn(UserItem user) {
        SkeinApp.get(this).saveBootstrapAddrs(bootstrap);
        phrase.setText("");
        password.setText("");
        Toast.makeText(this, getString(R.string.restored, user.name), Toast.LENGTH_LONG).show();
        startActivity(new Intent(this, FeedActivity.class).addFlags(Intent.FLAG_ACTIVITY_CLEAR_TASK | Intent.FLAG_ACTIVITY_NEW_TASK));
        finish();
    }

    @Override
    public void showLoggedOut() {
        // Nothing to do: this is a logged-out screen.
    }

    @Override
    public void showAccounts(List<String> names) {
        // Not listed here: the login screen does.
    }
}
