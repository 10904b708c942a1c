package org.skein.demo.ui;

import android.text.format.DateUtils;
import android.view.LayoutInflater;
import android.view.View;
import android.view.ViewGroup;
import android.widget.TextView;

import androidx.annotation.NonNull;
import androidx.recyclerview.widget.RecyclerView;

import java.util.Collections;
import java.util.List;

import org.skein.demo.R;
import org.skein.demo.core.UserItem;

/** Rows of a following or followers list. */
final class UserAdapter extends RecyclerView.Adapter<UserAdapter.Holder> {
    interface OnUserClick {
        void onClick(UserItem user);
    }

    private final OnUserClick onClick;
    private List<UserItem> users = Collections.emptyList();

    UserAdapter(OnUserClick onClick) {
        this.onClick = onClick;
    }

    void submit(List<UserItem> next) {
        users = next;
        notifyDataSetChanged();
    }

    @Override
    public int getItemCount() {
        return users.size();
    }

    @NonNull
    @Override
    public Holder onCreateViewHolder(@NonNull ViewGroup parent, int viewType) {
        return new Holder(LayoutInflater.from(parent.getContext()).inflate(R.layout.item_user, parent, false));
    }

    @Override
    public void onBindViewHolder(@NonNull Holder h, int position) {
        final UserItem u = users.get(position);
        h.name.setText("@" + u.name);
        CharSequence since = u.sinceMillis > 0 ? DateUtils.getRelativeTimeSpanString(u.sinceMillis) : "";
        // In the following list: how much of their log this phone holds.
        h.since.setText(u.log == null ? since : since + " · " + u.log.describe());
        h.itemView.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                onClick.onClick(u);
            }
        });
    }

    static final class Holder extends RecyclerView.ViewHolder {
        final TextView name;
        final TextView since;

        Holder(View v) {
            super(v);
            name = v.findViewById(R.id.name);
            since = v.findViewById(R.id.since);
        }
    }
}
