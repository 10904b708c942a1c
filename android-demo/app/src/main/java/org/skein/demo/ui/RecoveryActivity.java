package org.skein.demo.ui;

import android.content.Intent;
import android.net.Uri;
import android.os.Bundle;
import android.view.View;
import android.view.WindowManager;
import android.widget.Button;
import android.widget.CheckBox;
import android.widget.EditText;
import android.widget.ProgressBar;
import android.widget.TextView;
import android.widget.Toast;

import androidx.appcompat.app.AppCompatActivity;

import java.io.OutputStream;
import java.util.List;

import org.skein.demo.R;
import org.skein.demo.SkeinApp;
import org.skein.demo.core.RecoveryPresenter;

/**
 * The account's recovery phrase, behind the warning and the password, and
 * its key file, saved where the user picks. The window is FLAG_SECURE (no
 * screenshots, blank in the recent apps), and the phrase is taken off the
 * screen as soon as the screen is left.
 */
public final class RecoveryActivity extends AppCompatActivity implements RecoveryPresenter.View {
    private static final int REQUEST_SAVE_KEY_FILE = 1;

    private RecoveryPresenter presenter;
    private TextView warning;
    private TextView keyFileNote;
    private CheckBox understood;
    private EditText password;
    private Button reveal;
    private Button hide;
    private Button saveKeyFile;
    private TextView phrase;
    private ProgressBar progress;
    private byte[] pendingKeyFile; // exported, waiting for the user to pick where to save it

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        getWindow().setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE);
        setContentView(R.layout.activity_recovery);
        SkeinApp app = SkeinApp.get(this);
        presenter = new RecoveryPresenter(app.client(), app.executors());
        warning = findViewById(R.id.warning);
        keyFileNote = findViewById(R.id.key_file_note);
        understood = findViewById(R.id.understood);
        password = findViewById(R.id.password);
        reveal = findViewById(R.id.reveal);
        hide = findViewById(R.id.hide);
        saveKeyFile = findViewById(R.id.save_key_file);
        phrase = findViewById(R.id.phrase);
        progress = findViewById(R.id.progress);
        reveal.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                presenter.revealPhrase(LoginActivity.text(password), understood.isChecked());
            }
        });
        hide.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                presenter.hide();
            }
        });
        saveKeyFile.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                presenter.exportKeyFile(LoginActivity.text(password));
            }
        });
    }

    @Override
    protected void onStart() {
        super.onStart();
        presenter.attach(this);
    }

    @Override
    protected void onStop() {
        presenter.hide(); // never left on screen
        presenter.detach();
        hidePhrase(); // detached: the presenter's hide may not reach this view any more
        password.setText("");
        super.onStop();
    }

    @Override
    public void showWarning(String text, String keyFileText) {
        warning.setText(text);
        keyFileNote.setText(keyFileText);
    }

    @Override
    public void showPhrase(List<String> words) {
        password.setText("");
        phrase.setText(RecoveryPresenter.numbered(words));
        phrase.setVisibility(View.VISIBLE);
        hide.setVisibility(View.VISIBLE);
    }

    @Override
    public void hidePhrase() {
        phrase.setText("");
        phrase.setVisibility(View.GONE);
        hide.setVisibility(View.GONE);
    }

    @Override
    public void showKeyFile(String fileName, byte[] keyFile) {
        password.setText("");
        pendingKeyFile = keyFile;
        Intent save = new Intent(Intent.ACTION_CREATE_DOCUMENT)
                .addCategory(Intent.CATEGORY_OPENABLE)
                .setType("application/octet-stream")
                .putExtra(Intent.EXTRA_TITLE, fileName);
        startActivityForResult(save, REQUEST_SAVE_KEY_FILE);
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        if (requestCode != REQUEST_SAVE_KEY_FILE) {
            return;
        }
        byte[] file = pendingKeyFile;
        pendingKeyFile = null;
        Uri uri = data == null ? null : data.getData();
        if (resultCode != RESULT_OK || uri == null || file == null) {
            return;
        }
        try (OutputStream out = getContentResolver().openOutputStream(uri)) {
            if (out == null) {
                throw new java.io.IOException("cannot open " + uri);
            }
            out.write(file);
            Toast.makeText(this, R.string.key_file_saved, Toast.LENGTH_SHORT).show();
        } catch (Exception e) {
            showError(getString(R.string.key_file_not_saved, e.getMessage()));
        }
    }

    @Override
    public void showBusy(boolean busy) {
        progress.setVisibility(busy ? View.VISIBLE : View.GONE);
        reveal.setEnabled(!busy);
        saveKeyFile.setEnabled(!busy);
    }

    @Override
    public void showError(String message) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show();
    }
}
