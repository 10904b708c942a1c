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
import org.skein.demo.core.PostItem;

/** Rows of the feed. The list is the presenter's immutable snapshot. */
final class PostAdapter extends RecyclerView.Adapter<PostAdapter.Holder> {
    private List<PostItem> posts = Collections.emptyList();

    PostAdapter() {
        setHasStableIds(true);
    }

    void submit(List<PostItem> next) {
        posts = next;
        notifyDataSetChanged();
    }

    @Override
    public long getItemId(int position) {
        return posts.get(position).id.hashCode();
    }

    @Override
    public int getItemCount() {
        return posts.size();
    }

    @NonNull
    @Override
    public Holder onCreateViewHolder(@NonNull ViewGroup parent, int viewType) {
        return new Holder(LayoutInflater.from(parent.getContext()).inflate(R.layout.item_post, parent, false));
    }

    @Override
    public void onBindViewHolder(@NonNull Holder h, int position) {
        PostItem p = posts.get(position);
        String by = p.byline();
        if ("repost".equals(p.kind)) {
            by = h.itemView.getContext().getString(R.string.reposted, by);
        } else if ("reply".equals(p.kind)) {
            by = h.itemView.getContext().getString(R.string.replied, by);
        }
        h.author.setText(by);
        h.time.setText(DateUtils.getRelativeTimeSpanString(p.timeMillis));
        h.text.setText(p.displayText()); // a repost has no text of its own: its original's
    }

    static final class Holder extends RecyclerView.ViewHolder {
        final TextView author;
        final TextView time;
        final TextView text;

        Holder(View v) {
            super(v);
            author = v.findViewById(R.id.author);
            time = v.findViewById(R.id.time);
            text = v.findViewById(R.id.text);
        }
    }
}
