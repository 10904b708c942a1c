package org.skein.demo.ui;

import android.graphics.Typeface;
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
import org.skein.demo.core.NotificationItem;

/** Rows of the notifications list; unread ones in bold. Tapping one opens who caused it. */
final class NotificationAdapter extends RecyclerView.Adapter<NotificationAdapter.Holder> {
    interface OnClick {
        void onClick(NotificationItem n);
    }

    private final OnClick onClick;
    private List<NotificationItem> items = Collections.emptyList();

    NotificationAdapter(OnClick onClick) {
        this.onClick = onClick;
    }

    void submit(List<NotificationItem> next) {
        items = next;
        notifyDataSetChanged();
    }

    @Override
    public int getItemCount() {
        return items.size();
    }

    @NonNull
    @Override
    public Holder onCreateViewHolder(@NonNull ViewGroup parent, int viewType) {
        return new Holder(LayoutInflater.from(parent.getContext()).inflate(R.layout.item_notification, parent, false));
    }

    @Override
    public void onBindViewHolder(@NonNull Holder h, int position) {
        final NotificationItem n = items.get(position);
        h.text.setText(n.describe());
        h.text.setTypeface(null, n.read ? Typeface.NORMAL : Typeface.BOLD);
        h.time.setText(DateUtils.getRelativeTimeSpanString(n.timeMillis));
        h.itemView.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                onClick.onClick(n);
            }
        });
    }

    static final class Holder extends RecyclerView.ViewHolder {
        final TextView text;
        final TextView time;

        Holder(View v) {
            super(v);
            text = v.findViewById(R.id.text);
            time = v.findViewById(R.id.time);
        }
    }
}
