package org.skein.demo.ui;

import android.content.Context;
import android.text.format.DateUtils;
import android.view.LayoutInflater;
import android.view.View;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.ImageView;
import android.widget.TextView;

import androidx.annotation.NonNull;
import androidx.recyclerview.widget.RecyclerView;

import java.util.Collections;
import java.util.List;

import org.skein.demo.R;
import org.skein.demo.core.ImageItem;
import org.skein.demo.core.PostItem;

/**
 * Rows of a feed or timeline, each with its actions: tap an author for
 * their profile, reply, repost, and delete on the account's own posts. The list is the presenter's immutable
 * snapshot; what the buttons do is the {@link Actions} given.
 */
final class PostAdapter extends RecyclerView.Adapter<PostAdapter.Holder> {
    interface Actions {
        /** An author's name was tapped: open their profile. */
        void onAuthor(String name);

        void onReply(PostItem post);

        void onRepost(PostItem post);

        void onDelete(PostItem post);

        /** Whether post is the account's own (then it shows a Delete button). */
        boolean canDelete(PostItem post);

        /** Shows image's thumbnail in into once the node returns its bytes. */
        void loadThumb(ImageItem image, ImageView into);
    }

    private final Actions actions;
    private List<PostItem> posts = Collections.emptyList();

    PostAdapter(Actions actions) {
        this.actions = actions;
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
        final PostItem p = posts.get(position);
        Context ctx = h.itemView.getContext();
        String by = p.byline();
        if (p.isRepost()) {
            by = ctx.getString(R.string.reposted, by);
        } else if (p.isReply()) {
            String to = p.replyToAuthor.isEmpty() ? ctx.getString(R.string.a_post) : "@" + p.replyToAuthor;
            by = ctx.getString(R.string.replied_to, by, to);
        }
        h.author.setText(by);
        h.time.setText(DateUtils.getRelativeTimeSpanString(p.timeMillis));
        if (p.isRepost() && p.repostOf != null) {
            h.origin.setVisibility(View.VISIBLE);
            h.origin.setText(p.repostOf.byline());
        } else {
            h.origin.setVisibility(View.GONE);
        }
        h.text.setText(p.displayText());
        String summary = p.imageSummary();
        h.images.setText(summary);
        h.images.setVisibility(summary.isEmpty() ? View.GONE : View.VISIBLE);
        PostItem shown = p.isRepost() && p.repostOf != null ? p.repostOf : p;
        if (shown.images.isEmpty()) {
            h.thumb.setTag(null);
            h.thumb.setImageDrawable(null);
            h.thumb.setVisibility(View.GONE);
        } else {
            actions.loadThumb(shown.images.get(0), h.thumb);
        }
        h.author.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                actions.onAuthor(p.author);
            }
        });
        h.origin.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                if (p.repostOf != null) {
                    actions.onAuthor(p.repostOf.author);
                }
            }
        });

        // A repost's reply and repost go to its original, which must still exist.
        boolean canShare = !p.isRepost() || p.originalAvailable();
        h.reply.setEnabled(canShare);
        h.repost.setEnabled(canShare);
        h.delete.setVisibility(actions.canDelete(p) ? View.VISIBLE : View.GONE);
        h.reply.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                actions.onReply(p);
            }
        });
        h.repost.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                actions.onRepost(p);
            }
        });
        h.delete.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                actions.onDelete(p);
            }
        });
    }

    static final class Holder extends RecyclerView.ViewHolder {
        final TextView author;
        final TextView time;
        final TextView origin;
        final TextView text;
        final TextView images;
        final ImageView thumb;
        final Button reply;
        final Button repost;
        final Button delete;

        Holder(View v) {
            super(v);
            author = v.findViewById(R.id.author);
            time = v.findViewById(R.id.time);
            origin = v.findViewById(R.id.origin);
            text = v.findViewById(R.id.text);
            images = v.findViewById(R.id.images);
            thumb = v.findViewById(R.id.thumb);
            reply = v.findViewById(R.id.reply);
            repost = v.findViewById(R.id.repost);
            delete = v.findViewById(R.id.delete);
        }
    }
}
